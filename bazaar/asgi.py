"""ASGI factory (`uvicorn --factory bazaar.asgi:create`): one built system per worker process."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from api.main import create_app
from bazaar.devstack import dev_jwt_secret
from bazaar.logs import configure_logging
from bazaar.settings import load_settings
from bazaar.wiring import build


def create() -> FastAPI:
    """Build from the settings `bazaar api` read (the environment, `.env`, a running dev
    stack's file); each uvicorn worker calls this once."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    secret = settings.jwt_secret or dev_jwt_secret(Path(settings.bazaar_data_dir))
    container = build(settings)
    app = create_app(container.api_services(secret))
    app.router.add_event_handler("shutdown", container.close)
    return app
