"""The SPARQL the pages are built from: prefixes, and queries that remember their text.

Every page says how it was made: the queries that produced it are kept as `Query` objects whose
text runs as is on the SPARQL endpoint. Queries about one resource bind `?this` with pyoxigraph
`substitutions=` (never string building from a request); their runnable text adds
`VALUES ?this { <iri> }`, serialised by pyoxigraph from an IRI of the store.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox

from publisher.dataset import ReadStore
from publisher.urls import Urls

NS = {
    "schema": "https://schema.org/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "oa": "http://www.w3.org/ns/oa#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "time": "http://www.w3.org/2006/time#",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": "http://www.wikidata.org/entity/",
}
QUERY_PREFIXES = (
    "schema",
    "rdf",
    "rdfs",
    "owl",
    "xsd",
    "skos",
    "org",
    "prov",
    "dcterms",
    "oa",
)


def namespaces(urls: Urls, declared: Mapping[str, str] | None = None) -> dict[str, str]:
    """The well-known prefixes and the prefixes the data declares (`Profile.prefixes`), which
    win. (`urls` is kept for callers; no namespace of the served data is assumed.)"""
    del urls
    return {**NS, **(declared or {})}


def prefixes(body: str, ns: Mapping[str, str] = NS) -> str:
    """The PREFIX lines a query body needs (only those it uses and does not declare itself, to
    keep it short to read: a query from the data brings its own)."""
    return _prefixes(body, tuple(ns.items()))


@lru_cache(maxsize=512)
def _prefixes(body: str, items: tuple[tuple[str, str], ...]) -> str:
    """`prefixes`, remembered: every page runs the same few query texts, and scanning a body
    for each prefix took a third of a resource page's render."""
    ns = dict(items)
    order = [p for p in QUERY_PREFIXES if p in ns] + sorted(set(ns) - set(QUERY_PREFIXES))
    declared = {m.lower() for m in re.findall(r"(?i)\bPREFIX\s+([\w.-]*):", body)}
    return "".join(
        f"PREFIX {p}: <{ns[p]}>\n"
        for p in order
        if re.search(rf"(?<![\w.-]){re.escape(p)}:", body) and p.lower() not in declared
    )


def iri(compact: str, ns: dict[str, str] = NS) -> str:
    """`schema:name` → the full IRI (for our own constants only)."""
    prefix, _, local = compact.partition(":")
    return ns[prefix] + local


THIS = ox.Variable("this")


# ---------------------------------------------------------------------------------------------
# Queries that remember their text
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A SPARQL query a page was built from; `text` runs unchanged on the SPARQL endpoint."""

    purpose: str  # a UI string key
    text: str
    title: str | None = None  # shown instead of the purpose's UI string (a section's heading)

    @property
    def run_url(self) -> str:
        return "/sparql?" + urlencode({"query": self.text})


def runnable(template: str, this: ox.NamedNode | None, ns: dict[str, str] = NS) -> str:
    """The query text with `?this` fixed by a VALUES clause, so that it runs anywhere."""
    text = prefixes(template, ns) + template.strip() + "\n"
    if this is None:
        return text
    head, where, body = text.partition("WHERE {")
    if not where:
        raise ValueError("a query about ?this needs a `WHERE {` clause")
    return f"{head}{where}\n  VALUES ?this {{ {this} }}{body}"


def select(
    store: ReadStore,
    purpose: str,
    template: str,
    this: ox.NamedNode | None = None,
    ns: dict[str, str] = NS,
) -> tuple[list[dict[str, Any]], Query]:
    """Run a SELECT over the union of all graphs; rows map variable names to terms or None."""
    text = prefixes(template, ns) + template.strip() + "\n"
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] | None
    substitutions = {THIS: this} if this is not None else None
    solutions = store.query(text, use_default_graph_as_union=True, substitutions=substitutions)
    assert isinstance(solutions, ox.QuerySolutions)
    try:
        names = [v.value for v in solutions.variables]
        rows = [{name: solution[name] for name in names} for solution in solutions]
    finally:
        # Dropped here, on this thread: a traceback keeping the frame alive would let the
        # garbage collector drop it on another thread, which pyoxigraph refuses ("unsendable").
        del solutions
    return rows, Query(purpose, runnable(template, this, ns))
