"""New versions of a store that changes while served, noticed in the background.

A store whose `capabilities.changes` may get a new version while the publisher serves it: a
SPARQL server that `publisher load --store URL` writes to, or a folder that `publisher load
--into` loads again. Every `remote_check_interval` seconds at most, a request starts a check in
the background (the request itself never waits for it). A new version replaces the served
dataset, and with it every cache keyed by the version (documents, dumps, VoID) and the ETags;
SPARQL workers that read the store's files are started on the new version first, so that
documents and SPARQL switch together (`FollowingPool`). A failed check (the store is down, the
new version is damaged) changes nothing: cached documents are still served, and requests that
need the store get a 503 until it is back.
"""

from __future__ import annotations

import asyncio
import logging
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from publisher.dataset import Dataset
from publisher.errors import PublisherError
from publisher.stores import refresh
from publisher.stores.following import FollowingPool
from publisher.web.state import state_of_app

log = logging.getLogger(__name__)


class NewVersionCheck:
    """ASGI middleware; does nothing unless the dataset being served can change."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._next_check = 0.0
        self._task: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self._maybe_check(scope["app"])
        await self.app(scope, receive, send)

    def _maybe_check(self, app: ASGIApp) -> None:
        state = state_of_app(app)
        dataset = state.loaded
        if dataset is None or not dataset.capabilities.changes:
            return
        now = time.monotonic()
        if now < self._next_check or (self._task is not None and not self._task.done()):
            return
        self._next_check = now + state.settings.remote_check_interval
        self._task = asyncio.get_running_loop().create_task(self._check(app, dataset))

    @staticmethod
    async def _check(app: ASGIApp, dataset: Dataset) -> None:
        state = state_of_app(app)
        try:
            fresh = await asyncio.to_thread(refresh, dataset, state.settings)
        except PublisherError as error:  # down or damaged: keep the version we have
            log.warning("could not check the store's version: %s", error)
            return
        if fresh is None or state.loaded is not dataset:
            return
        runner = state.sparql.pool if state.sparql is not None else None
        if isinstance(runner, FollowingPool):
            try:
                await runner.switch(fresh)
            except Exception as error:  # noqa: BLE001 - workers that do not start: keep the old
                log.error("not serving version %s: its SPARQL workers failed: %s", fresh.version,
                          error)  # fmt: skip
                return
        if state.loaded is not dataset:
            return
        state.replace_dataset(fresh)
        log.warning(
            "now serving version %s of %s (was %s)", fresh.version, fresh.location, dataset.version
        )
