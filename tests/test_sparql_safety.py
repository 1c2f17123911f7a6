"""Hostile queries: the hard timeout kills the work, a runaway query does not block anything
else, the concurrency cap answers 503, and no query ever opens an outbound connection."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from sparql_support import SPARQL_DATA, Listener, app_for, listener, serve, settings_for

from publisher.dataset import Sources
from publisher.sparql.engine import QueryPool
from publisher.sparql.worker import Failure, Job, Outcome
from publisher.stores import open_dataset
from publisher.web.state import state_of_app

TIMEOUT = 2.0
# A seven-fold cross product of the fixture's triples: about 10^10 rows to count.
RUNAWAY = "SELECT (COUNT(*) AS ?n) { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(7)) + " }"
JSON = {"accept": "application/sparql-results+json, text/turtle;q=0.9"}


@dataclass
class Served:
    origin: str
    app: FastAPI

    def pids(self) -> set[int]:
        endpoint = state_of_app(self.app).sparql
        assert endpoint is not None
        return endpoint.pool.pids  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    apps: list[FastAPI] = []

    def make(origin: str) -> FastAPI:
        settings = settings_for(
            SPARQL_DATA,
            origin,
            query_timeout=TIMEOUT,
            max_concurrent_queries=1,
            max_queued_queries=0,  # refusal is what these tests watch; queueing: test_sparql_queue
        )
        apps.append(app_for(settings))
        return apps[-1]

    with serve(make) as origin:
        yield Served(origin, apps[0])


def ask(origin: str, **params: str) -> httpx.Response:
    return httpx.get(f"{origin}sparql", params={"query": "ASK {}", **params}, headers=JSON)


def wait_until_ready(origin: str) -> None:
    """A replacement worker starts in the background; wait (functionally) until it answers."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = ask(origin)
        if response.status_code == 200:
            return
        assert response.status_code == 503
        time.sleep(0.05)
    raise AssertionError("no worker came back")


class InFlight:
    """A request running in a thread, so that the test can act while it is in flight."""

    def __init__(self, origin: str, query: str) -> None:
        self.response: httpx.Response | None = None
        self.thread = threading.Thread(target=self._run, args=(origin, query), daemon=True)
        self.thread.start()

    def _run(self, origin: str, query: str) -> None:
        self.response = httpx.get(
            f"{origin}sparql", params={"query": query}, headers=JSON, timeout=120
        )

    def join(self) -> httpx.Response:
        self.thread.join(120)
        assert self.response is not None
        return self.response


def test_the_time_limit_stops_the_query_and_its_process(served: Served) -> None:
    wait_until_ready(served.origin)
    before = served.pids()
    response = httpx.get(
        f"{served.origin}sparql",
        params={"query": RUNAWAY},
        headers={"accept": "text/plain"},
        timeout=120,
    )
    assert response.status_code == 503
    assert "2 s limit" in response.text and "query_timeout" in response.text
    assert response.headers["access-control-allow-origin"] == "*"
    killed = before - served.pids()
    assert killed, "the worker that ran the query must be gone"
    for pid in killed:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    wait_until_ready(served.origin)
    assert served.pids() and not served.pids() & killed


def test_a_runaway_query_blocks_neither_pages_nor_the_slot_check(served: Served) -> None:
    origin = served.origin
    wait_until_ready(origin)
    runaway = InFlight(origin, RUNAWAY)
    deadline = time.monotonic() + 30
    endpoint = state_of_app(served.app).sparql
    assert endpoint is not None
    pool = endpoint.pool
    while pool.available and time.monotonic() < deadline:  # until the runaway holds the slot
        time.sleep(0.01)
    busy = ask(origin)
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "1"
    assert "max_concurrent_queries" in busy.text
    started = time.monotonic()
    page = httpx.get(f"{origin}sparql", headers={"accept": "text/html"})
    description = httpx.get(f"{origin}sparql", headers={"accept": "text/turtle"})
    thing = httpx.get(f"{origin}id/person/ana", headers={"accept": "text/turtle"})
    elapsed = time.monotonic() - started
    assert page.status_code == 200 and description.status_code == 200
    assert thing.status_code < 500
    assert runaway.thread.is_alive(), "pages must be answered while the query still runs"
    assert elapsed < 5  # a generous bound; in practice a few milliseconds
    assert runaway.join().status_code == 503
    wait_until_ready(origin)


def _poke(watcher: Listener) -> None:
    """Connect once, to show that the listener would have counted a fetch."""
    host, port = watcher.url.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=5):
        pass
    deadline = time.monotonic() + 5
    while watcher.connections == 0 and time.monotonic() < deadline:
        time.sleep(0.01)


def test_no_query_to_the_endpoint_opens_a_connection(served: Served) -> None:
    origin = served.origin
    wait_until_ready(origin)
    with listener() as watcher:
        service = f"SELECT * {{ SERVICE <{watcher.url}sparql> {{ ?s ?p ?o }} }}"
        assert httpx.get(f"{origin}sparql", params={"query": service}).status_code == 400
        for params in (
            {"query": f"SELECT * FROM <{watcher.url}g> {{ ?s ?p ?o }}"},
            {"query": f"SELECT * FROM NAMED <{watcher.url}g> {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
            {"query": "ASK { ?s ?p ?o }", "default-graph-uri": f"{watcher.url}g"},
            {"query": "ASK { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": f"{watcher.url}g"},
            {"query": f"DESCRIBE <{watcher.url}thing>"},
        ):
            response = httpx.get(f"{origin}sparql", params=params, headers=JSON)
            assert response.status_code == 200, response.text
        assert watcher.connections == 0
        _poke(watcher)
        assert watcher.connections == 1


def _pool(isolate: bool):  # type: ignore[no-untyped-def]
    settings = settings_for(SPARQL_DATA, "http://127.0.0.1:8765/")
    dataset = open_dataset(settings, Sources((SPARQL_DATA,), (), ()))
    return QueryPool.start(
        dataset.store,
        size=1,
        timeout=10,
        base_iri=settings.base_iri,
        origin=settings.origin,
        isolate_network=isolate,
    )


def _job(query: str, **dataset: tuple[str, ...] | None) -> Job:
    return Job(
        query=query,
        original=query,
        default_graphs=dataset.get("default_graphs"),
        named_graphs=dataset.get("named_graphs"),
        union="FROM" not in query,
        table_format="srj",
        graph_format="nt",
        max_results=100,
        truncation_link="http://127.0.0.1:8765/sparql#truncated",
    )


def test_the_engine_fetches_nothing_for_dataset_iris_even_without_isolation() -> None:
    """FROM, FROM NAMED, GRAPH and protocol graphs only ever name graphs of the store."""

    async def scenario(url: str) -> list[Outcome | Failure]:
        pool = await _pool(isolate=False)
        try:
            return [
                await pool.run(_job(f"SELECT * FROM <{url}g> {{ ?s ?p ?o }}")),
                await pool.run(_job(f"ASK FROM NAMED <{url}g> {{ GRAPH ?g {{ ?s ?p ?o }} }}")),
                await pool.run(_job(f"ASK {{ GRAPH <{url}g> {{ ?s ?p ?o }} }}")),
                await pool.run(_job("ASK { ?s ?p ?o }", default_graphs=(f"{url}g",))),
                await pool.run(_job(f"DESCRIBE <{url}x>")),
            ]
        finally:
            await pool.close()

    with listener() as watcher:
        outcomes = asyncio.run(scenario(watcher.url))
        assert all(isinstance(o, Outcome) for o in outcomes)
        assert watcher.connections == 0


def test_worker_isolation_stops_a_service_call_the_guard_did_not_see() -> None:
    """Defence in depth: the job bypasses the guard; the worker's empty network namespace
    still makes the SERVICE call fail without a connection."""

    async def scenario(url: str) -> tuple[str, Outcome | Failure]:
        pool = await _pool(isolate=True)
        try:
            query = f"SELECT * {{ SERVICE <{url}sparql> {{ ?s ?p ?o }} }}"
            return pool.isolation, await pool.run(_job(query))
        finally:
            await pool.close()

    with listener() as watcher:
        isolation, outcome = asyncio.run(scenario(watcher.url))
        if isolation.startswith("unavailable"):
            pytest.skip(f"no network namespaces here: {isolation}")
        assert isinstance(outcome, Failure) and outcome.error == "evaluation"
        assert watcher.connections == 0


def test_a_worker_that_dies_is_reported_and_replaced(served: Served) -> None:
    wait_until_ready(served.origin)
    (victim,) = served.pids()
    os.kill(victim, signal.SIGKILL)
    response = httpx.get(
        f"{served.origin}sparql", params={"query": "ASK {}"}, headers={"accept": "text/plain"}
    )
    assert response.status_code == 503
    assert "stopped before answering" in response.text
    wait_until_ready(served.origin)
    assert victim not in served.pids()
