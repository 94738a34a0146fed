"""Shop use cases on the in-memory event store, one class per command.

Integration tests rerun these classes on Postgres by subclassing them with another `env`.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from tests.builders import (
    LYON,
    a_customer,
    a_product_in,
    a_shop,
    a_store_in,
    an_admin,
    an_artisan,
    an_old_store_registration,
    an_order_for,
    an_order_request,
    stock_of,
)
from write_model.catalogue import (
    InvalidPriceError,
    Product,
    ProductNotFoundError,
    Store,
    StoreNotFoundError,
)
from write_model.commands import (
    Actor,
    AdjustStock,
    ChangeOrderStatus,
    ImportCatalogue,
    ListProduct,
    OrderItem,
    PlaceOrder,
    ReviseProduct,
    ScheduleDelivery,
    SetTaxRate,
)
from write_model.delivery import (
    Delivery,
    DeliveryNotAllowedError,
    InvalidDeliverySlotError,
    InvalidOpeningHoursError,
    OpeningHours,
)
from write_model.errors import ConflictError, PermissionDeniedError, RuleViolationError
from write_model.inventory import NegativeStockError, StockItem
from write_model.orders import (
    IdempotencyKeyReusedError,
    IllegalTransitionError,
    InsufficientStockError,
    Order,
    OrderLine,
    OrderNotFoundError,
    Shortfall,
)
from write_model.placement import InvalidOrderError, OrderTotalTooLowError, UnknownProductError
from write_model.shop import Shop
from write_model.tax import InvalidTaxRateError

pytestmark = pytest.mark.unit


def stock_item(shop: Shop, store_id: UUID, product_id: UUID) -> StockItem:
    item: StockItem = shop.repository.get(StockItem.create_id(store_id, product_id))
    return item


def event_types(shop: Shop, aggregate_id: UUID) -> list[type]:
    return [type(e) for e in shop.events.get(aggregate_id)]


def a_listing(store_id: UUID, price: str = "10.00") -> ListProduct:
    return ListProduct(
        product_id=uuid4(),
        store_id=store_id,
        title="Vase",
        description="A vase.",
        price=Decimal(price),
        category="pottery",
    )


def an_adjustment(
    store_id: UUID, product_id: UUID, quantity: int, reason: str = "received"
) -> AdjustStock:
    return AdjustStock(store_id=store_id, product_id=product_id, quantity=quantity, reason=reason)


def an_import(store_id: UUID, listings: list[ListProduct], quantity: int = 1) -> ImportCatalogue:
    """List these products and receive `quantity` of each."""
    return ImportCatalogue(
        store_id=store_id,
        products=tuple(listings),
        stock=tuple(an_adjustment(store_id, p.product_id, quantity) for p in listings),
    )


def a_refused_order(shop: Shop, cmd: PlaceOrder) -> Order:
    """Place an order the store cannot serve, and return it as recorded."""
    with pytest.raises(InsufficientStockError):
        shop.place_order(cmd)
    return shop.get_order(cmd.order_id)


class ShopTests:
    """A fresh shop with one artisan's store for every test."""

    env: ClassVar[dict[str, str] | None] = None

    @pytest.fixture
    def shop(self) -> Shop:
        return a_shop(self.env)

    @pytest.fixture
    def owner(self) -> Actor:
        return an_artisan()

    @pytest.fixture
    def store_id(self, shop: Shop, owner: Actor) -> UUID:
        return a_store_in(shop, owner)

    @pytest.fixture
    def mug(self, shop: Shop, store_id: UUID, owner: Actor) -> UUID:
        return a_product_in(shop, store_id, owner, price="10.00", title="Mug")


class TestRegisterStore(ShopTests):
    def test_records_the_caller_as_owner(self, shop: Shop, owner: Actor) -> None:
        store_id = a_store_in(shop, owner)

        assert shop.repository.get(store_id).owner_id == owner.user_id
        assert event_types(shop, store_id) == [Store.Registered]

    def test_opens_nine_to_six_utc_unless_told_otherwise(self, shop: Shop, owner: Actor) -> None:
        store_id = a_store_in(shop, owner)

        assert shop.repository.get(store_id).opening_hours == OpeningHours(
            timezone="UTC", opens_at=9, closes_at=18
        )

    def test_keeps_the_opening_hours_it_was_given(self, shop: Shop, owner: Actor) -> None:
        store_id = a_store_in(shop, owner, timezone="Asia/Tokyo", opens_at=7, closes_at=22)

        assert shop.repository.get(store_id).opening_hours == OpeningHours(
            timezone="Asia/Tokyo", opens_at=7, closes_at=22
        )

    @pytest.mark.parametrize(
        "hours",
        [{"timezone": "Mars/Olympus_Mons"}, {"opens_at": 18, "closes_at": 9}, {"closes_at": 25}],
        ids=["unknown timezone", "closes before it opens", "closes after midnight"],
    )
    def test_refuses_impossible_opening_hours(
        self, shop: Shop, owner: Actor, hours: dict[str, Any]
    ) -> None:
        with pytest.raises(InvalidOpeningHoursError):
            a_store_in(shop, owner, **hours)


class TestSetTaxRate(ShopTests):
    def test_a_store_charges_no_tax_unless_it_says_so(self, shop: Shop, owner: Actor) -> None:
        store_id = a_store_in(shop, owner)

        assert shop.get_store(store_id).tax_rate is None

    def test_registers_with_a_tax_rate(self, shop: Shop, owner: Actor) -> None:
        store_id = a_store_in(shop, owner, tax_rate=Decimal("5.5"))

        assert shop.get_store(store_id).tax_rate == Decimal("5.5")
        assert event_types(shop, store_id) == [Store.Registered, Store.TaxRateSet]

    def test_the_owner_removes_a_rate_they_set(
        self, shop: Shop, owner: Actor, store_id: UUID
    ) -> None:
        shop.set_tax_rate(SetTaxRate(store_id=store_id, tax_rate=Decimal("20")), owner)
        set_to_20 = shop.get_store(store_id).tax_rate

        shop.set_tax_rate(SetTaxRate(store_id=store_id, tax_rate=None), owner)

        assert (set_to_20, shop.get_store(store_id).tax_rate) == (Decimal("20"), None)

    def test_the_same_rate_again_records_nothing(
        self, shop: Shop, owner: Actor, store_id: UUID
    ) -> None:
        for _ in range(2):
            shop.set_tax_rate(SetTaxRate(store_id=store_id, tax_rate=Decimal("20")), owner)

        assert event_types(shop, store_id) == [Store.Registered, Store.TaxRateSet]

    def test_refuses_a_rate_above_100_percent(
        self, shop: Shop, owner: Actor, store_id: UUID
    ) -> None:
        with pytest.raises(InvalidTaxRateError):
            shop.set_tax_rate(SetTaxRate(store_id=store_id, tax_rate=Decimal("120")), owner)

    def test_refuses_someone_who_does_not_own_the_store(self, shop: Shop, store_id: UUID) -> None:
        with pytest.raises(PermissionDeniedError):
            shop.set_tax_rate(SetTaxRate(store_id=store_id, tax_rate=Decimal("20")), an_artisan())

    def test_an_order_keeps_the_rate_in_force_when_it_was_placed(
        self, shop: Shop, owner: Actor, store_id: UUID, mug: UUID
    ) -> None:
        stock_of(shop, store_id, mug, owner, 2)
        shop.set_tax_rate(SetTaxRate(store_id=store_id, tax_rate=Decimal("20")), owner)
        order = an_order_for(shop, store_id, uuid4(), {mug: 1})

        shop.set_tax_rate(SetTaxRate(store_id=store_id, tax_rate=Decimal("10")), owner)

        assert shop.get_order(order.id).tax_rate == Decimal("20")

    def test_an_order_placed_before_tax_rates_existed_loads_untaxed(
        self, shop: Shop, owner: Actor, store_id: UUID, mug: UUID
    ) -> None:
        old = a_v1_placement(shop, store_id, mug)
        shop.recorder.insert_events([old])

        order = shop.get_order(old.originator_id)

        assert (order.tax_rate, order.total_price) == (None, Decimal("10.00"))


def a_v1_placement(shop: Shop, store_id: UUID, product_id: UUID) -> StoredEvent:
    """`Order.Placed` as v1 stored it: no `tax_rate` and no `class_version` in its state."""
    line = OrderLine(product_id=product_id, title="Mug", quantity=1, unit_price=Decimal("10.00"))
    order = Order(id=uuid4(), user_id=uuid4(), store_id=store_id, lines=(line,), tax_rate=None)
    event = order.collect_events()[0]
    dropped = {"originator_id", "originator_version", "tax_rate"}
    state = shop.mapper.transcoder.encode(
        {key: value for key, value in vars(event).items() if key not in dropped}
    )
    if shop.mapper.compressor is not None:
        state = shop.mapper.compressor.compress(state)
    return StoredEvent(
        originator_id=order.id, originator_version=1, topic=get_topic(Order.Placed), state=state
    )


def an_old_snapshot_of(
    shop: Shop, registered: StoredEvent, name: str, version: int = 1
) -> Snapshot:
    """A Store snapshot as `version` 1 or 2 took it, its place field by field: v1 without
    opening hours (nor `class_version` in its state), v2 with them, also field by field."""
    snapshot = Snapshot.take(shop.mapper.to_domain_event(registered).mutate(None))
    values = {"location", "opening_hours", "class_version"}
    state = {k: v for k, v in snapshot.state.items() if k not in values}
    state |= asdict(snapshot.state["location"])
    if version == 2:
        state |= asdict(snapshot.state["opening_hours"]) | {"class_version": 2}
    return replace(snapshot, state={**state, "name": name})


class TestStoreSchemaEvolution(ShopTests):
    """Stores registered before opening hours existed (v1), and before the place and hours
    were values (v2), still load: from their events and from their snapshots."""

    def test_new_registrations_are_stored_as_version_3(self, shop: Shop, owner: Actor) -> None:
        store_id = a_store_in(shop, owner)

        [stored] = shop.recorder.select_events(store_id)

        assert shop.mapper.transcoder.decode(stored.state)["class_version"] == 3

    def test_a_v1_registration_loads_with_the_default_opening_hours(
        self, shop: Shop, owner: Actor
    ) -> None:
        old = an_old_store_registration(shop, owner, name="Old Kiln")
        shop.recorder.insert_events([old])

        store: Store = shop.repository.get(old.originator_id)

        assert (store.name, store.owner_id, store.location) == ("Old Kiln", owner.user_id, LYON)
        assert store.opening_hours == OpeningHours(timezone="UTC", opens_at=9, closes_at=18)

    def test_a_v2_registration_loads_as_it_was_registered(self, shop: Shop, owner: Actor) -> None:
        old = an_old_store_registration(shop, owner, name="Old Kiln", version=2)
        shop.recorder.insert_events([old])

        store: Store = shop.repository.get(old.originator_id)

        assert (store.name, store.low_stock_threshold, store.location) == ("Old Kiln", 3, LYON)
        assert store.opening_hours == OpeningHours(timezone="Asia/Tokyo", opens_at=6, closes_at=23)

    def test_a_v1_store_refuses_bookings_outside_the_default_hours(
        self, shop: Shop, owner: Actor
    ) -> None:
        old = an_old_store_registration(shop, owner)
        shop.recorder.insert_events([old])
        mug = a_product_in(shop, old.originator_id, owner)
        stock_of(shop, old.originator_id, mug, owner, 1)
        order = an_order_for(shop, old.originator_id, uuid4(), {mug: 1})

        with pytest.raises(InvalidDeliverySlotError):
            shop.schedule_delivery(a_booking(order.id, EIGHT_AM), an_admin(), now=NOW)

    def test_a_v1_snapshot_loads_with_the_default_opening_hours(
        self, shop: Shop, owner: Actor
    ) -> None:
        registered = an_old_store_registration(shop, owner, name="From the events")
        shop.recorder.insert_events([registered])
        shop.snapshots.put([an_old_snapshot_of(shop, registered, name="From the snapshot")])

        store: Store = shop.repository.get(registered.originator_id)

        assert (store.name, store.location) == ("From the snapshot", LYON)
        assert store.opening_hours == OpeningHours(timezone="UTC", opens_at=9, closes_at=18)

    def test_a_v2_snapshot_loads_as_it_was_taken(self, shop: Shop, owner: Actor) -> None:
        registered = an_old_store_registration(shop, owner, name="From the events", version=2)
        shop.recorder.insert_events([registered])
        old = an_old_snapshot_of(shop, registered, name="From the snapshot", version=2)
        shop.snapshots.put([old])

        store: Store = shop.repository.get(registered.originator_id)

        assert (store.name, store.location) == ("From the snapshot", LYON)
        assert store.opening_hours == OpeningHours(timezone="Asia/Tokyo", opens_at=6, closes_at=23)


class TestListProduct(ShopTests):
    def test_lists_the_product_at_a_two_place_price(
        self, shop: Shop, store_id: UUID, owner: Actor
    ) -> None:
        product_id = a_product_in(shop, store_id, owner, price="12.5")

        assert str(shop.repository.get(product_id).price) == "12.50"

    def test_returns_the_position_of_the_listing(
        self, shop: Shop, store_id: UUID, owner: Actor
    ) -> None:
        cmd = a_listing(store_id)

        outcome = shop.list_product(cmd, owner)

        assert outcome.position == shop.recorder.max_notification_id()

    def test_refuses_a_price_that_is_not_whole_cents(
        self, shop: Shop, store_id: UUID, owner: Actor
    ) -> None:
        with pytest.raises(InvalidPriceError):
            shop.list_product(a_listing(store_id, price="9.999"), owner)

    def test_refuses_someone_who_does_not_own_the_store(self, shop: Shop, store_id: UUID) -> None:
        with pytest.raises(PermissionDeniedError):
            shop.list_product(a_listing(store_id), an_artisan())

    def test_lets_an_admin_list_in_any_store(self, shop: Shop, store_id: UUID) -> None:
        cmd = a_listing(store_id)

        shop.list_product(cmd, an_admin())

        assert event_types(shop, cmd.product_id) == [Product.Listed]

    def test_refuses_an_unknown_store(self, shop: Shop, owner: Actor) -> None:
        with pytest.raises(StoreNotFoundError):
            shop.list_product(a_listing(uuid4()), owner)


class TestReviseProduct(ShopTests):
    def test_changes_only_the_fields_given(self, shop: Shop, owner: Actor, mug: UUID) -> None:
        shop.revise_product(ReviseProduct(product_id=mug, price=Decimal("12.00")), owner)

        product = shop.repository.get(mug)
        assert (product.title, product.price) == ("Mug", Decimal("12.00"))
        assert event_types(shop, mug) == [Product.Listed, Product.Revised]

    def test_records_nothing_when_nothing_changes(
        self, shop: Shop, owner: Actor, mug: UUID
    ) -> None:
        shop.revise_product(ReviseProduct(product_id=mug, title="Mug"), owner)

        assert event_types(shop, mug) == [Product.Listed]

    def test_refuses_a_price_of_zero(self, shop: Shop, owner: Actor, mug: UUID) -> None:
        with pytest.raises(InvalidPriceError):
            shop.revise_product(ReviseProduct(product_id=mug, price=Decimal("0")), owner)

    def test_refuses_someone_who_does_not_own_the_store(self, shop: Shop, mug: UUID) -> None:
        with pytest.raises(PermissionDeniedError):
            shop.revise_product(ReviseProduct(product_id=mug, title="Cup"), an_artisan())

    def test_refuses_an_unknown_product(self, shop: Shop, owner: Actor) -> None:
        with pytest.raises(ProductNotFoundError):
            shop.revise_product(ReviseProduct(product_id=uuid4(), title="Cup"), owner)


class TestDelistProduct(ShopTests):
    def test_takes_the_product_off_sale(self, shop: Shop, owner: Actor, mug: UUID) -> None:
        shop.delist_product(mug, owner)

        assert shop.repository.get(mug).is_delisted

    def test_delisting_twice_records_one_event(self, shop: Shop, owner: Actor, mug: UUID) -> None:
        shop.delist_product(mug, owner)

        shop.delist_product(mug, owner)

        assert event_types(shop, mug) == [Product.Listed, Product.Delisted]

    def test_lets_an_admin_delist(self, shop: Shop, mug: UUID) -> None:
        shop.delist_product(mug, an_admin())

        assert shop.repository.get(mug).is_delisted

    def test_refuses_someone_who_does_not_own_the_store(self, shop: Shop, mug: UUID) -> None:
        with pytest.raises(PermissionDeniedError):
            shop.delist_product(mug, an_artisan())

    def test_refuses_an_unknown_product(self, shop: Shop, owner: Actor) -> None:
        with pytest.raises(ProductNotFoundError):
            shop.delist_product(uuid4(), owner)


class TestAdjustStock(ShopTests):
    def test_receives_stock_into_the_store(
        self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID
    ) -> None:
        stock_of(shop, store_id, mug, owner, 5)

        stock_of(shop, store_id, mug, owner, 2)

        assert stock_item(shop, store_id, mug).on_hand == 7
        assert event_types(shop, StockItem.create_id(store_id, mug)) == [
            StockItem.Opened,
            StockItem.Received,
            StockItem.Received,
        ]

    def test_corrects_stock_with_a_reason(
        self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID
    ) -> None:
        stock_of(shop, store_id, mug, owner, 5)

        shop.adjust_stock(an_adjustment(store_id, mug, -2, "breakage"), owner)

        assert stock_item(shop, store_id, mug).on_hand == 3

    def test_refuses_to_remove_more_than_is_available(
        self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID
    ) -> None:
        stock_of(shop, store_id, mug, owner, 5)
        an_order_for(shop, store_id, uuid4(), {mug: 4})

        with pytest.raises(NegativeStockError):
            shop.adjust_stock(an_adjustment(store_id, mug, -2, "breakage"), owner)

        assert stock_item(shop, store_id, mug).on_hand == 5

    def test_refuses_someone_who_does_not_own_the_store(
        self, shop: Shop, store_id: UUID, mug: UUID
    ) -> None:
        with pytest.raises(PermissionDeniedError):
            shop.adjust_stock(an_adjustment(store_id, mug, 5), an_artisan())

    def test_lets_an_admin_adjust_any_store(self, shop: Shop, store_id: UUID, mug: UUID) -> None:
        stock_of(shop, store_id, mug, an_admin(), 5)

        assert stock_item(shop, store_id, mug).on_hand == 5

    def test_refuses_an_unknown_product(self, shop: Shop, store_id: UUID, owner: Actor) -> None:
        with pytest.raises(ProductNotFoundError):
            shop.adjust_stock(an_adjustment(store_id, uuid4(), 5), owner)

    def test_refuses_an_unknown_store(self, shop: Shop, owner: Actor, mug: UUID) -> None:
        with pytest.raises(StoreNotFoundError):
            shop.adjust_stock(an_adjustment(uuid4(), mug, 5), owner)

    def test_refuses_a_product_another_owner_listed(self, shop: Shop, mug: UUID) -> None:
        other = an_artisan()
        other_store = a_store_in(shop, other)

        with pytest.raises(PermissionDeniedError):
            shop.adjust_stock(an_adjustment(other_store, mug, 5), other)

    def test_stocks_a_product_in_another_store_of_its_owner(
        self, shop: Shop, owner: Actor, mug: UUID
    ) -> None:
        branch = a_store_in(shop, owner)

        stock_of(shop, branch, mug, owner, 4)

        assert stock_item(shop, branch, mug).on_hand == 4

    def test_lets_an_admin_stock_any_product_anywhere(self, shop: Shop, mug: UUID) -> None:
        elsewhere = a_store_in(shop, an_artisan())

        stock_of(shop, elsewhere, mug, an_admin(), 2)

        assert stock_item(shop, elsewhere, mug).on_hand == 2


class TestImportCatalogue(ShopTests):
    def test_lists_and_stocks_every_product_in_one_save(
        self, shop: Shop, store_id: UUID, owner: Actor
    ) -> None:
        listings = [a_listing(store_id), a_listing(store_id)]
        head = shop.recorder.max_notification_id() or 0

        outcome = shop.import_catalogue(an_import(store_id, listings, quantity=3), owner)

        assert outcome.position == head + 6
        for listing in listings:
            assert event_types(shop, listing.product_id) == [Product.Listed]
            assert stock_item(shop, store_id, listing.product_id).on_hand == 3

    def test_adds_to_the_stock_of_products_listed_before(
        self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID
    ) -> None:
        stock_of(shop, store_id, mug, owner, 5)
        restock = ImportCatalogue(store_id=store_id, stock=(an_adjustment(store_id, mug, 2),))

        shop.import_catalogue(restock, owner)

        assert stock_item(shop, store_id, mug).on_hand == 7

    def test_records_nothing_when_one_adjustment_is_refused(
        self, shop: Shop, store_id: UUID, owner: Actor
    ) -> None:
        fine, short = a_listing(store_id), a_listing(store_id)
        cmd = ImportCatalogue(
            store_id=store_id,
            products=(fine, short),
            stock=(
                an_adjustment(store_id, fine.product_id, 4),
                an_adjustment(store_id, short.product_id, -1),
            ),
        )
        head = shop.recorder.max_notification_id()

        with pytest.raises(NegativeStockError):
            shop.import_catalogue(cmd, owner)

        assert shop.recorder.max_notification_id() == head

    def test_refuses_a_product_listed_already(
        self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID
    ) -> None:
        again = replace(a_listing(store_id), product_id=mug)
        head = shop.recorder.max_notification_id()

        with pytest.raises(ConflictError):
            shop.import_catalogue(an_import(store_id, [a_listing(store_id), again]), owner)

        assert shop.recorder.max_notification_id() == head

    def test_refuses_a_product_of_another_store(
        self, shop: Shop, store_id: UUID, owner: Actor
    ) -> None:
        branch = a_store_in(shop, owner)

        with pytest.raises(RuleViolationError):
            shop.import_catalogue(an_import(store_id, [a_listing(branch)]), owner)

    def test_refuses_someone_who_does_not_own_the_store(self, shop: Shop, store_id: UUID) -> None:
        with pytest.raises(PermissionDeniedError):
            shop.import_catalogue(an_import(store_id, [a_listing(store_id)]), an_artisan())

    def test_refuses_stock_of_an_unknown_product(
        self, shop: Shop, store_id: UUID, owner: Actor
    ) -> None:
        cmd = ImportCatalogue(store_id=store_id, stock=(an_adjustment(store_id, uuid4(), 1),))

        with pytest.raises(ProductNotFoundError):
            shop.import_catalogue(cmd, owner)

    def test_refuses_stock_of_a_product_another_owner_listed(self, shop: Shop, mug: UUID) -> None:
        other = an_artisan()
        other_store = a_store_in(shop, other)
        cmd = ImportCatalogue(store_id=other_store, stock=(an_adjustment(other_store, mug, 1),))

        with pytest.raises(PermissionDeniedError):
            shop.import_catalogue(cmd, other)

    def test_refuses_an_unknown_store(self, shop: Shop, owner: Actor) -> None:
        nowhere = uuid4()

        with pytest.raises(StoreNotFoundError):
            shop.import_catalogue(an_import(nowhere, [a_listing(nowhere)]), owner)


class TestPlaceOrder(ShopTests):
    @pytest.fixture
    def bowl(self, shop: Shop, store_id: UUID, owner: Actor) -> UUID:
        return a_product_in(shop, store_id, owner, price="5.00", title="Bowl")

    def test_confirms_an_order_by_holding_its_stock(
        self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID, bowl: UUID
    ) -> None:
        stock_of(shop, store_id, mug, owner, 2)
        stock_of(shop, store_id, bowl, owner, 4)

        order = an_order_for(shop, store_id, uuid4(), {mug: 2, bowl: 3})

        assert order.status == "confirmed"
        assert order.total_price == Decimal("35.00")
        assert stock_item(shop, store_id, mug).reserved == 2
        assert stock_item(shop, store_id, bowl).available == 1
        assert event_types(shop, order.id) == [Order.Placed, Order.Confirmed]

    def test_returns_the_position_of_its_last_event(
        self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID
    ) -> None:
        stock_of(shop, store_id, mug, owner, 2)

        outcome = shop.place_order(an_order_request(store_id, uuid4(), {mug: 1}))

        assert outcome.position == shop.recorder.max_notification_id()

    def test_refuses_an_order_when_stock_is_short_naming_the_shortfalls(
        self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID, bowl: UUID
    ) -> None:
        stock_of(shop, store_id, mug, owner, 5)
        stock_of(shop, store_id, bowl, owner, 1)
        cmd = an_order_request(store_id, uuid4(), {mug: 2, bowl: 3})

        with pytest.raises(InsufficientStockError) as refused:
            shop.place_order(cmd)

        assert refused.value.details == {
            "order_id": str(cmd.order_id),
            "shortfalls": [{"product_id": str(bowl), "requested": 3, "available": 1}],
        }

    def test_records_a_short_order_as_rejected(
        self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID, bowl: UUID
    ) -> None:
        stock_of(shop, store_id, mug, owner, 5)
        stock_of(shop, store_id, bowl, owner, 1)

        order = a_refused_order(shop, an_order_request(store_id, uuid4(), {mug: 2, bowl: 3}))

        assert order.status == "rejected"
        assert order.shortfalls == (Shortfall(product_id=bowl, requested=3, available=1),)
        assert stock_item(shop, store_id, mug).reserved == 0
        assert stock_item(shop, store_id, bowl).reserved == 0
        assert event_types(shop, order.id) == [Order.Placed, Order.Rejected]

    def test_counts_a_product_the_store_never_stocked_as_zero(
        self, shop: Shop, store_id: UUID, mug: UUID
    ) -> None:
        order = a_refused_order(shop, an_order_request(store_id, uuid4(), {mug: 1}))

        assert order.shortfalls == (Shortfall(product_id=mug, requested=1, available=0),)

    def test_merges_duplicate_lines(
        self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID
    ) -> None:
        stock_of(shop, store_id, mug, owner, 5)
        items = (OrderItem(product_id=mug, quantity=1), OrderItem(product_id=mug, quantity=2))

        outcome = shop.place_order(
            PlaceOrder(order_id=uuid4(), user_id=uuid4(), store_id=store_id, items=items)
        )

        assert [(line.product_id, line.quantity) for line in outcome.aggregate.lines] == [(mug, 3)]

    @pytest.mark.parametrize("quantity", [0, 1001])
    def test_refuses_a_quantity_out_of_bounds(
        self, shop: Shop, store_id: UUID, mug: UUID, quantity: int
    ) -> None:
        with pytest.raises(InvalidOrderError):
            an_order_for(shop, store_id, uuid4(), {mug: quantity})

    def test_refuses_more_than_a_hundred_lines(self, shop: Shop, store_id: UUID) -> None:
        with pytest.raises(InvalidOrderError):
            an_order_for(shop, store_id, uuid4(), {uuid4(): 1 for _ in range(101)})

    def test_refuses_an_unknown_product(self, shop: Shop, store_id: UUID) -> None:
        with pytest.raises(UnknownProductError):
            an_order_for(shop, store_id, uuid4(), {uuid4(): 1})

    def test_refuses_a_delisted_product(
        self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID
    ) -> None:
        stock_of(shop, store_id, mug, owner, 5)
        shop.delist_product(mug, owner)

        with pytest.raises(UnknownProductError):
            an_order_for(shop, store_id, uuid4(), {mug: 1})

    def test_counts_a_product_not_stocked_here_as_zero(
        self, shop: Shop, store_id: UUID, owner: Actor
    ) -> None:
        other = an_artisan()
        elsewhere = a_product_in(shop, a_store_in(shop, other), other)
        stock_of(shop, store_id, a_product_in(shop, store_id, owner), owner, 5)

        order = a_refused_order(shop, an_order_request(store_id, uuid4(), {elsewhere: 1}))

        assert order.shortfalls == (Shortfall(product_id=elsewhere, requested=1, available=0),)

    def test_serves_a_product_listed_by_another_store_that_this_one_stocks(
        self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID
    ) -> None:
        branch = a_store_in(shop, owner)
        stock_of(shop, branch, mug, owner, 3)

        placed = an_order_for(shop, branch, uuid4(), {mug: 2})

        assert (placed.status, stock_item(shop, branch, mug).available) == ("confirmed", 1)

    def test_refuses_a_total_below_the_minimum(
        self, shop: Shop, store_id: UUID, owner: Actor
    ) -> None:
        pin = a_product_in(shop, store_id, owner, price="0.50", title="Pin")
        stock_of(shop, store_id, pin, owner, 5)

        with pytest.raises(OrderTotalTooLowError):
            an_order_for(shop, store_id, uuid4(), {pin: 1})

    def test_refuses_an_unknown_store(self, shop: Shop, mug: UUID) -> None:
        with pytest.raises(StoreNotFoundError):
            an_order_for(shop, uuid4(), uuid4(), {mug: 1})

    def test_repeated_order_id_returns_the_first_outcome(
        self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID
    ) -> None:
        stock_of(shop, store_id, mug, owner, 5)
        cmd = an_order_request(store_id, uuid4(), {mug: 2})
        first = shop.place_order(cmd)

        again = shop.place_order(cmd)

        assert (again.aggregate.id, again.aggregate.status) == (first.aggregate.id, "confirmed")
        assert stock_item(shop, store_id, mug).available == 3
        assert event_types(shop, cmd.order_id) == [Order.Placed, Order.Confirmed]

    def test_repeat_of_a_rejected_order_is_refused_again_after_a_delivery(
        self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID
    ) -> None:
        cmd = an_order_request(store_id, uuid4(), {mug: 2})
        a_refused_order(shop, cmd)
        stock_of(shop, store_id, mug, owner, 5)

        with pytest.raises(InsufficientStockError):
            shop.place_order(cmd)

        assert shop.get_order(cmd.order_id).status == "rejected"
        assert stock_item(shop, store_id, mug).available == 5

    def test_repeated_order_id_returns_the_first_outcome_after_delisting(
        self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID
    ) -> None:
        stock_of(shop, store_id, mug, owner, 5)
        cmd = an_order_request(store_id, uuid4(), {mug: 2})
        shop.place_order(cmd)
        shop.delist_product(mug, owner)

        again = shop.place_order(cmd)

        assert again.aggregate.status == "confirmed"

    def test_refuses_an_order_id_reused_for_other_lines(
        self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID
    ) -> None:
        stock_of(shop, store_id, mug, owner, 5)
        order = an_order_for(shop, store_id, uuid4(), {mug: 2})

        with pytest.raises(IdempotencyKeyReusedError):
            an_order_for(shop, store_id, order.user_id, {mug: 3}, order_id=order.id)

    def test_refuses_an_order_id_reused_by_another_user(
        self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID
    ) -> None:
        stock_of(shop, store_id, mug, owner, 5)
        order = an_order_for(shop, store_id, uuid4(), {mug: 2})

        with pytest.raises(IdempotencyKeyReusedError):
            an_order_for(shop, store_id, uuid4(), {mug: 2}, order_id=order.id)


class TestChangeOrderStatus(ShopTests):
    @pytest.fixture
    def order(self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID) -> Order:
        stock_of(shop, store_id, mug, owner, 5)
        return an_order_for(shop, store_id, a_customer().user_id, {mug: 2})

    def test_moves_the_order_along_its_lifecycle(
        self, shop: Shop, owner: Actor, order: Order
    ) -> None:
        shop.change_order_status(ChangeOrderStatus(order_id=order.id, status="processing"), owner)

        changed = shop.get_order(order.id)
        assert changed.status == "processing"
        assert event_types(shop, order.id)[-1] is Order.StatusChanged

    def test_records_who_changed_it(self, shop: Shop, owner: Actor, order: Order) -> None:
        shop.change_order_status(ChangeOrderStatus(order_id=order.id, status="processing"), owner)

        assert list(shop.events.get(order.id))[-1].by == owner.user_id

    def test_the_same_status_again_records_nothing(
        self, shop: Shop, owner: Actor, order: Order
    ) -> None:
        shop.change_order_status(ChangeOrderStatus(order_id=order.id, status="confirmed"), owner)

        assert event_types(shop, order.id) == [Order.Placed, Order.Confirmed]

    def test_refuses_an_illegal_transition(self, shop: Shop, owner: Actor, order: Order) -> None:
        with pytest.raises(IllegalTransitionError):
            shop.change_order_status(
                ChangeOrderStatus(order_id=order.id, status="delivered"), owner
            )

    def test_refuses_an_unknown_order(self, shop: Shop, owner: Actor) -> None:
        with pytest.raises(OrderNotFoundError):
            shop.change_order_status(ChangeOrderStatus(order_id=uuid4(), status="shipped"), owner)

    def test_cancelling_releases_the_held_stock(
        self, shop: Shop, store_id: UUID, mug: UUID, order: Order
    ) -> None:
        customer = Actor(user_id=order.user_id, role="customer")

        shop.change_order_status(ChangeOrderStatus(order_id=order.id, status="cancelled"), customer)

        assert stock_item(shop, store_id, mug).available == 5

    def test_shipping_takes_the_held_stock_off_the_shelf(
        self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID, order: Order
    ) -> None:
        for status in ("processing", "shipped"):
            shop.change_order_status(ChangeOrderStatus(order_id=order.id, status=status), owner)

        item = stock_item(shop, store_id, mug)
        assert (item.on_hand, item.reserved) == (3, 0)

    def test_refuses_a_stranger(self, shop: Shop, order: Order) -> None:
        with pytest.raises((PermissionDeniedError, OrderNotFoundError)):
            shop.change_order_status(
                ChangeOrderStatus(order_id=order.id, status="cancelled"), a_customer()
            )


NOW = datetime(2030, 7, 1, 8, 30, tzinfo=UTC)
EIGHT_AM = datetime(2030, 7, 2, 8, tzinfo=UTC)
TEN_AM = datetime(2030, 7, 2, 10, tzinfo=UTC)
NOON = datetime(2030, 7, 2, 12, tzinfo=UTC)


def a_booking(
    order_id: UUID, slot_start: datetime = TEN_AM, address: str = "1 Rua Augusta"
) -> ScheduleDelivery:
    return ScheduleDelivery(order_id=order_id, address=address, slot_start=slot_start)


class TestScheduleDelivery(ShopTests):
    @pytest.fixture
    def order(self, shop: Shop, store_id: UUID, owner: Actor, mug: UUID) -> Order:
        stock_of(shop, store_id, mug, owner, 5)
        return an_order_for(shop, store_id, a_customer().user_id, {mug: 2})

    def test_the_customer_books_a_slot(self, shop: Shop, order: Order) -> None:
        customer = Actor(user_id=order.user_id, role="customer")

        outcome = shop.schedule_delivery(a_booking(order.id), customer, now=NOW)

        booked = shop.get_order(order.id)
        assert booked.delivery == Delivery(address="1 Rua Augusta", slot_start=TEN_AM)
        assert outcome.position == shop.position()
        assert list(shop.events.get(order.id))[-1].by == customer.user_id

    def test_the_store_owner_books_a_slot(self, shop: Shop, owner: Actor, order: Order) -> None:
        shop.schedule_delivery(a_booking(order.id), owner, now=NOW)

        assert event_types(shop, order.id)[-1] is Order.DeliveryScheduled

    def test_an_admin_books_a_slot(self, shop: Shop, order: Order) -> None:
        shop.schedule_delivery(a_booking(order.id), an_admin(), now=NOW)

        assert event_types(shop, order.id)[-1] is Order.DeliveryScheduled

    def test_to_a_stranger_the_order_does_not_exist(self, shop: Shop, order: Order) -> None:
        with pytest.raises(OrderNotFoundError):
            shop.schedule_delivery(a_booking(order.id), a_customer(), now=NOW)

    def test_refuses_an_unknown_order(self, shop: Shop, owner: Actor) -> None:
        with pytest.raises(OrderNotFoundError):
            shop.schedule_delivery(a_booking(uuid4()), owner, now=NOW)

    def test_rescheduling_keeps_the_last_booking(
        self, shop: Shop, owner: Actor, order: Order
    ) -> None:
        shop.schedule_delivery(a_booking(order.id, TEN_AM), owner, now=NOW)

        shop.schedule_delivery(a_booking(order.id, NOON), owner, now=NOW)

        assert shop.get_order(order.id).delivery == Delivery(
            address="1 Rua Augusta", slot_start=NOON
        )
        assert event_types(shop, order.id)[-2:] == [Order.DeliveryScheduled] * 2

    def test_the_same_booking_again_records_nothing(
        self, shop: Shop, owner: Actor, order: Order
    ) -> None:
        first = shop.schedule_delivery(a_booking(order.id), owner, now=NOW)

        again = shop.schedule_delivery(a_booking(order.id), owner, now=NOW)

        assert event_types(shop, order.id).count(Order.DeliveryScheduled) == 1
        assert again.position == first.position

    def test_uses_the_opening_hours_of_the_orders_store(self, shop: Shop) -> None:
        owner = an_artisan()
        store_id = a_store_in(shop, owner, timezone="America/New_York")
        bowl = a_product_in(shop, store_id, owner)
        stock_of(shop, store_id, bowl, owner, 1)
        order = an_order_for(shop, store_id, uuid4(), {bowl: 1})

        with pytest.raises(InvalidDeliverySlotError):
            shop.schedule_delivery(a_booking(order.id, TEN_AM), owner, now=NOW)  # 06:00 EDT

    def test_refuses_a_slot_before_now(self, shop: Shop, owner: Actor, order: Order) -> None:
        with pytest.raises(InvalidDeliverySlotError):
            shop.schedule_delivery(a_booking(order.id, TEN_AM), owner, now=NOON)

    def test_refuses_a_shipped_order(self, shop: Shop, owner: Actor, order: Order) -> None:
        for status in ("processing", "shipped"):
            shop.change_order_status(ChangeOrderStatus(order_id=order.id, status=status), owner)

        with pytest.raises(DeliveryNotAllowedError):
            shop.schedule_delivery(a_booking(order.id), owner, now=NOW)
