"""Access and refresh tokens: JWT signed with HS256, always verified with expiry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import jwt

from api.errors import ApiError
from write_model.commands import Actor

ALGORITHM = "HS256"


@dataclass(frozen=True, slots=True)
class TokenService:
    """Issues and verifies tokens; a refresh token is never accepted as an access token."""

    secret: str
    access_ttl: timedelta
    refresh_ttl: timedelta

    def access_token(self, actor: Actor) -> str:
        return self._issue(actor, "access", self.access_ttl)

    def refresh_token(self, actor: Actor) -> str:
        return self._issue(actor, "refresh", self.refresh_ttl)

    def verify(self, token: str, kind: str = "access") -> Actor:
        try:
            claims = jwt.decode(
                token, self.secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
            )
            if claims.get("type") != kind:
                raise jwt.InvalidTokenError("wrong token type")
            return Actor(user_id=UUID(claims["sub"]), role=str(claims["role"]))
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
