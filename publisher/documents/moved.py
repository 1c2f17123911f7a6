"""Moved IRIs: where a published IRI that the data replaced (`dcterms:isReplacedBy`) now lives.

A published IRI never just disappears: when a dataset renames a resource, it keeps the old IRI
with one triple, `<old> dcterms:isReplacedBy <new>`. The server answers the old IRI and its
documents with `301 Moved Permanently` to the new ones, and the static export writes the same
redirects into its nginx configuration.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Literal

import pyoxigraph as ox

from publisher.dataset import Dataset, ReadStore
from publisher.formats import Format
from publisher.urls import THING_PREFIX, Urls
from publisher.vocab import DCTERMS_IS_REPLACED_BY


def moved_location(urls: Urls, replacement: str, document: Format | Literal["doc"] | None) -> str:
    """Where a request for a moved thing goes: the replacement's IRI (`document` None), its
    generic document (`"doc"`), or its document in one format, all on the public origin. A
    replacement outside the dataset's things is sent to as it is."""
    path = urls.local_path(replacement)
    if path is None or document is None:
        return urls.public(replacement)
    return urls.absolute(urls.document(path, None if document == "doc" else document))


def replacement_of(store: ReadStore, iri: str) -> str | None:
    """The IRI that replaces `iri` (`dcterms:isReplacedBy`), if it moved."""
    for quad in store.quads_for_pattern(ox.NamedNode(iri), DCTERMS_IS_REPLACED_BY, None, None):
        if isinstance(quad.object, ox.NamedNode):
            return quad.object.value
    return None


def moved_iris(dataset: Dataset, urls: Urls) -> dict[str, str]:
    """Every moved thing's path → the IRI that replaces it (canonical), for the static export."""
    moved: dict[str, str] = {}
    for quad in dataset.store.quads_for_pattern(None, DCTERMS_IS_REPLACED_BY, None, None):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
            path = urls.local_path(quad.subject.value)
            if path:
                moved[path] = quad.object.value
    return moved


def moved_elsewhere(dataset: Dataset, urls: Urls) -> dict[str, str]:
    """Moved slash IRIs outside the `/id/` scheme (`{base}robert`): path → the IRI replacing
    it, for the static export (paths with characters a configuration line would need escaped
    are left to the live server)."""
    moved: dict[str, str] = {}
    for quad in dataset.store.quads_for_pattern(None, DCTERMS_IS_REPLACED_BY, None, None):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
            iri = quad.subject.value
            path = urls.path_of(iri)
            if path and "#" not in iri and _PLAIN_PATH.fullmatch(path):
                moved[path] = quad.object.value
    return moved


_PLAIN_PATH = re.compile(r"[A-Za-z0-9._~:@!&()*+,=%/-]+")


def moved_redirects(
    urls: Urls,
    moved: Mapping[str, str],
    formats: Sequence[Format],
    elsewhere: Mapping[str, str] | None = None,
) -> tuple[tuple[str, str], ...]:
    """Every URL of every moved thing (its IRI, its generic document, its document in each
    format) and where it redirects, server paths first: what the static export writes.
    `elsewhere`: moved slash IRIs of other shapes (`moved_elsewhere`), answered at `/{path}`."""
    pairs: list[tuple[str, str]] = []
    for path, replacement in sorted((elsewhere or {}).items()):
        pairs.append((f"/{path}", moved_location(urls, replacement, None)))
        pairs.append((urls.document(path), moved_location(urls, replacement, "doc")))
        pairs += [(urls.document(path, f), moved_location(urls, replacement, f)) for f in formats]
    for path, replacement in sorted(moved.items()):
        pairs.append((f"/{THING_PREFIX}{path}", moved_location(urls, replacement, None)))
        pairs.append((urls.document(path), moved_location(urls, replacement, "doc")))
        pairs += [(urls.document(path, f), moved_location(urls, replacement, f)) for f in formats]
    return tuple(pairs)
