"""Comunica, the linked-data client that prefers N-Quads, reads our documents as we mean them.

Comunica dereferences an IRI (Accept lists N-Quads first), follows the 303 to the document and
matches triple patterns against its default graph. Quad documents keep each fact in its source
graph and carry every triple in the default graph as well (docs/decisions/0008), so a plain
pattern finds the facts, and a second hop from the conference to each organiser finds their
names. Comunica comes from npm (tests/comunica/package.json, installed by .ci/run with
`npm ci --prefix tests/comunica`); without it these tests skip.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from ld_support import real_dataset
from sparql_support import serve

from publisher.config import Settings
from publisher.web.app import create_app

COMUNICA = (
    Path(__file__).resolve().parent / "comunica" / "node_modules" / ".bin" / "comunica-sparql"
)
SCHEMA = "https://schema.org/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

pytestmark = pytest.mark.skipif(
    not COMUNICA.exists() or shutil.which("node") is None,
    reason="Comunica is not installed: npm ci --prefix tests/comunica (needs Node.js and npm)",
)


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    def make_app(origin: str) -> FastAPI:
        settings = Settings(public_origin=origin, skip_validation=True)
        return create_app(settings, real_dataset(settings))

    with serve(make_app) as origin:
        yield origin


def comunica(source: str, query: str) -> list[dict[str, str]]:
    """The bindings Comunica's command line prints for `query` over the one `source` URL."""
    done = subprocess.run(
        [str(COMUNICA), source, query], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, str]] = json.loads(done.stdout)
    return rows


def test_a_triple_pattern_over_a_dereferenced_iri_finds_its_facts(origin: str) -> None:
    conference = f"{origin}id/event/gcm-arab-regional-review-conference-2021"
    rows = comunica(conference, f"SELECT ?o WHERE {{ <{conference}> <{SCHEMA}organizer> ?o }}")
    assert sorted(row["o"] for row in rows) == [
        f"{origin}id/org/escwa",
        f"{origin}id/org/iom",
        f"{origin}id/org/league-of-arab-states",
    ]


def test_following_links_from_the_conference_to_its_organisers(origin: str) -> None:
    """Two hops, each a dereference by Comunica: the conference's organisers, then each
    organiser's own document for its English name."""
    conference = f"{origin}id/event/gcm-arab-regional-review-conference-2021"
    organisers = comunica(conference, f"SELECT ?o WHERE {{ ?s <{SCHEMA}organizer> ?o }}")
    names = {}
    for row in organisers:
        english = 'FILTER(LANG(?name) = "en")'
        labels = comunica(
            row["o"], f"SELECT ?name WHERE {{ <{row['o']}> <{RDFS_LABEL}> ?name {english} }}"
        )
        names[row["o"]] = sorted(label["name"] for label in labels)
    assert names[f"{origin}id/org/league-of-arab-states"] == ['"League of Arab States"@en']
    assert all(len(found) == 1 for found in names.values()), names


def test_the_source_graphs_are_still_there(origin: str) -> None:
    """The same document read as quads still says which sentence states each fact."""
    conference = f"{origin}id/event/gcm-arab-regional-review-conference-2021"
    rows = comunica(
        conference, f"SELECT ?g WHERE {{ GRAPH ?g {{ <{conference}> <{SCHEMA}organizer> ?o }} }}"
    )
    assert f"{origin}id/graph/article-s03" in {row["g"] for row in rows}
