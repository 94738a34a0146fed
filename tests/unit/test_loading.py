"""Loaded aggregates are the caller's own: the latest versions kept for the next command are
never changed by what a command does with its copy."""

from __future__ import annotations

from tests.builders import a_product_in, a_shop, a_store_in, an_artisan

CACHED = {"AGGREGATE_CACHE_MAXSIZE": "100"}


def test_changing_a_loaded_product_changes_nothing_the_next_command_sees() -> None:
    shop, owner = a_shop(CACHED), an_artisan()
    store = a_store_in(shop, owner)
    mug = a_product_in(shop, store, owner, title="Mug")
    shop.get_product(mug)  # now the shop keeps its latest version

    shop.get_product(mug).title = "Changed in memory only"

    assert shop.get_product(mug).title == "Mug"
