"""HTTP header helpers: caching validators, conditional GET, CORS, Link, gzip, problem+json.

Everything a representation route sends besides its bytes is decided here, so the routes stay a
few lines and every document, redirect and error carries the same headers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from typing import Any

from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from publisher.documents.cache import Rendered

PROBLEM_JSON = "application/problem+json"
EXPOSED_HEADERS = "Link, ETag, Content-Location, Location, Vary"
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": EXPOSED_HEADERS}
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
PREFLIGHT = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": ALLOWED_METHODS,
    # Accept is the reason for the preflight (a value over 128 bytes is not CORS-safelisted).
    "Access-Control-Allow-Headers": "Accept, Accept-Language, If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
    "Allow": ALLOWED_METHODS,
}


@lru_cache(maxsize=16)
def http_date(moment: datetime) -> str:
    """`Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 §5.6.7 IMF-fixdate)."""
    return format_datetime(moment.replace(microsecond=0), usegmt=True)


def cache_control(max_age: int) -> str:
    return f"public, max-age={max_age}"


@lru_cache(maxsize=256)
def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether `Accept-Encoding` allows gzip: listed (or `*`) with a q above zero."""
    if not accept_encoding:
        return False
    qualities: dict[str, float] = {}
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.partition(";")
        q = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
        qualities[coding.strip()] = q
    q = qualities.get("gzip", qualities.get("x-gzip", qualities.get("*", 0.0)))
    return q > 0


def _opaque(tag: str) -> str:
    """An entity tag without its weakness mark, for the weak comparison If-None-Match uses."""
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def is_not_modified(headers: Headers, etags: Iterable[str], last_modified: datetime) -> bool:
    """RFC 9110 §13.1.2-3: If-None-Match (weak comparison) wins over If-Modified-Since."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        if if_none_match.strip() == "*":
            return True
        wanted = {_opaque(tag) for tag in if_none_match.split(",")}
        return any(_opaque(tag) in wanted for tag in etags)
    if_modified_since = headers.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # an invalid date is ignored (RFC 9110 §13.1.3)
    if since.tzinfo is None:
        return False
    return last_modified.replace(microsecond=0) <= since


def link_header(links: Iterable[tuple[str, str, str | None]]) -> str:
    """`<url>; rel="…"; type="…"` entries (RFC 8288) from (url, rel, media type) triples."""
    return ", ".join(
        f'<{url}>; rel="{rel}"' + (f'; type="{media_type}"' if media_type else "")
        for url, rel, media_type in links
    )


def represent(
    request: Request,
    rendered: Rendered,
    content_type: str,
    *,
    last_modified: datetime,
    max_age: int,
    vary: tuple[str, ...] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A cached representation as a 200, a 304, or a HEAD answer, with every header it needs.

    The gzip twin is chosen from `Accept-Encoding` and has its own ETag; a validator of either
    twin answers 304, since both carry the same content.
    """
    use_gzip = rendered.gzip_body is not None and accepts_gzip(
        request.headers.get("accept-encoding")
    )
    body = rendered.gzip_body if use_gzip and rendered.gzip_body is not None else rendered.body
    etags = (rendered.etag,) if rendered.gzip_etag is None else (rendered.etag, rendered.gzip_etag)
    out = {
        **CORS,
        "ETag": rendered.gzip_etag if use_gzip and rendered.gzip_etag else rendered.etag,
        "Last-Modified": http_date(last_modified),
        "Cache-Control": cache_control(max_age),
        **(headers or {}),
    }
    if rendered.gzip_body is not None:
        vary = (*vary, "Accept-Encoding")
    if vary:
        out["Vary"] = ", ".join(vary)
    if is_not_modified(request.headers, etags, last_modified):
        return Response(status_code=304, headers=out)
    out["Content-Type"] = content_type
    if use_gzip:
        out["Content-Encoding"] = "gzip"
    if request.method == "HEAD":
        out["Content-Length"] = str(len(body))
        return Response(headers=out)
    return Response(body, headers=out)


def see_other(location: str, *, max_age: int, vary: str, links: str) -> Response:
    """The 303 from a thing to its document: cacheable, CORS-readable, self-describing."""
    headers = {
        **CORS,
        "Location": location,
        "Vary": vary,
        "Link": links,
        "Cache-Control": cache_control(max_age),
    }
    return Response(status_code=303, headers=headers)


def preflight() -> Response:
    """204 to an OPTIONS request: browsers send one before a GET with a long Accept header."""
    return Response(status_code=204, headers=PREFLIGHT)


def problem(
    status: int,
    title: str,
    detail: str,
    instance: str,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    """An RFC 9457 problem document (`type` defaults to about:blank: the status says it all)."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body["instance"] = instance
    body.update(extra)
    return Response(
        json.dumps(body, ensure_ascii=False, indent=2).encode(),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers={**CORS, **(headers or {})},
    )


class EtagSafeGZipMiddleware:
    """Starlette's GZipMiddleware, but a compressed body never keeps a strong ETag.

    A strong ETag promises byte-identical bodies (RFC 9110 §8.8.1), and gzip changes the bytes,
    so the middleware's output gets a weak ETag (what nginx does). Paths listed in `skip` bypass
    the middleware: their routes compress cached bytes themselves, with a `-gzip` strong ETag.
    """

    def __init__(self, app: ASGIApp, skip: tuple[str, ...] = (), minimum_size: int = 500) -> None:
        self.app = app
        self.skip = skip
        self.gzip = GZipMiddleware(self._mark_pre_encoded, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.skip):
            await self.app(scope, receive, send)
            return

        async def weaken(message: Message) -> None:
            if message["type"] == "http.response.start" and not scope.get("publisher.encoded"):
                headers = dict(message.get("headers", []))
                etag = headers.get(b"etag", b"")
                if b"content-encoding" in headers and etag.startswith(b'"'):
                    message["headers"] = [
                        (k, b"W/" + v if k == b"etag" else v) for k, v in message["headers"]
                    ]
                message["headers"] = _vary_on_encoding(list(message.get("headers", [])))
            await send(message)

        await self.gzip(scope, receive, weaken)

    async def _mark_pre_encoded(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def mark(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                scope["publisher.encoded"] = b"content-encoding" in names
            await send(message)

        await self.app(scope, receive, mark)


def _vary_on_encoding(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Every answer of a path the middleware may compress varies on Accept-Encoding, small
    bodies and HEAD included (Starlette only says so when it compresses), without duplicates."""
    values = [v for k, v in headers if k.lower() == b"vary"]
    tokens = [t.strip() for v in values for t in v.decode("latin-1").split(",") if t.strip()]
    if "accept-encoding" not in {t.lower() for t in tokens}:
        tokens.append("Accept-Encoding")
    unique = list(dict.fromkeys(tokens))
    return [(k, v) for k, v in headers if k.lower() != b"vary"] + [
        (b"vary", ", ".join(unique).encode("latin-1"))
    ]
