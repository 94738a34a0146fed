"""Settings from the environment, with safe development defaults; prod refuses unsafe ones."""

from __future__ import annotations

import os
import secrets
from contextlib import suppress
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

CONNECT_TIMEOUT_S = 5
"""How long a process waits for a Postgres connection before it says Postgres is down."""
MIN_SECRET_LENGTH = 32
MIN_SECRET_VARIETY = 10


class SettingsError(Exception):
    """Raised when a setting is refused; its message names the setting and the rule, never
    the value (which may be a secret)."""


DEV_SECRET_FILE = "jwt_secret"
"""The file in the data directory holding the development JWT secret, made on first use."""
DEV_STACK_ENV = "env"
"""The file in the data directory where a running `bazaar up` writes the URLs of the servers
it started, so that other `bazaar` commands find them."""


def load_settings(*, dev_stack: bool = True, **overrides: Any) -> Settings:
    """The settings from the environment, then `.env`, then (unless `dev_stack` is off) the
    running dev stack's file, and `overrides`; or a one-line SettingsError."""
    files = [".env"]
    if dev_stack:
        files.insert(0, str(Path(os.environ.get("BAZAAR_DATA_DIR", ".bazaar")) / DEV_STACK_ENV))
    try:
        return Settings(**{"_env_file": tuple(files), **overrides})
    except ValidationError as error:
        raise SettingsError(_without_values(error)) from None


def _without_values(error: ValidationError) -> str:
    """Each problem as `SETTING: rule`, from pydantic's messages without their inputs."""
    problems = []
    for problem in error.errors(include_input=False, include_url=False, include_context=False):
        rule = str(problem["msg"]).removeprefix("Value error, ")
        names = [str(part).upper() for part in problem["loc"]]
        problems.append(f"{'.'.join(names)}: {rule}" if names else rule)
    return " ".join("; ".join(problems).split())


def _refuse_weak_secret(secret: str, data_dir: Path) -> None:
    """Prod refuses a short secret, one of too little variety ("a" * 32, a repeated word:
    guessable whatever its length), and the one `bazaar up` generated for development."""
    if len(secret) < MIN_SECRET_LENGTH:
        raise ValueError(f"JWT_SECRET must be at least {MIN_SECRET_LENGTH} characters in prod")
    if len(set(secret)) < MIN_SECRET_VARIETY:
        raise ValueError(
            f"JWT_SECRET needs at least {MIN_SECRET_VARIETY} distinct characters in prod"
        )
    dev_secret = data_dir / DEV_SECRET_FILE
    if dev_secret.is_file() and dev_secret.read_text().strip() == secret:
        raise ValueError("JWT_SECRET must not be the development secret in prod")


def _dev_secret(path: Path) -> str:
    """A random secret kept in `path` (private to its owner): dev tokens survive restarts and
    no secret ships in the repo. Processes starting at once all read the one written first."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:
            file.write(secrets.token_urlsafe(48))
        with suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    return path.read_text().strip()


class Settings(BaseSettings):
    """Every knob of the service; see `.env.example` for each one explained."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    bazaar_env: Literal["dev", "test", "prod"] = "dev"
    database_url: str | None = None
    redis_url: str | None = None
    kafka_bootstrap: str | None = None
    kafka_partitions: int = 8
    kafka_idempotent: bool = True
    kafka_group: str = "bazaar-projections"
    bazaar_host: str = "127.0.0.1"
    bazaar_port: int = 8000
    bazaar_data_dir: str = ".bazaar"
    jwt_secret: str | None = None
    access_token_minutes: int = 15
    refresh_token_days: int = 7
    bazaar_admin_email: str | None = None
    bazaar_admin_password: str | None = None
    min_order_total: Decimal = Decimal("1.00")
    currency: str = Field("EUR", pattern="^[A-Z]{3}$")
    """The marketplace's currency (ISO 4217): every amount is in it, as invoices say."""
    return_window_days: int = Field(30, ge=0, le=3650)
    """How long after delivery a customer may send units back."""
    password_hash_memory_kib: int = 65536
    password_hash_time_cost: int = 3
    postgres_lock_timeout_s: int = 5
    postgres_pool_size: int = Field(3, ge=1)
    """Connections each of a process's two busy pools (read models, the shop's event store)
    may hold; see README's "Connections" for the sum over a deployment."""
    aggregate_cache_size: int = 10_000
    read_wait_timeout_s: float = 5.0
    suggest_per_minute: int = 20
    metrics_port: int | None = Field(None, ge=1, le=65535)
    """Where `runner`, `relay`, `worker` and `sagas run` serve their `/metrics` (their
    liveness check too); unset, they serve none. The API serves its own on its port."""
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    card_provider_url: str | None = None
    card_provider_timeout_s: float = 2.0
    smtp_url: str | None = None
    email_from: str = "Bazaar <orders@bazaar.local>"
    shipping_webhook_url: str | None = None
    webhook_timeout_s: float = 5.0
    saga_backoff_s: float = 1.0
    saga_lease_s: float = 60.0
    saga_workers: int = 4

    @field_validator("min_order_total")
    @classmethod
    def _two_places(cls, value: Decimal) -> Decimal:
        return value.quantize(Decimal("0.01"))

    @model_validator(mode="after")
    def _refuse_unsafe_prod(self) -> Settings:
        if self.bazaar_env == "prod":
            missing = [
                name
                for name, value in (
                    ("DATABASE_URL", self.database_url),
                    ("REDIS_URL", self.redis_url),
                    ("JWT_SECRET", self.jwt_secret),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"BAZAAR_ENV=prod needs {', '.join(missing)}")
            if self.jwt_secret is not None:
                _refuse_weak_secret(self.jwt_secret, Path(self.bazaar_data_dir))
            if self.password_hash_memory_kib < 65536 or self.password_hash_time_cost < 3:
                raise ValueError("prod needs argon2 with at least 64 MiB and 3 passes")
        return self

    def signing_secret(self) -> str:
        """What tokens are signed with: JWT_SECRET, or (it is required in prod) the data
        directory's own development secret."""
        return self.jwt_secret or _dev_secret(Path(self.bazaar_data_dir) / DEV_SECRET_FILE)

    def postgres_env(self, *, create_tables: bool = False) -> dict[str, str]:
        """The eventsourcing library's Postgres settings, derived from DATABASE_URL and ours;
        the recorder and transcoder are the code's choice, made in `bazaar.wiring`."""
        if not self.database_url:
            raise ValueError("DATABASE_URL is not set")
        url = urlsplit(self.database_url)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": url.username or "postgres",
            "POSTGRES_PASSWORD": url.password or "",
            "POSTGRES_LOCK_TIMEOUT": str(self.postgres_lock_timeout_s),
            "POSTGRES_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT_S),
            "POSTGRES_POOL_SIZE": "0",
            "POSTGRES_MAX_OVERFLOW": str(self.postgres_pool_size),
            "AGGREGATE_CACHE_MAXSIZE": str(self.aggregate_cache_size),
            "CREATE_TABLE": "y" if create_tables else "n",
        }
