"""What one app holds while it serves, typed, in one object on `app.state`.

Routes read it through `state_of(request)` rather than `getattr(request.app.state, …)`: a typo
is then a type error, and every cache keyed by the dataset version is listed here.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp

from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.discovery.dump_store import DumpStatus
from publisher.discovery.dumps import DUMPS_PATH
from publisher.discovery.void import Published
from publisher.documents.cache import Representations
from publisher.pages.render import page_languages_of, render_site_page
from publisher.sparql.endpoint import SparqlEndpoint
from publisher.urls import Urls

STATE_ATTRIBUTE = "publisher"
HOME_PAGE = ("page", "index")
"""What the home page's cache key says it shows (as in web/routes/pages.py)."""
log = logging.getLogger("publisher.web")

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
    _dumps_watched: Dataset | None = field(default=None, repr=False)

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
        """Start writing the served version's dumps, building its JSON-LD context and rendering
        its home page (counts over the whole dataset) on background threads, so no request
        does any of it (the lifespan calls this at start)."""
        dataset = self.dataset
        self.representations().prepare()
        self._start_dumps(dataset)
        threading.Thread(
            target=self.warm_home, args=(dataset,), name="home page", daemon=True
        ).start()

    def warm_home(self, dataset: Dataset, *, replace: bool = False) -> None:
        """Render the home page in every language into the cache, as its route would (the same
        function and arguments, hence the same bytes): it counts over the whole dataset. With
        `replace`, what is kept is replaced: a render started before the dumps were written
        may have put a page without them there meanwhile."""
        try:
            reps = self.representations()
            if reps.dataset is not dataset:
                return  # a newer version is served already
            urls = self.urls
            profile = self.published.profile(dataset, urls)
            written = self.published.dump_store.status(dataset, urls).dumps
            dumps = [
                {"name": f.kind.label, "url": f"/{DUMPS_PATH}{f.name}", "media_type": f.media_type}
                for f in (written.files if written is not None else ())
            ]
            for lang in page_languages_of(self):
                reps.html(
                    HOME_PAGE,
                    lang,
                    lambda lang=lang: render_site_page(  # type: ignore[misc]
                        "index", dataset, urls, lang, profile, dumps
                    ),
                    replace=replace,
                )
        except Exception:  # the route renders it then; say why it could not be done ahead
            log.exception("rendering the home page ahead of requests failed")

    def dump_status(self, wait: float | None = None) -> DumpStatus:
        """How far the served version's dumps are; never waits longer than `wait` (default
        DUMPS_GRACE)."""
        wait = DUMPS_GRACE if wait is None else wait
        dataset = self.dataset
        status = self._start_dumps(dataset)
        if status.state == "preparing" and wait > 0:
            status = self.published.dump_store.status(dataset, self.urls, wait)
        return status

    def _start_dumps(self, dataset: Dataset) -> DumpStatus:
        """Start (or find) the dumps of `dataset`, asking once per version to be told when
        they are written."""
        first = self._dumps_watched is not dataset
        self._dumps_watched = dataset
        when_done = (lambda: self._dumps_written(dataset)) if first else None
        return self.published.dump_store.start(dataset, self.urls, when_done=when_done)

    def _dumps_written(self, dataset: Dataset) -> None:
        """Pages rendered while the dumps were being prepared lack them: drop them now, and
        render the home page again (this runs on the dumps' background thread)."""
        cached = self.cached
        if cached is not None and cached.dataset is dataset:
            cached.forget(lambda key: isinstance(key, tuple) and key[:2] == ("html", "page"))
            self.warm_home(dataset, replace=True)

    def representations(self) -> Representations:
        """The document cache of the dataset being served (a new version gets a fresh one)."""
        dataset = self.dataset
        with self._lock:
            if self.cached is None or self.cached.dataset is not dataset:
                max_bytes = self.settings.document_cache_bytes
                # the profile with the overrides, read when first needed (a remote store may
                # not answer yet)
                profile = partial(self.published.profile, dataset, self.urls)
                self.cached = Representations(
                    dataset, self.urls, max_bytes=max_bytes, profile=profile
                )
            return self.cached


def state_of(request: Request) -> AppState:
    """The state of the app answering `request`."""
    return state_of_app(request.app)


def state_of_app(app: ASGIApp) -> AppState:
    """The state `create_app` stored on `app`."""
    app_state = app.state  # type: ignore[attr-defined]  # create_app's app: a Starlette app
    state: AppState = getattr(app_state, STATE_ATTRIBUTE)
    return state
