"""How every `bazaar` process logs: text for people, or JSON lines for a log pipeline."""

from __future__ import annotations

import logging

from pythonjsonlogger.json import JsonFormatter

from api.main import TraceIdFilter


def configure_logging(level: str, form: str = "text") -> None:
    """Text lines for people (the default), or one JSON object per line for a log pipeline:
    time, level, logger, message, trace id, and whatever a line adds (an access line: method,
    route, path, status, duration_ms)."""
    handler = logging.StreamHandler()
    handler.addFilter(TraceIdFilter())
    if form == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(trace_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(trace_id)s] %(name)s: %(message)s")
        )
    logging.basicConfig(level=level, handlers=[handler], force=True)
