"""Users and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import AliasChoices, BaseModel, EmailStr, Field

from api.schemas.common import Request, SafeText
from api.schemas.examples import (
    ACCESS_TOKEN,
    CUSTOMER_ID,
    REFRESH_TOKEN,
    example_of,
    with_examples,
)
from write_model.users import User


class RegisterIn(Request):
    model_config = with_examples(
        {
            "email": "tom.becker@example.com",
            "username": "tom.becker",
            "password": "glazed-and-fired-1",
            "role": "customer",
        }
    )

    email: EmailStr
    username: SafeText = Field(min_length=3, max_length=40)
    password: SafeText = Field(min_length=1, max_length=200)
    role: Literal["customer", "artisan"] = "customer"


class LoginIn(Request):
    """The password is taken as it is: signing in records nothing, and an account made before
    the text rule keeps its way in."""

    model_config = with_examples(
        {"email": "tom.becker@example.com", "password": "glazed-and-fired-1"},
        {"username": "tom.becker", "password": "glazed-and-fired-1"},
    )

    email: SafeText | None = Field(default=None, max_length=254)
    username: SafeText | None = Field(default=None, max_length=254)
    password: str = Field(min_length=1, max_length=200)


class RefreshIn(Request):
    model_config = with_examples({"refresh": REFRESH_TOKEN})

    refresh: SafeText = Field(min_length=1, max_length=4000)


class UserOut(BaseModel):
    model_config = with_examples(
        {
            "id": CUSTOMER_ID,
            "email": "tom.becker@example.com",
            "username": "tom.becker",
            "role": "customer",
            "created_at": "2025-03-02T18:04:11Z",
        }
    )

    id: UUID
    email: str
    username: str
    role: str
    created_at: datetime = Field(validation_alias=AliasChoices("created_at", "created_on"))


def user_out(user: User) -> UserOut:
    """The user as the contract shows it: never its password hash."""
    return UserOut.model_validate(user, from_attributes=True)


class SessionOut(BaseModel):
    model_config = with_examples(
        {"user": example_of(UserOut), "access": ACCESS_TOKEN, "refresh": REFRESH_TOKEN}
    )

    user: UserOut
    access: str
    refresh: str


class AccessOut(BaseModel):
    model_config = with_examples({"access": ACCESS_TOKEN})

    access: str


class OAuthTokenOut(BaseModel):
    model_config = with_examples({"access_token": ACCESS_TOKEN, "token_type": "bearer"})

    access_token: str
    token_type: str = "bearer"
