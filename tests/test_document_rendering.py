"""First renders: the shortcuts of serialize.py and of the resource page change no answer.

Documents without blank nodes are written with canonical IRIs and the namespace is replaced in
the bytes; JSON-LD is compacted with a context processed once; a resource page fetches the
labels of everything it links to in one query. Each shortcut is checked against the general
path, and the cases where it must not apply (a literal that mentions our namespace, blank
nodes) are pinned.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from ld_support import BASE, ORIGIN, as_graph, fixture_dataset, fixture_settings, parse, urls_of
from pyld import jsonld

from publisher.dataset import Dataset, ReadStore
from publisher.documents import serialize as serialize_module
from publisher.documents.describe import Document, describe, thing_paths
from publisher.documents.jsonld_context import JsonLdContext, build_context
from publisher.documents.serialize import refuse_remote_documents, serialize
from publisher.formats import JSONLD, NQUADS, NTRIPLES, RDF_DOCUMENT_FORMATS, RDFXML, TURTLE, Format
from publisher.pages.base import LABEL_PROPERTIES
from publisher.pages.render import render_resource_page
from publisher.pages.resource import resource_page
from publisher.urls import Urls

OX_FORMATS = {
    TURTLE: ox.RdfFormat.TURTLE,
    NTRIPLES: ox.RdfFormat.N_TRIPLES,
    NQUADS: ox.RdfFormat.N_QUADS,
    RDFXML: ox.RdfFormat.RDF_XML,
}
SCHEMA = "https://schema.org/"
MENTION = f"Written about {BASE}id/person/alice, see <{BASE}id/person/alice>"


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return fixture_dataset()


@pytest.fixture(scope="module")
def urls() -> Urls:
    return urls_of(fixture_settings())


@pytest.fixture(scope="module")
def context(dataset: Dataset, urls: Urls) -> JsonLdContext:
    return build_context(dataset, urls)


def quads_of(body: bytes, fmt: Format, context: JsonLdContext) -> list[ox.Quad]:
    """The quads a client reads from `body` (JSON-LD expanded with our context, served
    locally)."""
    if fmt is JSONLD:

        def load(url: str, options: object = None) -> dict[str, object]:
            assert url == context.url
            return {"contextUrl": None, "documentUrl": url, "document": context.document}

        expanded = jsonld.expand(json.loads(body), {"documentLoader": load})
        nquads = jsonld.to_rdf(expanded, {"format": "application/n-quads"})
        return parse(nquads.encode(), ox.RdfFormat.N_QUADS)
    return parse(body, OX_FORMATS[fmt])


def iris(quads: list[ox.Quad]) -> set[str]:
    """Every IRI in an IRI position (not literal datatypes)."""
    terms = (t for q in quads for t in (q.subject, q.predicate, q.object, q.graph_name))
    return {t.value for t in terms if isinstance(t, ox.NamedNode)}


def hand_made(*extra: ox.Quad) -> Document:
    """A small document: canonical IRIs everywhere (graph name too), and `extra`."""
    alice, meeting = ox.NamedNode(BASE + "id/person/alice"), ox.NamedNode(BASE + "id/event/m")
    graph = ox.NamedNode(BASE + "id/graph/g1")
    quads = (
        ox.Quad(alice, ox.NamedNode(BASE + "def/tst#knows"), meeting, graph),
        ox.Quad(alice, ox.NamedNode(SCHEMA + "name"), ox.Literal("Alice"), graph),
        ox.Quad(meeting, ox.NamedNode(SCHEMA + "organizer"), alice),
        *extra,
    )
    return Document(alice.value, BASE + "doc/person/alice", quads)


# ---------------------------------------------------------------------------------------------
# IRIs on the public origin, literals as they are
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", RDF_DOCUMENT_FORMATS, ids=lambda f: f.extension)
def test_every_canonical_iri_is_rewritten(fmt: Format, urls: Urls, context: JsonLdContext) -> None:
    found = iris(quads_of(serialize(hand_made(), fmt, urls, context), fmt, context))
    assert ORIGIN + "id/person/alice" in found
    assert ORIGIN + "def/tst#knows" in found
    assert not {iri for iri in found if iri.startswith(BASE)}
    if fmt is NQUADS:
        assert ORIGIN + "id/graph/g1" in found


@pytest.mark.parametrize("fmt", RDF_DOCUMENT_FORMATS, ids=lambda f: f.extension)
def test_a_literal_that_mentions_the_namespace_is_not_rewritten(
    fmt: Format, urls: Urls, context: JsonLdContext
) -> None:
    """Literals are values, not links: their text and their datatype keep the canonical
    namespace (as `Urls.rewrite_term` always did), while the IRIs around them move."""
    alice = ox.NamedNode(BASE + "id/person/alice")
    typed = ox.Literal("7", datatype=ox.NamedNode(BASE + "def/tst#code"))
    document = hand_made(
        ox.Quad(alice, ox.NamedNode(SCHEMA + "description"), ox.Literal(MENTION)),
        ox.Quad(alice, ox.NamedNode(SCHEMA + "identifier"), typed),
    )
    quads = quads_of(serialize(document, fmt, urls, context), fmt, context)
    literals = {q.object for q in quads if isinstance(q.object, ox.Literal)}
    assert ox.Literal(MENTION) in literals
    assert typed in literals
    assert not {iri for iri in iris(quads) if iri.startswith(BASE)}


@pytest.mark.parametrize("fmt", RDF_DOCUMENT_FORMATS, ids=lambda f: f.extension)
def test_served_on_its_own_namespace_nothing_moves(fmt: Format, context: JsonLdContext) -> None:
    same = Urls(BASE, BASE)
    alice = ox.NamedNode(BASE + "id/person/alice")
    document = hand_made(ox.Quad(alice, ox.NamedNode(SCHEMA + "description"), ox.Literal(MENTION)))
    quads = quads_of(serialize(document, fmt, same, context), fmt, context)
    assert BASE + "id/person/alice" in iris(quads)
    assert ox.Literal(MENTION) in {q.object for q in quads}


# ---------------------------------------------------------------------------------------------
# The shortcuts give the general path's answer
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def general_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """Call the returned function to make `serialize` take its general path from then on."""

    def force() -> None:
        monkeypatch.setattr(serialize_module, "_rewritable_as_bytes", lambda quads, urls: False)
        monkeypatch.setattr(serialize_module, "has_blank_nodes", lambda quads: True)

    yield force


def test_shortcuts_write_what_the_general_path_writes(
    dataset: Dataset,
    urls: Urls,
    context: JsonLdContext,
    general_path: Callable[[], None],
) -> None:
    """Every document of the fixture, every format: the same bytes (Turtle: the same graph, as
    its prefix lines may come in another order)."""
    documents = [describe(dataset, urls, urls.thing(path)) for path in thing_paths(dataset, urls)]
    fast = {(d.topic, f): serialize(d, f, urls, context) for d in documents for f in OX_FORMATS}
    fast_jsonld = {d.topic: serialize(d, JSONLD, urls, context) for d in documents}
    general_path()
    for (topic, fmt), body in fast.items():
        slow = serialize(next(d for d in documents if d.topic == topic), fmt, urls, context)
        if fmt is TURTLE:
            assert as_graph(parse(body, OX_FORMATS[fmt])) == as_graph(
                parse(slow, OX_FORMATS[fmt])
            ), topic
        else:
            assert body == slow, (topic, fmt.name)
    for topic, body in fast_jsonld.items():
        document = next(d for d in documents if d.topic == topic)
        assert body == serialize(document, JSONLD, urls, context), topic


def test_compaction_is_pylds(dataset: Dataset, urls: Urls, context: JsonLdContext) -> None:
    """The context processed once, and the remembered term choices, give what
    `jsonld.compact` gives from scratch (this pins the pyld internals we call)."""
    for path in thing_paths(dataset, urls):
        body = serialize(describe(dataset, urls, urls.thing(path)), JSONLD, urls, context)
        ours = json.loads(body)
        expanded = jsonld.expand(
            {**ours, "@context": context.document["@context"]},
            {"documentLoader": refuse_remote_documents},
        )
        theirs = jsonld.compact(
            expanded, context.document, {"documentLoader": refuse_remote_documents, "base": ""}
        )
        theirs["@context"] = context.url
        assert context.compact(expanded) == theirs, path
        assert ours == theirs, path


def test_used_prefixes_are_those_an_iri_starts_with(context: JsonLdContext) -> None:
    """Remembered per namespace, the answer is still `any(iri.startswith(ns))` per prefix,
    including for a prefix that ends in `:` (not a `/` or `#` namespace)."""
    odd = JsonLdContext(
        context.url,
        {**context.prefixes, "urn": "urn:x:", "deep": SCHEMA + "a/b/"},
        context.terms,
    )
    s = ox.NamedNode(SCHEMA + "a/b/c")
    triples = [
        ox.Triple(
            s,
            ox.NamedNode("urn:x:y"),
            ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ),
        ox.Triple(s, ox.NamedNode(SCHEMA + "name"), ox.NamedNode(SCHEMA + "a/z")),
    ]
    for _ in range(2):  # the second time from what was remembered
        used = odd.used_prefixes(triples)
        values = {t.value for t in (s, ox.NamedNode("urn:x:y"))} | {
            SCHEMA + "name",
            SCHEMA + "a/z",
            "http://www.w3.org/2001/XMLSchema#integer",
        }
        expected = {
            name: ns for name, ns in odd.prefixes.items() if any(v.startswith(ns) for v in values)
        }
        assert used == expected
        assert {"urn", "deep", "schema", "xsd"} <= set(used)


# ---------------------------------------------------------------------------------------------
# Blank nodes: canonical labels when there are any, no canonicalisation when there are none
# ---------------------------------------------------------------------------------------------


def test_blank_nodes_get_canonical_labels(urls: Urls, context: JsonLdContext) -> None:
    """Two loads give the blank nodes different ids; the documents are byte for byte equal."""
    bodies = []
    for _ in range(2):
        data = fixture_dataset()
        document = describe(data, urls, urls.thing("event/meeting-1"))
        assert any(isinstance(q.object, ox.BlankNode) for q in document.quads)
        bodies.append({f: serialize(document, f, urls, context) for f in RDF_DOCUMENT_FORMATS})
    assert bodies[0] == bodies[1]
    assert b"_:c14n0" in bodies[0][NTRIPLES]


def test_no_canonicalisation_without_blank_nodes(
    dataset: Dataset, urls: Urls, context: JsonLdContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = describe(dataset, urls, urls.thing("person/alice"))
    assert not serialize_module.has_blank_nodes(document.quads)

    monkeypatch.setattr(ox, "Dataset", _NoCanonicalDataset)
    for fmt in RDF_DOCUMENT_FORMATS:
        assert serialize(document, fmt, urls, context)


class _NoCanonicalDataset:
    def __init__(self, quads: object = None) -> None:
        raise AssertionError("built a dataset to canonicalise a document without blank nodes")


# ---------------------------------------------------------------------------------------------
# The resource page: the labels of everything it links to in one query
# ---------------------------------------------------------------------------------------------


class CountingStore:
    """A ReadStore wrapper that records every call a page makes."""

    def __init__(self, store: ReadStore) -> None:
        self.store = store
        self.queries: list[str] = []
        self.patterns: list[tuple[Any, ...]] = []

    def query(self, query: str, **options: Any) -> Any:
        self.queries.append(query)
        return self.store.query(query, **options)

    def quads_for_pattern(self, *pattern: Any) -> Any:
        self.patterns.append(pattern)
        return self.store.quads_for_pattern(*pattern)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def page_calls(dataset: Dataset, urls: Urls, path: str) -> CountingStore:
    store = CountingStore(dataset.store)
    resource_page(store, urls, urls.thing(path), "en")
    return store


def test_labels_of_linked_resources_come_from_one_query(dataset: Dataset, urls: Urls) -> None:
    """The hub is linked from seven items: their labels are not looked up one by one."""
    calls = page_calls(dataset, urls, "concept/hub")
    hub = ox.NamedNode(urls.thing("concept/hub"))
    labels = set(LABEL_PROPERTIES)
    one_by_one = [p for p in calls.patterns if p[1] in labels and p[0] != hub]
    assert one_by_one == []
    label_queries = [q for q in calls.queries if "VALUES ?s" in q]
    assert len(label_queries) == 1
    assert all(f"<{urls.thing(f'item/i{n}')}>" in label_queries[0] for n in range(1, 8))


def test_a_page_makes_as_many_queries_however_many_links(dataset: Dataset, urls: Urls) -> None:
    """Facts, incoming links, labels, and the sources of facts from named graphs: a fixed
    number of queries (sections declared by the data would add theirs), not one more per
    linked resource; and no article or passage query for a resource that has no text and is
    no passage."""
    few = page_calls(dataset, urls, "person/bob")
    many = page_calls(dataset, urls, "concept/hub")
    assert len(few.queries) == len(many.queries) == 4
    assert not any("schema:text" in q or "oa:exact" in q for q in few.queries + many.queries)


def test_a_graph_page_is_the_same_from_one_load_to_the_next(urls: Urls) -> None:
    """The blank subjects of a named graph get fresh ids on every load; their order on the
    graph's page (so its bytes and ETag) does not depend on them."""
    pages = {
        render_resource_page(fixture_dataset(), urls, urls.thing("graph/g1"), "en")
        for _ in range(4)
    }
    assert len(pages) == 1


@pytest.mark.parametrize("fmt", [TURTLE, NTRIPLES, NQUADS], ids=lambda f: f.extension)
def test_iris_inside_a_quoted_triple_are_rewritten(
    fmt: Format, urls: Urls, context: JsonLdContext
) -> None:
    """RDF 1.2 triple terms: their IRIs are IRIs of the representation too."""
    quoted = ox.Triple(
        ox.NamedNode(BASE + "id/person/alice"),
        ox.NamedNode(BASE + "def/tst#knows"),
        ox.NamedNode(BASE + "id/person/bob"),
    )
    reifies = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#reifies")
    document = hand_made(ox.Quad(ox.NamedNode(BASE + "id/claim/1"), reifies, quoted))
    body = serialize(document, fmt, urls, context)
    assert BASE.encode() not in body
    assert f"<{ORIGIN}id/person/bob>".encode() in body
