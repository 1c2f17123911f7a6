"""The page table: every page of the site that is not a resource's document, declared once.

Routes, the navigation, the sitemap and the static export all read this table, so adding a page
is a view model, a template and one line here. A page may depend on the data (the concept-scheme
page exists only when the data has a SKOS concept scheme; the ontology link only when an
ontology lives under the namespace): `SitePage.locate` says where it is for one dataset, or
None when that dataset has no such page.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from publisher.catalog import Catalog
from publisher.documents.describe import ontology_paths
from publisher.formats import HTML
from publisher.i18n import LANGUAGES, page_languages
from publisher.pages.base import Page
from publisher.pages.classes import (
    CLASSES_PATH,
    PAGE_SIZE,
    class_keys,
    class_page,
    class_path,
    classes_page,
    has_classes,
)
from publisher.pages.index import concepts_page, has_concept_scheme, home_page
from publisher.profile import Profile, read_profile
from publisher.urls import Urls
from publisher.vocab import OWL_ONTOLOGY, RDF_TYPE


@dataclass(frozen=True)
class PageRequest:
    """What a page's view model is built from."""

    dataset: Any
    urls: Urls
    lang: str
    profile: Profile
    dumps: Sequence[dict[str, str]] = ()
    key: str = ""  # the class of a class page, and its page number
    number: int = 1


def _always(dataset: Any, urls: Urls) -> bool:
    return True


@dataclass(frozen=True)
class SitePage:
    """One page: `name` keys its cache entry and its export file (`_pages/{name}.{lang}.html`);
    `nav` is the UI string of its navigation label (None: not in the navigation)."""

    name: str
    path: str
    nav: str | None
    sitemap: bool = True
    localized: bool = True  # one version per page language (`?lang=`)
    export: bool = False  # rendered from `template` + `build` into the static export
    template: str | None = None
    build: Callable[[PageRequest], Page] | None = None
    shown: Callable[[Any, Urls], bool] = field(default=_always)
    where: Callable[[Any, Urls], str | None] | None = None

    def locate(self, dataset: Any, urls: Urls) -> str | None:
        """The page's server-relative path for this dataset, or None if it has no such page."""
        if not self.shown(dataset, urls):
            return None
        return self.where(dataset, urls) if self.where else self.path


def first_ontology(dataset: Any, urls: Urls) -> str | None:
    """The HTML documentation of the first ontology under the namespace (versions aside): one
    under /def/, else a vocabulary served at its own IRI (`/shacl` for `…/ns/shacl#`)."""
    names = sorted(path for path in ontology_paths(dataset, urls) if "/" not in path)
    if names:
        return urls.ontology_document(names[0], HTML)
    ontologies = list(dataset.store.quads_for_pattern(None, RDF_TYPE, OWL_ONTOLOGY, None))
    own = sorted(filter(None, (urls.path_of(q.subject.value) for q in ontologies)))
    return urls.page_document(own[0], HTML) if own else None


def _home(request: PageRequest) -> Page:
    r = request
    return home_page(r.dataset, r.urls, r.lang, list(r.dumps), r.profile)


def _concepts(request: PageRequest) -> Page:
    return concepts_page(request.dataset, request.urls, request.lang, request.profile)


def _has_scheme(dataset: Any, urls: Urls) -> bool:
    return has_concept_scheme(dataset)


def _classes(request: PageRequest) -> Page:
    r = request
    return classes_page(r.dataset, r.urls, r.lang, r.profile.prefixes)


def _class(request: PageRequest) -> Page:
    r = request
    return class_page(r.dataset, r.urls, r.lang, r.profile.prefixes, r.key, r.number)


def _has_classes(dataset: Any, urls: Urls) -> bool:
    return has_classes(dataset)


PAGES: tuple[SitePage, ...] = (
    SitePage("index", "/", "nav_home", export=True, template="home.html", build=_home),
    SitePage(
        "classes",
        CLASSES_PATH,
        "nav_classes",
        export=True,
        template="classes.html",
        build=_classes,
        shown=_has_classes,
    ),
    SitePage(
        "concepts",
        "/concepts",
        "nav_concepts",
        export=True,
        template="concepts.html",
        build=_concepts,
        shown=_has_scheme,
    ),
    SitePage("ontology", "/def/", "nav_ontology", sitemap=False, where=first_ontology),
    SitePage("sparql", "/sparql", "nav_sparql"),
    SitePage("dumps", "/dumps/", "nav_dumps"),
)
"""In navigation order. The sitemap lists the ontologies with the documents, not here."""

CLASS_PAGE = SitePage(
    "class", CLASSES_PATH + "/{key}", None, sitemap=False, template="class.html", build=_class
)
"""A class's instances, one page of PAGE_SIZE (routed by web/routes/pages.py, not the table)."""

BY_NAME = {page.name: page for page in (*PAGES, CLASS_PAGE)}


def site_pages(dataset: Any, urls: Urls) -> list[tuple[SitePage, str]]:
    """The pages this dataset has, each with its path."""
    located = ((page, page.locate(dataset, urls)) for page in PAGES)
    return [(page, path) for page, path in located if path is not None]


def navigation(dataset: Any, urls: Urls) -> tuple[tuple[str, str], ...]:
    """(label key, path) of every page in the navigation this dataset has."""
    return tuple((page.nav, path) for page, path in site_pages(dataset, urls) if page.nav)


def generic_navigation() -> tuple[tuple[str, str], ...]:
    """The navigation when no dataset is at hand (a 404): the pages every dataset has."""
    return tuple(
        (page.nav, page.path)
        for page in PAGES
        if page.nav and page.shown is _always and page.where is None
    )


def sitemap_entries(dataset: Any, urls: Urls) -> list[tuple[str, bool]]:
    """(path, localized) of every page the sitemap lists."""
    return [(path, page.localized) for page, path in site_pages(dataset, urls) if page.sitemap]


def exported_pages(dataset: Any, urls: Urls) -> list[tuple[SitePage, str]]:
    """The pages the static export renders itself (`_pages/{name}.{lang}.html`): those of the
    table, and every page of every class (`class/{key}/{n}`: a name per path)."""
    pages = [(page, path) for page, path in site_pages(dataset, urls) if page.export]
    return pages + list(class_pages(dataset, urls))


def class_pages(dataset: Any, urls: Urls) -> list[tuple[SitePage, str]]:
    """Every page of every class, each as a page of its own name (for the static export)."""
    if dataset.catalog is None or not has_classes(dataset):
        return []
    found = []
    for key, iri in sorted(class_keys(dataset, read_profile(dataset).prefixes).items()):
        count = dataset.catalog.instance_count(iri)
        for number in range(1, max(1, -(-count // PAGE_SIZE)) + 1):
            page = replace(CLASS_PAGE, name=f"class/{key}/{number}", export=True)
            found.append((page, class_path(key, number)))
    return found


def routed_pages() -> tuple[SitePage, ...]:
    """The pages the web layer serves from this table (the others have routes of their own:
    /sparql, /dumps/, /def/…)."""
    return tuple(page for page in PAGES if page.template and page.build)


_LABEL_LANGUAGES: weakref.WeakKeyDictionary[Catalog, tuple[str, ...]] = weakref.WeakKeyDictionary()


def dataset_languages(dataset: Any, profile: Profile | None) -> tuple[str, ...]:
    """The languages this dataset's pages are offered in (`i18n.page_languages`): the ones its
    profile states, else those of its labels (asked of the catalog once per version), else the
    interface's own (a remote store not catalogued yet)."""
    if profile is not None and profile.languages:
        return page_languages(profile.languages)
    catalog: Catalog | None = getattr(dataset, "catalog", None)
    if catalog is None:
        return LANGUAGES
    found = _LABEL_LANGUAGES.get(catalog)
    if found is None:
        found = _LABEL_LANGUAGES[catalog] = page_languages((), catalog.languages())
    return found
