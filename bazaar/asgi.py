"""ASGI factory (`uvicorn --factory bazaar.asgi:create`): one built system per worker process."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from api.main import create_app
from bazaar.devstack import dev_jwt_secret
from bazaar.logs import configure_logging
from bazaar.settings import Settings
from bazaar.wiring import build


def create() -> FastAPI:
    """Build from the environment; each uvicorn worker calls this once."""
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    secret = settings.jwt_secret or dev_jwt_secret(Path(settings.bazaar_data_dir))
    container = build(settings)
    app = create_app(container.api_services(secret))
    app.router.add_event_handler("shutdown", container.close)
    return app
