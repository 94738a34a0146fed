"""`BAZAAR_ENV=prod` refusing a weak setting: one line naming it and the rule, never its value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e
BAZAAR = str(Path(sys.executable).with_name("bazaar"))
STRONG = "kX9#vQ2m!Lp7zR4w@Nt8bY6s$Hc3dF5g"


def bazaar_in_prod(tmp_path: Path, jwt_secret: str) -> subprocess.CompletedProcess[str]:
    """`bazaar migrate` in prod with this secret; it refuses before connecting to anything."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JWT_", "BAZAAR_"))}
    env.update(
        BAZAAR_ENV="prod",
        BAZAAR_DATA_DIR=str(tmp_path / "data"),
        DATABASE_URL="postgresql://postgres@127.0.0.1:1/none",
        REDIS_URL="redis://127.0.0.1:1/0",
        JWT_SECRET=jwt_secret,
    )
    return subprocess.run(
        [BAZAAR, "migrate"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )


WEAK = {
    "short": "short-but-SECRET-tail-x9",
    "one-character": "a" * 32,
    "repeated-word": "abcabcabc" * 5,
}


@pytest.fixture(scope="module")
def refusals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, Any]]:
    """Each weak secret and what `bazaar` answered it (run once each: a start takes seconds)."""
    return {
        kind: (secret, bazaar_in_prod(tmp_path_factory.mktemp(kind), secret))
        for kind, secret in WEAK.items()
    }


@pytest.mark.parametrize("kind", WEAK)
class TestAWeakSecret:
    def test_is_refused_with_exit_code_2(self, refusals: dict[str, Any], kind: str) -> None:
        _, result = refusals[kind]

        assert result.returncode == 2, result.stderr

    def test_is_named_on_one_line_without_a_traceback(
        self, refusals: dict[str, Any], kind: str
    ) -> None:
        _, result = refusals[kind]

        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "JWT_SECRET" in lines[0]
        assert "Traceback" not in result.stderr

    def test_shows_no_part_of_the_secret(self, refusals: dict[str, Any], kind: str) -> None:
        secret, result = refusals[kind]

        assert secret[-6:] not in result.stderr + result.stdout


def test_the_secret_generated_for_development_is_refused(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "jwt_secret").write_text(STRONG)

    result = bazaar_in_prod(tmp_path, STRONG)

    assert result.returncode == 2
    assert "development secret" in result.stderr
    assert STRONG[-6:] not in result.stderr
