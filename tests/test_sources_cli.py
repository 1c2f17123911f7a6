"""`publisher serve|validate|load|export SOURCE...`: the sources a run names are published
alone (issue 10), and their namespace, when no --base-iri names it, is inferred from their
subjects and said on stderr."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from ld_support import Client
from typer.testing import CliRunner

from publisher.cli import app as cli
from publisher.cli import build_settings
from publisher.config import PROJECT_ROOT, Settings
from publisher.profile import Overrides, read_profile
from publisher.sources import discover, infer_namespace, namespace_of
from publisher.stores import open_dataset
from publisher.stores.disk import read_metadata
from publisher.web.app import create_app

OWN = Path(__file__).resolve().parent / "fixtures" / "own-data"
CARD, BOOKS, PEOPLE, SHAPES = OWN / "card.n3", OWN / "books.ttl", OWN / "people.ttl", OWN / "shapes"
PEOPLE_NS = "https://data.example.org/people/"
GCM = "https://w3id.org/gcm-arab-review/"
GCM_WORDS = (
    "GCM",
    "Global Compact",
    "الهجرة",
    "gcmr",
    "CC BY 4.0",
    "creativecommons.org/licenses/by/",
)
ORIGIN = "http://127.0.0.1:8765/"

runner = CliRunner()


@pytest.fixture(autouse=True)
def no_publisher_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a run names must come from the test, not from the shell that runs it."""
    for name in list(os.environ):
        if name.startswith("PUBLISHER_"):
            monkeypatch.delenv(name)


def iris(quads: Iterable[ox.Quad]) -> set[str]:
    terms = (t for q in quads for t in (q.subject, q.predicate, q.object, q.graph_name))
    return {t.value for t in terms if isinstance(t, ox.NamedNode)}


# --- which sources a run publishes ----------------------------------------------------------------


def test_positional_sources_are_published_alone() -> None:
    settings = build_settings([str(CARD), str(BOOKS)], base_iri=PEOPLE_NS)
    assert settings.data == [str(CARD), str(BOOKS)]
    assert settings.ontology == [] and settings.shapes == []
    dataset = open_dataset(settings)
    assert set(dataset.sources.content) == {CARD, BOOKS}
    assert not any(iri.startswith(GCM) for iri in iris(dataset.store))


def test_positional_sources_add_to_data_flags() -> None:
    settings = build_settings([str(CARD)], data=[str(BOOKS)], base_iri=PEOPLE_NS)
    assert settings.data == [str(CARD), str(BOOKS)]


@pytest.mark.parametrize("kind", ["ontology", "shapes"])
def test_one_kind_of_source_brings_none_of_the_embedded_ones(kind: str) -> None:
    """`--ontology X` alone used to load the GCM data with it."""
    named: dict[str, Any] = {kind: [str(PEOPLE)]}
    settings = build_settings(base_iri=PEOPLE_NS, **named)
    for name in ("data", "ontology", "shapes"):
        assert getattr(settings, name) == ([str(PEOPLE)] if name == kind else []), name


def test_a_source_named_in_the_environment_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLISHER_ONTOLOGY", str(PEOPLE))
    settings = build_settings(base_iri=PEOPLE_NS)
    assert settings.data == [] and settings.shapes == [] and settings.ontology == [str(PEOPLE)]


def test_naming_no_source_serves_the_embedded_dataset() -> None:
    notes: list[str] = []
    settings = build_settings(notes=notes)
    assert settings.base_iri == GCM
    assert settings.data == [str(PROJECT_ROOT / "data")]
    assert settings.ontology == [str(PROJECT_ROOT / "ontology")]
    assert settings.shapes == [str(PROJECT_ROOT / "shapes")]
    assert notes == []  # nothing inferred, nothing said


def test_an_ontology_only_run_on_the_command_line() -> None:
    result = runner.invoke(cli, ["validate", "--ontology", str(PEOPLE)])
    assert result.exit_code == 0, result.output
    assert "no shapes: nothing to validate" in result.stdout
    assert f"namespace: {PEOPLE_NS}" in result.stderr


# --- the namespace --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("iri", "namespace"),
    [
        ("https://example.org/people/card#i", "https://example.org/people/"),
        ("https://example.org/people/card", "https://example.org/people/"),
        ("https://example.org/people/", "https://example.org/people/"),
        ("https://example.org/def/lib#Book", "https://example.org/"),
        ("https://example.org/ds/id/book/dune", "https://example.org/ds/"),
        ("https://example.org/ds/.well-known/void", "https://example.org/ds/"),
        ("http://purl.org/linked-data/cube#DataSet", "http://purl.org/linked-data/"),
        ("https://example.org", "https://example.org/"),
        ("urn:isbn:0441013597", None),
        ("mailto:amal@example.net", None),
    ],
)  # fmt: skip
def test_the_namespace_of_an_iri(iri: str, namespace: str | None) -> None:
    assert namespace_of(iri) == namespace


def test_the_most_common_namespace_wins_and_ties_go_to_the_shortest(tmp_path: Path) -> None:
    many = tmp_path / "many.nt"
    many.write_text(
        "".join(f"<https://b.example/x/{n}> <https://p.example/p> <https://o.example/> .\n"
                for n in range(3))
        + "<https://a.example/long/path/1> <https://p.example/p> <https://o.example/> .\n"
    )  # fmt: skip
    assert infer_namespace([many]).namespace == "https://b.example/x/"
    tie = tmp_path / "tie.nt"
    tie.write_text(
        "<https://a.example/long/path/1> <https://p.example/p> <https://o.example/> .\n"
        "<https://a.example/s/1> <https://p.example/p> <https://o.example/> .\n"
    )
    assert infer_namespace([tie]).namespace == "https://a.example/s/"


def test_inference_reads_only_the_start_of_each_file(tmp_path: Path) -> None:
    big = tmp_path / "big.nt"
    lines = [
        f"<https://first.example/{n}> <https://p.example/p> <https://o.example/> .\n"
        for n in range(10)
    ]
    lines += [
        f"<https://later.example/{n}> <https://p.example/p> <https://o.example/> .\n"
        for n in range(100)
    ]
    big.write_text("".join(lines))
    found = infer_namespace([big], sample=10)
    assert (found.namespace, found.subjects, found.sampled) == ("https://first.example/", 10, 10)


@pytest.mark.parametrize(
    ("locations", "namespace"),
    [
        ([PROJECT_ROOT / "data", PROJECT_ROOT / "ontology"], GCM),
        ([Path(__file__).parent / "fixtures" / "any-dataset"], "https://data.example.org/library/"),
        ([PEOPLE, CARD, BOOKS], PEOPLE_NS),
    ],
)  # fmt: skip
def test_datasets_infer_the_namespace_they_are_served_at(
    locations: list[Path], namespace: str
) -> None:
    """`{ns}id/{type}/{slug}` things and `{ns}def/…#Term` vocabularies share `{ns}`."""
    assert infer_namespace(discover(map(str, locations))).namespace == namespace


def test_the_inferred_namespace_is_said_on_stderr() -> None:
    result = runner.invoke(cli, ["validate", str(PEOPLE), str(CARD)])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stderr.splitlines() if x.startswith("namespace:"))
    assert line.startswith(f"namespace: {PEOPLE_NS} (inferred from 5 of 6 subject IRIs")
    assert "--base-iri to choose" in line


def test_relative_subjects_only_take_the_servers_own_origin() -> None:
    notes: list[str] = []
    settings = build_settings([str(CARD)], port=8123, notes=notes)
    assert settings.base_iri == "http://127.0.0.1:8123/"
    assert notes and "server's own address" in notes[0] and "--base-iri" in notes[0]


def test_a_given_namespace_is_not_inferred() -> None:
    notes: list[str] = []
    settings = build_settings([str(PEOPLE)], base_iri="https://example.org/mine/", notes=notes)
    assert settings.base_iri == "https://example.org/mine/" and notes == []
    result = runner.invoke(cli, ["validate", str(PEOPLE), "--base-iri", PEOPLE_NS])
    assert "namespace:" not in result.output


def test_load_stores_the_inferred_namespace(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    args = ["load", str(PEOPLE), str(CARD), "--into", str(folder), "--shapes", str(SHAPES)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"namespace: {PEOPLE_NS}" in result.stderr
    assert read_metadata(folder).base_iri == PEOPLE_NS
    assert build_settings(store=str(folder)).base_iri == PEOPLE_NS  # serve --store needs no flag
    assert PEOPLE_NS + "card#i" in iris(open_dataset(build_settings(store=str(folder))).store)


# --- mistakes get one line ------------------------------------------------------------------------


def test_a_missing_source_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.ttl"
    result = runner.invoke(cli, ["validate", str(missing)])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {missing}: no such file or folder (or the pattern matches nothing)"
    ]


def test_a_syntax_error_is_one_line_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n")
    result = runner.invoke(cli, ["serve", str(broken)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {broken}:1:"), lines


def test_a_file_that_is_not_rdf_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not RDF")
    result = runner.invoke(cli, ["validate", str(notes)])
    assert result.exit_code == 2 and "notes.txt" in result.stderr
    assert "Traceback" not in result.output


# --- the languages --------------------------------------------------------------------------------


def test_language_overrides_what_the_data_says(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = build_settings([str(PEOPLE)], base_iri=PEOPLE_NS, languages=["ar", "EN"])
    dataset = open_dataset(settings)
    assert read_profile(dataset, Overrides.from_settings(settings)).languages == ("ar", "en")
    monkeypatch.setenv("PUBLISHER_LANGUAGES", "fr,pt-BR")
    settings = build_settings([str(PEOPLE)], base_iri=PEOPLE_NS)
    assert read_profile(dataset, Overrides.from_settings(settings)).languages == ("fr", "pt-br")


def test_the_new_settings_reach_worker_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve --workers N` hands its settings over as PUBLISHER_* variables."""
    settings = build_settings(
        [str(CARD)], source_base=PEOPLE_NS + "amal", languages=["ar", "en"], notes=[]
    )
    for name, value in settings.environment().items():
        monkeypatch.setenv(name, value)
    assert Settings() == settings


def test_a_bad_language_tag_is_refused() -> None:
    result = runner.invoke(cli, ["validate", str(PEOPLE), "--language", "english please"])
    assert result.exit_code == 2
    assert "invalid setting: languages" in result.stderr and "not a language tag" in result.stderr


# --- served and exported --------------------------------------------------------------------------


def test_own_sources_are_served_without_a_word_of_the_gcm() -> None:
    settings = build_settings([str(CARD), str(BOOKS)], base_iri=PEOPLE_NS, public_origin=ORIGIN)
    client = Client(create_app(settings, open_dataset(settings)))
    for path, accept in [
        ("/?lang=en", "text/html"),
        ("/?lang=ar", "text/html"),
        ("/.well-known/void", "text/turtle"),
        ("/.well-known/void", "text/html"),
        ("/sitemap.xml", "*/*"),
    ]:
        answer = client.get(path, accept=accept)
        assert answer.status_code == 200, path
        for word in GCM_WORDS:
            assert word not in answer.text, (path, word)


def test_export_takes_sources_after_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        cli, ["export", str(out), str(CARD), str(BOOKS), "--base-iri", PEOPLE_NS]
    )
    assert result.exit_code == 0, result.output
    assert "no shapes: nothing to validate" in result.stderr
    pages = sorted((out / "site").glob("void.*.html"))  # the VoID page in each page language
    assert pages
    assert all("GCM" not in page.read_text(encoding="utf-8") for page in pages)
