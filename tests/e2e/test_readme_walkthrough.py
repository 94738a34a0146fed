"""The README's walkthrough, run as written: its `sh` blocks in order in one bash, with real
curl, against a fresh stack seeded as `make run` seeds it.

The stack is `make run`'s: a new database, a Redis of its own, the demo data, the runner
with its sagas, the bundled fake card provider, no SMTP server or shipping webhook; `BASE`
points the blocks at it. The curls together must ask for every operation the OpenAPI
document lists, and each block must print the answer the README shows after it: a `text`
block exactly, a `json` block with the same keys, list lengths and values, except what
varies from run to run. For that, `"…"` stands for any value and `…` in a string for any
text there; a UUID, or an ISO 8601 date or time, stands for any other.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator

import httpx
import pytest

from api.main import create_app
from bazaar.seed import seed_demo
from tests.card_provider import a_card_provider
from tests.readme_walkthrough import Step, curls, mismatches, operation_of, steps, walkthrough
from tests.stacks import a_built_stack, a_fresh_database, a_redis_server, serving

pytestmark = pytest.mark.e2e
STEPS = steps(walkthrough())
MARK = r"\n@@ step %d @@\n"
MARKED = re.compile(r"\n@@ step \d+ @@\n")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with (
        a_redis_server(tmp_path_factory.mktemp("redis")) as redis_server,
        a_fresh_database() as database_url,
        a_card_provider() as provider,
        a_built_stack(database_url, redis_server.url, card_provider_url=provider.url) as stack,
    ):
        seed_demo(stack)
        runner = stack.runner()
        runner.start()
        try:
            with serving(create_app(stack.api_services("w" * 40))) as url:
                yield url
        finally:
            runner.stop()


@pytest.fixture(scope="module")
def printed(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """What each step printed, the steps run in order by one bash in an empty directory."""
    marked = (f"printf '{MARK}' {n}\n{step.script}" for n, step in enumerate(STEPS))
    done = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + "\n".join(marked)],
        cwd=tmp_path_factory.mktemp("walkthrough"),
        env={**os.environ, "BASE": base_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = re.split(MARKED, done.stdout)[1:]
    assert done.returncode == 0, f"stopped in step {len(found) - 1}:\n{done.stderr}"
    return found


def test_the_walkthrough_asks_for_every_documented_operation(base_url: str) -> None:
    document = httpx.get(f"{base_url}/openapi.json").json()
    operations = {(m.upper(), path) for path, item in document["paths"].items() for m in item}

    asked = {operation_of(*curl, operations) for step in STEPS for curl in curls(step.script)}

    assert sorted(operations - asked) == [], "operations without a curl in the README"


@pytest.mark.parametrize("n", range(len(STEPS)), ids=[f"{n} {s.name}" for n, s in enumerate(STEPS)])
def test_each_step_answers_as_the_readme_shows(printed: list[str], n: int) -> None:
    step, output = STEPS[n], printed[n]

    assert differences(step, output) == [], f"{step.script}\nprinted:\n{output}"


def differences(step: Step, output: str) -> list[str]:
    if step.kind == "json":
        return mismatches(json.loads(step.shown), json.loads(output))
    if output.strip() != step.shown.strip():
        return [f"printed {output.strip()!r}, README shows {step.shown.strip()!r}"]
    return []
