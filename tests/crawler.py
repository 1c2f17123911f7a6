"""A linked-data crawler: what a Semantic Web client does to a dataset, checked at every step.

It starts from a few pages, fetches every link that stays on the server's origin, and for each
link into the dataset's namespace asks for every RDF format and for HTML. It checks each answer
(303 to the right format-specific document with `Vary: Accept`; 200 with the Content-Type
asked for, an `ETag` and a body that parses) and collects the links of every body: the IRIs of
RDF bodies (subjects, predicates, objects, graph names) and the `<a href>` of HTML pages, and
the `Link` headers (alternate, describedby, canonical). Each kind is kept apart, so a test can
ask what a client reading only RDF, or only HTML, would reach.

It knows only HTTP, the URI scheme (`/id/x` is described by `/doc/x.{ext}`) and the formats, so
the same crawl can run against the Python server or a static export behind nginx: give it an
`httpx.Client` that does not follow redirects and the origin to stay on. Problems are collected,
not raised, so one run reports all of them.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
import lxml.html
import pyoxigraph as ox
from pyld import jsonld

TURTLE = "text/turtle"
JSONLD = "application/ld+json"
NTRIPLES = "application/n-triples"
NQUADS = "application/n-quads"
RDFXML = "application/rdf+xml"
HTML = "text/html"

RDF_MEDIA_TYPES: tuple[str, ...] = (TURTLE, JSONLD, NTRIPLES, NQUADS, RDFXML)
ACCEPTS: tuple[str, ...] = (*RDF_MEDIA_TYPES, HTML)
"""Every Accept a namespace link is fetched with."""

EXTENSIONS: dict[str, str] = {
    TURTLE: "ttl",
    JSONLD: "jsonld",
    NTRIPLES: "nt",
    NQUADS: "nq",
    RDFXML: "rdf",
    HTML: "html",
}
MEDIA_TYPE_OF_EXTENSION = {ext: media for media, ext in EXTENSIONS.items()}
PARSERS: dict[str, ox.RdfFormat] = {
    TURTLE: ox.RdfFormat.TURTLE,
    NTRIPLES: ox.RdfFormat.N_TRIPLES,
    NQUADS: ox.RdfFormat.N_QUADS,
    RDFXML: ox.RdfFormat.RDF_XML,
}

THING_PREFIX = "/id/"
DOCUMENT_PREFIX = "/doc/"
NEGOTIATED_PREFIXES = ("/id/", "/doc/", "/def/", "/.well-known/void", "/validation")
"""Paths whose extension-less URLs negotiate: fetched with every Accept of `ACCEPTS`."""
FOLLOWED_RELATIONS = {"alternate", "describedby", "canonical"}
LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+)*)")
DOWNLOAD_PREFIXES = ("/dumps/",)
"""Files checked with HEAD only (the dumps are large; their own tests read them)."""
QUERY_PATHS = frozenset({"/sparql", "/search", "/fragments"})
"""Paths whose links with a query string are queries, not pages (robots.txt disallows the
answers of /search and /fragments): the crawler follows only their forms."""


@dataclass(frozen=True)
class Fetch:
    """One request the crawler made and what came back (the body is not kept)."""

    method: str
    url: str
    accept: str
    status: int
    headers: httpx.Headers
    referrer: str

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class Problem:
    """Something a response got wrong; `kind` lets a test single out a known bug."""

    url: str
    accept: str
    referrer: str
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.url} [{self.accept}] (linked from {self.referrer}): {self.message}"


@dataclass
class CrawlResult:
    """Everything the crawl saw; `problems` is empty when every answer was right."""

    origin: str
    fetches: dict[tuple[str, str], Fetch] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    rdf_links: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Origin URL (no fragment) → the documents whose RDF names it."""
    html_links: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Origin URL (no fragment) → the HTML pages that link to it with `<a href>`."""
    header_links: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Origin URL → the responses whose `Link` header names it (alternate, describedby, …)."""
    parsed: dict[tuple[str, str], ox.Dataset] = field(default_factory=dict)
    """(document URL, media type) → its triples (graph names dropped, blank nodes
    canonicalised), for documents fetched by their format-specific URL."""

    def status(self, url: str, accept: str) -> int | None:
        found = self.fetches.get((url, accept))
        return None if found is None else found.status

    def reached_things(self) -> set[str]:
        """The /id/ URLs that answered 303 to every Accept, each to a 200 document."""
        reached = set()
        things = {url for url, _ in self.fetches if _path(url).startswith(THING_PREFIX)}
        for url in things:
            if all(self._dereferences(url, accept) for accept in ACCEPTS):
                reached.add(url)
        return reached

    def _dereferences(self, url: str, accept: str) -> bool:
        redirect = self.fetches.get((url, accept))
        if redirect is None or redirect.status != 303:
            return False
        location = urljoin(url, redirect.headers.get("location", ""))
        return self.status(location, accept) == 200

    def reachable(self, start: str, kind: str) -> set[str]:
        """The URLs reachable from `start` through links of one kind only (`"rdf"`: IRIs in
        RDF bodies; `"html"`: `<a href>`; `"header"`: `Link`), redirects included: proof
        that a client reading only that kind of link finds them."""
        links = {"rdf": self.rdf_links, "html": self.html_links, "header": self.header_links}[kind]
        forward: dict[str, set[str]] = defaultdict(set)
        for target, referrers in links.items():
            for referrer in referrers:
                forward[referrer].add(target)
        for fetch in self.fetches.values():
            if 300 <= fetch.status < 400 and "location" in fetch.headers:
                forward[fetch.url].add(urljoin(fetch.url, fetch.headers["location"]))
        seen, todo = {start}, [start]
        while todo:
            for target in forward.get(todo.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return seen

    @property
    def requests(self) -> int:
        return len(self.fetches)


class Crawler:
    """Breadth-first over (URL, Accept) pairs: one request per pair, never two."""

    def __init__(
        self,
        client: httpx.Client,
        origin: str,
        *,
        max_requests: int = 10_000,
        canonical_base: str | None = None,
    ) -> None:
        """`origin` is `http://host:port/`; `canonical_base`, when the server rewrites IRIs,
        is the namespace that must never appear as an IRI in a body (RDF term, href)."""
        if not origin.endswith("/"):
            origin += "/"
        self.client = client
        self.origin = origin
        self.max_requests = max_requests
        self.canonical_base = canonical_base
        self.result = CrawlResult(origin)
        self._queue: deque[tuple[str, str, str]] = deque()
        self._queued: set[tuple[str, str]] = set()
        self._contexts: dict[str, Any] = {}

    # -- the crawl ---------------------------------------------------------------------------

    def crawl(self, seeds: Iterable[tuple[str, str]]) -> CrawlResult:
        """Crawl from (URL or path, Accept) seeds until nothing new is linked."""
        for url, accept in seeds:
            self._enqueue(urljoin(self.origin, url), accept, "(seed)")
        while self._queue:
            if self.result.requests >= self.max_requests:
                self._problem(
                    self.origin,
                    "-",
                    "-",
                    "bound",
                    f"crawl stopped after {self.max_requests} requests with "
                    f"{len(self._queue)} still queued: a link loop, or raise max_requests",
                )
                break
            url, accept, referrer = self._queue.popleft()
            self._visit(url, accept, referrer)
        self._compare_formats()
        return self.result

    def _enqueue(self, url: str, accept: str, referrer: str) -> None:
        key = (url, accept)
        if key not in self._queued:
            self._queued.add(key)
            self._queue.append((url, accept, referrer))

    def _follow(self, url: str, referrer: str, kind: str) -> None:
        """Schedule a link (`kind` rdf, html or header) with the Accept values it deserves."""
        url, _ = urldefrag(url)
        if not self._on_origin(url):
            return
        links = {
            "rdf": self.result.rdf_links,
            "html": self.result.html_links,
            "header": self.result.header_links,
        }[kind]
        links[url].add(referrer)
        path, query = _path(url), urlsplit(url).query
        if path.startswith(DOWNLOAD_PREFIXES) and path not in DOWNLOAD_PREFIXES:
            self._enqueue(url, "HEAD", referrer)
        elif path in QUERY_PATHS and query and not query.startswith("lang="):
            return  # a query, not a page (robots.txt says so): its own tests run queries
        elif (media := _explicit_format(path)) is not None:
            self._enqueue(url, media, referrer)
        elif path.startswith(NEGOTIATED_PREFIXES):
            for accept in ACCEPTS:
                self._enqueue(url, accept, referrer)
        else:
            self._enqueue(url, HTML, referrer)  # a page: home, objectives, dumps, SPARQL

    # -- one request -------------------------------------------------------------------------

    def _visit(self, url: str, accept: str, referrer: str) -> None:
        method = "HEAD" if accept == "HEAD" else "GET"
        headers = {} if method == "HEAD" else {"Accept": accept}
        try:
            response = self.client.request(method, url, headers=headers)
        except httpx.HTTPError as error:
            self._problem(url, accept, referrer, "network", f"request failed: {error!r}")
            return
        fetch = Fetch(method, url, accept, response.status_code, response.headers, referrer)
        self.result.fetches[(url, accept)] = fetch
        if response.status_code in (200, 303):
            for target in _link_targets(response.headers.get("link")):
                self._follow(urljoin(url, target), url, "header")
        if response.status_code == 303:
            self._check_see_other(fetch)
        elif response.status_code in (301, 302, 307, 308):
            location = urljoin(url, response.headers.get("location", ""))
            if not self._on_origin(location):
                self._problem(
                    url, accept, referrer, "redirect", f"redirects off the origin to {location}"
                )
            else:
                self._enqueue(location, accept, url)
        elif response.status_code == 200:
            if method == "GET":
                self._check_document(fetch, response.content)
        else:
            self._problem(url, accept, referrer, "status", f"status {response.status_code}")

    def _check_see_other(self, fetch: Fetch) -> None:
        url, accept = fetch.url, fetch.accept
        path = _path(url)
        if not path.startswith(THING_PREFIX):
            self._problem(url, accept, fetch.referrer, "redirect", "303 from outside /id/")
            return
        location = urljoin(url, fetch.headers.get("location", ""))
        expected = self.origin + (
            DOCUMENT_PREFIX + path[len(THING_PREFIX) :] + "." + EXTENSIONS[accept]
        ).lstrip("/")
        if location.split("?")[0] != expected:
            self._problem(
                url, accept, fetch.referrer, "redirect", f"303 to {location}, expected {expected}"
            )
        if "accept" not in _tokens(fetch.headers.get("vary")):
            self._problem(url, accept, fetch.referrer, "vary", "303 without Vary: Accept")
        if self._on_origin(location):
            self._enqueue(location, accept, url)

    def _check_document(self, fetch: Fetch, body: bytes) -> None:
        """A 200: the type asked for, an ETag, a body that parses; then its links."""
        url, accept, path = fetch.url, fetch.accept, _path(fetch.url)
        explicit = _explicit_format(path) is not None
        negotiated = not explicit and path.startswith(NEGOTIATED_PREFIXES)
        if (explicit or negotiated) and "etag" not in fetch.headers:
            self._problem(url, accept, fetch.referrer, "etag", "a document without ETag")
        if (explicit or negotiated) and fetch.media_type != accept:
            self._problem(
                url, accept, fetch.referrer, "content-type", f"Content-Type {fetch.media_type!r}"
            )
            return
        if negotiated:
            self._check_negotiated(fetch)
        media = fetch.media_type
        if media in RDF_MEDIA_TYPES:
            self._read_rdf(fetch, body, media)
        elif media in (HTML, "application/xhtml+xml"):
            self._read_html(fetch, body)

    def _check_negotiated(self, fetch: Fetch) -> None:
        if "accept" not in _tokens(fetch.headers.get("vary")):
            self._problem(
                fetch.url, fetch.accept, fetch.referrer, "vary", "negotiated without Vary: Accept"
            )
        content_location = fetch.headers.get("content-location")
        if content_location is not None:
            located = urljoin(fetch.url, content_location)
            if _explicit_format(_path(located)) != fetch.accept:
                self._problem(
                    fetch.url,
                    fetch.accept,
                    fetch.referrer,
                    "content-location",
                    f"Content-Location {content_location} is not the {fetch.accept} document",
                )

    # -- bodies ------------------------------------------------------------------------------

    def _read_rdf(self, fetch: Fetch, body: bytes, media: str) -> None:
        try:
            quads = self._parse_rdf(fetch.url, body, media)
        except (SyntaxError, ValueError, jsonld.JsonLdError) as error:
            self._problem(fetch.url, fetch.accept, fetch.referrer, "parse", f"not RDF: {error}")
            return
        for quad in quads:
            for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
                if isinstance(term, ox.NamedNode):
                    self._check_not_canonical(fetch, term.value)
                    self._follow(term.value, fetch.url, "rdf")
                elif isinstance(term, ox.Literal):
                    self._check_not_canonical(fetch, term.datatype.value)
        if _explicit_format(_path(fetch.url)) == media:
            self.result.parsed[(fetch.url, media)] = _triples(quads)

    def _parse_rdf(self, url: str, body: bytes, media: str) -> list[ox.Quad]:
        if media == JSONLD:
            options = {"base": url, "documentLoader": self._load_context}
            nquads = jsonld.to_rdf(json.loads(body), {**options, "format": NQUADS})
            return list(ox.parse(nquads, ox.RdfFormat.N_QUADS))
        return list(ox.parse(body, PARSERS[media], base_iri=url))

    def _load_context(self, url: str, options: Any = None) -> dict[str, Any]:
        """pyld's document loader: contexts come from this origin (one GET each), never from
        the Web, so a document that needs an outside context fails the crawl."""
        if not self._on_origin(url):
            raise jsonld.JsonLdError(
                f"JSON-LD context outside the origin: {url}", "jsonld.LoadDocumentError"
            )
        if url not in self._contexts:
            response = self.client.get(url, headers={"Accept": JSONLD})
            fetch = Fetch("GET", url, JSONLD, response.status_code, response.headers, "@context")
            self.result.fetches[(url, JSONLD)] = fetch
            self._queued.add((url, JSONLD))
            if response.status_code != 200:
                raise jsonld.JsonLdError(
                    f"context {url}: status {response.status_code}", "jsonld.LoadDocumentError"
                )
            self._contexts[url] = response.json()
        return {"contextUrl": None, "documentUrl": url, "document": self._contexts[url]}

    def _read_html(self, fetch: Fetch, body: bytes) -> None:
        try:
            page = lxml.html.fromstring(body, base_url=fetch.url)
        except (ValueError, lxml.etree.ParserError) as error:
            self._problem(fetch.url, fetch.accept, fetch.referrer, "parse", f"not HTML: {error}")
            return
        for element, attribute in (("a", "href"), ("link", "href"), ("script", "src")):
            for value in page.xpath(f"//{element}/@{attribute}"):
                self._check_not_canonical(fetch, value)
        for script in page.xpath("//script[@type='application/ld+json']/text()"):
            for value in _strings(json.loads(script)):
                self._check_not_canonical(fetch, value)
        for href in page.xpath("//a/@href"):
            self._follow(urljoin(fetch.url, href.strip()), fetch.url, "html")

    def _check_not_canonical(self, fetch: Fetch, iri: str) -> None:
        base = self.canonical_base
        if base and base != self.origin and iri.startswith(base):
            self._problem(
                fetch.url, fetch.accept, fetch.referrer, "canonical", f"canonical IRI: {iri}"
            )

    # -- whole-crawl checks ------------------------------------------------------------------

    def _compare_formats(self) -> None:
        """Every RDF format of one document carries the same triples."""
        by_document: dict[str, dict[str, ox.Dataset]] = defaultdict(dict)
        for (url, media), triples in self.result.parsed.items():
            by_document[url.rsplit(".", 1)[0]][media] = triples
        for document, formats in sorted(by_document.items()):
            turtle = formats.get(TURTLE)
            for media, triples in formats.items():
                if turtle is not None and triples != turtle:
                    self._problem(
                        document, media, "-", "formats", "triples differ from the Turtle ones"
                    )

    # -- helpers -----------------------------------------------------------------------------

    def _on_origin(self, url: str) -> bool:
        return url.startswith(self.origin)

    def _problem(self, url: str, accept: str, referrer: str, kind: str, message: str) -> None:
        self.result.problems.append(Problem(url, accept, referrer, kind, message))


def _path(url: str) -> str:
    return urlsplit(url).path


def _explicit_format(path: str) -> str | None:
    """`/doc/x.ttl` → text/turtle: the media type a format-specific URL promises."""
    last = path.rsplit("/", 1)[-1]
    stem, dot, extension = last.rpartition(".")
    return MEDIA_TYPE_OF_EXTENSION.get(extension) if dot and stem else None


def _link_targets(header: str | None) -> Iterator[str]:
    """The URLs of a `Link` header (RFC 8288) whose relation a crawler follows."""
    for match in LINK.finditer(header or ""):
        target, params = match.group(1), match.group(2)
        rel = re.search(r'rel="?([^";,]+)', params)
        if rel and set(rel.group(1).lower().split()) & FOLLOWED_RELATIONS:
            yield target


def _tokens(header: str | None) -> set[str]:
    return {part.strip().lower() for part in (header or "").split(",") if part.strip()}


def _triples(quads: list[ox.Quad]) -> ox.Dataset:
    """The triples of a document with graph names dropped and blank nodes canonicalised, so
    the five formats of one document compare equal."""
    dataset = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON value (embedded JSON-LD), keys excluded."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
