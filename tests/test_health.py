"""/health answers from what the process knows: the store is checked in the background every
`health_check_interval` seconds, the triples counted once per version, the SPARQL runner's own
report read as it is. A store that hangs or fails makes /health a quick 503, not a slow one."""

from __future__ import annotations

import dataclasses
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.errors import StoreUnavailable
from publisher.stores import open_dataset
from publisher.web.app import create_app
from publisher.web.routes.health import HealthMonitor, monitor_of
from publisher.web.state import AppState, state_of_app

FIXTURES = Path(__file__).parent / "fixtures" / "dumps"
BASE = "https://w3id.org/gcm-arab-review/"
QUICK = 0.5
"""A generous bound for "answers within a few ms" (the check itself may hang for ever)."""


class FlakyStore:
    """A store whose queries hang (until released) or fail, as a remote server in an outage."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.hang = threading.Event()
        self.release = threading.Event()
        self.fail = False
        self.counts = 0

    def query(self, *args: Any, **kwargs: Any) -> Any:
        if self.hang.is_set():
            self.release.wait(30)
        if self.fail:
            raise StoreUnavailable("http://sparql.example/", "connection refused")
        return self.store.query(*args, **kwargs)

    def __len__(self) -> int:
        self.counts += 1
        return len(self.store)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.store)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def settings_in(folder: Path, interval: float = 0.05) -> Settings:
    return Settings(
        base_iri=BASE,
        data=[str(FIXTURES / "data.trig")],
        ontology=[str(FIXTURES / "ontology.ttl")],
        shapes=[str(FIXTURES / "shapes.ttl")],
        dump_dir=str(folder),
        health_check_interval=interval,
    )


@pytest.fixture()
def flaky(tmp_path: Path) -> Iterator[tuple[TestClient, FlakyStore]]:
    settings = settings_in(tmp_path)
    dataset = open_dataset(settings)
    store = FlakyStore(dataset.store)
    app = create_app(settings, dataclasses.replace(dataset, store=store))
    try:
        # Without the lifespan: the worker pool needs an Oxigraph store, not this wrapper.
        yield TestClient(app), store
    finally:
        store.release.set()
        monitor = state_of_app(app).health
        if isinstance(monitor, HealthMonitor):
            monitor.stop()


def checked(client: TestClient) -> AppState:
    """The state, once the background monitor has finished a check."""
    state = state_of_app(client.app)
    monitor = monitor_of(state)
    deadline = time.monotonic() + 10
    while monitor.last is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return state


def test_ok_with_the_version_the_count_and_the_parts(
    flaky: tuple[TestClient, FlakyStore],
) -> None:
    client, store = flaky
    state = checked(client)
    state.published.dump_store.status(state.dataset, state.urls, wait=30)
    answer = client.get("/health")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert body["version"] == state.dataset.version
    assert body["triples"] == len(store.store)
    assert body["store"]["status"] == "ok"
    assert body["dumps"] == "ready"
    assert body["sparql"]["status"] in ("ok", "not started")
    assert "retry-after" not in answer.headers


def test_the_count_is_made_once_per_version_in_the_background(
    flaky: tuple[TestClient, FlakyStore],
) -> None:
    client, store = flaky
    checked(client)
    for _ in range(20):
        client.get("/health")
    time.sleep(0.3)  # several check intervals
    assert store.counts == 1


def test_a_failing_store_is_a_503_with_retry_after(
    flaky: tuple[TestClient, FlakyStore],
) -> None:
    client, store = flaky
    state = checked(client)
    store.fail = True
    monitor_of(state).check(state)  # the next background check, without waiting for it
    answer = client.get("/health")
    assert answer.status_code == 503
    assert int(answer.headers["retry-after"]) >= 1
    body = answer.json()
    assert body["status"] == "unavailable"
    assert "connection refused" in body["store"]["reason"]
    store.fail = False
    monitor_of(state).check(state)
    assert client.get("/health").status_code == 200  # back when the store is


def test_a_hanging_store_makes_health_quick_and_unavailable(
    flaky: tuple[TestClient, FlakyStore],
) -> None:
    client, store = flaky
    checked(client)
    store.hang.set()
    time.sleep(0.5)  # the check under way has hung for many intervals (0.05 s each)
    started = time.monotonic()
    answer = client.get("/health")
    took = time.monotonic() - started
    assert took < QUICK, took
    assert answer.status_code == 503
    assert "no answer" in answer.json()["store"]["reason"]
    store.release.set()


def fake_runner(report: dict[str, object]) -> Any:
    return SimpleNamespace(pool=SimpleNamespace(health=lambda: report))


@pytest.mark.parametrize(
    ("report", "code", "status"),
    [
        ({"ok": True, "workers": 2, "wanted": 2}, 200, "ok"),
        ({"ok": False, "workers": 1, "wanted": 2, "restarting": 1}, 200, "degraded"),
        (
            {"ok": False, "workers": 0, "wanted": 2, "last_error": "died"},
            503,
            "unavailable",
        ),
        ({"ok": False, "workers": 0, "wanted": 2, "last_error": None}, 200, "ok"),  # starting
    ],
)
def test_the_sparql_workers_real_state(
    flaky: tuple[TestClient, FlakyStore], report: dict[str, object], code: int, status: str
) -> None:
    client, _ = flaky
    state = checked(client)
    real = state.sparql
    state.sparql = fake_runner(report)
    try:
        answer = client.get("/health")
    finally:
        state.sparql = real
    assert answer.status_code == code
    assert answer.json()["status"] == status
    assert answer.json()["sparql"]["workers"] == report["workers"]


def test_health_without_the_lifespan(tmp_path: Path, dataset: Dataset) -> None:
    """An app driven without its lifespan (an ASGI transport) starts its monitor on use."""
    client = TestClient(create_app(settings_in(tmp_path), dataset))
    answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.json()["version"] == dataset.version
    monitor = state_of_app(client.app).health
    assert isinstance(monitor, HealthMonitor)
    monitor.stop()


def test_health_reports_the_running_worker_pool(tmp_path: Path, dataset: Dataset) -> None:
    with TestClient(create_app(settings_in(tmp_path, interval=5), dataset)) as client:
        body = client.get("/health").json()
        assert body["sparql"]["wanted"] >= 1
        assert set(body["sparql"]) >= {"status", "workers", "busy", "queued", "restarting"}
        monitor = state_of_app(client.app).health
        assert isinstance(monitor, HealthMonitor)
        monitor.stop()
