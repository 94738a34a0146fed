"""What the processes behind the API count for Prometheus, and how a background process
(runner, relay, worker, saga executor) serves them: METRICS_PORT, which doubles as its
liveness check."""

from __future__ import annotations

import logging
from collections.abc import Callable

from prometheus_client import Counter, start_http_server

log = logging.getLogger(__name__)

CONFLICTS = Counter(
    "bazaar_command_conflicts",
    "Version conflicts met by commands, by log; gave_up=yes when the last attempt lost too "
    "(the caller got 409), else the command was decided again.",
    ["log", "gave_up"],
)
CARD_PROVIDER_CALLS = Counter(
    "bazaar_card_provider_calls",
    "Calls to the card provider, by outcome: issued, refused, unavailable, invalid_answer.",
    ["outcome"],
)


def counting_conflicts(log_name: str) -> Callable[[bool], None]:
    """The `on_version_conflict` hook of an application writing `log_name`."""

    def count(gave_up: bool) -> None:
        CONFLICTS.labels(log_name, "yes" if gave_up else "no").inc()

    return count


def serve(port: int | None) -> None:
    """`/metrics` of this process on `port` (none: not served), in a daemon thread."""
    if port is None:
        return
    start_http_server(port, addr="0.0.0.0")
    log.info("metrics on :%d/metrics", port)
