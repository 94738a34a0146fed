"""User aggregate and the username claim that keeps usernames unique."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

USER_NAMESPACE = uuid5(NAMESPACE_URL, "bazaar:user")
USERNAME_NAMESPACE = uuid5(NAMESPACE_URL, "bazaar:username")
ROLES = ("customer", "artisan", "admin")


def normalised(name: str) -> str:
    """An e-mail or a username as it is compared: without case or surrounding blanks."""
    return name.strip().lower()


class User(Aggregate):
    """A person who can sign in; the id derives from the e-mail, so an e-mail is taken once."""

    @staticmethod
    def create_id(email: str, **_: object) -> UUID:
        return uuid5(USER_NAMESPACE, normalised(email))

    class Registered(Aggregate.Created):
        email: str
        username: str
        password_hash: str
        role: str

    @event(Registered)
    def __init__(self, *, email: str, username: str, password_hash: str, role: str) -> None:
        self.email = normalised(email)
        self.username = username
        self.password_hash = password_hash
        self.role = role

    class RoleChanged(Aggregate.Event):
        role: str

    def change_role(self, role: str) -> None:
        """Give the user another role; the same role records nothing."""
        if role != self.role:
            self._change_role(role=role)

    @event(RoleChanged)
    def _change_role(self, role: str) -> None:
        self.role = role

    class PasswordChanged(Aggregate.Event):
        password_hash: str

    @event(PasswordChanged)
    def change_password(self, password_hash: str) -> None:
        """Replace the stored hash (rehashing on login uses this too)."""
        self.password_hash = password_hash


class Username(Aggregate):
    """Claims a username for one user; a second claim is a version conflict."""

    @staticmethod
    def create_id(username: str, **_: object) -> UUID:
        return uuid5(USERNAME_NAMESPACE, normalised(username))

    class Claimed(Aggregate.Created):
        username: str
        user_id: UUID

    @event(Claimed)
    def __init__(self, *, username: str, user_id: UUID) -> None:
        self.username = username
        self.user_id = user_id
