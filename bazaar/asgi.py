"""ASGI factory (`uvicorn --factory bazaar.asgi:create`): one built system per worker process."""

from __future__ import annotations

from fastapi import FastAPI

from api.main import create_app
from bazaar.logs import configure_logging
from bazaar.settings import load_settings
from bazaar.wiring import build


def create() -> FastAPI:
    """Build from the settings `bazaar api` read (the environment, `.env`, a running dev
    stack's file); each uvicorn worker calls this once."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    container = build(settings)
    app = create_app(container.api_services())
    app.router.add_event_handler("shutdown", container.close)
    return app
