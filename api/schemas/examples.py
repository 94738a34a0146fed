"""The document's examples tell one story: Casa da Caneca, a Lisbon pottery selling mugs.

Every example names the same people, store, products and order, so a reader can follow an id
from the store's example to the order's and on to its return. Users' ids are what their
e-mails make (uuid5), as sign-up makes them. A test checks that each example is valid for the
model it documents.
"""

from __future__ import annotations

from typing import Any, cast

from pydantic import BaseModel, ConfigDict

OWNER_ID = "27ac5bec-08f0-5cba-8c03-f8a1a0b8ae93"
CUSTOMER_ID = "8f0c35b3-8d91-5c85-ad67-f960ceb39847"
STORE_ID = "3f6c2a1e-8b4d-4c59-9e27-5a1d0b7c4e92"
BRANCH_ID = "c41e7b2d-5a9f-4d6c-b3e8-0f2a6d9c1b57"
MUG_ID = "9a4e1c7b-2d5f-4b8a-a6c3-e1f0d2b5c8a9"
CUP_ID = "5d8b3f2a-6c1e-4a9d-8f7b-b2e4c6a0d1f3"
ORDER_ID = "e6b1d4a8-3c7f-4e2b-9d5a-1f8c0b6e3a72"
RESERVATION_ID = "2c9f5e1a-7b3d-4f6c-a8e2-d4b1f7c0e5a9"
RETURN_ID = "8f3a6d2c-9e1b-4c7a-b5d4-a2e8f0c6b1d7"
CARD_ID = "4b7e0a3d-1f6c-4d9b-8e2a-c5f3b9d1a6e8"
ACCESS_TOKEN = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI3ZTJhOWY0Yy0xYjZkLTRjM2UtOGE1Zi0yZDliMGM3"
    "ZTFmNjMiLCJyb2xlIjoiY3VzdG9tZXIiLCJraW5kIjoiYWNjZXNzIn0.q3Jt8b2V0bq9n6G2Y1nJ8xE4l0pZcR7a"
)
REFRESH_TOKEN = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI3ZTJhOWY0Yy0xYjZkLTRjM2UtOGE1Zi0yZDliMGM3"
    "ZTFmNjMiLCJyb2xlIjoiY3VzdG9tZXIiLCJraW5kIjoicmVmcmVzaCJ9.Xw2mC9k4Rj7dT1sVb6nLq0eHf3uYa8p"
)
OPENED_AT = "2025-01-20T09:15:00Z"
LISTED_AT = "2025-01-20T09:40:00Z"
PLACED_AT = "2025-03-14T10:32:05Z"


def with_examples(*bodies: dict[str, Any]) -> ConfigDict:
    """A model config that documents these bodies as the model's examples."""
    return ConfigDict(json_schema_extra={"examples": list(bodies)})


def example_of(model: type[BaseModel]) -> dict[str, Any]:
    """A model's first example, to nest in a larger one."""
    extra = cast(dict[str, list[dict[str, Any]]], model.model_config["json_schema_extra"])
    return extra["examples"][0]
