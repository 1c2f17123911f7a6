"""A remote store that is not there: the publisher starts anyway, answers 503 with Retry-After
wherever the data is needed (home page included), and serves the data once the server answers,
without a restart; the same when the server stops and comes back while serving.

Real Oxigraph servers (the `oxigraph` package), stopped and started on the same port.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from remote_servers import OxigraphServer
from sparql_support import serve

from publisher.config import PROJECT_ROOT, Settings
from publisher.dataset import Dataset
from publisher.stores import open_dataset
from publisher.stores.remote import push_to_remote
from publisher.web.app import create_app

BASE = "https://w3id.org/gcm-arab-review/"
DATA_ROUTES = ("/", "/doc/country/ma.ttl", "/id/country/ma", "/void.ttl")


def settings_for(server: OxigraphServer, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "base_iri": BASE,
        "data": [str(PROJECT_ROOT / "data")],
        "ontology": [str(PROJECT_ROOT / "ontology")],
        "shapes": [str(PROJECT_ROOT / "shapes")],
        "store": server.query_url,
        "remote_gsp": server.gsp_url,
        "remote_timeout": 3.0,
        "remote_check_interval": 0.0,
        "max_concurrent_queries": 2,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@contextmanager
def publishing(settings: Settings, dataset: Dataset) -> Iterator[httpx.Client]:
    app = create_app(settings, dataset)
    with serve(lambda _origin: app) as url, httpx.Client(base_url=url, timeout=30) as http:
        yield http


def assert_unavailable(http: httpx.Client) -> None:
    for path in DATA_ROUTES:
        answer = http.get(path, headers={"Accept": "application/json"})
        assert answer.status_code == 503, (path, answer.status_code, answer.text[:300])
        assert answer.headers["Retry-After"].isdigit(), path
        assert "not answering" in answer.text and "Traceback" not in answer.text, path
    query = http.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})
    assert query.status_code == 503 and query.headers["Retry-After"].isdigit(), query.text


def wait_until_served(http: httpx.Client) -> None:
    deadline = time.monotonic() + 30
    while http.get("/doc/country/ma.ttl").status_code != 200:
        assert time.monotonic() < deadline, "the store's return was not noticed"
        time.sleep(0.1)


def assert_served(http: httpx.Client) -> None:
    for path in ("/", "/doc/country/ma.ttl", "/void.ttl"):
        answer = http.get(path)
        assert answer.status_code == 200, (path, answer.text[:300])
    assert http.get("/id/country/ma").status_code == 303
    query = http.post(
        "/sparql",
        data={"query": "ASK { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert query.status_code == 200 and query.json()["boolean"] is True


@pytest.fixture
def shipped() -> Dataset:
    return open_dataset(
        Settings(
            base_iri=BASE,
            data=[str(PROJECT_ROOT / "data")],
            ontology=[str(PROJECT_ROOT / "ontology")],
            shapes=[str(PROJECT_ROOT / "shapes")],
        )
    )


def test_a_store_absent_at_start_is_503_until_it_appears(tmp_path: Path, shipped: Dataset) -> None:
    server = OxigraphServer(tmp_path / "oxigraph")
    settings = settings_for(server)
    dataset = open_dataset(settings)  # nothing listens on the port yet: no error
    assert dataset.capabilities.changes
    try:
        with publishing(settings, dataset) as http:
            assert_unavailable(http)
            server.start()
            push_to_remote(shipped, settings)
            wait_until_served(http)
            assert_served(http)
            assert http.get("/health").json()["version"] == shipped.version
    finally:
        server.stop()


def test_a_store_that_stops_and_comes_back_while_served(tmp_path: Path, shipped: Dataset) -> None:
    server = OxigraphServer(tmp_path / "oxigraph")
    server.start()
    try:
        settings = settings_for(server)
        push_to_remote(shipped, settings)
        with publishing(settings, open_dataset(settings)) as http:
            assert_served(http)
            server.stop()
            for path in ("/doc/person/nasser-bourita.ttl", "/doc/country/eg.html"):
                answer = http.get(path, headers={"Accept": "application/json"})
                assert answer.status_code == 503 and answer.headers["Retry-After"], path
            server.start()  # the same port, the same database
            wait_until_served(http)
            assert_served(http)
            assert http.get("/doc/person/nasser-bourita.ttl").status_code == 200
    finally:
        server.stop()


def test_serve_starts_with_the_store_absent(tmp_path: Path) -> None:
    """The command itself: it does not exit; the store's absence is said once in the log."""
    import subprocess
    import sys

    from remote_servers import free_port

    server = OxigraphServer(tmp_path / "oxigraph")
    port = free_port()
    command = [sys.executable, "-m", "publisher", "serve", "--store", server.query_url,
               "--base-iri", BASE, "--port", str(port)]  # fmt: skip
    with (tmp_path / "log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "log").read_text()
            try:
                home = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, (tmp_path / "log").read_text()
                time.sleep(0.2)
        assert home.status_code == 503 and home.headers["Retry-After"].isdigit()
        assert "not answering" in (tmp_path / "log").read_text()
    finally:
        process.terminate()
        process.wait(30)
