"""Settings: environment variables, precedence of flags, normalisation, clear errors, docs."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from publisher.cli import build_settings
from publisher.config import Settings

SETTINGS_TABLE = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLISHER_PORT", "9123")
    monkeypatch.setenv("PUBLISHER_DATA", "a.ttl,b.trig")
    settings = Settings()
    assert settings.port == 9123
    assert settings.data == ["a.ttl", "b.trig"]
    assert settings.origin == "http://127.0.0.1:9123/"


def test_flags_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLISHER_PORT", "9123")
    monkeypatch.setenv("PUBLISHER_HOST", "127.0.0.2")
    settings = build_settings(port=8080, host=None)
    assert settings.port == 8080
    assert settings.host == "127.0.0.2"  # a flag not given leaves the environment's value


def test_namespace_and_origin_end_with_a_slash() -> None:
    settings = Settings(base_iri="https://example.org/ds", public_origin="http://localhost:8080")
    assert settings.base_iri == "https://example.org/ds/"
    assert settings.origin == "http://localhost:8080/"


@pytest.mark.parametrize("field", ["base_iri", "public_origin"])
def test_a_non_http_namespace_or_origin_is_refused(field: str) -> None:
    with pytest.raises(ValidationError, match="http"):
        Settings(**{field: "ftp://example.org/"})


def test_unknown_settings_are_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(prot=80)  # type: ignore[call-arg]


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented_in_the_settings_table(name: str) -> None:
    assert f"PUBLISHER_{name.upper()}" in SETTINGS_TABLE.read_text(encoding="utf-8")
