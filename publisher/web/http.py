"""One way to answer: `represent` a cached body, `redirect`, `preflight`, or `problem`.

Every answer takes the headers of its URL family from publisher.headers (the table the nginx
export reads too); the routes only add what is theirs (Link, Content-Location). HEAD gets the
headers of the GET, Content-Length included, and no body, here and only here (`headless`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from publisher.documents.cache import Rendered, Representations
from publisher.formats import DOCUMENT_FORMATS, HTML
from publisher.headers import ERRORS, Family
from publisher.negotiation import negotiate
from publisher.pages import render as pages
from publisher.web.compression import accepts_gzip
from publisher.web.errors import STATUS, describe, status_of
from publisher.web.slashes import SLASH_REDIRECT, slash_twin
from publisher.web.state import state_of

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
NEGOTIATED_ERRORS = frozenset({404, 406})
"""Errors whose answer depends on Accept (the HTML 404 page, the 406's list): `Vary: Accept`."""


@lru_cache(maxsize=16)
def http_date(moment: datetime) -> str:
    """`Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 §5.6.7 IMF-fixdate)."""
    return format_datetime(moment.replace(microsecond=0), usegmt=True)


def text_content_type(media_type: str) -> str:
    """What Starlette sends for a media type: a charset for `text/*` only."""
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


def opaque_tag(tag: str) -> str:
    """An entity tag without its weakness mark, for the weak comparison If-None-Match uses."""
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


async def rendered_once(
    reps: Representations, key: Hashable, render: Callable[[], Rendered]
) -> Rendered:
    """The cached representation, or `render()` in the thread pool (the first request only:
    rendering blocks, serving cached bytes does not)."""
    found = reps.cached(key)
    if found is not None:
        return found
    made: Rendered = await run_in_threadpool(render)
    return made


def in_memory(body: bytes) -> Rendered:
    """A small body made per version and kept as it is: its ETag is the hash of its bytes,
    and the gzip middleware compresses it (with a weak ETag)."""
    return Rendered(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"', None, None)


def is_not_modified(headers: Headers, etags: Iterable[str], last_modified: datetime | None) -> bool:
    """RFC 9110 §13.1.2-3: If-None-Match (weak comparison) wins over If-Modified-Since."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        if if_none_match.strip() == "*":
            return True
        wanted = {opaque_tag(tag) for tag in if_none_match.split(",")}
        return any(opaque_tag(tag) in wanted for tag in etags)
    if_modified_since = headers.get("if-modified-since")
    if if_modified_since is None or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # an invalid date is ignored (RFC 9110 §13.1.3)
    if since.tzinfo is None:
        return False
    return last_modified.replace(microsecond=0) <= since


def page_language(request: Request) -> str:
    """`?lang=`, then Accept-Language, then the configured default, among the languages the
    dataset's pages are offered in (`pages.page_languages_of`)."""
    state = state_of(request)
    return _choose_language(
        request.query_params.get("lang"),
        request.headers.get("accept-language"),
        state.settings.default_language,
        pages.page_languages_of(state),
    )


@lru_cache(maxsize=1024)
def _choose_language(
    lang: str | None, accept_language: str | None, default: str, languages: tuple[str, ...]
) -> str:
    """`choose_language` once per distinct header: browsers send a handful of values."""
    chosen: str = pages.choose_language(lang, accept_language, default, languages)
    return chosen


def wants_html(request: Request) -> bool:
    """Whether the client would pick HTML among our document formats (browsers do)."""
    return negotiate(request.headers.get("accept"), DOCUMENT_FORMATS) is HTML


def headless(request: Request, response: Response) -> Response:
    """The HEAD rule: the GET's headers (Content-Length of the GET's body), no body."""
    if request.method == "HEAD":
        response.body = b""
    return response


def respond(
    request: Request,
    family: Family,
    body: bytes,
    content_type: str | None,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Any answer of `family`: its CORS headers, then `headers`; HEAD without the body."""
    response = Response(body, status, {**family.cors(), **(headers or {})}, content_type)
    return headless(request, response)


def represent(
    request: Request,
    rendered: Rendered,
    family: Family,
    content_type: str,
    *,
    negotiated: bool = False,
    lang: str | None = None,
    dated: bool = True,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A representation as a 200, a 304, or a HEAD answer, with every header its family has.

    `negotiated`: chosen by Accept (the family's Vary, `Content-Location` from the route);
    `lang`: a page language (`Content-Language`, Vary: Accept-Language); `dated`: the dataset's
    modification time is its Last-Modified. The gzip twin is chosen from `Accept-Encoding` and
    has its own ETag; a validator of either twin answers 304, both carrying the same content.
    """
    state = state_of(request)
    use_gzip = rendered.gzip_body is not None and accepts_gzip(
        request.headers.get("accept-encoding")
    )
    body = rendered.gzip_body if use_gzip and rendered.gzip_body is not None else rendered.body
    etags = (rendered.etag,) if rendered.gzip_etag is None else (rendered.etag, rendered.gzip_etag)
    modified = state.dataset.modified if dated else None
    etag = rendered.gzip_etag if use_gzip and rendered.gzip_etag else rendered.etag
    out = {**family.cors(), "ETag": etag}
    if modified is not None:
        out["Last-Modified"] = http_date(modified)
    cache = family.cache_control(state.settings.cache_max_age)
    if cache is not None:
        out["Cache-Control"] = cache
    out.update(headers or {})
    vary = family.vary if negotiated else ()
    if lang is not None:
        out["Content-Language"] = lang
        vary = (*vary, "Accept-Language")
    if rendered.gzip_body is not None:
        vary = (*vary, "Accept-Encoding")
    if vary:
        out["Vary"] = ", ".join(vary)
    if is_not_modified(request.headers, etags, modified):
        return Response(status_code=304, headers=out)
    out["Content-Type"] = content_type
    if use_gzip:
        out["Content-Encoding"] = "gzip"
    return headless(request, Response(body, headers=out))


def redirect(
    request: Request,
    location: str,
    family: Family,
    *,
    status: int = 303,
    links: str | None = None,
) -> Response:
    """A redirect of `family` (the 303 from a thing to its document, a dump alias's 302)."""
    headers = {**family.cors(), "Location": location}
    if family.vary:
        headers["Vary"] = ", ".join(family.vary)
    if links:
        headers["Link"] = links
    cache = family.cache_control(state_of(request).settings.cache_max_age)
    if cache is not None:
        headers["Cache-Control"] = cache
    return Response(status_code=status, headers=headers)


def preflight(request: Request, family: Family) -> Response:
    """204 to an OPTIONS request: browsers send one before a GET with a long Accept header
    (and before a Range request, or a POST of a query)."""
    if family.preflight is None:
        raise HTTPException(405, headers={"Allow": "GET, HEAD"})
    asked = request.headers.get("access-control-request-headers")
    return Response(status_code=204, headers=family.preflight.headers(asked))


def problem(request: Request, error: BaseException, family: Family = ERRORS) -> Response:
    """An RFC 9457 problem document for `error`, with the status the one map gives it."""
    said = describe(error, request.method, request.headers.get("accept"), state_of(request).urls)
    headers = dict(said.headers)
    if said.status in NEGOTIATED_ERRORS:
        headers["Vary"] = "Accept"
    body = json.dumps(said.body(request.url.path), ensure_ascii=False, indent=2).encode()
    return respond(request, family, body, PROBLEM_JSON, status=said.status, headers=headers)


def not_found_page(request: Request) -> Response:
    """The 404 a browser gets: a page in its language."""
    lang = page_language(request)
    state = state_of(request)
    page = pages.render_not_found_page(state.urls, request.url.path, lang)
    headers = {"Vary": "Accept, Accept-Language", "Content-Language": lang}
    return respond(request, ERRORS, page.encode(), HTML.content_type, status=404, headers=headers)


async def answer_error(request: Request, error: Exception) -> Response:
    """The one exception handler: a browser's 404 is a page, everything else a problem.
    A path that names nothing but would with(out) its trailing slash is redirected there, on
    the configured origin (publisher.web.slashes)."""
    status = status_of(error)
    where = f"{request.method} {request.url.path}"
    if isinstance(error, ClientDisconnect):
        # Nobody is left to answer: one line, not a traceback (the server's limits close slow
        # clients this way too).
        log.info("%s: the client disconnected before sending the whole request", where)
    elif status == 404 and isinstance(error, HTTPException):
        twin = slash_twin(request)
        if twin is not None:
            location = state_of(request).urls.absolute(twin)
            return Response(status_code=SLASH_REDIRECT, headers={"Location": location})
    if status == 500:
        log.error("unhandled error on %s", where, exc_info=error)
    elif status == 502:
        log.error("%s: %s", where, error)
    elif status > 500:
        log.warning("%s: %s", where, error)
    if status == 404 and wants_html(request):
        return not_found_page(request)
    return problem(request, error)


def register_error_handlers(app: FastAPI) -> None:
    """Install the handler for every mapped error, and for bugs; call once from `create_app`.
    (Starlette answers a bare `Exception` and then re-raises it, so known errors need their
    own entries.)"""
    for error in (HTTPException, *STATUS):
        app.add_exception_handler(
            error,  # type: ignore[arg-type]  # STATUS keys are Exceptions
            answer_error,
        )
    app.add_exception_handler(Exception, answer_error)
