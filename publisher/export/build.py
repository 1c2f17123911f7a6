"""`publisher export`: the dynamic server's answers, fetched in-process, written as a static site.

Driving the app itself (rather than calling the renderers again) makes every exported body the
byte-for-byte body the server sends for the same URL and origin, templates and all. The app is
called over ASGI without a socket, one request at a time, in an event loop of its own thread.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import anyio
from anyio.from_thread import BlockingPortal, start_blocking_portal
from starlette.types import ASGIApp, Message

from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.documents.describe import ontology_paths, thing_paths
from publisher.documents.locate import Locator, list_documents
from publisher.documents.moved import moved_elsewhere, moved_iris, moved_redirects
from publisher.export.nginx import (
    LANG_PLACEHOLDER,
    NOT_FOUND_PLACEHOLDER,
    NginxSite,
    header_path,
)
from publisher.export.site import (
    PAGES_DIR,
    SITE_DIR,
    Answer,
    ExportError,
    ExportSummary,
    Item,
    SiteWriter,
    description_items,
    document_items,
    dump_items,
    file_path,
    listing_items,
    page_items,
)
from publisher.formats import DOCUMENT_FORMATS, JSONLD
from publisher.headers import link_header
from publisher.i18n import Text, interface_language, ui
from publisher.pages.base import Page
from publisher.pages.catalogue import SitePage, exported_pages
from publisher.pages.classes import class_page_links
from publisher.pages.render import (
    Site,
    page_languages_of,
    render_not_found_page,
    render_page,
    site_of,
)
from publisher.report import ValidationReport
from publisher.search.views import SEARCH_PATH
from publisher.urls import FRAGMENTS_PATH, Urls
from publisher.web.app import STATIC_DIR, create_app
from publisher.web.routes.dumps import LISTING_FORMATS
from publisher.web.routes.fragments import fragments_link
from publisher.web.state import state_of_app

CACHE_EVERY = 500
"""Things rendered before the app's document cache is dropped: the export reads each document
once, so keeping them all would only grow memory with the dataset."""


class InProcessClient:
    """GET requests to an ASGI app without a socket; use it as a context manager."""

    def __init__(self, app: ASGIApp, origin: str) -> None:
        split = urlsplit(origin)
        self.app = app
        self.scheme = split.scheme
        self.netloc = split.netloc
        self.server = (
            split.hostname or "localhost",
            split.port or (443 if split.scheme == "https" else 80),
        )
        self._portal: BlockingPortal | None = None
        self._context: Any = None

    def __enter__(self) -> InProcessClient:
        self._context = start_blocking_portal()
        self._portal = self._context.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._context.__exit__(*exc)
        self._portal = None

    def __call__(self, target: str, accept: str) -> Answer:
        """GET `target` (a server-relative path with its query) with that Accept."""
        if self._portal is None:
            raise RuntimeError("InProcessClient is used outside its `with` block")
        return self._portal.call(self._get, target, accept)

    async def _get(self, target: str, accept: str) -> Answer:
        path, _, query = target.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": self.scheme,
            "path": unquote(path),
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", self.netloc.encode()), (b"accept", accept.encode())],
            "client": ("127.0.0.1", 0),
            "server": self.server,
        }
        messages: list[Message] = []
        finished = anyio.Event()
        asked = False

        async def receive() -> Message:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await finished.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            messages.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                finished.set()

        await self.app(scope, receive, send)
        finished.set()
        start = next(m for m in messages if m["type"] == "http.response.start")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start["headers"]}
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        return Answer(start["status"], headers, body)


def export_site(
    settings: Settings,
    dataset: Dataset,
    out: Path,
    *,
    report: ValidationReport | None = None,
    listen: str | None = None,
    root: str | None = None,
    sparql_endpoint: str | None = None,
    live_search: str | None = None,
    live_fragments: str | None = None,
) -> ExportSummary:
    """Write the static site of `dataset` as served on `settings.origin` into `out`, with an
    nginx configuration listening on `listen` (default: the settings' host and port) and
    serving `root` (default: OUT/site, where the export is written). `live_search`, the search
    page of a live server, is linked from /search, `live_fragments`, its Triple Pattern
    Fragments, from /fragments: a static copy can answer neither."""
    check_live_url("search page", live_search)
    check_live_url("fragments interface", live_fragments)
    urls = Urls(settings.base_iri, settings.origin)
    things = sorted(thing_paths(dataset, urls))
    ontologies = sorted(ontology_paths(dataset, urls))
    own = list_documents(dataset, urls).documents if dataset.catalog is not None else ()
    served_here = [p for p in own if file_path(p)]  # hash documents, vocabularies: /card
    usable = [p for p in things if file_path(p)]
    app = create_app(settings, dataset)
    languages = page_languages_of(state_of_app(app))  # the data's languages, else ar and en
    if report is not None:  # validated already: the /validation route reuses the report
        state_of_app(app).published.once(dataset, urls, "validation", lambda: report)
    published = state_of_app(app).published.dumps(dataset, urls)
    dumps = published.files
    pages = exported_pages(dataset, urls)
    profile = state_of_app(app).published.profile(dataset, urls)
    site = NginxSite(
        origin=settings.origin,
        root=root or str(out.resolve() / SITE_DIR),
        listen=listen or f"{settings.host}:{settings.port}",
        server_name=urlsplit(settings.origin).hostname or "_",
        languages=languages,
        default_language=settings.default_language,
        max_age=settings.cache_max_age,
        document_formats=DOCUMENT_FORMATS,
        listing_formats=LISTING_FORMATS,
        dumps=tuple(dumps),
        checksums_sha256=hashlib.sha256(published.checksums.encode()).hexdigest(),
        sparql_endpoint=sparql_endpoint,
        pages=tuple((path, page.name) for page, path in pages),
        page_links=(
            *_home_links(urls, pages),
            *_page_links(dataset, urls, profile.prefixes, pages),
        ),
        moved=moved_redirects(
            urls, moved_iris(dataset, urls), DOCUMENT_FORMATS, moved_elsewhere(dataset, urls)
        ),
        own_documents=tuple(served_here),
        spelled=tuple(p for p in (*usable, *served_here) if header_path(p) != unquote(p)),
        slash_things=_slash_things(dataset, urls, usable),
    )
    with SiteWriter(out, site, dataset) as writer, InProcessClient(app, settings.origin) as get:
        writer.summary.things = len(usable)
        writer.summary.skipped = [p for p in things if not file_path(p)]
        for start in range(0, len(usable), CACHE_EVERY):
            state_of_app(app).cached = None  # a fresh cache for each batch
            batch = usable[start : start + CACHE_EVERY]
            writer.fetch(get, document_items("doc", batch, DOCUMENT_FORMATS, languages))
        writer.fetch(get, document_items("def", ontologies, DOCUMENT_FORMATS, languages))
        writer.summary.things += len(served_here)
        writer.summary.skipped += [p for p in own if not file_path(p)]
        taken = {unquote(p) for p in (*site.own_documents, *site.slash_things)}
        here = document_items("", served_here, DOCUMENT_FORMATS, languages)
        writer.fetch(get, _negotiated_where_taken(here, taken))
        writer.fetch(get, _site_items(get, site.pages, languages))
        writer.fetch(get, dump_items(dumps))
        for name in sorted(p.name for p in STATIC_DIR.iterdir() if p.is_file()):
            writer.fetch(get, [Item(f"/static/{name}", "*/*", f"static/{name}", "files")])
        for lang in languages:
            writer.add(f"{PAGES_DIR}/sparql.{lang}.html", _sparql_page(urls, lang, sparql_endpoint))
            frame = site_of(dataset, urls, lang, profile)
            search = static_search_page(urls, lang, live_search, frame)
            writer.add(f"{PAGES_DIR}/search.{lang}.html", search)
            fragments = static_fragments_page(urls, lang, live_fragments, frame)
            writer.add(f"{PAGES_DIR}/{FRAGMENTS_PATH}.{lang}.html", fragments)
            page = render_not_found_page(urls, NOT_FOUND_PLACEHOLDER, lang)
            writer.add(f"{PAGES_DIR}/404.{lang}.html", page.encode())
        writer.add("health.json", static_health(dataset, sparql_endpoint))
        return writer.finish()


def _negotiated_where_taken(items: Iterable[Item], taken: set[str]) -> Iterator[Item]:
    """Items of documents at their own IRI, asked at the generic URL where the format's URL
    is an IRI of the data itself (`/notes.ttl` when the data describes `{base}notes.ttl`:
    the live server answers that path for the IRI, and `notes` in Turtle by negotiation)."""
    for item in items:
        path, _, query = item.target.partition("?")
        if unquote(path.lstrip("/")) in taken:
            generic = path.rpartition(".")[0]
            item = replace(item, target=generic + (f"?{query}" if query else ""))
        yield item


def _slash_things(dataset: Dataset, urls: Urls, things: list[str]) -> tuple[str, ...]:
    """The things whose own path `/P` answers 303 (slash IRIs `{base}P`), asked of the
    live server's locator: a thing of the `/id/` scheme has its document at `/doc/P` too, but
    `/P` is not its IRI."""
    if dataset.catalog is None:
        return ()
    locator = Locator(dataset, urls)
    return tuple(p for p in things if (found := locator.at_root(p)[0]) and found.kind == "thing")


def _home_links(urls: Urls, pages: list[tuple[SitePage, str]]) -> tuple[tuple[str, str], ...]:
    """The `Link` the live home page sends (the fragments interface, hydra:search): the
    export's /fragments answers it with a page that says this copy has none."""
    return tuple((path, fragments_link(urls)) for page, path in pages if page.name == "index")


def _page_links(
    dataset: Dataset, urls: Urls, prefixes: Mapping[str, str], pages: list[tuple[SitePage, str]]
) -> tuple[tuple[str, str], ...]:
    """The `Link` (prev/next) of every class page, as the live route sends it, with a
    placeholder for the page's language (nginx chooses it per request)."""
    found = []
    for page, path in pages:
        key, _, number = page.name.removeprefix("class/").rpartition("/")
        if not page.name.startswith("class/") or not number.isdigit():
            continue
        links = class_page_links(dataset, urls, prefixes, key, int(number), LANG_PLACEHOLDER)
        if links:
            found.append((path, link_header((urls.absolute(h), rel, None) for h, rel in links)))
    return tuple(found)


def static_health(dataset: Dataset, sparql_endpoint: str | None) -> bytes:
    """What /health says of a static site: the version and size it holds, always the same bytes
    for the same data (the live server's body carries its background checks; a site of files
    has none: nginx serving it is its health)."""
    body = {
        "status": "ok",
        "version": dataset.version,
        "triples": dataset.triple_count,
        "store": {"status": "static", "reason": "a static export: files served by nginx"},
        "sparql": {"status": "elsewhere", "endpoint": sparql_endpoint}
        if sparql_endpoint
        else {"status": "none"},
        "dumps": "ready",
    }
    return json.dumps(body, ensure_ascii=False).encode()


def _site_items(
    get: InProcessClient, pages: tuple[tuple[str, str], ...], languages: tuple[str, ...]
) -> list[Item]:
    """Pages, discovery and the dumps listing; the sitemap's parts when it is an index."""
    items = [
        *page_items(dict(pages), languages),
        Item("/context.jsonld", JSONLD.media_type, "context.jsonld"),
        *description_items("void", DOCUMENT_FORMATS, languages),
        *description_items("validation", DOCUMENT_FORMATS, languages, optional=True),
        Item("/robots.txt", "text/plain", "robots.txt", "files"),
        Item("/sitemap.xml", "application/xml", "sitemap.xml", "files"),
        *listing_items(LISTING_FORMATS, languages),
    ]
    index = get("/sitemap.xml", "application/xml")
    if b"<sitemapindex" in index.body:
        number = 1
        while get(f"/sitemap-{number}.xml", "application/xml").status == 200:
            name = f"sitemap-{number}.xml"
            items.append(Item(f"/{name}", "application/xml", name, "files"))
            number += 1
    return items


def _sparql_page(urls: Urls, lang: str, endpoint: str | None) -> bytes:
    """/sparql of the static mirror: no endpoint here, the dumps (and the live one, if any)."""
    words = interface_language(lang)  # a page in French has the interface's English words
    page = Page(lang=lang, path="/sparql", title=Text(ui("static_sparql_title", lang), words))
    html = render_page("static_sparql.html", urls, page, endpoint=endpoint)
    return html.encode()


def check_live_url(what: str, url: str | None) -> None:
    """A live search page or fragments interface must be an absolute http(s) URL: it is
    written as a link."""
    if url is None:
        return
    split = urlsplit(url)
    if split.scheme not in {"http", "https"} or not split.netloc:
        example = "search" if "search" in what else FRAGMENTS_PATH
        raise ExportError(
            f"the live {what} {url!r} is not an absolute http(s) URL "
            f"(e.g. https://data.example.org/{example})"
        )


def static_search_page(urls: Urls, lang: str, live_search: str | None, site: Site) -> bytes:
    """/search of the static mirror, whatever its query: no search here, the live site's (if
    given), and the pages that lead to things (the navigation, but /sparql: no query either).
    search.js asks /search?format=json too, gets this HTML and shows no suggestions."""
    words = interface_language(lang)
    page = Page(lang=lang, path=SEARCH_PATH, title=Text(ui("static_search_title", lang), words))
    html = render_page(
        "static_search.html", urls, page, indexable=False, site=site, live_search=live_search
    )
    return html.encode()


def static_fragments_page(urls: Urls, lang: str, live: str | None, site: Site) -> bytes:
    """/fragments of the static mirror, whatever its query: the VoID, the service description
    and the home page's Link advertise it, and a copy of files cannot select triples. It says
    so, links the dumps (and the live interface, if given)."""
    words = interface_language(lang)
    title = Text(ui("static_fragments_title", lang), words)
    page = Page(lang=lang, path="/" + FRAGMENTS_PATH, title=title)
    html = render_page(
        "static_fragments.html", urls, page, indexable=False, site=site, live_fragments=live
    )
    return html.encode()
