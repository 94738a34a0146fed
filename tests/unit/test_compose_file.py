"""docker-compose.yml (which cannot run in CI): its topology fits Postgres, each
long-running service has a liveness check, and the image is built once."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

COMPOSE = Path(__file__).parents[2] / "docker-compose.yml"
PER_PROCESS = 10
"""2 x POSTGRES_POOL_SIZE (3) + 4: what one bazaar process holds at most (README)."""
OURS = {"api", "relay", "worker", "sagas"}


def services() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text())["services"])


def processes(name: str, service: dict[str, Any]) -> int:
    replicas = int(service.get("deploy", {}).get("replicas", 1))
    workers = re.fullmatch(r"\$\{API_WORKERS:-(\d+)\}", str(service["command"][-1]))
    return replicas * (int(workers[1]) if name == "api" and workers else 1)


def test_the_whole_topology_fits_postgres_connection_limit() -> None:
    found = services()
    limit = int(found["postgres"]["command"][-1].split("=")[1])

    peak = sum(PER_PROCESS * processes(name, found[name]) for name in OURS) + 1  # LISTEN

    assert all(found[name]["environment"]["POSTGRES_POOL_SIZE"] == "3" for name in OURS)
    assert peak <= limit - PER_PROCESS, f"{peak} at peak leaves no room for one command"


def test_every_long_running_service_has_a_liveness_check() -> None:
    found = services()

    unchecked = [name for name in OURS if found[name].get("healthcheck", {}).get("disable")]
    background = {name: found[name]["environment"].get("METRICS_PORT") for name in OURS - {"api"}}

    assert unchecked == []
    assert None not in background.values(), background
    assert "METRICS_PORT" not in found["api"]["environment"]


def test_one_service_builds_the_image_the_others_run() -> None:
    found = services()

    builders = [name for name, service in found.items() if "build" in service]
    images = {found[name]["image"] for name in OURS | set(builders)}

    assert builders == ["migrate"]
    assert images == {"bazaar:latest"}
