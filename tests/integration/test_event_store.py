"""The unit application suites rerun on the PostgreSQL event store, by subclassing with its env.

Each test gets a schema of its own in the run's database: the accounts suite registers the
same e-mails in every test, and a user's id is derived from the e-mail.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any, ClassVar
from uuid import UUID

import psycopg
import pytest
from eventsourcing.application import project_aggregate
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL

from bazaar.event_store import LockingInsertRecorder
from tests.builders import (
    a_product_in,
    a_shop,
    a_store_in,
    an_admin,
    an_artisan,
    an_order_for,
    an_order_request,
    stock_of,
)
from tests.unit import test_accounts, test_flash_sales, test_history, test_shop
from write_model.accounts import Accounts
from write_model.inventory import StockItem
from write_model.orders import InsufficientStockError
from write_model.shop import Shop

pytestmark = pytest.mark.integration


@pytest.fixture
def postgres_env(database_url: str, event_store_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """The run's event store settings, with tables in a fresh schema dropped afterwards."""
    schema = f"es_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield {
        **event_store_env,
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_POOL_SIZE": "2",
        "POSTGRES_MAX_OVERFLOW": "2",
    }
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_the_reruns_record_their_events_in_postgres(postgres_env: dict[str, str]) -> None:
    shop = a_shop(postgres_env)

    recorder = shop.recorder
    shop.close()

    assert isinstance(recorder, PostgresApplicationRecorder)


class OnPostgres:
    """Replaces the in-memory shop of `test_shop.ShopTests` (and `test_history`) with Postgres."""

    @pytest.fixture
    def shop(self, postgres_env: dict[str, str]) -> Iterator[Shop]:
        shop = a_shop(postgres_env)
        yield shop
        shop.close()


class AccountsOnPostgres:
    """Replaces the in-memory accounts of `test_accounts.AccountsTests` with Postgres ones."""

    @pytest.fixture
    def accounts(
        self, hasher: test_accounts.FakeHasher, postgres_env: dict[str, str]
    ) -> Iterator[Accounts]:
        accounts = Accounts(env=postgres_env, hasher=hasher)
        yield accounts
        accounts.close()


class TestRegisterStoreOnPostgres(OnPostgres, test_shop.TestRegisterStore):
    pass


class TestListProductOnPostgres(OnPostgres, test_shop.TestListProduct):
    pass


class TestAdjustStockOnPostgres(OnPostgres, test_shop.TestAdjustStock):
    pass


class TestImportCatalogueOnPostgres(OnPostgres, test_shop.TestImportCatalogue):
    pass


class TestPlaceOrderOnPostgres(OnPostgres, test_shop.TestPlaceOrder):
    pass


class TestChangeOrderStatusOnPostgres(OnPostgres, test_shop.TestChangeOrderStatus):
    pass


class TestScheduleDeliveryOnPostgres(OnPostgres, test_shop.TestScheduleDelivery):
    pass


class TestSetFlashSaleOnPostgres(OnPostgres, test_flash_sales.TestSetFlashSale):
    """Sale times go through the stored JSON and come back as the same UTC instants."""


class TestCancelFlashSaleOnPostgres(OnPostgres, test_flash_sales.TestCancelFlashSale):
    pass


class TestOrdersDuringAFlashSaleOnPostgres(OnPostgres, test_flash_sales.TestOrdersDuringAFlashSale):
    pass


class TestStoreSchemaEvolutionOnPostgres(OnPostgres, test_shop.TestStoreSchemaEvolution):
    """v1 `Store.Registered` rows and v1 Store snapshots written to Postgres, then loaded."""


class TestSetTaxRateOnPostgres(OnPostgres, test_shop.TestSetTaxRate):
    """Rates go through the stored JSON as exact Decimals; v1 `Order.Placed` rows still load."""


class TestOrderHistoryOnPostgres(OnPostgres, test_history.TestOrderHistory):
    pass


class TestOrderAsOfOnPostgres(OnPostgres, test_history.TestOrderAsOf):
    pass


class TestRegisterOnPostgres(AccountsOnPostgres, test_accounts.TestRegister):
    pass


class TestAuthenticateOnPostgres(AccountsOnPostgres, test_accounts.TestAuthenticate):
    pass


class TestEnsureAdminOnPostgres(AccountsOnPostgres, test_accounts.TestEnsureAdmin):
    pass


class SentStatements(psycopg.Cursor[Any]):
    """A cursor that records, for all its kind, the statements it sends and how many rows
    each fetch brought back."""

    sent: ClassVar[list[str]] = []
    fetched: ClassVar[list[int]] = []

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> SentStatements:
        self.sent.append(str(query))
        return super().execute(query, params, **kwargs)

    def fetchall(self) -> list[Any]:
        rows = super().fetchall()
        self.fetched.append(len(rows))
        return rows


@pytest.fixture
def one_connection_shop(postgres_env: dict[str, str]) -> Iterator[Shop]:
    """A shop with a single connection, whose statements `SentStatements` records."""
    shop = a_shop({**postgres_env, "POSTGRES_POOL_SIZE": "0", "POSTGRES_MAX_OVERFLOW": "1"})
    assert isinstance(shop.recorder, PostgresApplicationRecorder)
    with shop.recorder.datastore.get_connection() as conn:
        conn.cursor_factory = SentStatements
    yield shop
    shop.close()


@pytest.fixture
def pottery(one_connection_shop: Shop) -> tuple[UUID, list[UUID]]:
    """A store stocking three products, each already known to the shop."""
    shop, owner = one_connection_shop, an_artisan()
    store = a_store_in(shop, owner)
    products = [a_product_in(shop, store, owner, title=f"Mug {n}") for n in range(3)]
    for product in products:
        stock_of(shop, store, product, owner, 5)
    an_order_for(shop, store, uuid.uuid4(), dict.fromkeys(products, 1))
    return store, products


class TestRoundTripsOfAnOrder:
    def test_an_order_of_three_products_is_one_read_then_one_save(
        self, one_connection_shop: Shop, pottery: tuple[UUID, list[UUID]]
    ) -> None:
        store, products = pottery
        SentStatements.sent.clear()

        an_order_for(one_connection_shop, store, uuid.uuid4(), dict.fromkeys(products, 1))

        assert len(SentStatements.sent) == 2, SentStatements.sent

    def test_an_order_reads_back_none_of_what_the_last_one_wrote(
        self, one_connection_shop: Shop, pottery: tuple[UUID, list[UUID]]
    ) -> None:
        store, products = pottery
        SentStatements.fetched.clear()

        an_order_for(one_connection_shop, store, uuid.uuid4(), dict.fromkeys(products, 1))

        assert SentStatements.fetched[0] == 0, SentStatements.fetched

    def test_an_import_of_many_new_products_is_two_reads_then_one_save(
        self, one_connection_shop: Shop
    ) -> None:
        owner = an_artisan()
        store = a_store_in(one_connection_shop, owner)
        listings = [test_shop.a_listing(store) for _ in range(50)]
        SentStatements.sent.clear()

        one_connection_shop.import_catalogue(test_shop.an_import(store, listings), owner)

        assert len(SentStatements.sent) == 3, SentStatements.sent

    def test_what_another_process_saved_is_decided_on(
        self,
        one_connection_shop: Shop,
        postgres_env: dict[str, str],
        pottery: tuple[UUID, list[UUID]],
    ) -> None:
        store, products = pottery
        other = a_shop(postgres_env)
        an_order_for(other, store, uuid.uuid4(), {products[0]: 4})
        other.close()

        with pytest.raises(InsufficientStockError):
            one_connection_shop.place_order(an_order_request(store, uuid.uuid4(), {products[0]: 1}))

    def test_the_read_looks_each_aggregate_up_by_index_even_when_prepared(
        self, one_connection_shop: Shop, pottery: tuple[UUID, list[UUID]]
    ) -> None:
        recorder = one_connection_shop.recorder
        assert isinstance(recorder, LockingInsertRecorder)
        _, products = pottery

        with recorder.datastore.get_connection() as conn, conn.transaction():
            conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            plan = conn.execute(
                SQL("EXPLAIN ") + recorder.sql_select_events_after, (products, [0, 0, 0])
            ).fetchall()

        assert "Seq Scan" not in str(plan)


class TestSnapshotsOfStock:
    """A stock item is snapshotted every `interval` events, from the item just saved."""

    interval = Shop.snapshotting_intervals[StockItem]

    @pytest.fixture
    def one_short(
        self, one_connection_shop: Shop, pottery: tuple[UUID, list[UUID]]
    ) -> tuple[UUID, UUID]:
        """The store and a product whose stock item is one event short of a snapshot."""
        shop, admin = one_connection_shop, an_admin()
        store, products = pottery
        item_id = StockItem.create_id(store, products[0])
        for _ in range(self.interval - 1 - shop.repository.get(item_id).version):
            stock_of(shop, store, products[0], admin, 1)
        return store, products[0]

    def test_the_order_reaching_the_interval_adds_only_the_snapshot_to_its_statements(
        self, one_connection_shop: Shop, one_short: tuple[UUID, UUID]
    ) -> None:
        store, product = one_short
        SentStatements.sent.clear()

        an_order_for(one_connection_shop, store, uuid.uuid4(), {product: 1})

        assert len(SentStatements.sent) == 3, SentStatements.sent

    def test_the_snapshot_is_the_state_its_events_replay_to(
        self, one_connection_shop: Shop, one_short: tuple[UUID, UUID]
    ) -> None:
        shop, (store, product) = one_connection_shop, one_short
        an_order_for(shop, store, uuid.uuid4(), {product: 2})
        item_id = StockItem.create_id(store, product)

        [snapshot] = shop.snapshots.get(item_id)
        replayed = project_aggregate(None, shop.events.get(item_id, lte=self.interval))

        assert snapshot.originator_version == self.interval
        assert vars(snapshot.mutate(None)) == vars(replayed)


class TestReadingTheLog:
    @pytest.fixture
    def logged(self, postgres_env: dict[str, str]) -> Iterator[Shop]:
        """A shop whose log holds a store, products, their stock and an order."""
        shop, owner = a_shop(postgres_env), an_artisan()
        store = a_store_in(shop, owner)
        products = [a_product_in(shop, store, owner, title=f"Mug {n}") for n in range(3)]
        for product in products:
            stock_of(shop, store, product, owner, 5)
        an_order_for(shop, store, uuid.uuid4(), dict.fromkeys(products, 1))
        yield shop
        shop.close()

    @pytest.mark.parametrize("start", [None, 1, 3])
    @pytest.mark.parametrize("inclusive_of_start", [True, False])
    @pytest.mark.parametrize("stop", [None, 6])
    @pytest.mark.parametrize("limit", [2, 100])
    @pytest.mark.parametrize("of_topics", [False, True])
    def test_notifications_are_the_librarys_whatever_is_asked(
        self,
        logged: Shop,
        start: int | None,
        inclusive_of_start: bool,
        stop: int | None,
        limit: int,
        of_topics: bool,
    ) -> None:
        recorder = logged.recorder
        topics = sorted({n.topic for n in recorder.select_notifications(1, 100)})[:2]
        asked: dict[str, Any] = {
            "stop": stop,
            "topics": topics if of_topics else (),
            "inclusive_of_start": inclusive_of_start,
        }

        ours = recorder.select_notifications(start, limit, **asked)

        assert ours
        assert ours == PostgresApplicationRecorder.select_notifications(
            recorder, start, limit, **asked
        )
