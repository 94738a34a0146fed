"""Accounts: users and their sign-in, kept apart from the shop so they never share its lock."""

from __future__ import annotations

import itertools
import re
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import EnvType

from write_model.application import BazaarApplication, Outcome
from write_model.commands import RegisterUser
from write_model.errors import NotFoundError, RuleViolationError, UnauthenticatedError
from write_model.ports import PasswordHasher
from write_model.text import checked
from write_model.users import ROLES, User, Username, normalised

MIN_PASSWORD_LENGTH = 8
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{3,40}$")


class WeakPasswordError(RuleViolationError):
    """Raised when a password is too short or too simple to protect an account."""

    code = "weak_password"


class InvalidUsernameError(RuleViolationError):
    """Raised when a username has characters or a length we do not accept."""

    code = "invalid_username"


class InvalidRoleError(RuleViolationError):
    """Raised when a role is not one of customer, artisan or admin."""

    code = "invalid_role"


class AccountExistsError(RuleViolationError):
    """Raised when the e-mail or username is already registered."""

    code = "account_exists"


class InvalidCredentialsError(UnauthenticatedError):
    """Raised when no user matches the login and password."""

    code = "invalid_credentials"


class UserNotFoundError(NotFoundError):
    """Raised when a user id names no user."""

    code = "user_not_found"


class Accounts(BazaarApplication):
    """Registration, sign-in and roles."""

    name = "accounts"

    def __init__(self, env: EnvType | None = None, *, hasher: PasswordHasher) -> None:
        super().__init__(env)
        self.hasher = hasher

    def register(self, cmd: RegisterUser) -> Outcome[User]:
        """E-mail and username are each taken once, even by concurrent registrations."""
        _check_new_account(cmd)
        user = User(
            email=cmd.email,
            username=cmd.username.strip(),
            password_hash=self.hasher.hash(cmd.password),
            role=cmd.role,
        )
        claim = Username(username=cmd.username, user_id=user.id)
        try:
            return self._save(user, claim)
        except IntegrityError:
            raise AccountExistsError("That e-mail or username is already registered.") from None

    def authenticate(self, login: str, password: str) -> User:
        """Sign in with e-mail or username; a wrong login and a wrong password look alike."""
        user = self._by_login(login)
        if user is None or not self.hasher.verify(user.password_hash, password):
            raise InvalidCredentialsError("Wrong login or password.")
        if self.hasher.needs_rehash(user.password_hash):
            user.change_password(self.hasher.hash(password))
            self.save(user)
        return user

    def get_user(self, user_id: UUID) -> User:
        return self._get(User, user_id, UserNotFoundError)

    def ensure_admin(self, email: str, password: str, username: str | None = None) -> User:
        """Create this admin, or give the existing account the admin role; safe to repeat.

        Without a username, the e-mail's local part is used, numbered while another
        account holds it: a configured admin never collides with the demo `admin`.
        """
        user = self._find(User, User.create_id(email))
        if user is None:
            chosen = username or self._free_username(email)
            cmd = RegisterUser(email=email, username=chosen, password=password, role="admin")
            return self.register(cmd).aggregate
        user.change_role("admin")
        self.save(user)
        return user

    def _free_username(self, email: str) -> str:
        stem = re.sub(r"[^A-Za-z0-9_.-]", "", email.partition("@")[0])[:36].ljust(3, "_")
        candidates = (stem if n == 1 else f"{stem}-{n}" for n in itertools.count(1))
        return next(name for name in candidates if self._claim_of(name) is None)

    def _claim_of(self, username: str) -> Username | None:
        return self._find(Username, Username.create_id(normalised(username)))

    def _by_login(self, login: str) -> User | None:
        if "@" in login:
            return self._find(User, User.create_id(login))
        claim = self._claim_of(login)
        return self._find(User, claim.user_id) if claim is not None else None


def _check_new_account(cmd: RegisterUser) -> None:
    checked("email", cmd.email)
    checked("username", cmd.username)
    if cmd.role not in ROLES:
        raise InvalidRoleError(f"Role must be one of {', '.join(ROLES)}.")
    if not USERNAME_PATTERN.match(cmd.username.strip()):
        raise InvalidUsernameError("Username: 3-40 letters, digits, '.', '_' or '-'.")
    password = cmd.password
    if len(password) < MIN_PASSWORD_LENGTH or password.isdigit() or password.isalpha():
        raise WeakPasswordError(
            f"Password needs at least {MIN_PASSWORD_LENGTH} characters, mixing letters "
            "with digits or symbols."
        )
