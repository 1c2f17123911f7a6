"""Helpers for the dereferencing tests: the fixture dataset, an in-process client, graph checks."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import anyio
import httpx
import pyoxigraph as ox
from fastapi import FastAPI
from starlette.types import ASGIApp

from publisher.config import PROJECT_ROOT, Settings
from publisher.dataset import Dataset, Sources
from publisher.stores import open_dataset
from publisher.urls import Urls
from publisher.web.app import create_app
from publisher.web.state import state_of_app

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ld"
BASE = "https://data.example.org/ld/"
ORIGIN = "http://127.0.0.1:8765/"
REAL_DATA = sorted((PROJECT_ROOT / "data").glob("*.trig"))
REAL_ONTOLOGY = sorted((PROJECT_ROOT / "ontology").glob("*.ttl"))
REAL_BASE = "https://w3id.org/gcm-arab-review/"


def fixture_settings(origin: str | None = ORIGIN) -> Settings:
    return Settings(
        base_iri=BASE,
        public_origin=origin,
        data=[str(FIXTURES / "data.trig")],
        ontology=[str(FIXTURES / "ontology.ttl")],
        shapes=[],
    )


def fixture_dataset(settings: Settings | None = None) -> Dataset:
    """A fresh load of the fixture (blank nodes get new ids on every load)."""
    settings = settings or fixture_settings()
    sources = Sources(
        data=(FIXTURES / "data.trig",), ontology=(FIXTURES / "ontology.ttl",), shapes=()
    )
    return open_dataset(settings, sources)


def real_settings(origin: str | None = ORIGIN) -> Settings:
    return Settings(base_iri=REAL_BASE, public_origin=origin, shapes=[])


def real_dataset(settings: Settings) -> Dataset:
    """The repository's data (only `*.trig` under data/, not the article's text)."""
    return open_dataset(settings, Sources(tuple(REAL_DATA), tuple(REAL_ONTOLOGY), ()))


def urls_of(settings: Settings) -> Urls:
    return Urls(settings.base_iri, settings.origin)


class Client:
    """A synchronous in-process HTTP client: no socket, no redirects followed, and no default
    Accept or Accept-Encoding, so each test says exactly what it sends."""

    def __init__(self, app: ASGIApp) -> None:
        self.transport = httpx.ASGITransport(app=app)

    def request(
        self, method: str, url: str, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        async def go() -> httpx.Response:
            async with httpx.AsyncClient(
                transport=self.transport, base_url="http://testserver"
            ) as client:
                for name in ("accept", "accept-encoding"):
                    client.headers.pop(name, None)
                return await client.request(method, url, headers=headers)

        return anyio.run(go)

    def get(self, url: str, **headers: str) -> httpx.Response:
        return self.request("GET", url, _headers(headers))

    def head(self, url: str, **headers: str) -> httpx.Response:
        return self.request("HEAD", url, _headers(headers))

    def options(self, url: str, **headers: str) -> httpx.Response:
        return self.request("OPTIONS", url, _headers(headers))


def _headers(given: dict[str, str]) -> dict[str, str]:
    """`accept_language=` → `accept-language`."""
    return {name.replace("_", "-"): value for name, value in given.items()}


def make_client(settings: Settings, dataset: Dataset) -> Client:
    return Client(create_app(settings, dataset))


def canonical(quads: Iterable[ox.Quad]) -> ox.Dataset:
    """Quads with canonical blank-node labels: two isomorphic datasets compare equal."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def as_graph(quads: Iterable[ox.Quad]) -> ox.Dataset:
    """The triples of the quads in the default graph, canonicalised."""
    return canonical(ox.Quad(*q.triple) for q in quads)


def parse(body: bytes, fmt: ox.RdfFormat, base: str | None = None) -> list[ox.Quad]:
    return list(ox.parse(body, format=fmt, base_iri=base))


@contextmanager
def fixture_app() -> Iterator[FastAPI]:
    """The app over the fixture dataset; its SPARQL worker pool (started by a TestClient's
    lifespan, if one ran) is closed afterwards."""
    settings = fixture_settings()
    app = create_app(settings, fixture_dataset(settings))
    yield app
    endpoint = state_of_app(app).sparql
    if endpoint is not None:
        anyio.run(endpoint.pool.close)


# A sample value for each path parameter of the app's routes.
SAMPLE = {
    "path": "person/alice",
    "name": "SHA256SUMS",
    "ext": "ttl",
    "number": "1",
    "key": "foaf:Person",
    "label": "f0123456789abcdefn0",  # a blank node's id in a skolem IRI (/.well-known/genid/)
}


def route_paths(app: FastAPI) -> list[str]:
    """A concrete path for every route of the app, its parameters filled with samples."""
    paths: set[str] = set()
    for route in app.routes:
        inner = getattr(route, "original_router", None)
        for each in inner.routes if inner is not None else [route]:
            path = getattr(each, "path", None)
            if path:
                paths.add(re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: SAMPLE[m.group(1)], path))
    return sorted(paths)
