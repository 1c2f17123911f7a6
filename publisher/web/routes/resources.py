"""Dereferencing: /id/… answers 303 to a document, /doc/… and /def/… serve documents; any
other path of the namespace is looked up in the catalog last (`FALLBACK`, decision 0011): a hash
document or a vocabulary is served there, a slash IRI answers 303 to `/doc/…`.

Handlers are `async def` and, once a representation is cached, do no blocking work: they look
up bytes and set headers. Rendering a document the first time runs in the thread pool. They are
plain Starlette routes (the request is their only parameter): FastAPI's dependency solving
would be a quarter of the time of a cached request, and these routes have no parameters to
validate beyond the path.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

from publisher.documents.cache import (
    CONTEXT_KEY,
    Rendered,
    Representations,
    document_key,
    html_key,
    ontology_key,
    page_document_key,
)
from publisher.documents.describe import ResourceNotFound, primary_topic
from publisher.documents.locate import Found, catalog_of
from publisher.documents.moved import moved_location
from publisher.formats import DOCUMENT_FORMATS, HTML, JSONLD, Format, split_extension
from publisher.headers import DOCUMENTS, REDIRECTS, format_links
from publisher.i18n import LANGUAGES
from publisher.negotiation import negotiate
from publisher.pages import document as document_pages
from publisher.pages import render as pages
from publisher.urls import Urls, reserved
from publisher.web.errors import NotAcceptable
from publisher.web.http import page_language, preflight, redirect, rendered_once, represent
from publisher.web.slashes import CATCH_ALL, slash_twin
from publisher.web.state import state_of

router = APIRouter(tags=["linked data"])

METHODS = ["GET", "HEAD", "OPTIONS"]
SELF_COMPRESSED = ("/id/", "/doc/", "/def/", "/context.jsonld")
"""Paths whose routes send pre-compressed cached bytes: the gzip middleware leaves them alone."""


async def thing(request: Request) -> Response:
    """303 See Other to the format-specific document that `Accept` chooses."""
    if request.method == "OPTIONS":
        return preflight(request, REDIRECTS)
    path = request.path_params["path"]
    state = state_of(request)
    reps, urls = state.representations(), state.urls
    found = await reps.things.look_up(path)  # off the loop when the store is remote
    if isinstance(found, str):
        return redirect(request, moved_location(urls, found, None), REDIRECTS, status=301)
    if not found:
        raise ResourceNotFound(urls.thing(path))
    return _see_other(request, urls, path)


def _see_other(request: Request, urls: Urls, path: str) -> Response:
    """303 See Other from a thing to its document `/doc/{path}` in the negotiated format."""
    fmt = _negotiate(request, urls, path)
    location = _ascii(urls.absolute(urls.document(path, fmt)))
    lang = request.query_params.get("lang")
    if fmt is HTML and lang in LANGUAGES:
        location += "?" + urlencode({"lang": lang})  # a chosen page language survives the 303
    links = _links(urls, "doc", path, "describedby", None)
    return redirect(request, location, REDIRECTS, links=links)


async def document(request: Request) -> Response:
    """A thing's document: `/doc/x.ttl` is Turtle, `/doc/x` negotiates (`Content-Location`)."""
    if request.method == "OPTIONS":
        return preflight(request, DOCUMENTS)
    stem, explicit = split_extension(request.path_params["path"], DOCUMENT_FORMATS)
    state = state_of(request)
    reps, urls = state.representations(), state.urls
    found = await reps.things.look_up(stem)
    slash: Found | None = None
    if found is False:  # not the `/id/` scheme's `{base}id/stem`: a slash IRI `{base}stem`?
        slash = await reps.locator.at_doc_async(stem)
        raw = _raw_path(request).removeprefix("doc/")
        if slash is None and raw != request.path_params["path"]:  # `ren%C3%A9e` in the data
            raw_stem, _ = split_extension(raw, DOCUMENT_FORMATS)
            slash = await reps.locator.at_doc_async(raw_stem)
            stem = raw_stem if slash is not None else stem
        if slash is None and explicit is not None:  # `{base}notes.ttl` itself, when `notes`
            whole = request.path_params["path"]  # names nothing: its canonical document URL
            slash = await reps.locator.at_doc_async(whole)
            stem, explicit = (whole, None) if slash is not None else (stem, explicit)
        if slash is not None:
            found = slash.iri if slash.kind == "moved" else True
    if isinstance(found, str):
        location = moved_location(urls, found, explicit or "doc")
        if request.url.query:  # a chosen page language (`?lang=`) survives the move
            location += "?" + request.url.query
        return redirect(request, location, REDIRECTS, status=301)
    if not found:
        raise ResourceNotFound(urls.thing(stem))
    fmt = explicit or _negotiate(request, urls, stem)
    lang: str | None = None
    if fmt is HTML:
        lang = page_language(request)
        key = html_key(("doc", stem), lang)
        iri = None if slash is None else slash.iri
        rendered = await rendered_once(reps, key, lambda: _resource_page(reps, stem, lang, iri))
    else:
        key = document_key(stem, fmt)
        rendered = await rendered_once(reps, key, lambda: reps.document(stem, fmt))
    return _respond(request, rendered, "doc", stem, fmt, explicit is None, lang)


async def ontology(request: Request) -> Response:
    """The ontology document (hash IRIs: `/def/vocab#Term` is served by `/def/vocab`), by conneg."""
    if request.method == "OPTIONS":
        return preflight(request, DOCUMENTS)
    stem, explicit = split_extension(request.path_params["path"], DOCUMENT_FORMATS)
    state = state_of(request)
    reps, urls = state.representations(), state.urls
    if stem not in reps.ontologies:
        raise ResourceNotFound(urls.ontology(stem))
    fmt = explicit or _negotiate(request, urls, stem, kind="def")
    lang: str | None = None
    if fmt is HTML:
        lang = page_language(request)
        key = html_key(("def", reps.ontologies[stem]), lang)
        rendered = await rendered_once(reps, key, lambda: _ontology_page(reps, stem, lang))
    else:
        key = ontology_key(reps.ontologies[stem], fmt)
        rendered = await rendered_once(reps, key, lambda: reps.ontology(stem, fmt))
    return _respond(request, rendered, "def", stem, fmt, explicit is None, lang)


async def context(request: Request) -> Response:
    """The JSON-LD context every JSON-LD document names; CORS-readable for browser clients."""
    if request.method == "OPTIONS":
        return preflight(request, DOCUMENTS)
    reps = state_of(request).representations()
    rendered = await rendered_once(reps, CONTEXT_KEY, reps.context_document)
    return represent(request, rendered, DOCUMENTS, JSONLD.content_type)


async def named(request: Request) -> Response:
    """Any other path: what the catalog says `{base}{path}` is (a hash document or a vocabulary
    served here, a thing answering 303 to `/doc/…`, a moved IRI), else 404."""
    path: str = request.path_params["path"]
    state = state_of(request)
    reps, urls = state.representations(), state.urls
    found, explicit = await reps.locator.at_root_async(path)
    raw = _raw_path(request)
    if found is None and raw != path:  # the data's IRI is percent-encoded: `ren%C3%A9e`
        found, explicit = await reps.locator.at_root_async(raw)
    if found is None:
        if reserved(path) or slash_twin(request) is not None:
            raise HTTPException(404)  # the site's own paths: as if this route did not exist
        raise ResourceNotFound(urls.slash_thing(path))
    if found.kind in ("thing", "moved"):
        if request.method == "OPTIONS":
            return preflight(request, REDIRECTS)
        if found.kind == "moved":
            location = moved_location(urls, found.iri, explicit)
            return redirect(request, location, REDIRECTS, status=301)
        return _see_other(request, urls, found.iri[len(urls.base_iri) :])
    if request.method == "OPTIONS":
        return preflight(request, DOCUMENTS)
    stem = found.iri[len(urls.base_iri) :]
    fmt = explicit or _negotiate(request, urls, stem, kind="page")
    lang: str | None = None
    vocabulary = found.kind == "ontology"
    if fmt is HTML:
        lang = page_language(request)
        key = html_key(("page", stem), lang)
        rendered = await rendered_once(reps, key, lambda: _page(reps, stem, lang, vocabulary))
    elif vocabulary:
        key = ontology_key(found.iri, fmt)
        rendered = await rendered_once(reps, key, lambda: reps.vocabulary(stem, fmt))
    else:
        key = page_document_key(stem, fmt)
        rendered = await rendered_once(reps, key, lambda: reps.page_document(stem, fmt))
    return _respond(request, rendered, "page", stem, fmt, explicit is None, lang)


class _Fallback(Route):
    """The catch-all route: it takes only the methods it answers, so a POST elsewhere still
    gets the 404 or 405 it got before this route existed."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and scope["method"] not in METHODS:
            return Match.NONE, {}
        if scope["type"] == "http" and reserved(scope["path"].lstrip("/")):
            return Match.NONE, {}  # the site's own paths: their route's 405 (OPTIONS on /)
        return super().matches(scope)


FALLBACK = _Fallback(
    "/{path:path}", named, methods=METHODS, name=CATCH_ALL, include_in_schema=False
)
"""Added last by `create_app`: every other route wins over a data IRI of the same path."""


for _path, _endpoint in (
    ("/id/{path:path}", thing),
    ("/doc/{path:path}", document),
    ("/def/{path:path}", ontology),
    ("/context.jsonld", context),
):
    router.add_route(_path, _endpoint, methods=METHODS, include_in_schema=False)


def _negotiate(request: Request, urls: Urls, stem: str, kind: str = "doc") -> Format:
    fmt = negotiate(request.headers.get("accept"), DOCUMENT_FORMATS)
    if fmt is None:
        raise NotAcceptable(tuple((f, _url(urls, kind, stem, f)) for f in DOCUMENT_FORMATS))
    return fmt


def _respond(
    request: Request,
    rendered: Rendered,
    kind: str,
    stem: str,
    fmt: Format,
    negotiated: bool,
    lang: str | None,
) -> Response:
    """Headers of a document: alternates, canonical, Content-Location when negotiated."""
    urls = state_of(request).urls
    headers = {"Link": _links(urls, kind, stem, "alternate", fmt)}
    if negotiated:
        headers["Content-Location"] = _url(urls, kind, stem, fmt)
    return represent(
        request,
        rendered,
        DOCUMENTS,
        fmt.content_type,
        negotiated=negotiated,
        lang=lang,
        headers=headers,
    )


def _url(urls: Urls, kind: str, stem: str, fmt: Format | None) -> str:
    """The public URL of a document (`kind` doc, def, or page: served at its own IRI),
    generic or of one format."""
    if kind == "doc":
        return _ascii(urls.absolute(urls.document(stem, fmt)))
    if kind == "def":
        return urls.absolute(urls.ontology_document(stem, fmt))
    return _ascii(urls.absolute(urls.page_document(stem, fmt)))


def _raw_path(request: Request) -> str:
    """The path as the client sent it (percent-encoded), without its leading slash."""
    raw: bytes = request.scope.get("raw_path") or request.url.path.encode()
    return raw.decode("latin-1").lstrip("/")


def _ascii(url: str) -> str:
    """A URL fit for a header: characters beyond ASCII (an IRI's `zoë`) percent-encoded as
    UTF-8, everything else as it is."""
    return _NOT_ASCII.sub(lambda found: quote(found.group()), url)


_NOT_ASCII = re.compile(r"[^\x21-\x7e]+")


@lru_cache(maxsize=4096)
def _links(urls: Urls, kind: str, stem: str, rel: str, current: Format | None) -> str:
    """The Link header: every other format with its type, and the generic document as
    canonical (for the 303, every format as `describedby`)."""
    others = [f for f in DOCUMENT_FORMATS if f != current]
    return format_links(_url(urls, kind, stem, None), others, rel, canonical=rel == "alternate")


def _resource_page(reps: Representations, stem: str, lang: str, slash: str | None) -> Rendered:
    urls = reps.urls
    if slash is not None:  # a slash IRI `{base}stem`, outside the /id/ scheme
        return reps.html(
            ("doc", stem),
            lang,
            lambda: document_pages.render_thing_page(
                reps.dataset, urls, slash, stem, lang, reps.profile
            ),
        )
    return reps.html(
        ("doc", stem),
        lang,
        lambda: pages.render_resource_page(
            reps.dataset, urls, urls.thing(stem), lang, reps.profile
        ),
    )


def _page(reps: Representations, stem: str, lang: str, vocabulary: bool) -> Rendered:
    """The HTML of what `/{stem}` serves: a vocabulary's page, or a hash document's."""
    dataset, urls = reps.dataset, reps.urls
    if vocabulary:
        return reps.html(
            ("page", stem),
            lang,
            lambda: document_pages.render_vocabulary_page(dataset, urls, stem, lang, reps.profile),
        )
    doc_iri = urls.slash_thing(stem)
    members = catalog_of(dataset).members(doc_iri)
    if not members:
        raise ResourceNotFound(doc_iri)
    topic = primary_topic(dataset.store, doc_iri, members)
    return reps.html(
        ("page", stem),
        lang,
        lambda: document_pages.render_document_page(
            dataset, urls, stem, members, topic, lang, reps.profile
        ),
    )


def _ontology_page(reps: Representations, stem: str, lang: str) -> Rendered:
    return reps.html(
        ("def", reps.ontologies[stem]),
        lang,
        lambda: pages.render_ontology_page(reps.dataset, reps.urls, lang, stem, reps.profile),
    )
