"""Real clients against a real server: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from sparql_support import SPARQL_DATA, app_for, serve, settings_for
from SPARQLWrapper import CSV, JSON, JSONLD, TURTLE, XML, SPARQLWrapper

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PEOPLE = (
    "SELECT ?person ?name WHERE { ?person a <https://schema.org/Person> ; "
    f'<{LABEL}> ?name FILTER(LANG(?name) = "en") }} ORDER BY ?name'
)
ORGANISERS = (
    "CONSTRUCT { ?event <https://schema.org/organizer> ?org } "
    "WHERE { ?event <https://schema.org/organizer> ?org }"
)


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    with serve(lambda origin: app_for(settings_for(SPARQL_DATA, origin))) as served:
        yield served


def wrapper(origin: str, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(f"{origin}sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def test_sparqlwrapper_select_json(origin: str) -> None:
    result = wrapper(origin, PEOPLE, JSON).queryAndConvert()
    names = [b["name"]["value"] for b in result["results"]["bindings"]]  # type: ignore[index]
    assert names == ["Ana Example", "Bo Example"]
    people = {b["person"]["value"] for b in result["results"]["bindings"]}  # type: ignore[index]
    assert people == {f"{origin}id/person/ana", f"{origin}id/person/bo"}


def test_sparqlwrapper_select_xml(origin: str) -> None:
    document = wrapper(origin, PEOPLE, XML).queryAndConvert()
    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]  # type: ignore[union-attr]
    assert literals == ["Ana Example", "Bo Example"]


def test_sparqlwrapper_select_csv(origin: str) -> None:
    body = wrapper(origin, PEOPLE, CSV).queryAndConvert()
    rows = list(csv.reader(io.StringIO(body.decode())))  # type: ignore[union-attr]
    assert rows[0] == ["person", "name"]
    assert [row[1] for row in rows[1:]] == ["Ana Example", "Bo Example"]


def test_sparqlwrapper_post(origin: str) -> None:
    client = wrapper(origin, PEOPLE, JSON)
    client.setMethod("POST")
    assert len(client.queryAndConvert()["results"]["bindings"]) == 2  # type: ignore[index]


def test_sparqlwrapper_ask(origin: str) -> None:
    assert wrapper(origin, "ASK { ?s ?p 42 }", JSON).queryAndConvert()["boolean"] is True  # type: ignore[index]
    assert wrapper(origin, "ASK { ?s ?p 43 }", XML).queryAndConvert() is not None


def test_sparqlwrapper_construct_turtle(origin: str) -> None:
    body = wrapper(origin, ORGANISERS, TURTLE).queryAndConvert()
    graph = rdflib.Graph().parse(data=body, format="turtle")  # type: ignore[arg-type]
    assert {str(o) for o in graph.objects()} == {f"{origin}id/org/acme", f"{origin}id/org/globex"}


def test_sparqlwrapper_construct_jsonld(origin: str) -> None:
    converted = wrapper(origin, ORGANISERS, JSONLD).queryAndConvert()
    graph = converted if isinstance(converted, rdflib.Graph) else rdflib.Graph().parse(
        data=converted, format="json-ld"  # type: ignore[arg-type]
    )  # fmt: skip
    assert len(graph) == 2


@pytest.mark.parametrize("method", ["GET", "POST_FORM"])
def test_rdflib_sparqlstore(origin: str, method: str) -> None:
    store = SPARQLStore(f"{origin}sparql", method=method)
    graph = rdflib.Graph(store=store)
    names = [str(row[1]) for row in graph.query(PEOPLE)]  # type: ignore[index]
    assert names == ["Ana Example", "Bo Example"]
    # SPARQLStore sends `application/sparql-results+xml, application/rdf+xml` for every form;
    # the CONSTRUCT must come back as RDF/XML, not as a results document.
    constructed = graph.query(ORGANISERS).graph
    assert constructed is not None and len(constructed) == 2
    assert bool(graph.query("ASK { ?s ?p 42 }")) is True
    labels = set(graph.objects(rdflib.URIRef(f"{origin}id/person/ana"), rdflib.RDFS.label))
    assert rdflib.Literal("Ana Example", lang="en") in labels
    store.close()
