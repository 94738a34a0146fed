"""Password hashing behind the PasswordHasher port: argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher as Argon2
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2Hasher:
    """argon2id password hashes; the defaults are argon2-cffi's (RFC 9106 low-memory profile)."""

    def __init__(self, memory_kib: int = 65536, time_cost: int = 3) -> None:
        self._argon2 = Argon2(memory_cost=memory_kib, time_cost=time_cost)

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._argon2.check_needs_rehash(password_hash)
