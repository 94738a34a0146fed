"""Access and refresh tokens: JWT signed with HS256, always verified with expiry."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

import jwt

from api.errors import ApiError
from write_model.commands import Actor

ALGORITHM = "HS256"
VERIFIED_KEPT = 10_000
"""Tokens whose signature was checked, kept with their expiry: a client sends the same token
with every request, and checking it again cost more than the rest of the request's auth."""


@dataclass(frozen=True, slots=True)
class TokenService:
    """Issues and verifies tokens; a refresh token is never accepted as an access token."""

    secret: str
    access_ttl: timedelta
    refresh_ttl: timedelta
    _verified: dict[tuple[str, str], tuple[Actor, float]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def access_token(self, actor: Actor) -> str:
        return self._issue(actor, "access", self.access_ttl)

    def refresh_token(self, actor: Actor) -> str:
        return self._issue(actor, "refresh", self.refresh_ttl)

    def verify(self, token: str, kind: str = "access") -> Actor:
        """The token's actor; a token checked before is trusted until its expiry."""
        known = self._verified.get((token, kind))
        if known is not None and time.time() < known[1]:
            return known[0]
        actor, expires = self._checked(token, kind)
        if len(self._verified) >= VERIFIED_KEPT:
            self._verified.clear()
        self._verified[token, kind] = (actor, expires)
        return actor

    def _checked(self, token: str, kind: str) -> tuple[Actor, float]:
        try:
            claims = jwt.decode(
                token, self.secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
            )
            if claims.get("type") != kind:
                raise jwt.InvalidTokenError("wrong token type")
            actor = Actor(user_id=UUID(claims["sub"]), role=str(claims["role"]))
            return actor, float(claims["exp"])
        except (jwt.InvalidTokenError, KeyError, ValueError):
            raise ApiError(401, "invalid_token", "The token is invalid or expired.") from None

    def _issue(self, actor: Actor, kind: str, ttl: timedelta) -> str:
        now = datetime.now(UTC)
        claims = {
            "sub": str(actor.user_id),
            "role": actor.role,
            "type": kind,
            "iat": now,
            "exp": now + ttl,
        }
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)
