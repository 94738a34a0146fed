"""What the API counts for Prometheus: requests, commands by outcome, read-your-writes waits."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUEST_SECONDS = Histogram(
    "bazaar_http_request_seconds", "HTTP request duration", ["method", "route", "status"]
)
COMMANDS = Counter(
    "bazaar_commands",
    "Commands (requests that change something), by operation and outcome: done (2xx), "
    "refused (4xx: invalid, not allowed, conflicting) or failed (5xx).",
    ["command", "outcome"],
)
READ_WAITS = Histogram(
    "bazaar_read_your_writes_wait_seconds",
    "How long queries with X-Min-Position waited for their read models, by outcome: reached, "
    "or timed_out (answered 503 read_model_lagging).",
    ["outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
READS = frozenset({"GET", "HEAD", "OPTIONS"})


def count_command(method: str, operation: str | None, status: int) -> None:
    """A matched request that is not a read counts as a command of its operation."""
    if method in READS or operation is None:
        return
    outcome = "done" if status < 400 else "refused" if status < 500 else "failed"
    COMMANDS.labels(operation, outcome).inc()
