"""What each `bazaar` command does, once `bazaar.cli` has read its arguments."""

from __future__ import annotations

import getpass
import logging
import os
import signal
import socket
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

import eventsourcing.persistence
import psycopg
import redis
import uvicorn

from api.main import create_app
from bazaar import fake_provider, metrics, projection_commands
from bazaar.dev_kafka import local_broker, stream_processes
from bazaar.devstack import embedded_services
from bazaar.logs import configure_logging
from bazaar.progress import ProgressBar
from bazaar.seed import Login, seed_demo
from bazaar.seed import seed as seed_data
from bazaar.settings import DEV_STACK_ENV, Settings, SettingsError, load_settings
from bazaar.sizes import Size
from bazaar.wiring import Container, build, migrate
from read_model import positions
from read_model.sql import catalogue, saga_jobs
from write_model.errors import DomainError
from write_model.users import User

log = logging.getLogger("bazaar")


@contextmanager
def carried_out(
    command: str, host: str | None = None, port: int | None = None
) -> Iterator[Settings]:
    """The settings `command` runs with (`--host`/`--port` win over BAZAAR_HOST/_PORT),
    logging set up, and its user errors as one line."""
    name_connections(command)
    settings = settings_or_exit(command)
    chosen = {
        name: value
        for name, value in (("bazaar_host", host), ("bazaar_port", port))
        if value is not None
    }
    configure_logging(settings.log_level, settings.log_format)
    with user_errors_in_one_line():
        yield settings.model_copy(update=chosen) if chosen else settings


def name_connections(command: str) -> None:
    """Postgres shows each process's connections as `bazaar <command> <pid>` (in
    `pg_stat_activity.application_name`), so an operator sees who holds them; a name the
    user chose (`PGAPPNAME`) stays."""
    if not os.environ.get("PGAPPNAME", "bazaar ").startswith("bazaar "):
        return
    os.environ["PGAPPNAME"] = f"bazaar {command} {os.getpid()}"


@contextmanager
def user_errors_in_one_line() -> Iterator[None]:
    """A refused command or an unreachable server ends in one line and exit code 1, not a
    traceback: the line says what is wrong, and what to do where that is not obvious."""
    try:
        yield
    except DomainError as refused:
        raise SystemExit(f"bazaar: {refused}") from None
    except (psycopg.OperationalError, eventsourcing.persistence.OperationalError) as unreachable:
        first = str(unreachable).strip().splitlines()[0]
        raise SystemExit(f"bazaar: Postgres is unreachable ({first}); check DATABASE_URL") from None
    except redis.ConnectionError as unreachable:
        raise SystemExit(f"bazaar: Redis is unreachable ({unreachable}); check REDIS_URL") from None


def settings_or_exit(command: str) -> Settings:
    """A refused setting is one line on stderr and exit code 2: no traceback, no value.

    `up` starts its own servers where none are set, so it never reads the file an earlier
    `up` (perhaps killed) wrote about its own."""
    try:
        return load_settings(dev_stack=command != "up")
    except SettingsError as error:
        print(f"bazaar: refused settings: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def list_parked(settings: Settings) -> None:
    with build(settings) as container:
        parked = saga_jobs.parked(container.pool)
    if not parked:
        print("no parked jobs: every side effect was done or is still being tried")
    for job in parked:
        print(
            f"{job.id}\t{job.saga}\t{job.key}\t{job.attempts} attempts\t"
            f"{job.updated_at:%Y-%m-%d %H:%M:%S}\t{job.last_error}"
        )


def retry_parked(settings: Settings, job_id: int) -> None:
    with build(settings) as container:
        if not saga_jobs.requeue(container.pool, job_id):
            raise SystemExit(f"bazaar: no parked job {job_id}")
    print(f"job {job_id} queued again")


def projection_status(settings: Settings) -> None:
    with build(settings) as container:
        projection_commands.status(container)


def rebuild_projections(settings: Settings, names: list[str]) -> None:
    with build(settings) as container:
        projection_commands.rebuild(container, names)


def verify_projections(settings: Settings) -> None:
    """Exit status 1 when a rebuilt view differs from the live one."""
    with build(settings) as container:
        differs = projection_commands.verify(container)
    if differs:
        raise SystemExit(differs)


def up(settings: Settings, streams: str | None = None) -> None:
    """One command for a newcomer: everything on this machine, demo data included."""
    data_dir = Path(settings.bazaar_data_dir)
    refuse_a_taken_port(settings.bazaar_host, settings.bazaar_port)
    with (
        local_broker(settings, streams == "kafka", data_dir) as bootstrap,
        embedded_services(
            data_dir, need_postgres=not settings.database_url, need_redis=not settings.redis_url
        ) as services,
        card_provider(settings.card_provider_url) as card_provider_url,
    ):
        settings = settings.model_copy(
            update={
                "database_url": settings.database_url or services.database_url,
                "redis_url": settings.redis_url or services.redis_url,
                "card_provider_url": card_provider_url,
                **bootstrap,
            }
        )
        migrate(settings)
        with running(settings) as container, telling_others(settings, data_dir):
            logins = seed_demo(container) + ensure_configured_admin(container)
            print_ready(container, services.database_url, services.redis_url, logins)
            serve_container(container, settings)


def refuse_a_taken_port(host: str, port: int) -> None:
    """Found before anything starts, migrates or seeds: one line, exit code 1. The probe
    binds as uvicorn will (address reuse on), so a port just freed is not refused."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as taken:
            raise SystemExit(
                f"bazaar: cannot serve on {host}:{port} ({taken.strerror}); "
                "stop what uses it, or set BAZAAR_PORT"
            ) from None


@contextmanager
def telling_others(settings: Settings, data_dir: Path) -> Iterator[None]:
    """While the stack runs, `data_dir/env` says where its servers are: other `bazaar`
    commands started here (`projections status`, `sagas failed`, ...) read it."""
    path = data_dir / DEV_STACK_ENV
    found = {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url}
    path.write_text("".join(f"{name}={url}\n" for name, url in found.items() if url))
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


@contextmanager
def card_provider(url: str | None) -> Iterator[str]:
    """The configured card provider, else the bundled fake serving in this process."""
    if url:
        yield url
        return
    server = fake_provider.start()
    try:
        yield server.url
    finally:
        server.shutdown()


def serve(settings: Settings, *, with_runner: bool, workers: int) -> None:
    """The API alone (any number of worker processes), or one process with the runner."""
    if with_runner:
        with running(settings) as container:
            ensure_configured_admin(container)
            serve_container(container, settings)
        return
    with build(settings) as container:
        ensure_configured_admin(container)
    print(f"Bazaar API on http://{settings.bazaar_host}:{settings.bazaar_port} ({workers} workers)")
    with tempfile.TemporaryDirectory(prefix="bazaar-metrics-") as shared:
        # Several workers write their request metrics here, and /metrics on any one sums them.
        if workers > 1:
            os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", shared)
        uvicorn.run(
            "bazaar.asgi:create",
            factory=True,
            workers=workers,
            host=settings.bazaar_host,
            port=settings.bazaar_port,
            log_level="warning",
        )


def serve_container(container: Container, settings: Settings) -> None:
    app = create_app(container.api_services())
    uvicorn.run(app, host=settings.bazaar_host, port=settings.bazaar_port, log_level="warning")


@contextmanager
def running(settings: Settings, *, with_sagas: bool = True) -> Iterator[Container]:
    """The built system with its projections running: in this process, or on Kafka when
    KAFKA_BOOTSTRAP is set (a relay and two Faust workers, as child processes)."""
    with build(settings) as container:
        feeding = (
            stream_processes(settings)
            if settings.kafka_bootstrap
            else container.runner(with_sagas=with_sagas)
        )
        with feeding:
            yield container


def run_projections(settings: Settings, *, with_sagas: bool) -> None:
    with running(settings, with_sagas=with_sagas):
        metrics.serve(settings.metrics_port)
        log.info("runner started")
        until_stopped()


def run_sagas(settings: Settings) -> None:
    with build(settings) as container, container.saga_executor():
        metrics.serve(settings.metrics_port)
        log.info("saga executor started")
        until_stopped()


def until_stopped() -> None:
    """Block until SIGTERM or Ctrl-C."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with suppress(KeyboardInterrupt):
        stop.wait()


def ensure_configured_admin(container: Container) -> list[Login]:
    """The admin of BAZAAR_ADMIN_EMAIL/_PASSWORD, created or promoted; its login, if any."""
    settings = container.settings
    if not (settings.bazaar_admin_email and settings.bazaar_admin_password):
        return []
    user = container.accounts.ensure_admin(
        settings.bazaar_admin_email, settings.bazaar_admin_password
    )
    return [(user.email, user.username, "(BAZAAR_ADMIN_PASSWORD)")]


def create_admin(settings: Settings, email: str, username: str | None) -> None:
    password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
    with build(settings) as container:
        user = container.accounts.ensure_admin(email, password, username=username)
    print(f"admin {user.email} ({user.id})")


def seed(settings: Settings, size: Size, threads: int) -> None:
    """Each writer thread gets a connection of its own: with fewer, they queue for them
    (4 threads on the default 3 took about a quarter longer)."""
    pool_size = max(settings.postgres_pool_size, threads)
    larger = settings.model_copy(update={"postgres_pool_size": pool_size})
    with build(larger) as container, ProgressBar("seed", unit="commands") as bar:
        seeded = seed_data(container, size, threads, bar)
    print(seeded.summary())
    print_logins(seeded.logins)


ROLES = {
    "admin": "admin: sees and does everything",
    "artisan": "shop owner: owns stores, lists and stocks, ships orders",
    "customer": "customer: searches, reserves, orders, returns",
}


def print_ready(
    container: Container, embedded_pg: str | None, embedded_redis: str | None, logins: list[Login]
) -> None:
    """What a newcomer needs, in one write (a log line from another thread cannot land
    inside it): where to go, where the servers are, and who to sign in as."""
    settings, data_dir = container.settings, Path(container.settings.bazaar_data_dir)
    base = f"http://{settings.bazaar_host}:{settings.bazaar_port}"
    where_pg = f"embedded, data in {data_dir / 'pg'}" if embedded_pg else "from DATABASE_URL"
    where_redis = f"embedded, data in {data_dir / 'redis'}" if embedded_redis else "from REDIS_URL"
    lines = [
        "Bazaar is up:",
        f"  API        {base}  (try it: {base}/docs; shop owners: {base}/dashboard)",
        f"  Postgres   {settings.database_url}  ({where_pg})",
        f"  Redis      {settings.redis_url}  ({where_redis})",
        f"  Other `bazaar` commands run here use these servers ({data_dir / DEV_STACK_ENV}).",
        "  Data       {} stores, {} listed products".format(*held(container)),
    ]
    accounts = container.accounts
    roles = {email: accounts.get_user(User.create_id(email)).role for email, _, _ in logins}
    sys.stdout.write("\n".join([*lines, login_table(logins, roles)]))
    sys.stdout.flush()


def held(container: Container) -> tuple[int, int]:
    """What the catalogue really holds (a warm start may hold far more than the demo set),
    once it shows every event recorded so far."""
    head = container.shop.position()
    positions.wait_for(container.pool, [catalogue.VIEW], container.shop.name, head, 30)
    return catalogue.totals(container.pool)


def print_logins(logins: list[Login]) -> None:
    """The table in one write, so a log line from another thread cannot land inside a row."""
    sys.stdout.write(login_table(logins, {}))
    sys.stdout.flush()


def login_table(logins: list[Login], roles: Mapping[str, str | None]) -> str:
    """One row per login (e-mail, username, password, and what the role may do, if known)."""
    rows = [
        f"  {email:28} {username:10} {password:16} {ROLES.get(roles.get(email) or '', '')}".rstrip()
        + "\n"
        for email, username, password in logins
    ]
    return "".join(["Demo logins (e-mail / username / password / role):\n", *rows])
