"""Stores, products and inventory, and how a product is shown: from its view, or from a
command's aggregate as one."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.common import (
    JsonDatetime,
    JsonUUID,
    Money,
    MultilineText,
    Percent,
    Price,
    Request,
    SafeText,
    TaxRate,
    Text,
)
from api.schemas.examples import (
    BRANCH_ID,
    LISTED_AT,
    MUG_ID,
    OPENED_AT,
    OWNER_ID,
    STORE_ID,
    example_of,
    with_examples,
)
from read_model.sql.catalogue import FlashSaleView, ProductView
from write_model.catalogue import (
    DEFAULT_DELIVERY_RADIUS_KM,
    DEFAULT_LOW_STOCK_THRESHOLD,
    Location,
    Product,
    Store,
)
from write_model.commands import RegisterStore
from write_model.delivery import (
    DEFAULT_CLOSES_AT,
    DEFAULT_OPENS_AT,
    DEFAULT_TIMEZONE,
    OpeningHours,
)
from write_model.inventory import StockItem

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Description = Annotated[MultilineText, Field(max_length=5000)]
TIMEZONE = (
    "IANA name, e.g. Europe/Lisbon: opening hours are the store's local time. "
    "Unknown, or closes_at not after opens_at: 400 invalid_opening_hours."
)
TAX_RATE = (
    "Percent of sales tax the store's prices include (0-100, at most 2 decimals); null: no "
    "tax. Orders keep the rate in force when they were placed; invoices show net and tax."
)


class StoreIn(Request):
    model_config = with_examples(
        {
            "name": "Casa da Caneca",
            "city": "Lisbon",
            "lat": 38.7139,
            "lng": -9.1394,
            "delivery_radius_km": 8.0,
            "low_stock_threshold": 3,
            "timezone": "Europe/Lisbon",
            "opens_at": 9,
            "closes_at": 19,
            "tax_rate": "23",
        },
        {"name": "Casa da Caneca Porto", "city": "Porto", "lat": 41.1496, "lng": -8.6109},
    )

    name: Text
    city: Text
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    delivery_radius_km: float = Field(default=DEFAULT_DELIVERY_RADIUS_KM, gt=0, le=500)
    low_stock_threshold: int = Field(default=DEFAULT_LOW_STOCK_THRESHOLD, ge=0, le=100_000)
    timezone: SafeText = Field(
        default=DEFAULT_TIMEZONE, min_length=1, max_length=64, description=TIMEZONE
    )
    opens_at: int = Field(default=DEFAULT_OPENS_AT, ge=0, le=23, description="First slot's hour.")
    closes_at: int = Field(
        default=DEFAULT_CLOSES_AT, ge=1, le=24, description="Slots end before this hour."
    )
    tax_rate: TaxRate | None = Field(default=None, description=TAX_RATE)

    def registration(self, store_id: UUID, owner_id: UUID) -> RegisterStore:
        """The command registering this store: its place and its hours as one value each."""
        given = self.model_dump()
        location, hours = taken(given, Location), taken(given, OpeningHours)
        return RegisterStore(
            store_id=store_id, owner_id=owner_id, location=location, opening_hours=hours, **given
        )


V = TypeVar("V", bound="DataclassInstance")


def taken(given: dict[str, Any], value: type[V]) -> V:
    """The `value` made of the fields of `given` that it has, which leave `given`."""
    return value(**{field.name: given.pop(field.name) for field in fields(value)})


class TaxRateIn(Request):
    model_config = with_examples({"tax_rate": "23"}, {"tax_rate": None})

    tax_rate: TaxRate | None = Field(description=TAX_RATE)


class StoreOut(BaseModel):
    model_config = with_examples(
        {"id": STORE_ID, **example_of(StoreIn), "owner_id": OWNER_ID, "created_at": OPENED_AT}
    )

    id: UUID
    name: str
    owner_id: UUID
    city: str
    lat: float
    lng: float
    delivery_radius_km: float
    low_stock_threshold: int
    timezone: str
    opens_at: int
    closes_at: int
    tax_rate: Percent | None = Field(description=TAX_RATE)
    created_at: datetime


class ProductIn(Request):
    model_config = with_examples(
        {
            "store_id": STORE_ID,
            "title": "Speckled stoneware mug",
            "description": "Wheel-thrown, 350 ml, dishwasher safe.",
            "price": "18.50",
            "category": "mugs",
        }
    )

    store_id: JsonUUID
    title: Text
    description: Description = ""
    price: Price
    category: Text


class ProductPatch(Request):
    model_config = with_examples({"price": "19.50"}, {"title": "Speckled mug, 350 ml"})

    title: Text | None = None
    description: Description | None = None
    price: Price | None = None
    category: Text | None = None


class ProductPut(Request):
    model_config = with_examples(
        {
            "title": "Speckled stoneware mug",
            "description": "Wheel-thrown, 350 ml, dishwasher and microwave safe.",
            "price": "19.50",
            "category": "mugs",
        }
    )

    title: Text
    description: Description = ""
    price: Price
    category: Text


class FlashSaleIn(Request):
    """Times without a UTC offset are refused: they would mean another instant in every zone."""

    model_config = with_examples(
        {"price": "14.00", "starts_at": "2025-03-21T09:00:00Z", "ends_at": "2025-03-23T19:00:00Z"}
    )

    price: Price = Field(description="Below the regular price (else 400 invalid_flash_sale).")
    starts_at: JsonDatetime
    ends_at: JsonDatetime = Field(description="After starts_at, and in the future.")


class FlashSaleOut(BaseModel):
    """The last sale set: `active` while it runs; orders placed then pay its price."""

    model_config = with_examples(
        {
            "price": "14.00",
            "starts_at": "2025-03-21T09:00:00Z",
            "ends_at": "2025-03-23T19:00:00Z",
            "active": False,
        }
    )

    price: Money
    starts_at: datetime
    ends_at: datetime
    active: bool


class ProductOut(BaseModel):
    model_config = with_examples(
        {
            "id": MUG_ID,
            **example_of(ProductIn),
            "flash_sale": example_of(FlashSaleOut),
            "created_at": LISTED_AT,
        }
    )

    id: UUID
    store_id: UUID
    title: str
    description: str
    price: Money
    category: str
    flash_sale: FlashSaleOut | None = None
    created_at: datetime


class StockIn(Request):
    model_config = with_examples(
        {"product_id": MUG_ID, "quantity": 24, "reason": "received"},
        {"product_id": MUG_ID, "quantity": -2, "reason": "broken in the kiln"},
    )

    product_id: JsonUUID
    quantity: int = Field(ge=-1_000_000, le=1_000_000)
    reason: MultilineText = Field(default="received", min_length=1, max_length=100)


class InventoryLineOut(BaseModel):
    model_config = with_examples(
        {
            "product_id": MUG_ID,
            "title": "Speckled stoneware mug",
            "price": "18.50",
            "category": "mugs",
            "quantity": 22,
        }
    )

    product_id: UUID
    title: str
    price: Money
    category: str
    quantity: int


class AvailabilityOut(BaseModel):
    model_config = with_examples(
        {
            "store_id": STORE_ID,
            "store_name": "Casa da Caneca",
            "city": "Lisbon",
            "quantity": 22,
            "distance_km": 1.8,
        },
        {
            "store_id": BRANCH_ID,
            "store_name": "Casa da Caneca Porto",
            "city": "Porto",
            "quantity": 9,
            "distance_km": None,
        },
    )

    store_id: UUID
    store_name: str
    city: str
    quantity: int
    distance_km: float | None = Field(description="From `near`; null when it is not given.")


class StockOut(BaseModel):
    model_config = with_examples(
        {"store_id": STORE_ID, "product_id": MUG_ID, "on_hand": 24, "reserved": 2, "available": 22}
    )

    store_id: UUID
    product_id: UUID
    on_hand: int
    reserved: int
    available: int


def store_out(store: Store) -> StoreOut:
    """The store as a command left it (the catalogue view follows shortly)."""
    return StoreOut(
        id=store.id,
        name=store.name,
        owner_id=store.owner_id,
        **asdict(store.location),
        low_stock_threshold=store.low_stock_threshold,
        **asdict(store.opening_hours),
        tax_rate=store.tax_rate,
        created_at=store.created_on,
    )


def stock_out(item: StockItem) -> StockOut:
    """A stock item as a command left it."""
    return StockOut.model_validate(item, from_attributes=True)


def product_out(product: ProductView, now: datetime) -> ProductOut:
    """The product as the contract shows it; whether its flash sale runs is judged at `now`."""
    sale = product.flash_sale
    shown = flash_sale_out(sale, now) if sale is not None else None
    return ProductOut.model_validate({**asdict(product), "flash_sale": shown})


def flash_sale_out(sale: FlashSaleView, now: datetime) -> FlashSaleOut:
    """No event marks a sale's start or end: whether it runs is judged on every answer."""
    return FlashSaleOut(
        price=sale.price, starts_at=sale.starts_at, ends_at=sale.ends_at, active=sale.is_on(now)
    )


def product_view(product: Product) -> ProductView:
    """The product as a command left it, in its view's shape: the view follows shortly."""
    sale = product.flash_sale
    return ProductView(
        id=product.id,
        store_id=product.store_id,
        title=product.title,
        description=product.description,
        price=product.price,
        category=product.category,
        created_at=product.created_on,
        flash_price=sale.price if sale else None,
        flash_starts_at=sale.starts_at if sale else None,
        flash_ends_at=sale.ends_at if sale else None,
    )
