"""The API's own documentation: what /openapi.json says, and /docs and /redoc offline."""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import jsonschema_rs
import pytest
from pydantic import BaseModel

import api.schemas
from api.errors import ErrorBody
from api.schemas.common import Request
from tests.http_driver import after, assert_error, register

pytestmark = pytest.mark.e2e
ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


@pytest.fixture(scope="module")
def document(server: str) -> dict[str, Any]:
    response = httpx.get(f"{server}/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every operation by its operationId."""
    return {
        operation["operationId"]: operation
        for path_item in document["paths"].values()
        for operation in path_item.values()
    }


def parameter(operation: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in operation["parameters"] if p["name"].lower() == name.lower())


def our_models() -> list[type[BaseModel]]:
    """Every request and answer model we write (not bases without fields, nor generic ones:
    the document has those as parametrized)."""
    modules = [
        importlib.import_module(f"{api.schemas.__name__}.{found.name}")
        for found in pkgutil.iter_modules(api.schemas.__path__)
    ]
    return [ErrorBody] + [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, BaseModel)
        and value.__module__ == module.__name__
        and value.model_fields
        and not value.__pydantic_generic_metadata__["parameters"]
    ]


ANSWERS = [model for model in our_models() if not issubclass(model, Request)]


class TestErrors:
    def test_no_operation_documents_a_422(self, document: dict[str, Any]) -> None:
        documented = {name for name, op in operations(document).items() if "422" in op["responses"]}

        assert documented == set()

    def test_a_bad_input_is_documented_as_a_400_error_body(self, document: dict[str, Any]) -> None:
        answer = operations(document)["place_order"]["responses"]["400"]

        shared = document["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
        schema = shared["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorBody"}
        assert set(document["components"]["schemas"]["ErrorBody"]["required"]) == {
            "error",
            "message",
            "trace_id",
            "details",
        }

    def test_a_signed_in_operation_documents_401_with_its_bearer_challenge(
        self, document: dict[str, Any]
    ) -> None:
        answer = operations(document)["my_orders"]["responses"]["401"]

        shared = document["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
        assert shared["headers"]["WWW-Authenticate"]["required"] is True

    def test_a_401_answer_carries_www_authenticate_bearer(self, client: httpx.Client) -> None:
        response = client.get("/api/orders")

        assert_error(response, 401)
        assert response.headers["WWW-Authenticate"] == "Bearer"

    def test_the_rate_limited_suggest_documents_429(self, document: dict[str, Any]) -> None:
        assert "429" in operations(document)["suggest"]["responses"]

    def test_an_admin_only_operation_documents_403(self, document: dict[str, Any]) -> None:
        assert "403" in operations(document)["all_orders"]["responses"]


class TestOperations:
    def test_operation_ids_are_the_route_function_names(self, document: dict[str, Any]) -> None:
        ids = set(operations(document))

        assert {"place_order", "list_products", "search_products", "ready"} <= ids
        assert not [name for name in ids if "_api_" in name]

    def test_every_creation_documents_its_location(self, document: dict[str, Any]) -> None:
        created = {
            name: op for name, op in operations(document).items() if "201" in op["responses"]
        }

        assert len(created) >= 8
        assert [
            n for n, op in created.items() if "Location" not in op["responses"]["201"]["headers"]
        ] == []

    def test_a_created_resource_is_read_where_its_location_says(self, client: httpx.Client) -> None:
        owner = register(client, "artisan")
        store = client.post(
            "/api/stores",
            json={"name": "Loc", "city": "Lisbon", "lat": 38.7, "lng": -9.1},
            headers=owner.auth,
        )
        product = client.post(
            "/api/products",
            json={"store_id": store.json()["id"], "title": "Jar", "price": "4.00", "category": "c"},
            headers=owner.auth,
        )

        for created in (store, product):
            assert created.status_code == 201, created.text
            read = client.get(created.headers["Location"], headers=after(created))
            assert read.status_code == 200 and read.json()["id"] == created.json()["id"]

    def test_every_tag_is_described(self, document: dict[str, Any]) -> None:
        used = {tag for op in operations(document).values() for tag in op.get("tags", [])}
        described = {tag["name"]: tag["description"] for tag in document["tags"]}

        assert used <= set(described)

    def test_the_server_is_named(self, document: dict[str, Any]) -> None:
        assert document["servers"] == [{"url": "/", "description": "This server"}]

    def test_paging_shows_its_bounds(self, document: dict[str, Any]) -> None:
        listing = operations(document)["list_products"]

        page, size = parameter(listing, "page")["schema"], parameter(listing, "page_size")["schema"]
        assert (page["minimum"], page["maximum"]) == (1, 10**6)
        assert (size["minimum"], size["maximum"]) == (1, 100)

    @pytest.mark.parametrize("operation_id", ["get_invoice", "get_credit_note"])
    def test_a_pdf_is_documented_as_its_bytes(
        self, document: dict[str, Any], operation_id: str
    ) -> None:
        answer = operations(document)[operation_id]["responses"]["200"]

        pdf = {"schema": {"type": "string", "format": "binary"}}
        assert answer["content"] == {"application/pdf": pdf}

    def test_a_command_documents_its_event_position_header(self, document: dict[str, Any]) -> None:
        created = operations(document)["place_order"]["responses"]["201"]

        assert "X-Event-Position" in created["headers"]

    @pytest.mark.parametrize(
        ("operation_id", "header"),
        [
            ("place_order", "Idempotency-Key"),
            ("list_products", "X-Min-Position"),
            ("health", "X-Request-ID"),
        ],
    )
    def test_request_headers_are_documented(
        self, document: dict[str, Any], operation_id: str, header: str
    ) -> None:
        documented = parameter(operations(document)[operation_id], header)

        assert documented["in"] == "header"
        assert documented["description"]


class TestExamples:
    def test_every_schema_shows_an_example(self, document: dict[str, Any]) -> None:
        schemas = document["components"]["schemas"]

        assert [name for name, schema in schemas.items() if not schema.get("examples")] == []

    def test_each_example_is_valid_for_its_schema_in_the_document(
        self, document: dict[str, Any]
    ) -> None:
        components = document["components"]

        invalid = {
            f"{name} #{number}": error.message
            for name, schema in components["schemas"].items()
            for number, example in enumerate(schema.get("examples", []))
            for error in jsonschema_rs.validator_for(
                {"$ref": f"#/components/schemas/{name}", "components": components},
                validate_formats=True,
            ).iter_errors(example)
        }

        assert invalid == {}

    @pytest.mark.parametrize("model", our_models(), ids=lambda model: model.__name__)
    def test_each_example_is_accepted_by_its_model(self, model: type[BaseModel]) -> None:
        examples = model.model_json_schema().get("examples", [])

        accepted = [model.model_validate(example) for example in examples]

        assert len(accepted) == len(examples) > 0

    @pytest.mark.parametrize("model", ANSWERS, ids=lambda model: model.__name__)
    def test_each_answer_example_is_what_the_api_would_send(self, model: type[BaseModel]) -> None:
        examples = model.model_json_schema()["examples"]

        sent = [model.model_validate(example).model_dump(mode="json") for example in examples]

        assert sent == examples


class TestOfflineDocs:
    @pytest.mark.parametrize("page", ["/docs", "/redoc"])
    def test_the_page_loads_only_same_origin_assets(self, server: str, page: str) -> None:
        html = httpx.get(f"{server}{page}").text

        assets = [urljoin(f"{server}{page}", url) for url in ASSET.findall(html)]

        assert assets
        assert {urlsplit(url).netloc for url in assets} == {urlsplit(server).netloc}

    @pytest.mark.parametrize("page", ["/docs", "/redoc"])
    def test_its_assets_are_served(self, server: str, page: str) -> None:
        html = httpx.get(f"{server}{page}").text

        answers = [httpx.get(urljoin(server, url)) for url in ASSET.findall(html)]

        assert [answer.status_code for answer in answers] == [200] * len(answers)
        types = {answer.headers["content-type"].split(";")[0] for answer in answers}
        assert types & {"text/javascript", "application/javascript"}
        assert page == "/redoc" or "text/css" in types
