"""A burst of SPARQL queries over a remote store waits in a bounded queue, as it does over the
worker pool (tests/test_sparql_queue.py): served in full when the queue holds it, refused at
once with 503 and Retry-After only past the queue. Against a real Oxigraph server."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from remote_servers import OxigraphServer
from test_remote_outage import publishing, settings_for

from publisher.config import PROJECT_ROOT, Settings
from publisher.dataset import Dataset
from publisher.errors import EndpointBusy
from publisher.stores import open_dataset
from publisher.stores.remote import push_to_remote
from publisher.stores.remote.runner import RemoteQueryRunner

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?f }"
"""A fraction of a second on the embedded data, nothing on the empty store of the check."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    running = OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
    running.start()
    try:
        shipped = open_dataset(
            Settings(
                base_iri="https://w3id.org/gcm-arab-review/",
                data=[str(PROJECT_ROOT / "data")],
                ontology=[str(PROJECT_ROOT / "ontology")],
                shapes=[],
            )
        )
        push_to_remote(shipped, settings_for(running))
        yield running
    finally:
        running.stop()


def burst(http: httpx.Client, clients: int) -> Counter[int]:
    def ask(_: int) -> httpx.Response:
        return http.post(
            "/sparql", data={"query": SLOW}, headers={"Accept": "application/sparql-results+json"}
        )

    with ThreadPoolExecutor(clients) as pool:
        answers = list(pool.map(ask, range(clients)))
    for answer in answers:
        if answer.status_code == 503:
            assert answer.headers["Retry-After"].isdigit(), answer.text
        else:
            assert (
                answer.status_code == 200
                and int(answer.json()["results"]["bindings"][0]["n"]["value"]) > 0
            )
    return Counter(answer.status_code for answer in answers)


def test_a_burst_the_queue_holds_is_served_in_full(server: OxigraphServer) -> None:
    settings = settings_for(
        server,
        max_concurrent_queries=1,
        max_queued_queries=8,
        query_timeout=60.0,
        queue_timeout=60.0,
        remote_timeout=60.0,
    )
    dataset: Dataset = open_dataset(settings)
    with publishing(settings, dataset) as http:
        assert burst(http, 6) == Counter({200: 6})


def test_past_a_full_queue_the_rest_is_refused_at_once(server: OxigraphServer) -> None:
    settings = settings_for(
        server,
        max_concurrent_queries=1,
        max_queued_queries=1,
        query_timeout=60.0,
        queue_timeout=60.0,
        remote_timeout=60.0,
    )
    with publishing(settings, open_dataset(settings)) as http:
        counts = burst(http, 6)
    assert counts[200] >= 2 and counts[503] >= 1 and counts[200] + counts[503] == 6


def queue_of(size: int, limit: int, wait: float) -> RemoteQueryRunner:
    """A runner for its admission queue alone (made outside a loop: no checking workers)."""
    return RemoteQueryRunner(
        lambda: None,  # type: ignore[arg-type,return-value]  # never asked: no query runs
        size=size,
        timeout=5.0,
        base_iri="https://example.org/",
        origin="http://127.0.0.1:8000/",
        queue_limit=limit,
        queue_wait=wait,
    )


def test_a_waiter_that_gives_up_as_its_turn_comes_passes_the_slot_on() -> None:
    """The slot freed for a waiter that leaves before it resumes is not lost: the next query
    takes it at once (a lost wake-up refused every query while a slot sat free)."""
    runner = queue_of(size=1, limit=4, wait=5.0)

    async def scenario() -> None:
        await runner._admit()  # noqa: SLF001 - the queue itself is under test
        waiter = asyncio.get_running_loop().create_task(runner._admit())  # noqa: SLF001
        await asyncio.sleep(0.01)
        runner._release()  # noqa: SLF001 - the slot goes to the waiter…
        waiter.cancel()  # …which leaves before it resumes
        with pytest.raises(asyncio.CancelledError):
            await waiter
        await asyncio.wait_for(runner._admit(), 0.5)  # noqa: SLF001 - the slot is free
        assert runner.health()["busy"] == 1 and runner.health()["queued"] == 0

    try:
        asyncio.run(scenario())
    finally:
        runner._executor.shutdown()  # noqa: SLF001


def test_past_the_wait_or_a_full_queue_a_query_is_refused() -> None:
    runner = queue_of(size=1, limit=1, wait=0.1)

    async def scenario() -> None:
        await runner._admit()  # noqa: SLF001
        first = asyncio.get_running_loop().create_task(runner._admit())  # noqa: SLF001
        await asyncio.sleep(0.01)
        with pytest.raises(EndpointBusy):  # the queue (one place) is full
            await runner._admit()  # noqa: SLF001
        with pytest.raises(EndpointBusy):  # waited 0.1 s: refused
            await first
        runner._release()  # noqa: SLF001
        assert runner.health()["busy"] == 0

    try:
        asyncio.run(scenario())
    finally:
        runner._executor.shutdown()  # noqa: SLF001
