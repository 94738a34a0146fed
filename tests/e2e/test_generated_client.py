"""A client generated from the live document works against the service: it signs a customer up,
places an order and reads a refused one as the documented error body.

The generator is openapi-python-client, run once per module on what /openapi.json serves.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.http_driver import a_product, a_store, receive, register

pytestmark = pytest.mark.e2e
PACKAGE = "bazaar_generated_client"
GENERATOR_CONFIG = """\
post_hooks: []
content_type_overrides:
  application/pdf: application/octet-stream
"""
"""No formatter runs on the output. The generator knows no PDF media type: the document says
`application/pdf`, as the service answers, and the override reads it as bytes."""


@dataclass(frozen=True)
class Generated:
    """The generated package, what the generator said, and where the service is."""

    package: ModuleType
    output: str
    server: str

    def module(self, name: str) -> Any:
        return importlib.import_module(f"{PACKAGE}.{name}")

    def customer(self) -> Any:
        """A customer signed up through the generated client, as its authenticated client."""
        name = f"g{uuid.uuid4().hex[:12]}"
        body = self.module("models").RegisterIn(
            email=f"{name}@example.com", username=name, password="glazed-and-fired-1"
        )
        anyone = self.package.Client(base_url=self.server)
        session = self.module("api.auth.register").sync(client=anyone, body=body)
        assert isinstance(session, self.module("models").SessionOut), session
        return self.package.AuthenticatedClient(base_url=self.server, token=session.access)

    def place_order(self, customer: Any, store_id: str, quantities: dict[str, int]) -> Any:
        models = self.module("models")
        items = [
            models.ItemIn(product_id=uuid.UUID(product), quantity=quantity)
            for product, quantity in quantities.items()
        ]
        body = models.OrderIn(store_id=uuid.UUID(store_id), items=items)
        return self.module("api.orders.place_order").sync_detailed(client=customer, body=body)


@pytest.fixture(scope="module")
def generated(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    folder = tmp_path_factory.mktemp("generated")
    document, config = folder / "openapi.json", folder / "config.yml"
    document.write_text(httpx.get(f"{server}/openapi.json").text)
    config.write_text(GENERATOR_CONFIG)

    output = generate(document, config, folder / PACKAGE)

    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(folder))
        yield Generated(importlib.import_module(PACKAGE), output, server)
    for name in [name for name in sys.modules if name.partition(".")[0] == PACKAGE]:
        del sys.modules[name]


def generate(document: Path, config: Path, package: Path) -> str:
    """Run the generator; what it printed, warnings included."""
    command = [sys.executable, "-m", "openapi_python_client", "generate", "--meta", "none"]
    command += ["--path", str(document), "--config", str(config), "--output-path", str(package)]
    run = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout + run.stderr


@pytest.fixture
def mug_in_stock(client: httpx.Client) -> tuple[str, str]:
    """A store with 5 mugs at 18.50 on its shelf: (store id, mug id)."""
    owner = register(client, "artisan")
    store = a_store(client, owner, name="Casa da Caneca")
    mug = a_product(client, owner, store["id"], price="18.50", title="Speckled stoneware mug")
    receive(client, owner, store["id"], mug["id"], 5)
    return store["id"], mug["id"]


def test_the_document_generates_a_client_without_a_warning(generated: Generated) -> None:
    assert "warning" not in generated.output.lower(), generated.output


def test_a_customer_places_an_order_with_the_generated_client(
    generated: Generated, mug_in_stock: tuple[str, str]
) -> None:
    store_id, mug_id = mug_in_stock
    customer = generated.customer()

    answer = generated.place_order(customer, store_id, {mug_id: 2})

    assert answer.status_code == 201, answer.content
    order = answer.parsed
    assert isinstance(order, generated.module("models").OrderOut)
    assert (order.status, order.total_price) == ("confirmed", "37.00")
    assert [(line.product_id, line.quantity, line.line_total) for line in order.items] == [
        (uuid.UUID(mug_id), 2, "37.00")
    ]
    assert answer.headers["Location"] == f"/api/orders/{order.id}"


def test_an_unknown_product_is_read_as_the_documented_error(
    generated: Generated, mug_in_stock: tuple[str, str]
) -> None:
    store_id, _ = mug_in_stock
    unknown = str(uuid.uuid4())

    answer = generated.place_order(generated.customer(), store_id, {unknown: 1})

    assert answer.status_code == 400, answer.content
    error = answer.parsed
    assert isinstance(error, generated.module("models").ErrorBody)
    assert (error.error, error.details) == ("unknown_product", {"product_ids": [unknown]})
