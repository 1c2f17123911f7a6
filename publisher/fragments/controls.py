"""The metadata and hypermedia controls of a fragment page (TPF spec §3-4, QPF note).

What a client needs besides the matches: the dataset the fragment belongs to and the search form
that builds every other fragment's URL (`hydra:search`, a `hydra:IriTemplate` with its four
mappings, in the explicit representation), the page's count and its neighbours. The statements
are ordered as LinkedDataFragments Server.js orders them, because Comunica reads them in order:
`D void:subset P` comes before `D sd:defaultGraph` (the service-description reader only looks at
subjects it has seen as a superset of the page), and the last `void:subset P` names the resource
whose `foaf:primaryTopic` graph holds the metadata (the metadata-graph splitter).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from publisher.fragments.pattern import UNION_GRAPH, Pattern, query_string
from publisher.fragments.search_form import search_form, template
from publisher.fragments.select import Page
from publisher.urls import FRAGMENTS_PATH, Urls
from publisher.vocab import DCTERMS, FOAF, HYDRA, RDF, SD, VOID, XSD

PREFIXES = {
    "hydra": HYDRA,
    "void": VOID,
    "rdf": RDF,
    "xsd": XSD,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "sd": SD,
}


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_iri(XSD + "integer"))


@dataclass(frozen=True)
class Addresses:
    """The public URLs a page names: the dataset, the fragment (its first page, as this
    server writes it), the page as it was requested, and its metadata graph."""

    dataset: str
    fragment: str
    page: str
    urls: Urls
    pattern: Pattern

    @classmethod
    def of(cls, urls: Urls, pattern: Pattern, requested_query: str) -> Addresses:
        base = urls.absolute(FRAGMENTS_PATH)
        query = query_string(pattern, urls)
        return cls(
            dataset=urls.public(urls.void_dataset),
            fragment=f"{base}?{query}" if query else base,
            page=f"{base}?{requested_query}" if requested_query else base,
            urls=urls,
            pattern=pattern,
        )

    @property
    def metadata_graph(self) -> str:
        return self.fragment.split("#", 1)[0] + "#metadata"

    @property
    def template(self) -> str:
        return template(self.urls)

    def page_url(self, number: int) -> str:
        """The URL this server writes for page `number` of the fragment."""
        query = query_string(self.pattern, self.urls, number)
        base = self.urls.absolute(FRAGMENTS_PATH)
        return f"{base}?{query}" if query else base


def metadata_triples(at: Addresses, page: Page, title: str) -> list[ox.Triple]:
    """The page's metadata and controls, in the order clients read them (module doc)."""
    d, f, p = _iri(at.dataset), _iri(at.fragment), _iri(at.page)
    out = [
        ox.Triple(_iri(at.metadata_graph), _iri(FOAF + "primaryTopic"), f),
        ox.Triple(d, _iri(RDF + "type"), _iri(VOID + "Dataset")),
        ox.Triple(d, _iri(RDF + "type"), _iri(HYDRA + "Collection")),
        ox.Triple(d, _iri(VOID + "subset"), p),
    ]
    if f != p:
        out.append(ox.Triple(d, _iri(VOID + "subset"), f))
    out.append(ox.Triple(d, _iri(SD + "defaultGraph"), _iri(UNION_GRAPH)))
    out += search_form(d, at.urls)
    out += _page_triples(at, page, title)
    return out


def _page_triples(at: Addresses, page: Page, title: str) -> list[ox.Triple]:
    f, p = _iri(at.fragment), _iri(at.page)
    count = page.count
    out = [
        ox.Triple(f, _iri(VOID + "subset"), p),  # last: names the metadata graph's topic
        ox.Triple(p, _iri(RDF + "type"), _iri(HYDRA + "PartialCollectionView")),
        ox.Triple(p, _iri(DCTERMS + "title"), ox.Literal(title)),
        ox.Triple(p, _iri(DCTERMS + "source"), _iri(at.dataset)),
        ox.Triple(p, _iri(HYDRA + "totalItems"), _integer(count.value)),
        ox.Triple(p, _iri(VOID + "triples"), _integer(count.value)),
        ox.Triple(p, _iri(HYDRA + "itemsPerPage"), _integer(page.size)),
        ox.Triple(p, _iri(HYDRA + "first"), _iri(at.page_url(1))),
    ]
    if not count.exact:
        note = (
            f"hydra:totalItems is an estimate: at least {count.value} quads match; counting "
            "them all would read the whole index."
        )
        out.append(ox.Triple(p, _iri(DCTERMS + "description"), ox.Literal(note, language="en")))
    if page.has_previous:
        out.append(ox.Triple(p, _iri(HYDRA + "previous"), _iri(at.page_url(page.number - 1))))
    if page.has_next:
        out.append(ox.Triple(p, _iri(HYDRA + "next"), _iri(at.page_url(page.number + 1))))
    return out
