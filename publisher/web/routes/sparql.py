"""`/sparql`: the SPARQL 1.1 Protocol query operation, the service description, the query page.

Thin on purpose: decode (publisher.sparql.protocol), choose formats and run
(publisher.sparql.endpoint), then turn the answer or the SparqlError into a response.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from publisher import errors
from publisher.documents.cache import Rendered
from publisher.formats import (
    GRAPH_RESULT_FORMATS,
    HTML,
    JSONLD,
    NTRIPLES,
    RDFXML,
    TABLE_RESULT_FORMATS,
    TURTLE,
    Format,
)
from publisher.headers import SPARQL
from publisher.i18n import Text
from publisher.negotiation import negotiate
from publisher.pages import sparql as page
from publisher.pages.base import Page
from publisher.pages.render import render_page, site_of
from publisher.sparql import service_description
from publisher.sparql.endpoint import (
    TRUNCATION_HEADER,
    Answer,
    FormatChoice,
    SparqlEndpoint,
    choose_formats,
)
from publisher.sparql.protocol import QueryRequest, parse_request, request_limit
from publisher.stores import start_query_runner
from publisher.web.errors import retry_after, status_of
from publisher.web.http import page_language, preflight, problem, represent, respond
from publisher.web.state import state_of_app

router = APIRouter()

ALLOW = "GET, HEAD, POST, OPTIONS"
DESCRIPTION_FORMATS = (TURTLE, JSONLD, NTRIPLES, RDFXML, HTML)
TEXT = Format("Text", "text/plain", "txt")
PROBLEM = Format("Problem JSON", "application/problem+json", "json", ("application/json",))
LONGEST_DOWNLOAD_URL = 6000  # longer queries get POST buttons instead of links


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the worker pool once the dataset is loaded; stop it when the app stops."""
    endpoint = await _start(app)
    try:
        yield
    finally:
        state_of_app(app).sparql = None
        await endpoint.pool.close()


async def _start(app: FastAPI) -> SparqlEndpoint:
    """The endpoint over the runner the store's backend provides (worker processes, the remote
    server…); `current` lets a store that changes hand its new versions to the runner."""
    state = state_of_app(app)
    settings, dataset, urls = state.settings, state.dataset, state.urls
    runner = await start_query_runner(dataset, settings, urls.origin, lambda: state.dataset)
    endpoint = SparqlEndpoint(settings, dataset, urls, runner)
    state.sparql = endpoint
    state.sparql_descriptions = {}
    return endpoint


async def _endpoint(request: Request) -> SparqlEndpoint:
    """The app's endpoint; started on first use when the app runs without its lifespan (an
    ASGI transport in tests). Its workers then exit when this process does."""
    endpoint = state_of_app(request.app).sparql
    if endpoint is None:
        endpoint = await _start(request.app)
    return endpoint


@router.options("/sparql", include_in_schema=False)
async def sparql_preflight(request: Request) -> Response:
    """CORS preflight: any origin may query, with any headers it asks for."""
    return preflight(request, SPARQL)


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
async def wrong_method(request: Request) -> Response:
    text = f"{request.method} is not supported here: query with GET or POST ({ALLOW}).\n"
    return respond(
        request, SPARQL, text.encode(), "text/plain", status=405, headers={"Allow": ALLOW}
    )


@router.api_route("/sparql", methods=["GET", "HEAD", "POST"])
async def sparql(request: Request) -> Response:
    """SPARQL 1.1 Protocol query operation (GET ?query=, POST form, POST
    application/sparql-query); without a query, the service description or the query page."""
    endpoint = await _endpoint(request)
    accept = request.headers.get("accept")
    choice = FormatChoice(None, None, html=negotiate(accept, (TEXT, HTML)) is HTML)
    try:
        body = await _body(request, endpoint.settings.max_query_length)
        decoded = parse_request(
            request.method,
            request.scope.get("query_string", b""),
            request.headers.get("content-type"),
            body,
            endpoint.settings.max_query_length,
        )
        choice = choose_formats(accept, decoded.formats)
        if decoded.query is None:
            if request.method == "POST":
                raise errors.ProtocolError("The request has no 'query' parameter.")
            return await _describe(request, endpoint, decoded)
        etag = endpoint.etag(decoded, choice) if request.method != "POST" else None
        if etag and choice.html:  # the page also depends on its language
            etag = f'{etag[:-1]}-{page_language(request)}"'
        if etag and etag in _if_none_match(request):
            return Response(
                status_code=304, headers={**SPARQL.cors(), "ETag": etag, "Vary": "Accept"}
            )
        answer = await endpoint.run(decoded, choice)
    except errors.SparqlError as error:
        return await _error(request, endpoint, error, choice)
    if choice.html:
        return await _page(request, endpoint, decoded, answer=answer, etag=etag)
    return _answer(request, answer, decoded, etag)


async def _body(request: Request, max_query_length: int) -> bytes:
    """The body, refused past what any acceptable query could need, counted as it arrives:
    a 10 MB body is cut off after the limit, never buffered whole."""
    if request.method != "POST":
        return b""
    limit = request_limit(max_query_length)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise errors.RequestTooLarge(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise errors.RequestTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _if_none_match(request: Request) -> set[str]:
    header = request.headers.get("if-none-match", "")
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def _answer(request: Request, answer: Answer, decoded: QueryRequest, etag: str | None) -> Response:
    headers = {}
    if answer.truncated:
        limit = state_of_app(request.app).settings.max_results
        headers[TRUNCATION_HEADER] = f"true; limit={limit}"
    if decoded.download:
        headers["Content-Disposition"] = (
            f'attachment; filename="query-results.{answer.format.extension}"'
        )
    return _send(request, answer.body, answer.format.content_type, etag, headers)


def _send(
    request: Request, body: bytes, content_type: str, etag: str | None, headers: dict[str, str]
) -> Response:
    """A negotiated answer; with an ETag (not for POST), revalidated before reuse."""
    if etag is None:
        return respond(request, SPARQL, body, content_type, headers={"Vary": "Accept", **headers})
    rendered = Rendered(body, etag, None, None)
    return represent(
        request, rendered, SPARQL, content_type, negotiated=True, dated=False, headers=headers
    )


async def _describe(request: Request, endpoint: SparqlEndpoint, decoded: QueryRequest) -> Response:
    """GET without a query: the query page for browsers, the service description for RDF."""
    accept = request.headers.get("accept")
    fmt = next(
        (f for v in decoded.formats for f in DESCRIPTION_FORMATS if v.lower() in _names(f)),
        None,
    ) or negotiate(accept, DESCRIPTION_FORMATS)
    if fmt is HTML:
        return await _page(request, endpoint, decoded)
    if fmt is None:
        if negotiate(accept, TABLE_RESULT_FORMATS) is not None:
            raise errors.ProtocolError("The request has no 'query' parameter.")
        raise errors.NotAcceptable(
            "the service description", [f.media_type for f in DESCRIPTION_FORMATS]
        )
    etag = f'"{endpoint.dataset.version}-sd-{fmt.extension}"'
    cache = state_of_app(request.app).sparql_descriptions
    if fmt.extension not in cache:
        triples = service_description.describe(endpoint.settings, endpoint.dataset, endpoint.urls)
        cache[fmt.extension] = service_description.serialize(triples, fmt)
    return _send(request, cache[fmt.extension], fmt.content_type, etag, {})


def _names(fmt: Format) -> tuple[str, ...]:
    return (fmt.extension, fmt.name.lower(), *fmt.media_types)


async def _error(
    request: Request, endpoint: SparqlEndpoint, error: errors.SparqlError, choice: FormatChoice
) -> Response:
    """The status comes from the one map (publisher.web.errors); the body is the query page,
    a problem document, or text, as Accept chooses."""
    status = status_of(error)
    if choice.html:
        return await _page(request, endpoint, None, error=error, status=status)
    if negotiate(request.headers.get("accept"), (TEXT, PROBLEM)) is PROBLEM:
        return problem(request, error, SPARQL)
    headers = retry_after(error)
    text = f"{error.title}: {error.detail}\n"
    if isinstance(error, errors.MalformedQuery) and error.excerpt:
        text += f"\n{error.excerpt}\n{' ' * max((error.column or 1) - 1, 0)}^\n"
    content_type = "text/plain; charset=utf-8"
    return respond(request, SPARQL, text.encode(), content_type, status=status, headers=headers)


async def _page(
    request: Request,
    endpoint: SparqlEndpoint,
    decoded: QueryRequest | None,
    *,
    answer: Answer | None = None,
    error: errors.SparqlError | None = None,
    status: int = 200,
    etag: str | None = None,
) -> Response:
    """The query page: editor, examples, limits, and the results (or the error) if any, one
    page of rows at a time (`?page=`)."""
    settings = endpoint.settings
    query = decoded.query if decoded else request.query_params.get("query")
    lang = page_language(request)
    number = page.page_number(request.query_params.get("page"))
    if etag:
        etag = f'{etag[:-1]}-p{number}"'
    headers = {"Vary": "Accept, Accept-Language", "Content-Language": lang}
    if etag and not error:
        headers["ETag"] = etag
        headers["Cache-Control"] = "no-cache"
    if answer and answer.truncated:
        headers[TRUNCATION_HEADER] = f"true; limit={settings.max_results}"
    if error is not None:
        headers.update(retry_after(error))

    state = state_of_app(request.app)

    def render() -> str:
        languages = tuple(dict.fromkeys((lang, settings.default_language, "en", "ar")))
        labeller = page.Labeller(endpoint.dataset.store, endpoint.urls, languages)
        table = page.table(answer, labeller, number) if answer else None
        profile = state.published.profile(endpoint.dataset, endpoint.urls)
        examples = page.example_links(profile)
        downloads = _downloads(decoded, answer) if decoded and answer else []
        malformed = error if isinstance(error, errors.MalformedQuery) else None
        frame = Page(lang=lang, path="/sparql", title=Text("SPARQL query", "en"))
        return render_page(
            "sparql.html",
            endpoint.urls,
            frame,
            indexable=not query,
            site=site_of(endpoint.dataset, endpoint.urls, lang, profile),
            settings=settings,
            endpoint=endpoint.urls.absolute("sparql"),
            examples=examples,
            query=query or (examples[0][0].text if examples else ""),
            answer=answer,
            table=table,
            error=error,
            excerpt=malformed.excerpt if malformed else "",
            caret=" " * max((malformed.column or 1) - 1, 0) + "^" if malformed else "",
            status=status,
            downloads=downloads,
            post_downloads=any(len(url) > LONGEST_DOWNLOAD_URL for _, url in downloads),
            dataset_params=_dataset_params(decoded),
            truncation_header=TRUNCATION_HEADER,
            page_url=lambda n: page.page_url(query or "", _dataset_params(decoded), n),
            result_formats=page.result_formats(),
        )

    html = await run_in_threadpool(render)
    return respond(
        request, SPARQL, html.encode(), HTML.content_type, status=status, headers=headers
    )


@router.get("/api/sparql-vocabulary.json", include_in_schema=False)
async def sparql_vocabulary(request: Request) -> Response:
    """What the query page's editor completes (prefixes, classes, properties), in the page's
    language; built once per version and language."""
    state = state_of_app(request.app)
    lang = page_language(request)
    key = f"vocabulary-{lang}"
    if key not in state.sparql_descriptions:
        profile = state.published.profile(state.dataset, state.urls)
        terms = await run_in_threadpool(page.vocabulary, state.dataset, state.urls, profile, lang)
        state.sparql_descriptions[key] = json.dumps(terms, ensure_ascii=False).encode()
    rendered = Rendered(
        state.sparql_descriptions[key], f'"{state.dataset.version}-{key}"', None, None
    )
    return represent(request, rendered, SPARQL, "application/json", lang=lang, dated=False)


def _dataset_params(decoded: QueryRequest | None) -> list[tuple[str, str]]:
    if decoded is None:
        return []
    return [("default-graph-uri", g) for g in decoded.default_graphs] + [
        ("named-graph-uri", g) for g in decoded.named_graphs
    ]


def _downloads(decoded: QueryRequest, answer: Answer) -> list[tuple[Format, str]]:
    """A link per format the answer can be had in (the same query, `format=` set)."""
    offered = GRAPH_RESULT_FORMATS if answer.kind == "graph" else TABLE_RESULT_FORMATS
    links = []
    for fmt in offered:
        params = [
            ("query", decoded.query or ""),
            *_dataset_params(decoded),
            ("format", fmt.extension),
            ("download", "1"),
        ]
        links.append((fmt, "/sparql?" + urlencode(params)))
    return links
