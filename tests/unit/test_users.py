"""User and Username aggregates: ids from normalised e-mails and usernames, roles, passwords."""

from __future__ import annotations

from uuid import uuid4

import pytest

from write_model.users import User, Username

pytestmark = pytest.mark.unit


def a_user(role: str = "customer") -> User:
    user = User(email="ann@example.com", username="Ann", password_hash="hashed:secret1", role=role)
    user.collect_events()
    return user


def event_types(user: User) -> list[type]:
    return [type(e) for e in user.collect_events()]


class TestRegister:
    def test_takes_its_id_from_the_normalised_email(self) -> None:
        user = User(email=" Ann@Example.COM ", username="Ann", password_hash="h", role="customer")

        assert user.id == User.create_id("ann@example.com")
        assert user.email == "ann@example.com"

    def test_keeps_the_username_as_written(self) -> None:
        user = a_user()

        assert user.username == "Ann"


class TestChangeRole:
    def test_records_the_new_role(self) -> None:
        user = a_user(role="customer")

        user.change_role("admin")

        assert user.role == "admin"
        assert event_types(user) == [User.RoleChanged]

    def test_records_nothing_for_the_same_role(self) -> None:
        user = a_user(role="artisan")

        user.change_role("artisan")

        assert event_types(user) == []


class TestChangePassword:
    def test_replaces_the_hash(self) -> None:
        user = a_user()

        user.change_password("hashed:newsecret2")

        assert user.password_hash == "hashed:newsecret2"
        assert event_types(user) == [User.PasswordChanged]


class TestUsername:
    def test_claims_the_same_id_whatever_the_case(self) -> None:
        claim = Username(username="Ann", user_id=uuid4())

        assert claim.id == Username.create_id(" aNN ")

    def test_different_usernames_have_different_ids(self) -> None:
        ids = {Username.create_id("ann"), Username.create_id("anne")}

        assert len(ids) == 2
