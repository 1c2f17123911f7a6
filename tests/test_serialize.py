"""serialize(): every format says the same graph, deterministically, on the public origin."""

from __future__ import annotations

import json
from collections.abc import Callable

import pyoxigraph as ox
import pytest
from ld_support import (
    BASE,
    ORIGIN,
    as_graph,
    canonical,
    fixture_dataset,
    fixture_settings,
    parse,
    urls_of,
)
from pyld import jsonld

from publisher.dataset import Dataset
from publisher.documents.describe import describe
from publisher.documents.jsonld_context import JsonLdContext, build_context
from publisher.documents.serialize import (
    refuse_remote_documents,
    serialize,
    to_jsonld,
    with_default_graph,
)
from publisher.formats import (
    JSONLD,
    NQUADS,
    NTRIPLES,
    RDF_DOCUMENT_FORMATS,
    RDFXML,
    TURTLE,
    Format,
)
from publisher.urls import Urls

THINGS = ["event/meeting-1", "person/alice", "concept/hub", "thing/loop", "graph/g1"]
TRIPLE_FORMATS = [TURTLE, NTRIPLES, RDFXML]


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return fixture_dataset()


@pytest.fixture(scope="module")
def urls() -> Urls:
    return urls_of(fixture_settings())


@pytest.fixture(scope="module")
def context(dataset: Dataset, urls: Urls) -> JsonLdContext:
    return build_context(dataset, urls)


def document_bytes(
    dataset: Dataset, urls: Urls, context: JsonLdContext, path: str, fmt: Format
) -> bytes:
    return serialize(describe(dataset, urls, urls.thing(path)), fmt, urls, context)


@pytest.mark.parametrize("fmt", TRIPLE_FORMATS, ids=lambda f: f.name)
@pytest.mark.parametrize("path", THINGS)
def test_triple_formats_parse_back_to_the_document(
    dataset: Dataset, urls: Urls, context: JsonLdContext, path: str, fmt: Format
) -> None:
    doc = describe(dataset, urls, urls.thing(path))
    expected = as_graph(urls.rewrite_quad(q) for q in doc.quads)
    body = serialize(doc, fmt, urls, context)
    assert as_graph(parse(body, fmt.rdf_format)) == expected


@pytest.mark.parametrize("path", THINGS)
def test_nquads_keep_every_graph_name_and_every_triple_in_the_default_graph(
    dataset: Dataset, urls: Urls, context: JsonLdContext, path: str
) -> None:
    """Each fact in its source graph, and every triple in the default graph too, so that a
    client reading the document as one graph (Comunica) sees all of it (decision 0008)."""
    doc = describe(dataset, urls, urls.thing(path))
    body = serialize(doc, NQUADS, urls, context)
    parsed = parse(body, ox.RdfFormat.N_QUADS)
    public = [urls.rewrite_quad(q) for q in doc.quads]
    assert canonical(parsed) == canonical(with_default_graph(public))
    default = {q.triple for q in parsed if q.graph_name == ox.DefaultGraph()}
    assert len(default) == len({q.triple for q in parsed})


def test_nquads_name_the_source_graphs_on_the_public_origin(
    dataset: Dataset, urls: Urls, context: JsonLdContext
) -> None:
    body = document_bytes(dataset, urls, context, "event/meeting-1", NQUADS).decode()
    chair = [
        q
        for q in parse(body.encode(), ox.RdfFormat.N_QUADS)
        if q.predicate.value.endswith("#chair")
    ]
    assert sorted(str(q.graph_name) for q in chair) == [
        f"<{ORIGIN}id/graph/g1>",
        f"<{ORIGIN}id/graph/g2>",
        "DEFAULT",  # the triple once in the default graph as well
    ]


@pytest.mark.parametrize("fmt", RDF_DOCUMENT_FORMATS, ids=lambda f: f.name)
def test_bytes_do_not_depend_on_the_load(fmt: Format) -> None:
    """Blank-node ids differ between two loads; the bytes (and so the strong ETag) must not."""
    settings = fixture_settings()
    urls = urls_of(settings)
    first, second = fixture_dataset(settings), fixture_dataset(settings)
    for path in THINGS:
        a = document_bytes(first, urls, build_context(first, urls), path, fmt)
        b = document_bytes(second, urls, build_context(second, urls), path, fmt)
        assert a == b, path


@pytest.mark.parametrize("fmt", RDF_DOCUMENT_FORMATS, ids=lambda f: f.name)
def test_canonical_iris_are_rewritten_to_the_origin(dataset: Dataset, fmt: Format) -> None:
    urls = urls_of(fixture_settings())
    context = build_context(dataset, urls)
    for path in THINGS:
        body = document_bytes(dataset, urls, context, path, fmt).decode()
        assert BASE not in body, path
        assert ORIGIN in body


def test_without_rewriting_the_canonical_iris_stay(dataset: Dataset) -> None:
    urls = urls_of(fixture_settings(origin=BASE))
    context = build_context(dataset, urls)
    body = document_bytes(dataset, urls, context, "person/alice", TURTLE).decode()
    assert f"<{BASE}id/person/alice>" in body
    assert ORIGIN not in body


def test_turtle_starts_with_the_topic_and_declares_only_used_prefixes(
    dataset: Dataset, urls: Urls, context: JsonLdContext
) -> None:
    alice = document_bytes(dataset, urls, context, "person/alice", TURTLE).decode()
    statements = [line for line in alice.splitlines() if not line.startswith("@prefix")]
    assert statements[0].startswith(f"<{ORIGIN}id/person/alice> a ")
    assert f"@prefix tst: <{ORIGIN}def/tst#> ." in alice
    assert "@prefix wd: <http://www.wikidata.org/entity/> ." in alice  # owl:sameAs wd:Q42
    hub = document_bytes(dataset, urls, context, "concept/hub", TURTLE).decode()
    assert "@prefix wd:" not in hub and "@prefix oa:" not in hub
    assert alice.endswith(" .\n")


@pytest.mark.parametrize("fmt", [NTRIPLES, NQUADS], ids=lambda f: f.name)
def test_line_formats_are_sorted(
    dataset: Dataset, urls: Urls, context: JsonLdContext, fmt: Format
) -> None:
    lines = document_bytes(dataset, urls, context, "event/meeting-1", fmt).splitlines()
    assert lines == sorted(lines) and len(lines) > 10


def test_jsonld_names_the_published_context_and_uses_its_terms(
    dataset: Dataset, urls: Urls, context: JsonLdContext
) -> None:
    body = json.loads(document_bytes(dataset, urls, context, "event/meeting-1", JSONLD))
    assert body["@context"] == f"{ORIGIN}context.jsonld" == context.url
    meeting = body["@graph"][0]
    assert meeting["@id"] == f"{ORIGIN}id/event/meeting-1"
    assert meeting["@type"] == "tst:Meeting"
    assert meeting["label"] == {"en": "Meeting 1", "ar": "الاجتماع 1"}
    assert meeting["startDate"] == "2021-02-24"
    assert meeting["location"]["@type"] == "schema:VirtualLocation"  # blank node embedded
    assert meeting["about"]["subjectOf"]["name"] == "deeper"


def test_pyld_never_fetches() -> None:
    with pytest.raises(jsonld.JsonLdError):
        refuse_remote_documents("https://example.org/context.jsonld")
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand(
            {"@context": "https://example.org/c.jsonld", "x": 1},
            {"documentLoader": refuse_remote_documents},
        )


def test_blank_nodes_that_only_reach_each_other_still_appear(context: JsonLdContext) -> None:
    """A cycle of blank nodes referenced once each has no root to embed into: one is listed."""
    p = ox.NamedNode("https://schema.org/knows")
    a, b = ox.BlankNode("a"), ox.BlankNode("b")
    triples = [ox.Triple(a, p, b), ox.Triple(b, p, a)]
    body = to_jsonld(triples, context)
    loader = {"documentLoader": _serve(context)}
    quads = jsonld.to_rdf(
        jsonld.expand(json.loads(body), loader), {"format": "application/n-quads"}
    )
    assert as_graph(parse(quads.encode(), ox.RdfFormat.N_QUADS)) == as_graph(
        ox.Quad(*t) for t in triples
    )


def _serve(context: JsonLdContext) -> Callable[..., dict[str, object]]:
    def load(url: str, options: object = None) -> dict[str, object]:
        assert url == context.url
        return {"contextUrl": None, "documentUrl": url, "document": context.document}

    return load
