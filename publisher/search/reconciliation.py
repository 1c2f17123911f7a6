"""The W3C Entity Reconciliation API (version 0.2, the protocol OpenRefine speaks) over the
search index: a service manifest, batches of queries answered with ranked candidates, and a
preview card per candidate.

A batch is a JSON object of named queries, `{"q0": {"query": "…", "type": "…", "limit": 3}}`;
its answer has the same names, each `{"result": [candidate, …]}` with `id` (the IRI), `name`,
`type` (`[{id, name}]`), `score` (0–100) and `match` (true for a lone exact name). `type` may be
one class IRI or a list (any of them, whatever `type_strict` says); `properties` are accepted
and not used for ranking (the index holds names only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from publisher.catalog import Catalog
from publisher.search.engine import BadSearch, Hit, search, type_label
from publisher.search.views import href
from publisher.urls import Urls

VERSIONS = ["0.1", "0.2"]
RECONCILE_PATH = "/reconcile"
PREVIEW_PATH = "/reconcile/preview"
DEFAULT_LIMIT = 5
MAX_LIMIT = 100
MAX_QUERIES = 100
MAX_DEFAULT_TYPES = 50
PREVIEW_SIZE = {"width": 400, "height": 200}


@dataclass(frozen=True)
class Query:
    """One query of a batch, checked."""

    text: str
    types: tuple[str, ...]
    limit: int


def manifest(name: str, catalog: Catalog, urls: Urls, lang: str) -> dict[str, Any]:
    """The service manifest: what OpenRefine reads when a service is added."""
    classes = catalog.classes()[:MAX_DEFAULT_TYPES]
    return {
        "versions": VERSIONS,
        "name": name,
        "identifierSpace": urls.public(urls.base_iri),
        "schemaSpace": urls.public(urls.base_iri),
        "defaultTypes": [_type(catalog, c.iri, lang) for c in classes],
        "view": {"url": "{{id}}"},
        "preview": {"url": urls.absolute(PREVIEW_PATH) + "?id={{id}}", **PREVIEW_SIZE},
    }


def parse_batch(batch: object) -> dict[str, Query]:
    """The queries of a batch (the decoded `queries` JSON); `BadSearch` says what is wrong."""
    if not isinstance(batch, dict) or not batch:
        raise BadSearch(
            'queries must be a JSON object of named queries, such as {"q0": {"query": "Morocco"}}.'
        )
    if len(batch) > MAX_QUERIES:
        raise BadSearch(f"A batch holds at most {MAX_QUERIES} queries.")
    return {str(key): parse_query(str(key), value) for key, value in batch.items()}


def parse_query(key: str, value: object) -> Query:
    """One query: `{"query": text, "type": IRI or [IRI…], "limit": n}` (others ignored)."""
    if not isinstance(value, dict) or not isinstance(value.get("query"), str):
        raise BadSearch(f"The query {key!r} must be an object with a string 'query'.")
    kind = value.get("type")
    if kind is None:
        types: tuple[str, ...] = ()
    elif isinstance(kind, str):
        types = (kind,) if kind else ()
    elif isinstance(kind, list) and all(isinstance(k, str) for k in kind):
        types = tuple(k for k in kind if k)
    else:
        raise BadSearch(f"The type of {key!r} must be a class IRI or a list of them.")
    limit = value.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise BadSearch(f"The limit of {key!r} must be a whole number from 1 to {MAX_LIMIT}.")
    return Query(value["query"].strip(), types, limit)


def reconcile(
    catalog: Catalog, urls: Urls, queries: Mapping[str, Query], lang: str
) -> dict[str, Any]:
    """The answer to a batch: each query's candidates, best first."""
    return {key: {"result": candidates(catalog, urls, q, lang)} for key, q in queries.items()}


def candidates(catalog: Catalog, urls: Urls, query: Query, lang: str) -> list[dict[str, Any]]:
    if not query.text:
        return []
    types = tuple(urls.canonical(t) for t in query.types)
    hits = search(catalog, query.text, lang, types=types, limit=query.limit).hits
    exact = [hit for hit in hits if hit.exact]
    return [_candidate(catalog, urls, hit, lang, len(exact) == 1) for hit in hits]


def _candidate(
    catalog: Catalog, urls: Urls, hit: Hit, lang: str, lone_exact: bool
) -> dict[str, Any]:
    return {
        "id": urls.public(hit.iri),
        "name": hit.label or hit.matched,
        "type": [_type(catalog, t, lang) for t in hit.types],
        "score": hit.score,
        "match": hit.exact and lone_exact,
    }


def _type(catalog: Catalog, class_iri: str, lang: str) -> dict[str, str]:
    return {"id": class_iri, "name": type_label(catalog, class_iri, lang)}


def preview_card(catalog: Catalog, urls: Urls, iri: str, lang: str) -> str | None:
    """A small HTML card for the candidate `iri` (canonical), or None when it has no name."""
    shown = catalog.labelled(iri, lang)
    if shown.label is None and not catalog.describes(iri):
        return None
    names = catalog.read(
        "SELECT DISTINCT label, lang FROM names WHERE iri = ? AND kind < 2 ORDER BY lang, label",
        iri,
    )
    title = escape(shown.label or urls.public(iri))
    title_lang = f' lang="{escape(shown.lang)}"' if shown.lang else ""
    labels = dict.fromkeys(type_label(catalog, t, lang) for t in sorted(catalog.types_of(iri)))
    types = ", ".join(escape(label) for label in labels)
    others = "".join(
        f'<li lang="{escape(str(tag))}" dir="auto">{escape(str(label))}</li>'
        for label, tag in names
        if str(label) != shown.label
    )
    return (
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{title}</title></head>"
        '<body style="margin:0;padding:0.5rem;font:14px system-ui,sans-serif">'
        f'<p style="margin:0"><a href="{escape(href(urls, iri, lang))}" target="_blank"'
        f' rel="noopener"{title_lang} dir="auto"><strong>{title}</strong></a></p>'
        f'<p style="margin:0.2rem 0;color:#5a6472">{types}</p>'
        f'<ul style="margin:0.2rem 0;padding-inline-start:1.2rem">{others}</ul>'
        f'<p style="margin:0;font-size:12px;color:#5a6472">{escape(urls.public(iri))}</p>'
        "</body></html>"
    )
