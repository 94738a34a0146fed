"""Query parameters out of range or carrying control characters are a 400, never a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.http_driver import assert_error

pytestmark = pytest.mark.integration
PAGED = ["/api/products", "/api/search/products", "/api/stores"]
BEYOND_INT64_OFFSET = 461168601842738792


class TestPaging:
    @pytest.mark.parametrize("path", PAGED)
    def test_a_page_whose_offset_overflows_is_a_validation_error(
        self, client: httpx.Client, path: str
    ) -> None:
        response = client.get(path, params={"page": BEYOND_INT64_OFFSET})

        assert_error(response, 400, "validation_error")

    @pytest.mark.parametrize("path", PAGED)
    def test_page_two_to_the_63rd_is_a_validation_error(
        self, client: httpx.Client, path: str
    ) -> None:
        response = client.get(path, params={"page": 2**63})

        assert_error(response, 400, "validation_error")

    def test_the_last_allowed_page_answers_empty(self, client: httpx.Client) -> None:
        response = client.get("/api/products", params={"page": 10**6, "page_size": 100})

        assert response.status_code == 200, response.text
        assert response.json()["results"] == []

    @pytest.mark.parametrize("page_size", [0, 101])
    def test_a_page_size_outside_1_to_100_is_a_validation_error(
        self, client: httpx.Client, page_size: int
    ) -> None:
        response = client.get("/api/products", params={"page_size": page_size})

        assert_error(response, 400, "validation_error")


class TestControlCharacters:
    @pytest.mark.parametrize(
        ("path", "query"),
        [
            ("/api/search/products", "q=ab%00cd"),
            ("/api/search/products", "category=%00"),
            ("/api/products", "category=%00"),
            ("/api/stores", "city=%00"),
            ("/api/search/suggest", "q=mug%1F"),
        ],
    )
    def test_a_query_value_with_a_control_character_is_a_validation_error(
        self, client: httpx.Client, path: str, query: str
    ) -> None:
        response = client.get(f"{path}?{query}")

        assert_error(response, 400, "validation_error")
