"""`/fragments`: Triple Pattern Fragments (and Quad Pattern Fragments with `graph=`).

The route parses the request, lets publisher.fragments select the page, and answers through
`represent`/`problem` with the FRAGMENTS header family (open CORS, a day in shared caches, a
strong ETag from the dataset version and the request). A conditional request whose ETag still
holds is answered before the store is read.

Graphs (docs/fragments.md): no `graph=` matches every quad in its own graph; `graph=` the
announced `sd:defaultGraph` (urn:ldf:defaultGraph, what Comunica sends for patterns outside
GRAPH) is the union of all graphs as a set of triples. The SPARQL endpoint's union default
graph keeps a triple stated in two graphs twice, so answers agree as DISTINCT solutions.

Blank nodes are written as skolem IRIs `/.well-known/genid/{id}` (publisher.fragments.skolem);
that URL answers 303 to the fragment of the node, or 404 when the store holds no such node.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response

from publisher.documents.cache import Rendered
from publisher.documents.describe import ResourceNotFound
from publisher.formats import HTML, Format
from publisher.fragments.pattern import PatternError
from publisher.fragments.represent import FRAGMENT_FORMATS, form_values, rdf_body, rows
from publisher.fragments.service import Fragments
from publisher.fragments.service import Request as FragmentRequest
from publisher.fragments.skolem import GenidError, genid_fragment
from publisher.headers import FRAGMENTS, REDIRECTS, link_header
from publisher.i18n import Text
from publisher.negotiation import negotiate
from publisher.pages.base import Page
from publisher.pages.render import render_page, site_of
from publisher.urls import FRAGMENTS_PATH, GENID_PATH, Urls
from publisher.vocab import HYDRA
from publisher.web.errors import NotAcceptable
from publisher.web.http import (
    is_not_modified,
    page_language,
    preflight,
    problem,
    redirect,
    represent,
)
from publisher.web.state import AppState, state_of

router = APIRouter(tags=["fragments"])
PATH = "/" + FRAGMENTS_PATH
STATE_ATTRIBUTE = "fragments"


def fragments_of(request: Request, state: AppState) -> Fragments:
    """The fragments of the version being served (a new version starts afresh)."""
    dataset = state.dataset
    held: Fragments | None = getattr(request.app.state, STATE_ATTRIBUTE, None)
    if held is None or held.dataset is not dataset:
        held = Fragments(dataset, state.urls, state.settings.fragment_page_size)
        setattr(request.app.state, STATE_ATTRIBUTE, held)
    return held


def fragments_link(urls: Urls) -> str:
    """`Link: <…/fragments>; rel="hydra:search"` (full IRI) for the home page."""
    return link_header([(urls.absolute(FRAGMENTS_PATH), HYDRA + "search", None)])


def _format(request: Request, state: AppState) -> Format:
    fmt = negotiate(request.headers.get("accept"), FRAGMENT_FORMATS)
    if fmt is None:
        here = state.urls.absolute(FRAGMENTS_PATH)
        raise NotAcceptable(tuple((f, here) for f in FRAGMENT_FORMATS))
    return fmt


def _html(state: AppState, fragments: Fragments, asked: FragmentRequest, lang: str) -> bytes:
    at, page = fragments.page(asked)
    dataset, urls = state.dataset, state.urls
    profile = state.published.profile(dataset, urls)
    view = Page(lang=lang, path=PATH, title=Text(profile.name_in(lang)))
    return render_page(
        "fragments.html",
        urls,
        view,
        indexable=False,
        site=site_of(dataset, urls, lang, profile),
        at=at,
        found=page,
        rows=rows(page, at),
        values=form_values(at),
        rdf_formats=[f for f in FRAGMENT_FORMATS if f is not HTML],
    ).encode()


def _rdf(state: AppState, fragments: Fragments, asked: FragmentRequest, fmt: Format) -> bytes:
    at, page = fragments.page(asked)
    name = state.published.profile(state.dataset, state.urls).name_in("en")
    return rdf_body(page, at, f"Linked Data Fragment of {name}", fmt)


@router.api_route(PATH, methods=["GET", "HEAD"])
def fragment(request: Request) -> Response:
    """A page of the fragment `?subject=&predicate=&object=[&graph=][&page=]` (any unbound)."""
    state = state_of(request)
    fmt = _format(request, state)
    try:
        params = {k: request.query_params.getlist(k) for k in request.query_params}
        asked = FragmentRequest.parse(params, request.url.query, state.urls)
    except PatternError as error:
        return problem(request, HTTPException(400, str(error)), FRAGMENTS)
    fragments = fragments_of(request, state)
    lang = page_language(request) if fmt is HTML else None
    etag = fragments.etag(asked, f"{fmt.media_type} {lang or ''}")
    if is_not_modified(request.headers, (etag,), state.dataset.modified):
        body = b""  # answered 304 by `represent`: the store is not read
    elif fmt is HTML:
        body = fragments.rendered((etag,), lambda: _html(state, fragments, asked, lang or "en"))
    else:
        body = fragments.rendered((etag,), lambda: _rdf(state, fragments, asked, fmt))
    return represent(
        request, Rendered(body, etag, None, None), FRAGMENTS, fmt.content_type,
        negotiated=True, lang=lang,
    )  # fmt: skip


@router.options(PATH, include_in_schema=False)
def fragment_preflight(request: Request) -> Response:
    return preflight(request, FRAGMENTS)


@router.api_route("/" + GENID_PATH + "{label}", methods=["GET", "HEAD"], include_in_schema=False)
def genid(request: Request, label: str) -> Response:
    """A skolem IRI dereferenced: 303 to the fragment of its blank node (400: no blank node
    can have that id; 404: the store holds none that has it)."""
    state = state_of(request)
    try:
        location = genid_fragment(state.dataset.store, state.urls, label)
    except GenidError as error:
        return problem(request, HTTPException(400, str(error)), FRAGMENTS)
    if location is None:
        iri = state.urls.absolute(GENID_PATH) + label
        return problem(request, ResourceNotFound(iri), FRAGMENTS)
    return redirect(request, location, REDIRECTS)
