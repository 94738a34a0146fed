"""requirements.lock, which the image installs: in step with pyproject.toml (`make lock`)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]


def name_of(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_runtime_dependency_is_pinned_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lock = (ROOT / "requirements.lock").read_text()
    pinned = dict(re.findall(r"^([A-Za-z0-9._-]+)==(\S+) \\$", lock, re.M))

    missing = {name_of(r) for r in project["dependencies"]} - {n.lower() for n in pinned}

    assert missing == set(), "run `make lock`"
    assert lock.count("--hash=sha256:") >= len(pinned)
