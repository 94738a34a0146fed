"""Users and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, EmailStr, Field

from api.schemas.common import Request, SafeText


class RegisterIn(Request):
    email: EmailStr
    username: SafeText = Field(min_length=3, max_length=40)
    password: SafeText = Field(min_length=1, max_length=200)
    role: Literal["customer", "artisan"] = "customer"


class LoginIn(Request):
    """The password is taken as it is: signing in records nothing, and an account made before
    the text rule keeps its way in."""

    email: SafeText | None = Field(default=None, max_length=254)
    username: SafeText | None = Field(default=None, max_length=254)
    password: str = Field(min_length=1, max_length=200)


class RefreshIn(Request):
    refresh: SafeText = Field(min_length=1, max_length=4000)


class UserOut(BaseModel):
    id: UUID
    email: str
    username: str
    role: str
    created_at: datetime


class SessionOut(BaseModel):
    user: UserOut
    access: str
    refresh: str


class AccessOut(BaseModel):
    access: str


class OAuthTokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
