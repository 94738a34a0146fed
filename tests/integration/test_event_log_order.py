"""The one-round-trip insert function keeps commit order equal to notification order.

A reader that tails the log by position must never pass an id that commits later. Writers
save concurrently while a tailer follows the log; afterwards every stored id must have been
seen by the tailer. The library's own insert function (no table lock) fails this test.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

pytestmark = pytest.mark.integration
WRITERS = 6
SAVES_PER_WRITER = 150


class Tally(Aggregate):
    """A tiny aggregate to save many times."""

    def __init__(self) -> None:
        self.count = 0


class LogUnderTest(Application[object]):
    name = "log_order_test"


@pytest.fixture
def app(event_store_env: dict[str, str]) -> Iterator[LogUnderTest]:
    application = LogUnderTest(env=event_store_env)
    yield application
    application.close()


def tail(app: LogUnderTest, seen: list[int], done: threading.Event) -> None:
    """Follow the log as a projection would: from the last position seen, never back."""
    position = 0
    while not done.is_set() or position < (app.recorder.max_notification_id() or 0):
        for notification in app.recorder.select_notifications(start=position + 1, limit=50):
            seen.append(notification.id)
            position = notification.id


def write(app: LogUnderTest) -> None:
    for _ in range(SAVES_PER_WRITER):
        app.save(Tally(), Tally())


def test_a_tailing_reader_sees_every_event_committed_by_concurrent_writers(
    app: LogUnderTest,
) -> None:
    seen: list[int] = []
    done = threading.Event()
    tailer = threading.Thread(target=tail, args=(app, seen, done))
    writers = [threading.Thread(target=write, args=(app,)) for _ in range(WRITERS)]
    tailer.start()

    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    done.set()
    tailer.join()

    stored = [n.id for n in app.recorder.select_notifications(start=1, limit=10**6)]
    assert len(stored) == WRITERS * SAVES_PER_WRITER * 2
    assert seen == stored


def test_applications_sharing_a_schema_each_insert_into_their_own_table(
    event_store_env: dict[str, str],
) -> None:
    first, second = LogUnderTest(env=event_store_env), Application(env=event_store_env)
    tally = Tally()

    first.save(tally)

    assert first.repository.get(tally.id).id == tally.id
    assert tally.id not in second.repository
    first.close()
    second.close()
