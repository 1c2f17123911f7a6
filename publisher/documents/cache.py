"""Rendered documents, computed once per dataset version and kept with their ETags.

The data is read-only while served, so each (document, format[, language]) is rendered once and
every later request only looks up bytes. One `Representations` belongs to one `Dataset`: a new
dataset version gets a new, empty cache. A crawler can ask for every document of a big dataset,
so the cache is bounded in bytes (`document_cache_bytes`), least recently used dropped first.

Nothing here walks the whole dataset on a request: whether a thing exists is one indexed
lookup of its subject (remembered in a bounded table), and the JSON-LD context, which does read
every predicate, is built on a background thread when the version is opened (`prepare`).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import threading
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from functools import cached_property

import anyio
import pyoxigraph as ox
from cachetools import LRUCache

from publisher.dataset import Dataset
from publisher.documents.describe import (
    describe,
    describe_document,
    describe_ontology,
    ontology_paths,
    primary_topic,
    thing_paths,
)
from publisher.documents.jsonld_context import JsonLdContext, build_context
from publisher.documents.locate import (
    REMEMBERED_MISS,
    Locator,
    catalog_of,
    list_documents,
    vocabulary_of,
    warn_hidden,
)
from publisher.documents.moved import replacement_of
from publisher.documents.serialize import serialize
from publisher.errors import PublisherError
from publisher.formats import RDF_DOCUMENT_FORMATS, Format
from publisher.profile import Profile, read_profile
from publisher.urls import Urls

GZIP_MINIMUM = 500
"""Bodies smaller than this are sent as they are: gzip would save next to nothing."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    """One representation: its bytes, a strong ETag, and the gzip-encoded twin when worth it.

    The gzip body is a different representation, so it has its own strong ETag (`…-gzip`).
    """

    body: bytes
    etag: str
    gzip_body: bytes | None
    gzip_etag: str | None

    @classmethod
    def of(cls, body: bytes, version: str, variant: str) -> Rendered:
        digest = hashlib.sha256(body).hexdigest()[:16]
        tag = f"{version}-{variant}-{digest}"
        if len(body) < GZIP_MINIMUM:
            return cls(body, f'"{tag}"', None, None)
        # mtime=0: the same bytes every time, so the gzip ETag stays truthful across restarts.
        return cls(body, f'"{tag}"', gzip.compress(body, 9, mtime=0), f'"{tag}-gzip"')


def document_key(path: str, fmt: Format) -> Hashable:
    """The cache key of a thing's document in an RDF format."""
    return ("doc", path, fmt.extension)


def page_document_key(path: str, fmt: Format) -> Hashable:
    """The cache key of a document served at its own IRI (`/card`: a hash document)."""
    return ("page", path, fmt.extension)


def ontology_key(iri: str, fmt: Format) -> Hashable:
    """The cache key of an ontology document in an RDF format."""
    return ("def", iri, fmt.extension)


def html_key(key: tuple[str, ...], lang: str) -> Hashable:
    """The cache key of an HTML page: what it shows (`("doc", path)`, …) and its language."""
    return ("html", *key, lang)


CONTEXT_KEY = ("context",)

DEFAULT_CACHE_BYTES = 256 * 1024 * 1024
"""The default of `document_cache_bytes`, for callers without settings (exports, tests)."""

ENTRY_OVERHEAD = 400
"""Bytes counted per cached entry beyond its bodies: the key, the ETags, the objects."""

KNOWN_PATHS = 65536
"""How many answers to "does this thing exist?" are remembered (about 10 MB at most)."""


def entry_size(rendered: Rendered) -> int:
    """What a cached representation costs, for the byte bound."""
    return len(rendered.body) + len(rendered.gzip_body or b"") + ENTRY_OVERHEAD


class ByteBoundedCache:
    """A least-recently-used map of representations, at most `max_bytes` in total.

    cachetools' LRUCache does the bookkeeping; it is not thread-safe, and documents render on
    threadpool threads, so every access holds one lock (a dict lookup: no contention worth
    the name). An entry larger than the whole bound is not kept.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._entries: LRUCache[Hashable, Rendered] = LRUCache(
            maxsize=max(max_bytes, 1), getsizeof=entry_size
        )

    def get(self, key: Hashable) -> Rendered | None:
        with self._lock:
            return self._entries.get(key)

    def keep(self, key: Hashable, rendered: Rendered, *, replace: bool = False) -> Rendered:
        """Keep `rendered` unless another thread kept the same key first (or, with `replace`,
        in its place); return the kept one."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None and not replace:
                return found
            if entry_size(rendered) <= self.max_bytes:
                self._entries[key] = rendered
            return rendered

    def forget(self, drop: Callable[[Hashable], bool]) -> None:
        """Drop the entries whose key `drop` selects."""
        with self._lock:
            for key in [k for k in self._entries if drop(k)]:
                del self._entries[key]

    @property
    def size(self) -> int:
        """The bytes counted against the bound."""
        with self._lock:
            return int(self._entries.currsize)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


class Things:
    """The things that dereference: `path in things` is one indexed lookup of the subject.

    Replaces a set of every thing's path, built by the first request (seconds and hundreds of
    megabytes at a million triples). Answers are remembered per version in a bounded table, so
    a remote store is asked once per path, not per request. Iterating lists every path (a
    whole-dataset query: for `warm` and exports only).
    """

    def __init__(self, dataset: Dataset, urls: Urls) -> None:
        self.dataset = dataset
        self.urls = urls
        self._lock = threading.Lock()
        # True: described; False: nothing; a string: moved, the IRI that replaces it.
        self._known: LRUCache[str, bool | str] = LRUCache(maxsize=KNOWN_PATHS)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.look_up_now(path) is True

    def look_up_now(self, path: str) -> bool | str:
        """True if `path` names a thing, the IRI replacing it if it moved, else False."""
        with self._lock:
            known = self._known.get(path)
        if known is None:
            known = self._look_up(path)
            if known is not False or len(path) <= REMEMBERED_MISS:  # long misses: not kept
                with self._lock:
                    self._known[path] = known
        return known

    async def look_up(self, path: str) -> bool | str:
        """`look_up_now`, for the event loop: a path not yet known is looked up on a worker
        thread (a remote store's lookup is a network round trip, and may hang in an outage)."""
        with self._lock:
            known = self._known.get(path)
        if known is not None:
            return known
        return await anyio.to_thread.run_sync(self.look_up_now, path)

    async def exists(self, path: str) -> bool:
        """`path in self`, for the event loop (see `look_up`)."""
        return await self.look_up(path) is True

    def _look_up(self, path: str) -> bool | str:
        iri = self.urls.thing(path)
        if not path or self.urls.local_path(iri) != path:
            return False
        try:
            subject = ox.NamedNode(iri)
        except ValueError:  # not an IRI (a space, a `<`…): nothing can describe it
            return False
        replacement = replacement_of(self.dataset.store, iri)
        if replacement is not None:
            return replacement
        return next(self.dataset.store.quads_for_pattern(subject, None, None), None) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(thing_paths(self.dataset, self.urls)))


class Representations:
    """The cache of one dataset version's documents, the JSON-LD context, and what exists."""

    def __init__(
        self,
        dataset: Dataset,
        urls: Urls,
        profile: Profile | Callable[[], Profile] | None = None,
        max_bytes: int = DEFAULT_CACHE_BYTES,
    ) -> None:
        self.dataset = dataset
        self.urls = urls
        self.given_profile = profile  # or how to read it when first needed (a remote store)
        self._cache = ByteBoundedCache(max_bytes)
        self.things = Things(dataset, urls)
        self.locator = Locator(dataset, urls)
        self._context_lock = threading.Lock()
        self._context: JsonLdContext | None = None

    @cached_property
    def profile(self) -> Profile:
        """The dataset's profile (title, licence, …): as given, else read from the data once."""
        given = self.given_profile
        if callable(given):
            return given()
        return given or read_profile(self.dataset)

    @cached_property
    def ontologies(self) -> dict[str, str]:
        """`name`, `name/1.0.0` → the ontology IRI they serve."""
        return ontology_paths(self.dataset, self.urls)

    @property
    def context(self) -> JsonLdContext:
        """The JSON-LD context of this version: built once (it reads every predicate of the
        data, so `prepare` builds it in the background before a request needs it)."""
        with self._context_lock:
            if self._context is None:
                self._context = build_context(self.dataset, self.urls)
            return self._context

    def prepare(self) -> threading.Thread:
        """Build what a first request would otherwise wait for, on a background thread."""
        thread = threading.Thread(target=self._prepare, name="representations", daemon=True)
        thread.start()
        return thread

    def _prepare(self) -> None:
        """The background thread: never raise (a store that cannot be read now is the first
        request's to report, as a 503; here it is one log line)."""
        try:
            self.context  # noqa: B018  # the property builds and keeps it
            warn_hidden(self.dataset, self.urls)  # data IRIs the site's own paths hide
        except PublisherError as error:
            log.warning("preparing the JSON-LD context ahead of requests failed: %s", error)
        except Exception:
            log.exception("preparing the JSON-LD context ahead of requests failed")

    def forget(self, drop: Callable[[Hashable], bool]) -> None:
        """Drop cached entries (a page that said the dumps were being prepared, say)."""
        self._cache.forget(drop)

    @property
    def cache_bytes(self) -> int:
        """Bytes of rendered representations held now (bounded by `max_bytes`)."""
        return self._cache.size

    def cached(self, key: Hashable) -> Rendered | None:
        """A representation already rendered, or None: the fast path of every request."""
        return self._cache.get(key)

    def thing_at(self, path: str) -> str:
        """The thing `/doc/{path}` is about: `{base}id/path` (the `/id/` scheme) if described,
        else the slash IRI `{base}path`."""
        if self.things.look_up_now(path) is True:
            return self.urls.thing(path)
        found = self.locator.at_doc(path)
        return found.iri if found is not None and found.kind == "thing" else self.urls.thing(path)

    def document(self, path: str, fmt: Format) -> Rendered:
        """The document about the thing at `path` in an RDF format."""
        return self._get(
            document_key(path, fmt),
            lambda: serialize(
                describe(
                    self.dataset, self.urls, self.thing_at(path), license=self.profile.license
                ),
                fmt,
                self.urls,
                self.context,
            ),
            fmt.extension,
        )

    def page_document(self, path: str, fmt: Format) -> Rendered:
        """The hash document served at `/{path}` (`card`: `card#i`, `card#key`…) in an RDF
        format: every IRI sharing it, its primary topic as the data says or the first one."""
        return self._get(
            page_document_key(path, fmt), lambda: self._page_document(path, fmt), fmt.extension
        )

    def _page_document(self, path: str, fmt: Format) -> bytes:
        doc_iri = self.urls.slash_thing(path)
        members = catalog_of(self.dataset).members(doc_iri)
        topic = primary_topic(self.dataset.store, doc_iri, members) if members else doc_iri
        document = describe_document(
            self.dataset, self.urls, doc_iri, members, topic, license=self.profile.license
        )
        return serialize(document, fmt, self.urls, self.context)

    def vocabulary(self, path: str, fmt: Format) -> Rendered:
        """The vocabulary whose `owl:Ontology` IRI is `{base}{path}` (or `…#`), at `/{path}`."""
        doc_iri = self.urls.slash_thing(path)
        iri = vocabulary_of(catalog_of(self.dataset), doc_iri) or doc_iri
        members = catalog_of(self.dataset).members(doc_iri)
        return self._get(
            ontology_key(iri, fmt),
            lambda: serialize(
                describe_ontology(self.dataset, self.urls, iri, members),
                fmt,
                self.urls,
                self.context,
            ),
            fmt.extension,
        )

    def ontology(self, path: str, fmt: Format) -> Rendered:
        """The ontology document served at `/def/{path}` in an RDF format."""
        iri = self.ontologies[path]
        return self._get(
            ontology_key(iri, fmt),
            lambda: serialize(
                describe_ontology(self.dataset, self.urls, iri), fmt, self.urls, self.context
            ),
            fmt.extension,
        )

    def html(
        self, key: tuple[str, ...], lang: str, render: Callable[[], str], *, replace: bool = False
    ) -> Rendered:
        """An HTML page, keyed by what it shows and its language; `render` makes it once (or
        again, in place of what is kept, with `replace`: a page whose inputs changed)."""
        if replace:
            rendered = Rendered.of(render().encode(), self.dataset.version, f"html-{lang}")
            return self._cache.keep(html_key(key, lang), rendered, replace=True)
        return self._get(html_key(key, lang), lambda: render().encode(), f"html-{lang}")

    def context_document(self) -> Rendered:
        """The published JSON-LD context."""
        return self._get(CONTEXT_KEY, self.context.to_bytes, "context")

    def warm(self) -> int:
        """Render every RDF document now (for benchmarks and exports); returns how many are
        held (fewer than rendered when they exceed the byte bound)."""
        for path in self.things:
            for fmt in RDF_DOCUMENT_FORMATS:
                self.document(path, fmt)
        for path in sorted(self.ontologies):
            for fmt in RDF_DOCUMENT_FORMATS:
                self.ontology(path, fmt)
        if self.dataset.catalog is not None:
            for path in list_documents(self.dataset, self.urls).documents:
                found, _ = self.locator.at_root(path)
                for fmt in RDF_DOCUMENT_FORMATS:
                    if found is not None and found.kind == "ontology":
                        self.vocabulary(path, fmt)
                    else:
                        self.page_document(path, fmt)
        self.context_document()
        return len(self._cache)

    def _get(self, key: Hashable, render: Callable[[], bytes], variant: str) -> Rendered:
        found = self._cache.get(key)
        if found is None:
            # Two threads may render the same key at once; both get equal bytes, one is kept.
            found = self._cache.keep(key, Rendered.of(render(), self.dataset.version, variant))
        return found
