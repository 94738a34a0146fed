"""`bazaar api --workers N` as operators see it: JSON log lines (LOG_FORMAT=json) and
request metrics that sum every worker."""

from __future__ import annotations

import json
import os
import re
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
    env = api_environment(settings, port, LOG_FORMAT="json")
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


def test_any_api_worker_reports_the_requests_of_all(
    settings: Settings, container: Container, tmp_path: Path
) -> None:
    port = free_port()
    env = api_environment(settings, port, LOG_LEVEL="WARNING")
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with (tmp_path / "api.log").open("w") as out:
        api = subprocess.Popen(
            [BAZAAR, "api", "--workers", "2"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://127.0.0.1:{port}"
        poll_until(lambda: _answers(url) or api.poll() is not None, timeout=60)
        before = _health_requests(url)
        for _ in range(20):
            httpx.get(f"{url}/api/health")  # a connection each: the workers share them out
        counts = {_health_requests(url) - before for _ in range(6)}
    finally:
        api.terminate()
        api.wait(timeout=20)

    assert counts == {20}, "every scrape, whichever worker answers it, counts all 20"


def _health_requests(url: str) -> float:
    text = httpx.get(f"{url}/metrics").text
    found = re.search(
        r'^bazaar_http_request_seconds_count\{method="GET",route="/api/health",status="200"\}'
        r" (\S+)$",
        text,
        re.M,
    )
    return float(found[1]) if found else 0.0


def api_environment(settings: Settings, port: int, **chosen: str) -> dict[str, str]:
    """What `bazaar api` started here needs to serve this run's database on `port`."""
    return {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "REDIS_URL": settings.redis_url or "",
        "JWT_SECRET": "j" * 40,
        "BAZAAR_PORT": str(port),
        **chosen,
    }
