"""A card provider to develop and test against: the real contract over HTTP, faults on demand.

`POST /api/v2/card/` {user_id, color} answers 201 {id, color, status: "ORDERED",
expiration_date, last4}, the expiry an ISO 8601 timestamp with an offset, as the real
provider sends it; the same Idempotency-Key gets the same card back. Every user is
registered except those named by `POST /_control/unknown`. Under `/_control`, for the next
calls of one user (or, without `user_id`, of everyone): `fail` {count, status} answers 5xx
without making a card, `latency` {seconds} delays each answer, `hold` makes the card and
keeps the answer until `release`, `expiry` {shape} makes cards whose expiry is `naive`
(no offset), a plain `date`, `past` or `garbage` (or `offset` again), and `garble` makes
the card but answers a body that is not JSON. `GET /_control/calls` and `/_control/cards`
(`?user_id=`) show what was asked and made; `reset` forgets everything.
"""

from __future__ import annotations

import json
import secrets
import sys
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CARD_PATH = "/api/v2/card/"
HOLD_LIMIT_S = 120.0
EVERYONE = "*"


@dataclass
class Faults:
    failures: int = 0
    status: int = 503
    latency_s: float = 0.0
    held: threading.Event | None = None
    """Set while answers are held: they wait for it to be set."""
    expiry: str = "offset"
    """How new cards' expiration_date is written: a key of EXPIRIES."""
    garbled: bool = False


@dataclass
class ProviderState:
    """What the fake has been asked and has made; one lock guards it all."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    cards: list[dict[str, Any]] = field(default_factory=list)
    by_key: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[dict[str, Any]] = field(default_factory=list)
    unknown: set[str] = field(default_factory=set)
    faults: dict[str, Faults] = field(default_factory=dict)

    def card_for(self, call: dict[str, Any], expiry: str) -> dict[str, Any]:
        """The card of this idempotency key, made on first sight (or every time, without a key)."""
        with self.lock:
            key = call["idempotency_key"]
            if key and key in self.by_key:
                return self.by_key[key]
            card = {
                "id": f"card_{uuid.uuid4().hex}",
                "user_id": call["user_id"],
                "color": call["color"],
                "status": "ORDERED",
                "last4": f"{secrets.randbelow(10_000):04d}",
                "expiration_date": EXPIRIES[expiry](datetime.now(UTC)),
            }
            self.cards.append(card)
            if key:
                self.by_key[key] = card
            return card

    def fault_for(self, user_id: str) -> Faults:
        with self.lock:
            return self.faults.get(user_id) or self.faults.get(EVERYONE) or Faults()

    def take_failure(self, faults: Faults) -> int | None:
        with self.lock:
            if faults.failures <= 0:
                return None
            faults.failures -= 1
            return faults.status

    def control(self, action: str, body: dict[str, Any]) -> None:
        """Apply one `/_control/<action>`; KeyError for an unknown action or a missing field."""
        with self.lock:
            CONTROLS[action](self, body)


def _faults(state: ProviderState, body: dict[str, Any]) -> Faults:
    return state.faults.setdefault(str(body.get("user_id") or EVERYONE), Faults())


def _fail(state: ProviderState, body: dict[str, Any]) -> None:
    faults = _faults(state, body)
    faults.failures, faults.status = int(body["count"]), int(body.get("status", 503))


def _latency(state: ProviderState, body: dict[str, Any]) -> None:
    _faults(state, body).latency_s = float(body["seconds"])


def _hold(state: ProviderState, body: dict[str, Any]) -> None:
    _faults(state, body).held = threading.Event()


def _release(state: ProviderState, body: dict[str, Any]) -> None:
    for faults in state.faults.values():
        if faults.held is not None:
            faults.held.set()
            faults.held = None


def _expiry(state: ProviderState, body: dict[str, Any]) -> None:
    if body["shape"] not in EXPIRIES:
        raise ValueError(f"expiry shapes are {', '.join(EXPIRIES)}")
    _faults(state, body).expiry = body["shape"]


def _garble(state: ProviderState, body: dict[str, Any]) -> None:
    _faults(state, body).garbled = True


def _unknown(state: ProviderState, body: dict[str, Any]) -> None:
    state.unknown.add(str(body["user_id"]))


def _reset(state: ProviderState, body: dict[str, Any]) -> None:
    _release(state, body)
    for collection in (state.cards, state.by_key, state.calls, state.unknown, state.faults):
        collection.clear()


CONTROLS: dict[str, Callable[[ProviderState, dict[str, Any]], None]] = {
    "fail": _fail,
    "latency": _latency,
    "hold": _hold,
    "release": _release,
    "expiry": _expiry,
    "garble": _garble,
    "unknown": _unknown,
    "reset": _reset,
}


class FakeProviderServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, Handler)
        self.state = ProviderState()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A caller that stopped waiting (its timeout, a killed process) is no error here."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class Handler(BaseHTTPRequestHandler):
    server: FakeProviderServer

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        user = parse_qs(parts.query).get("user_id", [None])[0]
        state = self.server.state
        listing = {"/_control/calls": state.calls, "/_control/cards": state.cards}.get(parts.path)
        if listing is None:
            self._answer(404, {"detail": "not found"})
            return
        with state.lock:
            rows = [row for row in listing if user is None or row["user_id"] == user]
        self._answer(200, rows)

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        body = self._body()
        if path.rstrip("/") == CARD_PATH.rstrip("/"):
            self._request_card(body)
            return
        try:
            self.server.state.control(path.removeprefix("/_control/"), body)
        except (KeyError, ValueError) as exc:
            self._answer(400, {"detail": f"bad control request: {exc!r}"})
            return
        self._answer(200, {"ok": True})

    def _request_card(self, body: dict[str, Any]) -> None:
        state = self.server.state
        user_id, color = str(body.get("user_id", "")), body.get("color")
        if not user_id or not isinstance(color, str):
            self._answer(400, {"detail": "user_id and color are required"})
            return
        call = {"user_id": user_id, "color": color, "idempotency_key": self._key()}
        with state.lock:
            state.calls.append(call)
        faults = state.fault_for(user_id)
        time.sleep(faults.latency_s)
        if (status := state.take_failure(faults)) is not None:
            self._answer(status, {"detail": "injected failure"})
        elif user_id in state.unknown:
            self._answer(400, {"detail": "user not registered"})
        else:
            card = state.card_for(call, faults.expiry)
            if faults.held is not None:
                faults.held.wait(HOLD_LIMIT_S)
            answer = {k: v for k, v in card.items() if k != "user_id"}
            self._answer(201, GARBLED if faults.garbled else answer)

    def _key(self) -> str | None:
        return self.headers.get("Idempotency-Key")

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            parsed = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}

    def _answer(self, status: int, body: Any) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and `bazaar up` read the call log instead."""


def start(host: str = "127.0.0.1", port: int = 0) -> FakeProviderServer:
    """The fake serving in a daemon thread (port 0: any free one); `shutdown()` stops it."""
    server = FakeProviderServer((host, port))
    threading.Thread(target=server.serve_forever, name="fake-card-provider", daemon=True).start()
    return server


def serve(host: str, port: int) -> None:
    """`bazaar fake-provider`: serve in the foreground until Ctrl-C."""
    server = FakeProviderServer((host, port))
    print(f"Fake card provider on {server.url} (controls under /_control)", flush=True)
    with suppress(KeyboardInterrupt):
        server.serve_forever()


def _in_three_years(now: datetime) -> datetime:
    return now + timedelta(days=3 * 365)


EXPIRIES: dict[str, Callable[[datetime], str]] = {
    "offset": lambda now: _in_three_years(now).isoformat(),
    "naive": lambda now: _in_three_years(now).replace(tzinfo=None).isoformat(),
    "date": lambda now: _in_three_years(now).date().isoformat(),
    "past": lambda now: (now - timedelta(days=1)).isoformat(),
    "garbage": lambda now: "soon-ish",
}
"""The ways of writing a new card's expiration_date, by shape name (the real one: offset)."""
GARBLED = b"<html><body>card ordered</body></html>"
