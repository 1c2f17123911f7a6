"""What one app holds while it serves, typed, in one object on `app.state`.

Routes read it through `state_of(request)` rather than `getattr(request.app.state, …)`: a typo
is then a type error, and every cache keyed by the dataset version is listed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.types import ASGIApp

from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.discovery.void import Published
from publisher.documents.cache import Representations
from publisher.sparql.endpoint import SparqlEndpoint
from publisher.urls import Urls

STATE_ATTRIBUTE = "publisher"


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

    @property
    def dataset(self) -> Dataset:
        if self.loaded is None:
            raise NotLoaded("the dataset is not loaded yet (the app's lifespan did not run)")
        return self.loaded

    def replace_dataset(self, dataset: Dataset) -> None:
        """Serve a new version: its caches start empty, its ETags carry its version."""
        self.loaded = dataset
        self.cached = None
        self.sparql_descriptions = {}
        if self.sparql is not None:
            self.sparql.dataset = dataset

    def representations(self) -> Representations:
        """The document cache of the dataset being served (a new version gets a fresh one)."""
        dataset = self.dataset
        if self.cached is None or self.cached.dataset is not dataset:
            self.cached = Representations(dataset, self.urls)
        return self.cached


def state_of(request: Request) -> AppState:
    """The state of the app answering `request`."""
    return state_of_app(request.app)


def state_of_app(app: ASGIApp) -> AppState:
    """The state `create_app` stored on `app`."""
    app_state = app.state  # type: ignore[attr-defined]  # create_app's app: a Starlette app
    state: AppState = getattr(app_state, STATE_ATTRIBUTE)
    return state
