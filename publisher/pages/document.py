"""Pages of documents outside the `/id/` scheme: a hash document, a slash IRI's, a vocabulary's.

A hash document (`/card`) shows every IRI it holds (`card`, `card#i`, `card#key`), each with its
statements as a resource page shows them, under an anchor named by its fragment, so `card#i`
opened in a browser lands on its own section. IRIs outside the namespace (an outside
`foaf:homepage`) are linked as they are written. A slash IRI's page is the resource page at
`/doc/P`; a vocabulary at its own namespace is the ontology page at `/P`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from publisher.dataset import Dataset
from publisher.documents.locate import vocabulary_of
from publisher.formats import HTML, RDF_DOCUMENT_FORMATS
from publisher.pages.base import Alternate
from publisher.pages.ontology import vocabulary_page
from publisher.pages.render import render_page, site_of
from publisher.pages.resource import resource_page
from publisher.pages.resource_views import ResourcePage
from publisher.prefixes import source_prefixes
from publisher.profile import Profile, read_profile
from publisher.urls import Urls


@dataclass
class Member:
    """One IRI of a hash document: its anchor (the fragment; `this` for the document's own
    IRI) and its resource page."""

    anchor: str
    page: ResourcePage


@dataclass
class DocumentPage(ResourcePage):
    """The page of a hash document: its primary topic's frame, then every member."""

    members: list[Member] = field(default_factory=list)


def document_page(
    dataset: Dataset,
    urls: Urls,
    path: str,
    members: tuple[str, ...],
    topic: str,
    lang: str,
    profile: Profile,
) -> DocumentPage:
    """The page of the document `/{path}` holding `members`, `topic` first."""
    document = urls.page_document(path)  # its page is `{document}.html`, as /doc/ pages are
    ordered = [topic, *(m for m in members if m != topic)]
    prefixes = own_prefixes(dataset, profile)
    pages = [
        resource_page(
            dataset.store,
            urls,
            iri,
            lang,
            prefixes,
            profile.sections,
            document=document,
            layouts=profile.layouts,
        )
        for iri in ordered
    ]
    first = pages[0]
    page = DocumentPage(lang=lang, path=first.path, title=first.title, iri=urls.public(topic))
    page.canonical = urls.slash_thing(path)
    page.description = first.description
    page.jsonld = first.jsonld
    page.alternates = [Alternate(f, urls.page_document(path, f)) for f in RDF_DOCUMENT_FORMATS]
    page.members = [
        Member(_anchor(iri), member) for iri, member in zip(ordered, pages, strict=True)
    ]
    for member in pages:
        page.queries.extend(q for q in member.queries if q not in page.queries)
    return page


def own_prefixes(dataset: Dataset, profile: Profile) -> dict[str, str]:
    """The prefixes the data's files declare (`schema:`, `sh:`), those its ontology declares
    winning: the class pages name terms by them, and so do these pages."""
    declared = source_prefixes((*dataset.sources.ontology, *dataset.sources.data))
    return {**declared, **profile.prefixes}


def _anchor(iri: str) -> str:
    _, hash_, fragment = iri.partition("#")
    return fragment if hash_ and fragment else "this"


def render_document_page(
    dataset: Dataset,
    urls: Urls,
    path: str,
    members: tuple[str, ...],
    topic: str,
    lang: str,
    profile: Profile | None = None,
) -> str:
    """The HTML page of the hash document `/{path}`."""
    profile = profile or read_profile(dataset)
    page = document_page(dataset, urls, path, members, topic, lang, profile)
    return render_page("document.html", urls, page, site=site_of(dataset, urls, lang, profile))


def render_thing_page(
    dataset: Dataset, urls: Urls, iri: str, path: str, lang: str, profile: Profile | None = None
) -> str:
    """The page of the slash IRI `iri`, served at `/doc/{path}` (its formats beside it)."""
    profile = profile or read_profile(dataset)
    document = urls.document(path)
    prefixes = own_prefixes(dataset, profile)
    page = resource_page(
        dataset.store,
        urls,
        iri,
        lang,
        prefixes,
        profile.sections,
        document=document,
        layouts=profile.layouts,
    )
    return render_page("resource.html", urls, page, site=site_of(dataset, urls, lang, profile))


def render_vocabulary_page(
    dataset: Dataset, urls: Urls, path: str, lang: str, profile: Profile | None = None
) -> str:
    """The ontology page of the vocabulary whose `owl:Ontology` IRI is `{base}{path}`, or its
    hash namespace `{base}{path}#` (as the W3C names its vocabularies)."""
    profile = profile or read_profile(dataset)
    doc_iri = urls.slash_thing(path)
    catalog = dataset.catalog
    ontology = (vocabulary_of(catalog, doc_iri) if catalog is not None else None) or doc_iri
    page = vocabulary_page(
        dataset.store,
        urls,
        ontology,
        lang,
        path=urls.page_document(path, HTML),
        alternates=[Alternate(f, urls.page_document(path, f)) for f in RDF_DOCUMENT_FORMATS],
        declared=profile.prefixes,
        sources=(*dataset.sources.ontology, *dataset.sources.data),
    )
    return render_page("ontology.html", urls, page, site=site_of(dataset, urls, lang, profile))
