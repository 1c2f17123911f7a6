"""HTML pages: view models from `publisher.pages.base*` rendered with Jinja2.

Each render function is pure (dataset, urls, what, language → HTML text), so callers can cache a
page per (resource, language, dataset version). Every page carries a language switch with
`hreflang` alternates, a canonical link, schema.org JSON-LD and the queries it was built from.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from publisher.dataset import Dataset
from publisher.errors import PublisherError
from publisher.i18n import (
    LANGUAGES,
    Text,
    choose_language,
    direction,
    interface_language,
    language_name,
    ui,
)
from publisher.pages.base import Alternate, Page
from publisher.pages.catalogue import (
    BY_NAME,
    PageRequest,
    SitePage,
    dataset_languages,
    generic_navigation,
    navigation,
)
from publisher.pages.ontology import dataset_vocabulary_page, ontology_page
from publisher.pages.resource import resource_page
from publisher.profile import Profile, read_profile
from publisher.urls import Urls
from publisher.validation import has_validation_report

__all__ = [
    "choose_language",
    "page_languages_of",
    "render_home_page",
    "render_not_found_page",
    "render_ontology_page",
    "render_page",
    "render_resource_page",
    "render_site_page",
    "render_vocabulary_page",
    "site_of",
]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Switch:
    lang: str
    name: str
    href: str
    current: bool

    @property
    def dir(self) -> str:
        return direction(self.lang)


@dataclass(frozen=True)
class NavItem:
    key: str
    href: str
    current: bool


@dataclass(frozen=True)
class Site:
    """The frame every page of one dataset shares: its name, its licence (None: the footer
    claims none), the navigation to the pages it has (the page table) and the languages its
    pages are offered in (`catalogue.dataset_languages`)."""

    name: str
    license: str | None
    nav: tuple[tuple[str, str], ...]
    languages: tuple[str, ...] = LANGUAGES


def site_of(dataset: Dataset, urls: Urls, lang: str, profile: Profile | None = None) -> Site:
    """The frame of `dataset`'s pages in `lang`; `profile` as read once per version, if at hand."""
    profile = profile or read_profile(dataset)
    languages = dataset_languages(dataset, profile)
    return Site(profile.name_in(lang), profile.license, navigation(dataset, urls), languages)


def page_languages_of(state: Any) -> tuple[str, ...]:
    """The page languages of the dataset an app serves (`state`: its `AppState`); the
    interface's own while none is loaded or the store cannot be read (its error page still
    needs a language)."""
    dataset = state.loaded
    if dataset is None:
        return LANGUAGES
    try:
        profile = state.published.profile(dataset, state.urls)
    except PublisherError:
        return LANGUAGES
    return dataset_languages(dataset, profile)


def generic_site(lang: str) -> Site:
    """The frame of a page rendered without its dataset (a 404): no name, no licence claimed."""
    return Site(ui("site_name", lang), None, generic_navigation())


@dataclass(frozen=True)
class Chrome:
    """What the frame of every page needs: language, switch, navigation, canonical URL.
    `lang` is the page's language (its links keep it); `ui_lang` and `dir` are those of the
    interface's words, the `<html>` element's (English on a page whose language the interface
    does not speak: the data on it carries its own `lang`)."""

    lang: str
    dir: str
    path: str
    switch: tuple[Switch, ...]
    nav: tuple[NavItem, ...]
    canonical: str | None
    hreflang: tuple[tuple[str, str], ...]
    ui_lang: str = "en"


@cache
def environment() -> jinja2.Environment:
    """One Jinja2 environment; StrictUndefined makes a template typo an error, not a blank."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # JSON-LD in <script>: Arabic stays readable; `tojson` still escapes < > & '.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    # Any template that links the report asks first (the VoID page gets no context for it).
    env.globals["has_validation_report"] = has_validation_report
    return env


def chrome(
    urls: Urls,
    lang: str,
    path: str,
    *,
    indexable: bool = True,
    entries: tuple[tuple[str, str], ...] = (),
    languages: tuple[str, ...] = LANGUAGES,
) -> Chrome:
    """The frame of a page at `path` (server-relative, no query string) in `lang`."""
    switch = tuple(
        Switch(code, language_name(code, lang), f"{path}?lang={code}", code == lang)
        for code in languages
    )
    nav = tuple(
        NavItem(key, f"{href}?lang={lang}", path == href or (href != "/" and path.startswith(href)))
        for key, href in entries
    )
    hreflang: tuple[tuple[str, str], ...] = ()
    canonical = None
    if indexable:
        absolute = urls.absolute(path)
        hreflang = (
            *((code, f"{absolute}?lang={code}") for code in languages),
            ("x-default", absolute),
        )
        canonical = f"{absolute}?lang={lang}"
    shown = interface_language(lang)
    return Chrome(lang, direction(shown), path, switch, nav, canonical, hreflang, shown)


def render_page(
    template: str,
    urls: Urls,
    page: Page,
    *,
    indexable: bool = True,
    site: Site | None = None,
    **context: Any,
) -> str:
    """Render any page on the shared frame (`base.html`); other HTML routes may use it too.
    Without `site` (see `site_of`), the frame names no dataset and claims no licence."""
    lang = page.lang
    site = site or generic_site(lang)

    def t(key: str, **values: object) -> str:
        return ui(key, lang, **values)

    frame = chrome(
        urls, lang, page.path, indexable=indexable, entries=site.nav, languages=site.languages
    )
    return (
        environment()
        .get_template(template)
        .render(page=page, chrome=frame, t=t, lang=lang, dir=frame.dir, site=site, **context)
    )


def render_resource_page(
    dataset: Dataset, urls: Urls, iri: str, lang: str, profile: Profile | None = None
) -> str:
    """The page of one of our things; `iri` is canonical (`{base}id/...`)."""
    profile = profile or read_profile(dataset)
    page = resource_page(
        dataset.store, urls, iri, lang, profile.prefixes, profile.sections, layouts=profile.layouts
    )
    return render_page("resource.html", urls, page, site=site_of(dataset, urls, lang, profile))


def render_ontology_page(
    dataset: Dataset, urls: Urls, lang: str, name: str, profile: Profile | None = None
) -> str:
    """An ontology document (`/def/{name}`): every class and property, with anchors per term."""
    profile = profile or read_profile(dataset)
    page = ontology_page(dataset, urls, lang, name, profile.prefixes)
    return render_page("ontology.html", urls, page, site=site_of(dataset, urls, lang, profile))


def render_vocabulary_page(
    dataset: Dataset,
    urls: Urls,
    ontology_iri: str,
    lang: str,
    path: str,
    profile: Profile | None = None,
    alternates: tuple[Alternate, ...] = (),
) -> str:
    """The page of any vocabulary (its canonical ontology IRI), served at `path`."""
    profile = profile or read_profile(dataset)
    page = dataset_vocabulary_page(
        dataset,
        urls,
        ontology_iri,
        lang,
        path=path,
        alternates=alternates,
        declared=profile.prefixes,
    )
    return render_page("ontology.html", urls, page, site=site_of(dataset, urls, lang, profile))


def render_site_page(
    name: str,
    dataset: Dataset,
    urls: Urls,
    lang: str,
    profile: Profile | None = None,
    dumps: list[dict[str, str]] | None = None,
    *,
    key: str = "",
    number: int = 1,
) -> str:
    """A page of the page table (`catalogue.PAGES`, or a class page: `key` and `number`) that
    has a template and a view model."""
    entry: SitePage = BY_NAME[name]
    if entry.template is None or entry.build is None:
        raise ValueError(f"the page {name!r} is not rendered from the page table")
    profile = profile or read_profile(dataset)
    page = entry.build(PageRequest(dataset, urls, lang, profile, dumps or [], key, number))
    return render_page(entry.template, urls, page, site=site_of(dataset, urls, lang, profile))


def render_home_page(
    dataset: Dataset,
    urls: Urls,
    lang: str,
    dumps: list[dict[str, str]] | None = None,
    profile: Profile | None = None,
) -> str:
    """The dataset's home page; `dumps` (name, url, media_type) feed the JSON-LD distribution."""
    return render_site_page("index", dataset, urls, lang, profile, dumps)


def render_not_found_page(urls: Urls, path: str, lang: str, site: Site | None = None) -> str:
    """A 404 page in the page language; `path` comes from the request, so it is only ever
    shown escaped and used as a same-origin path."""
    title = Text(ui("not_found_title", lang), interface_language(lang))
    page = Page(lang=lang, path=safe_path(path), title=title)
    return render_page("not_found.html", urls, page, indexable=False, site=site)


def safe_path(path: str) -> str:
    """A request path as a same-origin link: one leading slash (`//host` would leave the
    site), and anything unusual percent-encoded."""
    return "/" + quote(path.lstrip("/\\"), safe="/:@-._~!$&'()*+,;=")
