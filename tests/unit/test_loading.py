"""Loaded aggregates are the caller's own: the latest versions kept for the next command are
never changed by what a command does with its copy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

from tests.builders import a_product_in, a_shop, a_store_in, an_artisan
from write_model.loading import copied

CACHED = {"AGGREGATE_CACHE_MAXSIZE": "100"}


def test_changing_a_loaded_product_changes_nothing_the_next_command_sees() -> None:
    shop, owner = a_shop(CACHED), an_artisan()
    store = a_store_in(shop, owner)
    mug = a_product_in(shop, store, owner, title="Mug")
    shop.get_product(mug)  # now the shop keeps its latest version

    shop.get_product(mug).title = "Changed in memory only"

    assert shop.get_product(mug).title == "Mug"


@dataclass(frozen=True)
class Hours:
    days: tuple[str, ...]


@dataclass(frozen=True)
class Notes:
    lines: list[str]


class Kept:
    def __init__(self) -> None:
        self.id, self.at, self.price = uuid4(), datetime.now(UTC), Decimal("2.50")
        self.hours, self.notes, self.pending = Hours(("mon",)), Notes(["a"]), ["event"]


def test_a_copy_shares_only_what_cannot_change_in_place() -> None:
    kept = Kept()

    clone = copied(kept)
    clone.pending.append("another")
    clone.notes.lines.append("b")

    assert (kept.pending, kept.notes.lines) == (["event"], ["a"])
    assert (clone.id, clone.at, clone.price, clone.hours) == (
        kept.id,
        kept.at,
        kept.price,
        kept.hours,
    )
    assert clone.hours is kept.hours
