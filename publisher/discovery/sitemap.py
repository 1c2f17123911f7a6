"""The sitemap and robots.txt: every page a crawler should index, once per page language.

Localized pages are listed once per language with their `hreflang` alternates (what search
engines document for multilingual sites); which pages the site has comes from the page table
(`publisher.pages.catalogue`), which languages from the dataset's profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

import pyoxigraph as ox

from publisher.dataset import Dataset
from publisher.discovery.statistics import Statistics
from publisher.documents.locate import list_documents
from publisher.formats import HTML
from publisher.pages.catalogue import sitemap_entries
from publisher.urls import FRAGMENTS_PATH, SEARCH_PATH, Urls
from publisher.vocab import OWL_ONTOLOGY, RDF_TYPE

SITEMAP_PATH = "sitemap.xml"
SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org protocol)
LANGUAGE_PARAMETER = "lang"  # how the HTML pages name their language versions (?lang=ar)


@dataclass(frozen=True)
class SitemapPage:
    """A page to list; a localized one is listed once per language, as its canonical link says."""

    url: str
    localized: bool = True


def localized_url(url: str, language: str) -> str:
    """The URL of one language version (`?lang=ar`), as the HTML pages' canonical links have it."""
    return f"{url}{'&' if '?' in url else '?'}{LANGUAGE_PARAMETER}={language}"


def sitemap_pages(dataset: Dataset, urls: Urls, stats: Statistics) -> list[SitemapPage]:
    """Every page worth indexing: the site's own pages (the page table), the ontologies, every
    thing's document (`/doc/…`), every hash document (`/card`)."""
    pages = [
        SitemapPage(urls.absolute(path), localized)
        for path, localized in sitemap_entries(dataset, urls)
    ]
    ontologies = list(dataset.store.quads_for_pattern(None, RDF_TYPE, OWL_ONTOLOGY))
    pages += [
        SitemapPage(iri + "." + HTML.extension)
        for iri in sorted(
            {
                urls.public(q.subject.value)
                for q in ontologies
                if isinstance(q.subject, ox.NamedNode) and urls.is_local(q.subject.value)
            }
        )
    ]
    pages += [SitemapPage(urls.absolute(urls.document(path, HTML))) for path in stats.documents]
    if dataset.catalog is not None:  # IRIs of other shapes (decision 0011)
        listing = list_documents(dataset, urls)
        in_scheme = set(stats.documents)
        pages += [
            SitemapPage(urls.absolute(urls.document(path, HTML)))
            for path in listing.things
            if path not in in_scheme
        ]
        listed = {page.url for page in pages}
        for path in listing.documents:
            url = urls.absolute(urls.page_document(path, HTML))
            if url not in listed:
                pages.append(SitemapPage(url))
    return pages


def split_sitemap(
    pages: Sequence[SitemapPage], languages: Sequence[str]
) -> list[list[SitemapPage]]:
    """The pages cut into as many sitemap files as SITEMAP_LIMIT requires (a localized page
    takes one URL per language)."""
    per_file = SITEMAP_LIMIT // max(1, len(languages))
    return [list(pages[i : i + per_file]) for i in range(0, len(pages), per_file)]


def _sitemap_entries(page: SitemapPage, languages: Sequence[str], lastmod: str) -> str:
    if not (page.localized and languages):
        return f"<url><loc>{escape(page.url)}</loc><lastmod>{lastmod}</lastmod></url>\n"
    versions = [(lang, localized_url(page.url, lang)) for lang in languages]
    links = "".join(
        f'<xhtml:link rel="alternate" hreflang="{lang}" href="{escape(href)}"/>'
        for lang, href in [*versions, ("x-default", page.url)]
    )
    return "".join(
        f"<url><loc>{escape(href)}</loc><lastmod>{lastmod}</lastmod>{links}</url>\n"
        for _, href in versions
    )


def sitemap_xml(
    pages: Sequence[SitemapPage], modified: datetime, languages: Sequence[str] = ()
) -> bytes:
    """A sitemaps.org urlset; localized pages once per language, each with its hreflang
    alternates (what Google documents for multilingual sites)."""
    lastmod = modified.strftime("%Y-%m-%d")
    entries = "".join(_sitemap_entries(page, languages, lastmod) for page in pages)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
        f"{entries}</urlset>\n"
    ).encode()


def sitemap_index(sitemaps: Sequence[str], modified: datetime) -> bytes:
    """A sitemaps.org index, for datasets with more pages than one sitemap may list."""
    lastmod = modified.strftime("%Y-%m-%d")
    entries = "".join(
        f"<sitemap><loc>{escape(url)}</loc><lastmod>{lastmod}</lastmod></sitemap>\n"
        for url in sitemaps
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</sitemapindex>\n"
    ).encode()


def robots_txt(urls: Urls) -> str:
    """Everything may be crawled but the answers to queries: search results (a page per
    query, no content of their own) and fragments of a pattern (a page for every term and
    combination of terms, for Linked Data Fragments clients, not indexers: the documents hold
    the same statements); the sitemap says where the pages are. A path's query string is part
    of what robots.txt rules match, so `/fragments` itself, its form, stays allowed."""
    rules = "".join(f"Disallow: /{path}?\n" for path in (SEARCH_PATH, FRAGMENTS_PATH))
    return f"User-agent: *\n{rules}Allow: /\n\nSitemap: {urls.absolute(SITEMAP_PATH)}\n"
