"""Which document a path of the namespace names, whatever the shape of the data's IRIs.

The `/id/` scheme (`{base}id/X` → `/doc/X`, ontologies at `/def/`) is `Things`'s. Data brought by
a publisher has its own shapes (decision 0011), told apart by the catalog, one indexed lookup
each and never a scan of the store:

- `{base}P` holds hash IRIs (`{base}P#i`): a document, served as it is at `/P` (200);
- `{base}P` is an `owl:Ontology`, or `{base}P#` is (the W3C names its vocabularies by their hash
  namespace, `…/ns/shacl#`): its vocabulary, served at `/P`;
- `{base}P` is described otherwise: a thing, `/P` answers 303 to its document `/doc/P`;
- a path a route of the site answers (`urls.reserved`) is never a data document.

Answers are remembered per dataset version, positive and negative, in a bounded table.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

import anyio
import pyoxigraph as ox
from cachetools import LRUCache

from publisher.catalog import Catalog
from publisher.dataset import Dataset
from publisher.documents.moved import replacement_of
from publisher.errors import StoreUnavailable
from publisher.formats import DOCUMENT_FORMATS, Format, split_extension
from publisher.urls import RESERVED_PATHS, RESERVED_STARTS, Urls, reserved
from publisher.vocab import DCTERMS_IS_REPLACED_BY, OWL_ONTOLOGY, RDF_TYPE

log = logging.getLogger(__name__)

KNOWN = 65536
"""How many answers are remembered per version (as `Things` does for /id/ paths)."""
REMEMBERED_MISS = 1024
"""A path longer than this that names nothing is looked up again rather than remembered:
65,536 misses of 16 KB paths (what a client may send) would pin a gigabyte."""

Kind = Literal["thing", "document", "ontology", "moved"]
Answer = tuple["Found | None", Format | None]


@dataclass(frozen=True)
class Found:
    """What a path names: a thing (303 to `/doc/…`), a document or a vocabulary served at its
    own IRI, or a moved IRI (`iri` is then the one replacing it)."""

    kind: Kind
    iri: str


@dataclass(frozen=True)
class Listing:
    """Every document of the dataset by where it is served (for warm-up, sitemap and export)."""

    things: tuple[str, ...]
    """`/doc/{path}`: the `/id/` scheme's things (`{base}id/path`) and slash IRIs (`{base}path`)."""
    documents: tuple[str, ...]
    """`/{path}`: hash documents and vocabularies at their own namespace IRI."""
    hidden: tuple[str, ...]
    """Document IRIs not served: a route of the site answers their path."""


def catalog_of(dataset: Dataset) -> Catalog:
    """The dataset's catalog; a store that has not answered yet has none (503, retried)."""
    if dataset.catalog is None:
        raise StoreUnavailable(dataset.base_iri, "its catalog is not built yet")
    return dataset.catalog


def classify(catalog: Catalog, iri: str) -> Kind | None:
    """What `{base}P` (no `#`) is, from the catalog alone; None when nothing describes it."""
    if vocabulary_of(catalog, iri) is not None:
        return "ontology"
    if catalog.describes(iri):
        return "document" if catalog.holds_hash_iris(iri) else "thing"
    return "document" if catalog.holds_hash_iris(iri) else None


def vocabulary_of(catalog: Catalog, doc_iri: str) -> str | None:
    """The `owl:Ontology` served at the document `doc_iri` (no `#`): `doc_iri` itself, or its
    hash namespace `doc_iri#` (so `/shacl` is the SHACL vocabulary's page, not a hash document
    of its thousand terms); None when neither is an ontology."""
    for iri in (doc_iri, doc_iri + "#"):
        if catalog.describes(iri) and OWL_ONTOLOGY.value in catalog.types_of(iri):
            return iri
    return None


class Locator:
    """`/P`, `/P.ttl` and `/doc/P` of one dataset version → what they serve."""

    def __init__(self, dataset: Dataset, urls: Urls) -> None:
        self.dataset = dataset
        self.urls = urls
        self._lock = threading.Lock()
        self._known: LRUCache[tuple[str, str], Answer] = LRUCache(maxsize=KNOWN)

    def at_root(self, path: str) -> tuple[Found | None, Format | None]:
        """What `/{path}` serves: the whole path first (`{base}a.ttl` may be a thing), else
        its stem in the format its extension names (documents and vocabularies only)."""
        return self._remember(("root", path), lambda: self._at_root(path))

    def at_doc(self, path: str) -> Found | None:
        """The slash IRI `{base}path` whose document is `/doc/{path}` (the `/id/` scheme's
        `{base}id/path` is looked up first, by `Things`)."""
        found, _ = self._remember(("doc", path), lambda: (self._slash(path), None))
        return found

    async def at_root_async(self, path: str) -> tuple[Found | None, Format | None]:
        """`at_root` for the event loop: a path not yet known is looked up on a worker thread."""
        with self._lock:
            known = self._known.get(("root", path))
        if known is not None:
            return known
        return await anyio.to_thread.run_sync(self.at_root, path)

    async def at_doc_async(self, path: str) -> Found | None:
        with self._lock:
            known = self._known.get(("doc", path))
        if known is not None:
            return known[0]
        return await anyio.to_thread.run_sync(self.at_doc, path)

    def _remember(self, key: tuple[str, str], look: Callable[[], Answer]) -> Answer:
        with self._lock:
            known = self._known.get(key)
        if known is None:
            known = look()
            if known[0] is not None or len(key[1]) <= REMEMBERED_MISS:
                with self._lock:
                    self._known[key] = known
        return known

    def _at_root(self, path: str) -> tuple[Found | None, Format | None]:
        found = self._named(path)
        if found is not None:
            return found, None
        stem, fmt = split_extension(path, DOCUMENT_FORMATS)
        if fmt is None:
            return None, None
        found = self._named(stem)
        if found is None or found.kind == "thing":  # a thing's formats are at /doc/{stem}.ext
            return None, None
        return found, fmt

    def _named(self, path: str) -> Found | None:
        if not path or reserved(path) or "#" in path:
            return None
        iri = self.urls.slash_thing(path)
        kind = classify(catalog_of(self.dataset), iri)
        if kind is None:
            return None
        replacement = replacement_of(self.dataset.store, iri) if kind == "thing" else None
        return Found("moved", replacement) if replacement else Found(kind, iri)

    def _slash(self, path: str) -> Found | None:
        found = self._named(path)
        return found if found is not None and found.kind in ("thing", "moved") else None


def list_documents(dataset: Dataset, urls: Urls) -> Listing:
    """Every document the dataset has, from the catalog (one pass over its document index)."""
    catalog = catalog_of(dataset)
    moved = set(_moved_subjects(dataset, urls))
    ontologies = {
        q.subject.value.removesuffix("#")  # `…/shacl#` is served at `…/shacl`
        for q in dataset.store.quads_for_pattern(None, RDF_TYPE, OWL_ONTOLOGY, None)
        if isinstance(q.subject, ox.NamedNode)
    }
    things: list[str] = []
    documents: list[str] = []
    hiding: list[str] = []
    thing_prefix = urls.thing("")
    for doc, described, holds_hash_iris in catalog.document_shapes():
        if doc in moved:
            continue
        if doc.startswith(thing_prefix):  # the `/id/` scheme: `{base}id/X` → /doc/X
            path = urls.local_path(doc)
            if path and described:
                things.append(path)
            continue
        path = urls.path_of(doc)
        if path is None:
            if hidden(urls, doc):
                hiding.append(doc)
        elif (described and doc in ontologies) or holds_hash_iris:
            documents.append(path)
        elif described:
            things.append(path)
    return Listing(tuple(sorted(set(things))), tuple(documents), tuple(hiding))


def _moved_subjects(dataset: Dataset, urls: Urls) -> Iterator[str]:
    """Every moved IRI of the namespace (they answer 301: no document of their own)."""
    for quad in dataset.store.quads_for_pattern(None, DCTERMS_IS_REPLACED_BY, None, None):
        if isinstance(quad.subject, ox.NamedNode) and urls.is_local(quad.subject.value):
            yield quad.subject.value


def hidden(urls: Urls, doc: str) -> bool:
    """Whether the document IRI `doc` is of the namespace but not served: a route of the site
    answers its path (the `/id/` and `/def/` schemes are served by their own routes)."""
    return (
        urls.is_local(doc)
        and doc != urls.base_iri  # the dataset itself: the home page speaks for it
        and urls.path_of(doc) is None
        and not doc.startswith((urls.thing(""), urls.ontology("")))
    )


def warn_hidden(dataset: Dataset, urls: Urls) -> list[str]:
    """One log line when data IRIs collide with the site's own paths (they are not served);
    returns those document IRIs. Reads only the index ranges of the reserved paths: the `/id/`
    and `/def/` schemes, served by their own routes, are not read (at start-up, a read of every
    document took seconds at a million)."""
    if dataset.catalog is None:
        return []
    served = (urls.thing(""), urls.ontology(""))
    starts = [urls.base_iri + path for path in RESERVED_STARTS]
    candidates = dataset.catalog.documents_at(
        (start for start in starts if not start.startswith(served)),
        (urls.base_iri + path for path in RESERVED_PATHS),
    )
    found = [doc for doc in candidates if hidden(urls, doc)]
    if found:
        shown = ", ".join(urls.public(iri) for iri in found[:5])
        more = f" and {len(found) - 5} more" if len(found) > 5 else ""
        log.warning(
            "%d document(s) of the data are not served, their path being one of the site's "
            "own (docs/http.md, reserved paths): %s%s",
            len(found),
            shown,
            more,
        )
    return found
