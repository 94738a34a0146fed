"""A small demo data set, made through the ordinary commands so every row has its events."""

from __future__ import annotations

import logging
from decimal import Decimal
from uuid import NAMESPACE_URL, uuid5

from bazaar.wiring import Container
from write_model.accounts import UserNotFoundError
from write_model.commands import Actor, AdjustStock, ListProduct, RegisterStore, RegisterUser
from write_model.users import User

log = logging.getLogger(__name__)
DEMO = uuid5(NAMESPACE_URL, "bazaar:demo")
ADMIN = ("admin@bazaar.example", "admin", "demo-admin-1")
CUSTOMER = ("customer@bazaar.example", "customer", "demo-customer-1")
ARTISAN = ("artisan@bazaar.example", "artisan", "demo-artisan-1")
STORES = [
    ("Old Town Ceramics", "Lisbon", 38.7139, -9.1334),
    ("Riverside Bakery", "Lisbon", 38.7071, -9.1366),
    ("Harbour Woodworks", "Porto", 41.1412, -8.6110),
]
PRODUCTS = [
    ("Glazed mug", "Hand-thrown stoneware mug, 350 ml.", "12.50", "ceramics"),
    ("Serving bowl", "Wide bowl in speckled glaze.", "34.00", "ceramics"),
    ("Sourdough loaf", "Naturally leavened, baked this morning.", "4.80", "bakery"),
    ("Almond croissant", "Butter croissant with almond cream.", "2.90", "bakery"),
    ("Oak cutting board", "End-grain oak, oiled.", "45.00", "woodwork"),
    ("Walnut spoon", "Carved walnut cooking spoon.", "9.00", "woodwork"),
]


def seed_demo(container: Container) -> list[tuple[str, str, str]]:
    """Create the demo users, stores, products and stock unless they exist; returns logins."""
    accounts, shop = container.accounts, container.shop
    logins = [ADMIN, CUSTOMER, ARTISAN]
    try:
        accounts.get_user(User.create_id(ARTISAN[0]))
        log.info("demo data already present")
        return logins
    except UserNotFoundError:
        pass
    accounts.ensure_admin(ADMIN[0], ADMIN[2], username=ADMIN[1])
    accounts.register(RegisterUser(email=CUSTOMER[0], username=CUSTOMER[1], password=CUSTOMER[2]))
    artisan, _ = accounts.register(
        RegisterUser(email=ARTISAN[0], username=ARTISAN[1], password=ARTISAN[2], role="artisan")
    )
    owner = Actor(user_id=artisan.id, role="artisan")
    for n, (name, city, lat, lng) in enumerate(STORES):
        store_id = uuid5(DEMO, f"store/{n}")
        cmd = RegisterStore(
            store_id=store_id, owner_id=owner.user_id, name=name, city=city, lat=lat, lng=lng
        )
        shop.register_store(cmd)
        for m, (title, description, price, category) in enumerate(PRODUCTS):
            product_id = uuid5(DEMO, f"product/{n}/{m}")
            shop.list_product(
                ListProduct(
                    product_id=product_id,
                    store_id=store_id,
                    title=title,
                    description=description,
                    price=Decimal(price),
                    category=category,
                ),
                owner,
            )
            shop.adjust_stock(
                AdjustStock(store_id=store_id, product_id=product_id, quantity=20), owner
            )
    log.info("seeded %d stores with %d products each", len(STORES), len(PRODUCTS))
    return logins
