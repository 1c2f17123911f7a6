"""The SPARQL endpoint in front of a remote store: queries are forwarded to the SPARQL server.

`RemoteQueryRunner` has the interface of `engine.QueryPool` (`await run(job)`, `close()`), so
`SparqlEndpoint` does what it always does: the guard has refused updates, SERVICE and queries
nested too deeply for the server to survive, IRIs are canonical. Each query is first parsed by
Oxigraph against an empty store, which gives syntax errors the same messages and positions as
with the embedded store, and tells which kind of answer comes (so the right format is asked
for). That check runs in a killable worker process (`engine.QueryPool` over an empty store,
CHECK_MEMORY, within the query's own deadline), never in this process: Oxigraph starts
evaluating ASK and ORDER BY as it parses, and a VALUES cross product or a doubling CONCAT needs
no data to take minutes and gigabytes; such a query is stopped there and never reaches the
server. The server then answers as SPARQL XML or
N-Triples, read as a stream and cut at max_results, and the answer is written again in the
negotiated format exactly as the workers write it: IRIs on the public origin, skolem IRIs as
blank nodes again, the truncation notice in the body and the header. A row cap of the server
(Virtuoso's ResultSetMaxRows, `X-SPARQL-MaxRows`) marks the answer as truncated too.

Limits: at most `size` queries at once, `queue_limit` more waiting up to `queue_wait` seconds
for a slot (EndpointBusy beyond), `timeout` seconds for the whole
exchange (QueryTimeout; the server may go on computing: set its own limit too, Virtuoso's
MaxQueryExecutionTime, `oxigraph serve --timeout-s`). A server that does not answer gives
`StoreUnavailableError`, a 503 with Retry-After.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import IO

import httpx
import pyoxigraph as ox

from publisher.dataset import ReadStore
from publisher.errors import (
    EndpointBusy,
    QueryTimeout,
    SparqlError,
    StoreError,
    StoreUnavailable,
)
from publisher.formats import GRAPH_RESULT_FORMATS, TABLE_RESULT_FORMATS, Format, by_extension
from publisher.sparql import results
from publisher.sparql.engine import QueryPool
from publisher.sparql.worker import Failure, Job, Outcome
from publisher.sparqltext import RewriteTooLarge, unskolemise
from publisher.stores.remote.client import (
    N_TRIPLES,
    RESULTS_XML,
    RETRY_AFTER,
    ChunkReader,
    error_text,
    retry_after,
)
from publisher.stores.remote.dialect import protocol_dataset
from publisher.stores.remote.reader import read_results
from publisher.stores.remote.store import RemoteStore

CHECK_MEMORY = 512 * 1024**2  # address space of a checking worker beyond its empty store


class StoreUnavailableError(EndpointBusy):
    """The SPARQL server holding the data does not answer; a 503 with Retry-After, like a
    busy endpoint (the route treats both alike)."""

    slug = "store-unavailable"
    title = "The data store is not answering"

    def __init__(self, retry_after: int = RETRY_AFTER) -> None:
        SparqlError.__init__(
            self,
            "The SPARQL server that holds the data is not answering (stopped, restarting or "
            f"unreachable). Nothing is wrong with the query: retry in {retry_after} s.",
        )
        self.retry_after = retry_after


class RemoteTimeout(EndpointBusy):
    """No answer within the query time limit: a heavy query or a server that has stopped
    answering, which cannot be told apart from here; a 503 with Retry-After either way."""

    slug = "timeout"
    title = "No answer within the time limit"

    def __init__(self, limit: float, retry_after: int = RETRY_AFTER) -> None:
        SparqlError.__init__(
            self,
            f"The SPARQL server gave no complete answer within {limit:g} s (setting "
            "query_timeout): the query may need more time than that, or the server is not "
            f"answering. Narrow the query, or retry in {retry_after} s.",
        )
        self.limit, self.retry_after = limit, retry_after

    def extra(self) -> dict[str, object]:
        return {"limit_seconds": self.limit}


@dataclass(frozen=True)
class _Refusal:
    """Why the thread did not answer; raised as a SparqlError back on the event loop."""

    unavailable: bool
    retry_after: int = RETRY_AFTER


@dataclass
class RemoteQueryRunner:
    """Forwards jobs to the remote store `current()` returns (the dataset being served)."""

    current: Callable[[], ReadStore]  # a RemoteStore: the remote backend's datasets hold one
    size: int
    timeout: float
    base_iri: str
    origin: str
    isolation: str = "remote server"
    queue_limit: int = 0  # queries that may wait for a free slot (0: refused at once)
    queue_wait: float = 0.0  # how long one may wait before it is refused

    def __post_init__(self) -> None:
        self._active = 0
        self._queue: deque[asyncio.Future[None]] = deque()  # the waiters, first come first
        self._closed = False
        self._executor = ThreadPoolExecutor(
            max_workers=2 * self.size + 2, thread_name_prefix="sparql-remote"
        )
        self._checker: QueryPool | None = None
        self._checker_lock = asyncio.Lock()
        self._checker_error: str | None = None
        self._warming: asyncio.Task[None] | None = None
        with contextlib.suppress(RuntimeError):  # no loop yet: started by the first query
            self._warming = asyncio.get_running_loop().create_task(self._warm())

    @property
    def available(self) -> int:
        return max(self.size - self._active, 0)

    @property
    def pids(self) -> set[int]:
        """The checking workers' process ids (the server runs the queries themselves)."""
        return self._checker.pids if self._checker is not None else set()

    def health(self) -> dict[str, object]:
        """The same shape as `QueryPool.health`: the checking workers, the queries running."""
        checker = self._checker.health() if self._checker is not None else {}
        workers = checker.get("workers", 0)
        return {
            "ok": not self._closed and self._checker_error is None and bool(checker.get("ok")),
            "workers": workers,
            "wanted": self.size,
            "busy": self._active,
            "queued": len(self._queue),
            "restarting": checker.get("restarting", 0),
            "last_error": self._checker_error or checker.get("last_error"),
        }

    async def run(self, job: Job) -> Outcome | Failure:
        """Answer within the deadline, or raise EndpointBusy, QueryTimeout, WorkerCrashed or
        StoreUnavailableError."""
        if self._closed:
            raise EndpointBusy(self.size, retry_after=1)
        await self._admit()
        forwarded: list[bool] = []  # set once the check has passed
        try:
            answer = await asyncio.wait_for(self._checked_answer(job, forwarded), self.timeout)
        except TimeoutError:
            if not forwarded:  # stopped in the check: the server never saw it
                raise QueryTimeout(self.timeout) from None
            raise RemoteTimeout(self.timeout) from None
        finally:
            self._release()
        if isinstance(answer, _Refusal):
            if answer.unavailable:
                raise StoreUnavailableError(answer.retry_after)
            raise RemoteTimeout(self.timeout)
        return answer

    async def _admit(self) -> None:
        """Take a slot, waiting in a bounded first-come queue as the worker pool does: a burst
        beyond the running queries waits up to `queue_wait` seconds; only a full queue, or a
        wait that long, is refused (503 with Retry-After). A slot freed is handed to the
        first waiter directly (its future), so no wake-up can be lost to a waiter that gave up."""
        if self._active < self.size and not self._queue:
            self._active += 1
            return
        if len(self._queue) >= self.queue_limit:
            raise EndpointBusy(self.size, retry_after=1)
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append(turn)
        admitted = False
        try:
            async with asyncio.timeout(self.queue_wait):
                await turn  # resolved by `_release`, with the slot already counted as ours
            admitted = True
        except TimeoutError:
            raise EndpointBusy(self.size, retry_after=1) from None
        finally:
            if not admitted:  # timed out or cancelled (the client left)
                if turn.done() and not turn.cancelled():
                    self._release()  # its turn had come: the slot passes on
                elif turn in self._queue:
                    self._queue.remove(turn)

    def _release(self) -> None:
        """Give the slot to the first waiter still waiting, else free it."""
        while self._queue:
            turn = self._queue.popleft()
            if not turn.done():
                turn.set_result(None)  # the slot passes on: `_active` is unchanged
                return
        self._active -= 1

    async def _checked_answer(
        self, job: Job, forwarded: list[bool]
    ) -> Outcome | Failure | _Refusal:
        """The check, then the server's answer: one deadline for both (the caller's)."""
        deadline = time.monotonic() + self.timeout
        checked = await self._check(job)
        if isinstance(checked, Failure):
            return checked
        forwarded.append(True)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._answer, job, checked.kind, deadline)

    async def _check(self, job: Job) -> Outcome | Failure:
        """Syntax, kind and format as the embedded store would settle them, in a worker. A
        query whose check alone outlasts the time limit is never forwarded: even on no data it
        costs more than the limit allows, so the server would only spend it in vain."""
        pool = await self._checking_pool()
        return await pool.run(replace(job, check_only=True))  # QueryTimeout: stopped there

    async def _warm(self) -> None:
        """Start the checking workers ahead of the first query; a failure is kept for
        `health` and retried by that query."""
        with contextlib.suppress(StoreUnavailableError):
            await self._checking_pool()

    async def _checking_pool(self) -> QueryPool:
        """The workers that check queries: started once, on an empty store, network-isolated."""
        async with self._checker_lock:
            if self._checker is None:
                try:
                    self._checker = await QueryPool.start(
                        ox.Store(),
                        size=self.size,
                        timeout=self.timeout,
                        base_iri=self.base_iri,
                        origin=self.origin,
                        isolate_network=True,
                        queue_limit=self.size,
                        queue_wait=self.timeout,
                        memory_headroom=CHECK_MEMORY,
                    )
                except Exception as error:
                    self._checker_error = f"{type(error).__name__}: {error}"
                    raise StoreUnavailableError() from None
                self._checker_error = None
                if self._closed:
                    await self._checker.close()
            return self._checker

    async def close(self) -> None:
        self._closed = True
        if self._warming is not None and not self._warming.done():
            self._warming.cancel()
            with contextlib.suppress(BaseException):
                await self._warming
        async with self._checker_lock:
            if self._checker is not None:
                await self._checker.close()
        self._executor.shutdown(wait=False, cancel_futures=True)

    # In a thread ------------------------------------------------------------------------------

    def _answer(self, job: Job, kind: str, deadline: float) -> Outcome | Failure | _Refusal:
        """Runs in a thread and raises nothing: pyoxigraph's objects must not travel to the
        event loop inside a traceback (they may only be dropped on the thread that made them)."""
        store = self.current()
        assert isinstance(store, RemoteStore), type(store).__name__
        dataset = protocol_dataset(
            store.layout, job.default_graphs, job.named_graphs, union=job.union
        )
        graph = kind == "graph"
        try:
            query = unskolemise(job.query, store.layout.genid)
        except RewriteTooLarge as error:
            return Failure("evaluation", str(error))
        reader: ChunkReader | None = None
        try:
            with store.client.http.stream(
                "POST",
                store.client.url,
                data={"query": query, **dataset},
                headers={"Accept": N_TRIPLES if graph else RESULTS_XML},
                timeout=max(deadline - time.monotonic(), 0.001),
            ) as response:
                if response.status_code in (502, 503, 504):
                    return _Refusal(unavailable=True, retry_after=retry_after(response))
                if response.status_code >= 400:
                    response.read()
                    return Failure(
                        "evaluation", f"the SPARQL server refused it: {error_text(response)}"
                    )
                capped = "x-sparql-maxrows" in response.headers
                reader = ChunkReader(response.iter_bytes(), store.client.location, deadline)
                stream = io.BufferedReader(reader)
                if graph:
                    return self._graph(store, stream, job, capped)
                return self._table(store, stream, job, capped, kind)
        except (httpx.TimeoutException, TimeoutError):
            return _Refusal(unavailable=False)
        except (httpx.TransportError, StoreUnavailable):
            return _Refusal(unavailable=True)
        except (SyntaxError, ValueError, OSError, StoreError) as error:
            stopped = reader.failure if reader is not None else None
            if stopped is not None:  # the parser reports the reader's failure as its own
                return _Refusal(unavailable=not isinstance(stopped, TimeoutError))
            return Failure("evaluation", f"the SPARQL server's answer does not parse: {error}")

    def _read(self, store: RemoteStore, term: results.Term | None) -> results.Term | None:
        read = store.read_term(term)
        return None if read is None else results.public_term(read, self.base_iri, self.origin)

    def _table(
        self, store: RemoteStore, stream: IO[bytes], job: Job, capped: bool, kind: str
    ) -> Outcome | Failure:
        fmt = _format(job.table_format, TABLE_RESULT_FORMATS)
        assert fmt is not None  # the check against the empty store found one
        read = read_results(stream, store.client.location)
        if isinstance(read, bool):
            return Outcome("boolean", fmt.extension, results.boolean(read, fmt), False, 1)
        names, solutions = read
        rows: list[list[results.Term | None]] = []
        truncated = capped
        for solution in solutions:
            if len(rows) == job.max_results:
                truncated = True
                break
            rows.append([self._read(store, term) for term in solution])
        link = job.truncation_link if truncated else None
        body = results.solutions(names, rows, fmt, link)
        return Outcome(kind, fmt.extension, body, truncated, len(rows))

    def _graph(
        self, store: RemoteStore, stream: IO[bytes], job: Job, capped: bool
    ) -> Outcome | Failure:
        fmt = _format(job.graph_format, GRAPH_RESULT_FORMATS)
        assert fmt is not None
        triples: dict[ox.Triple, None] = {}
        truncated = capped
        for parsed in ox.parse(stream, format=ox.RdfFormat.N_TRIPLES):
            triple = ox.Triple(
                *(
                    self._read(store, term)
                    for term in (parsed.subject, parsed.predicate, parsed.object)
                )  # type: ignore[arg-type]  # N-Triples positions keep their kinds
            )
            if triple in triples:
                continue
            if len(triples) == job.max_results:
                truncated = True
                break
            triples[triple] = None
        note = (
            f"Truncated: only the first {len(triples)} triples are shown (setting max_results "
            f"or the SPARQL server's own limit). See {job.truncation_link}"
            if truncated
            else None
        )
        body = results.graph(list(triples), fmt, results.used_prefixes(triples), note)
        return Outcome("graph", fmt.extension, body, truncated, len(triples))


def _format(extension: str | None, offered: tuple[Format, ...]) -> Format | None:
    return by_extension(extension, offered) if extension else None
