"""The pages of the page table (publisher.pages.catalogue): the home page and its siblings.

Pages are rendered once per (page, language, dataset version) into the same cache as the
resource documents, then served with ETags, `Content-Language` and `Vary: Accept-Language`. A
page the dataset does not have (no concept scheme, say) is a 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from starlette.responses import Response

from publisher.discovery.dumps import DUMPS_PATH
from publisher.documents.cache import html_key
from publisher.formats import HTML
from publisher.headers import PAGES
from publisher.pages.catalogue import SitePage, routed_pages
from publisher.pages.render import render_site_page
from publisher.web.errors import NotPublished
from publisher.web.http import page_language, rendered_once, represent
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
        return represent(request, rendered, PAGES, HTML.content_type, lang=lang)

    return page


for _entry in routed_pages():
    router.add_route(_entry.path, _route(_entry), methods=["GET", "HEAD"], include_in_schema=False)
