"""Errors as HTTP, in one place: a status, and a body in a form the client asked for.

A browser (whose Accept prefers HTML) gets an HTML page; every other client — RDF libraries,
crawlers, scripts, `fetch` — gets `application/problem+json` (RFC 9457). Bad input is never a
500: unknown IRIs are 404, unservable Accept headers 406, wrong methods 405.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from http import HTTPStatus

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from publisher.documents.describe import ResourceNotFound
from publisher.errors import StoreError, StoreUnavailable
from publisher.formats import DOCUMENT_FORMATS, HTML, Format
from publisher.negotiation import negotiate
from publisher.pages import render as pages
from publisher.web.http import CORS, link_header, problem

log = logging.getLogger(__name__)


class NotAcceptable(Exception):
    """Nothing the resource is available in matches the request's Accept header."""

    def __init__(self, alternates: tuple[tuple[Format, str], ...]) -> None:
        super().__init__("no acceptable representation")
        self.alternates = alternates


def wants_html(request: Request) -> bool:
    """Whether the client would pick HTML among our document formats (browsers do)."""
    return negotiate(request.headers.get("accept"), DOCUMENT_FORMATS) is HTML


def page_language(request: Request) -> str:
    """`?lang=`, then Accept-Language, then the configured default."""
    return _choose_language(
        request.query_params.get("lang"),
        request.headers.get("accept-language"),
        request.app.state.settings.default_language,
    )


@lru_cache(maxsize=1024)
def _choose_language(lang: str | None, accept_language: str | None, default: str) -> str:
    """`choose_language` once per distinct header: browsers send a handful of values."""
    chosen: str = pages.choose_language(lang, accept_language, default)
    return chosen


def not_found(request: Request, detail: str) -> Response:
    """The negotiated 404: an HTML page for browsers, a problem document for everyone else."""
    path = request.url.path
    if wants_html(request):
        lang = page_language(request)
        page = pages.render_not_found_page(request.app.state.urls, path, lang)
        headers = {**CORS, "Vary": "Accept, Accept-Language", "Content-Language": lang}
        response = Response(page, 404, headers=headers, media_type="text/html")
    else:
        response = problem(404, "Not Found", detail, path, headers={"Vary": "Accept"})
    return _headless(request, response)


async def resource_not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ResourceNotFound)
    iri = request.app.state.urls.public(exc.iri)
    return not_found(request, f"<{iri}> is not a resource of this dataset.")


async def not_acceptable(request: Request, exc: Exception) -> Response:
    """406 listing every format the resource has, with the URL of each."""
    assert isinstance(exc, NotAcceptable)
    offered = ", ".join(f"{fmt.media_type} ({url})" for fmt, url in exc.alternates)
    response = problem(
        406,
        "Not Acceptable",
        f"Nothing in the Accept header ({request.headers.get('accept', '')!r}) can be served. "
        f"Ask for one of: {offered}; or fetch one of those URLs directly.",
        request.url.path,
        headers={
            "Vary": "Accept",
            "Link": link_header((url, "alternate", fmt.media_type) for fmt, url in exc.alternates),
        },
        alternates=[{"type": fmt.media_type, "href": url} for fmt, url in exc.alternates],
    )
    return _headless(request, response)


async def http_error(request: Request, exc: Exception) -> Response:
    """Framework errors (unrouted paths, wrong methods) in the same negotiated shapes."""
    assert isinstance(exc, StarletteHTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404:
        detail = exc.detail if exc.detail != phrase else "Nothing is published at this address."
        return not_found(request, detail)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        allowed = _method_order(headers.get("Allow", "GET, HEAD"))
        headers["Allow"] = allowed
        detail = f"{request.method} is not allowed here; the methods allowed are {allowed}."
    else:
        detail = str(exc.detail)
    response = problem(exc.status_code, phrase, detail, request.url.path, headers=headers)
    return _headless(request, response)


async def server_error(request: Request, exc: Exception) -> Response:
    """A bug: logged with its traceback, answered without one."""
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        500,
        "Internal Server Error",
        "The server failed to answer this request. This is a bug in the publisher; "
        "please report it with the URL and the time.",
        request.url.path,
    )


async def store_unavailable(request: Request, exc: Exception) -> Response:
    """The remote SPARQL server is down or too slow: 503, and when to try again. The next
    request asks it again; nothing stays broken once it is back."""
    assert isinstance(exc, StoreUnavailable)
    log.warning("%s %s: %s", request.method, request.url.path, exc)
    response = problem(
        503,
        "Service Unavailable",
        "The data store behind this server (a SPARQL server) is not answering at the moment: "
        f"{exc.reason}. Nothing is wrong with the request; retry in {exc.retry_after} s.",
        request.url.path,
        headers={"Retry-After": str(exc.retry_after)},
    )
    return _headless(request, response)


async def store_error(request: Request, exc: Exception) -> Response:
    """The remote SPARQL server answered the publisher's own query with an error."""
    assert isinstance(exc, StoreError)
    log.error("%s %s: %s", request.method, request.url.path, exc)
    response = problem(
        502,
        "Bad Gateway",
        f"The data store behind this server (a SPARQL server) answered with an error "
        f"({exc.status}). This is a problem of the server's set-up, not of the request.",
        request.url.path,
    )
    return _headless(request, response)


def register_error_handlers(app: FastAPI) -> None:
    """Install the handlers; call once from `create_app`."""
    app.add_exception_handler(ResourceNotFound, resource_not_found)
    app.add_exception_handler(StoreUnavailable, store_unavailable)
    app.add_exception_handler(StoreError, store_error)
    app.add_exception_handler(NotAcceptable, not_acceptable)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, server_error)


def _method_order(allow: str) -> str:
    """`GET, OPTIONS, HEAD` (a set's order, which varies by process) → `GET, HEAD, OPTIONS`."""
    usual = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    methods = {m.strip().upper() for m in allow.split(",") if m.strip()}
    return ", ".join(sorted(methods, key=lambda m: (usual.index(m) if m in usual else 99, m)))


def _headless(request: Request, response: Response) -> Response:
    """HEAD gets the headers of the GET (Content-Length included) and no body."""
    if request.method == "HEAD":
        response.body = b""
    return response
