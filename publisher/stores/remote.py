"""A SPARQL 1.1 server as the store (`--store http://…`): Oxigraph server, Virtuoso, Fuseki, ….

Entry points (the rest is how they work):

- `open_remote_dataset(settings) -> Dataset`: what `load_dataset` returns for an http(s) store;
  `Dataset.store` is a `RemoteStore`, which answers the part of `pyoxigraph.Store` the publisher
  reads (`query`, `quads_for_pattern`, iteration, `len`, `named_graphs`) over HTTP.
- `push_to_remote(dataset, settings) -> PushReport`: `publisher load --store URL`.
- `refresh_dataset(dataset, settings) -> Dataset | None`: a new `Dataset` when a `publisher
  load` has put another version on the server since (the web layer checks now and then).

How a dataset sits on the server (`push_to_remote` writes it so):

- each named graph under its own name; the default graph's triples in the graph
  `DEFAULT_GRAPH`, since Virtuoso has no default graph of its own to hold them;
- blank nodes as IRIs under `{base_iri}.well-known/genid/` (RDF 1.1 skolemisation): a query
  cannot name a blank node, so a document could not follow one into its description (and
  batches of a load could not share one); they are blank nodes again on the way out;
- the graph `METADATA_GRAPH`, written last: version (the same hash of the sources as in memory,
  so ETags do not depend on the mode), `dcterms:modified`, the quad count, the graphs.

Every query names its dataset: `default-graph-uri` is every graph of the dataset (the union,
as in memory), `named-graph-uri` its named graphs. So neither the server's own default graph
nor anything else it holds (Virtuoso's system graphs, other datasets, our metadata) leaks in,
and no server setting (union default graph) is needed. A server nobody ran `publisher load`
against has no metadata: its own default graph and all its named graphs are served then, and
the version is a hash of its graph names and size.

Dialects: results are read as SPARQL XML (Virtuoso's JSON writes `true` as `1`), Virtuoso's
`nodeID://` blank node labels are made valid, and results a server cuts short (Virtuoso's
`ResultSetMaxRows`, announced by `X-SPARQL-MaxRows`) are fetched again page by page, with
Virtuoso's subquery form of ORDER BY … OFFSET past its sort limit.

Outages: every request has a time limit (setting remote_timeout); no answer, a refused
connection or a 502/503/504 raise `StoreUnavailable` (a 503 with Retry-After on the web), and
nothing is kept from a failure, so the first request after the server is back succeeds.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO
from urllib.parse import urlsplit, urlunsplit
from xml.etree import ElementTree

import httpx
import pyoxigraph as ox

from publisher import __version__
from publisher.config import Settings
from publisher.dataset import REMOTE, Dataset, Sources, declared_modified
from publisher.errors import PublisherError, StoreError, StoreUnavailable
from publisher.formats import SPARQL_JSON
from publisher.sources import discover
from publisher.sparql import results

log = logging.getLogger(__name__)

METADATA_GRAPH = "urn:publisher:metadata"
DEFAULT_GRAPH = "urn:publisher:default-graph"
NO_GRAPH = "urn:publisher:no-graph"
"""Named as the only default graph when a query's default graph must be empty."""
GENID_PATH = ".well-known/genid/"
PUSH_BATCH = 20_000
"""Triples sent in one Graph Store Protocol request by `push_to_remote`."""
RETRY_AFTER = 5
RESULTS_XML = "application/sparql-results+xml"
N_TRIPLES = "application/n-triples"

_META = "urn:publisher:"
META_VERSION = ox.NamedNode(_META + "version")
META_GRAPH = ox.NamedNode(_META + "graph")
META_DEFAULT = ox.NamedNode(_META + "defaultGraph")
META_GENID = ox.NamedNode(_META + "genid")
META_BASE = ox.NamedNode(_META + "baseIri")
META_WRITER = ox.NamedNode(_META + "writer")
META_LEXICAL = ox.NamedNode(_META + "lexical")
DCTERMS_MODIFIED = ox.NamedNode("http://purl.org/dc/terms/modified")
VOID_TRIPLES = ox.NamedNode("http://rdfs.org/ns/void#triples")
XSD = "http://www.w3.org/2001/XMLSchema#"
LEXICAL = "urn:publisher:lexical:"
"""On Virtuoso, a literal Virtuoso would not give back as written (it keeps durations as
numbers, `1.0E2` as `100.0`, `007` as `7`) is stored with this prefix before its datatype:
`"P2D"^^<urn:publisher:lexical:http://www.w3.org/2001/XMLSchema#duration>`."""
CACHE_ENTRIES = 20_000
CACHE_QUADS = 1_000
"""Lookups remembered per version (labels repeat from one document to the next), and the
largest answer remembered."""
XSD_DATETIME = ox.NamedNode(XSD + "dateTime")

_PROLOGUE = re.compile(
    r"(?:\s+|#[^\n\r]*|BASE\s*<[^<>\s]*>|PREFIX\s*[^\s:]*:\s*<[^<>\s]*>)*", re.IGNORECASE
)
_BNODE_LABEL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Graph = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
Row = list[Term | None]

# Lexical forms Virtuoso gives back as they were written; any other is stored under LEXICAL.
_KEPT: dict[str, re.Pattern[str]] = {
    XSD + "integer": re.compile(r"-?(0|[1-9][0-9]{0,17})"),
    XSD + "decimal": re.compile(r"-?(0|[1-9][0-9]{0,17})(\.[0-9]{0,17}[1-9])?"),
    XSD + "double": re.compile(r"-?(0|[1-9][0-9]{0,14})\.(0|[0-9]{0,14}[1-9])"),
    XSD + "float": re.compile(r"-?(0|[1-9][0-9]{0,6})\.(0|[0-9]{0,6}[1-9])"),
    XSD + "boolean": re.compile(r"true|false"),
    XSD + "gYear": re.compile(r"[0-9]{4}(Z|[+-][0-9]{2}:[0-9]{2})?"),
}
_NEVER_KEPT = frozenset(XSD + t for t in ("duration", "dayTimeDuration", "yearMonthDuration"))


def protect(literal: ox.Literal) -> ox.Literal:
    """The literal as stored on Virtuoso: itself, or under a LEXICAL datatype when Virtuoso
    would change its lexical form (see test_remote_backend for the cases measured)."""
    datatype = literal.datatype.value
    kept = _KEPT.get(datatype)
    if datatype in _NEVER_KEPT or (kept is not None and not kept.fullmatch(literal.value)):
        return ox.Literal(literal.value, datatype=ox.NamedNode(LEXICAL + datatype))
    return literal


class _Lru:
    """A small thread-safe LRU of lookups (answers of at most `largest` quads)."""

    def __init__(self, entries: int, largest: int) -> None:
        self.entries, self.largest = entries, largest
        self._items: OrderedDict[Hashable, tuple[ox.Quad, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[ox.Quad, ...] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, value: tuple[ox.Quad, ...]) -> None:
        if len(value) > self.largest:
            return
        with self._lock:
            self._items[key] = value
            if len(self._items) > self.entries:
                self._items.popitem(last=False)


# --- HTTP ------------------------------------------------------------------------------------


class _Credentials(httpx.Auth):
    """Basic or Digest, whichever the server asks for (Virtuoso's `-auth` endpoints want
    Digest, Fuseki's shiro Basic); nothing is sent to a server that does not ask."""

    requires_request_body = True

    def __init__(self, user: str, password: str) -> None:
        self._digest = httpx.DigestAuth(user, password)
        self._basic = httpx.BasicAuth(user, password)
        self._scheme: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        if self._scheme is not None:
            yield from self._scheme.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        challenge = response.headers.get("www-authenticate", "").lower()
        self._scheme = self._digest if challenge.startswith("digest") else self._basic
        yield from self._scheme.auth_flow(request)


def _without_credentials(url: str) -> str:
    """The URL as it may appear in messages and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@dataclass(frozen=True)
class Answer:
    """A query's answer, read whole: the body, and whether the server cut it."""

    body: bytes
    capped: int | None  # the row cap the server applied (X-SPARQL-MaxRows), if it did


class SparqlClient:
    """Requests to one SPARQL server, with a time limit, credentials, and every way of not
    answering turned into `StoreUnavailable`. Thread-safe (one httpx.Client)."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float,
        user: str | None = None,
        password: str | None = None,
    ) -> None:
        self.url = url
        self.location = _without_credentials(url)
        self.timeout = timeout
        auth = _Credentials(user, password or "") if user else None
        self.http = httpx.Client(
            timeout=timeout,
            auth=auth,
            headers={"User-Agent": f"gcm-publisher/{__version__}"},
        )
        self.virtuoso = False  # learnt from the Server header; paging needs its own form
        weakref.finalize(self, self.http.close)  # datasets have no close(); their client does

    @classmethod
    def from_settings(cls, settings: Settings, url: str | None = None) -> SparqlClient:
        password = settings.remote_password
        return cls(
            url or settings.store or "",
            timeout=settings.remote_timeout,
            user=settings.remote_user,
            password=password.get_secret_value() if password is not None else None,
        )

    def send(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        """One request; StoreUnavailable when the server does not answer in time (or says it
        cannot), StoreError when it answers with another error."""
        where = _without_credentials(url)
        try:
            response = self.http.request(method, url, **kwargs)  # type: ignore[arg-type]
        except httpx.TimeoutException:
            raise StoreUnavailable(where, f"no answer within {self.timeout:g} s") from None
        except httpx.TransportError as error:
            raise StoreUnavailable(where, _transport_reason(error)) from None
        self.virtuoso = "virtuoso" in response.headers.get("server", "").lower()
        if response.status_code in (502, 503, 504):
            raise StoreUnavailable(
                where, f"it answered {response.status_code}", retry_after(response)
            )
        if response.status_code >= 400:
            raise StoreError(where, response.status_code, error_text(response))
        return response

    def query(self, text: str, dataset: Mapping[str, list[str]], accept: str) -> Answer:
        """POST a query (form-encoded: the graph lists can be long) and read the answer."""
        response = self.send(
            "POST", self.url, data={"query": text, **dataset}, headers={"Accept": accept}
        )
        cap = response.headers.get("x-sparql-maxrows", "")
        return Answer(response.content, int(cap) if cap.isdigit() else None)

    @contextmanager
    def stream(
        self, text: str, dataset: Mapping[str, list[str]]
    ) -> Iterator[tuple[int | None, Iterator[Row]]]:
        """POST a SELECT and read its rows as they arrive: (the server's row cap if it cut the
        answer, the rows). The response is closed when the block ends."""
        request = self.http.build_request(
            "POST", self.url, data={"query": text, **dataset}, headers={"Accept": RESULTS_XML}
        )
        try:
            response = self.http.send(request, stream=True)
        except httpx.TimeoutException:
            raise StoreUnavailable(self.location, f"no answer within {self.timeout:g} s") from None
        except httpx.TransportError as error:
            raise StoreUnavailable(self.location, _transport_reason(error)) from None
        try:
            self.virtuoso = "virtuoso" in response.headers.get("server", "").lower()
            if response.status_code in (502, 503, 504):
                raise StoreUnavailable(
                    self.location, f"it answered {response.status_code}", retry_after(response)
                )
            if response.status_code >= 400:
                response.read()
                raise StoreError(self.location, response.status_code, error_text(response))
            cap = response.headers.get("x-sparql-maxrows", "")
            source = io.BufferedReader(ChunkReader(response.iter_bytes(), self.location))
            read = read_results(source, self.location)
            if isinstance(read, bool):
                raise StoreError(self.location, 200, "a boolean came back where rows were expected")
            yield (int(cap) if cap.isdigit() else None), read[1]
        finally:
            response.close()

    def close(self) -> None:
        self.http.close()


def _transport_reason(error: httpx.TransportError) -> str:
    if isinstance(error, httpx.ConnectError):
        return "connection refused or host unreachable"
    return f"the connection failed: {type(error).__name__}"


def retry_after(response: httpx.Response) -> int:
    value = response.headers.get("retry-after", "")
    return int(value) if value.isdigit() else RETRY_AFTER


def error_text(response: httpx.Response) -> str:
    """The server's own words, shortened: Virtuoso and Fuseki explain in plain text."""
    text = " ".join(response.text.split())
    return text[:500] or response.reason_phrase


# --- the dataset on the server ---------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """How the dataset sits on the server, from its metadata graph. `graphs` None: there is
    none (the server's own default graph and all its named graphs are served)."""

    graphs: tuple[str, ...] | None = None  # every graph, the stand-in default graph included
    default_graph: str | None = None
    genid: str | None = None
    version: str | None = None
    modified: datetime | None = None
    triples: int | None = None
    base_iri: str | None = None
    lexical: bool = False  # literals Virtuoso would rewrite are stored under LEXICAL datatypes

    @property
    def named(self) -> tuple[str, ...]:
        """The dataset's named graphs (the stand-in default graph is not one)."""
        return tuple(g for g in self.graphs or () if g != self.default_graph)


def read_layout(client: SparqlClient) -> Layout | None:
    """The metadata `push_to_remote` wrote, or None on a server it never wrote to."""
    meta = f"<{METADATA_GRAPH}>"
    answer = client.query(
        f"SELECT ?p ?o WHERE {{ GRAPH {meta} {{ {meta} ?p ?o }} }}", {}, RESULTS_XML
    )
    rows = _parse_solutions(answer.body)
    if not rows[1]:
        return None
    graphs: list[str] = []
    fields: dict[str, Term] = {}
    for predicate, value in rows[1]:
        if predicate == META_GRAPH and isinstance(value, ox.NamedNode):
            graphs.append(value.value)
        elif isinstance(predicate, ox.NamedNode) and value is not None:
            fields[predicate.value] = value
    return Layout(
        graphs=tuple(sorted(graphs)),
        default_graph=_value(fields.get(META_DEFAULT.value)),
        genid=_value(fields.get(META_GENID.value)),
        version=_value(fields.get(META_VERSION.value)),
        modified=_datetime(fields.get(DCTERMS_MODIFIED.value)),
        triples=_integer(fields.get(VOID_TRIPLES.value)),
        base_iri=_value(fields.get(META_BASE.value)),
        lexical=_value(fields.get(META_LEXICAL.value)) == LEXICAL,
    )


def _value(term: Term | None) -> str | None:
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else None


def _datetime(term: Term | None) -> datetime | None:
    if not isinstance(term, ox.Literal):
        return None
    try:
        parsed = datetime.fromisoformat(term.value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _integer(term: Term | None) -> int | None:
    if isinstance(term, ox.Literal) and term.value.isdigit():
        return int(term.value)
    return None


# --- results ---------------------------------------------------------------------------------


_RESULTS = "{http://www.w3.org/2005/sparql-results#}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class ChunkReader(io.RawIOBase):
    """An iterator of byte chunks as a file (for the streaming parsers); transport errors
    while reading become StoreUnavailable; past `deadline` (monotonic), TimeoutError."""

    def __init__(
        self, chunks: Iterator[bytes], location: str, deadline: float | None = None
    ) -> None:
        self._chunks, self._location, self._deadline = chunks, location, deadline
        self._ready = b""
        self.failure: Exception | None = None  # what stopped the reading (a parser may hide it)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        try:
            return self._readinto(buffer)
        except Exception as error:
            self.failure = error
            raise

    def _readinto(self, buffer: bytearray | memoryview) -> int:
        while not self._ready:
            if self._deadline is not None and time.monotonic() > self._deadline:
                raise TimeoutError("the answer took longer than its time limit")
            try:
                chunk = next(self._chunks, None)
            except httpx.TimeoutException:
                raise StoreUnavailable(self._location, "the answer stopped coming") from None
            except httpx.TransportError as error:
                raise StoreUnavailable(self._location, _transport_reason(error)) from None
            if chunk is None:
                return 0
            self._ready = chunk
        size = min(len(buffer), len(self._ready))
        buffer[:size] = self._ready[:size]
        self._ready = self._ready[size:]
        return size


def read_results(source: IO[bytes], location: str) -> tuple[list[str], Iterator[Row]] | bool:
    """SPARQL XML results, read as they arrive: (variables, rows) or the boolean of an ASK.

    Our own reader (expat, through ElementTree) rather than pyoxigraph's: its rows are plain
    lists that may be read on any thread and dropped anywhere, which pyoxigraph's result
    objects may not. Virtuoso's `nodeID://` blank node labels are made valid here."""
    events = ElementTree.iterparse(source, events=("start", "end"))
    variables: list[str] = []
    try:
        for event, element in events:
            if event == "end" and element.tag == _RESULTS + "variable":
                variables.append(element.get("name", ""))
            elif event == "end" and element.tag == _RESULTS + "boolean":
                return (element.text or "").strip() == "true"
            elif event == "start" and element.tag == _RESULTS + "results":
                return variables, _rows(events, element, variables, location)
    except ElementTree.ParseError as error:
        raise StoreError(location, 200, f"the answer is not SPARQL XML results: {error}") from None
    raise StoreError(location, 200, "the answer holds neither results nor a boolean")


def _rows(
    events: Iterator[tuple[str, ElementTree.Element]],
    results_element: ElementTree.Element,
    variables: list[str],
    location: str,
) -> Iterator[Row]:
    index = {name: i for i, name in enumerate(variables)}
    try:
        for event, element in events:
            if event != "end" or element.tag != _RESULTS + "result":
                continue
            row: Row = [None] * len(variables)
            for binding in element:
                position = index.get(binding.get("name", ""))
                if position is not None and len(binding):
                    row[position] = _term(binding[0])
            results_element.clear()  # keep memory flat, whatever the number of rows
            yield row
    except ElementTree.ParseError as error:
        raise StoreError(location, 200, f"the answer is not SPARQL XML results: {error}") from None


def _term(element: ElementTree.Element) -> Term:
    tag, text = element.tag, element.text or ""
    if tag == _RESULTS + "uri":
        return ox.NamedNode(text)
    if tag == _RESULTS + "literal":
        language = element.get(_XML_LANG)
        if language:
            return ox.Literal(text, language=language)
        datatype = element.get("datatype")
        return ox.Literal(text, datatype=ox.NamedNode(datatype) if datatype else None)
    if tag == _RESULTS + "bnode":
        return ox.BlankNode(_bnode_label(text))
    if tag == _RESULTS + "triple":
        parts = {child.tag[len(_RESULTS) :]: _term(child[0]) for child in element if len(child)}
        return ox.Triple(parts["subject"], parts["predicate"], parts["object"])  # type: ignore[arg-type]
    raise ValueError(f"unknown term in SPARQL XML results: {tag}")


def _bnode_label(label: str) -> str:
    """A valid blank node label for any label a server writes (Virtuoso: `nodeID://b1234`)."""
    label = label.removeprefix("nodeID://")
    if _BNODE_LABEL.match(label):
        return label
    return "b" + hashlib.sha256(label.encode()).hexdigest()[:24]


def parse_results(body: bytes, location: str) -> tuple[list[str], list[Row]] | bool:
    """A whole answer read at once."""
    read = read_results(io.BytesIO(body), location)
    if isinstance(read, bool):
        return read
    return read[0], list(read[1])


def _parse_solutions(
    body: bytes, location: str = "the SPARQL server"
) -> tuple[list[str], list[Row]]:
    parsed = parse_results(body, location)
    if isinstance(parsed, bool):
        raise StoreError(location, 200, "a boolean came back where solutions were expected")
    return parsed


def _boolean_object(value: bool) -> ox.QueryBoolean:
    body = b'{"head": {}, "boolean": ' + (b"true" if value else b"false") + b"}"
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QueryBoolean)
    return parsed


def _solutions_object(names: Sequence[str], rows: Iterable[Row]) -> ox.QuerySolutions:
    """Rows as a genuine `pyoxigraph.QuerySolutions`, which is what callers of `query` get."""
    body = results.solutions(names, rows, SPARQL_JSON, None)
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QuerySolutions)
    return parsed


# --- substitutions ---------------------------------------------------------------------------


def bind(query: str, values: Mapping[ox.Variable, str]) -> str:
    """The query with variables fixed by a `VALUES` block at the start of its WHERE clause,
    which is what pyoxigraph's `substitutions=` means for the queries the publisher runs.

    `values` maps variables to terms already written in SPARQL syntax (`str()` of a
    pyoxigraph term). Braces are counted outside IRIs, strings and comments only."""
    if not values:
        return query
    names = " ".join(str(v) for v in values)
    terms = " ".join(values.values())
    block = (
        f" VALUES {names} {{ {terms} }} "
        if len(values) == 1
        else f" VALUES ({names}) {{ ({terms}) }} "
    )
    at = _where_brace(query)
    return query[: at + 1] + block + query[at + 1 :]


def _where_brace(query: str) -> int:
    """Offset of the `{` that opens the query's WHERE clause."""
    from publisher.sparql.guard import tokens  # the tokenizer the SPARQL guard trusts

    offset, depth = 0, 0
    braces: list[tuple[int, bool]] = []  # top-level `{` and whether WHERE came just before
    after_where = False
    for token in tokens(query):
        if token.kind == "code":
            for match in re.finditer(r"[{}]|(?<![\w?$:])WHERE(?![\w:])", token.text, re.I):
                text = match.group()
                if text == "{":
                    if depth == 0:
                        braces.append((offset + match.start(), after_where))
                        after_where = False
                    depth += 1
                elif text == "}":
                    depth -= 1
                elif depth == 0:
                    after_where = True
        offset += len(token.text)
    for position, with_where in braces:
        if with_where:
            return position
    if braces and len(braces) == 1:
        return braces[0][0]  # `SELECT ?x { … }`, `ASK { … }`
    raise ValueError("cannot bind variables in a query without a WHERE clause")


_TERM_TESTS = re.compile(r"(?<![\w?$:])(isIRI|isURI|isBlank)\s*\(", re.IGNORECASE)


def unskolemise(query: str, genid: str | None) -> str:
    """The query with `isIRI`, `isURI` and `isBlank` seeing skolem IRIs as the blank nodes
    they stand for, so that a query means on the server what it means in memory:
    `isBlank(E)` becomes `(isBlank(E) || (isIRI(E) && STRSTARTS(STR(E), "genid")))` and
    `isIRI(E)` becomes `(isIRI(E) && !STRSTARTS(STR(E), "genid"))`."""
    if not genid:
        return query
    from publisher.sparql.guard import tokens

    parts = [(t.text, t.kind == "code") for t in tokens(query)]
    return _rewrite_tests(parts, str(ox.Literal(genid)))


def _rewrite_tests(parts: list[tuple[str, bool]], prefix: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(parts):
        text, code = parts[index]
        match = _TERM_TESTS.search(text) if code else None
        if match is None:
            out.append(text)
            index += 1
            continue
        out.append(text[: match.start()])
        # The argument: up to the parenthesis that closes the call, counted in code only.
        depth, argument = 1, []
        rest: list[tuple[str, bool]] = [(text[match.end() :], True), *parts[index + 1 :]]
        for position, (piece, piece_code) in enumerate(rest):
            if not piece_code:
                argument.append((piece, False))
                continue
            for offset, char in enumerate(piece):
                depth += {"(": 1, ")": -1}.get(char, 0)
                if depth == 0:
                    argument.append((piece[:offset], True))
                    parts = [(piece[offset + 1 :], True), *rest[position + 1 :]]
                    break
            else:
                argument.append((piece, True))
                continue
            break
        else:  # unbalanced: leave the rest to the server's parser
            out.append(text[match.start() :])
            out.extend(piece for piece, _ in rest[1:])
            return "".join(out)
        inner = _rewrite_tests(argument, prefix)
        starts = f"STRSTARTS(STR({inner}), {prefix})"
        if match.group(1).lower() == "isblank":
            out.append(f"(isBlank({inner}) || (isIRI({inner}) && {starts}))")
        else:
            out.append(f"(isIRI({inner}) && !{starts})")
        index = 0
    return "".join(out)


def split_prologue(query: str) -> tuple[str, str]:
    """(BASE and PREFIX declarations, the rest), for wrapping a query in a paging one."""
    match = _PROLOGUE.match(query)
    end = match.end() if match else 0
    return query[:end], query[end:]


# --- the store -------------------------------------------------------------------------------


class RemoteStore:
    """What the publisher reads of a `pyoxigraph.Store`, answered by a SPARQL server.

    One per dataset version (the layout is fixed); the HTTP client is shared between them."""

    def __init__(self, client: SparqlClient, layout: Layout) -> None:
        self.client = client
        self.layout = layout
        self._graphs = frozenset(layout.graphs) if layout.graphs is not None else None
        self._cache = _Lru(CACHE_ENTRIES, CACHE_QUADS)

    # The read API ----------------------------------------------------------------------------

    def query(
        self,
        query: str,
        *,
        use_default_graph_as_union: bool = False,
        default_graph: Graph | Sequence[Graph] | None = None,
        named_graphs: Sequence[ox.NamedNode | ox.BlankNode] | None = None,
        substitutions: Mapping[ox.Variable, Term] | None = None,
        base_iri: str | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean:
        """A SELECT or ASK query, as `pyoxigraph.Store.query` runs it (CONSTRUCT and DESCRIBE
        are for the SPARQL endpoint, which forwards them itself)."""
        values = {}
        for variable, term in (substitutions or {}).items():
            written = self._write(term)
            if written is None:  # a blank node the server cannot know: nothing matches
                written = f"<{NO_GRAPH}>"
            values[variable] = written
        text = bind(query, values)
        head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in (prefixes or {}).items())
        if base_iri:
            head = f"BASE <{base_iri}>\n" + head
        text = unskolemise(head + text, self.layout.genid)
        dataset = self._dataset(use_default_graph_as_union, default_graph, named_graphs)
        answer = self.client.query(text, dataset, RESULTS_XML)
        parsed = parse_results(answer.body, self.client.location)
        if isinstance(parsed, bool):
            return _boolean_object(parsed)
        names, rows = parsed
        if answer.capped:
            rows = list(self._paged_query(text, names, dataset, answer.capped))
        else:
            rows = [[self.read_term(term) for term in row] for row in rows]
        return _solutions_object(names, rows)

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        object: Term | None,  # noqa: A002 - pyoxigraph's name
        graph_name: Graph | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads matching the pattern, from every graph of the dataset when `graph_name`
        is None; the stand-in of the default graph comes back as the default graph."""
        fixed = (subject, predicate, object)
        names: list[str] = []
        parts: list[str] = []
        for name, term in zip(("s", "p", "o"), fixed, strict=True):
            if term is None:
                names.append(name)
                parts.append(f"?{name}")
                continue
            written = self._write(term)
            if written is None:  # a blank node the server cannot know
                return iter(())
            parts.append(written)
        s, p, o = parts
        pattern, graph = self._graph_pattern(f"{s} {p} {o}", graph_name)
        if pattern is None:
            return iter(())
        if graph is None:
            names.append("g")
        if subject is None and object is None:  # a scan: the server keeps to our graphs
            return self._quads(
                names, self._select_all(names, pattern, self._quad_dataset()), fixed, graph
            )
        key = (subject, predicate, object, graph_name)
        found = self._cache.get(key)
        if found is None and subject is not None and graph_name is None:
            about = self._about(subject)  # one query for all of a subject's lookups
            if about is not None:
                found = tuple(
                    q
                    for q in about
                    if (predicate is None or q.predicate == predicate)
                    and (object is None or q.object == object)
                )
        if found is None:  # a lookup: cheaper without the graph list, filtered here
            rows = self._select_all(names, pattern, {})
            found = tuple(self._quads(names, rows, fixed, graph, self._graphs))
            self._cache.put(key, found)
        return iter(found)

    def _about(self, subject: ox.NamedNode | ox.BlankNode) -> tuple[ox.Quad, ...] | None:
        """Every quad of `subject` when there are at most CACHE_QUADS (remembered: a document
        asks for a resource's labels under two predicates, then maybe for all of it), else
        None and the caller asks for exactly what it needs."""
        key = (subject, None, None, None)
        found = self._cache.get(key)
        if found is not None:
            return found
        written = self._write(subject)
        if written is None:
            return ()
        names = ["p", "o", "g"]
        select = f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {written} ?p ?o }} }}"
        with self.client.stream(f"{select} LIMIT {CACHE_QUADS + 1}", {}) as (cap, rows):
            got = [[self.read_term(t) for t in row] for row in rows]
        if len(got) > CACHE_QUADS or (cap is not None and len(got) >= cap):
            return None
        found = tuple(self._quads(names, iter(got), (subject, None, None), None, self._graphs))
        self._cache.put(key, found)
        return found

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.quads_for_pattern(None, None, None, None)

    def __len__(self) -> int:
        """Quads in the dataset (the same triple in two graphs counts twice, as in Oxigraph)."""
        pattern, _ = self._graph_pattern("?s ?p ?o", None)
        text = f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"
        answer = self.client.query(text, self._quad_dataset(), RESULTS_XML)
        _, rows = _parse_solutions(answer.body)
        count = rows[0][0] if rows else None
        return int(count.value) if isinstance(count, ox.Literal) else 0

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        if self.layout.graphs is not None:
            return iter([ox.NamedNode(g) for g in self.layout.named])
        answer = self.client.query(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", {}, RESULTS_XML
        )
        _, rows = _parse_solutions(answer.body)
        return iter([row[0] for row in rows if isinstance(row[0], ox.NamedNode)])

    def dataset_parameters(
        self,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        *,
        union: bool,
    ) -> dict[str, list[str]]:
        """Protocol parameters for a query of the SPARQL endpoint: its own graph lists (only
        graphs of the dataset), else the union default graph, else (FROM in the query) none."""
        if default_graphs is None and named_graphs is None:
            return self._dataset(union, None, None) if union else {}
        if self.layout.graphs is None:
            return {
                "default-graph-uri": list(default_graphs or ()) or [NO_GRAPH],
                "named-graph-uri": list(named_graphs or ()),
            }
        known = set(self.layout.named)
        defaults = [g for g in default_graphs or () if g in known]
        return {
            "default-graph-uri": defaults or [NO_GRAPH],
            "named-graph-uri": [g for g in named_graphs or () if g in known],
        }

    # Terms on the way in and out ------------------------------------------------------------

    def _write(self, term: Term | Graph) -> str | None:
        """A term in SPARQL syntax; a blank node as its skolem IRI, or None when it has none."""
        if isinstance(term, ox.BlankNode):
            if self.layout.genid is None:
                return None
            return f"<{self.layout.genid}{term.value}>"
        if isinstance(term, ox.DefaultGraph):
            return None
        if isinstance(term, ox.Literal) and self.layout.lexical:
            term = protect(term)
        return str(term)

    def read_term(self, term: Term | None) -> Term | None:
        """A term from the server as the dataset has it: blank nodes, and literals stored
        under a LEXICAL datatype given theirs back."""
        genid = self.layout.genid
        if isinstance(term, ox.NamedNode):
            if genid and term.value.startswith(genid):
                label = term.value[len(genid) :]
                if _BNODE_LABEL.match(label):
                    return ox.BlankNode(label)
            return term
        if isinstance(term, ox.Literal) and term.datatype.value.startswith(LEXICAL):
            return ox.Literal(
                term.value, datatype=ox.NamedNode(term.datatype.value[len(LEXICAL) :])
            )
        return term

    # Datasets --------------------------------------------------------------------------------

    def _dataset(
        self,
        union: bool,
        default_graph: Graph | Sequence[Graph] | None,
        named_graphs: Sequence[ox.NamedNode | ox.BlankNode] | None,
    ) -> dict[str, list[str]]:
        """`default-graph-uri` and `named-graph-uri` for what `Store.query` was asked."""
        layout = self.layout
        if default_graph is not None or named_graphs is not None:
            if default_graph is None or isinstance(default_graph, ox.NamedNode | ox.BlankNode):
                defaults: Sequence[Graph] = [] if default_graph is None else [default_graph]
            elif isinstance(default_graph, ox.DefaultGraph):
                defaults = [default_graph]
            else:
                defaults = default_graph
            return {
                "default-graph-uri": [self._graph_iri(g) for g in defaults] or [NO_GRAPH],
                "named-graph-uri": [
                    g.value for g in named_graphs or () if isinstance(g, ox.NamedNode)
                ],
            }
        if layout.graphs is None:
            return {}  # the server's own dataset
        if union:
            return {"default-graph-uri": list(layout.graphs) or [NO_GRAPH],
                    "named-graph-uri": list(layout.named)}  # fmt: skip
        return {
            "default-graph-uri": [layout.default_graph or NO_GRAPH],
            "named-graph-uri": list(layout.named),
        }

    def _graph_iri(self, graph: Graph) -> str:
        if isinstance(graph, ox.DefaultGraph):
            return self.layout.default_graph or NO_GRAPH
        if isinstance(graph, ox.BlankNode):
            return NO_GRAPH
        return graph.value

    def _quad_dataset(self) -> dict[str, list[str]]:
        """For GRAPH patterns over every graph of the dataset, the stand-in default included."""
        if self.layout.graphs is None:
            return {}
        return {"default-graph-uri": [NO_GRAPH], "named-graph-uri": list(self.layout.graphs)}

    def _graph_pattern(self, triple: str, graph: Graph | None) -> tuple[str | None, Graph | None]:
        """The group pattern that finds `triple` in `graph` (None: any), and the graph the
        quads then come from (None: read from ?g)."""
        if graph is None:
            return f"GRAPH ?g {{ {triple} }}", None
        if isinstance(graph, ox.DefaultGraph):
            if self.layout.default_graph is not None:
                return f"GRAPH <{self.layout.default_graph}> {{ {triple} }}", graph
            if self.layout.graphs is None:  # the server's own default graph
                return f"{triple} FILTER NOT EXISTS {{ GRAPH ?g {{ {triple} }} }}", graph
            return None, graph
        if isinstance(graph, ox.BlankNode):
            return None, graph
        if self.layout.graphs is not None and graph.value not in self.layout.graphs:
            return None, graph
        return f"GRAPH {graph} {{ {triple} }}", graph

    def _quads(
        self,
        names: list[str],
        rows: Iterator[Row],
        fixed: tuple[Term | None, Term | None, Term | None],
        graph: Graph | None,
        allowed: frozenset[str] | None = None,
    ) -> Iterator[ox.Quad]:
        default = self.layout.default_graph
        for row in rows:
            bound = dict(zip(names, row, strict=True))
            s, p, o = (
                bound[n] if value is None else value
                for n, value in zip(("s", "p", "o"), fixed, strict=True)
            )
            g = bound["g"] if graph is None else graph
            if allowed is not None and isinstance(g, ox.NamedNode) and g.value not in allowed:
                continue  # another dataset on the same server, or Virtuoso's own graphs
            if isinstance(g, ox.NamedNode) and g.value == default:
                g = ox.DefaultGraph()
            if s is None or p is None or o is None or g is None:
                continue
            yield ox.Quad(s, p, o, g)  # type: ignore[arg-type]

    # Paging -----------------------------------------------------------------------------------

    def _select_all(
        self, names: list[str], pattern: str, dataset: Mapping[str, list[str]]
    ) -> Iterator[Row]:
        """Every solution of `SELECT names WHERE { pattern }`, read as it arrives; when the
        server cuts the answer (Virtuoso's row cap), again in pages of what it allows."""
        projection = " ".join(f"?{n}" for n in names) or "*"
        select = f"SELECT {projection} WHERE {{ {pattern} }}"
        with self.client.stream(select, dataset) as (cap, rows):
            if cap is None:
                for row in rows:
                    yield [self.read_term(t) for t in row]
                return
        yield from self._pages("", select, names, dataset, cap)

    def _paged_query(
        self, text: str, names: list[str], dataset: Mapping[str, list[str]], page: int
    ) -> Iterator[Row]:
        """A SELECT the server cut short, again in pages of what it allows."""
        prologue, body = split_prologue(text)
        yield from self._pages(prologue, body, names, dataset, page)

    def _pages(
        self,
        prologue: str,
        select: str,
        names: list[str],
        dataset: Mapping[str, list[str]],
        page: int,
    ) -> Iterator[Row]:
        order = " ".join(f"?{n}" for n in names)
        offset = 0
        while True:
            if self.client.virtuoso:  # its sort limit counts OFFSET; a sorted subquery does not
                inner = f"SELECT * WHERE {{ {{ {select} }} }} ORDER BY {order}"
                text = f"{prologue}SELECT * WHERE {{ {{ {inner} }} }} OFFSET {offset} LIMIT {page}"
            else:
                text = (
                    f"{prologue}SELECT * WHERE {{ {{ {select} }} }} ORDER BY {order} "
                    f"OFFSET {offset} LIMIT {page}"
                )
            answer = self.client.query(text, dataset, RESULTS_XML)
            got, rows = _parse_solutions(answer.body)
            index = [got.index(n) if n in got else None for n in names]
            for row in rows:
                yield [self.read_term(row[i]) if i is not None else None for i in index]
            if answer.capped is not None and answer.capped < page:
                page = answer.capped
            if not rows or (len(rows) < page and answer.capped is None):
                return
            offset += len(rows)


# --- opening, refreshing ---------------------------------------------------------------------


def open_remote_dataset(settings: Settings) -> Dataset:
    """The dataset on the SPARQL server `settings.store` (a query endpoint URL).

    Raises StoreUnavailable when the server does not answer: the publisher does not start
    without knowing which version it serves."""
    client = SparqlClient.from_settings(settings)
    layout = read_layout(client)
    if layout is None:
        log.warning(
            "%s has no publisher metadata (it was not loaded with `publisher load --store`): "
            "serving its default graph and all its named graphs",
            client.location,
        )
    elif layout.base_iri and layout.base_iri != settings.base_iri:
        log.warning(
            "%s was loaded for base IRI %s, but this server publishes %s: its resources "
            "will not be found",
            client.location,
            layout.base_iri,
            settings.base_iri,
        )
    return _dataset(settings, client, layout or Layout())


def _dataset(settings: Settings, client: SparqlClient, layout: Layout) -> Dataset:
    store = RemoteStore(client, layout)
    version = layout.version or _fingerprint(store)
    modified = layout.modified or declared_modified(store) or datetime(1970, 1, 1, tzinfo=UTC)
    return Dataset(
        store=store,  # type: ignore[arg-type]  # duck-typed: the read API of ox.Store
        base_iri=settings.base_iri,
        version=version,
        modified=modified,
        sources=Sources(data=(), ontology=(), shapes=tuple(discover(settings.shapes))),
        kind=REMOTE,
        location=client.location,
    )


def _fingerprint(store: RemoteStore) -> str:
    """A version for data not loaded by the publisher: its graph names and size. Edits that
    keep both do not change it (only `publisher load` promises a new version)."""
    digest = hashlib.sha256(str(len(store)).encode())
    for graph in sorted(g.value for g in store.named_graphs()):
        digest.update(b"\0" + graph.encode())
    return "remote-" + digest.hexdigest()[:16]


def refresh_dataset(dataset: Dataset, settings: Settings) -> Dataset | None:
    """A new Dataset if the server now holds another version than `dataset`, else None.

    Raises StoreUnavailable when the server does not answer (the caller keeps the old one)."""
    store = dataset.store
    if not isinstance(store, RemoteStore):
        return None
    layout = read_layout(store.client) or Layout()
    version = layout.version or _fingerprint(RemoteStore(store.client, layout))
    if version == dataset.version:
        return None
    log.info("%s now holds version %s (was %s)", store.client.location, version, dataset.version)
    return _dataset(settings, store.client, layout)


# --- loading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushReport:
    """What `push_to_remote` did, for the command's last line."""

    location: str
    version: str
    graphs: int
    triples: int
    removed: int
    seconds: float


def guess_gsp(query_url: str) -> str:
    """The Graph Store Protocol endpoint next to a query endpoint, for the servers whose
    layout is known: Oxigraph `/query` → `/store`; Virtuoso `/sparql` →
    `/sparql-graph-crud-auth`; Fuseki `/ds/query` or `/ds/sparql` → `/ds/data`; GraphDB
    `/repositories/r` → `/repositories/r/rdf-graphs/service`."""
    parts = urlsplit(query_url)
    path = parts.path.rstrip("/")
    if path == "/query":
        new = "/store"
    elif path == "/sparql":
        new = "/sparql-graph-crud-auth"
    elif path.endswith(("/query", "/sparql")) and path.count("/") >= 2:
        new = path.rsplit("/", 1)[0] + "/data"
    elif re.fullmatch(r"/repositories/[^/]+", path):
        new = path + "/rdf-graphs/service"
    else:
        raise PublisherError(
            f"cannot tell where the Graph Store Protocol endpoint of {query_url} is: "
            "give it with --gsp (PUBLISHER_REMOTE_GSP)"
        )
    return urlunsplit((parts.scheme, parts.netloc, new, "", ""))


def push_to_remote(
    dataset: Dataset,
    settings: Settings,
    *,
    progress: Callable[[int], None] | None = None,
) -> PushReport:
    """Write `dataset` (validated by the caller) to the SPARQL server `settings.store`.

    Each graph is replaced with the Graph Store Protocol (`settings.remote_gsp`, else
    `guess_gsp`): a PUT, then POSTs of `PUSH_BATCH` triples each, as N-Triples, blank nodes
    skolemised. Graphs an earlier load wrote and this dataset lacks are deleted. The metadata
    graph goes last, so a server being loaded keeps announcing the previous version until the
    new one is complete (readers may meanwhile see a mix: load into a second server and switch
    for a clean cut-over). `progress` is called with the number of triples sent so far."""
    started = time.monotonic()
    query_url = settings.store or ""
    client = SparqlClient.from_settings(settings, query_url)
    gsp = settings.remote_gsp or guess_gsp(query_url)
    client.http.timeout = httpx.Timeout(
        settings.remote_timeout, read=max(60.0, settings.remote_timeout)
    )
    try:
        previous = read_layout(client)
        genid = dataset.base_iri + GENID_PATH
        graphs: list[tuple[Graph, str]] = [
            (g, g.value) for g in sorted(dataset.store.named_graphs(), key=str)
            if isinstance(g, ox.NamedNode)
        ]  # fmt: skip
        if next(dataset.store.quads_for_pattern(None, None, None, ox.DefaultGraph()), None):
            graphs.append((ox.DefaultGraph(), DEFAULT_GRAPH))
        sent = 0
        for graph, target in graphs:
            quads = dataset.store.quads_for_pattern(None, None, None, graph)
            for index, batch in enumerate(_batches(quads, genid, client.virtuoso)):
                client.send(
                    "PUT" if index == 0 else "POST",
                    gsp,
                    params={"graph": target},
                    content=batch[0],
                    headers={"Content-Type": N_TRIPLES},
                )
                sent += batch[1]
                if progress is not None:
                    progress(sent)
        written = {target for _, target in graphs}
        stale = sorted(set(previous.graphs or ()) - written) if previous else []
        for target in [*stale, METADATA_GRAPH]:
            _delete_graph(client, gsp, target)
        metadata = _metadata(dataset, [t for _, t in graphs], genid, sent, client.virtuoso)
        client.send(
            "PUT",
            gsp,
            params={"graph": METADATA_GRAPH},
            content=ox.serialize(metadata, format=ox.RdfFormat.N_TRIPLES),
            headers={"Content-Type": N_TRIPLES},
        )
    finally:
        client.close()
    return PushReport(
        client.location,
        dataset.version,
        len(graphs),
        sent,
        len(stale),
        time.monotonic() - started,
    )


def _batches(quads: Iterable[ox.Quad], genid: str, lexical: bool) -> Iterator[tuple[bytes, int]]:
    """N-Triples bodies of at most PUSH_BATCH triples, blank nodes skolemised, literals
    protected from Virtuoso's rewriting when `lexical`."""
    batch: list[ox.Triple] = []
    for quad in quads:
        obj = quad.object
        if lexical and isinstance(obj, ox.Literal):
            quad = ox.Quad(quad.subject, quad.predicate, protect(obj), quad.graph_name)
        batch.append(
            ox.Triple(_skolem(quad.subject, genid), quad.predicate, _skolem(quad.object, genid))
        )  # type: ignore[arg-type]
        if len(batch) == PUSH_BATCH:
            yield ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) or b"", len(batch)
            batch = []
    if batch:
        yield ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) or b"", len(batch)


def _skolem(term: Term, genid: str) -> Term:
    return ox.NamedNode(genid + term.value) if isinstance(term, ox.BlankNode) else term


def _delete_graph(client: SparqlClient, gsp: str, graph: str) -> None:
    try:
        client.send("DELETE", gsp, params={"graph": graph})
    except StoreError as error:
        if error.status != 404:
            raise


def _metadata(
    dataset: Dataset, graphs: list[str], genid: str, triples: int, lexical: bool
) -> list[ox.Triple]:
    meta = ox.NamedNode(METADATA_GRAPH)
    stamp = dataset.modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    found = [
        ox.Triple(meta, META_VERSION, ox.Literal(dataset.version)),
        ox.Triple(meta, DCTERMS_MODIFIED, ox.Literal(stamp, datatype=XSD_DATETIME)),
        ox.Triple(meta, VOID_TRIPLES, ox.Literal(triples)),
        ox.Triple(meta, META_GENID, ox.Literal(genid)),
        ox.Triple(meta, META_BASE, ox.Literal(dataset.base_iri)),
        ox.Triple(meta, META_WRITER, ox.Literal(f"gcm-publisher {__version__}")),
    ]
    if lexical:
        found.append(ox.Triple(meta, META_LEXICAL, ox.Literal(LEXICAL)))
    if DEFAULT_GRAPH in graphs:
        found.append(ox.Triple(meta, META_DEFAULT, ox.NamedNode(DEFAULT_GRAPH)))
    found += [ox.Triple(meta, META_GRAPH, ox.NamedNode(g)) for g in graphs]
    return found
