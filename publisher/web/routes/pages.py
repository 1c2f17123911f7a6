"""The pages of the page table (publisher.pages.catalogue): the home page and its siblings.

Pages are rendered once per (page, language, dataset version) into the same cache as the
resource documents, then served with ETags, `Content-Language` and `Vary: Accept-Language`. A
page the dataset does not have (no concept scheme, say) is a 404.

Class pages (`/classes/{key}`, `/classes/{key}/{n}`: publisher.pages.classes) are cached the
same way, per (class, page, language); an unknown class or a page past the end is a 404 that
says so, and each page names its neighbours in a `Link` header as in its `<link>`s.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from starlette.responses import Response

from publisher.discovery.dumps import DUMPS_PATH
from publisher.documents.cache import html_key
from publisher.formats import HTML
from publisher.headers import PAGES, link_header
from publisher.pages.catalogue import SitePage, routed_pages
from publisher.pages.classes import NoSuchClassPage, class_page_links, class_path
from publisher.pages.render import render_site_page
from publisher.web.errors import NotPublished
from publisher.web.http import page_language, redirect, rendered_once, represent
from publisher.web.routes.fragments import fragments_link
from publisher.web.state import AppState, state_of

router = APIRouter(tags=["pages"])


def _render(state: AppState, entry: SitePage, lang: str) -> str:
    dataset, urls, published = state.dataset, state.urls, state.published
    written = state.dump_status().dumps  # never waits for the dumps being written
    dumps = [
        {"name": f.kind.label, "url": f"/{DUMPS_PATH}{f.name}", "media_type": f.media_type}
        for f in (written.files if written is not None else ())
    ]
    profile = published.profile(dataset, urls)
    return render_site_page(entry.name, dataset, urls, lang, profile, dumps)


def _route(entry: SitePage) -> Callable[[Request], Awaitable[Response]]:
    async def page(request: Request) -> Response:
        """The cached page in the request's language (`?lang=`, then Accept-Language)."""
        state = state_of(request)
        if entry.locate(state.dataset, state.urls) is None:
            raise NotPublished(f"This dataset has no {entry.name} page.")
        reps = state.representations()
        lang = page_language(request)
        key = ("page", entry.name)
        rendered = await rendered_once(
            reps,
            html_key(key, lang),
            lambda: reps.html(key, lang, lambda: _render(state, entry, lang)),
        )
        # The home page names the Triple Pattern Fragments interface, as clients look for it.
        links = {"Link": fragments_link(state.urls)} if entry.name == "index" else None
        return represent(request, rendered, PAGES, HTML.content_type, lang=lang, headers=links)

    return page


for _entry in routed_pages():
    router.add_route(_entry.path, _route(_entry), methods=["GET", "HEAD"], include_in_schema=False)


def _render_class(state: AppState, key: str, number: int, lang: str) -> str:
    profile = state.published.profile(state.dataset, state.urls)
    try:
        return render_site_page(
            "class", state.dataset, state.urls, lang, profile, key=key, number=number
        )
    except NoSuchClassPage as error:
        raise NotPublished(str(error)) from None


async def _class_page(request: Request, key: str, number: str) -> Response:
    """Page `number` of a class's instances in the request's language; `/classes/{key}/1`
    (or `/02`) is a 301 to the page's one URL."""
    state = state_of(request)
    if not (number.isascii() and number.isdigit()):
        raise NotPublished(f"{number!r} is not a page number.")
    n = int(number)
    if request.url.path != class_path(key, n) and n >= 1:
        query = f"?{request.url.query}" if request.url.query else ""
        location = state.urls.absolute(class_path(key, n)) + query
        return redirect(request, location, PAGES, status=301)
    reps = state.representations()
    lang = page_language(request)
    page_key = ("page", "class", key, str(n))
    rendered = await rendered_once(
        reps,
        html_key(page_key, lang),
        lambda: reps.html(page_key, lang, lambda: _render_class(state, key, n, lang)),
    )
    profile = state.published.profile(state.dataset, state.urls)
    links = class_page_links(state.dataset, state.urls, profile.prefixes, key, n, lang)
    headers = {"Link": link_header((state.urls.absolute(h), rel, None) for h, rel in links)}
    return represent(
        request, rendered, PAGES, HTML.content_type, lang=lang, headers=headers if links else None
    )


@router.api_route("/classes/{key}", methods=["GET", "HEAD"], include_in_schema=False)
async def class_first_page(request: Request, key: str) -> Response:
    return await _class_page(request, key, "1")


@router.api_route("/classes/{key}/{number}", methods=["GET", "HEAD"], include_in_schema=False)
async def class_later_page(request: Request, key: str, number: str) -> Response:
    return await _class_page(request, key, number)
