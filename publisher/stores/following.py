"""SPARQL worker processes that follow the on-disk store's current version.

A new `publisher load --into` the folder being served makes a new version folder; the workers
of the old pool hold the old one open. `switch` starts a pool on the new folder before the app
serves the new version (so documents and SPARQL change together), and the old pool is closed
once the queries it is running have finished, never under them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publisher.dataset import Dataset, QueryRunner

if TYPE_CHECKING:
    from publisher.sparql.worker import Failure, Job, Outcome

log = logging.getLogger(__name__)

PoolStarter = Callable[[Dataset], Awaitable[QueryRunner]]


class FollowingPool:
    """A `QueryRunner` over one worker pool per store version; other attributes (`available`,
    `pids`…) are the current pool's."""

    def __init__(self, pool: QueryRunner, path: Path | None, start: PoolStarter) -> None:
        self.pool, self.path, self._start = pool, path, start
        self._running: dict[int, int] = {}  # id(pool) -> queries in flight
        self._retired: dict[int, QueryRunner] = {}
        self._closing: set[asyncio.Task[None]] = set()

    async def switch(self, dataset: Dataset) -> None:
        """Start workers on `dataset`'s store and send new queries there; no-op if they
        already read it."""
        path = dataset.capabilities.shared_path
        if path == self.path:
            return
        fresh = await self._start(dataset)
        old, self.pool, self.path = self.pool, fresh, path
        log.info("SPARQL workers now read %s", path)
        self._retire(old)

    async def run(self, job: Job) -> Outcome | Failure:
        pool = self.pool
        key = id(pool)
        self._running[key] = self._running.get(key, 0) + 1
        try:
            return await pool.run(job)
        finally:
            self._running[key] -= 1
            if not self._running[key]:
                del self._running[key]
                if key in self._retired:
                    self._close_later(self._retired.pop(key))

    def health(self) -> dict[str, object]:
        """The current pool's report (the retiring ones only finish their queries)."""
        return self.pool.health()

    def _retire(self, pool: QueryRunner) -> None:
        if self._running.get(id(pool)):
            self._retired[id(pool)] = pool  # closed by its last query
        else:
            self._close_later(pool)

    def _close_later(self, pool: QueryRunner) -> None:
        task = asyncio.get_running_loop().create_task(pool.close())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def close(self) -> None:
        pools = [self.pool, *self._retired.values()]
        self._retired.clear()
        for pool in pools:
            await pool.close()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pool, name)
