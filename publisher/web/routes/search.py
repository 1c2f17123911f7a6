"""GET /search: the catalog's search index as a page for readers and JSON for programs.

`q` (the words), `lang` (the reader's language: labels and the page), `type` (a class IRI,
repeatable), `limit` (1–100) and `page`. The representation is chosen by `format=json|html`,
else by Accept (HTML first: a browser, or a client that says nothing, gets the page). A
parameter that cannot be read is a 400 problem document, never a 500. Answers are made per
request (a query is not cached) and carry an ETag of their bytes.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response

from publisher.documents.locate import catalog_of
from publisher.formats import HTML, Format, by_name
from publisher.headers import PAGES
from publisher.negotiation import negotiate
from publisher.search.engine import MAX_LIMIT, BadSearch, Results, search
from publisher.search.views import SEARCH_PATH, Asked, render_search_page, results_json
from publisher.web.errors import NotAcceptable
from publisher.web.http import in_memory, page_language, represent
from publisher.web.state import state_of

router = APIRouter(tags=["search"])

JSON = Format("JSON", "application/json", "json", ())
SEARCH_FORMATS = (HTML, JSON)
"""HTML first: what a browser, or a client without Accept, gets."""
MAX_PAGE = 1000


def _one(request: Request, name: str, default: str) -> str:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise HTTPException(400, f"The parameter {name!r} may be given once.")
    return values[0] if values else default


def _number(request: Request, name: str, default: int, high: int) -> int:
    text = _one(request, name, str(default)).strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= high:
        raise HTTPException(400, f"{name} must be a whole number from 1 to {high}.")
    return int(text)


def asked_of(request: Request) -> Asked:
    """The search the request asks for; HTTPException(400) for a parameter that cannot be read."""
    types = tuple(t for t in request.query_params.getlist("type") if t)
    if any(not t.isprintable() or len(t) > 2000 for t in types):
        raise HTTPException(400, "type must be a class IRI.")
    return Asked(
        query=_one(request, "q", "").strip(),
        lang=page_language(request),
        types=types,
        limit=_number(request, "limit", 20, MAX_LIMIT),
        page=_number(request, "page", 1, MAX_PAGE),
    )


def chosen_format(request: Request) -> Format:
    named = _one(request, "format", "")
    if named:
        fmt = by_name(named, SEARCH_FORMATS)
        if fmt is None:
            raise HTTPException(400, "format must be json or html.")
        return fmt
    fmt = negotiate(request.headers.get("accept"), SEARCH_FORMATS)
    if fmt is None:
        alternates = tuple((f, f"{SEARCH_PATH}?format={f.extension}") for f in SEARCH_FORMATS)
        raise NotAcceptable(alternates)
    return fmt


@router.api_route(SEARCH_PATH, methods=["GET", "HEAD"], summary="Search labels")
def search_page(request: Request) -> Response:
    """Resources whose labels or alternative labels match `q`, ranked (HTML or JSON)."""
    fmt = chosen_format(request)
    asked = asked_of(request)
    state = state_of(request)
    dataset, urls = state.dataset, state.urls
    catalog = catalog_of(dataset)
    results: Results | None = None
    try:
        if asked.query:
            results = search(
                catalog,
                asked.query,
                asked.lang,
                types=asked.types,
                limit=asked.limit,
                offset=asked.offset,
            )
    except BadSearch as error:
        raise HTTPException(400, str(error)) from None
    if fmt is JSON:
        empty = Results(asked.query, (), 0, False, asked.offset, asked.limit)
        body = json.dumps(
            results_json(catalog, urls, asked, results or empty), ensure_ascii=False, indent=1
        ).encode()
    else:
        profile = state.published.profile(dataset, urls)
        body = render_search_page(dataset, urls, profile, asked, results).encode()
    headers = {"Vary": "Accept, Accept-Language", "Content-Language": asked.lang}
    content_type = HTML.content_type if fmt is HTML else JSON.content_type
    return represent(request, in_memory(body), PAGES, content_type, headers=headers)
