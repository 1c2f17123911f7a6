"""/dumps/: the dataset's dump files, streamed from disk with Range, ETag and SHA256SUMS.

Dumps are written on a background thread when a version is opened (`AppState.prepare`); no
request writes them. Until they are ready the index says they are being prepared and a file
answers 503 with Retry-After; if writing failed (a full disk), the same, with the reason (the
log has the folder).

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
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.responses import MalformedRangeHeader, RangeNotSatisfiable

from publisher.discovery import locale_format
from publisher.discovery.dump_store import RETRY_FAILED_AFTER, DumpStatus, DumpsUnavailable
from publisher.discovery.dumps import CHECKSUMS_NAME, DumpFile, Dumps, dump_stem
from publisher.discovery.void import VOID_PATH, dataset_iri, dump_url
from publisher.formats import HTML, TURTLE, Format
from publisher.headers import DUMP_ALIASES, DUMP_FILES, DUMP_INDEX, Family, link_header
from publisher.i18n import Text, interface_language, ui
from publisher.negotiation import negotiate
from publisher.pages.base import Page
from publisher.pages.render import render_page, site_of
from publisher.urls import Urls
from publisher.web.errors import NotAcceptable, NotPublished
from publisher.web.http import (
    http_date,
    in_memory,
    is_not_modified,
    page_language,
    preflight,
    redirect,
    represent,
    respond,
    text_content_type,
)
from publisher.web.state import state_of

PREPARING_RETRY_AFTER = 10
"""Seconds a client is asked to wait while the dumps are being written."""
PROBLEM_JSON = "application/problem+json"

router = APIRouter()

JSON = Format("JSON", "application/json", "json")
TEXT = Format("text", "text/plain", "txt")
LISTING_FORMATS: tuple[Format, ...] = (JSON, HTML, TEXT)  # curl (*/*) gets JSON


def discovery_page(
    request: Request, template: str, title_key: str, path: str, **context: Any
) -> tuple[bytes, str]:
    """A discovery page (dumps, VoID, validation) on the site's frame, in the page language
    (`?lang=`, then Accept-Language), with its numbers, sizes and dates written for it; the
    HTML and the language it is in (for Content-Language)."""
    state = state_of(request)
    dataset, urls = state.dataset, state.urls
    lang = page_language(request)
    title = Text(ui(title_key, lang), interface_language(lang))
    html = render_page(
        template,
        urls,
        Page(lang=lang, path=path, title=title),
        site=site_of(dataset, urls, lang, state.published.profile(dataset, urls)),
        number=lambda n: locale_format.number(n, lang),
        size=lambda n: locale_format.byte_size(n, lang),
        seconds=lambda n: locale_format.seconds(n, lang),
        modified=locale_format.day(dataset.modified, lang),
        void_href=f"/{VOID_PATH}?lang={lang}",
        **context,
    )
    return html.encode(), lang


def current_dumps(request: Request) -> Dumps:
    """The dumps of the served dataset, waiting for them (VoID's HTML lists their sizes); none
    when they could not be written (a full disk: the log says why, dump URLs answer 503)."""
    state = state_of(request)
    store = state.published.dump_store
    try:
        return store.get(state.dataset, state.urls)
    except DumpsUnavailable:
        return Dumps(state.dataset.version, store.folder(state.dataset, state.urls), ())


def not_ready_message(status: DumpStatus, version: str) -> str:
    """What a person is told while there are no dumps to give."""
    if status.failure is not None:
        return (
            f"The dumps of version {version} could not be written on this server "
            f"({status.failure}). The rest of the dataset is served as usual; the server "
            f"tries again in {RETRY_FAILED_AFTER:.0f} s."
        )
    return (
        f"The dumps of version {version} are being prepared. Nothing is wrong: retry in "
        f"{PREPARING_RETRY_AFTER} s, or use the SPARQL endpoint or the documents meanwhile."
    )


def _not_ready(request: Request, status: DumpStatus) -> Response:
    """503 + Retry-After for a dump file that is not written (yet, or at all)."""
    state = state_of(request)
    failed = status.failure is not None
    retry = int(RETRY_FAILED_AFTER) if failed else PREPARING_RETRY_AFTER
    title = "Dumps unavailable" if failed else "Dumps being prepared"
    problem_body = {
        "type": "about:blank",
        "title": title,
        "status": 503,
        "detail": not_ready_message(status, state.dataset.version),
        "instance": request.url.path,
        "dumps": status.state,
    }
    body = json.dumps(problem_body, ensure_ascii=False, indent=2).encode()
    headers = {"Retry-After": str(retry), "Cache-Control": "no-store"}
    return respond(request, DUMP_INDEX, body, PROBLEM_JSON, status=503, headers=headers)


def described_by(urls: Urls) -> str:
    """The Link from a dump file to the VoID description that lists it."""
    return link_header([(urls.absolute(VOID_PATH), "describedby", TURTLE.media_type)])


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
        message = f"The range {header!r} starts beyond the end of this {size}-byte file."
        return respond(
            request,
            DUMP_FILES,
            message.encode(),
            "text/plain; charset=utf-8",
            status=416,
            headers={"Content-Range": f"bytes */{size}"},
        )
    return None


def _file_response(
    request: Request, dumps: Dumps, name: str, sha256: str, media_type: str, family: Family
) -> Response:
    """A file of the dumps folder: streamed, by ranges, with its digest and validators."""
    state = state_of(request)
    modified = state.dataset.modified
    path = dumps.path(name)
    etag = f'"{sha256}"'
    digest = base64.b64encode(bytes.fromhex(sha256)).decode()
    headers = {
        **family.cors(),
        "ETag": etag,
        "Last-Modified": http_date(modified),
        "Cache-Control": family.cache_control(state.settings.cache_max_age) or "no-cache",
        "Repr-Digest": f"sha-256=:{digest}:",
        "Link": described_by(state.urls),
    }
    if is_not_modified(request.headers, (etag,), modified):
        return Response(status_code=304, headers=headers)
    unsatisfiable = _unsatisfiable(request, path.stat().st_size, etag)
    if unsatisfiable is not None:
        return unsatisfiable
    return _DumpResponse(path, media_type=media_type, headers=headers, filename=name)


def _not_found(request: Request, dumps: Dumps, name: str) -> NotPublished:
    """Say why: an older version's file, or a name that never existed."""
    state = state_of(request)
    older = re.fullmatch(rf"{re.escape(dump_stem(state.dataset.base_iri))}-([0-9a-f]+)\.(.+)", name)
    index = dump_url(state.urls)
    if older and older.group(1) != dumps.version:
        return NotPublished(
            f"{name} belongs to dataset version {older.group(1)}; this server publishes "
            f"version {dumps.version}. The current files are listed at {index}"
        )
    return NotPublished(f"There is no dump called {name!r}. The dumps are listed at {index}")


@router.api_route("/dumps/{name}", methods=["GET", "HEAD"], include_in_schema=False)
def dump_file(name: str, request: Request) -> Response:
    """A dump (immutable), SHA256SUMS (changes with the version), or a `latest.*` alias."""
    status = state_of(request).dump_status()
    if status.dumps is None:
        return _not_ready(request, status)
    dumps = status.dumps
    if name == CHECKSUMS_NAME:
        sha = hashlib.sha256(dumps.checksums.encode()).hexdigest()
        return _file_response(request, dumps, name, sha, "text/plain", DUMP_INDEX)
    dump = dumps.find(name)
    if dump is not None:
        return _file_response(request, dumps, name, dump.sha256, dump.content_type, DUMP_FILES)
    if name.startswith("latest.") and (target := dumps.of_suffix(name[7:])) is not None:
        location = dump_url(state_of(request).urls, target)
        return redirect(request, location, DUMP_ALIASES, status=302)
    raise _not_found(request, dumps, name)


@router.options("/dumps/{name}", include_in_schema=False)
@router.options("/dumps/", include_in_schema=False)
def dumps_preflight(request: Request) -> Response:
    """CORS preflight: a browser sends one before a Range request it may not send plainly."""
    return preflight(request, DUMP_FILES)


def listing(request: Request, dumps: Dumps | None, status: str = "ready") -> dict[str, object]:
    """What the index says about each file, in JSON terms (no files until they are ready)."""
    state = state_of(request)
    urls = state.urls
    said: dict[str, object] = {
        "dataset": dataset_iri(urls),
        "version": state.dataset.version if dumps is None else dumps.version,
        "modified": state.dataset.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "description": urls.absolute(VOID_PATH),
        "checksums": dump_url(urls) + CHECKSUMS_NAME,
        "files": [_entry(urls, dump) for dump in dumps.files] if dumps is not None else [],
    }
    if status != "ready":
        said["status"] = status
    return said


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
    state = state_of(request)
    fmt = negotiate(request.headers.get("accept"), LISTING_FORMATS)
    if fmt is None:
        raise NotAcceptable(tuple((f, dump_url(state.urls)) for f in LISTING_FORMATS))
    status = state.dump_status()
    data = listing(request, status.dumps, status.state)
    message = None if status.dumps is not None else not_ready_message(status, state.dataset.version)
    if message is not None:
        data["message"] = message
    lang = None
    if fmt is HTML:
        failed = status.failure is not None
        body, lang = discovery_page(
            request,
            "discovery/dumps.html",
            "dumps_title",
            "/dumps/",
            listing=data,
            failure=status.failure,
            retry_after=int(RETRY_FAILED_AFTER) if failed else PREPARING_RETRY_AFTER,
        )
    elif fmt is JSON:
        body = json.dumps(data, indent=2, ensure_ascii=False).encode() + b"\n"
    elif status.dumps is not None:
        files = [dump_url(state.urls, dump) for dump in status.dumps.files]
        lines = [*files, dump_url(state.urls) + CHECKSUMS_NAME]
        body = "".join(f"{url}\n" for url in lines).encode()
    else:
        body = b""  # a list of URLs to fetch: none yet
    content_type = text_content_type(fmt.media_type)
    if message is not None:  # not cached: the answer changes when the dumps are written
        vary = "Accept" if lang is None else "Accept, Accept-Language"
        headers = {"Cache-Control": "no-store", "Vary": vary}
        if lang is not None:
            headers["Content-Language"] = lang
        return respond(request, DUMP_INDEX, body, content_type, headers=headers)
    return represent(request, in_memory(body), DUMP_INDEX, content_type, negotiated=True, lang=lang)
