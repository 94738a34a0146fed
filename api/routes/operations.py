"""Liveness, readiness, metrics and the marketplace's public settings."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import suppress

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric

from api.dependencies import Services, ServicesDep
from api.errors import ApiError, error_response
from api.routing import routes
from api.schemas.settings import SettingsOut
from read_model import positions
from read_model.redis import cache, inventory, suggest
from read_model.sql import saga_jobs
from read_model.sql.failures import ProjectionFailures, RecordedFailure

router = routes("operations")


@router.get("/api/health")
def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/api/settings")
def public_settings(services: ServicesDep) -> SettingsOut:
    """What anyone may know of the marketplace's settings: the currency of its amounts."""
    return SettingsOut(currency=services.currency)


@router.get("/metrics", include_in_schema=False)
def metrics(services: ServicesDep) -> Response:
    """Prometheus metrics: the requests of every worker of this API (multiprocess mode when
    it runs several), and what the whole system stores: each view's position and lag, saga
    jobs by state, the projections failing in any process."""
    system = SystemState(services, failing_projections(services))
    return Response(
        generate_latest(requests()) + generate_latest(system), media_type=CONTENT_TYPE_LATEST
    )


def requests() -> CollectorRegistry:
    """This process's registry, or with `bazaar api --workers N` the files every worker writes."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


@router.get("/api/ready")
def ready(request: Request, services: ServicesDep) -> JSONResponse:
    """Every dependency answers and no projection is stuck; 503 names what is not."""
    down = []
    for name, check in services.checks.items():
        try:
            check()
        except Exception:
            down.append(name)
    failing = failing_projections(services) if "postgres" not in down else []
    if down or failing:
        return error_response(request, ApiError(503, *unready(down, failing)))
    return JSONResponse({"status": "ready", "checks": sorted(services.checks)})


def unready(down: list[str], failing: list[RecordedFailure]) -> tuple[str, str, dict[str, object]]:
    """Code, message and details: dependencies down first, then each failing projection."""
    reasons = [f"{', '.join(down)} unavailable"] if down else []
    reasons += [failure.describe() for failure in failing]
    details: dict[str, object] = {"down": down}
    if failing:
        details["failing_projections"] = [failure_out(failure) for failure in failing]
    code = "dependency_unavailable" if down else "projection_failing"
    return code, f"Not ready: {'; '.join(reasons)}.", details


def failure_out(failure: RecordedFailure) -> dict[str, object]:
    return {
        "projection": failure.projection,
        "application": failure.application,
        "position": failure.position,
        "event_position": failure.event_position,
        "event_topic": failure.event_topic,
        "error": failure.error,
        "attempts": failure.attempts,
        "failed_at": failure.failed_at.isoformat(),
    }


def failing_projections(services: ServicesDep) -> list[RecordedFailure]:
    """The recorded failures; none known while Postgres does not answer (readiness says so)."""
    with suppress(Exception):
        return ProjectionFailures(services.pool).current()
    return []


class SystemState:
    """Read from Postgres and Redis at each scrape, so any API worker answers for all."""

    def __init__(self, services: Services, failing: list[RecordedFailure]) -> None:
        self.services = services
        self.failing = failing

    def collect(self) -> Iterator[Metric]:
        with suppress(Exception):
            yield from self._views()
        with suppress(Exception):
            yield from self._saga_jobs()
        yield from self._failing()

    def _views(self) -> Iterator[Metric]:
        services = self.services
        logs = (services.shop, services.accounts, services.cards)
        heads = {app.name: app.recorder.max_notification_id() or 0 for app in logs}
        reached = positions.reached_in(services.pool, list(heads))
        shop = services.shop.name
        stores = (
            (inventory.VIEW, services.inventory_cache),
            (suggest.VIEW, services.suggest_index),
            (cache.VIEW, services.query_cache),
        )
        for view, store in stores:
            with suppress(Exception):  # Redis away: its views say nothing, the rest still do
                reached[view, shop] = store.position(shop) or 0
        ordered = sorted(reached.items())
        yield gauge(
            "bazaar_view_position",
            "The last event each view applied.",
            ["view", "log"],
            ((list(key), at) for key, at in ordered),
        )
        yield gauge(
            "bazaar_view_lag_events",
            "Events of its log a view has still to apply.",
            ["view", "log"],
            (([view, log], max(heads[log] - at, 0)) for (view, log), at in ordered),
        )

    def _saga_jobs(self) -> Iterator[Metric]:
        counts = sorted(saga_jobs.counts(self.services.pool).items())
        yield gauge(
            "bazaar_saga_jobs",
            "Saga jobs by state: due, retrying, running, done, parked.",
            ["saga", "state"],
            ((list(key), count) for key, count in counts),
        )

    def _failing(self) -> Iterator[Metric]:
        yield gauge(
            "bazaar_projection_failing_at",
            "Position of the event a projection cannot apply (the batch after its position).",
            ["projection", "application"],
            (
                (
                    [failure.projection, failure.application],
                    failure.event_position or failure.position + 1,
                )
                for failure in self.failing
            ),
        )


def gauge(
    name: str, documentation: str, labels: list[str], samples: Iterable[tuple[list[str], float]]
) -> GaugeMetricFamily:
    """A gauge with one sample per set of label values."""
    family = GaugeMetricFamily(name, documentation, labels=labels)
    for values, value in samples:
        family.add_metric(values, value)
    return family
