"""HTML pages: view models from `publisher.pages.base*` rendered with Jinja2.

Each render function is pure (dataset, urls, what, language → HTML text), so callers can cache a
page per (resource, language, dataset version). Every page carries a language switch with
`hreflang` alternates, a canonical link, schema.org JSON-LD and the queries it was built from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from publisher.dataset import Dataset
from publisher.discovery.void import GCM_ARAB_REVIEW, dataset_info, in_language
from publisher.i18n import LANGUAGES, Text, choose_language, direction, ui
from publisher.pages.base import ONTOLOGY_NAME, Page
from publisher.pages.index import home_page, objectives_page
from publisher.pages.ontology import ontology_page
from publisher.pages.resource import resource_page
from publisher.urls import Urls

__all__ = [
    "choose_language",
    "render_home_page",
    "render_not_found_page",
    "render_objectives_page",
    "render_ontology_page",
    "render_page",
    "render_resource_page",
    "render_template",
]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

NAV: tuple[tuple[str, str], ...] = (
    ("nav_home", "/"),
    ("nav_objectives", "/objectives"),
    ("nav_ontology", f"/def/{ONTOLOGY_NAME}.html"),
    ("nav_sparql", "/sparql"),
    ("nav_dumps", "/dumps/"),
)


@dataclass(frozen=True)
class Switch:
    lang: str
    name: str
    href: str
    current: bool


@dataclass(frozen=True)
class NavItem:
    key: str
    href: str
    current: bool


@dataclass(frozen=True)
class Site:
    """The frame of a dataset other than the GCM one: its own name and licence, and no links
    to the GCM-only pages (the 23 objectives, the gcmr ontology). None means the GCM frame."""

    name: str
    license: str
    hidden: tuple[str, ...] = ("nav_objectives", "nav_ontology")


def site_of(dataset: Dataset, lang: str) -> Site | None:
    info = dataset_info(dataset)
    if info is GCM_ARAB_REVIEW:
        return None
    return Site(in_language(info.title, lang), info.license)


@dataclass(frozen=True)
class Chrome:
    """What the frame of every page needs: language, switch, navigation, canonical URL."""

    lang: str
    dir: str
    path: str
    switch: tuple[Switch, ...]
    nav: tuple[NavItem, ...]
    canonical: str | None
    hreflang: tuple[tuple[str, str], ...]


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
    return env


def render_template(name: str, context: Mapping[str, object]) -> str:
    """Render a template of the one environment with exactly `context` (for pages that do not
    use the shared frame, such as the dumps index and the VoID and validation pages)."""
    return environment().get_template(name).render(context)


def chrome(
    urls: Urls, lang: str, path: str, *, indexable: bool = True, hidden: tuple[str, ...] = ()
) -> Chrome:
    """The frame of a page at `path` (server-relative, no query string) in `lang`."""
    switch = tuple(
        Switch(code, ui(f"lang_name_{code}", lang), f"{path}?lang={code}", code == lang)
        for code in LANGUAGES
    )
    nav = tuple(
        NavItem(key, f"{href}?lang={lang}", path == href or (href != "/" and path.startswith(href)))
        for key, href in NAV
        if key not in hidden
    )
    hreflang: tuple[tuple[str, str], ...] = ()
    canonical = None
    if indexable:
        absolute = urls.absolute(path)
        hreflang = (
            *((code, f"{absolute}?lang={code}") for code in LANGUAGES),
            ("x-default", absolute),
        )
        canonical = f"{absolute}?lang={lang}"
    return Chrome(lang, direction(lang), path, switch, nav, canonical, hreflang)


def render_page(
    template: str,
    urls: Urls,
    page: Page,
    *,
    indexable: bool = True,
    site: Site | None = None,
    **context: Any,
) -> str:
    """Render any page on the shared frame (`base.html`); other HTML routes may use it too."""
    lang = page.lang

    def t(key: str, **values: object) -> str:
        return ui(key, lang, **values)

    frame = chrome(urls, lang, page.path, indexable=indexable, hidden=site.hidden if site else ())
    return (
        environment()
        .get_template(template)
        .render(page=page, chrome=frame, t=t, lang=lang, dir=frame.dir, site=site, **context)
    )


def render_resource_page(dataset: Dataset, urls: Urls, iri: str, lang: str) -> str:
    """The page of one of our things; `iri` is canonical (`{base}id/...`)."""
    page = resource_page(dataset.store, urls, iri, lang)
    return render_page("resource.html", urls, page, site=site_of(dataset, lang))


def render_ontology_page(dataset: Dataset, urls: Urls, lang: str, name: str = ONTOLOGY_NAME) -> str:
    """An ontology document (`/def/gcmr`): every class and property, with anchors per term."""
    page = ontology_page(dataset, urls, lang, name)
    return render_page("ontology.html", urls, page, site=site_of(dataset, lang))


def render_home_page(
    dataset: Dataset, urls: Urls, lang: str, dumps: list[dict[str, str]] | None = None
) -> str:
    """The dataset's home page; `dumps` (name, url, media_type) feed the JSON-LD distribution."""
    page = home_page(dataset, urls, lang, dumps or [])
    return render_page("home.html", urls, page, site=site_of(dataset, lang))


def render_objectives_page(dataset: Dataset, urls: Urls, lang: str) -> str:
    page = objectives_page(dataset, urls, lang)
    return render_page("objectives.html", urls, page, site=site_of(dataset, lang))


def render_not_found_page(urls: Urls, path: str, lang: str) -> str:
    """A 404 page in the page language; `path` comes from the request, so it is only ever
    shown escaped and used as a same-origin path."""
    page = Page(lang=lang, path=safe_path(path), title=Text(ui("not_found_title", lang), lang))
    return render_page("not_found.html", urls, page, indexable=False)


def safe_path(path: str) -> str:
    """A request path as a same-origin link: one leading slash (`//host` would leave the
    site), and anything unusual percent-encoded."""
    return "/" + quote(path.lstrip("/\\"), safe="/:@-._~!$&'()*+,;=")
