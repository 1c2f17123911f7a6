"""/dumps/: the dataset's dump files, streamed from disk with Range, ETag and SHA256SUMS.

A `.gz` dump is served as what it is, `Content-Type: application/gzip` (RFC 6713) with no
`Content-Encoding`: with `Content-Encoding: gzip` browsers, `requests` and `curl --compressed`
would unpack it on the fly, so the saved file would no longer match its name, its
`Content-Length`, its byte ranges or its line in SHA256SUMS.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from datetime import datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.responses import MalformedRangeHeader, RangeNotSatisfiable

from publisher.dataset import Dataset
from publisher.discovery.dumps import CHECKSUMS_NAME, DUMP_KINDS, DumpFile, Dumps, dump_stem
from publisher.discovery.void import VOID_PATH, Published, dataset_iri, dump_url
from publisher.formats import HTML, Format
from publisher.negotiation import negotiate
from publisher.urls import Urls
from publisher.web.errors import NotAcceptable
from publisher.web.http import http_date, is_not_modified
from publisher.web.templating import templates

router = APIRouter()

IMMUTABLE = "public, max-age=31536000, immutable"
ALIAS_CACHE = "public, max-age=60"
JSON = Format("JSON", "application/json", "json")
TEXT = Format("text", "text/plain", "txt")
LISTING_FORMATS: tuple[Format, ...] = (JSON, HTML, TEXT)  # curl (*/*) gets JSON
CORS: dict[str, str] = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Accept-Ranges, Content-Length, Content-Range, "
    "Content-Disposition, ETag, Last-Modified, Link, Location, Repr-Digest",
}
PREFLIGHT: dict[str, str] = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Range, If-Range, If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}


def published(request: Request) -> Published:
    return request.app.state.published  # type: ignore[no-any-return]


def current_dumps(request: Request) -> Dumps:
    """The dumps of the served dataset, written on the first call (for the home page too)."""
    state = request.app.state
    return published(request).dumps(state.dataset, state.urls)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def cached_response(
    request: Request,
    body: bytes,
    media_type: str,
    *,
    last_modified: datetime,
    max_age: int,
    vary: bool = False,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A small representation kept in memory: strong ETag from its bytes, 304 when unchanged."""
    etag = etag_of(body)
    common = {
        **CORS,
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        "Cache-Control": f"public, max-age={max_age}",
        **({"Vary": "Accept"} if vary else {}),
        **(headers or {}),
    }
    if is_not_modified(request.headers, (etag,), last_modified):
        return Response(status_code=304, headers=common)
    return Response(body, media_type=media_type, headers=common)


def not_acceptable(offered: tuple[Format, ...], url: str) -> NotAcceptable:
    """The project's 406 (publisher.web.errors), listing what this resource comes as."""
    return NotAcceptable(tuple((fmt, url) for fmt in offered))


class _DumpResponse(FileResponse):
    """Starlette's FileResponse (Range, If-Range, multipart ranges, HEAD), except that a Range
    header in another unit or with an invalid range is ignored and the whole file sent, as RFC
    9110 §14.2 asks, instead of answering 400."""

    @classmethod
    def _parse_range_header(cls, http_range: str, file_size: int) -> list[tuple[int, int]]:
        if http_range.partition("=")[0].strip().lower() != "bytes":
            return []
        try:
            return super()._parse_range_header(http_range, file_size)
        except MalformedRangeHeader:
            return []


def _unsatisfiable(request: Request, size: int, etag: str) -> Response | None:
    """416 with a message a person can act on, for a Range that starts past the end."""
    header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if not header or (if_range is not None and if_range != etag):
        return None  # no range, or a stale If-Range: the whole file is sent
    try:
        _DumpResponse._parse_range_header(header, size)
    except RangeNotSatisfiable:
        return PlainTextResponse(
            f"The range {header!r} starts beyond the end of this {size}-byte file.",
            status_code=416,
            headers={**CORS, "Content-Range": f"bytes */{size}"},
        )
    return None


def _file_response(
    request: Request, dumps: Dumps, name: str, sha256: str, media_type: str, cache: str
) -> Response:
    dataset: Dataset = request.app.state.dataset
    urls: Urls = request.app.state.urls
    path = dumps.path(name)
    etag = f'"{sha256}"'
    digest = base64.b64encode(bytes.fromhex(sha256)).decode()
    headers = {
        **CORS,
        "ETag": etag,
        "Last-Modified": http_date(dataset.modified),
        "Cache-Control": cache,
        "Repr-Digest": f"sha-256=:{digest}:",
        "Link": f'<{urls.absolute(VOID_PATH)}>; rel="describedby"; type="text/turtle"',
    }
    if is_not_modified(request.headers, (etag,), dataset.modified):
        return Response(status_code=304, headers=headers)
    problem = _unsatisfiable(request, path.stat().st_size, etag)
    if problem is not None:
        return problem
    return _DumpResponse(path, media_type=media_type, headers=headers, filename=name)


def _not_found(request: Request, dumps: Dumps, name: str) -> HTTPException:
    """Say why: an older version's file, or a name that never existed."""
    base_iri = request.app.state.dataset.base_iri
    older = re.fullmatch(rf"{re.escape(dump_stem(base_iri))}-([0-9a-f]+)\.(.+)", name)
    index = dump_url(request.app.state.urls)
    if older and older.group(1) != dumps.version:
        message = (
            f"{name} belongs to dataset version {older.group(1)}; this server publishes "
            f"version {dumps.version}. The current files are listed at {index}"
        )
    else:
        message = f"There is no dump called {name!r}. The dumps are listed at {index}"
    return HTTPException(404, detail=message)


@router.api_route("/dumps/{name}", methods=["GET", "HEAD"], include_in_schema=False)
def dump_file(name: str, request: Request) -> Response:
    """A dump (immutable), SHA256SUMS (changes with the version), or a `latest.*` alias."""
    dumps = current_dumps(request)
    if name == CHECKSUMS_NAME:
        sha = hashlib.sha256(dumps.checksums.encode()).hexdigest()
        max_age = request.app.state.settings.cache_max_age
        cache = f"public, max-age={max_age}"
        return _file_response(request, dumps, name, sha, "text/plain", cache)
    dump = dumps.find(name)
    if dump is not None:
        return _file_response(request, dumps, name, dump.sha256, dump.content_type, IMMUTABLE)
    if name.startswith("latest.") and (target := dumps.of_suffix(name[7:])) is not None:
        location = dump_url(request.app.state.urls, target)
        return RedirectResponse(
            location, status_code=302, headers={**CORS, "Cache-Control": ALIAS_CACHE}
        )
    raise _not_found(request, dumps, name)


@router.options("/dumps/{name}", include_in_schema=False)
@router.options("/dumps/", include_in_schema=False)
def dumps_preflight() -> Response:
    """CORS preflight: a browser sends one before a Range request it may not send plainly."""
    return Response(status_code=204, headers=PREFLIGHT)


def listing(request: Request, dumps: Dumps) -> dict[str, object]:
    """What the index says about each file, in JSON terms."""
    urls: Urls = request.app.state.urls
    dataset: Dataset = request.app.state.dataset
    return {
        "dataset": dataset_iri(urls),
        "version": dumps.version,
        "modified": dataset.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "description": urls.absolute(VOID_PATH),
        "checksums": dump_url(urls) + CHECKSUMS_NAME,
        "files": [_entry(urls, dump) for dump in dumps.files],
    }


def _entry(urls: Urls, dump: DumpFile) -> dict[str, object]:
    return {
        "name": dump.name,
        "url": dump_url(urls, dump),
        "latest": dump_url(urls) + f"latest.{dump.kind.suffix}",
        "format": dump.kind.format.name,
        "mediaType": dump.media_type,
        "contentType": dump.content_type,
        "compressed": dump.kind.compressed,
        "namedGraphs": dump.kind.keeps_graphs,
        "description": dump.kind.label,
        "byteSize": dump.byte_size,
        "sha256": dump.sha256,
    }


@router.api_route("/dumps/", methods=["GET", "HEAD"], include_in_schema=False)
def dumps_index(request: Request) -> Response:
    """The files of the current version: HTML for browsers, JSON for `*/*`, or plain URLs."""
    fmt = negotiate(request.headers.get("accept"), LISTING_FORMATS)
    if fmt is None:
        raise not_acceptable(LISTING_FORMATS, dump_url(request.app.state.urls))
    dumps = current_dumps(request)
    data = listing(request, dumps)
    if fmt is HTML:
        context = {"listing": data, "kinds": DUMP_KINDS, "settings": request.app.state.settings}
        response = templates.TemplateResponse(request, "discovery/dumps.html", context)
        max_age = request.app.state.settings.cache_max_age
        response.headers.update(
            {**CORS, "Vary": "Accept", "Cache-Control": f"public, max-age={max_age}"}
        )
        return response
    if fmt is JSON:
        body = json.dumps(data, indent=2, ensure_ascii=False).encode() + b"\n"
    else:
        urls: Urls = request.app.state.urls
        files = [dump_url(urls, dump) for dump in dumps.files]
        body = "".join(f"{url}\n" for url in [*files, dump_url(urls) + CHECKSUMS_NAME]).encode()
    return cached_response(
        request,
        body,
        fmt.media_type,
        last_modified=request.app.state.dataset.modified,
        max_age=request.app.state.settings.cache_max_age,
        vary=True,
    )
