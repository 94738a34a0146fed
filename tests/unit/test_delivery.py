"""Opening hours and the delivery slots they offer, in the store's own timezone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from write_model.delivery import (
    InvalidDeliverySlotError,
    InvalidOpeningHoursError,
    OpeningHours,
    delivery_status,
)

pytestmark = pytest.mark.unit

NOW = datetime(2030, 1, 1, 0, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    """A moment written with its offset, e.g. "2030-07-01T13:00+00:00"."""
    return datetime.fromisoformat(text)


class TestOpeningHours:
    def test_defaults_to_nine_to_six_utc(self) -> None:
        hours = OpeningHours()

        assert (hours.timezone, hours.opens_at, hours.closes_at) == ("UTC", 9, 18)

    @pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "utc", "", "../etc/passwd", "America"])
    def test_refuses_a_timezone_that_is_not_an_iana_name(self, name: str) -> None:
        with pytest.raises(InvalidOpeningHoursError):
            OpeningHours(timezone=name)

    @pytest.mark.parametrize(("opens", "closes"), [(18, 9), (9, 9), (-1, 9), (9, 25)])
    def test_refuses_hours_that_do_not_open_before_they_close(
        self, opens: int, closes: int
    ) -> None:
        with pytest.raises(InvalidOpeningHoursError):
            OpeningHours(opens_at=opens, closes_at=closes)

    def test_accepts_a_whole_day(self) -> None:
        hours = OpeningHours(opens_at=0, closes_at=24)

        assert hours.slot(at("2030-01-02T23:00+00:00"), NOW) == at("2030-01-02T23:00+00:00")


class TestSlot:
    @pytest.mark.parametrize("start", ["2030-01-02T09:00+00:00", "2030-01-02T17:00+00:00"])
    def test_accepts_a_slot_at_either_end_of_the_opening_hours(self, start: str) -> None:
        slot = OpeningHours().slot(at(start), NOW)

        assert slot == at(start)

    @pytest.mark.parametrize("start", ["2030-01-02T08:00+00:00", "2030-01-02T18:00+00:00"])
    def test_refuses_an_hour_before_opening_or_from_closing(self, start: str) -> None:
        with pytest.raises(InvalidDeliverySlotError):
            OpeningHours().slot(at(start), NOW)

    @pytest.mark.parametrize(
        "start", ["2030-01-02T10:30+00:00", "2030-01-02T10:00:01+00:00", "2030-01-02T10:00:00.5Z"]
    )
    def test_refuses_a_slot_that_does_not_start_on_the_hour(self, start: str) -> None:
        with pytest.raises(InvalidDeliverySlotError):
            OpeningHours().slot(at(start), NOW)

    def test_refuses_a_slot_in_the_past(self) -> None:
        with pytest.raises(InvalidDeliverySlotError):
            OpeningHours().slot(at("2029-12-31T10:00+00:00"), NOW)

    def test_refuses_a_slot_starting_now(self) -> None:
        now = at("2030-01-02T10:00+00:00")

        with pytest.raises(InvalidDeliverySlotError):
            OpeningHours().slot(now, now)

    def test_refuses_a_slot_without_an_offset(self) -> None:
        with pytest.raises(InvalidDeliverySlotError):
            OpeningHours().slot(datetime(2030, 1, 2, 10), NOW)

    def test_answers_the_slot_in_utc_whatever_offset_it_was_given_in(self) -> None:
        lisbon_summer = timezone(timedelta(hours=1))

        slot = OpeningHours().slot(datetime(2030, 7, 2, 11, tzinfo=lisbon_summer), NOW)

        assert (slot, slot.utcoffset()) == (at("2030-07-02T10:00+00:00"), timedelta(0))


class TestSlotInTheStoresTimezone:
    """New York is UTC-4 in summer (EDT), UTC-5 in winter (EST); Kolkata is UTC+5:30."""

    NEW_YORK = OpeningHours(timezone="America/New_York", opens_at=9, closes_at=18)
    KOLKATA = OpeningHours(timezone="Asia/Kolkata", opens_at=9, closes_at=18)

    @pytest.mark.parametrize(
        "start",
        [
            "2030-07-01T13:00+00:00",  # 09:00 EDT, the first slot
            "2030-07-01T21:00+00:00",  # 17:00 EDT, the last slot
            "2030-01-02T14:00+00:00",  # 09:00 EST
            "2030-01-02T22:00+00:00",  # 17:00 EST
            "2030-07-01T09:00-04:00",  # the same first slot, written in local time
        ],
    )
    def test_accepts_the_stores_local_opening_hours(self, start: str) -> None:
        slot = self.NEW_YORK.slot(at(start), NOW)

        assert slot == at(start)

    @pytest.mark.parametrize(
        "start",
        [
            "2030-01-02T13:00+00:00",  # 08:00 EST: 09:00 only in summer
            "2030-07-01T22:00+00:00",  # 18:00 EDT: closed
            "2030-07-02T01:00+00:00",  # 21:00 EDT the day before, though 01:00 UTC
        ],
    )
    def test_refuses_hours_the_store_is_closed_locally(self, start: str) -> None:
        with pytest.raises(InvalidDeliverySlotError):
            self.NEW_YORK.slot(at(start), NOW)

    def test_a_late_evening_utc_slot_is_open_in_a_store_far_east(self) -> None:
        tokyo = OpeningHours(timezone="Asia/Tokyo", opens_at=9, closes_at=18)

        slot = tokyo.slot(at("2030-01-02T00:00+00:00"), NOW)  # 09:00 in Tokyo

        assert slot == at("2030-01-02T00:00+00:00")

    def test_a_half_past_utc_slot_is_on_the_hour_at_a_half_hour_offset(self) -> None:
        slot = self.KOLKATA.slot(at("2030-01-02T03:30+00:00"), NOW)  # 09:00 IST

        assert slot == at("2030-01-02T03:30+00:00")

    def test_an_on_the_hour_utc_slot_is_half_past_at_a_half_hour_offset(self) -> None:
        with pytest.raises(InvalidDeliverySlotError):
            self.KOLKATA.slot(at("2030-01-02T04:00+00:00"), NOW)  # 09:30 IST


class TestDeliveryStatus:
    @pytest.mark.parametrize(
        ("order_status", "expected"),
        [
            ("confirmed", "scheduled"),
            ("processing", "scheduled"),
            ("shipped", "out_for_delivery"),
            ("delivered", "delivered"),
            ("cancelled", "cancelled"),
        ],
    )
    def test_follows_the_order(self, order_status: str, expected: str) -> None:
        assert delivery_status(order_status) == expected
