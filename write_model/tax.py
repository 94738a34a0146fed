"""Sales tax: the rate a store may charge, and the tax inside a tax-inclusive amount.

Shop prices are gross, as customers see them in European shops: the tax is part of the
price, and a document splits its total into net and tax at the rate of the order.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from write_model.errors import RuleViolationError

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class InvalidTaxRateError(RuleViolationError):
    """Raised when a tax rate is not a percentage from 0 to 100 with at most 2 decimals."""

    code = "invalid_tax_rate"


def checked_rate(rate: Decimal | None) -> Decimal | None:
    """Return `rate` (a percentage) as given, or refuse it; None means the store charges no tax."""
    if rate is None:
        return None
    if not rate.is_finite() or not 0 <= rate <= HUNDRED or rate != rate.quantize(CENT):
        raise InvalidTaxRateError(
            f"A tax rate is a percentage from 0 to 100 with at most 2 decimals, not {rate}."
        )
    return rate


@dataclass(frozen=True, slots=True)
class TaxSplit:
    """A gross amount, the tax it includes at `rate` percent, and what is left: the net."""

    rate: Decimal
    gross: Decimal
    tax: Decimal

    @property
    def net(self) -> Decimal:
        return self.gross - self.tax

    @classmethod
    def of(cls, gross: Decimal, rate: Decimal) -> TaxSplit:
        """The tax is taken out of the whole amount once, rounded half up to the cent, so
        net and tax always add up to the gross."""
        tax = (gross * rate / (HUNDRED + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
        return cls(rate=rate, gross=gross, tax=tax)
