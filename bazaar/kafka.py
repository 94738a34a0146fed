"""Streams on Kafka: the `bazaar relay` and `bazaar worker` commands.

`bazaar.dev_kafka` runs them, with a local broker, as the dev stack's child processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import faust

from bazaar import metrics
from bazaar.settings import Settings
from bazaar.wiring import build
from read_model.sql.failures import ProjectionFailures
from streams.faust_app import streams_app
from streams.relay import Relay
from streams.topics import ensure_topics

log = logging.getLogger(__name__)


def run_relay(settings: Settings) -> None:
    """Publish every event log to Kafka until SIGTERM or Ctrl-C."""
    bootstrap = _bootstrap(settings)
    with build(settings) as container:
        metrics.serve(settings.metrics_port)
        relay = Relay(
            [app for app, _ in container.event_logs()],
            container.pool,
            bootstrap,
            settings.kafka_partitions,
            idempotent=settings.kafka_idempotent,
        )
        log.info("relay publishing to %s", bootstrap)
        asyncio.run(_until_stopped(relay))


async def _until_stopped(relay: Relay) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    await relay.run(stopping)


def run_worker(settings: Settings, *, with_sagas: bool = True) -> None:
    """Run the Faust agents (and, `with_sagas`, the saga executor) until SIGTERM or Ctrl-C."""
    bootstrap = _bootstrap(settings)
    with build(settings) as container:
        logs = container.event_logs()
        names = [app.name for app, _ in logs]
        asyncio.run(ensure_topics(bootstrap, names, settings.kafka_partitions))
        failures = ProjectionFailures(container.pool)
        partitions = settings.kafka_partitions
        app, _ = streams_app(settings.kafka_group, bootstrap, partitions, logs, failures)
        with container.saga_executor() if with_sagas else contextlib.nullcontext():
            metrics.serve(settings.metrics_port)
            # Our logging stays (LOG_FORMAT's lines, trace ids): Faust's workers log through it.
            worker = faust.Worker(app, loglevel=settings.log_level, override_logging=False)
            worker.execute_from_commandline()


def _bootstrap(settings: Settings) -> str:
    if not settings.kafka_bootstrap:
        raise SystemExit(
            "bazaar: KAFKA_BOOTSTRAP is not set (`bazaar up --streams kafka` starts Tansu)"
        )
    return settings.kafka_bootstrap
