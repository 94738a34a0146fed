"""Answers beyond a route's JSON model: a PDF shown inline, and X-Cache saying whether
Redis answered a read or SQL did."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Response

from api.errors import ApiError

T = TypeVar("T")


def pdf_answer(pdf: bytes | None, filename: str, not_ready: tuple[str, str]) -> Response:
    """The document shown in the browser, or 404 with `not_ready`'s code and message."""
    if pdf is None:
        raise ApiError(404, *not_ready)
    headers = {"Content-Disposition": f'inline; filename="{filename}"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


def cache_said(response: Response, hit: bool) -> None:
    """X-Cache: HIT when Redis answered, MISS when SQL did."""
    response.headers["X-Cache"] = "HIT" if hit else "MISS"


def cached_or(response: Response, cached: T | None, query: Callable[[], T]) -> T:
    """The cache's answer if it had one, else the query's; X-Cache says which."""
    cache_said(response, cached is not None)
    return cached if cached is not None else query()
