"""Sagas across crashes: a redelivered log repeats no effect, a dead worker's job is taken over,
a job that keeps failing is parked, listed by `bazaar sagas failed` and retried on demand."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from eventsourcing.persistence import Tracking

from api.main import create_app
from bazaar.cli import main
from bazaar.wiring import Container
from projections.subscriptions import SqlSubscription
from read_model.sql import saga_jobs
from streams.runner import InProcessRunner
from tests.fakes import SmtpSink, Webhook, a_webhook, an_smtp_sink
from tests.http_driver import a_product, a_store, place, receive, register, set_status
from tests.stacks import a_built_stack, a_fresh_database, a_redis_server, free_port, serving
from tests.waiting import poll_until

pytestmark = pytest.mark.integration
SECRET = "s" * 40
BAZAAR = str(Path(sys.executable).with_name("bazaar"))


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    with an_smtp_sink() as sink:
        yield sink


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    with a_webhook() as hook:
        yield hook


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[str, str]]:
    with a_redis_server(tmp_path) as redis_server, a_fresh_database() as url:
        yield url, redis_server.url


@contextmanager
def an_api(container: Container) -> Iterator[httpx.Client]:
    """The API of this stack on a loopback port, and a client of it."""
    with (
        serving(create_app(container.api_services(SECRET))) as url,
        httpx.Client(base_url=url) as client,
    ):
        yield client


def a_shop_with_an_order(client: httpx.Client) -> tuple[Any, dict[str, Any]]:
    owner = register(client, role="artisan")
    store = a_store(client, owner)
    mug = a_product(client, owner, store["id"], title="Stoneware mug")
    receive(client, owner, store["id"], mug["id"], 20)
    order = place(client, register(client), store["id"], {mug["id"]: 2})
    assert order.status_code == 201, order.text
    return owner, order.json()


def settled(container: Container) -> bool:
    """Every projection of the shop's log reached its head and no job waits."""
    head = container.shop.position()
    shop_feeds = [feeds for app, feeds in container.event_logs() if app is container.shop]
    if any(p.position(container.shop.name) < head for p in shop_feeds[0]):
        return False
    with container.pool.connection() as conn:
        waiting = conn.execute(
            "SELECT count(*) FROM saga_jobs WHERE status IN ('pending', 'running')"
        ).fetchone()
    return waiting == (0,)


def test_redelivering_the_log_to_the_sagas_repeats_no_effect(
    servers: tuple[str, str], smtp_sink: SmtpSink, webhook: Webhook
) -> None:
    settings = {"smtp_url": smtp_sink.url, "shipping_webhook_url": webhook.url}
    with a_built_stack(*servers, **settings) as container:
        runner = container.runner()
        runner.start()
        with an_api(container) as client:
            owner, order = a_shop_with_an_order(client)
            for status in ("processing", "shipped"):
                set_status(client, owner, order["id"], status)
            poll_until(lambda: settled(container) and webhook.calls_about(order["id"]))
        runner.stop()
        jobs = {
            name: saga_jobs.jobs_of(container.pool, name) for name in container_sagas(container)
        }

        redelivered_whole_log(container)
        executor = container.saga_executor()
        executor.start()
        poll_until(lambda: settled(container))
        executor.stop()

        assert len(smtp_sink.about(order["id"])) == 1
        assert len(webhook.calls_about(order["id"])) == 1
        assert {name: saga_jobs.jobs_of(container.pool, name) for name in jobs} == jobs


def redelivered_whole_log(container: Container) -> None:
    """The shop's log from its first event, in one batch, to the subscription recording its
    saga jobs: as at-least-once delivery may hand it over again."""
    shop = container.shop
    (_, subscriptions), _ = container.event_logs()
    (jobs_feed,) = [s for s in subscriptions if isinstance(s, SqlSubscription)]
    notifications = shop.recorder.select_notifications(start=1, limit=10_000)
    with jobs_feed.session(Tracking(shop.name, notifications[-1].id)) as batch:
        for notification in notifications:
            jobs_feed.apply(shop.mapper.to_domain_event(notification), batch)


def container_sagas(container: Container) -> list[str]:
    return [saga.name for sagas in container.sagas.values() for saga in sagas]


def test_a_job_whose_worker_died_is_taken_over_when_its_lease_ends(
    servers: tuple[str, str], smtp_sink: SmtpSink
) -> None:
    with a_built_stack(*servers, smtp_url=smtp_sink.url, saga_lease_s=0.5) as container:
        with an_api(container) as client:
            _, order = a_shop_with_an_order(client)
            feeds_only = InProcessRunner(container.event_logs())
            feeds_only.start()
            poll_until(lambda: saga_jobs.jobs_of(container.pool, "confirmation_email"))
            feeds_only.stop()
            dead = saga_jobs.claim(container.pool, ["confirmation_email"], lease_s=0.5)
            assert dead is not None and dead.key == order["id"]

            runner = container.runner()
            runner.start()
            poll_until(lambda: smtp_sink.about(order["id"]))
            poll_until(lambda: settled(container))
            runner.stop()
        (job,) = saga_jobs.jobs_of(container.pool, "confirmation_email")
        assert (job.status, job.attempts) == ("done", 2)
        assert len(smtp_sink.about(order["id"])) == 1


def test_mail_that_fails_at_first_is_sent_by_a_later_attempt(servers: tuple[str, str]) -> None:
    port = free_port()
    smtp = {"smtp_url": f"smtp://127.0.0.1:{port}", "saga_backoff_s": 0.3}
    with a_built_stack(*servers, **smtp) as container:
        runner = container.runner()
        runner.start()
        with an_api(container) as client:
            _, order = a_shop_with_an_order(client)
        jobs = lambda: saga_jobs.jobs_of(container.pool, "confirmation_email")  # noqa: E731
        poll_until(lambda: jobs() and jobs()[0].last_error)
        with an_smtp_sink(port) as sink:
            (mail,) = poll_until(lambda: sink.about(order["id"]))
            poll_until(lambda: jobs()[0].status == "done")
        runner.stop()
        (job,) = jobs()
        assert job.attempts >= 2 and job.outcome == f"sent to {mail['To']}"


def test_mail_parked_for_an_operator_is_sent_when_they_retry_it(
    servers: tuple[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    database_url, redis_url = servers
    with a_built_stack(database_url, redis_url, smtp_url=f"smtp://127.0.0.1:{port}") as container:
        runner = container.runner()
        runner.start()
        with an_api(container) as client:
            _, order = a_shop_with_an_order(client)
        poll_until(lambda: saga_jobs.parked(container.pool), timeout=20)
        monkeypatch.setenv("DATABASE_URL", database_url)
        monkeypatch.setenv("REDIS_URL", redis_url)
        main(["sagas", "failed"])
        listed = capsys.readouterr().out
        found = re.search(rf"^(\d+)\tconfirmation_email\t{order['id']}\t6 attempts\t", listed, re.M)
        assert found, listed
        assert "ConnectionRefusedError" in listed

        with an_smtp_sink(port) as sink:
            main(["sagas", "retry", found.group(1)])
            poll_until(lambda: sink.about(order["id"]))
        runner.stop()
        assert "queued again" in capsys.readouterr().out
        with pytest.raises(SystemExit, match="no parked job"):
            main(["sagas", "retry", found.group(1)])


def test_sagas_performed_by_their_own_process_beside_a_runner_without_them(
    servers: tuple[str, str], smtp_sink: SmtpSink
) -> None:
    database_url, redis_url = servers
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMTP_URL": smtp_sink.url,
        "JWT_SECRET": SECRET,
        "BAZAAR_ENV": "test",
    }
    with a_built_stack(database_url, redis_url) as container, an_api(container) as client:
        processes = [subprocess.Popen([BAZAAR, "runner", "--no-sagas"], env=env)]
        try:
            _, order = a_shop_with_an_order(client)
            (job,) = poll_until(lambda: saga_jobs.jobs_of(container.pool, "confirmation_email"))
            assert job.status == "pending" and smtp_sink.about(order["id"]) == []
            processes.append(subprocess.Popen([BAZAAR, "sagas", "run"], env=env))
            poll_until(lambda: smtp_sink.about(order["id"]), timeout=20)
        finally:
            for process in processes:
                process.terminate()
                assert process.wait(timeout=10) == 0
