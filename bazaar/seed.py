"""Generated data sets, made through the ordinary commands so every row has its events.

Every id is uuid5 of one namespace and the item's index, and every item's data comes from
a Faker seeded by that index: a run asks the event store which aggregates exist and makes
only the missing ones, so repeating a run adds nothing and a larger one adds the difference.
Products belong to one store each; a store lists its share of them and stocks all it lists.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from uuid import NAMESPACE_URL, UUID, uuid5

from bazaar.bulk import missing, run_in_threads
from bazaar.fake_catalogue import FakeCatalogue, FakeProduct
from bazaar.sizes import DEMO, Size
from bazaar.wiring import Container
from write_model.accounts import Accounts, UserNotFoundError
from write_model.catalogue import Location
from write_model.commands import (
    Actor,
    AdjustStock,
    ImportCatalogue,
    ListProduct,
    OrderItem,
    PlaceOrder,
    RegisterStore,
    RegisterUser,
)
from write_model.delivery import OpeningHours
from write_model.inventory import StockItem
from write_model.shop import Shop
from write_model.users import User

log = logging.getLogger(__name__)
NAMESPACE = uuid5(NAMESPACE_URL, "bazaar:demo")
ADMIN = ("admin@bazaar.example", "admin", "demo-admin-1")
CUSTOMERS = (
    ("customer@bazaar.example", "customer", "demo-customer-1"),
    ("customer2@bazaar.example", "customer2", "demo-customer-2"),
)
ARTISANS = (
    ("artisan@bazaar.example", "artisan", "demo-artisan-1"),
    ("artisan2@bazaar.example", "artisan2", "demo-artisan-2"),
)
ORDER_LINES = 3
IMPORT_SIZE = 250
"""Products per save: 250 products and their stock are about 100 kB of events."""
Login = tuple[str, str, str]
Progress = Callable[[int, int, int], None]
"""Told the commands sent, of how many, as they are sent (a `ProgressBar`)."""


@dataclass(frozen=True, slots=True)
class Seeded:
    """What a run found, what it added, and how fast."""

    logins: list[Login]
    stores: int
    products: int
    added_stores: int
    added_products: int
    added_orders: int
    commands: int
    seconds: float

    def summary(self) -> str:
        if not self.commands:
            return f"nothing missing of {self.stores} stores and {self.products} products"
        return (
            f"seeded {self.added_stores} stores, {self.added_products} products and "
            f"{self.added_orders} orders ({self.commands} commands) in {self.seconds:.1f}s: "
            f"{self.commands / max(self.seconds, 1e-9):,.0f} commands/s; "
            f"now {self.stores} stores, {self.products} products"
        )


@dataclass(frozen=True, slots=True)
class Import:
    """Some of one store's missing products and stock, listed and stocked in one save."""

    owner: Actor
    catalogue: ImportCatalogue

    @property
    def commands(self) -> int:
        return len(self.catalogue.products) + len(self.catalogue.stock)


def seed_demo(container: Container) -> list[Login]:
    """The small demo set unless it exists; returns the logins."""
    seeded = seed(container, DEMO)
    log.info(seeded.summary())
    return seeded.logins


def seed(
    container: Container, size: Size, threads: int = 4, progress: Progress = lambda *_: None
) -> Seeded:
    """Make whatever of `size` is missing: users, stores, products with stock, orders."""
    started = time.perf_counter()
    shop, catalogue = container.shop, FakeCatalogue()
    admin, customers, artisans = _users(container.accounts)
    owners = [Actor(user_id=artisan, role="artisan") for artisan in artisans]
    new_stores = _stores(shop, catalogue, size, owners)
    imports = _imports(shop, catalogue, size, owners)
    total = sum(i.commands for i in imports)
    sent = run_in_threads(
        partial(_import, shop), imports, threads, lambda done: progress(done, total, done)
    )
    orders = _orders(shop, catalogue, size, customers)
    return Seeded(
        logins=[admin, *CUSTOMERS, *ARTISANS],
        stores=size.stores,
        products=size.products,
        added_stores=new_stores,
        added_products=sum(len(i.catalogue.products) for i in imports),
        added_orders=orders,
        commands=new_stores + sent + orders,
        seconds=time.perf_counter() - started,
    )


def store_id(store: int) -> UUID:
    return uuid5(NAMESPACE, f"store/{store}")


def product_id(store: int, index: int) -> UUID:
    """The `index`th product of store `store` (the old demo set's ids, extended)."""
    return uuid5(NAMESPACE, f"product/{store}/{index}")


def order_id(index: int) -> UUID:
    return uuid5(NAMESPACE, f"order/{index}")


def _users(accounts: Accounts) -> tuple[Login, list[UUID], list[UUID]]:
    """Register the missing demo users; returns the admin's login (its username may be
    numbered if a configured admin took `admin` first) and the customers' and artisans' ids."""
    admin_email, _, admin_password = ADMIN
    admin = accounts.ensure_admin(admin_email, admin_password)
    for role, logins in (("customer", CUSTOMERS), ("artisan", ARTISANS)):
        for email, username, password in logins:
            if not _exists(accounts, email):
                cmd = RegisterUser(email=email, username=username, password=password, role=role)
                accounts.register(cmd)
    customers = [User.create_id(c[0]) for c in CUSTOMERS]
    artisans = [User.create_id(a[0]) for a in ARTISANS]
    return (admin_email, admin.username, admin_password), customers, artisans


def _exists(accounts: Accounts, email: str) -> bool:
    try:
        accounts.get_user(User.create_id(email))
    except UserNotFoundError:
        return False
    return True


def _stores(shop: Shop, catalogue: FakeCatalogue, size: Size, owners: list[Actor]) -> int:
    """Register the missing stores, owned by the artisans in turn; returns how many."""
    absent = missing(shop, [store_id(s) for s in range(size.stores)])
    new = [s for s in range(size.stores) if store_id(s) in absent]
    for s in new:
        store = catalogue.store(s)
        shop.register_store(
            RegisterStore(
                store_id=store_id(s),
                owner_id=owners[s % len(owners)].user_id,
                name=store.name,
                location=Location(
                    city=store.city,
                    lat=store.lat,
                    lng=store.lng,
                    delivery_radius_km=store.delivery_radius_km,
                ),
                opening_hours=OpeningHours(timezone=store.timezone),
            )
        )
    return len(new)


def _imports(shop: Shop, catalogue: FakeCatalogue, size: Size, owners: list[Actor]) -> list[Import]:
    """The products, and the stock of products, that do not exist yet, IMPORT_SIZE at a time."""
    stores = [store_id(s) for s in range(size.stores)]
    products = {
        (s, k): product_id(s, k) for s in range(size.stores) for k in range(size.per_store(s))
    }
    stock = {(s, k): StockItem.create_id(stores[s], pid) for (s, k), pid in products.items()}
    absent = missing(shop, [*products.values(), *stock.values()])
    imports = []
    for s, sid in enumerate(stores):
        city, owner = catalogue.store(s).city, owners[s % len(owners)]
        due = [
            k for k in range(size.per_store(s)) if products[s, k] in absent or stock[s, k] in absent
        ]
        for start in range(0, len(due), IMPORT_SIZE):
            chunk = due[start : start + IMPORT_SIZE]
            items = [(products[s, k], stock[s, k], catalogue.product(s, k, city)) for k in chunk]
            cmd = ImportCatalogue(
                store_id=sid,
                products=tuple(_listing(item, sid, pid) for pid, _, item in items if pid in absent),
                stock=tuple(
                    AdjustStock(store_id=sid, product_id=pid, quantity=item.stock)
                    for pid, item_id, item in items
                    if item_id in absent
                ),
            )
            imports.append(Import(owner=owner, catalogue=cmd))
    return imports


def _listing(item: FakeProduct, store: UUID, product: UUID) -> ListProduct:
    return ListProduct(
        product_id=product,
        store_id=store,
        title=item.title,
        description=item.description,
        price=item.price,
        category=item.category,
    )


def _import(shop: Shop, item: Import) -> int:
    shop.import_catalogue(item.catalogue, item.owner)
    return item.commands


def _orders(shop: Shop, catalogue: FakeCatalogue, size: Size, customers: list[UUID]) -> int:
    """A few orders of up to three products each, from stores that list any; returns how many."""
    absent = missing(shop, [order_id(n) for n in range(size.orders)])
    placed = 0
    for n in range(size.orders):
        store = n % size.stores
        if order_id(n) not in absent or not size.per_store(store):
            continue
        chosen = catalogue.pick(f"order/{n}", ORDER_LINES, size.per_store(store))
        items = tuple(
            OrderItem(product_id=product_id(store, k), quantity=1 + k % 2) for k in chosen
        )
        customer = customers[n % len(customers)]
        shop.place_order(
            PlaceOrder(
                order_id=order_id(n), user_id=customer, store_id=store_id(store), items=items
            )
        )
        placed += 1
    return placed
