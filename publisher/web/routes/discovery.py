"""Discovery: VoID + DCAT at /.well-known/void, the SHACL report at /validation, the sitemap
and robots.txt. Each representation is computed once per dataset version and kept in memory."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from publisher.dataset import Dataset
from publisher.discovery.dumps import canonical_quads, prefixes_for, render
from publisher.discovery.void import (
    DESCRIPTION_PREFIXES,
    GCM_ARAB_REVIEW,
    SITEMAP_LIMIT,
    SITEMAP_PATH,
    VALIDATION_PATH,
    Published,
    SitemapPage,
    dataset_iri,
    dump_url,
    robots_txt,
    sitemap_index,
    sitemap_pages,
    sitemap_xml,
)
from publisher.errors import PublisherError
from publisher.formats import DOCUMENT_FORMATS, HTML, Format, by_extension
from publisher.negotiation import negotiate
from publisher.urls import Urls
from publisher.validation import ValidationReport, validate_dataset
from publisher.web.errors import NotAcceptable
from publisher.web.http import preflight
from publisher.web.routes.dumps import (
    cached_response,
    current_dumps,
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
        # Rendered per request, validated like the RDF: the ETag is the hash of the page bytes.
        return cached_response(
            request,
            bytes(html().body),
            "text/html; charset=utf-8",
            last_modified=dataset.modified,
            max_age=request.app.state.settings.cache_max_age,
            vary=negotiated,
            headers=headers,
        )
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


def _pick(request: Request, stem: str, ext: str | None) -> Format:
    """The format from the URL suffix (404 if unknown), else from Accept (406 if none fits)."""
    if ext is not None:
        fmt = by_extension(ext, DESCRIPTION_FORMATS)
        if fmt is None:
            known = ", ".join(f".{f.extension}" for f in DESCRIPTION_FORMATS)
            raise HTTPException(404, detail=f"No such format {ext!r}; this comes as {known}.")
        return fmt
    fmt = negotiate(request.headers.get("accept"), DESCRIPTION_FORMATS)
    if fmt is None:
        urls: Urls = request.app.state.urls
        raise NotAcceptable(
            tuple((f, urls.absolute(f"{stem}.{f.extension}")) for f in DESCRIPTION_FORMATS)
        )
    return fmt


# --- VoID + DCAT -------------------------------------------------------------------------------


def _void(request: Request, ext: str | None) -> Response:
    fmt = _pick(request, "void", ext)
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


@router.options("/.well-known/void", include_in_schema=False)
@router.options("/void", include_in_schema=False)
@router.options("/void.{ext}", include_in_schema=False)
@router.options("/validation", include_in_schema=False)
@router.options("/validation.{ext}", include_in_schema=False)
def discovery_preflight() -> Response:
    """CORS preflight: RDF clients in browsers (Comunica) send an Accept too long to be simple."""
    return preflight()


# --- SHACL validation report -------------------------------------------------------------------


def _validation_quads(report: ValidationReport, urls: Urls) -> list[ox.Quad]:
    """The report as pySHACL writes it, IRIs on the public origin, blank nodes canonical."""
    parsed = ox.parse(report.to_turtle().encode(), format=ox.RdfFormat.TURTLE)
    return canonical_quads(urls.rewrite_quad(q) for q in parsed)


def _validation(request: Request, ext: str | None) -> Response:
    fmt = _pick(request, VALIDATION_PATH, ext)
    dataset, urls, state = _state(request)
    try:
        report = state.once(dataset, urls, "validation", lambda: validate_dataset(dataset))
    except PublisherError as error:
        raise HTTPException(404, detail=f"This server has no validation report: {error}.") from None

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


def _sitemap_parts(request: Request) -> list[list[SitemapPage]]:
    """The pages, cut into as many sitemap files as SITEMAP_LIMIT requires."""
    dataset, urls, state = _state(request)

    def compute() -> list[list[SitemapPage]]:
        pages = sitemap_pages(dataset, urls, state.statistics(dataset, urls))
        per_file = SITEMAP_LIMIT // max(1, len(GCM_ARAB_REVIEW.languages))
        return [pages[i : i + per_file] for i in range(0, len(pages), per_file)]

    return state.once(dataset, urls, "sitemap-parts", compute)


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
    """Every page (sitemaps.org); past 50 000 URLs, an index of numbered sitemaps."""
    parts = _sitemap_parts(request)
    modified = request.app.state.dataset.modified
    if len(parts) <= 1:
        pages = parts[0] if parts else []
        return _xml(request, sitemap_xml(pages, modified, GCM_ARAB_REVIEW.languages))
    urls: Urls = request.app.state.urls
    files = [urls.absolute(f"sitemap-{n}.xml") for n in range(1, len(parts) + 1)]
    return _xml(request, sitemap_index(files, modified))


@router.api_route("/sitemap-{number}.xml", methods=["GET", "HEAD"], include_in_schema=False)
def sitemap_part(number: str, request: Request) -> Response:
    """One numbered sitemap of the index (at the root: a sitemap may only list URLs below it)."""
    parts = _sitemap_parts(request)
    n = int(number) if number.isdigit() else 0
    if len(parts) <= 1 or not 1 <= n <= len(parts):
        urls: Urls = request.app.state.urls
        message = f"No sitemap number {number}; start from {urls.absolute(SITEMAP_PATH)}"
        raise HTTPException(404, detail=message)
    modified = request.app.state.dataset.modified
    return _xml(request, sitemap_xml(parts[n - 1], modified, GCM_ARAB_REVIEW.languages))


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
