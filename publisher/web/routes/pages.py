"""HTML-only pages (the list of objectives) and the helper the home page shares with it.

Pages are rendered once per (page, language, dataset version) into the same cache as the
resource documents, then served with ETags, `Content-Language` and `Vary: Accept-Language`.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from publisher.documents.cache import html_key
from publisher.formats import HTML
from publisher.pages.render import render_objectives_page
from publisher.web import http
from publisher.web.errors import page_language
from publisher.web.routes.resources import representations

router = APIRouter(tags=["pages"])


async def html_page(request: Request, name: str, render: Callable[[str], str]) -> Response:
    """The cached page `name` in the request's language (`?lang=`, then Accept-Language)."""
    reps = representations(request)
    lang = page_language(request)
    rendered = reps.cached(html_key(("page", name), lang)) or await run_in_threadpool(
        reps.html, ("page", name), lang, lambda: render(lang)
    )
    return http.represent(
        request,
        rendered,
        HTML.content_type,
        last_modified=reps.dataset.modified,
        max_age=request.app.state.settings.cache_max_age,
        vary=("Accept-Language",),
        headers={"Content-Language": lang},
    )


@router.api_route("/objectives", methods=["GET", "HEAD"], include_in_schema=False)
async def objectives(request: Request) -> Response:
    """The 23 objectives of the Global Compact, in order."""
    state = request.app.state
    return await html_page(
        request, "objectives", lambda lang: render_objectives_page(state.dataset, state.urls, lang)
    )
