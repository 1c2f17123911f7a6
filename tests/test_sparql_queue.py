"""A burst of queries waits its turn: the pool queues what it cannot run at once, first come
first served, and refuses (503) only when the queue is full or a query has waited too long."""

from __future__ import annotations

import asyncio

import pytest
from sparql_support import SPARQL_DATA, settings_for

from publisher.dataset import Sources
from publisher.errors import EndpointBusy, QueryTimeout
from publisher.sparql.engine import QueryPool
from publisher.sparql.worker import Failure, Job, Outcome
from publisher.stores import open_dataset

# A seven-fold cross product of the fixture's triples: it holds its worker until the deadline.
RUNAWAY = "SELECT (COUNT(*) AS ?n) { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(7)) + " }"


async def start_pool(*, queue_limit: int, queue_wait: float, timeout: float = 30) -> QueryPool:
    settings = settings_for(SPARQL_DATA, "http://127.0.0.1:8765/")
    dataset = open_dataset(settings, Sources((SPARQL_DATA,), (), ()))
    return await QueryPool.start(
        dataset.store,
        size=1,
        timeout=timeout,
        base_iri=settings.base_iri,
        origin=settings.origin,
        isolate_network=False,
        queue_limit=queue_limit,
        queue_wait=queue_wait,
    )


def job(query: str) -> Job:
    return Job(
        query=query,
        original=query,
        default_graphs=None,
        named_graphs=None,
        union=True,
        table_format="srj",
        graph_format="nt",
        max_results=100,
        truncation_link="http://127.0.0.1:8765/sparql#truncated",
    )


async def runaway_started(pool: QueryPool) -> asyncio.Task[Outcome | Failure]:
    """A runaway query that holds the pool's only worker, once it holds it."""
    task = asyncio.create_task(pool.run(job(RUNAWAY)))
    while pool.available:
        await asyncio.sleep(0.01)
    return task


def test_a_burst_larger_than_the_pool_is_served_in_full() -> None:
    async def scenario() -> list[Outcome | Failure]:
        pool = await start_pool(queue_limit=32, queue_wait=60)
        try:
            return await asyncio.gather(*(pool.run(job(f"ASK {{ ?s ?p {i} }}")) for i in range(16)))
        finally:
            await pool.close()

    outcomes = asyncio.run(scenario())
    assert len(outcomes) == 16 and all(isinstance(o, Outcome) for o in outcomes)


def test_a_full_queue_refuses_at_once_and_the_queued_query_runs_after_the_runaway() -> None:
    async def scenario() -> tuple[BaseException | Outcome | Failure, ...]:
        pool = await start_pool(queue_limit=1, queue_wait=60, timeout=2)
        try:
            runaway = await runaway_started(pool)
            queued = asyncio.create_task(pool.run(job("ASK {}")))
            while not pool.queued:
                await asyncio.sleep(0.01)
            with pytest.raises(EndpointBusy) as refused:
                await pool.run(job("ASK {}"))
            assert "max_queued_queries" in str(refused.value)
            return tuple(await asyncio.gather(runaway, queued, return_exceptions=True))
        finally:
            await pool.close()

    runaway, queued = asyncio.run(scenario())
    assert isinstance(runaway, QueryTimeout)
    assert isinstance(queued, Outcome), "the queued query gets the runaway's replacement"


def test_a_query_that_waits_too_long_is_refused_and_leaves_the_queue() -> None:
    async def scenario() -> tuple[int, int]:
        pool = await start_pool(queue_limit=4, queue_wait=0.3, timeout=2)
        try:
            runaway = await runaway_started(pool)
            with pytest.raises(EndpointBusy) as refused:
                await pool.run(job("ASK {}"))
            assert refused.value.retry_after >= 1
            left = pool.queued
            await asyncio.gather(runaway, return_exceptions=True)
            answered = await pool.run(job("ASK {}"))  # the slot is not lost to the leaver
            assert isinstance(answered, Outcome)
            return left, pool.available
        finally:
            await pool.close()

    left, available = asyncio.run(scenario())
    assert left == 0 and available == 1


def test_a_queued_query_whose_client_leaves_gives_its_turn_on() -> None:
    async def scenario() -> Outcome | Failure:
        pool = await start_pool(queue_limit=4, queue_wait=60, timeout=2)
        try:
            runaway = await runaway_started(pool)
            leaver = asyncio.create_task(pool.run(job("ASK {}")))
            stayer = asyncio.create_task(pool.run(job("ASK { ?s ?p ?o }")))
            while pool.queued < 2:
                await asyncio.sleep(0.01)
            leaver.cancel()
            await asyncio.gather(runaway, leaver, return_exceptions=True)
            return await stayer
        finally:
            await pool.close()

    assert isinstance(asyncio.run(scenario()), Outcome)
