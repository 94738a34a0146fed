"""Real servers standing in for third parties: an SMTP sink and a shipping partner's webhook."""

from __future__ import annotations

import email
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.stacks import free_port


class SmtpSink:
    """Accepts every message over real SMTP and keeps it; with a `login` (user, password),
    only from a client that signed in with it."""

    def __init__(self, port: int | None = None, login: tuple[str, str] | None = None) -> None:
        self.messages: list[Message] = []
        self.arrivals: list[float] = []
        """When each message arrived (time.time()), in the order of `messages`."""
        self.port = port or free_port()
        self.login = login
        self.controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self.authenticate,
            auth_required=login is not None,
            auth_require_tls=False,
        )

    @property
    def url(self) -> str:
        """The server's URL, its login in it (percent-encoded) when it asks for one."""
        user, password = (quote(part, safe="") for part in self.login or ("", ""))
        credentials = f"{user}:{password}@" if self.login else ""
        return f"smtp://{credentials}127.0.0.1:{self.port}"

    def authenticate(self, *args: Any) -> AuthResult:
        """aiosmtpd's authenticator: (server, session, envelope, mechanism, LoginPassword)."""
        given = args[-1]
        signed_in = isinstance(given, LoginPassword) and self.login == (
            given.login.decode(),
            given.password.decode(),
        )
        return AuthResult(success=signed_in)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content or b""))
        self.arrivals.append(time.time())
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [message for message in self.messages if message["To"] == address]

    def about(self, text: str) -> list[Message]:
        """Messages whose body mentions `text` (an order id, a product title)."""
        return [m for m in self.messages if text in m.get_payload(decode=True).decode()]


@contextmanager
def an_smtp_sink(
    port: int | None = None, login: tuple[str, str] | None = None
) -> Iterator[SmtpSink]:
    sink = SmtpSink(port, login)
    sink.controller.start()
    try:
        yield sink
    finally:
        sink.controller.stop()


@dataclass
class Webhook:
    """A shipping partner: records every call; answers 500 to orders told to fail."""

    port: int = field(default_factory=free_port)
    calls: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    """Order id -> how many more calls about it fail (-1: all of them)."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/shipments"

    def fail(self, order_id: str, times: int = -1) -> None:
        with self.lock:
            self.failures[order_id] = times

    def calls_about(self, order_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [call for call in self.calls if call["body"].get("order_id") == order_id]

    def answer(self, body: dict[str, Any], key: str | None) -> int:
        with self.lock:
            self.calls.append({"body": body, "idempotency_key": key, "at": time.time()})
            left = self.failures.get(body.get("order_id", ""), 0)
            if left == 0:
                return 204
            if left > 0:
                self.failures[body["order_id"]] = left - 1
            return 500


@contextmanager
def a_webhook() -> Iterator[Webhook]:
    hook = Webhook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            self.send_response(hook.answer(body, self.headers.get("Idempotency-Key")))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads the calls, not a log."""

    server = ThreadingHTTPServer(("127.0.0.1", hook.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
