"""Discovery: VoID + DCAT at /.well-known/void, the SHACL report at /validation, the sitemap
and robots.txt. Each representation is computed once per dataset version and kept in memory."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from publisher.dataset import Dataset
from publisher.discovery import (
    DESCRIPTION_PREFIXES,
    SITEMAP_LIMIT,
    SITEMAP_PATH,
    VALIDATION_PATH,
    Published,
    dataset_iri,
    dump_url,
    robots_txt,
    sitemap_index,
    sitemap_pages,
    sitemap_xml,
)
from publisher.dumps import canonical_quads, prefixes_for, render
from publisher.errors import PublisherError
from publisher.formats import DOCUMENT_FORMATS, HTML, Format, by_extension
from publisher.negotiation import negotiate
from publisher.urls import Urls
from publisher.validation import ValidationReport, validate_dataset
from publisher.web.routes.dumps import (
    CORS,
    cached_response,
    current_dumps,
    not_acceptable,
    published,
)
from publisher.web.templating import templates

router = APIRouter()

# Turtle first: what curl (`*/*`) gets; browsers ask for text/html by name.
DESCRIPTION_FORMATS: tuple[Format, ...] = DOCUMENT_FORMATS
SHACL_PREFIXES = {"sh": "http://www.w3.org/ns/shacl#"}


def _state(request: Request) -> tuple[Dataset, Urls, Published]:
    return request.app.state.dataset, request.app.state.urls, published(request)


def _alternates(urls: Urls, stem: str, formats: Sequence[Format]) -> str:
    """`Link` header: every format's own URL (datasette and pubby do the same)."""
    return ", ".join(
        f'<{urls.absolute(f"{stem}.{f.extension}")}>; rel="alternate"; type="{f.media_type}"'
        for f in formats
    )


def _represent(
    request: Request,
    stem: str,
    fmt: Format,
    negotiated: bool,
    quads: Callable[[], list[ox.Quad]],
    html: Callable[[], Response],
) -> Response:
    """One resource in the format asked for; the RDF bytes are made once per version."""
    dataset, urls, state = _state(request)
    headers = {"Link": _alternates(urls, stem, DESCRIPTION_FORMATS)}
    if negotiated:
        headers["Content-Location"] = f"/{stem}.{fmt.extension}"
    if fmt is HTML:
        response = html()
        max_age = request.app.state.settings.cache_max_age
        response.headers.update({**CORS, **headers, "Cache-Control": f"public, max-age={max_age}"})
        if negotiated:
            response.headers["Vary"] = "Accept"
        return response
    prefixes = {**prefixes_for(urls), **DESCRIPTION_PREFIXES, **SHACL_PREFIXES}
    body = state.once(
        dataset, urls, f"{stem}.{fmt.extension}", lambda: render(quads(), fmt, prefixes)
    )
    return cached_response(
        request,
        body,
        fmt.media_type,
        last_modified=dataset.modified,
        max_age=request.app.state.settings.cache_max_age,
        vary=negotiated,
        headers=headers,
    )


def _pick(request: Request, ext: str | None) -> tuple[Format | None, Response | None]:
    """The format from the URL suffix, else from Accept; or the 404/406 to answer instead."""
    if ext is not None:
        fmt = by_extension(ext, DESCRIPTION_FORMATS)
        if fmt is None:
            known = ", ".join(f".{f.extension}" for f in DESCRIPTION_FORMATS)
            message = f"No such format {ext!r}; this resource comes as {known}."
            return None, PlainTextResponse(message, status_code=404, headers=CORS)
        return fmt, None
    fmt = negotiate(request.headers.get("accept"), DESCRIPTION_FORMATS)
    if fmt is None:
        return None, not_acceptable(DESCRIPTION_FORMATS)
    return fmt, None


# --- VoID + DCAT -------------------------------------------------------------------------------


def _void(request: Request, ext: str | None) -> Response:
    fmt, problem = _pick(request, ext)
    if fmt is None:
        assert problem is not None
        return problem
    dataset, urls, state = _state(request)

    def html() -> Response:
        stats = state.statistics(dataset, urls)
        context = {
            "dataset": dataset,
            "dataset_iri": dataset_iri(urls),
            "stats": stats,
            "files": current_dumps(request).files,
            "dump_url": lambda dump=None: dump_url(urls, dump),
            "urls": urls,
            "public": urls.public,
            "formats": [f for f in DESCRIPTION_FORMATS if f is not HTML],
        }
        return templates.TemplateResponse(request, "discovery/void.html", context)

    return _represent(
        request, "void", fmt, ext is None, lambda: state.description(dataset, urls), html
    )


@router.api_route("/.well-known/void", methods=["GET", "HEAD"], include_in_schema=False)
@router.api_route("/void", methods=["GET", "HEAD"], include_in_schema=False)
def void_description(request: Request) -> Response:
    """VoID + DCAT 3 of the whole dataset (RFC 8615 well-known location), negotiated."""
    return _void(request, None)


@router.api_route("/void.{ext}", methods=["GET", "HEAD"], include_in_schema=False)
def void_description_as(ext: str, request: Request) -> Response:
    return _void(request, ext)


# --- SHACL validation report -------------------------------------------------------------------


def _validation_quads(report: ValidationReport, urls: Urls) -> list[ox.Quad]:
    """The report as pySHACL writes it, IRIs on the public origin, blank nodes canonical."""
    parsed = ox.parse(report.to_turtle().encode(), format=ox.RdfFormat.TURTLE)
    return canonical_quads(urls.rewrite_quad(q) for q in parsed)


def _validation(request: Request, ext: str | None) -> Response:
    fmt, problem = _pick(request, ext)
    if fmt is None:
        assert problem is not None
        return problem
    dataset, urls, state = _state(request)
    try:
        report = state.once(dataset, urls, "validation", lambda: validate_dataset(dataset))
    except PublisherError as error:
        message = f"This server has no validation report: {error}."
        return PlainTextResponse(message, status_code=404, headers=CORS)

    def html() -> Response:
        context = {
            "dataset": dataset,
            "report": report,
            "dataset_iri": dataset_iri(urls),
            "urls": urls,
            "formats": [f for f in DESCRIPTION_FORMATS if f is not HTML],
        }
        return templates.TemplateResponse(request, "discovery/validation.html", context)

    return _represent(
        request, VALIDATION_PATH, fmt, ext is None, lambda: _validation_quads(report, urls), html
    )


@router.api_route("/validation", methods=["GET", "HEAD"], include_in_schema=False)
def validation_report(request: Request) -> Response:
    """The SHACL validation report of the published data, negotiated."""
    return _validation(request, None)


@router.api_route("/validation.{ext}", methods=["GET", "HEAD"], include_in_schema=False)
def validation_report_as(ext: str, request: Request) -> Response:
    return _validation(request, ext)


# --- sitemap and robots.txt --------------------------------------------------------------------


def _sitemap_pages(request: Request) -> list[str]:
    dataset, urls, state = _state(request)
    return state.once(
        dataset,
        urls,
        "sitemap-pages",
        lambda: sitemap_pages(dataset, urls, state.statistics(dataset, urls)),
    )


def _xml(request: Request, body: bytes) -> Response:
    return cached_response(
        request,
        body,
        "application/xml",
        last_modified=request.app.state.dataset.modified,
        max_age=request.app.state.settings.cache_max_age,
    )


@router.api_route("/sitemap.xml", methods=["GET", "HEAD"], include_in_schema=False)
def sitemap(request: Request) -> Response:
    """Every page (sitemaps.org); past 50 000 pages, an index of numbered sitemaps."""
    pages = _sitemap_pages(request)
    modified = request.app.state.dataset.modified
    if len(pages) <= SITEMAP_LIMIT:
        return _xml(request, sitemap_xml(pages, modified))
    urls: Urls = request.app.state.urls
    parts = range(1, (len(pages) - 1) // SITEMAP_LIMIT + 2)
    return _xml(
        request, sitemap_index([urls.absolute(f"sitemap-{n}.xml") for n in parts], modified)
    )


@router.api_route("/sitemap-{number}.xml", methods=["GET", "HEAD"], include_in_schema=False)
def sitemap_part(number: str, request: Request) -> Response:
    """One numbered sitemap of the index (at the root: a sitemap may only list URLs below it)."""
    pages = _sitemap_pages(request)
    n = int(number) if number.isdigit() else 0
    chunk = pages[(n - 1) * SITEMAP_LIMIT : n * SITEMAP_LIMIT] if n > 0 else []
    if len(pages) <= SITEMAP_LIMIT or not chunk:
        urls: Urls = request.app.state.urls
        message = f"No sitemap number {number}; start from {urls.absolute(SITEMAP_PATH)}"
        return PlainTextResponse(message, status_code=404, headers=CORS)
    return _xml(request, sitemap_xml(chunk, request.app.state.dataset.modified))


@router.api_route("/robots.txt", methods=["GET", "HEAD"], include_in_schema=False)
def robots(request: Request) -> Response:
    """Allow everything and point to the sitemap."""
    return cached_response(
        request,
        robots_txt(request.app.state.urls).encode(),
        "text/plain",
        last_modified=request.app.state.dataset.modified,
        max_age=request.app.state.settings.cache_max_age,
    )
