"""build(settings): every application, read model, projection and runner, named in one place."""

from __future__ import annotations

import socket
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import redis
from eventsourcing.application import Application
from eventsourcing.utils import get_topic
from psycopg_pool import ConnectionPool
from redis.backoff import NoBackoff
from redis.retry import Retry

from api.dependencies import Services
from api.security import TokenService
from bazaar.adapters.card_provider import HttpCardProvider
from bazaar.adapters.directory import directory
from bazaar.adapters.email import RecordedMailer
from bazaar.adapters.passwords import Argon2Hasher
from bazaar.adapters.shipping import WebhookPartner
from bazaar.event_store import LockingInsertRecorder
from bazaar.metrics import counting_conflicts
from bazaar.settings import Settings
from bazaar.transcoder import OrjsonTranscoder
from projections.base import Projection
from projections.cards import CardsProjection
from projections.registry import shop_projections
from projections.sagas.base import Saga, SagaProjection
from projections.sagas.cancellation import CancellationCreditNote, CancellationEmail
from projections.sagas.cards import CardIssuance
from projections.sagas.confirmation import ConfirmationEmail
from projections.sagas.invoice import Invoice
from projections.sagas.low_stock import LowStockEmail
from projections.sagas.reservation_expiry import ReservationExpiry
from projections.sagas.returns import CreditNote, RefundEmail
from projections.sagas.shipping import ShippingNotice
from projections.subscriptions import Subscription, subscriptions
from read_model.redis.cache import QueryCache
from read_model.redis.inventory import InventoryCache
from read_model.redis.rate_limit import RateLimiter
from read_model.redis.suggest import SuggestIndex
from read_model.sql.failures import ProjectionFailures
from read_model.sql.schema import LIVE_SCHEMA
from read_model.sql.schema import migrate as migrate_read_models
from streams.rebuild import Progress, Rebuilder, Replayed
from streams.runner import InProcessRunner
from streams.saga_executor import SagaExecutor
from write_model.accounts import Accounts
from write_model.cards import Cards
from write_model.shop import Shop


@dataclass
class Container:
    """The built system; `close()`, or leaving `with build(...) as container`, releases its
    connections."""

    settings: Settings
    shop: Shop
    accounts: Accounts
    cards: Cards
    pool: ConnectionPool
    redis: redis.Redis
    inventory_cache: InventoryCache
    suggest_index: SuggestIndex
    query_cache: QueryCache
    projections: list[Projection]
    sagas: dict[str, list[Saga]]
    """Each application's sagas, by its name: its events ask for their jobs."""

    def api_services(self, jwt_secret: str | None = None) -> Services:
        """What the API serves from; tokens signed with `jwt_secret`, by default the
        settings' (`Settings.signing_secret`)."""
        tokens = TokenService(
            secret=jwt_secret or self.settings.signing_secret(),
            access_ttl=timedelta(minutes=self.settings.access_token_minutes),
            refresh_ttl=timedelta(days=self.settings.refresh_token_days),
        )
        return Services(
            shop=self.shop,
            accounts=self.accounts,
            cards=self.cards,
            pool=self.pool,
            inventory_cache=self.inventory_cache,
            suggest_index=self.suggest_index,
            query_cache=self.query_cache,
            suggest_limiter=RateLimiter(self.redis, "suggest", self.settings.suggest_per_minute),
            tokens=tokens,
            currency=self.settings.currency,
            read_wait_timeout=self.settings.read_wait_timeout_s,
            checks={
                "postgres": self._ping_postgres,
                "redis": self.redis.ping,
                **({"kafka": self._reach_kafka} if self.settings.kafka_bootstrap else {}),
            },
        )

    def event_logs(self) -> list[tuple[Application[Any], list[Subscription]]]:
        """Every application whose event log is followed, with its subscriptions: one for its
        SQL views and saga jobs, one for its Redis views (see `projections.subscriptions`)."""
        shop = [*self.projections, *self._saga_feeds(self.shop)]
        cards = [CardsProjection(self.pool), *self._saga_feeds(self.cards)]
        return [
            (self.shop, subscriptions(self.pool, self.redis, shop)),
            (self.cards, subscriptions(self.pool, self.redis, cards)),
        ]

    def _saga_feeds(self, app: Application[Any]) -> list[Projection]:
        """The projections recording the jobs that this application's events ask its sagas for."""
        sagas = self.sagas.get(app.name, [])
        return [SagaProjection(self.pool, saga) for saga in sagas if saga.topics]

    def saga_executor(self) -> SagaExecutor:
        """Performs the sagas' jobs; any number may run beside each other."""
        return SagaExecutor(
            self.pool,
            [saga for sagas in self.sagas.values() for saga in sagas],
            workers=self.settings.saga_workers,
            backoff_s=self.settings.saga_backoff_s,
            lease_s=self.settings.saga_lease_s,
        )

    def runner(self, *, with_sagas: bool = True) -> InProcessRunner:
        """The projections (saga jobs recorded included), and performing those jobs unless
        `with_sagas` is off: then `bazaar sagas run` processes perform them, apart from the
        projections (rendering PDFs in the feeds' process holds up their GIL turns)."""
        sagas = self.saga_executor() if with_sagas else None
        return InProcessRunner(self.event_logs(), sagas, ProjectionFailures(self.pool))

    def rebuilder(self, progress: Progress = lambda *_: None) -> Rebuilder:
        url = self.settings.database_url or ""
        return Rebuilder(
            self.shop, self.pool, lambda schema: read_model_pool(url, 2, schema), progress
        )

    def rebuild_cache(self, progress: Progress = lambda *_: None) -> Replayed:
        scratch = InventoryCache(self.redis, prefix="inv_rebuild")
        return self.rebuilder(progress).rebuild_cache(self.inventory_cache, scratch)

    def __enter__(self) -> Container:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.shop.close()
        self.accounts.close()
        self.cards.close()
        self.pool.close()
        self.redis.close()

    def _reach_kafka(self) -> None:
        """Some broker of KAFKA_BOOTSTRAP accepts a connection (what the relay needs first)."""
        for server in (self.settings.kafka_bootstrap or "").split(","):
            host, _, port = server.strip().rpartition(":")
            with suppress(OSError, ValueError), socket.create_connection((host, int(port)), 1):
                return
        raise ConnectionError(f"no broker of {self.settings.kafka_bootstrap} answers")

    def _ping_postgres(self) -> None:
        with self.pool.connection(timeout=2) as conn:
            conn.execute("SELECT 1")


def event_store_env(settings: Settings, *, create_tables: bool = False) -> dict[str, str]:
    """The applications' event store: the settings' Postgres, with our recorder (one locking
    insert function per save) and our transcoder."""
    return {
        **settings.postgres_env(create_tables=create_tables),
        "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
        "APPLICATION_RECORDER_TOPIC": get_topic(LockingInsertRecorder),
        "TRANSCODER_TOPIC": get_topic(OrjsonTranscoder),
    }


def migrate(settings: Settings) -> None:
    """Create the event stores and read models; one process at a time, safe to repeat."""
    env = event_store_env(settings, create_tables=True)
    with _pool(settings, size=2) as pool, pool.connection() as lock:
        lock.execute("SELECT pg_advisory_lock(hashtext('bazaar.migrate'))")
        Shop(env=env).close()
        Accounts(env=env, hasher=_hasher(settings)).close()
        Cards(env=env, provider=_card_provider(settings)).close()
        migrate_read_models(pool)
        lock.execute("SELECT pg_advisory_unlock(hashtext('bazaar.migrate'))")


QUIET_APPLICATION_POOL = {"POSTGRES_POOL_SIZE": "0", "POSTGRES_MAX_OVERFLOW": "2"}
"""Sign-ins, registrations and card requests are few: two connections at most, one of them
for the runner's LISTEN on the log, keep every process's share of Postgres small."""
CARD_GRACE_S = 1.0
"""How much longer than the provider timeout the saga leaves a request to its own handler."""


def build(settings: Settings) -> Container:
    """Connect to Postgres and Redis and assemble the parts (tables come from `migrate`)."""
    env = event_store_env(settings)
    pool = _pool(settings, size=settings.postgres_pool_size)
    client = redis.Redis.from_url(
        _servers(settings)[1],
        socket_timeout=2,
        socket_connect_timeout=0.5,
        health_check_interval=30,
        retry=Retry(NoBackoff(), retries=1),
    )
    cache, suggest = InventoryCache(client), SuggestIndex(client)
    queries = QueryCache(client, application=Shop.name)
    shop = Shop(
        env=env,
        min_order_total=settings.min_order_total,
        return_window=timedelta(days=settings.return_window_days),
    )
    accounts = Accounts(env={**env, **QUIET_APPLICATION_POOL}, hasher=_hasher(settings))
    cards = Cards(env={**env, **QUIET_APPLICATION_POOL}, provider=_card_provider(settings))
    for application in (shop, accounts, cards):
        application.on_version_conflict = counting_conflicts(application.name)
    grace_s = settings.card_provider_timeout_s + CARD_GRACE_S
    return Container(
        settings=settings,
        shop=shop,
        accounts=accounts,
        cards=cards,
        pool=pool,
        redis=client,
        inventory_cache=cache,
        suggest_index=suggest,
        query_cache=queries,
        projections=shop_projections(pool, cache, suggest, queries),
        sagas={
            shop.name: shop_sagas(settings, shop, accounts, pool),
            cards.name: [CardIssuance(cards, grace_s)],
        },
    )


def shop_sagas(
    settings: Settings, shop: Shop, accounts: Accounts, pool: ConnectionPool
) -> list[Saga]:
    """The side effects of the shop's events, on the adapters the settings choose."""
    mailer = RecordedMailer(pool, settings.smtp_url, settings.email_from)
    people = directory(accounts)
    webhook = settings.shipping_webhook_url
    partner = WebhookPartner(webhook, settings.webhook_timeout_s) if webhook else None
    return [
        ConfirmationEmail(shop, people, mailer),
        Invoice(shop, people, pool, settings.currency),
        ShippingNotice(shop, partner),
        LowStockEmail(shop, people, mailer),
        ReservationExpiry(shop),
        RefundEmail(shop, people, mailer),
        CreditNote(shop, people, pool, settings.currency),
        CancellationCreditNote(shop, people, pool, settings.currency),
        CancellationEmail(shop, people, mailer),
    ]


def _card_provider(settings: Settings) -> HttpCardProvider:
    return HttpCardProvider(settings.card_provider_url, settings.card_provider_timeout_s)


def _hasher(settings: Settings) -> Argon2Hasher:
    return Argon2Hasher(settings.password_hash_memory_kib, settings.password_hash_time_cost)


def _servers(settings: Settings) -> tuple[str, str]:
    """DATABASE_URL and REDIS_URL, which every part needs."""
    if not settings.database_url or not settings.redis_url:
        raise ValueError("DATABASE_URL and REDIS_URL must be set (bazaar up starts embedded ones)")
    return settings.database_url, settings.redis_url


def _pool(settings: Settings, size: int) -> ConnectionPool:
    return read_model_pool(_servers(settings)[0], size, LIVE_SCHEMA)


def read_model_pool(database_url: str, size: int, schema: str) -> ConnectionPool:
    """Connections whose unqualified table names mean the read models in `schema`."""
    options = f"-c search_path={schema}"
    kwargs = {"autocommit": True, "options": options}
    return ConnectionPool(database_url, min_size=1, max_size=size, kwargs=kwargs, open=True)
