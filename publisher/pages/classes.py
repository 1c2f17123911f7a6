"""Class pages: every class with its count (`/classes`), and a class's instances, 100 a page.

What a page lists comes from the catalog (publisher.catalog): counts, instances sorted by label
in the reader's language, labels with their language. Nothing here reads the whole dataset, so a
class page of a million-triple store costs a few index probes, once per (page, language,
version) — the routes cache it like every other page.

URLs are paths without a query string, so the static export can write each as a file:
`/classes/{key}` is page 1 and `/classes/{key}/{n}` page n (`/classes/{key}/1` redirects to
page 1). The key of a class is its CURIE (`foaf:Person`) when one of the data's own prefixes
(its files' `@prefix`/`xmlns` declarations, its ontology's `vann` ones), else a well-known one,
fits it with a plain ASCII local name: readable, guessable, and what the publisher wrote.
Otherwise (no prefix fits, or the local name holds characters a path segment would have to
escape) it is `iri-` and 16 hex digits of the SHA-256 of the IRI: stable for as long as the IRI
is, whatever the prefixes, and never mistaken for a CURIE (it has no colon).
"""

from __future__ import annotations

import hashlib
import math
import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from publisher.catalog import Catalog, ClassCount
from publisher.errors import PublisherError, StoreUnavailable
from publisher.i18n import Text, interface_language, ui
from publisher.pages.base import Labeller, Link, Page, local_name
from publisher.prefixes import PrefixTable, source_prefixes
from publisher.urls import Urls

PAGE_SIZE = 100
"""Instances per class page."""
HOME_CLASSES = 60
"""Classes the home page lists (the largest); `/classes` lists every one."""
HOME_LINKED = 24
"""Most linked resources the home page lists."""
PAGER_WINDOW = 3
"""Pages linked on each side of the current one (first and last are always linked)."""
CLASSES_PATH = "/classes"
DIGEST_PREFIX = "iri-"

_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?\Z")


class NoSuchClassPage(PublisherError):
    """A class page that does not exist: an unknown key, or a page number past the end."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def __str__(self) -> str:
        return self.detail


# --- keys ------------------------------------------------------------------------------------


def prefix_table(dataset: Any, declared: Mapping[str, str]) -> PrefixTable:
    """The prefixes class keys are made with: the ontology's declared ones (`Profile.prefixes`),
    those the source files declare, then the well-known ones."""
    own = dict(declared)
    for prefix, namespace in source_prefixes(dataset.sources.content).items():
        own.setdefault(prefix, namespace)
    return PrefixTable(own)


def class_key(iri: str, table: PrefixTable) -> str:
    """The key of a class in its page's URL (see the module docstring for why)."""
    curie = table.compact(iri)
    if curie is not None:
        prefix, _, local = curie.partition(":")
        if _PREFIX.match(prefix) and _LOCAL.match(local):
            return curie
    return DIGEST_PREFIX + hashlib.sha256(iri.encode()).hexdigest()[:16]


def class_path(key: str, number: int = 1) -> str:
    """`/classes/{key}` for page 1, `/classes/{key}/{n}` for page n."""
    return f"{CLASSES_PATH}/{key}" if number == 1 else f"{CLASSES_PATH}/{key}/{number}"


_KEYS: weakref.WeakKeyDictionary[Catalog, dict[str, str]] = weakref.WeakKeyDictionary()


def keyed_classes(catalog: Catalog, table: PrefixTable) -> dict[str, str]:
    """{key: class IRI} of every class with instances, computed once per catalog (version)."""
    found = _KEYS.get(catalog)
    if found is None:
        found = _KEYS[catalog] = {class_key(c.iri, table): c.iri for c in catalog.classes()}
    return found


def class_keys(dataset: Any, declared: Mapping[str, str]) -> dict[str, str]:
    """{key: class IRI} of the dataset's classes."""
    catalog = catalog_of(dataset)
    found = _KEYS.get(catalog)
    return found if found is not None else keyed_classes(catalog, prefix_table(dataset, declared))


def catalog_of(dataset: Any) -> Catalog:
    """The dataset's catalog; a store that has not answered yet has none (a 503)."""
    catalog: Catalog | None = getattr(dataset, "catalog", None)
    if catalog is None:
        where = getattr(dataset, "location", None) or "the store"
        raise StoreUnavailable(where, "its catalog is not built yet")
    return catalog


def has_classes(dataset: Any) -> bool:
    """Whether the data types any IRI (a dataset without `rdf:type` has no class pages). A
    store not catalogued yet may: its pages say 503 (try again), not 404, meanwhile."""
    catalog: Catalog | None = getattr(dataset, "catalog", None)
    return catalog is None or bool(catalog.classes())


# --- view models -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassRow:
    link: Link  # the class, linking its page here
    key: str
    instances: int


@dataclass
class ClassesPage(Page):
    classes: list[ClassRow] = field(default_factory=list)


@dataclass(frozen=True)
class PagerItem:
    number: int
    href: str | None  # None: the current page
    gap_before: bool = False


@dataclass
class ClassPage(Page):
    cls: Link | None = None
    key: str = ""
    number: int = 1
    pages: int = 1
    total: int = 0
    first: int = 0
    last: int = 0
    instances: list[Link] = field(default_factory=list)
    prev: str | None = None
    next: str | None = None
    pager: list[PagerItem] = field(default_factory=list)

    def links(self) -> list[tuple[str, str]]:
        """(href, rel) of the previous and next pages, for `<link>` and the Link header."""
        return [(h, rel) for h, rel in ((self.prev, "prev"), (self.next, "next")) if h]


def class_rows(
    dataset: Any, names: Labeller, declared: Mapping[str, str], counts: list[ClassCount]
) -> list[ClassRow]:
    """Each class linking its page, shown by its label (looked up in one query)."""
    names.prefetch(c.iri for c in counts)
    keys = {iri: key for key, iri in class_keys(dataset, declared).items()}
    rows = []
    for count in counts:
        key = keys[count.iri]
        shown = names.link(count.iri)
        href = f"{class_path(key)}?lang={names.lang}"
        link = Link(shown.iri, href, shown.label, shown.compact, local=True)
        rows.append(ClassRow(link, key, count.instances))
    return rows


def classes_page(dataset: Any, urls: Urls, lang: str, prefixes: Mapping[str, str]) -> ClassesPage:
    """Every class the data's IRIs are instances of, the largest first."""
    catalog = catalog_of(dataset)
    title = Text(ui("classes_title", lang), interface_language(lang))
    page = ClassesPage(lang=lang, path=CLASSES_PATH, title=title)
    names = Labeller(dataset.store, urls, lang, prefixes)
    page.classes = class_rows(dataset, names, prefixes, catalog.classes())
    return page


def class_page(
    dataset: Any, urls: Urls, lang: str, prefixes: Mapping[str, str], key: str, number: int
) -> ClassPage:
    """Page `number` of the instances of the class `key`, sorted by label in `lang`."""
    catalog = catalog_of(dataset)
    names = Labeller(dataset.store, urls, lang, prefixes)
    iri = class_keys(dataset, prefixes).get(key)
    if iri is None:
        raise NoSuchClassPage(f"No class of this dataset has the key {key!r}.")
    total = catalog.instance_count(iri)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if not 1 <= number <= pages:
        raise NoSuchClassPage(
            f"The class {key} has {total} instances on {pages} page(s): there is no page {number}."
        )
    cls = names.link(iri)
    title = Text(ui("class_page_title", lang, name=cls.label.value), interface_language(lang))
    page = ClassPage(lang=lang, path=class_path(key, number), title=title, cls=cls, key=key)
    page.number, page.pages, page.total = number, pages, total
    offset = (number - 1) * PAGE_SIZE
    found = catalog.instances(iri, lang, offset, PAGE_SIZE)
    page.first, page.last = offset + 1, offset + len(found)
    page.instances = [
        _link(names, e.iri, Text(e.label, e.lang) if e.label is not None else None) for e in found
    ]

    def href(n: int) -> str:
        return f"{class_path(key, n)}?lang={lang}"

    page.prev = href(number - 1) if number > 1 else None
    page.next = href(number + 1) if number < pages else None
    page.pager = pager(number, pages, href)
    return page


def class_page_links(
    dataset: Any, urls: Urls, prefixes: Mapping[str, str], key: str, number: int, lang: str
) -> list[tuple[str, str]]:
    """(server-relative URL, rel) of the pages before and after page `number` of the class
    `key` (for the Link header; the page's `<link>`s say the same), without rendering it."""
    catalog = catalog_of(dataset)
    iri = class_keys(dataset, prefixes).get(key)
    if iri is None:
        return []
    pages = max(1, math.ceil(catalog.instance_count(iri) / PAGE_SIZE))
    links = []
    if 1 < number <= pages:
        links.append((f"{class_path(key, number - 1)}?lang={lang}", "prev"))
    if 1 <= number < pages:
        links.append((f"{class_path(key, number + 1)}?lang={lang}", "next"))
    return links


def pager(number: int, pages: int, href: Any) -> list[PagerItem]:
    """The first and last pages, and PAGER_WINDOW pages on each side of the current one."""
    shown = sorted(
        {1, pages}
        | set(range(max(1, number - PAGER_WINDOW), min(pages, number + PAGER_WINDOW) + 1))
    )
    items, previous = [], 0
    for n in shown:
        items.append(PagerItem(n, None if n == number else href(n), n > previous + 1))
        previous = n
    return items if pages > 1 else []


def most_linked(dataset: Any, names: Labeller, limit: int = HOME_LINKED) -> list[tuple[Link, int]]:
    """The resources the most statements point to, with their number of links."""
    catalog = catalog_of(dataset)
    found = catalog.most_linked(limit, names.lang)
    return [
        (_link(names, e.iri, Text(e.label, e.lang) if e.label is not None else None), e.links)
        for e in found
    ]


def _link(names: Labeller, iri: str, label: Text | None) -> Link:
    """A resource linking where it dereferences, by its catalog label; without one, by its
    local name (ours) or its readable IRI (anyone else's), never a store lookup."""
    urls = names.urls
    if label is None:
        label = Text(local_name(iri) if urls.is_local(iri) else unquote(urls.public(iri)))
    return Link(urls.public(iri), names.href(iri), label, None, urls.is_local(iri))
