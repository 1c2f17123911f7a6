"""/reconcile: the W3C Entity Reconciliation API 0.2 (publisher.search.reconciliation).

GET without `queries`: the service manifest. GET or POST with `queries` (a query parameter or
an `application/x-www-form-urlencoded` body, as OpenRefine sends it), or POST of the batch
itself as `application/json`: the candidates. GET /reconcile/preview?id=IRI: a small HTML card
that OpenRefine shows in a frame (so that page alone may be framed by any site; it runs no
script). Unreadable input is a 400 problem document; JSONP (`callback`) is not offered: the
answers carry CORS headers.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response

from publisher.documents.locate import catalog_of
from publisher.formats import HTML
from publisher.headers import SPARQL
from publisher.search.engine import BadSearch
from publisher.search.reconciliation import (
    PREVIEW_PATH,
    RECONCILE_PATH,
    manifest,
    parse_batch,
    preview_card,
    reconcile,
)
from publisher.web.http import page_language, preflight, respond
from publisher.web.state import state_of

router = APIRouter(tags=["reconciliation"])

FAMILY = SPARQL
"""A query service read from other sites' pages (OpenRefine in a browser): CORS with a POST
preflight, answers revalidated, as the SPARQL endpoint's."""
MAX_BODY = 1_000_000
PREVIEW_POLICY = "; ".join(
    (
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors *",
    )
)
"""The preview card is framed by the reconciling tool (another origin); it has no script."""
JSON_TYPE = "application/json"


def _json(request: Request, value: object) -> Response:
    body = json.dumps(value, ensure_ascii=False).encode()
    return respond(request, FAMILY, body, JSON_TYPE, headers={"Cache-Control": "no-cache"})


async def _batch_text(request: Request) -> str | None:
    """The `queries` JSON of the request, or None (then the manifest is asked for)."""
    if "callback" in request.query_params:
        raise HTTPException(400, "JSONP is not offered: this service sends CORS headers.")
    given = request.query_params.getlist("queries")
    if request.method == "POST":
        body = await request.body()
        if len(body) > MAX_BODY:
            raise HTTPException(413, f"A batch is at most {MAX_BODY} bytes.")
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        text = body.decode("utf-8", errors="replace")
        if media == JSON_TYPE:
            given.append(text)
        elif media in ("application/x-www-form-urlencoded", ""):
            given += parse_qs(text).get("queries", [])
        else:
            raise HTTPException(415, "Send the batch as a form field 'queries' or as JSON.")
    if len(given) > 1:
        raise HTTPException(400, "The parameter 'queries' may be given once.")
    return given[0] if given else None


@router.api_route(RECONCILE_PATH, methods=["GET", "HEAD", "POST"], summary="Reconcile names")
async def reconcile_service(request: Request) -> Response:
    """The service manifest, or the candidates of a batch of queries."""
    text = await _batch_text(request)
    state = state_of(request)
    catalog, urls, lang = catalog_of(state.dataset), state.urls, page_language(request)
    if text is None:
        name = state.published.profile(state.dataset, urls).name_in(lang)
        return _json(request, manifest(name, catalog, urls, lang))
    try:
        queries = parse_batch(json.loads(text))
    except json.JSONDecodeError as error:
        raise HTTPException(400, f"queries is not JSON ({error.msg}).") from None
    except BadSearch as error:
        raise HTTPException(400, str(error)) from None
    try:  # the index is read on a worker thread: the event loop keeps serving
        answer = await run_in_threadpool(reconcile, catalog, urls, queries, lang)
    except BadSearch as error:
        raise HTTPException(400, str(error)) from None
    return _json(request, answer)


@router.options(RECONCILE_PATH, include_in_schema=False)
def reconcile_preflight(request: Request) -> Response:
    return preflight(request, FAMILY)


@router.api_route(PREVIEW_PATH, methods=["GET", "HEAD"], summary="Preview a candidate")
def reconcile_preview(request: Request) -> Response:
    """A small HTML card of one candidate (`id`: its IRI)."""
    ids = request.query_params.getlist("id")
    if len(ids) != 1 or not ids[0]:
        raise HTTPException(400, "Give one id (the candidate's IRI).")
    state = state_of(request)
    catalog, urls = catalog_of(state.dataset), state.urls
    card = preview_card(catalog, urls, urls.canonical(ids[0]), page_language(request))
    if card is None:
        raise HTTPException(404, "No resource of this dataset has that IRI.")
    headers = {"Content-Security-Policy": PREVIEW_POLICY, "Cache-Control": "no-cache"}
    return respond(request, FAMILY, card.encode(), HTML.content_type, headers=headers)
