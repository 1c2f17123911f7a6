"""Fragments of one served dataset version: the catalog's figures read once, pages selected,
and the bytes of recent pages kept (a bounded LRU) so a popular fragment costs one lookup.

An embedded store (memory, disk) is read through its quad index (`select`); a SPARQL server
through a SELECT per page and cached COUNTs (`remote`). The bytes kept here spare either the
repeated requests.

Blank nodes are written as skolem IRIs made of the store's ids (`skolem`), which every
store keeps for a dataset version: a disk store and a SPARQL server store them, and a memory
store names each file's nodes the same way at every load (`sources.BlankNodeNames`), so two
worker processes or a restart give a node the same IRI and the ETag needs only the version.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field

from publisher.dataset import Dataset
from publisher.fragments.controls import Addresses
from publisher.fragments.pattern import Pattern, parse_page, parse_pattern
from publisher.fragments.remote import RemoteCounts, is_remote, remote_page
from publisher.fragments.select import Figures, Page, select_page
from publisher.urls import Urls

KEPT_BYTES = 32 * 1024 * 1024
"""Bytes of rendered pages kept per process (a 100-triple page is a few KB to tens of KB)."""


@dataclass(frozen=True)
class Request:
    """What a fragment request asks for, parsed: the pattern, the page, and the query string
    as it was sent (the page's own IRI in its metadata is the URL the client fetched)."""

    pattern: Pattern
    number: int
    requested_query: str

    @classmethod
    def parse(cls, params: Mapping[str, list[str]], query: str, urls: Urls) -> Request:
        """Raises PatternError (a 400) for a malformed term, page or repeated parameter."""
        return cls(parse_pattern(params, urls), parse_page(params), query)


@dataclass
class Fragments:
    """The fragments of one dataset version (a new version gets a new one)."""

    dataset: Dataset
    urls: Urls
    page_size: int
    kept_bytes: int = KEPT_BYTES
    _figures: Figures | None = field(default=None, repr=False)
    _counts: RemoteCounts = field(default_factory=RemoteCounts, repr=False)
    _kept: OrderedDict[Hashable, bytes] = field(default_factory=OrderedDict, repr=False)
    _size: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def figures(self) -> Figures:
        if self._figures is None:
            self._figures = Figures.of(self.dataset)
        return self._figures

    def page(self, request: Request) -> tuple[Addresses, Page]:
        """The addresses and the selected page of a request."""
        at = Addresses.of(self.urls, request.pattern, request.requested_query)
        pattern, number, size = request.pattern, request.number, self.page_size
        if is_remote(self.dataset):
            found = remote_page(self.dataset, self.figures, self._counts, pattern, number, size)
        else:
            found = select_page(self.dataset, self.figures, pattern, number, size)
        return at, found

    def etag(self, request: Request, variant: str) -> str:
        """A strong validator: the dataset version, the request as sent, the variant (format,
        language); equal bytes for equal inputs, since selection and writing are stable."""
        key = "\n".join((self.dataset.version, request.requested_query, variant))
        return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'

    def rendered(self, key: Hashable, render: Callable[[], bytes]) -> bytes:
        """The bytes for `key`, rendered once while they stay among the recently used."""
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        body = render()
        with self._lock:
            if key not in self._kept and len(body) <= self.kept_bytes // 8:
                self._kept[key] = body
                self._size += len(body)
                while self._size > self.kept_bytes:
                    _, dropped = self._kept.popitem(last=False)
                    self._size -= len(dropped)
        return body
