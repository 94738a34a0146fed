"""Every failure answers with the contract's envelope: {error, message, trace_id, details}."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import psycopg
import redis
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import position_tokens
from api.schemas.examples import CUP_ID, ORDER_ID, with_examples
from write_model.errors import (
    ConflictError,
    DependencyFailedError,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
    RuleViolationError,
    UnauthenticatedError,
)

log = logging.getLogger(__name__)

STATUS_BY_FAMILY: list[tuple[type[DomainError], int]] = [
    (UnauthenticatedError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (RuleViolationError, 400),
    (DependencyFailedError, 502),
]
CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


class ErrorBody(BaseModel):
    """The one shape of every error answer, whatever went wrong."""

    model_config = with_examples(
        {
            "error": "insufficient_stock",
            "message": "The store does not have enough stock for these items.",
            "trace_id": "5f0c1e2a9b7d4c3e",
            "details": {
                "order_id": ORDER_ID,
                "shortfalls": [{"product_id": CUP_ID, "requested": 4, "available": 2}],
            },
        }
    )

    error: str = Field(description="A stable snake_case code to branch on.")
    message: str = Field(description="A sentence for a person.")
    trace_id: str = Field(description="This request's id (its X-Request-ID), as in our logs.")
    details: Any = Field(description="More about the failure, per code; null if nothing.")


class ApiError(Exception):
    """Raised by the API layer itself (tokens, lagging read models) with its own status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = details, headers


def error_response(request: Request, error: ApiError) -> JSONResponse:
    """The envelope of `error`, whatever raised it, with this request's trace id."""
    body = {
        "error": error.code,
        "message": error.message,
        "trace_id": getattr(request.state, "trace_id", ""),
        "details": error.details,
    }
    headers = error.headers
    if error.status == 401:
        headers = {"WWW-Authenticate": "Bearer", **(headers or {})}
    return JSONResponse(body, status_code=error.status, headers=headers)


def install(app: FastAPI) -> None:
    """Register one handler per kind of failure."""

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        status = next(code for family, code in STATUS_BY_FAMILY if isinstance(exc, family))
        at = exc.position
        headers = None if at is None else position_tokens.event_position(exc.log, at)
        refusal = ApiError(status, exc.code, exc.message, exc.details, headers)
        return error_response(request, refusal)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [_problem(error) for error in exc.errors()]
        message = "; ".join(f"{d['field']}: {d['problem']}" for d in details) or "Invalid input."
        return error_response(request, ApiError(400, "validation_error", message, details))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = CODE_BY_STATUS.get(exc.status_code, "http_error")
        problem = ApiError(exc.status_code, code, str(exc.detail), None, exc.headers)
        return error_response(request, problem)

    @app.exception_handler(psycopg.OperationalError)
    async def database_down(request: Request, exc: psycopg.OperationalError) -> JSONResponse:
        log.error("database unavailable: %s", exc)
        down = ApiError(503, "database_unavailable", "The database is unavailable.")
        return error_response(request, down)

    @app.exception_handler(redis.RedisError)
    async def redis_down(request: Request, exc: redis.RedisError) -> JSONResponse:
        log.error("redis unavailable: %s", exc)
        down = ApiError(503, "cache_unavailable", "The cache is unavailable.")
        return error_response(request, down)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        ours = ApiError(500, "internal_error", "Something went wrong on our side.")
        return error_response(request, ours)


def _problem(error: Any) -> dict[str, str]:
    if error.get("type") == "json_invalid":
        return {"field": "body", "problem": "the body is not valid JSON"}
    location = [str(part) for part in error.get("loc", ()) if part != "body"]
    return {"field": ".".join(location) or "body", "problem": str(error.get("msg", "invalid"))}
