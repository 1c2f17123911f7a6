"""Rendered documents, computed once per dataset version and kept with their ETags.

The data is read-only while served, so each (document, format[, language]) is rendered once and
every later request only looks up bytes. One `Representations` belongs to one `Dataset`: a new
dataset version gets a new, empty cache. Keys come from known resources and a fixed set of
formats and languages only, so the cache cannot grow with arbitrary requests.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import cached_property

from publisher.dataset import Dataset
from publisher.documents.describe import describe, describe_ontology, ontology_paths, thing_paths
from publisher.documents.jsonld_context import JsonLdContext, build_context
from publisher.documents.serialize import serialize
from publisher.formats import RDF_DOCUMENT_FORMATS, Format
from publisher.profile import Profile, read_profile
from publisher.urls import Urls

GZIP_MINIMUM = 500
"""Bodies smaller than this are sent as they are: gzip would save next to nothing."""


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


def ontology_key(iri: str, fmt: Format) -> Hashable:
    """The cache key of an ontology document in an RDF format."""
    return ("def", iri, fmt.extension)


def html_key(key: tuple[str, ...], lang: str) -> Hashable:
    """The cache key of an HTML page: what it shows (`("doc", path)`, …) and its language."""
    return ("html", *key, lang)


CONTEXT_KEY = ("context",)


class Representations:
    """The cache of one dataset version's documents, the JSON-LD context, and what exists."""

    def __init__(self, dataset: Dataset, urls: Urls, profile: Profile | None = None) -> None:
        self.dataset = dataset
        self.urls = urls
        self.given_profile = profile
        self._cache: dict[Hashable, Rendered] = {}

    @cached_property
    def profile(self) -> Profile:
        """The dataset's profile (title, licence, …): as given, else read from the data once."""
        return self.given_profile or read_profile(self.dataset)

    @cached_property
    def things(self) -> frozenset[str]:
        """`type/slug` of every thing that dereferences; anything else under /id/ is a 404."""
        return thing_paths(self.dataset, self.urls)

    @cached_property
    def ontologies(self) -> dict[str, str]:
        """`name`, `name/1.0.0` → the ontology IRI they serve."""
        return ontology_paths(self.dataset, self.urls)

    @cached_property
    def context(self) -> JsonLdContext:
        return build_context(self.dataset, self.urls)

    def cached(self, key: Hashable) -> Rendered | None:
        """A representation already rendered, or None: the fast path of every request."""
        return self._cache.get(key)

    def document(self, path: str, fmt: Format) -> Rendered:
        """The document about the thing at `path` in an RDF format."""
        return self._get(
            document_key(path, fmt),
            lambda: serialize(
                describe(
                    self.dataset, self.urls, self.urls.thing(path), license=self.profile.license
                ),
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

    def html(self, key: tuple[str, ...], lang: str, render: Callable[[], str]) -> Rendered:
        """An HTML page, keyed by what it shows and its language; `render` makes it once."""
        return self._get(html_key(key, lang), lambda: render().encode(), f"html-{lang}")

    def context_document(self) -> Rendered:
        """The published JSON-LD context."""
        return self._get(CONTEXT_KEY, self.context.to_bytes, "context")

    def warm(self) -> int:
        """Render every RDF document now (for benchmarks and exports); returns how many."""
        for path in sorted(self.things):
            for fmt in RDF_DOCUMENT_FORMATS:
                self.document(path, fmt)
        for path in sorted(self.ontologies):
            for fmt in RDF_DOCUMENT_FORMATS:
                self.ontology(path, fmt)
        self.context_document()
        return len(self._cache)

    def _get(self, key: Hashable, render: Callable[[], bytes], variant: str) -> Rendered:
        found = self._cache.get(key)
        if found is None:
            # Two threads may render the same key at once; both get equal bytes, one is kept.
            found = self._cache.setdefault(
                key, Rendered.of(render(), self.dataset.version, variant)
            )
        return found
