"""The rdflib backend (`--store rdflib:`) answers as the Oxigraph one: same documents, same
home page, same SPARQL rows. It exists to prove the store protocols; this is its proof."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from ld_support import FIXTURES, Client, as_graph, fixture_settings, make_client, parse
from sparql_support import serve

from publisher.dataset import Dataset, Sources
from publisher.stores import backend_for, open_dataset
from publisher.stores.rdflib_store import RdflibStore
from publisher.web.app import create_app

SOURCES = Sources(data=(FIXTURES / "data.trig",), ontology=(FIXTURES / "ontology.ttl",), shapes=())
DOCUMENTS = ("/doc/person/alice.ttl", "/def/tst.ttl", "/doc/event/meeting-1.ttl")
QUERY = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"


def open_with(store: str | None) -> Dataset:
    settings = fixture_settings().model_copy(update={"store": store})
    return open_dataset(settings, SOURCES)


@pytest.fixture(scope="module")
def clients() -> dict[str, Client]:
    made = {}
    for name, store in (("memory", None), ("rdflib", "rdflib:")):
        settings = fixture_settings().model_copy(update={"store": store})
        made[name] = make_client(settings, open_dataset(settings, SOURCES))
    return made


def test_the_location_selects_the_backend() -> None:
    assert backend_for("rdflib:").name == "rdflib"
    dataset = open_with("rdflib:")
    assert isinstance(dataset.store, RdflibStore)
    assert not dataset.capabilities.changes and dataset.capabilities.shared_path is None


def test_same_quads_count_and_version_as_memory() -> None:
    memory, rdf = open_with(None), open_with("rdflib:")
    assert as_graph(rdf.store) == as_graph(memory.store)
    assert len(rdf.store) == len(memory.store)
    assert rdf.version == memory.version and rdf.modified == memory.modified
    assert sorted(map(str, rdf.store.named_graphs())) == sorted(
        map(str, memory.store.named_graphs())
    )


def test_store_queries_match_oxigraph() -> None:
    memory, rdf = open_with(None), open_with("rdflib:")
    this = ox.NamedNode(fixture_settings().base_iri + "id/person/alice")
    substitutions = {ox.Variable("s"): this}
    rows = {}
    for name, dataset in (("memory", memory), ("rdflib", rdf)):
        answer = dataset.store.query(
            "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
            use_default_graph_as_union=True,
            substitutions=substitutions,  # type: ignore[arg-type]
        )
        assert isinstance(answer, ox.QuerySolutions)
        rows[name] = sorted(str(tuple(solution)) for solution in answer)
    assert rows["memory"]
    assert rows["rdflib"] == rows["memory"]


@pytest.mark.parametrize("path", DOCUMENTS)
def test_documents_are_isomorphic(clients: dict[str, Client], path: str) -> None:
    bodies = {}
    for name, client in clients.items():
        response = client.get(path)
        assert response.status_code == 200, (name, response.text[:300])
        bodies[name] = as_graph(parse(response.content, ox.RdfFormat.TURTLE))
    assert bodies["rdflib"] == bodies["memory"]


def test_home_page_answers(clients: dict[str, Client]) -> None:
    response = clients["rdflib"].get("/", accept="text/html")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]


def test_sparql_select_gives_the_same_rows() -> None:
    """Served by uvicorn with the app's lifespan, so the memory backend's workers stop after."""
    rows = {}
    for name, store in (("memory", None), ("rdflib", "rdflib:")):

        def make_app(origin: str, store: str | None = store) -> FastAPI:
            settings = fixture_settings(origin).model_copy(update={"store": store})
            return create_app(settings, open_dataset(settings, SOURCES))

        with serve(make_app) as origin:
            response = httpx.get(
                f"{origin}sparql?" + urlencode({"query": QUERY}),
                headers={"accept": "application/sparql-results+json"},
            )
        assert response.status_code == 200, (name, response.text[:300])
        rows[name] = json.loads(response.text.replace(origin, "/"))["results"]["bindings"]
    blank = {"type": "bnode"}
    normalised = {
        name: sorted(
            json.dumps({k: blank if v["type"] == "bnode" else v for k, v in row.items()})
            for row in found
        )
        for name, found in rows.items()
    }
    assert normalised["rdflib"] == normalised["memory"]
    assert normalised["memory"]
