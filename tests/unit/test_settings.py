"""Settings: prod refuses weak values, by name and rule; other environments stay permissive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bazaar.settings import Settings, SettingsError, load_settings

pytestmark = pytest.mark.unit
STRONG = "kX9#vQ2m!Lp7zR4w@Nt8bY6s$Hc3dF5g"


def prod(**fields: Any) -> dict[str, Any]:
    return {
        "bazaar_env": "prod",
        "database_url": "postgresql://db/bazaar",
        "redis_url": "redis://cache/0",
        "jwt_secret": STRONG,
        "_env_file": None,
        **fields,
    }


class TestLoadSettings:
    def test_accepts_a_strong_prod_secret(self) -> None:
        settings = load_settings(**prod())

        assert settings.jwt_secret == STRONG

    def test_refuses_a_secret_of_too_few_distinct_characters(self) -> None:
        with pytest.raises(SettingsError, match="at least 10 distinct characters"):
            load_settings(**prod(jwt_secret="ab" * 20))

    def test_names_a_malformed_setting_without_its_value(self) -> None:
        with pytest.raises(SettingsError) as refused:
            load_settings(**prod(bazaar_port="port-SECRETISH"))

        assert str(refused.value).startswith("BAZAAR_PORT: ")
        assert "SECRETISH" not in str(refused.value)

    def test_its_message_is_one_line(self) -> None:
        with pytest.raises(SettingsError) as refused:
            load_settings(**prod(jwt_secret="a" * 32, bazaar_port="x"))

        assert "\n" not in str(refused.value)


class TestSettings:
    def test_still_raises_pydantics_error_when_built_directly(self) -> None:
        with pytest.raises(ValidationError):
            Settings(**prod(jwt_secret="a" * 32))

    def test_dev_accepts_a_simple_secret(self) -> None:
        settings = Settings(bazaar_env="dev", jwt_secret="a" * 32, _env_file=None)

        assert settings.jwt_secret == "a" * 32


class TestSigningSecret:
    def test_is_the_configured_jwt_secret(self, tmp_path: Path) -> None:
        settings = Settings(bazaar_data_dir=str(tmp_path), jwt_secret=STRONG, _env_file=None)

        assert settings.signing_secret() == STRONG

    def test_without_one_is_a_private_dev_secret_kept_in_the_data_dir(self, tmp_path: Path) -> None:
        settings = Settings(bazaar_data_dir=str(tmp_path), jwt_secret=None, _env_file=None)

        secret = settings.signing_secret()

        assert len(secret) >= 32
        assert settings.signing_secret() == secret
        assert (tmp_path / "jwt_secret").stat().st_mode & 0o777 == 0o600
