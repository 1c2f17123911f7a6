"""The article is a resource of the dataset, and every passage points into its text with a
TextQuoteSelector (the exact text) and a TextPositionSelector (code-point offsets, end exclusive):
the exact text must sit at those offsets. Also: every named graph says where its facts come from."""

from __future__ import annotations

import unicodedata

import pyoxigraph as ox
import pytest

from publisher.config import PROJECT_ROOT
from publisher.dataset import Dataset
from publisher.sources import read_quads

ARTICLE_FILE = PROJECT_ROOT / "data" / "source" / "article-ar.txt"
ARTICLE = "https://w3id.org/gcm-arab-review/id/article/gcm-arab-regional-review-report"
ONTOLOGY = "https://w3id.org/gcm-arab-review/def/gcmr"
PREFIXES = """
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX schema: <https://schema.org/>
PREFIX gcmr: <https://w3id.org/gcm-arab-review/def/gcmr#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


def select(dataset: Dataset, query: str) -> list[dict[str, ox.NamedNode | ox.Literal]]:
    solutions = dataset.store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{name: row[name] for name in names if row[name] is not None} for row in solutions]


@pytest.fixture(scope="module")
def article_text(dataset: Dataset) -> str:
    rows = select(dataset, f"SELECT ?text WHERE {{ <{ARTICLE}> schema:text ?text }}")
    assert len(rows) == 1, f"expected one schema:text on the article, found {len(rows)}"
    return rows[0]["text"].value


@pytest.fixture(scope="module")
def selectors(dataset: Dataset) -> list[tuple[str, str, int, int]]:
    rows = select(
        dataset,
        """
        SELECT ?passage ?exact ?start ?end WHERE {
            ?passage a oa:SpecificResource ;
                oa:hasSource ?article ;
                oa:hasSelector ?quote , ?position .
            ?quote a oa:TextQuoteSelector ; oa:exact ?exact .
            ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
        }
        ORDER BY ?passage
        """,
    )
    return [
        (r["passage"].value, r["exact"].value, int(r["start"].value), int(r["end"].value))
        for r in rows
    ]


def test_article_text_is_the_source_file(article_text: str) -> None:
    source = ARTICLE_FILE.read_text(encoding="utf-8")
    assert article_text == source
    assert unicodedata.is_normalized("NFC", article_text)
    assert not article_text.endswith("\n")


def test_there_is_a_selector_pair_for_each_of_the_13_sentences(
    selectors: list[tuple[str, str, int, int]],
) -> None:
    passages = [passage for passage, *_ in selectors]
    expected = [f"https://w3id.org/gcm-arab-review/id/passage/s{n:02d}" for n in range(1, 14)]
    assert passages == expected  # exactly one quote/position pair per passage


def test_every_exact_text_sits_at_its_offsets(
    article_text: str, selectors: list[tuple[str, str, int, int]]
) -> None:
    wrong = [
        f"{passage}: [{start}:{end}] is {article_text[start:end]!r}, exact is {exact!r}"
        for passage, exact, start, end in selectors
        if article_text[start:end] != exact
    ]
    assert not wrong, "\n".join(wrong)


def test_passages_follow_the_article_without_overlapping(
    article_text: str, selectors: list[tuple[str, str, int, int]]
) -> None:
    spans = [(start, end) for _, _, start, end in selectors]
    assert all(0 <= start < end <= len(article_text) for start, end in spans)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:], strict=False))
    for _, exact, _, _ in selectors:
        assert exact == exact.strip(), f"selector text has surrounding whitespace: {exact!r}"


def test_every_named_graph_is_a_described_fact_set(dataset: Dataset) -> None:
    graphs = {g.value for g in dataset.store.named_graphs()} - {ONTOLOGY}
    described = {
        r["graph"].value for r in select(dataset, "SELECT ?graph WHERE { ?graph a gcmr:FactSet }")
    }
    assert graphs, "no named graphs: every fact must sit in the graph of its source"
    assert graphs - described == set(), "named graphs not described as gcmr:FactSet"
    empty = {
        g
        for g in described
        if not any(dataset.store.quads_for_pattern(None, None, None, ox.NamedNode(g)))
    }
    assert empty == set(), "fact sets with no facts"


def test_every_fact_is_in_a_named_graph(dataset: Dataset) -> None:
    """The default graph describes the sources (the article, its passages and selectors, the fact
    sets) and holds what the project composes itself (labels, definitions, concept schemes);
    every other triple is a fact and sits in the named graph of where it comes from."""
    sources = {
        "https://schema.org/NewsArticle",
        "http://www.w3.org/ns/oa#SpecificResource",
        "http://www.w3.org/ns/oa#TextQuoteSelector",
        "http://www.w3.org/ns/oa#TextPositionSelector",
        "https://w3id.org/gcm-arab-review/def/gcmr#FactSet",
    }
    rdfs = "http://www.w3.org/2000/01/rdf-schema#"
    skos = "http://www.w3.org/2004/02/skos/core#"
    composed = {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        *(rdfs + name for name in ("label", "comment", "seeAlso")),
        *(skos + name for name in ("prefLabel", "altLabel", "definition", "scopeNote", "note")),
        *(skos + name for name in ("inScheme", "topConceptOf", "hasTopConcept")),
    }
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    default = ox.DefaultGraph()

    def is_source(subject: ox.NamedNode | ox.BlankNode) -> bool:
        types = dataset.store.quads_for_pattern(subject, rdf_type, None, default)
        return any(q.object.value in sources for q in types)

    # The dataset's description of itself, of its page layouts and of its moved IRIs is
    # composed too: every subject those files describe (blank nodes included: `read_quads` names
    # them as the store's loader did).
    described_by_the_project = {
        q.subject
        for name in ("dataset.ttl", "views.ttl", "moved.ttl")
        for q in read_quads(PROJECT_ROOT / "data" / name)
    }
    composed_blank = {
        q.object
        for q in dataset.store.quads_for_pattern(None, None, None, default)
        if q.subject in described_by_the_project and isinstance(q.object, ox.BlankNode)
    }

    facts = sorted(
        f"{q.subject} {q.predicate} {q.object}"
        for q in dataset.store.quads_for_pattern(None, None, None, default)
        if q.predicate.value not in composed
        and not is_source(q.subject)
        and q.subject not in described_by_the_project
        and q.subject not in composed_blank
    )
    assert facts == [], "facts in the default graph, with no source"
