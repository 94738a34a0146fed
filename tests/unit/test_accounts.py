"""Accounts use cases on the in-memory event store: registration, sign-in and the first admin."""

from __future__ import annotations

from typing import ClassVar
from uuid import uuid4

import pytest

from write_model.accounts import (
    AccountExistsError,
    Accounts,
    InvalidCredentialsError,
    InvalidRoleError,
    InvalidUsernameError,
    UserNotFoundError,
    WeakPasswordError,
)
from write_model.commands import RegisterUser
from write_model.text import InvalidTextError
from write_model.users import User

pytestmark = pytest.mark.unit

PASSWORD = "s3cret-pass"


class FakeHasher:
    """A reversible stand-in for argon2; `scheme` plays the part of argon2's parameters."""

    def __init__(self, scheme: str = "v1") -> None:
        self.scheme = scheme

    def hash(self, password: str) -> str:
        return f"hashed:{self.scheme}:{password}"

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash.split(":", 2)[2] == password

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith(f"hashed:{self.scheme}:")


def a_registration(
    email: str = "ann@example.com", username: str = "ann", password: str = PASSWORD, **kw: str
) -> RegisterUser:
    return RegisterUser(email=email, username=username, password=password, **kw)


class AccountsTests:
    """Fresh accounts with a fake hasher for every test."""

    env: ClassVar[dict[str, str] | None] = None

    @pytest.fixture
    def hasher(self) -> FakeHasher:
        return FakeHasher()

    @pytest.fixture
    def accounts(self, hasher: FakeHasher) -> Accounts:
        env = {"PERSISTENCE_MODULE": "eventsourcing.popo", **(self.env or {})}
        return Accounts(env=env, hasher=hasher)


class TestRegister(AccountsTests):
    def test_registers_a_customer_by_default(self, accounts: Accounts) -> None:
        registered = accounts.register(a_registration(email="Ann@Example.com"))

        user = registered.aggregate
        assert (user.email, user.username, user.role) == ("ann@example.com", "ann", "customer")
        assert (registered.position, registered.log) == (accounts.position(), "accounts")

    def test_stores_only_the_hash_of_the_password(self, accounts: Accounts) -> None:
        user = accounts.register(a_registration()).aggregate

        assert accounts.get_user(user.id).password_hash == f"hashed:v1:{PASSWORD}"

    def test_registers_an_artisan(self, accounts: Accounts) -> None:
        user = accounts.register(a_registration(role="artisan")).aggregate

        assert user.role == "artisan"

    def test_refuses_an_email_already_registered_in_another_case(self, accounts: Accounts) -> None:
        accounts.register(a_registration(email="ann@example.com", username="ann"))

        with pytest.raises(AccountExistsError):
            accounts.register(a_registration(email=" ANN@example.com", username="annie"))

    def test_refuses_a_username_already_taken_in_another_case(self, accounts: Accounts) -> None:
        accounts.register(a_registration(email="ann@example.com", username="ann"))

        with pytest.raises(AccountExistsError):
            accounts.register(a_registration(email="other@example.com", username="ANN"))

    def test_a_refused_registration_records_no_user(self, accounts: Accounts) -> None:
        accounts.register(a_registration(email="ann@example.com", username="ann"))
        with pytest.raises(AccountExistsError):
            accounts.register(a_registration(email="other@example.com", username="ann"))

        with pytest.raises(UserNotFoundError):
            accounts.get_user(User.create_id("other@example.com"))

    @pytest.mark.parametrize("password", ["ab1!", "lettersonly", "12345678"])
    def test_refuses_a_weak_password(self, accounts: Accounts, password: str) -> None:
        with pytest.raises(WeakPasswordError):
            accounts.register(a_registration(password=password))

    @pytest.mark.parametrize("username", ["an", "ann smith", "ann@home", "a" * 41])
    def test_refuses_a_bad_username(self, accounts: Accounts, username: str) -> None:
        with pytest.raises(InvalidUsernameError):
            accounts.register(a_registration(username=username))

    def test_refuses_an_email_with_a_nul(self, accounts: Accounts) -> None:
        with pytest.raises(InvalidTextError, match="email"):
            accounts.register(a_registration(email="ann\x00@example.com"))

    def test_refuses_an_unknown_role(self, accounts: Accounts) -> None:
        with pytest.raises(InvalidRoleError):
            accounts.register(a_registration(role="superuser"))


class TestAuthenticate(AccountsTests):
    @pytest.fixture
    def ann(self, accounts: Accounts) -> User:
        return accounts.register(a_registration(email="ann@example.com", username="Ann")).aggregate

    @pytest.mark.parametrize("login", ["ann@example.com", "ANN@example.com", "Ann", "ann"])
    def test_signs_in_by_email_or_username_in_any_case(
        self, accounts: Accounts, ann: User, login: str
    ) -> None:
        user = accounts.authenticate(login, PASSWORD)

        assert user.id == ann.id

    def test_refuses_a_wrong_password(self, accounts: Accounts, ann: User) -> None:
        with pytest.raises(InvalidCredentialsError):
            accounts.authenticate("ann@example.com", "wrong-pass1")

    @pytest.mark.parametrize("login", ["bob@example.com", "bob"])
    def test_refuses_an_unknown_login(self, accounts: Accounts, login: str) -> None:
        with pytest.raises(InvalidCredentialsError):
            accounts.authenticate(login, PASSWORD)

    def test_rehashes_an_outdated_hash(
        self, accounts: Accounts, hasher: FakeHasher, ann: User
    ) -> None:
        hasher.scheme = "v2"

        accounts.authenticate("ann", PASSWORD)

        assert accounts.get_user(ann.id).password_hash == f"hashed:v2:{PASSWORD}"
        assert [type(e) for e in accounts.events.get(ann.id)][-1] is User.PasswordChanged

    def test_keeps_a_current_hash(self, accounts: Accounts, ann: User) -> None:
        accounts.authenticate("ann", PASSWORD)

        assert [type(e) for e in accounts.events.get(ann.id)] == [User.Registered]


class TestGetUser(AccountsTests):
    def test_refuses_an_unknown_id(self, accounts: Accounts) -> None:
        with pytest.raises(UserNotFoundError):
            accounts.get_user(uuid4())


class TestEnsureAdmin(AccountsTests):
    def test_creates_the_admin_named_after_its_email_when_missing(self, accounts: Accounts) -> None:
        admin = accounts.ensure_admin("root@example.com", PASSWORD)

        assert (admin.role, admin.username) == ("admin", "root")
        assert accounts.authenticate("root", PASSWORD).id == admin.id

    def test_numbers_the_username_another_account_holds(self, accounts: Accounts) -> None:
        accounts.ensure_admin("admin@bazaar.example", PASSWORD)

        admin = accounts.ensure_admin("admin@shop.example", PASSWORD)

        assert admin.username == "admin-2"

    def test_keeps_a_chosen_username(self, accounts: Accounts) -> None:
        admin = accounts.ensure_admin("root@example.com", PASSWORD, username="boss")

        assert admin.username == "boss"

    def test_promotes_an_existing_user(self, accounts: Accounts) -> None:
        ann = accounts.register(a_registration(email="ann@example.com")).aggregate

        accounts.ensure_admin("ann@example.com", "0ther-pass")

        assert accounts.get_user(ann.id).role == "admin"

    def test_repeating_records_nothing_more(self, accounts: Accounts) -> None:
        ann = accounts.register(a_registration(email="ann@example.com")).aggregate
        accounts.ensure_admin("ann@example.com", PASSWORD)

        accounts.ensure_admin("ann@example.com", PASSWORD)

        assert [type(e) for e in accounts.events.get(ann.id)] == [
            User.Registered,
            User.RoleChanged,
        ]
