"""LOG_FORMAT=json: every line `bazaar api` writes is a JSON object, access lines included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bazaar.settings import Settings
from bazaar.wiring import Container
from tests.stacks import free_port
from tests.waiting import poll_until

pytestmark = pytest.mark.e2e
BAZAAR = str(Path(sys.executable).with_name("bazaar"))


def test_api_workers_write_one_json_object_per_line(
    settings: Settings, container: Container, tmp_path: Path
) -> None:
    """`container`: this run's database, with its tables."""
    port, log = free_port(), tmp_path / "api.log"
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "REDIS_URL": settings.redis_url or "",
        "JWT_SECRET": "j" * 40,
        "BAZAAR_PORT": str(port),
        "LOG_FORMAT": "json",
    }
    with log.open("w") as out:
        api = subprocess.Popen(
            [BAZAAR, "api", "--workers", "2"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://127.0.0.1:{port}"
        poll_until(lambda: _answers(url) or api.poll() is not None, timeout=60)
        httpx.get(f"{url}/api/stores", headers={"X-Request-ID": "json-logs-test"})
        line = poll_until(lambda: _access_line(log, "json-logs-test"), timeout=10)
    finally:
        api.terminate()
        api.wait(timeout=20)

    assert {k: line[k] for k in ("level", "logger", "method", "route", "status")} == {
        "level": "INFO",
        "logger": "bazaar.access",
        "method": "GET",
        "route": "/api/stores",
        "status": 200,
    }
    assert line["duration_ms"] >= 0 and "time" in line
    written = [text for text in log.read_text().splitlines() if text.startswith("{")]
    assert written and all(json.loads(text) for text in written)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/health").status_code == 200
    except httpx.HTTPError:
        return False


def _access_line(log: Path, trace_id: str) -> dict[str, object] | None:
    for text in log.read_text().splitlines():
        if text.startswith("{") and (line := json.loads(text)).get("trace_id") == trace_id:
            return dict(line)
    return None
