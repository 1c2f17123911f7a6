"""Discovery: VoID + DCAT at /.well-known/void, the SHACL report at /validation, the sitemap
and robots.txt. Each representation is computed once per dataset version and kept in memory."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from publisher.discovery.dumps import prefixes_for, render
from publisher.discovery.sitemap import (
    SITEMAP_PATH,
    SitemapPage,
    robots_txt,
    sitemap_index,
    sitemap_pages,
    sitemap_xml,
    split_sitemap,
)
from publisher.discovery.validation_report import validation_quads
from publisher.discovery.void import (
    DESCRIPTION_PREFIXES,
    VALIDATION_PATH,
    VOID_PATH,
    dataset_iri,
    dump_url,
)
from publisher.errors import SourceNotFound
from publisher.formats import DOCUMENT_FORMATS, HTML, Format, by_extension
from publisher.headers import DISCOVERY, format_links
from publisher.i18n import direction
from publisher.negotiation import negotiate
from publisher.pages.render import page_languages_of
from publisher.validation import NoShapes, NotValidated, validate_dataset
from publisher.web.errors import NotAcceptable, NotPublished
from publisher.web.http import in_memory, preflight, represent, text_content_type
from publisher.web.routes.dumps import current_dumps, discovery_page
from publisher.web.state import state_of

router = APIRouter()

# Turtle first: what curl (`*/*`) gets; browsers ask for text/html by name.
DESCRIPTION_FORMATS: tuple[Format, ...] = DOCUMENT_FORMATS
SHACL_PREFIXES = {"sh": "http://www.w3.org/ns/shacl#"}
NO_REPORT = (NoShapes, NotValidated, SourceNotFound)
"""Why a server may have no validation report: then /validation is not published (404)."""
READ = ["GET", "HEAD"]


def _represent(
    request: Request,
    stem: str,
    fmt: Format,
    negotiated: bool,
    quads: Callable[[], list[ox.Quad]],
    html: Callable[[], tuple[bytes, str]],
) -> Response:
    """One resource in the format asked for; the RDF bytes are made once per version."""
    state = state_of(request)
    dataset, urls = state.dataset, state.urls
    headers = {"Link": format_links(urls.absolute(stem), DESCRIPTION_FORMATS)}
    if negotiated:
        headers["Content-Location"] = f"/{stem}.{fmt.extension}"
    lang = None
    if fmt is HTML:
        body, lang = html()  # rendered per request; its ETag is the hash of its bytes
    else:
        prefixes = {**prefixes_for(urls), **DESCRIPTION_PREFIXES, **SHACL_PREFIXES}
        body = state.published.once(
            dataset, urls, f"{stem}.{fmt.extension}", lambda: render(quads(), fmt, prefixes)
        )
    content_type = text_content_type(fmt.media_type)
    return represent(
        request,
        in_memory(body),
        DISCOVERY,
        content_type,
        negotiated=negotiated,
        lang=lang,
        headers=headers,
    )


def _pick(request: Request, stem: str, ext: str | None) -> Format:
    """The format from the URL suffix (404 if unknown), else from Accept (406 if none fits)."""
    if ext is not None:
        fmt = by_extension(ext, DESCRIPTION_FORMATS)
        if fmt is None:
            known = ", ".join(f".{f.extension}" for f in DESCRIPTION_FORMATS)
            raise NotPublished(f"No such format {ext!r}; this comes as {known}.")
        return fmt
    fmt = negotiate(request.headers.get("accept"), DESCRIPTION_FORMATS)
    if fmt is None:
        urls = state_of(request).urls
        raise NotAcceptable(
            tuple((f, urls.absolute(f"{stem}.{f.extension}")) for f in DESCRIPTION_FORMATS)
        )
    return fmt


def _rdf_formats() -> Sequence[Format]:
    return [f for f in DESCRIPTION_FORMATS if f is not HTML]


# --- VoID + DCAT -------------------------------------------------------------------------------


def _void(request: Request, ext: str | None) -> Response:
    fmt = _pick(request, "void", ext)
    state = state_of(request)
    dataset, urls, published = state.dataset, state.urls, state.published

    def html() -> tuple[bytes, str]:
        return discovery_page(
            request,
            "discovery/void.html",
            "discovery_void_title",
            f"/{VOID_PATH}",
            dataset=dataset,
            dataset_iri=dataset_iri(urls),
            stats=published.statistics(dataset, urls),
            profile=published.profile(dataset, urls),
            direction=direction,
            files=current_dumps(request).files,
            dump_url=lambda dump=None: dump_url(urls, dump),
            site_urls=urls,
            public=urls.public,
            formats=_rdf_formats(),
        )

    return _represent(
        request, "void", fmt, ext is None, lambda: published.description(dataset, urls), html
    )


@router.api_route("/.well-known/void", methods=READ, include_in_schema=False)
@router.api_route("/void", methods=READ, include_in_schema=False)
def void_description(request: Request) -> Response:
    """VoID + DCAT 3 of the whole dataset (RFC 8615 well-known location), negotiated."""
    return _void(request, None)


@router.api_route("/void.{ext}", methods=READ, include_in_schema=False)
def void_description_as(ext: str, request: Request) -> Response:
    return _void(request, ext)


@router.options("/.well-known/void", include_in_schema=False)
@router.options("/void", include_in_schema=False)
@router.options("/void.{ext}", include_in_schema=False)
@router.options("/validation", include_in_schema=False)
@router.options("/validation.{ext}", include_in_schema=False)
@router.options("/sitemap.xml", include_in_schema=False)
@router.options("/sitemap-{number}.xml", include_in_schema=False)
@router.options("/robots.txt", include_in_schema=False)
def discovery_preflight(request: Request) -> Response:
    """CORS preflight: RDF clients in browsers (Comunica) send an Accept too long to be simple."""
    return preflight(request, DISCOVERY)


# --- SHACL validation report -------------------------------------------------------------------


def _validation(request: Request, ext: str | None) -> Response:
    state = state_of(request)
    dataset, urls, published = state.dataset, state.urls, state.published
    try:  # before negotiating: a report that does not exist is 404 in any format (not 406)
        report = published.once(dataset, urls, "validation", lambda: validate_dataset(dataset))
    except NO_REPORT as error:
        raise NotPublished(f"This server has no validation report: {error}.") from None
    fmt = _pick(request, VALIDATION_PATH, ext)

    def html() -> tuple[bytes, str]:
        return discovery_page(
            request,
            "discovery/validation.html",
            "link_validation",
            f"/{VALIDATION_PATH}",
            dataset=dataset,
            report=report,
            dataset_iri=dataset_iri(urls),
            formats=_rdf_formats(),
        )

    license = published.profile(dataset, urls).license

    def quads() -> list[ox.Quad]:
        return validation_quads(report, urls, dataset.modified, license)

    return _represent(request, VALIDATION_PATH, fmt, ext is None, quads, html)


@router.api_route("/validation", methods=READ, include_in_schema=False)
def validation_report(request: Request) -> Response:
    """The SHACL validation report of the published data, negotiated."""
    return _validation(request, None)


@router.api_route("/validation.{ext}", methods=READ, include_in_schema=False)
def validation_report_as(ext: str, request: Request) -> Response:
    return _validation(request, ext)


# --- sitemap and robots.txt --------------------------------------------------------------------


def _sitemap_parts(request: Request) -> tuple[list[list[SitemapPage]], tuple[str, ...]]:
    """The pages, cut into as many sitemap files as the protocol's limit requires, and the
    languages each localized page is listed in."""
    state = state_of(request)
    dataset, urls, published = state.dataset, state.urls, state.published
    languages = page_languages_of(state)  # the pages' languages: the data's, else ar and en

    def compute() -> list[list[SitemapPage]]:
        pages = sitemap_pages(dataset, urls, published.statistics(dataset, urls))
        return split_sitemap(pages, languages)

    return published.once(dataset, urls, "sitemap-parts", compute), languages


def _file(request: Request, body: bytes, media_type: str) -> Response:
    return represent(request, in_memory(body), DISCOVERY, text_content_type(media_type))


@router.api_route("/sitemap.xml", methods=READ, include_in_schema=False)
def sitemap(request: Request) -> Response:
    """Every page (sitemaps.org); past 50 000 URLs, an index of numbered sitemaps."""
    parts, languages = _sitemap_parts(request)
    state = state_of(request)
    modified = state.dataset.modified
    if len(parts) <= 1:
        body = sitemap_xml(parts[0] if parts else [], modified, languages)
    else:
        files = [state.urls.absolute(f"sitemap-{n}.xml") for n in range(1, len(parts) + 1)]
        body = sitemap_index(files, modified)
    return _file(request, body, "application/xml")


@router.api_route("/sitemap-{number}.xml", methods=READ, include_in_schema=False)
def sitemap_part(number: str, request: Request) -> Response:
    """One numbered sitemap of the index (at the root: a sitemap may only list URLs below it)."""
    parts, languages = _sitemap_parts(request)
    state = state_of(request)
    n = int(number) if number.isdigit() else 0
    if len(parts) <= 1 or not 1 <= n <= len(parts):
        start = state.urls.absolute(SITEMAP_PATH)
        raise NotPublished(f"No sitemap number {number}; start from {start}")
    body = sitemap_xml(parts[n - 1], state.dataset.modified, languages)
    return _file(request, body, "application/xml")


@router.api_route("/robots.txt", methods=READ, include_in_schema=False)
def robots(request: Request) -> Response:
    """Allow everything and point to the sitemap."""
    return _file(request, robots_txt(state_of(request).urls).encode(), "text/plain")
