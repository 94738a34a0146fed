"""The SMTP mailer delivers to the server its URL names, signed in as the URL says."""

from __future__ import annotations

import uuid

import pytest

from bazaar.adapters.email import RecordedMailer
from bazaar.wiring import Container
from tests.fakes import an_smtp_sink
from write_model.ports import Email

SENDER = "Bazaar <orders@bazaar.test>"


def an_email() -> Email:
    return Email(
        message_id=f"<{uuid.uuid4()}@bazaar.test>",
        to="ada@example.com",
        subject="Your order",
        body="Thank you for your order.",
    )


def test_delivers_to_the_server_of_the_url_given(container: Container) -> None:
    email = an_email()

    with an_smtp_sink() as sink:
        RecordedMailer(container.pool, sink.url, SENDER).send(email)

    assert [message["Message-ID"] for message in sink.messages] == [email.message_id]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_signs_in_with_the_credentials_the_url_carries(container: Container) -> None:
    email = an_email()

    with an_smtp_sink(login=("orders@bazaar.test", "p@ss:w/rd")) as sink:
        RecordedMailer(container.pool, sink.url, SENDER).send(email)

    assert [message["To"] for message in sink.messages] == ["ada@example.com"]
