"""Liveness, readiness and metrics."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric

from api.dependencies import ServicesDep
from api.errors import error_response
from read_model.sql.failures import ProjectionFailures, RecordedFailure

router = APIRouter(tags=["operations"])


@router.get("/api/health")
def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/metrics", include_in_schema=False)
def metrics(services: ServicesDep) -> Response:
    """Prometheus metrics of this process, and the projections failing in any process."""
    failing = FailingProjections(failing_projections(services))
    return Response(generate_latest() + generate_latest(failing), media_type=CONTENT_TYPE_LATEST)


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
        return error_response(request, 503, *unready(down, failing))
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


class FailingProjections:
    """A gauge per failing projection: the notification id it is stuck at."""

    def __init__(self, failing: list[RecordedFailure]) -> None:
        self.failing = failing

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily(
            "bazaar_projection_failing_at",
            "Position of the event a projection cannot apply (the batch after its position).",
            labels=["projection", "application"],
        )
        for failure in self.failing:
            stuck_at = failure.event_position or failure.position + 1
            gauge.add_metric([failure.projection, failure.application], stuck_at)
        yield gauge
