"""E-mail behind the Mailer port: over SMTP when a server is configured, recorded either way."""

from __future__ import annotations

import logging
import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import SplitResult, unquote, urlsplit

from psycopg_pool import ConnectionPool

from read_model.sql.emails import SentEmail, record_email, was_sent
from write_model.ports import Email

log = logging.getLogger(__name__)
SMTP_TIMEOUT_S = 10


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
            deliver(self.smtp, message(self.sender, email, now))
        else:
            log.info("e-mail to %s (no SMTP_URL, recorded only): %s", email.to, email.subject)
        transport = "smtp" if self.smtp else "recorded"
        record_email(
            self.pool,
            SentEmail(email.message_id, email.to, email.subject, email.body, transport, now),
        )


def message(sender: str, email: Email, now: datetime) -> EmailMessage:
    """The e-mail as sent: its Message-ID is the job's, so a resend can be recognised."""
    sent = EmailMessage()
    sent["From"] = sender
    sent["To"] = email.to
    sent["Subject"] = email.subject
    sent["Message-ID"] = email.message_id
    sent["Date"] = format_datetime(now)
    sent.set_content(email.body)
    return sent


def deliver(smtp_url: SplitResult, sent: EmailMessage) -> None:
    """Send through the server of `smtp_url` (`smtp://` or `smtps://`, TLS from the start),
    signing in with its user and password, percent-decoded as URLs carry them."""
    tls = smtp_url.scheme == "smtps"
    smtp_class = smtplib.SMTP_SSL if tls else smtplib.SMTP
    port = smtp_url.port or (smtplib.SMTP_SSL_PORT if tls else smtplib.SMTP_PORT)
    with smtp_class(smtp_url.hostname or "localhost", port, timeout=SMTP_TIMEOUT_S) as smtp:
        if smtp_url.username:
            smtp.login(unquote(smtp_url.username), unquote(smtp_url.password or ""))
        smtp.send_message(sent)
