"""The orjson transcoder against the library's: each reads what the other writes, unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import orjson
import pytest
from eventsourcing.persistence import Transcoder, TranscodingNotRegisteredError
from eventsourcing.utils import get_topic
from hypothesis import example, given
from hypothesis import strategies as st

from bazaar.transcoder import OrjsonTranscoder
from tests.builders import a_shop, a_store_in, an_artisan
from write_model.orders import OrderLine

pytestmark = pytest.mark.unit

LIBRARY: Transcoder = a_shop().mapper.transcoder
OURS: Transcoder = a_shop({"TRANSCODER_TOPIC": get_topic(OrjsonTranscoder)}).mapper.transcoder
"""Each with the shop's registrations: order lines, shortfalls, deliveries, flash sales."""

DECIMALS = st.decimals(allow_nan=False, allow_infinity=False)
TEXT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]))
"""Any unicode Postgres and UTF-8 take: no NUL, no lone surrogate."""
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
    | st.uuids()
    | DECIMALS
    | st.datetimes(timezones=st.none() | st.timezones())
    | st.builds(
        OrderLine,
        product_id=st.uuids(),
        title=TEXT,
        quantity=st.integers(1, 1000),
        unit_price=DECIMALS,
    )
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner) | st.lists(inner).map(tuple) | st.dictionaries(TEXT, inner),
    max_leaves=12,
)
"""What event fields hold, nested as deep as they like."""
A_LINE = OrderLine(
    product_id=UUID(int=7), title="Tasse n°3 ☕", quantity=2, unit_price=Decimal("-0.01")
)


def as_stored(value: Any) -> Any:
    """What JSON gives back of a value: tuples come back as lists, and a time its offset
    from UTC (not its zone: a local time in a DST gap or fold equals no other zone's)."""
    if isinstance(value, datetime):
        return datetime.fromisoformat(value.isoformat())
    if isinstance(value, dict):
        return {key: as_stored(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_stored(item) for item in value]
    return value


class TestRoundTrip:
    @given(VALUES)
    @example(Decimal("12345678901234567890.123456789"))
    @example(Decimal("-0.00"))
    @example(datetime(2030, 3, 31, 1, 59, 59, 999_999, tzinfo=ZoneInfo("Europe/Paris")))
    @example(datetime(2030, 3, 10, 2, 30, tzinfo=ZoneInfo("America/Adak")))
    @example(datetime(2030, 1, 1, tzinfo=timezone(-timedelta(hours=9, minutes=30))))
    @example(())
    @example({"lines": (A_LINE, A_LINE), "none": (), "nested": {"deeper": [{}, (), [A_LINE]]}})
    @example({"_type_": "uuid_hex", "_data_": "not a tag: it has a third key", "more": 1})
    def test_either_reads_what_either_wrote_as_the_value_it_was(self, value: Any) -> None:
        state = {"value": value}

        readings = [
            reader.decode(writer.encode(state))
            for writer in (LIBRARY, OURS)
            for reader in (LIBRARY, OURS)
        ]

        assert readings[0] == as_stored(state)
        assert [repr(reading) for reading in readings] == [repr(readings[0])] * 4

    def test_writes_our_events_as_the_library_does_byte_for_byte(self) -> None:
        shop, owner = a_shop(), an_artisan()
        store_id = a_store_in(shop, owner)
        [registered] = shop.recorder.select_events(store_id)
        state = LIBRARY.decode(registered.state)

        assert OURS.encode(state) == registered.state


class TestHandWrittenUuids:
    @pytest.mark.parametrize(
        "text",
        [
            "0123456789ABCDEF0123456789abcdef",
            "01234567-89ab-cdef-0123-456789abcdef",
            "{0123456789abcdef0123456789abcdef}",
            "0x23456789abcdef0123456789abcdef",
            "01234567 89abcdef 0123456789abcdef",
            "0123456789abcdef0123456789abcdeg",
            "0123456789abcdef",
            "",
        ],
    )
    def test_read_as_the_library_reads_them_or_refused_as_it_refuses(self, text: str) -> None:
        stored = orjson.dumps({"id": {"_type_": "uuid_hex", "_data_": text}})

        readings = []
        for reader in (LIBRARY, OURS):
            try:
                readings.append(repr(reader.decode(stored)))
            except ValueError as refusal:
                readings.append(type(refusal).__name__)

        assert readings[1] == readings[0]


class TestRefusals:
    def test_refuses_to_write_a_type_it_has_no_transcoding_for(self) -> None:
        with pytest.raises(TranscodingNotRegisteredError):
            OURS.encode({"at": datetime.now(UTC).date()})

    def test_refuses_to_read_a_tag_it_has_no_transcoding_for(self) -> None:
        with pytest.raises(TranscodingNotRegisteredError):
            OURS.decode(b'{"x":{"_type_":"martian_date","_data_":"sol 3"}}')

    def test_refuses_an_integer_beyond_64_bits_rather_than_store_it_as_a_float(self) -> None:
        with pytest.raises(orjson.JSONEncodeError):
            OURS.encode({"quantity": 2**64})
