"""JSON-LD round trip: expanding each document with a JSON-LD 1.1 processor (pyld) gives a graph
isomorphic to the Turtle of the same document, for every resource of the fixture and of the
repository's own data."""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
import pytest
from ld_support import (
    REAL_DATA,
    as_graph,
    fixture_dataset,
    fixture_settings,
    parse,
    real_dataset,
    real_settings,
    urls_of,
)
from pyld import jsonld

from publisher.documents.cache import Representations
from publisher.formats import JSONLD, TURTLE


def served_context(reps: Representations) -> Any:
    """A pyld loader that serves our context at its URL, as the server does, and nothing else."""

    def load(url: str, options: object = None) -> dict[str, Any]:
        if url != reps.context.url:
            raise jsonld.JsonLdError(f"unexpected fetch of {url}", "jsonld.LoadDocumentError")
        document = json.loads(reps.context_document().body)
        return {"contextUrl": None, "documentUrl": url, "document": document}

    return load


def expanded_graph(body: bytes, reps: Representations) -> ox.Dataset:
    options = {"documentLoader": served_context(reps)}
    expanded = jsonld.expand(json.loads(body), options)
    nquads = jsonld.to_rdf(expanded, {"format": "application/n-quads"})
    return as_graph(parse(nquads.encode(), ox.RdfFormat.N_QUADS))


def check_every_document(reps: Representations) -> int:
    checked = 0
    for path in sorted(reps.things):
        turtle = as_graph(parse(reps.document(path, TURTLE).body, ox.RdfFormat.TURTLE))
        assert expanded_graph(reps.document(path, JSONLD).body, reps) == turtle, path
        checked += 1
    for path in sorted(reps.ontologies):
        turtle = as_graph(parse(reps.ontology(path, TURTLE).body, ox.RdfFormat.TURTLE))
        assert expanded_graph(reps.ontology(path, JSONLD).body, reps) == turtle, path
        checked += 1
    return checked


def test_fixture_documents_round_trip() -> None:
    settings = fixture_settings()
    reps = Representations(fixture_dataset(settings), urls_of(settings))
    assert check_every_document(reps) == len(list(reps.things)) + 2


@pytest.mark.skipif(not REAL_DATA, reason="the repository's data/*.trig is not there yet")
@pytest.mark.parametrize("origin", [None, "http://127.0.0.1:8765/"], ids=["canonical", "local"])
def test_real_documents_round_trip(origin: str | None) -> None:
    settings = real_settings(origin)
    if origin is None:  # serve on the canonical namespace itself: no rewriting
        settings = settings.model_copy(update={"public_origin": settings.base_iri})
    reps = Representations(real_dataset(settings), urls_of(settings))
    assert check_every_document(reps) > 100


def test_the_context_is_what_documents_are_compacted_against() -> None:
    settings = fixture_settings()
    reps = Representations(fixture_dataset(settings), urls_of(settings))
    context = json.loads(reps.context_document().body)
    assert context == reps.context.document
    terms = context["@context"]
    assert terms["tst"] == "http://127.0.0.1:8765/def/tst#"  # on the public origin
    assert terms["label"] == {"@id": "rdfs:label", "@container": "@language"}
    assert terms["startDate"] == {"@id": "schema:startDate", "@type": "xsd:date"}
    assert terms["chair"] == {"@id": "tst:chair", "@type": "@id"}
    assert terms["name"] == "schema:name"  # the more used `name` wins; foaf:name stays a CURIE
    assert "type" not in terms and "id" not in terms
