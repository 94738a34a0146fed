"""The terminal rendering of an order's history (`bazaar audit order`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import pytest

from bazaar.audit import render_event, render_history
from write_model.history import OrderEventRecord

pytestmark = pytest.mark.unit

CUSTOMER = UUID("11111111-1111-1111-1111-111111111111")
AT = datetime(2026, 3, 1, 9, 30, 15, 250_000, tzinfo=UTC)


def a_record(version: int = 1, by: UUID | None = CUSTOMER, **data: object) -> OrderEventRecord:
    return OrderEventRecord(version=version, type="Placed", at=AT, by=by, data=dict(data))


class TestRenderEvent:
    def test_heads_each_block_with_what_happened_when_by_whom(self) -> None:
        heading = render_event(a_record(version=3))[0]

        assert heading == f"#3  2026-03-01 09:30:15.250000 UTC  Placed  by {CUSTOMER}"

    def test_shows_a_time_in_another_offset_in_utc(self) -> None:
        record = OrderEventRecord(
            version=1,
            type="Confirmed",
            at=AT.astimezone(timezone(timedelta(hours=-5))),
            by=CUSTOMER,
            data={},
        )

        assert "2026-03-01 09:30:15.250000 UTC" in render_event(record)[0]

    def test_names_the_system_when_no_one_did_it(self) -> None:
        assert render_event(a_record(by=None))[0].endswith("by the system")

    def test_lists_each_field_on_an_indented_line_of_its_own(self) -> None:
        lines = render_event(a_record(status="shipped", note=None))[1:]

        assert lines == ["    status: shipped", "    note: (none)"]

    def test_says_so_when_the_event_carries_no_data(self) -> None:
        assert render_event(a_record())[1:] == ["    (no data)"]

    def test_lists_objects_in_a_list_one_dash_each_with_their_fields_aligned(self) -> None:
        lines = render_event(
            a_record(lines=[{"title": "Mug", "unit_price": "10.00"}, {"title": "Bowl"}])
        )[1:]

        assert lines == [
            "    lines:",
            "      - title: Mug",
            "        unit_price: 10.00",
            "      - title: Bowl",
        ]

    def test_marks_an_empty_list(self) -> None:
        lines = render_event(a_record(shortfalls=[]))[1:]

        assert lines == ["    shortfalls: (none)"]

    def test_nests_an_object_under_its_key(self) -> None:
        lines = render_event(a_record(address={"city": "Lyon"}))[1:]

        assert lines == ["    address:", "      city: Lyon"]


class TestRenderHistory:
    def test_separates_the_blocks_with_a_blank_line_under_a_title(self) -> None:
        order_id = UUID(int=7)

        text = render_history(f"Order {order_id}", [a_record(1), a_record(2)])

        assert text.split("\n\n")[0] == f"Order {order_id}: 2 events, oldest first"
        assert [block.split("  ")[0] for block in text.split("\n\n")[1:]] == ["#1", "#2"]
