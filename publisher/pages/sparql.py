"""What the HTML query page shows: the dataset's example queries (from its profile), and results
as a table of labelled links."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode

import pyoxigraph as ox

from publisher.dataset import ReadStore
from publisher.formats import HTML
from publisher.profile import Example, Profile
from publisher.sparql.endpoint import Answer
from publisher.urls import Urls

LABELS = (
    ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
    ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
)
SHORT_DATATYPES = {
    "http://www.w3.org/2001/XMLSchema#": "xsd:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
}


def example_links(profile: Profile) -> list[tuple[Example, str]]:
    """The dataset's example queries (its profile's), each with the URL that runs it here."""
    return [
        (example, "/sparql?" + urlencode({"query": example.text})) for example in profile.examples
    ]


@dataclass(frozen=True)
class Cell:
    kind: str  # uri | bnode | literal | triple
    text: str
    href: str | None = None
    title: str | None = None
    language: str | None = None
    datatype: str | None = None


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Cell | None]]
    boolean: bool | None = None


class Labeller:
    """Labels of the IRIs a result mentions, read from the served dataset in one language order."""

    def __init__(self, store: ReadStore, urls: Urls, languages: tuple[str, ...]) -> None:
        self.store, self.urls, self.languages = store, urls, languages
        self._seen: dict[str, str | None] = {}

    def label(self, public_iri: str) -> str | None:
        if public_iri not in self._seen:
            self._seen[public_iri] = self._lookup(self.urls.canonical(public_iri))
        return self._seen[public_iri]

    def _lookup(self, iri: str) -> str | None:
        try:
            subject = ox.NamedNode(iri)
        except ValueError:
            return None
        for predicate in LABELS:
            found = {
                q.object.language or "": q.object.value
                for q in self.store.quads_for_pattern(subject, predicate, None, None)
                if isinstance(q.object, ox.Literal)
            }
            for language in (*self.languages, ""):
                if language in found:
                    return found[language]
            if found:
                return next(iter(sorted(found.items())))[1]
        return None

    def href(self, public_iri: str) -> str:
        """Things of ours link to their HTML page; other IRIs to themselves."""
        canonical = self.urls.canonical(public_iri)
        document = self.urls.document_of(canonical, HTML)
        return document if document is not None else public_iri


def table(answer: Answer, labeller: Labeller) -> Table:
    """The answer (JSON results or N-Triples, as the page asks the worker for) as a table."""
    if answer.kind == "graph":
        triples = ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)
        rows: list[list[Cell | None]] = [
            [_cell(_json(t.subject), labeller), _cell(_json(t.predicate), labeller),
             _cell(_json(t.object), labeller)]
            for t in triples
        ]  # fmt: skip
        return Table(["subject", "predicate", "object"], rows)
    document = json.loads(answer.body)
    if "boolean" in document:
        return Table([], [], bool(document["boolean"]))
    columns = list(document["head"]["vars"])
    rows = [
        [_cell(binding[c], labeller) if c in binding else None for c in columns]
        for binding in document["results"]["bindings"]
    ]
    return Table(columns, rows)


def _json(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": str(term)}
    return {
        "type": "literal",
        "value": term.value,
        "xml:lang": term.language,
        "datatype": term.datatype.value,
    }


def _cell(term: dict[str, object], labeller: Labeller) -> Cell:
    kind = str(term["type"])
    value = term["value"]
    if kind == "uri":
        iri = str(value)
        return Cell("uri", labeller.label(iri) or iri, labeller.href(iri), iri)
    if kind == "bnode":
        return Cell("bnode", f"_:{value}")
    if kind == "triple":
        return Cell("triple", value if isinstance(value, str) else json.dumps(value))
    datatype = term.get("datatype")
    short = None
    if isinstance(datatype, str) and not datatype.endswith(("#string", "#langString")):
        short = next(
            (
                datatype.replace(ns, p)
                for ns, p in SHORT_DATATYPES.items()
                if datatype.startswith(ns)
            ),
            datatype,
        )
    language = term.get("xml:lang")
    return Cell("literal", str(value), language=str(language) if language else None, datatype=short)
