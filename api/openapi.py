"""The OpenAPI document as the service really answers: our error envelope, statuses, headers.

FastAPI documents a 422 we never send and nothing of what we do send. Rather than repeat
`responses=` on every route, the document is post-processed once, here, from each route's
dependencies (a signed-in caller can get 401, an admin-only route 403, a path id 404, ...)
and a short table of the outcomes each use case adds on top.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, get_args

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel

from api.dependencies import admin_actor, current_actor
from api.errors import ErrorBody

Operation = dict[str, Any]
ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
TEXT = {"type": "string"}

ERRORS: dict[int, tuple[str, str, str, str]] = {
    400: (
        "BadRequest",
        "Bad input or a broken business rule.",
        "validation_error",
        "page: Input should be less than or equal to 1000000",
    ),
    401: (
        "Unauthenticated",
        "No token, a bad or expired one, or wrong credentials.",
        "unauthenticated",
        "Sign in first: no bearer token was sent.",
    ),
    403: (
        "Forbidden",
        "Signed in, but this role or this store's owner only.",
        "forbidden",
        "Only the store's owner or an admin may do this.",
    ),
    404: (
        "NotFound",
        "Missing, or not yours (existence is never leaked).",
        "not_found",
        "Store 6a1f0c52-3d8e-4e0b-9c64-1a2b3c4d5e6f does not exist.",
    ),
    409: (
        "Conflict",
        "The resource's state does not allow this now.",
        "illegal_transition",
        "An order that is shipped may become: delivered.",
    ),
    429: (
        "RateLimited",
        "Too many requests from this client; retry after Retry-After.",
        "rate_limited",
        "Too many requests; retry in 42 s.",
    ),
    503: (
        "Unavailable",
        "A dependency is down, or the read models lag behind X-Min-Position.",
        "read_model_lagging",
        "The read models have not reached position 42 yet; retry.",
    ),
}
ERROR_HEADERS = {
    401: {
        "WWW-Authenticate": ("The scheme to use: `Bearer`.", {"type": "string", "const": "Bearer"})
    },
    429: {"Retry-After": ("Seconds to wait before retrying.", {"type": "integer"})},
    503: {"Retry-After": ("Seconds to wait, when retrying soon may help.", {"type": "integer"})},
}
OUTCOMES: dict[str, set[int]] = {
    "login": {401},
    "oauth_token": {401},
    "refresh": {401},
    "create_store": {409},
    "list_product": {403, 404, 409},
    "replace_product": {403, 409},
    "patch_product": {403, 409},
    "delist_product": {403, 409},
    "set_flash_sale": {403, 409},
    "cancel_flash_sale": {403, 409},
    "adjust_stock": {403, 409},
    "place_order": {404, 409},
    "reserve": {404, 409},
    "release": {409},
    "reservation_days": {403, 404},
    "request_return": {403, 409},
    "settle_return": {403, 409},
    "store_returns": {403},
    "change_status": {403, 409},
    "schedule_delivery": {403, 409},
    "request_card": {409},
    "store_orders": {403},
    "store_alerts": {403},
    "dashboard": {403},
    "sales": {403, 404},
    "top_products": {403, 404},
    "lost_demand": {403, 404},
    "stock_turnover": {403, 404},
}
NO_DATABASE = {"health"}
UNPOSITIONED_COMMANDS = {"login", "oauth_token", "refresh", "retry_saga"}
HEADER_HELP = {
    "x-min-position": "An `X-Event-Position` from any command: answer only once the read "
    "models this query reads have reached it (else 503 `read_model_lagging`); a position "
    "its log never reached is 400 `position_unknown`.",
    "idempotency-key": "Repeat a request with the same key to get the first answer again "
    "instead of doing it twice.",
}
REQUEST_ID = {
    "name": "X-Request-ID",
    "in": "header",
    "required": False,
    "description": "Your trace id for this request (1 to 64 characters; otherwise a new one "
    "is made). Echoed in the `X-Request-ID` answer header and in error bodies' `trace_id`.",
    "schema": TEXT,
}
EVENT_POSITION = {
    "description": "Where this command left the event log; send it as `X-Min-Position` to "
    "read your own write.",
    "schema": TEXT,
}
ECHOED_REQUEST_ID = {"description": "This request's trace id.", "schema": TEXT}
LOCATION = {"description": "Where what was created is read (GET).", "schema": TEXT}
PDF: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The PDF document.",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}
"""A route's PDF answer: its bytes, so that a generated client reads them as a file."""
OAUTH_FORM = {"grant_type": "password", "username": "tom.becker", "password": "glazed-and-fired-1"}
"""The example of FastAPI's own model of the OAuth2 password form, which we cannot configure."""


def install(app: FastAPI, routers: Iterable[APIRouter]) -> None:
    """Serve the post-processed document at /openapi.json (built once, on first request)."""
    routes = {
        route.name: route
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and route.include_in_schema
    }

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=TAGS,
                servers=[{"url": "/", "description": "This server"}],
            )
            app.openapi_schema = truthful(schema, routes, examples_by_title(routes.values()))
        return app.openapi_schema

    # FastAPI documents this override; typed code reaches the method by name.
    setattr(app, "openapi", openapi)  # noqa: B010


TAGS = [
    {
        "name": "auth",
        "description": "Register, sign in (bearer tokens; `Authorize` in /docs), refresh.",
    },
    {"name": "stores", "description": "Stores, their stock, orders, alerts and returns."},
    {"name": "catalogue", "description": "Products, flash sales, availability across stores."},
    {"name": "search", "description": "Full-text product search and title suggestions."},
    {"name": "orders", "description": "Place, follow, cancel orders; history, as-of, invoices."},
    {"name": "reservations", "description": "Hold stock for a checkout, then order it."},
    {"name": "returns", "description": "Send back what was delivered; refunds, credit notes."},
    {"name": "cards", "description": "Debit cards from the card provider."},
    {"name": "analytics", "description": "Sales, top products, lost demand, holds: for owners."},
    {"name": "admin", "description": "Side effects that gave up, and retrying them."},
    {"name": "operations", "description": "Health, readiness and public settings."},
]
"""Each group of operations, for the people who read the document."""


def truthful(
    schema: dict[str, Any], routes: dict[str, APIRoute], examples: dict[str, list[Any]]
) -> dict[str, Any]:
    """The generated document, with our errors, statuses, headers and examples in place of
    FastAPI's."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for model in schemas.values():
        if model.get("title") in examples:
            model["examples"] = examples[model["title"]]
    for generated in ("HTTPValidationError", "ValidationError"):
        schemas.pop(generated, None)
    schemas["ErrorBody"] = ErrorBody.model_json_schema()
    schemas["Body_oauth_token"]["examples"] = [OAUTH_FORM]
    components["responses"] = {name: error_response(code) for code, (name, *_) in ERRORS.items()}
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            describe(routes[operation["operationId"]], operation)
    return schema


def examples_by_title(routes: Iterable[APIRoute]) -> dict[str, list[Any]]:
    """Each model's examples as written, nulls included: FastAPI renders the document without
    any null, and so an example of a field that is required but nullable (`"last4": null`)
    would not be valid for its own schema."""
    found = {
        model
        for route in routes
        for field in (route.body_field, route.response_field)
        if field is not None
        for model in models_in(field.field_info.annotation)
    }
    schemas = [model.model_json_schema() for model in found]
    return {schema["title"]: schema["examples"] for schema in schemas if "examples" in schema}


def models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The models an annotation names, and the models inside them, however deep."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        for field in annotation.model_fields.values():
            yield from models_in(field.annotation)
    for argument in get_args(annotation):
        yield from models_in(argument)


def describe(route: APIRoute, operation: Operation) -> None:
    responses: dict[str, Any] = operation["responses"]
    responses.pop("422", None)
    for answer in responses.values():
        answer.setdefault("headers", {})["X-Request-ID"] = ECHOED_REQUEST_ID
        if route.name not in UNPOSITIONED_COMMANDS and route.methods != {"GET"}:
            answer["headers"]["X-Event-Position"] = EVENT_POSITION
    if "201" in responses:
        responses["201"]["headers"]["Location"] = LOCATION
    for status in sorted(statuses(route, operation)):
        responses[str(status)] = {"$ref": f"#/components/responses/{ERRORS[status][0]}"}
    parameters = operation.setdefault("parameters", [])
    for parameter in parameters:
        if parameter["in"] == "header" and parameter["name"] in HEADER_HELP:
            parameter.setdefault("description", HEADER_HELP[parameter["name"]])
    parameters.append(REQUEST_ID)


def statuses(route: APIRoute, operation: Operation) -> set[int]:
    """The error statuses this operation can answer with, from what it depends on."""
    calls = set(dependency_calls(route.dependant))
    found = set(OUTCOMES.get(route.name, set()))
    if operation.get("parameters") or "requestBody" in operation:
        found.add(400)
    if current_actor in calls:
        found.add(401)
    if admin_actor in calls:
        found.add(403)
    if route.param_convertors or route.dependant.path_params:
        found.add(404)
    if any(getattr(call, "__qualname__", "").startswith("rate_limited.") for call in calls):
        found.add(429)
    if route.name not in NO_DATABASE:
        found.add(503)
    return found


def dependency_calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from dependency_calls(sub)


def error_response(status: int) -> dict[str, Any]:
    _, description, code, message = ERRORS[status]
    example = {"error": code, "message": message, "trace_id": "5f0c1e2a9b7d4c3e", "details": None}
    answer: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": ERROR_REF, "example": example}},
        "headers": {"X-Request-ID": ECHOED_REQUEST_ID},
    }
    for name, (help_text, header_schema) in ERROR_HEADERS.get(status, {}).items():
        answer["headers"][name] = {"description": help_text, "schema": header_schema}
    if status == 401:
        answer["headers"]["WWW-Authenticate"]["required"] = True
    return answer
