"""Sources without SHACL shapes (issue 10): `validate` says there is nothing to validate and
exits 0, `serve` serves, /validation answers 404 saying why, and `has_shapes` is the one
question the pages ask before linking a report."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from ld_support import Client
from typer.testing import CliRunner

from publisher import cli as cli_module
from publisher.cli import app as cli
from publisher.cli import build_settings
from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.stores import open_dataset
from publisher.validation import has_shapes
from publisher.web import server
from publisher.web.app import create_app

OWN = Path(__file__).resolve().parent / "fixtures" / "own-data"
CARD, SHAPES = OWN / "card.n3", OWN / "shapes"
NS = "https://example.org/people/"
ORIGIN = "http://127.0.0.1:8765/"
NO_SHAPES = "no shapes: nothing to validate"

runner = CliRunner()


@pytest.fixture(autouse=True)
def no_publisher_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PUBLISHER_"):
            monkeypatch.delenv(name)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Settings, Dataset | None]]:
    """`publisher serve` up to the point where it would listen: what it would serve."""
    calls: list[tuple[Settings, Dataset | None]] = []
    monkeypatch.setattr(server, "run", lambda settings, dataset: calls.append((settings, dataset)))
    monkeypatch.setattr(cli_module, "exit_on_sigterm", lambda: None)  # the test's own handler
    return calls


# --- validate ----------------------------------------------------------------------------------


def test_validate_without_shapes_says_so_and_exits_0() -> None:
    result = runner.invoke(cli, ["validate", str(CARD), "--base-iri", NS])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == NO_SHAPES


def test_the_turtle_report_stays_rdf_without_shapes() -> None:
    args = ["validate", str(CARD), "--base-iri", NS, "--format", "turtle"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and NO_SHAPES in result.stderr


def test_without_shapes_the_sources_are_still_parsed(tmp_path: Path) -> None:
    broken = tmp_path / "card.n3"
    broken.write_text(CARD.read_text().replace(" .\n", " \n", 1))
    result = runner.invoke(cli, ["validate", str(broken), "--base-iri", NS])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {broken}:") and NO_SHAPES not in result.output


# --- serve --------------------------------------------------------------------------------------


def test_serve_without_shapes_serves(served: list[tuple[Settings, Dataset | None]]) -> None:
    result = runner.invoke(cli, ["serve", str(CARD), "--base-iri", NS, "--port", "0"])
    assert result.exit_code == 0, result.output
    assert f"{NO_SHAPES}: serving without a validation report" in result.stderr
    [(settings, dataset)] = served
    assert dataset is not None and not has_shapes(dataset)
    assert settings.shapes == [] and dataset.triple_count > 0


def test_serve_with_shapes_still_validates(
    served: list[tuple[Settings, Dataset | None]], tmp_path: Path
) -> None:
    nameless = tmp_path / "card.n3"
    nameless.write_text(CARD.read_text().replace('foaf:name "Sami" .', 'foaf:nick "S" .'))
    args = ["serve", str(nameless), "--shapes", str(SHAPES), "--base-iri", NS, "--port", "0"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert "does not conform" in result.stderr and served == []


def test_the_validation_url_says_there_is_no_report() -> None:
    settings = build_settings([str(CARD)], base_iri=NS, public_origin=ORIGIN)
    client = Client(create_app(settings, open_dataset(settings)))
    for accept in ("text/plain", "text/html", "text/turtle"):
        answer = client.get("/validation", accept=accept)
        assert answer.status_code == 404, accept
    answer = client.get("/validation", accept="application/problem+json")
    assert "no validation report" in answer.text and "no SHACL shapes" in answer.text


def test_void_names_no_report_without_shapes() -> None:
    for shapes, linked in (([], False), ([str(SHAPES)], True)):
        settings = build_settings([str(CARD)], shapes=shapes, base_iri=NS, public_origin=ORIGIN)
        client = Client(create_app(settings, open_dataset(settings)))
        void = client.get("/.well-known/void", accept="text/turtle").text
        assert (f"<{ORIGIN}validation" in void) is linked, shapes


def test_has_shapes_is_what_decides_a_report() -> None:
    bare = open_dataset(build_settings([str(CARD)], base_iri=NS))
    checked = open_dataset(build_settings([str(CARD)], shapes=[str(SHAPES)], base_iri=NS))
    assert not has_shapes(bare) and has_shapes(checked)


# --- a store loaded without shapes -------------------------------------------------------------


def test_load_without_shapes_asks_for_them_or_the_flag(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["load", str(CARD), "--into", str(tmp_path / "s")])
    assert result.exit_code == 2 and "--skip-validation" in result.output


def test_a_store_loaded_without_shapes_says_so(
    served: list[tuple[Settings, Dataset | None]], tmp_path: Path
) -> None:
    folder = tmp_path / "s"
    args = ["load", str(CARD), "--into", str(folder), "--base-iri", NS, "--skip-validation"]
    assert runner.invoke(cli, args).exit_code == 0
    result = runner.invoke(cli, ["validate", "--store", str(folder)])
    assert result.exit_code == 0, result.output
    assert NO_SHAPES in result.stdout
    result = runner.invoke(cli, ["serve", "--store", str(folder), "--port", "0"])
    assert result.exit_code == 0, result.output
    assert f"{NO_SHAPES}: {folder} was loaded without shapes" in result.stderr
    assert "--skip-validation" not in result.stderr
    [(settings, dataset)] = served
    assert settings.base_iri == NS and dataset is not None and not has_shapes(dataset)
