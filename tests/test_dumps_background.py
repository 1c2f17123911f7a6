"""Dumps are written on a background thread, never inside a request: while they are being
written the home page and /dumps/ answer at once and a dump file is a 503 with Retry-After; a
full dump folder (ENOSPC) is a 503 with a reason and a log line, never a 500."""

from __future__ import annotations

import errno
import logging
import os
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

import publisher.discovery.dump_store as store_module
import publisher.discovery.dumps as dumps_module
import publisher.web.state as state_module
from publisher.config import Settings
from publisher.discovery.dump_store import DumpStore
from publisher.stores import open_dataset
from publisher.urls import Urls
from publisher.web.app import create_app
from publisher.web.state import state_of_app

FIXTURES = Path(__file__).parent / "fixtures" / "dumps"
BASE = "https://w3id.org/gcm-arab-review/"
ORIGIN = "http://127.0.0.1:8765/"
JSON = {"Accept": "application/json"}


def settings_in(folder: Path) -> Settings:
    return Settings(
        base_iri=BASE,
        data=[str(FIXTURES / "data.trig")],
        ontology=[str(FIXTURES / "ontology.ttl")],
        shapes=[str(FIXTURES / "shapes.ttl")],
        public_origin=ORIGIN,
        dump_dir=str(folder),
    )


@pytest.fixture()
def no_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests do not wait at all for dumps in progress (the default waits up to 1 s)."""
    monkeypatch.setattr(state_module, "DUMPS_GRACE", 0.0)


@pytest.fixture()
def held(monkeypatch: pytest.MonkeyPatch, no_grace: None) -> Iterator[threading.Event]:
    """Dump writing blocks until the test sets the event (a big dataset, slowed down)."""
    release = threading.Event()
    real = store_module.write_dumps

    def slow(*args: Any) -> Any:
        release.wait(30)
        return real(*args)

    monkeypatch.setattr(store_module, "write_dumps", slow)
    yield release
    release.set()


@pytest.fixture()
def full_disk(monkeypatch: pytest.MonkeyPatch, no_grace: None) -> None:
    """Every dump file fails half-way with ENOSPC, as on a full dump folder."""

    def no_space(path: Path, *args: Any) -> None:
        with dumps_module._atomic_file(path) as out:
            out.write(b"half a dump")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(dumps_module, "_write_kind", no_space)


def wait_for(client: TestClient) -> None:
    """Until the served version's dumps are written (or failed)."""
    state = state_of_app(client.app)
    state.published.dump_store.status(state.dataset, state.urls, wait=30)


def test_while_dumps_are_written_the_site_answers(held: threading.Event, tmp_path: Path) -> None:
    with TestClient(create_app(settings_in(tmp_path))) as client:
        home = client.get("/")
        assert home.status_code == 200
        listing = client.get("/dumps/", headers=JSON)
        assert listing.status_code == 200
        said = listing.json()
        assert said["status"] == "preparing" and said["files"] == []
        assert "being prepared" in said["message"]
        assert listing.headers["cache-control"] == "no-store"
        page = client.get("/dumps/", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "being prepared" in page.text
        file = client.get("/dumps/SHA256SUMS")
        assert file.status_code == 503
        assert int(file.headers["retry-after"]) > 0
        assert file.headers["content-type"] == "application/problem+json"
        assert "being prepared" in file.json()["detail"]
        assert client.get("/health").json()["dumps"] == "preparing"

        held.set()
        wait_for(client)
        ready = client.get("/dumps/", headers=JSON).json()
        assert "status" not in ready and len(ready["files"]) == 5
        assert client.get("/dumps/SHA256SUMS").status_code == 200
        assert client.get("/health").json()["dumps"] == "ready"
        # The home page rendered while preparing was dropped: it now lists the dumps.
        assert ready["files"][0]["url"] in client.get("/").text


def test_dumps_start_when_the_app_starts(tmp_path: Path) -> None:
    """The lifespan starts the writer: the files appear with no request asking for them."""
    with TestClient(create_app(settings_in(tmp_path))) as client:
        state = state_of_app(client.app)
        status = state.published.dump_store.status(state.dataset, state.urls, wait=30)
        assert status.state == "ready"
        assert status.dumps is not None
        assert all(status.dumps.path(f.name).is_file() for f in status.dumps.files)


def test_a_full_dump_folder_is_a_503_with_a_reason(
    full_disk: None, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    logs = caplog.at_level(logging.ERROR, logger="publisher.dumps")
    with logs, TestClient(create_app(settings_in(tmp_path))) as client:
        wait_for(client)
        assert client.get("/").status_code == 200
        listing = client.get("/dumps/", headers=JSON).json()
        assert listing["status"] == "failed"
        assert "No space left on device" in listing["message"]
        for name in ("SHA256SUMS", "latest.ttl", "anything.nt.gz"):
            answer = client.get(f"/dumps/{name}")
            assert answer.status_code == 503, name
            assert answer.headers["retry-after"]
            assert "No space left on device" in answer.json()["detail"]
            assert str(tmp_path) not in answer.text  # no server path in public answers
        assert client.get("/.well-known/void").status_code == 200  # described, no dumps
        assert client.get("/void.html").status_code == 200
        health = client.get("/health")
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["dumps"] == "failed"
    logged = [r.getMessage() for r in caplog.records if r.name == "publisher.dumps"]
    assert any("No space left on device" in m and str(tmp_path) in m for m in logged), logged
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".lock"]
    assert leftovers == []  # no half-written dump left behind


def test_a_failed_write_is_tried_again_later(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = settings_in(tmp_path)
    dataset, urls = open_dataset(settings), Urls(settings.base_iri, settings.origin)
    real = store_module.write_dumps

    def no_space(*args: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_module, "write_dumps", no_space)
    store = DumpStore(tmp_path)
    assert store.status(dataset, urls, wait=30).state == "failed"
    monkeypatch.setattr(store_module, "write_dumps", real)  # space was freed
    assert store.status(dataset, urls, wait=30).state == "failed"  # not retried at once
    monkeypatch.setattr(store_module, "RETRY_FAILED_AFTER", 0.0)
    assert store.status(dataset, urls, wait=30).state == "ready"


def test_get_waits_and_status_does_not(held: threading.Event, tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    dataset, urls = open_dataset(settings), Urls(settings.base_iri, settings.origin)
    store = DumpStore(tmp_path)
    assert store.status(dataset, urls).state == "preparing"
    held.set()
    dumps = store.get(dataset, urls)
    assert [f.kind.suffix for f in dumps.files] == ["ttl", "nt.gz", "trig", "nq.gz", "jsonld"]
    assert store.status(dataset, urls).dumps is dumps


def test_workers_sharing_a_dump_dir_write_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`serve --workers N` with one dump_dir: one process writes, the others read back."""
    settings = settings_in(tmp_path)
    dataset, urls = open_dataset(settings), Urls(settings.base_iri, settings.origin)
    real = store_module.write_dumps
    calls: list[int] = []

    def counted(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(store_module, "write_dumps", counted)
    stores = [DumpStore(tmp_path) for _ in range(4)]  # one per worker process
    for store in stores:
        store.start(dataset, urls)
    found = [store.get(dataset, urls) for store in stores]
    assert len(calls) == 1
    assert all(dumps.files == found[0].files for dumps in found)


def test_the_home_page_is_rendered_before_anyone_asks(tmp_path: Path) -> None:
    """Its counts read the whole dataset: a background thread renders it when the version is
    opened, and again once the dumps it lists are written."""
    import time

    from publisher.documents.cache import html_key

    with TestClient(create_app(settings_in(tmp_path))) as client:
        wait_for(client)
        state = state_of_app(client.app)
        key = html_key(("page", "index"), "en")
        listing = client.get("/dumps/", headers=JSON).json()
        name = listing["files"][0]["url"].rsplit("/", 1)[-1]

        def rendered_with_dumps() -> bool:
            page = state.representations().cached(key)
            return page is not None and name in page.body.decode()

        # rendered at open, then again by the callback once the dumps are written: wait for it
        deadline = time.monotonic() + 30
        while not rendered_with_dumps() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert rendered_with_dumps(), "the home page was not rendered again with its dumps"
        ahead = state.representations().cached(key)
        assert ahead is not None
        answer = client.get("/?lang=en", headers={"Accept-Encoding": "identity"})
        assert answer.headers["etag"] == ahead.etag
