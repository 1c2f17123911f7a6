"""The SPARQL worker pool comes back by itself: a replacement that cannot start (the store is
unreadable for a while) is retried with back-off until it does, `health()` says what is
really running meanwhile, and a worker killed in the middle of a query costs that query only
(503 with Retry-After), never the next one."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from sparql_support import SPARQL_DATA, app_for, serve, settings_for

from publisher.dataset import Sources
from publisher.errors import EndpointBusy, QueryTimeout
from publisher.sparql import engine
from publisher.sparql.engine import QueryPool, WorkersRestarting
from publisher.sparql.worker import Job, Outcome
from publisher.stores import open_dataset
from publisher.web.state import state_of_app

RUNAWAY = "SELECT (COUNT(*) AS ?n) { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(7)) + " }"
HEALTH_KEYS = {"ok", "workers", "wanted", "busy", "queued", "restarting", "last_error"}


def job(query: str) -> Job:
    return Job(query, query, None, None, True, "srj", "nt", 100, "http://127.0.0.1:1/#t")


async def start_pool(size: int, timeout: float) -> QueryPool:
    settings = settings_for(SPARQL_DATA, "http://127.0.0.1:8765/")
    store = open_dataset(settings, Sources((SPARQL_DATA,), (), ())).store
    assert isinstance(store, ox.Store)
    return await QueryPool.start(
        store,
        size=size,
        timeout=timeout,
        base_iri=settings.base_iri,
        origin=settings.origin,
        isolate_network=False,
        queue_limit=4,
        queue_wait=0.5,
    )


async def wait_for(condition: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not callable(condition) or not condition():
        assert time.monotonic() < deadline, "the pool did not get there in time"
        await asyncio.sleep(0.05)


def test_workers_come_back_once_the_store_is_readable_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine, "RESTART_FIRST_DELAY", 0.05)
    monkeypatch.setattr(engine, "RESTART_MAX_DELAY", 0.2)

    async def scenario() -> None:
        pool = await start_pool(size=2, timeout=1.0)
        dump = Path(pool.config.nquads)
        hidden = dump.with_suffix(".hidden")
        try:
            assert pool.health() == {
                "ok": True, "workers": 2, "wanted": 2, "busy": 0, "queued": 0,
                "restarting": 0, "last_error": None,
            }  # fmt: skip
            dump.rename(hidden)  # the store cannot be read: replacements fail to start
            timeouts = await asyncio.gather(
                pool.run(job(RUNAWAY)), pool.run(job(RUNAWAY)), return_exceptions=True
            )
            assert all(isinstance(t, QueryTimeout) for t in timeouts), timeouts
            await wait_for(lambda: pool.health()["last_error"] is not None, 30)
            health = pool.health()
            assert health["ok"] is False and health["workers"] == 0 and health["wanted"] == 2
            assert "cannot open the store" in str(health["last_error"])
            with pytest.raises(WorkersRestarting) as refused:
                await pool.run(job("ASK {}"))
            assert isinstance(refused.value, EndpointBusy) and refused.value.retry_after > 0
            assert "already running" not in str(refused.value)

            hidden.rename(dump)  # readable again: the retries succeed without any help
            await wait_for(lambda: pool.health()["workers"] == 2, 30)
            assert pool.health()["ok"] is True and pool.health()["last_error"] is None
            answered = await pool.run(job("ASK { ?s ?p ?o }"))
            assert isinstance(answered, Outcome) and answered.body
        finally:
            if hidden.exists():
                hidden.rename(dump)
            await pool.close()

    asyncio.run(scenario())


def test_health_has_the_documented_shape() -> None:
    async def scenario() -> dict[str, object]:
        pool = await start_pool(size=1, timeout=5)
        try:
            return pool.health()
        finally:
            await pool.close()

    health = asyncio.run(scenario())
    assert set(health) == HEALTH_KEYS
    assert health["ok"] is True and health["workers"] == health["wanted"] == 1


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, FastAPI]]:
    apps: list[FastAPI] = []

    def make(origin: str) -> FastAPI:
        settings = settings_for(SPARQL_DATA, origin, query_timeout=20, max_concurrent_queries=1)
        apps.append(app_for(settings))
        return apps[-1]

    with serve(make) as origin:
        yield origin, apps[0]


def pids(app: FastAPI) -> set[int]:
    endpoint = state_of_app(app).sparql
    assert endpoint is not None
    found: set[int] = getattr(endpoint.pool, "pids")  # noqa: B009  # not on the protocol
    return found


def test_a_worker_killed_mid_query_fails_that_query_only(served: tuple[str, FastAPI]) -> None:
    origin, app = served
    url = f"{origin}sparql"
    plain = {"accept": "text/plain, application/sparql-results+json;q=0.9"}
    assert httpx.get(url, params={"query": "ASK {}"}, headers=plain).status_code == 200
    (victim,) = pids(app)
    answers: list[httpx.Response] = []
    thread = threading.Thread(
        target=lambda: answers.append(
            httpx.get(url, params={"query": RUNAWAY}, headers=plain, timeout=60)
        )
    )
    thread.start()
    time.sleep(1.0)  # the runaway query is in the worker now
    os.kill(victim, signal.SIGKILL)
    thread.join(60)
    (killed,) = answers
    assert killed.status_code == 503
    assert int(killed.headers["retry-after"]) > 0
    deadline = time.monotonic() + 60
    while True:  # the replacement takes a moment to load the store; then queries go on
        after = httpx.get(url, params={"query": "ASK { ?s ?p ?o }"}, headers=plain, timeout=60)
        if after.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert after.status_code == 200 and "true" in after.text
    assert victim not in pids(app)
