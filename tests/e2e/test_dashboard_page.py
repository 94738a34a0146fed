"""The dashboard page: served by the service itself, and live in a real headless Chromium."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from api.main import create_app
from api.security import TokenService
from bazaar.wiring import Container
from tests.http_driver import (
    Session,
    a_product,
    a_store,
    after,
    assert_error,
    available,
    open_store,
    place,
    receive,
    register,
    sign_in,
)
from tests.stacks import serving

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--window-size=1366,900",
)
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
ASSETS = {
    "/dashboard": "text/html",
    "/dashboard/assets/dashboard.js": "text/javascript",
    "/dashboard/assets/dashboard.css": "text/css",
}
ELSEWHERE = re.compile(r"https?:|(?:src|href)\s*=\s*[\"']?//|url\(\s*[\"']?//|@import", re.I)


class TestThePageIsServedByTheService:
    def test_serves_the_page_with_its_assets(self, client: httpx.Client) -> None:
        answers = {path: client.get(path) for path in ASSETS}

        for path, kind in ASSETS.items():
            assert answers[path].status_code == 200, path
            assert answers[path].headers["content-type"].startswith(kind), path
        html = answers["/dashboard"].text
        assert 'src="/dashboard/assets/dashboard.js"' in html
        assert 'href="/dashboard/assets/dashboard.css"' in html

    def test_loads_nothing_from_another_origin(self, client: httpx.Client) -> None:
        answers = [client.get(path) for path in ASSETS]

        for answer in answers:
            assert not ELSEWHERE.search(answer.text), ELSEWHERE.search(answer.text)
            assert "default-src 'self'" in answer.headers["content-security-policy"]

    def test_an_unknown_asset_is_a_404_envelope(self, client: httpx.Client) -> None:
        answer = client.get("/dashboard/assets/..%2Fmain.py")

        assert_error(answer, 404)


@dataclass(frozen=True)
class Shop:
    """A store with stock, its owner (and how they sign in) and a customer."""

    owner: Session
    owner_login: str
    customer: Session
    store: dict[str, Any]
    products: dict[str, dict[str, Any]]

    def order(self, client: httpx.Client, **quantities: int) -> httpx.Response:
        by_id = {self.products[title]["id"]: qty for title, qty in quantities.items()}
        return place(client, self.customer, self.store["id"], by_id)

    def hold(self, client: httpx.Client, title: str) -> str:
        """One unit of the product held for the customer; the reservation's id."""
        body = {
            "store_id": self.store["id"],
            "items": [{"product_id": self.products[title]["id"], "quantity": 1}],
        }
        held = client.post("/api/reservations", json=body, headers=self.customer.auth)
        assert held.status_code == 201, held.text
        return str(held.json()["id"])


@pytest.fixture
def shop(client: httpx.Client) -> Shop:
    owner, customer = register(client, "artisan"), register(client)
    login = client.get("/api/auth/me", headers=owner.auth).json()["username"]
    store = a_store(client, owner, name="Kiln Street Pottery", low_stock_threshold=2)
    stock = {
        "Stoneware mug": ("12.50", "ceramics", 20),
        "Linen apron": ("30.00", "textiles", 6),
        "Glazed vase": ("45.00", "ceramics", 2),
    }
    products = {}
    for title, (price, category, quantity) in stock.items():
        product = a_product(client, owner, store["id"], price, title=title, category=category)
        stocked = receive(client, owner, store["id"], product["id"], quantity)
        products[title] = product
    available(client, store["id"], since=stocked)
    return Shop(owner, login, customer, store, products)


ADMIN_PASSWORD = "admin-pass-1"


@pytest.fixture
def admin(client: httpx.Client, container: Container) -> tuple[str, Session]:
    """An admin's username and their API session."""
    name = f"a{uuid.uuid4().hex[:12]}"
    container.accounts.ensure_admin(f"{name}@example.com", ADMIN_PASSWORD, username=name)
    return name, sign_in(client, name, ADMIN_PASSWORD)


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    """Debian's headless Chromium; the explicit driver path keeps Selenium Manager (and its
    downloads) out of it. Missing, the test fails: CI installs both packages."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if missing:
        pytest.fail(
            f"The dashboard's browser test needs Debian's chromium and chromium-driver: "
            f"{' and '.join(missing)} missing (apt-get install chromium chromium-driver)."
        )
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in CHROMIUM_ARGS:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


class Dashboard:
    """The page as a user sees it: what they type and pick, the figures and rows shown."""

    def __init__(self, driver: WebDriver, server: str) -> None:
        self.driver, self.server = driver, server

    def open(self) -> Dashboard:
        self.driver.get(f"{self.server}/dashboard?refresh_ms=250")
        return self

    def sign_in(
        self, login: str, password: str = "s3cret-pass", view: str = "dashboard-view"
    ) -> Dashboard:
        self.driver.find_element(By.ID, "login").send_keys(login)
        self.driver.find_element(By.ID, "password").send_keys(password)
        self.driver.find_element(By.ID, "signin-submit").click()
        self.wait_until(lambda: self.visible(view), f"{view} to open")
        return self

    def pick_store(self, name: str) -> None:
        Select(self.testid("store-select")).select_by_visible_text(name)

    def pick_month(self, year: int, month: int) -> None:
        """Chromium's month field takes no typed text in every locale: set it as a picker would."""
        self.driver.execute_script(
            "const field = arguments[0]; field.value = arguments[1];"
            " field.dispatchEvent(new Event('change'));",
            self.testid("month-select"),
            f"{year}-{month:02d}",
        )

    def store_names(self) -> list[str]:
        return [option.text for option in Select(self.testid("store-select")).options]

    def visible(self, element_id: str) -> bool:
        return bool(self.driver.find_element(By.ID, element_id).is_displayed())

    def testid(self, name: str) -> Any:
        return self.driver.find_element(By.CSS_SELECTOR, f'[data-testid="{name}"]')

    def all_testid(self, name: str) -> list[Any]:
        return list(self.driver.find_elements(By.CSS_SELECTOR, f'[data-testid="{name}"]'))

    def figure(self, name: str) -> str:
        return str(self.testid(name).get_attribute("data-value"))

    def rows(self, name: str) -> list[list[str]]:
        cells = [row.find_elements(By.TAG_NAME, "td") for row in self.all_testid(name)]
        return [[cell.text for cell in row] for row in cells]

    def revenue_bar(self, day: str) -> str:
        bars = [b for b in self.all_testid("revenue-bar") if b.get_attribute("data-day") == day]
        return str(bars[0].get_attribute("data-value")) if bars else ""

    def banner(self) -> str:
        return str(self.testid("banner").text)

    def wait_until(self, condition: Callable[[], object], what: str) -> None:
        """The page redraws as figures change: an element gone meanwhile is looked up again."""
        WebDriverWait(self.driver, 20, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda _: condition(), f"waited for {what}"
        )

    def access_token(self) -> str:
        return str(self.driver.execute_script("return sessionStorage.getItem('bazaar.access')"))

    def press(self, name: str) -> None:
        """Click a button, found afresh until the click lands on the page as drawn now."""
        self.wait_until(lambda: self.testid(name).click() is None, f"{name} to be pressed")

    def type_into(self, name: str, text: str) -> None:
        def typed() -> bool:
            field = self.testid(name)
            field.clear()
            field.send_keys(text)
            return True

        self.wait_until(typed, f"{text!r} typed into {name}")

    def save_screenshot(self, name: str) -> None:
        OUTPUT.mkdir(exist_ok=True)
        assert self.driver.save_screenshot(str(OUTPUT / name))


@pytest.fixture
def dashboard(browser: WebDriver, server: str) -> Dashboard:
    return Dashboard(browser, server)


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def this_months_revenue(client: httpx.Client, admin: Session, since: httpx.Response) -> str:
    """Every store's revenue this month, as the API tells an admin once it has seen `since`."""
    first = datetime.now(UTC).date().replace(day=1)
    last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    answer = client.get(
        "/api/analytics/sales",
        params={"from": first.isoformat(), "to": last.isoformat()},
        headers={**admin.auth, **after(since)},
    )
    assert answer.status_code == 200, answer.text
    return f"{sum(Decimal(day['revenue']) for day in answer.json()):.2f}"


class TestTheDashboardFollowsOrdersLive:
    def test_the_figures_follow_new_orders(
        self, client: httpx.Client, shop: Shop, dashboard: Dashboard
    ) -> None:
        dashboard.open().sign_in(shop.owner_login)
        dashboard.pick_store(f"{shop.store['name']} — {shop.store['city']}")
        dashboard.wait_until(lambda: dashboard.figure("card-revenue") == "0.00", "no revenue")
        assert dashboard.revenue_bar(today()) == "0.00"
        assert dashboard.rows("top-product-row") == []

        first = shop.order(client, **{"Stoneware mug": 2, "Linen apron": 1})
        second = shop.order(client, **{"Stoneware mug": 1, "Glazed vase": 1})

        assert first.status_code == second.status_code == 201, (first.text, second.text)
        dashboard.wait_until(lambda: dashboard.figure("card-revenue") == "112.50", "the revenue")
        assert dashboard.figure("card-orders") == "2"
        assert dashboard.revenue_bar(today()) == "112.50"
        assert dashboard.rows("top-product-row") == [
            ["1", "Glazed vase", "1", "€45.00", "0 %"],
            ["2", "Stoneware mug", "3", "€37.50", "0 %"],
            ["3", "Linen apron", "1", "€30.00", "0 %"],
        ]
        bars = dashboard.all_testid("top-product-bar")
        assert [bar.get_attribute("data-value") for bar in bars] == ["45.00", "37.50", "30.00"]
        slices = {
            s.get_attribute("data-category"): s.get_attribute("data-value")
            for s in dashboard.all_testid("category-slice")
        }
        assert slices == {"ceramics": "82.50", "textiles": "30.00"}
        dashboard.save_screenshot("dashboard.png")

    def test_another_month_shows_its_own_figures(
        self, client: httpx.Client, shop: Shop, dashboard: Dashboard
    ) -> None:
        placed = shop.order(client, **{"Linen apron": 1})
        dashboard.open().sign_in(shop.owner_login)
        dashboard.wait_until(lambda: dashboard.figure("card-revenue") == "30.00", "the revenue")

        dashboard.pick_month(2024, 2)

        assert placed.status_code == 201, placed.text
        dashboard.wait_until(lambda: dashboard.figure("card-revenue") == "0.00", "no revenue")
        days = [bar.get_attribute("data-day") for bar in dashboard.all_testid("revenue-bar")]
        assert (days[0], days[-1], len(days)) == ("2024-02-01", "2024-02-29", 29)
        assert dashboard.rows("top-product-row") == []

    def test_every_amount_shows_the_marketplace_s_currency(
        self, client: httpx.Client, shop: Shop, dashboard: Dashboard
    ) -> None:
        dashboard.open().sign_in(shop.owner_login)

        placed = shop.order(client, **{"Stoneware mug": 2, "Linen apron": 1})

        assert placed.status_code == 201, placed.text
        dashboard.wait_until(lambda: dashboard.figure("card-revenue") == "55.00", "the revenue")
        assert dashboard.testid("card-revenue").text == "€55.00"
        assert dashboard.testid("card-lost-demand").text == "€0.00"
        assert [row[3] for row in dashboard.rows("top-product-row")] == ["€30.00", "€25.00"]
        assert [row[2] for row in dashboard.rows("queue-row")] == ["€55.00"]
        axis = dashboard.driver.find_elements(By.CSS_SELECTOR, "#revenue-chart text.axis.end")
        assert [label.text for label in axis][:2] == ["€0", "€20"]
        legend = dashboard.testid("category-legend").text
        assert "€25.00" in legend and "€30.00" in legend

    def test_a_refused_order_shows_as_lost_demand(
        self, client: httpx.Client, shop: Shop, dashboard: Dashboard
    ) -> None:
        dashboard.open().sign_in(shop.owner_login)
        dashboard.wait_until(lambda: dashboard.figure("card-lost-demand") == "0.00", "no loss")

        refused = shop.order(client, **{"Glazed vase": 5})

        assert_error(refused, 400, "insufficient_stock")
        dashboard.wait_until(
            lambda: dashboard.rows("lost-demand-row") == [["Glazed vase", "5", "€135.00"]],
            "the refused vases: 5 asked, 3 short",
        )
        assert dashboard.figure("card-lost-demand") == "135.00"
        assert dashboard.testid("card-lost-units").text == "3 units short"
        assert dashboard.figure("card-revenue") == "0.00"

    def test_shows_how_many_holds_became_orders(
        self, client: httpx.Client, shop: Shop, dashboard: Dashboard
    ) -> None:
        dashboard.open().sign_in(shop.owner_login)
        dashboard.wait_until(lambda: dashboard.figure("card-revenue") == "0.00", "the figures")

        holds = [shop.hold(client, "Linen apron") for _ in range(4)]
        client.post("/api/orders", json={"reservation_id": holds[0]}, headers=shop.customer.auth)
        for held in holds[1:3]:
            client.delete(f"/api/reservations/{held}", headers=shop.customer.auth)

        dashboard.wait_until(lambda: dashboard.figure("card-conversion") == "0.3333", "the rate")
        assert dashboard.testid("card-conversion").text == "33 %"
        assert dashboard.testid("card-holds").text == "4 holds: 1 ordered, 0 expired, 2 released"


class TestOwnersActFromTheDashboard:
    def test_an_owner_moves_an_order_through_the_queue_to_delivered(
        self, client: httpx.Client, shop: Shop, dashboard: Dashboard
    ) -> None:
        placed = shop.order(client, **{"Linen apron": 1})
        dashboard.open().sign_in(shop.owner_login)
        assert placed.status_code == 201, placed.text

        for move, then in (
            ("move-processing", ["processing"]),
            ("move-shipped", ["shipped"]),
            ("move-delivered", []),
        ):
            dashboard.press(move)
            dashboard.wait_until(
                lambda then=then: [r[3] for r in dashboard.rows("queue-row")] == then, f"{then}"
            )

        dashboard.wait_until(lambda: dashboard.figure("card-completed") == "1", "completed")
        status = client.get(f"/api/orders/{placed.json()['id']}", headers=shop.owner.auth)
        assert status.json()["status"] == "delivered"
        dashboard.save_screenshot("dashboard-queue.png")

    def test_restocking_from_an_alert_resolves_it(
        self, client: httpx.Client, shop: Shop, dashboard: Dashboard
    ) -> None:
        shop.order(client, **{"Glazed vase": 1})
        dashboard.open().sign_in(shop.owner_login)
        dashboard.wait_until(lambda: len(dashboard.rows("alert-row")) == 1, "the vase's alert")

        dashboard.type_into("restock-quantity", "12")
        dashboard.press("restock-button")

        dashboard.wait_until(lambda: dashboard.rows("alert-row") == [], "the alert to resolve")
        stock = client.get(f"/api/stores/{shop.store['id']}/inventory").json()["results"]
        vase = shop.products["Glazed vase"]["id"]
        assert [line["quantity"] for line in stock if line["product_id"] == vase] == [13]
        dashboard.save_screenshot("dashboard-restocked.png")


SHORT_LIVED = timedelta(seconds=2)


@pytest.fixture(scope="module")
def short_lived_tokens(container: Container) -> Iterator[str]:
    """The API on its own port, its access tokens valid for SHORT_LIVED only."""
    secret = "short-lived-tokens-" + "s" * 32
    services = container.api_services(secret)
    services.tokens = TokenService(
        secret=secret, access_ttl=SHORT_LIVED, refresh_ttl=timedelta(days=1)
    )
    with serving(create_app(services)) as url:
        yield url


class TestTheSessionOutlivesItsAccessToken:
    def test_the_dashboard_keeps_following_orders_past_its_token_s_expiry(
        self, client: httpx.Client, shop: Shop, browser: WebDriver, short_lived_tokens: str
    ) -> None:
        dashboard = Dashboard(browser, short_lived_tokens).open().sign_in(shop.owner_login)
        dashboard.wait_until(lambda: dashboard.figure("card-revenue") == "0.00", "the figures")
        first = dashboard.access_token()
        dashboard.wait_until(lambda: dashboard.access_token() != first, "the token's renewal")

        placed = shop.order(client, **{"Linen apron": 1})

        assert placed.status_code == 201, placed.text
        dashboard.wait_until(lambda: dashboard.figure("card-revenue") == "30.00", "the new order")
        assert dashboard.visible("dashboard-view")
        assert not dashboard.visible("signin-view")


class TestWhoSeesWhichStores:
    def test_a_customer_sees_their_own_orders_with_their_invoices(
        self, client: httpx.Client, shop: Shop, dashboard: Dashboard
    ) -> None:
        placed = shop.order(client, **{"Linen apron": 2})
        login = client.get("/api/auth/me", headers=shop.customer.auth).json()["username"]

        dashboard.open().sign_in(login, view="orders-view")

        assert placed.status_code == 201, placed.text
        dashboard.wait_until(lambda: len(dashboard.rows("my-order-row")) == 1, "the order")
        (row,) = dashboard.rows("my-order-row")
        assert row[1:4] == ["confirmed", "2", "€60.00"]
        assert len(dashboard.all_testid("invoice-button")) == 1
        assert not dashboard.visible("dashboard-view")
        dashboard.save_screenshot("dashboard-customer.png")

    def test_an_owner_picks_among_their_own_stores_only(
        self, client: httpx.Client, shop: Shop, dashboard: Dashboard
    ) -> None:
        open_store(client, shop.owner, name="Kiln Street Annex", city="Porto")
        theirs = open_store(client, register(client, "artisan"), name="Somebody Else's")
        client.get(f"/api/stores/{theirs.json()['id']}", headers=after(theirs))

        dashboard.open().sign_in(shop.owner_login)

        assert dashboard.store_names() == [
            "Kiln Street Annex — Porto",
            "Kiln Street Pottery — Lisbon",
        ]

    def test_an_admin_sees_every_store_together(
        self, client: httpx.Client, shop: Shop, admin: tuple[str, Session], dashboard: Dashboard
    ) -> None:
        login, session = admin
        elsewhere = order_elsewhere(client)
        dashboard.open().sign_in(login, ADMIN_PASSWORD)
        dashboard.pick_store("All stores")

        placed = shop.order(client, **{"Linen apron": 2})

        assert placed.status_code == 201, placed.text
        everywhere = this_months_revenue(client, session, since=placed)
        assert Decimal(everywhere) >= Decimal("60.00") + Decimal(elsewhere)
        dashboard.wait_until(
            lambda: dashboard.figure("card-revenue") == everywhere, "every store's revenue"
        )
        assert dashboard.figure("card-low-stock") == ""
        assert "Kiln Street Pottery — Lisbon" in dashboard.store_names()


def order_elsewhere(client: httpx.Client) -> str:
    """A confirmed order at another owner's store; its total."""
    owner, customer = register(client, "artisan"), register(client)
    store = a_store(client, owner, name="Glass Works")
    bowl = a_product(client, owner, store["id"], "8.00", title="Glass bowl", category="glass")
    receive(client, owner, store["id"], bowl["id"], 5)
    placed = place(client, customer, store["id"], {bowl["id"]: 2})
    assert placed.status_code == 201, placed.text
    return str(placed.json()["total_price"])


class TestTheDashboardSaysWhatWentWrong:
    def test_a_wrong_password_is_refused_on_the_form(
        self, shop: Shop, dashboard: Dashboard
    ) -> None:
        dashboard.open()

        dashboard.driver.find_element(By.ID, "login").send_keys(shop.owner_login)
        dashboard.driver.find_element(By.ID, "password").send_keys("not-the-password")
        dashboard.driver.find_element(By.ID, "signin-submit").click()

        dashboard.wait_until(
            lambda: dashboard.banner() == "Wrong e-mail, username or password.", "the refusal"
        )
        assert dashboard.visible("signin-view")

    def test_an_expired_session_asks_to_sign_in_again(
        self, shop: Shop, dashboard: Dashboard
    ) -> None:
        dashboard.open().sign_in(shop.owner_login)

        dashboard.driver.execute_script(
            "sessionStorage.setItem('bazaar.access', 'expired');"
            "sessionStorage.setItem('bazaar.refresh', 'expired');"
        )
        dashboard.open()

        dashboard.wait_until(lambda: dashboard.visible("signin-view"), "the sign-in form")
        assert "sign in again" in dashboard.banner()

    def test_a_refused_query_is_shown_until_it_succeeds(
        self, shop: Shop, dashboard: Dashboard
    ) -> None:
        dashboard.open().sign_in(shop.owner_login)

        dashboard.pick_month(1969, 12)

        dashboard.wait_until(lambda: "Could not refresh" in dashboard.banner(), "the error")
        dashboard.pick_month(2024, 2)
        dashboard.wait_until(lambda: not dashboard.visible("banner"), "the error to clear")
