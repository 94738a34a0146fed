"""Adapters for the sagas' side effects: e-mail over SMTP (or recorded only), HTTP webhooks."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from urllib.parse import SplitResult, urlsplit
from uuid import UUID

import httpx
from psycopg_pool import ConnectionPool

from projections.sagas.base import GiveUp
from read_model.sql.emails import SentEmail, record_email, was_sent
from write_model.accounts import Accounts, UserNotFoundError
from write_model.ports import Email, Recipient

log = logging.getLogger(__name__)


class RecordedMailer:
    """Sends through SMTP when a server is configured, and records every e-mail sent.

    An e-mail already recorded is not sent again: a job retried after it was sent (its
    worker died before marking it done) finds the record and stops there.
    """

    def __init__(self, pool: ConnectionPool, smtp_url: str | None, sender: str) -> None:
        self.pool = pool
        self.smtp = urlsplit(smtp_url) if smtp_url else None
        self.sender = sender

    def send(self, email: Email) -> None:
        if was_sent(self.pool, email.message_id):
            return
        now = datetime.now(UTC)
        if self.smtp is not None:
            self._deliver(self.smtp, email, now)
        else:
            log.info("e-mail to %s (no SMTP_URL, recorded only): %s", email.to, email.subject)
        transport = "smtp" if self.smtp else "recorded"
        record_email(
            self.pool,
            SentEmail(email.message_id, email.to, email.subject, email.body, transport, now),
        )

    def _deliver(self, smtp_url: SplitResult, email: Email, now: datetime) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Message-ID"] = email.message_id
        message["Date"] = format_datetime(now)
        message.set_content(email.body)
        smtp_class = smtplib.SMTP_SSL if self.smtp.scheme == "smtps" else smtplib.SMTP
        with smtp_class(
            self.smtp.hostname or "localhost", self.smtp.port or 25, timeout=10
        ) as smtp:
            if self.smtp.username:
                smtp.login(self.smtp.username, self.smtp.password or "")
            smtp.send_message(message)


class WebhookPartner:
    """POSTs the shipment as JSON; anything but a 2xx answer is a failure to retry."""

    def __init__(self, url: str, timeout_s: float) -> None:
        self.url = url
        self.client = httpx.Client(timeout=timeout_s)
        """One client for all calls: its connections and TLS context are made once."""

    def announce(self, shipment: dict[str, Any], idempotency_key: str) -> None:
        answer = self.client.post(
            self.url, json=shipment, headers={"Idempotency-Key": idempotency_key}
        )
        if not answer.is_success:
            raise RuntimeError(f"webhook answered {answer.status_code}")


def directory(accounts: Accounts) -> Callable[[UUID], Recipient]:
    """Users' names and addresses; a user who does not exist is not worth retrying."""

    def recipient(user_id: UUID) -> Recipient:
        try:
            user = accounts.get_user(user_id)
        except UserNotFoundError as unknown:
            raise GiveUp(str(unknown)) from None
        return Recipient(name=user.username, email=user.email)

    return recipient
