"""The dataset on a SPARQL server, read through the part of `pyoxigraph.Store` the publisher
uses (`query`, `quads_for_pattern`, iteration, `len`, `named_graphs`), answered over HTTP.

`open_remote_dataset` opens the dataset a `publisher load --store URL` wrote (see `layout`), or,
on a server nobody loaded, its own default graph and all its named graphs, versioned by a hash
of their names and size. `refresh_dataset` notices a later load while serving.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator, Mapping, Sequence
from datetime import UTC, datetime

import pyoxigraph as ox

from publisher.config import Settings
from publisher.dataset import Capabilities, Dataset, Sources, Subject, declared_modified
from publisher.errors import StoreUnavailable
from publisher.sources import discover
from publisher.sparqltext import bind, split_prologue, unskolemise
from publisher.stores.remote import dialect
from publisher.stores.remote.client import RESULTS_XML, SparqlClient
from publisher.stores.remote.dialect import NO_GRAPH, Graph
from publisher.stores.remote.layout import Layout, read_layout
from publisher.stores.remote.reader import (
    Row,
    Term,
    boolean_object,
    parse_results,
    parse_solutions,
    solutions_object,
)

log = logging.getLogger(__name__)

CACHE_ENTRIES = 20_000
CACHE_QUADS = 1_000
"""Lookups remembered per version (labels repeat from one document to the next), and the
largest answer remembered."""


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


class RemoteStore:
    """A `ReadStore` (what the publisher reads of a `pyoxigraph.Store`) answered by a SPARQL server.

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
            written = dialect.write_term(term, self.layout)
            if written is None:  # a blank node the server cannot know: nothing matches
                written = f"<{NO_GRAPH}>"
            values[variable] = written
        text = bind(query, values)
        head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in (prefixes or {}).items())
        if base_iri:
            head = f"BASE <{base_iri}>\n" + head
        text = unskolemise(head + text, self.layout.genid)
        dataset = dialect.store_dataset(
            self.layout, use_default_graph_as_union, default_graph, named_graphs
        )
        answer = self.client.query(text, dataset, RESULTS_XML)
        parsed = parse_results(answer.body, self.client.location)
        if isinstance(parsed, bool):
            return boolean_object(parsed)
        names, rows = parsed
        if answer.capped:
            rows = list(self._paged_query(text, names, dataset, answer.capped))
        else:
            rows = [[self.read_term(term) for term in row] for row in rows]
        return solutions_object(names, rows)

    def quads_for_pattern(
        self,
        subject: Subject | None,
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
            written = dialect.write_term(term, self.layout)
            if written is None:  # a blank node the server cannot know
                return iter(())
            parts.append(written)
        s, p, o = parts
        pattern, graph = dialect.graph_pattern(f"{s} {p} {o}", graph_name, self.layout)
        if pattern is None:
            return iter(())
        if graph is None:
            names.append("g")
        if subject is None and object is None:  # a scan: the server keeps to our graphs
            rows = self._select_all(names, pattern, dialect.quad_dataset(self.layout))
            return self._quads(names, rows, fixed, graph)
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

    def _about(self, subject: Subject) -> tuple[ox.Quad, ...] | None:
        """Every quad of `subject` when there are at most CACHE_QUADS (remembered: a document
        asks for a resource's labels under two predicates, then maybe for all of it), else
        None and the caller asks for exactly what it needs."""
        key = (subject, None, None, None)
        found = self._cache.get(key)
        if found is not None:
            return found
        written = dialect.write_term(subject, self.layout)
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
        pattern, _ = dialect.graph_pattern("?s ?p ?o", None, self.layout)
        text = f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"
        answer = self.client.query(text, dialect.quad_dataset(self.layout), RESULTS_XML)
        _, rows = parse_solutions(answer.body)
        count = rows[0][0] if rows else None
        return int(count.value) if isinstance(count, ox.Literal) else 0

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        if self.layout.graphs is not None:
            return iter([ox.NamedNode(g) for g in self.layout.named])
        answer = self.client.query(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", {}, RESULTS_XML
        )
        _, rows = parse_solutions(answer.body)
        return iter([row[0] for row in rows if isinstance(row[0], ox.NamedNode)])

    def read_term(self, term: Term | None) -> Term | None:
        """A term from the server as the dataset has it (see `dialect.read_term`)."""
        return dialect.read_term(term, self.layout)

    # Reading ----------------------------------------------------------------------------------

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
            yield ox.Quad(s, p, o, g)  # type: ignore[arg-type]  # s p o g rows keep their kinds

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
            text = dialect.page_query(
                prologue, select, order, offset, page, virtuoso=self.client.virtuoso
            )
            answer = self.client.query(text, dataset, RESULTS_XML)
            got, rows = parse_solutions(answer.body)
            index = [got.index(n) if n in got else None for n in names]
            for row in rows:
                yield [self.read_term(row[i]) if i is not None else None for i in index]
            if answer.capped is not None and answer.capped < page:
                page = answer.capped
            if not rows or (len(rows) < page and answer.capped is None):
                return
            offset += len(rows)


class UnreachableStore(RemoteStore):
    """Stands in for a server that did not answer when the publisher started: every read is
    a StoreUnavailable (503 with Retry-After) until `refresh_dataset` reaches the server."""

    def __init__(self, client: SparqlClient, reason: str) -> None:
        super().__init__(client, Layout())
        self.reason = reason

    def _down(self) -> StoreUnavailable:
        return StoreUnavailable(self.client.location, self.reason)

    def query(self, query: str, **kwargs: object) -> ox.QuerySolutions | ox.QueryBoolean:
        raise self._down()

    def quads_for_pattern(self, *args: object, **kwargs: object) -> Iterator[ox.Quad]:
        raise self._down()

    def __len__(self) -> int:
        raise self._down()

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        raise self._down()


UNREACHABLE = "unreachable"  # the version of the stand-in dataset (no ETag matches it)


def waiting_dataset(settings: Settings, error: StoreUnavailable) -> Dataset:
    """The dataset served while the server is not answering at start: the publisher starts,
    answers 503 with Retry-After wherever the data is needed, and switches to the server's
    dataset on the first check that reaches it (`refresh_dataset`)."""
    client = SparqlClient.from_settings(settings)
    log.warning("%s; serving 503 until it answers", error)
    return Dataset(
        store=UnreachableStore(client, error.reason),
        base_iri=settings.base_iri,
        version=UNREACHABLE,
        modified=datetime(1970, 1, 1, tzinfo=UTC),
        sources=Sources(data=(), ontology=(), shapes=tuple(discover(settings.shapes))),
        location=client.location,
        capabilities=Capabilities(changes=True),
    )


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
        store=store,
        base_iri=settings.base_iri,
        version=version,
        modified=modified,
        sources=Sources(data=(), ontology=(), shapes=tuple(discover(settings.shapes))),
        location=client.location,
        capabilities=Capabilities(changes=True),  # `publisher load` may put a new version
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
    if version == dataset.version and not isinstance(store, UnreachableStore):
        return None
    log.warning("%s now holds version %s (was %s)", store.client.location, version, dataset.version)
    return _dataset(settings, store.client, layout)
