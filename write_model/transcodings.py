"""How the values inside stored events and snapshots are written: each a plain JSON object.

The names are stored with the values, so a name never changes once released."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Transcoding

from write_model.catalogue import Location
from write_model.delivery import Delivery, OpeningHours
from write_model.flash_sales import FlashSale
from write_model.orders import OrderLine, Shortfall


class ValueAsDict(Transcoding):
    """Stores a frozen dataclass value (an order line, a shortfall) as a plain JSON object."""

    def __init__(self, value_type: type[Any], name: str) -> None:
        self.type, self.name = value_type, name

    def encode(self, obj: Any) -> dict[str, Any]:
        return {field: getattr(obj, field) for field in obj.__dataclass_fields__}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


TRANSCODINGS = (
    ValueAsDict(OrderLine, "order_line"),
    ValueAsDict(Shortfall, "shortfall"),
    ValueAsDict(Delivery, "delivery"),
    ValueAsDict(FlashSale, "flash_sale"),
    ValueAsDict(Location, "location"),
    ValueAsDict(OpeningHours, "opening_hours"),
)
