"""Liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.dependencies import ServicesDep
from api.errors import error_response

router = APIRouter(tags=["operations"])


@router.get("/api/health")
def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/metrics", include_in_schema=False)
def metrics() -> Response:
    """Prometheus metrics of this process."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@router.get("/api/ready")
def ready(request: Request, services: ServicesDep) -> JSONResponse:
    """Every dependency answers; 503 names those that do not."""
    down = []
    for name, check in services.checks.items():
        try:
            check()
        except Exception:
            down.append(name)
    if down:
        message = f"Not ready: {', '.join(down)} unavailable."
        return error_response(request, 503, "dependency_unavailable", message, {"down": down})
    return JSONResponse({"status": "ready", "checks": sorted(services.checks)})
