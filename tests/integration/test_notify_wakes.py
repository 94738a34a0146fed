"""Waking on NOTIFY: a burst of saves wakes a follower once, not once per save."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from streams.supervision import wake_on_notify
from tests.waiting import poll_until

pytestmark = pytest.mark.integration
CHANNEL = "bazaar_test_wakes"


def test_a_burst_of_notifies_wakes_once_and_a_later_one_again(database_url: str) -> None:
    wakes: list[float] = []
    stopping = threading.Event()
    with (
        psycopg.connect(database_url) as listener,
        psycopg.connect(database_url, autocommit=True) as saver,
    ):
        follower = threading.Thread(
            target=wake_on_notify,
            args=(listener, CHANNEL, lambda: wakes.append(time.monotonic()), stopping, 0.05),
        )
        follower.start()
        try:
            poll_until(lambda: len(wakes) == 1)
            for _ in range(20):
                saver.execute(f"NOTIFY {CHANNEL}")
            poll_until(lambda: len(wakes) == 2)
            saver.execute(f"NOTIFY {CHANNEL}")
            poll_until(lambda: len(wakes) >= 3)
        finally:
            stopping.set()
            follower.join()

    assert len(wakes) == 3
