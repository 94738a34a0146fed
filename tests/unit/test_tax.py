"""The tax rate rule and the split of a tax-inclusive total into net and tax."""

from __future__ import annotations

from decimal import Decimal

import pytest

from write_model.tax import InvalidTaxRateError, TaxSplit, checked_rate

pytestmark = pytest.mark.unit


class TestTaxRate:
    @pytest.mark.parametrize("rate", ["0", "5.5", "20", "100", "7.25"])
    def test_accepts_a_percentage_from_0_to_100(self, rate: str) -> None:
        assert checked_rate(Decimal(rate)) == Decimal(rate)

    def test_none_means_no_tax(self) -> None:
        assert checked_rate(None) is None

    @pytest.mark.parametrize("rate", ["-1", "100.01", "5.555", "NaN", "Infinity"])
    def test_refuses_anything_else(self, rate: str) -> None:
        with pytest.raises(InvalidTaxRateError):
            checked_rate(Decimal(rate))


class TestTaxSplit:
    def test_takes_the_tax_out_of_a_gross_total(self) -> None:
        split = TaxSplit.of(Decimal("120.00"), Decimal("20"))

        assert (split.net, split.tax, split.gross) == (
            Decimal("100.00"),
            Decimal("20.00"),
            Decimal("120.00"),
        )

    def test_rounds_the_tax_to_the_cent_leaving_the_rest_as_net(self) -> None:
        split = TaxSplit.of(Decimal("32.25"), Decimal("19"))

        assert (split.tax, split.net) == (Decimal("5.15"), Decimal("27.10"))

    def test_rounds_a_half_cent_up(self) -> None:
        split = TaxSplit.of(Decimal("10.05"), Decimal("100"))

        assert (split.tax, split.net) == (Decimal("5.03"), Decimal("5.02"))

    def test_a_zero_rate_includes_no_tax(self) -> None:
        split = TaxSplit.of(Decimal("32.25"), Decimal("0"))

        assert (split.net, split.tax) == (Decimal("32.25"), Decimal("0.00"))
