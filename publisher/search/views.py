"""What `/search` answers: the results page (HTML) and the same results as JSON for programs.

Pure functions of (dataset, urls, the query's results, language): the route only parses the
request and picks the representation.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlencode

from publisher.catalog import Catalog
from publisher.dataset import Dataset
from publisher.formats import HTML
from publisher.i18n import Text, interface_language, ui
from publisher.pages.base import Page
from publisher.pages.render import render_page, site_of
from publisher.profile import Profile
from publisher.search.engine import Hit, Results, type_label
from publisher.urls import ONTOLOGY_PREFIX, Urls

SEARCH_PATH = "/search"


@dataclass(frozen=True)
class Asked:
    """The search as the reader asked it (what the form shows again)."""

    query: str
    lang: str
    types: tuple[str, ...] = ()
    limit: int = 20
    page: int = 1

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


@dataclass(frozen=True)
class TypeChoice:
    iri: str
    label: str
    selected: bool


@dataclass(frozen=True)
class ShownHit:
    """A hit as the page shows it: a link in the page's language, its classes' names."""

    hit: Hit
    href: str
    public_iri: str
    title: Text
    types: tuple[Text, ...]


def href(urls: Urls, iri: str, lang: str) -> str:
    """The HTML page of `iri` in `lang` (as resource pages link their values)."""
    document = urls.document_of(iri, HTML)
    if document is not None:
        return f"{document}?lang={lang}"
    if iri.startswith(urls.base_iri + ONTOLOGY_PREFIX):
        page, hash_, term = iri.partition("#")
        return f"{urls.public(page)}?lang={lang}{hash_}{term}"
    return urls.public(iri)


def page_link(asked: Asked, page: int) -> str:
    """The URL of another page of the same search."""
    pairs: list[tuple[str, str]] = [("q", asked.query), ("lang", asked.lang)]
    pairs += [("type", t) for t in asked.types]
    if asked.limit != Asked("", "").limit:
        pairs.append(("limit", str(asked.limit)))
    pairs.append(("page", str(page)))
    return f"{SEARCH_PATH}?{urlencode(pairs)}"


def render_search_page(
    dataset: Dataset,
    urls: Urls,
    profile: Profile,
    asked: Asked,
    results: Results | None,
    error: str | None = None,
) -> str:
    """The search form, and the results when there is a query (`results` None: none asked)."""
    lang = asked.lang
    catalog = dataset.catalog
    title = ui("search_results_title" if asked.query else "search_title", lang, query=asked.query)
    page = Page(lang=lang, path=SEARCH_PATH, title=Text(title, interface_language(lang)))
    hits = () if results is None or catalog is None else shown_hits(catalog, urls, results, lang)
    pages = _pages(asked, results)
    return render_page(
        "search.html",
        urls,
        page,
        indexable=False,
        site=site_of(dataset, urls, lang, profile),
        asked=asked,
        results=results,
        hits=hits,
        pages=pages,
        type_choices=type_choices(catalog, asked, lang),
        error=error,
        json_link=page_link(asked, asked.page) + "&format=json",
    )


def shown_hits(catalog: Catalog, urls: Urls, results: Results, lang: str) -> tuple[ShownHit, ...]:
    return tuple(
        ShownHit(
            hit=hit,
            href=href(urls, hit.iri, lang),
            public_iri=urls.public(hit.iri),
            title=Text(hit.label or urls.public(hit.iri), hit.label_lang or None),
            types=tuple(dict.fromkeys(_type_text(catalog, t, lang) for t in hit.types)),
        )
        for hit in results.hits
    )


def _type_text(catalog: Catalog, class_iri: str, lang: str) -> Text:
    """A class's name, with the language it is in (its IRI's last part has none)."""
    shown = catalog.labelled(class_iri, lang)
    if shown.label is None:
        return Text(type_label(catalog, class_iri, lang))
    return Text(shown.label, shown.lang)


def type_choices(catalog: Catalog | None, asked: Asked, lang: str) -> tuple[TypeChoice, ...]:
    """The dataset's classes, for the form's type filter, by name."""
    if catalog is None:
        return ()
    choices = [
        TypeChoice(c.iri, type_label(catalog, c.iri, lang), c.iri in asked.types)
        for c in catalog.classes()
    ]
    return tuple(sorted(choices, key=lambda c: (c.label.casefold(), c.iri)))


def _pages(asked: Asked, results: Results | None) -> dict[str, str]:
    """Links to the previous and next pages of results, where there are such pages."""
    links: dict[str, str] = {}
    if results is None:
        return links
    if asked.page > 1:
        links["prev"] = page_link(asked, asked.page - 1)
    if results.offset + results.limit < results.total:
        links["next"] = page_link(asked, asked.page + 1)
    return links


def results_json(
    catalog: Catalog | None, urls: Urls, asked: Asked, results: Results
) -> dict[str, Any]:
    """The results for programs: each hit with its IRI, page, label, classes and snippet
    (`highlighted`: the matched name with `<mark>` around the matched words, escaped)."""
    lang = asked.lang
    hits = []
    for hit in results.hits:
        hits.append(
            {
                "iri": urls.public(hit.iri),
                "page": _absolute(urls, href(urls, hit.iri, lang)),
                "label": hit.label,
                "label_lang": hit.label_lang,
                "types": [
                    {
                        "iri": t,
                        "label": type_label(catalog, t, lang) if catalog is not None else t,
                    }
                    for t in hit.types
                ],
                "matched": {"text": hit.matched, "lang": hit.matched_lang or None},
                "highlighted": "".join(
                    f"<mark>{escape(s.text)}</mark>" if s.marked else escape(s.text)
                    for s in hit.snippet
                ),
                "score": hit.score,
            }
        )
    return {
        "query": asked.query,
        "lang": lang,
        "types": list(asked.types),
        "page": asked.page,
        "limit": asked.limit,
        "total": results.total,
        "more": results.more,
        "hits": hits,
    }


def _absolute(urls: Urls, link: str) -> str:
    return urls.absolute(link) if link.startswith("/") else link
