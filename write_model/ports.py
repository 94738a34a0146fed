"""Protocols for what the domain needs from outside; adapters live in the composition root."""

from __future__ import annotations

from typing import Protocol


class PasswordHasher(Protocol):
    """One-way password hashing (argon2 in production)."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...
