"""What the e-mail sagas share: one e-mail per job, to a user the directory names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from write_model.ports import Directory, Email, Mailer
from write_model.shop import Shop


class Mailing:
    """A saga whose job is one e-mail; the parked job is the record when it gives up."""

    max_attempts = 6

    def __init__(self, shop: Shop, directory: Directory, mailer: Mailer) -> None:
        self.shop = shop
        self.directory = directory
        self.mailer = mailer

    def mail(self, user_id: UUID, message_id: str, subject: str, body: Callable[[str], str]) -> str:
        """Send the user `subject` and `body` (written for their name); the job's outcome."""
        recipient = self.directory(user_id)
        email = Email(message_id, to=recipient.email, subject=subject, body=body(recipient.name))
        self.mailer.send(email)
        return f"sent to {recipient.email}"

    def give_up(self, payload: dict[str, Any], error: str) -> None:
        """Nothing to record elsewhere: the parked job is the record."""
