"""A pool of query worker processes: one query per worker, a hard deadline, kill and replace.

The pool has one worker per concurrency slot (setting max_concurrent_queries). A query takes an
idle worker, or waits for one in a bounded first-come queue (settings max_queued_queries and
queue_timeout): a burst of cheap queries is served in turn, never refused, while a queue stuck
behind runaway queries is refused (EndpointBusy, 503) once full or once the wait runs out, so
it cannot grow without bound. The deadline runs from dispatch until the serialised bytes are back in
this process; past it the worker is killed (SIGKILL: Oxigraph cannot be interrupted any other
way) and a fresh one is started in the background, retried with back-off until it starts (a
store that cannot be read now may be readable in a minute). The event loop only ever waits:
it reads and writes the workers' sockets without blocking (publisher.sparql.wire), so pages
and other queries stay responsive, and a query costs no thread switch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

import publisher
from publisher.errors import EndpointBusy, QueryTimeout, SparqlError, WorkerCrashed
from publisher.sparql import wire
from publisher.sparql.worker import Failure, Job, Outcome, Ready, WorkerConfig

log = logging.getLogger(__name__)
STARTUP_TIMEOUT = 300.0  # seconds a new worker may take to load the store
# Address-space budget of one worker beyond its share of the store: a cross product that
# materialises (ORDER BY, GROUP BY) fails inside the worker instead of exhausting the machine.
MEMORY_HEADROOM = 2 * 1024**3
MEMORY_PER_DUMP_BYTE = 12
RESTART_FIRST_DELAY = 0.5  # seconds before the second attempt to start a replacement worker
RESTART_MAX_DELAY = 30.0  # the delay doubles after each failure, up to this
RESTART_RETRY_AFTER = 5  # Retry-After (s) while no worker is running
WORKER_COMMAND = (
    "import sys; from publisher.sparql.worker import serve_fd; serve_fd(int(sys.argv[1]))"
)


class WorkersRestarting(EndpointBusy):
    """Every worker is gone and replacements are still starting (or failing to): a 503 with
    Retry-After, and a message that does not pretend the slots are busy with queries."""

    slug = "workers-restarting"
    title = "The query workers are restarting"

    def __init__(self, reason: str | None) -> None:
        because = f" (last attempt: {reason})" if reason else ""
        SparqlError.__init__(
            self,
            "No SPARQL query worker is running at the moment; replacements are being started"
            f"{because}. Nothing is wrong with the query: retry in {RESTART_RETRY_AFTER} s.",
        )
        self.retry_after = RESTART_RETRY_AFTER


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    sock: socket.socket  # non-blocking: read and written on the event loop
    isolation: str = "unknown"


@dataclass
class QueryPool:
    """Create with `await QueryPool.start(...)`; always `await pool.close()`."""

    config: WorkerConfig
    size: int
    timeout: float
    _directory: Path | None = None
    queue_limit: int = 0
    queue_wait: float = 0.0
    _idle: list[_Worker] = field(default_factory=list)
    _waiting: deque[asyncio.Future[_Worker]] = field(default_factory=deque)
    _busy: dict[int, _Worker] = field(default_factory=dict)
    _starting: set[asyncio.Task[None]] = field(default_factory=set)
    _executor: ThreadPoolExecutor | None = None
    _closed: bool = False
    isolation: str = "unknown"
    last_error: str | None = None  # why the last replacement worker failed to start

    @classmethod
    async def start(
        cls,
        store: ox.Store,
        *,
        size: int,
        timeout: float,
        base_iri: str,
        origin: str,
        isolate_network: bool,
        read_only: str | None = None,
        queue_limit: int = 0,
        queue_wait: float = 0.0,
        memory_headroom: int = MEMORY_HEADROOM,
    ) -> QueryPool:
        """Dump the store once to N-Quads, then start `size` workers that each load it; or,
        given the folder of an on-disk store (`read_only`), start workers that each open it
        read-only: no dump, and no copy of the graph per worker."""
        executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sparql")
        directory: Path | None = None
        if read_only is not None:
            config = WorkerConfig("", base_iri, origin, isolate_network, memory_headroom, read_only)
        else:
            directory = Path(tempfile.mkdtemp(prefix="publisher-sparql-"))
            dump = directory / "store.nq"
            await asyncio.get_running_loop().run_in_executor(
                executor, lambda: store.dump(str(dump), format=ox.RdfFormat.N_QUADS)
            )
            limit = memory_headroom + MEMORY_PER_DUMP_BYTE * dump.stat().st_size
            config = WorkerConfig(str(dump), base_iri, origin, isolate_network, limit)
        pool = cls(config, size, timeout, directory, queue_limit, queue_wait, _executor=executor)
        try:
            workers = await asyncio.gather(*(pool._spawn() for _ in range(size)))
        except BaseException:
            await pool.close()
            raise
        pool._idle.extend(workers)
        pool.isolation = workers[0].isolation if workers else "unknown"
        return pool

    @property
    def available(self) -> int:
        return len(self._idle)

    @property
    def pids(self) -> set[int]:
        """Process ids of the live workers, idle or busy (for tests and diagnostics)."""
        return {w.process.pid for w in (*self._idle, *self._busy.values())}

    @property
    def queued(self) -> int:
        return sum(1 for waiter in self._waiting if not waiter.done())

    def health(self) -> dict[str, object]:
        """The pool's real state, for /health: `ok` only when every wanted worker is alive."""
        alive = len(self._idle) + len(self._busy)
        return {
            "ok": not self._closed and alive >= self.size,
            "workers": alive,
            "wanted": self.size,
            "busy": len(self._busy),
            "queued": self.queued,
            "restarting": len(self._starting),
            "last_error": self.last_error,
        }

    async def run(self, job: Job) -> Outcome | Failure:
        """Answer a job within the deadline, or raise EndpointBusy, QueryTimeout, WorkerCrashed."""
        current = await self._acquire()
        self._busy[id(current)] = current
        try:
            async with asyncio.timeout(self.timeout):  # no task of its own, unlike wait_for
                reply = await _round_trip(current.sock, job)
        except TimeoutError:
            self._replace(current)
            raise QueryTimeout(self.timeout) from None
        except (EOFError, OSError, BrokenPipeError):
            self._replace(current)
            raise WorkerCrashed() from None
        except BaseException:  # cancelled (client gone, shutdown): the worker may still be busy
            self._replace(current)
            raise
        self._busy.pop(id(current), None)
        self._release(current)
        return reply

    async def _acquire(self) -> _Worker:
        """An idle worker now, or the next one freed if the queue has room and it comes in time."""
        if self._closed:
            raise EndpointBusy(self.size, retry_after=1)
        if self._idle and not self.queued:
            return self._idle.pop()
        if not self._idle and not self._busy and self.last_error is not None:
            raise WorkersRestarting(self.last_error)  # replacements are failing: fail fast
        if self.queued >= self.queue_limit:
            raise EndpointBusy(self.size, retry_after=1, queued=self.queued)
        waiter: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        taken: _Worker | None = None
        try:
            taken = await asyncio.wait_for(asyncio.shield(waiter), self.queue_wait)
            return taken
        except TimeoutError:
            if not self._idle and not self._busy:
                raise WorkersRestarting(self.last_error) from None
            raise EndpointBusy(self.size, retry_after=1, queued=self.queued) from None
        finally:
            if taken is None:  # gave up (time out, client gone): a worker handed over goes on
                if waiter.done() and not waiter.cancelled():
                    self._release(waiter.result())
                else:
                    waiter.cancel()
            with contextlib.suppress(ValueError):
                self._waiting.remove(waiter)

    def _release(self, worker: _Worker) -> None:
        """Give a free worker to the longest-waiting query, or put it back among the idle."""
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    def _replace(self, dead: _Worker) -> None:
        """Kill a worker now and start its successor in the background."""
        self._busy.pop(id(dead), None)
        _kill(dead)
        if self._closed:
            return
        task = asyncio.get_running_loop().create_task(self._respawn())
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    async def _respawn(self) -> None:
        """Start a replacement, retrying with doubling delays until it starts or the pool
        closes: a slot given up for good would leave the endpoint answering 503 for ever."""
        delay = RESTART_FIRST_DELAY
        while True:
            try:
                fresh = await self._spawn()
                break
            except Exception as error:  # keep serving with one slot fewer meanwhile
                self.last_error = f"{type(error).__name__}: {error}"
                log.warning(
                    "could not start a replacement SPARQL worker (%s); retrying in %g s",
                    self.last_error,
                    delay,
                )
            if self._closed:
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, RESTART_MAX_DELAY)
        self.last_error = None
        if self._closed:
            _kill(fresh)
        else:
            self._release(fresh)

    async def _spawn(self) -> _Worker:
        """A fresh interpreter running `worker.serve_fd`, talking over a socket pair.

        A new executable rather than `multiprocessing`: no fork of a threaded server, and no
        re-import of whatever script started the server (spawn's `__main__` fix-up)."""
        ours, theirs = socket.socketpair()
        package_root = str(Path(publisher.__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (package_root, os.environ.get("PYTHONPATH")) if p
        )}  # fmt: skip
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", WORKER_COMMAND, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                env=env,
            )
        finally:
            theirs.close()
        ours.setblocking(False)
        fresh = _Worker(process, ours)
        try:
            ready = await asyncio.wait_for(_exchange(ours, self.config), STARTUP_TIMEOUT)
        except BaseException:
            _kill(fresh)
            raise
        if not isinstance(ready, Ready):
            _kill(fresh)
            why = ready.message if isinstance(ready, Failure) else f"sent {ready!r}"
            raise RuntimeError(f"the SPARQL worker did not start: {why}")
        fresh.isolation = ready.isolation
        return fresh

    async def close(self) -> None:
        """Stop every worker (politely when idle, by force when busy) and remove the dump."""
        self._closed = True
        for waiter in self._waiting:
            waiter.cancel()
        self._waiting.clear()
        for task in list(self._starting):
            task.cancel()
        for idle in self._idle:
            with contextlib.suppress(OSError):
                idle.sock.send(wire.frame(None))  # a few bytes to an idle peer: never blocks
        loop = asyncio.get_running_loop()
        stopping_workers, self._idle = self._idle, []
        for stopping in stopping_workers:
            with contextlib.suppress(subprocess.TimeoutExpired):
                await loop.run_in_executor(self._executor, stopping.process.wait, 2.0)
            _kill(stopping)
        for busy in list(self._busy.values()):
            _kill(busy)
        self._busy.clear()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)


async def _exchange(sock: socket.socket, message: object) -> object:
    await wire.send(sock, message)
    return await wire.receive(sock)


async def _round_trip(sock: socket.socket, job: Job) -> Outcome | Failure:
    reply = await _exchange(sock, job)
    if not isinstance(reply, Outcome | Failure):
        raise EOFError(f"the worker answered {type(reply).__name__}")
    return reply


def _kill(dead: _Worker) -> None:
    """SIGKILL, reap, close our end. Nothing else reads the socket by then: a read that timed
    out or was cancelled has already left the event loop."""
    if dead.process.poll() is None:
        dead.process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        dead.process.wait(5.0)
    dead.sock.close()
