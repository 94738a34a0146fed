"""Position tokens: `shop.401` is notification 401 of the shop's event log.

Each application (`shop`, `accounts`, `cards`) numbers its own log, so a bare number says
nothing on its own: a token names its log. `X-Min-Position` takes one token or several,
comma-separated (`shop.401,cards.5`); a plain number still means the shop's log.
"""

from __future__ import annotations

from collections.abc import Collection

PLAIN_LOG = "shop"
"""The log a plain number counts in (positions were the shop's before tokens named logs)."""
LARGEST = 2**63 - 1
HELP = (
    "Read-your-writes: the X-Event-Position token of a command's answer, as `<log>.<position>` "
    "(`shop.401`, `accounts.12`, `cards.5`), or several comma-separated (`shop.401,cards.5`); a "
    "plain number counts in the shop's log. The read answers once the read models it reads have "
    "applied those positions of the logs that feed them (tokens of other logs need no wait), or "
    "503 `read_model_lagging` with Retry-After after a bounded wait. A position its log has "
    "never reached is 400 `position_unknown` at once; a malformed token 400 `validation_error`."
)


def token(log: str, position: int) -> str:
    """What X-Event-Position says for `position` in `log`'s event log."""
    return f"{log}.{position}"


def event_position(log: str | None, position: int) -> dict[str, str]:
    """The header of every answer after a write, a success's or a refusal's (which may
    record an event too): reads show the write once they reach `position` of `log`."""
    return {"X-Event-Position": token(log or PLAIN_LOG, position)}


def parse(header: str, logs: Collection[str]) -> dict[str, int]:
    """The position asked of each log (the highest, if one is named twice).

    Raises ValueError naming the first token that is malformed or names no log in `logs`.
    """
    wanted: dict[str, int] = {}
    for part in header.split(","):
        log, position = _one(part.strip(), logs)
        wanted[log] = max(position, wanted.get(log, 0))
    return wanted


def _one(text: str, logs: Collection[str]) -> tuple[str, int]:
    log, _, number = text.rpartition(".")
    log = log or PLAIN_LOG
    if log not in logs:
        raise ValueError(f"{text!r} names no event log (known: {', '.join(sorted(logs))})")
    if not (number.isascii() and number.isdigit()) or int(number) > LARGEST:
        raise ValueError(f"{text!r} is not <log>.<position> with a position of 0 or more")
    return log, int(number)
