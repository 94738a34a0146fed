"""Flash sales: a lower price for a window of time, and the rules for setting one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from write_model.errors import ConflictError, RuleViolationError


class InvalidFlashSaleError(RuleViolationError):
    """Raised when a flash sale is not below the regular price or its window is not ahead."""

    code = "invalid_flash_sale"


class ProductDelistedError(ConflictError):
    """Raised when a flash sale is set on a product that was taken off sale."""

    code = "product_delisted"


@dataclass(frozen=True, slots=True, kw_only=True)
class FlashSale:
    """`price` applies from `starts_at` (included) to `ends_at` (excluded), both in UTC."""

    price: Decimal
    starts_at: datetime
    ends_at: datetime

    def is_on(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at


def flash_sale(
    price: Decimal, starts_at: datetime, ends_at: datetime, *, regular: Decimal, now: datetime
) -> FlashSale:
    """A sale below the `regular` price whose window, in UTC, ends after `now`.

    A sale priced at or above the regular price would be no sale, so it is refused.
    Times need an offset: a bare local time means another instant in every zone.
    """
    if price >= regular:
        raise InvalidFlashSaleError(
            f"A flash sale price must be below the regular price {regular}, not {price}.",
            details={"price": str(price), "regular_price": str(regular)},
        )
    if starts_at.utcoffset() is None or ends_at.utcoffset() is None:
        raise InvalidFlashSaleError("Flash sale times need a UTC offset or Z.")
    if ends_at <= starts_at:
        raise InvalidFlashSaleError("A flash sale must end after it starts.")
    if ends_at <= now:
        raise InvalidFlashSaleError("A flash sale must end in the future.")
    return FlashSale(
        price=price, starts_at=starts_at.astimezone(UTC), ends_at=ends_at.astimezone(UTC)
    )
