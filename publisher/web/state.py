"""What one app holds while it serves, typed, in one object on `app.state`.

Routes read it through `state_of(request)` rather than `getattr(request.app.state, …)`: a typo
is then a type error, and every cache keyed by the dataset version is listed here.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp

from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.discovery.dumps import DumpStatus
from publisher.discovery.void import Published
from publisher.documents.cache import Representations
from publisher.sparql.endpoint import SparqlEndpoint
from publisher.urls import Urls

STATE_ATTRIBUTE = "publisher"

DUMPS_GRACE = 1.0
"""Seconds a request waits for dumps being written before it says they are being prepared:
a small dataset's dumps are written by then, a big one's never hold a request longer."""


class NotLoaded(RuntimeError):
    """The app was asked for its dataset before its lifespan loaded it (a bug, a 500)."""


@dataclass
class AppState:
    """The settings, the dataset being served, and what is derived from them.

    `dataset` is replaced when a remote store publishes a new version; `representations` and
    `sparql_descriptions` belong to one version and are dropped with it.
    """

    settings: Settings
    urls: Urls
    published: Published
    loaded: Dataset | None = None
    sparql: SparqlEndpoint | None = None
    cached: Representations | None = None
    sparql_descriptions: dict[str, bytes] = field(default_factory=dict)
    health: Any = None  # the /health monitor (publisher.web.routes.health), started on use
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def dataset(self) -> Dataset:
        if self.loaded is None:
            raise NotLoaded("the dataset is not loaded yet (the app's lifespan did not run)")
        return self.loaded

    def replace_dataset(self, dataset: Dataset) -> None:
        """Serve a new version: its caches start empty, its ETags carry its version, and its
        whole-dataset work (dumps, the JSON-LD context) starts in the background."""
        self.loaded = dataset
        self.cached = None
        self.sparql_descriptions = {}
        if self.sparql is not None:
            self.sparql.dataset = dataset
        self.prepare()

    def prepare(self) -> None:
        """Start writing the served version's dumps and building its JSON-LD context on
        background threads, so no request does either (the lifespan calls this at start)."""
        dataset = self.dataset
        self.representations().prepare()
        self.published.dump_store.start(
            dataset, self.urls, when_done=lambda: self._dumps_written(dataset)
        )

    def dump_status(self, wait: float | None = None) -> DumpStatus:
        """How far the served version's dumps are; never waits longer than `wait` (default
        DUMPS_GRACE)."""
        wait = DUMPS_GRACE if wait is None else wait
        dataset = self.dataset
        status = self.published.dump_store.start(
            dataset, self.urls, when_done=lambda: self._dumps_written(dataset)
        )
        if status.state == "preparing" and wait > 0:
            status = self.published.dump_store.status(dataset, self.urls, wait)
        return status

    def _dumps_written(self, dataset: Dataset) -> None:
        """Pages rendered while the dumps were being prepared say so: drop them now."""
        cached = self.cached
        if cached is not None and cached.dataset is dataset:
            cached.forget(lambda key: isinstance(key, tuple) and key[:2] == ("html", "page"))

    def representations(self) -> Representations:
        """The document cache of the dataset being served (a new version gets a fresh one)."""
        dataset = self.dataset
        with self._lock:
            if self.cached is None or self.cached.dataset is not dataset:
                max_bytes = self.settings.document_cache_bytes
                self.cached = Representations(dataset, self.urls, max_bytes=max_bytes)
            return self.cached


def state_of(request: Request) -> AppState:
    """The state of the app answering `request`."""
    return state_of_app(request.app)


def state_of_app(app: ASGIApp) -> AppState:
    """The state `create_app` stored on `app`."""
    app_state = app.state  # type: ignore[attr-defined]  # create_app's app: a Starlette app
    state: AppState = getattr(app_state, STATE_ATTRIBUTE)
    return state
