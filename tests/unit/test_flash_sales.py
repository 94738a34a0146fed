"""Flash sales: setting and cancelling one, and what an order pays inside and outside it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Snapshot

from tests.builders import (
    a_customer,
    an_admin,
    an_artisan,
    an_order_for,
    an_order_request,
    stock_of,
)
from tests.unit.test_shop import ShopTests
from write_model.catalogue import InvalidPriceError, Product, ProductNotFoundError
from write_model.commands import Actor, SetFlashSale
from write_model.errors import PermissionDeniedError
from write_model.flash_sales import FlashSale, InvalidFlashSaleError, ProductDelistedError
from write_model.orders import Order
from write_model.shop import Shop

pytestmark = pytest.mark.unit

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def a_sale(
    product_id: UUID,
    price: str = "7.50",
    starts_at: datetime = NOW - HOUR,
    ends_at: datetime = NOW + HOUR,
) -> SetFlashSale:
    return SetFlashSale(
        product_id=product_id, price=Decimal(price), starts_at=starts_at, ends_at=ends_at
    )


def product(shop: Shop, product_id: UUID) -> Product:
    found: Product = shop.repository.get(product_id)
    return found


def event_types(shop: Shop, aggregate_id: UUID) -> list[type]:
    return [type(e) for e in shop.events.get(aggregate_id)]


class TestSetFlashSale(ShopTests):
    def test_records_the_sale_with_its_window_in_utc(
        self, shop: Shop, owner: Actor, mug: UUID
    ) -> None:
        lisbon_summer = timezone(timedelta(hours=1))
        starts_at, ends_at = datetime(2025, 6, 1, 14, 0, tzinfo=lisbon_summer), NOW + 4 * HOUR

        shop.set_flash_sale(a_sale(mug, "7.50", starts_at, ends_at), owner, NOW)

        sale = product(shop, mug).flash_sale
        assert sale == FlashSale(price=Decimal("7.50"), starts_at=NOW + HOUR, ends_at=ends_at)
        assert sale is not None and sale.starts_at.utcoffset() == timedelta(0)

    @pytest.mark.parametrize("price", ["10.00", "12.00"])
    def test_refuses_a_price_not_below_the_regular_one(
        self, shop: Shop, owner: Actor, mug: UUID, price: str
    ) -> None:
        with pytest.raises(InvalidFlashSaleError):
            shop.set_flash_sale(a_sale(mug, price), owner, NOW)

    @pytest.mark.parametrize("price", ["0", "-1.00", "7.505"])
    def test_refuses_a_price_that_is_not_positive_whole_cents(
        self, shop: Shop, owner: Actor, mug: UUID, price: str
    ) -> None:
        with pytest.raises(InvalidPriceError):
            shop.set_flash_sale(a_sale(mug, price), owner, NOW)

    def test_refuses_times_without_an_offset(self, shop: Shop, owner: Actor, mug: UUID) -> None:
        naive = datetime(2025, 6, 1, 13, 0)

        with pytest.raises(InvalidFlashSaleError):
            shop.set_flash_sale(a_sale(mug, ends_at=naive), owner, NOW)

    @pytest.mark.parametrize("ends_at", [NOW - HOUR, NOW - 2 * HOUR])
    def test_refuses_a_window_that_does_not_end_after_it_starts(
        self, shop: Shop, owner: Actor, mug: UUID, ends_at: datetime
    ) -> None:
        with pytest.raises(InvalidFlashSaleError):
            shop.set_flash_sale(a_sale(mug, starts_at=NOW - HOUR, ends_at=ends_at), owner, NOW)

    def test_refuses_a_window_that_ended_already(self, shop: Shop, owner: Actor, mug: UUID) -> None:
        with pytest.raises(InvalidFlashSaleError):
            shop.set_flash_sale(a_sale(mug, starts_at=NOW - 2 * HOUR, ends_at=NOW), owner, NOW)

    def test_the_same_sale_again_records_nothing(self, shop: Shop, owner: Actor, mug: UUID) -> None:
        shop.set_flash_sale(a_sale(mug), owner, NOW)

        shop.set_flash_sale(a_sale(mug), owner, NOW)

        assert event_types(shop, mug).count(Product.FlashSaleSet) == 1

    def test_a_new_sale_replaces_the_earlier_one(self, shop: Shop, owner: Actor, mug: UUID) -> None:
        shop.set_flash_sale(a_sale(mug, "7.50"), owner, NOW)

        shop.set_flash_sale(a_sale(mug, "5.00", NOW + HOUR, NOW + 2 * HOUR), owner, NOW)

        sale = product(shop, mug).flash_sale
        assert sale is not None and (sale.price, sale.starts_at) == (Decimal("5.00"), NOW + HOUR)

    def test_lets_an_admin_set_a_sale(self, shop: Shop, mug: UUID) -> None:
        shop.set_flash_sale(a_sale(mug), an_admin(), NOW)

        assert product(shop, mug).flash_sale is not None

    def test_refuses_someone_who_does_not_own_the_store(self, shop: Shop, mug: UUID) -> None:
        with pytest.raises(PermissionDeniedError):
            shop.set_flash_sale(a_sale(mug), an_artisan(), NOW)

    def test_refuses_an_unknown_product(self, shop: Shop, owner: Actor) -> None:
        with pytest.raises(ProductNotFoundError):
            shop.set_flash_sale(a_sale(uuid4()), owner, NOW)

    def test_refuses_a_delisted_product(self, shop: Shop, owner: Actor, mug: UUID) -> None:
        shop.delist_product(mug, owner)

        with pytest.raises(ProductDelistedError):
            shop.set_flash_sale(a_sale(mug), owner, NOW)


class TestCancelFlashSale(ShopTests):
    def test_ends_a_running_sale(self, shop: Shop, owner: Actor, mug: UUID) -> None:
        shop.set_flash_sale(a_sale(mug), owner, NOW)

        shop.cancel_flash_sale(mug, owner, NOW)

        assert product(shop, mug).flash_sale is None
        assert event_types(shop, mug)[-1] is Product.FlashSaleCancelled

    def test_records_nothing_without_a_sale(self, shop: Shop, owner: Actor, mug: UUID) -> None:
        shop.cancel_flash_sale(mug, owner, NOW)

        assert Product.FlashSaleCancelled not in event_types(shop, mug)

    def test_records_nothing_once_the_sale_is_over(
        self, shop: Shop, owner: Actor, mug: UUID
    ) -> None:
        shop.set_flash_sale(a_sale(mug), owner, NOW)

        shop.cancel_flash_sale(mug, owner, NOW + 2 * HOUR)

        assert Product.FlashSaleCancelled not in event_types(shop, mug)

    def test_refuses_someone_who_does_not_own_the_store(self, shop: Shop, mug: UUID) -> None:
        with pytest.raises(PermissionDeniedError):
            shop.cancel_flash_sale(mug, an_artisan(), NOW)


class TestOrdersDuringAFlashSale(ShopTests):
    @pytest.fixture
    def stocked_mug(self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID) -> UUID:
        stock_of(shop, store_id, mug, owner, 10)
        shop.set_flash_sale(a_sale(mug, "7.50", NOW, NOW + HOUR), owner, NOW - HOUR)
        return mug

    def test_an_order_placed_inside_the_window_pays_the_flash_price(
        self, shop: Shop, store_id: UUID, stocked_mug: UUID
    ) -> None:
        order = place_at(shop, store_id, stocked_mug, NOW + HOUR / 2)

        assert order.lines[0].unit_price == Decimal("7.50")

    @pytest.mark.parametrize("when", [NOW - timedelta(seconds=1), NOW + HOUR])
    def test_an_order_placed_outside_the_window_pays_the_regular_price(
        self, shop: Shop, store_id: UUID, stocked_mug: UUID, when: datetime
    ) -> None:
        order = place_at(shop, store_id, stocked_mug, when)

        assert order.lines[0].unit_price == Decimal("10.00")

    def test_an_order_after_a_cancelled_sale_pays_the_regular_price(
        self, shop: Shop, store_id: UUID, owner: Actor, stocked_mug: UUID
    ) -> None:
        shop.cancel_flash_sale(stocked_mug, owner, NOW)

        order = place_at(shop, store_id, stocked_mug, NOW + HOUR / 2)

        assert order.lines[0].unit_price == Decimal("10.00")

    def test_without_a_clock_an_order_is_priced_now(
        self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID
    ) -> None:
        stock_of(shop, store_id, mug, owner, 10)
        now = datetime.now(UTC)
        shop.set_flash_sale(a_sale(mug, "7.50", now - HOUR, now + HOUR), owner, now)

        order = an_order_for(shop, store_id, a_customer().user_id, {mug: 1})

        assert order.lines[0].unit_price == Decimal("7.50")


class TestProductSnapshots(ShopTests):
    def test_a_snapshot_keeps_the_flash_sale(self, shop: Shop, owner: Actor, mug: UUID) -> None:
        shop.set_flash_sale(a_sale(mug), owner, NOW)
        snapshot = Snapshot.take(product(shop, mug))

        stored = shop.mapper.to_stored_event(snapshot)
        restored = shop.mapper.to_domain_event(stored).mutate(None)

        assert isinstance(restored, Product)
        assert restored.flash_sale == product(shop, mug).flash_sale


def place_at(shop: Shop, store_id: UUID, product_id: UUID, when: datetime) -> Order:
    """Place an order for one of the product, as if the clock said `when`."""
    order: Order = shop.place_order(
        an_order_request(store_id, uuid4(), {product_id: 1}), now=when
    ).aggregate
    return order
