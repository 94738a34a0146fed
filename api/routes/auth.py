"""Register, sign in, refresh tokens and read one's own profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Response
from fastapi.security import OAuth2PasswordRequestForm

from api.dependencies import CurrentUser, ServicesDep
from api.errors import ApiError
from api.read_your_writes import answer_position
from api.routing import routes
from api.schemas.auth import (
    AccessOut,
    LoginIn,
    OAuthTokenOut,
    RefreshIn,
    RegisterIn,
    SessionOut,
    UserOut,
    user_out,
)
from write_model.commands import Actor, RegisterUser
from write_model.users import User

router = routes("auth")


def session_for(services: ServicesDep, user: User) -> SessionOut:
    actor = Actor(user_id=user.id, role=user.role)
    return SessionOut(
        user=user_out(user),
        access=services.tokens.access_token(actor),
        refresh=services.tokens.refresh_token(actor),
    )


@router.post("/api/auth/register", status_code=201)
def register(body: RegisterIn, services: ServicesDep, response: Response) -> SessionOut:
    """Create an account (customer or artisan) and sign it in.

    The position names the accounts log: no read model follows it, so any read given it
    answers at once.
    """
    cmd = RegisterUser(
        email=str(body.email), username=body.username, password=body.password, role=body.role
    )
    outcome = services.accounts.register(cmd)
    answer_position(response, outcome, created="/api/auth/me")
    return session_for(services, outcome.aggregate)


@router.post("/api/auth/login")
def login(body: LoginIn, services: ServicesDep) -> SessionOut:
    """Sign in with e-mail or username."""
    name = body.email or body.username
    if not name:
        raise ApiError(400, "validation_error", "Give an email or a username.")
    return session_for(services, services.accounts.authenticate(name, body.password))


@router.post("/api/auth/refresh")
def refresh(body: RefreshIn, services: ServicesDep) -> AccessOut:
    """Trade a refresh token for a new access token."""
    actor = services.tokens.verify(body.refresh, kind="refresh")
    user = services.accounts.get_user(actor.user_id)
    return AccessOut(access=services.tokens.access_token(Actor(user_id=user.id, role=user.role)))


@router.post("/api/token")
def oauth_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], services: ServicesDep
) -> OAuthTokenOut:
    """OAuth2 password flow, for the docs' Authorize button."""
    user = services.accounts.authenticate(form.username, form.password)
    actor = Actor(user_id=user.id, role=user.role)
    return OAuthTokenOut(access_token=services.tokens.access_token(actor))


@router.get("/api/auth/me")
def me(actor: CurrentUser, services: ServicesDep) -> UserOut:
    """The signed-in user's own profile."""
    return user_out(services.accounts.get_user(actor.user_id))
