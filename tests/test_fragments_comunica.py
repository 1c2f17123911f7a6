"""Comunica, with `/fragments` as its only source, answers the benchmark's SELECTs as the SPARQL
endpoint does (issue 12).

Comunica finds the Triple (here Quad) Pattern Fragments interface from the hypermedia controls of
the first page it reads, then answers each query by asking for patterns. One server serves the
benchmark's generated data (bench.sparql.generate, small) beside the repository's data, so the
same module runs the benchmark's mix (bench.fragments.QUERIES) and the data's own example
queries. Every answer is compared with the endpoint's as a multiset of solutions, terms in one
form (bench.fragments.term_key). One Node process answers every query (Node starts once).

Two example queries join through blank nodes (a sentence's `oa:hasSelector [ … ]`): they
answer because the fragments write a blank node as a skolem IRI (RDF 1.1 Concepts 3.5), one
name on every page, that a later pattern can ask for (docs/fragments.md).

Comunica comes from npm (tests/comunica, `npm ci --prefix tests/comunica`); without it, or
without Node.js, these tests skip.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from ld_support import REAL_DATA
from sparql_support import app_for, serve

from publisher.config import PROJECT_ROOT, Settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # bench/ is beside the package, not installed with it

from bench import fragments  # noqa: E402
from bench.sparql import BASE, generate  # noqa: E402

SIZE = 2_000
"""Generated triples: about 220 people in 10 organisations (the one the mix names has 22
members), so a query needs tens of fragment pages, not thousands."""
EXAMPLES = ("speakers", "organisers", "objectives", "states")
"""The data's example queries (data/dataset.ttl) that join through no blank node."""
BLANK_NODE_JOINS = ("where-from", "facts-per-sentence")
"""The data's example queries that join through blank nodes (see the module's text)."""

pytestmark = pytest.mark.skipif(
    bool(fragments.comunica_missing()),
    reason=fragments.comunica_missing() or "Comunica is installed",
)


def example_queries() -> dict[str, str]:
    """The example queries the data gives, by slug (dcterms:identifier), from its own file."""
    store = ox.Store()
    store.load(path=str(PROJECT_ROOT / "data" / "dataset.ttl"), format=ox.RdfFormat.TURTLE)
    rows = store.query(
        "SELECT ?slug ?text WHERE { ?q <http://purl.org/dc/terms/identifier> ?slug ; "
        "<http://www.w3.org/ns/shacl#select> ?text }"
    )
    assert isinstance(rows, ox.QuerySolutions)
    return {str(row["slug"].value): str(row["text"].value) for row in rows}


QUERIES = {
    **fragments.QUERIES,
    **{f"example: {slug}": example_queries()[slug] for slug in EXAMPLES + BLANK_NODE_JOINS},
}
CASES = list(QUERIES)


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data, _, _ = generate(SIZE, tmp_path_factory.mktemp("fragments-comunica"))

    def make_app(origin: str) -> FastAPI:
        sources = [str(data), *(str(path) for path in REAL_DATA)]
        settings = Settings(
            base_iri=BASE, public_origin=origin, data=sources, ontology=[], shapes=[]
        )
        return app_for(settings)

    with serve(make_app) as origin:
        yield origin


@pytest.fixture(scope="module")
def client() -> Iterator[fragments.Comunica]:
    with fragments.Comunica(timeout=120) as running:
        yield running


def test_the_mix_is_what_the_benchmark_runs() -> None:
    """The benchmark's mix is run here whole, and none of it is one of the queries left out."""
    assert set(fragments.QUERIES) <= set(QUERIES)
    assert not set(fragments.LEFT_OUT) & set(fragments.QUERIES)


@pytest.mark.parametrize("name", CASES)
def test_comunica_over_fragments_answers_as_the_endpoint(
    name: str, origin: str, client: fragments.Comunica
) -> None:
    query = QUERIES[name]
    expected = fragments.endpoint_answer(origin, query)
    assert expected.rows, f"the endpoint finds nothing for {name}: the comparison would be empty"
    answer = client.ask(origin + "fragments", fragments.public_query(query, origin))
    assert not answer.error, answer.error
    assert fragments.solutions(answer.rows) == fragments.solutions(expected.rows)
    assert answer.requests >= 2, "Comunica read the entry page only"


def test_a_pattern_nothing_matches_has_no_solution(origin: str, client: fragments.Comunica) -> None:
    """A subject the data does not hold: an empty fragment, and no solution (not an error)."""
    nothing = f"{origin}id/person/nobody"
    answer = client.ask(origin + "fragments", f"SELECT ?p ?o WHERE {{ <{nothing}> ?p ?o }}")
    assert not answer.error, answer.error
    assert answer.rows == []


def test_a_source_that_is_not_a_fragment_is_refused(client: fragments.Comunica) -> None:
    """The runner reports a failed query as an error, not as an empty answer."""
    answer = client.ask("http://127.0.0.1:9/fragments", "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert answer.error


def test_a_join_through_blank_nodes(origin: str, client: fragments.Comunica) -> None:
    """Each quote selector of the data is a blank node with its text: the smallest query that
    joins two fragments on a blank node (its answer holds none): the node's skolem IRI read
    in one fragment is asked for in the next."""
    oa = "http://www.w3.org/ns/oa#"
    query = f"SELECT ?text WHERE {{ ?quote a <{oa}TextQuoteSelector> ; <{oa}exact> ?text }}"
    expected = fragments.endpoint_answer(origin, query)
    assert expected.rows
    answer = client.ask(origin + "fragments", query)
    assert not answer.error, answer.error
    assert fragments.solutions(answer.rows) == fragments.solutions(expected.rows)
