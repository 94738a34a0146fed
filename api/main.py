"""create_app(services): routers, middleware (trace id, trailing slash) and error handlers."""

from __future__ import annotations

import contextvars
import logging
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api import errors
from api.dependencies import Services
from api.routes import auth, catalogue, operations, orders, stores

trace_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("trace_id", default="-")


class TraceIdFilter(logging.Filter):
    """Puts the current request's trace id on every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.trace_id = trace_id_var.get()
        return True


class TrailingSlash:
    """Paths answer with and without a trailing slash, without a redirect."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and len(path) > 1 and path.endswith("/"):
            scope = {**scope, "path": path.rstrip("/") or "/"}
        await self.app(scope, receive, send)


def create_app(services: Services) -> FastAPI:
    app = FastAPI(
        title="Bazaar",
        description="Orders and inventory for a marketplace of local shops.",
        version="1.0",
        redirect_slashes=False,
    )
    app.state.services = services
    errors.install(app)
    for module in (auth, stores, catalogue, orders, operations):
        app.include_router(module.router)

    @app.middleware("http")
    async def trace_id(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        value = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        request.state.trace_id = value
        token = trace_id_var.set(value)
        try:
            response = await call_next(request)
        finally:
            trace_id_var.reset(token)
        response.headers["X-Request-ID"] = value
        return response

    app.add_middleware(TrailingSlash)
    return app
