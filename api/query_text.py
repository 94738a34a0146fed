"""Query strings carrying control characters are refused (400), before any route runs.

Postgres text cannot hold NUL, so a `?q=ab%00cd` reaching a query was a 500; other control
characters in a query value are never meaningful either.
"""

from __future__ import annotations

import re

from fastapi import Request

from api.errors import ApiError

CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def refuse_control_characters_in_query(request: Request) -> None:
    """An app-wide dependency: any query value with a control character is a 400."""
    for name, value in request.query_params.multi_items():
        if CONTROL.search(name) or CONTROL.search(value):
            raise ApiError(
                400,
                "validation_error",
                f"{name}: control characters (such as NUL) are not allowed.",
                details=[{"field": name, "problem": "contains a control character"}],
            )
