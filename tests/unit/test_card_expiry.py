"""Reading the card provider's expiration_date: the shapes it sends, and the ones we refuse."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bazaar.adapters.card_provider import expiry_date

pytestmark = pytest.mark.unit
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


class TestExpiryDate:
    def test_a_timestamp_with_an_offset_is_its_date_in_utc(self) -> None:
        assert expiry_date("2029-11-30T19:15:44.288428+00:00", NOW) == "2029-11-30"
        assert expiry_date("2029-12-01T01:30:00+05:00", NOW) == "2029-11-30"

    def test_a_naive_timestamp_is_read_as_utc(self) -> None:
        assert expiry_date("2099-01-01T12:00:00", NOW) == "2099-01-01"

    def test_a_plain_date_is_that_date(self) -> None:
        assert expiry_date("2029-11-30", NOW) == "2029-11-30"

    def test_a_plain_date_of_today_is_still_valid(self) -> None:
        assert expiry_date("2026-05-01", NOW) == "2026-05-01"

    @pytest.mark.parametrize(
        "text", ["2026-05-01T11:59:59+00:00", "2026-05-01T11:00:00", "2026-04-30", "1999-01-01"]
    )
    def test_an_expiry_that_has_passed_is_refused(self, text: str) -> None:
        with pytest.raises(ValueError, match="has passed"):
            expiry_date(text, NOW)

    @pytest.mark.parametrize("text", ["soon-ish", "", "2029-13-01", "30/11/2029", "None"])
    def test_an_expiry_that_is_no_date_is_refused(self, text: str) -> None:
        with pytest.raises(ValueError):
            expiry_date(text, NOW)
