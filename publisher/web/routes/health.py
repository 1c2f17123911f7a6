"""/health, for load balancers and smoke checks: answered from what the process already knows.

A health check that asks the store (a COUNT on a remote SPARQL server) is slowest exactly when
the server is in trouble, and a load balancer calls it every few seconds from every node. So a
background thread checks the store every `health_check_interval` seconds (one cheap ASK; the
triple count once per version) and the route only reads its last finding: it answers in
microseconds whether the store is up, down or hanging.

Status: `ok` (200), `degraded` (200: the data is served but the dumps failed, or the SPARQL
workers report trouble short of being down) or `unavailable` (503 + Retry-After: the store did
not answer its last check, or the SPARQL workers say they cannot run queries).
"""

from __future__ import annotations

import json
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from publisher.headers import HEALTH
from publisher.web.http import respond
from publisher.web.state import AppState, state_of

router = APIRouter()

ASK_ANYTHING = "ASK { ?s ?p ?o }"
HUNG_AFTER = 2.0
"""A check still running after this many intervals counts as the store not answering."""


@dataclass(frozen=True)
class StoreCheck:
    """What the last background check found."""

    available: bool
    reason: str | None
    checked_at: float  # time.time()
    version: str | None


class HealthMonitor:
    """Checks the store in the background; `report()` never does I/O.

    The thread holds the app state weakly and ends with it (tests build many apps), or when
    `stop()` is called (the app's lifespan).
    """

    def __init__(self, state: AppState) -> None:
        self.interval = state.settings.health_check_interval
        self._state = weakref.ref(state)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.last: StoreCheck | None = None
        self.check_started: float | None = None  # time.monotonic() of a check under way
        self.triples: dict[str, int] = {}  # version → count, counted once in the background

    def start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._loop, name="health", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while True:
            state = self._state()
            if state is None:
                return
            self.check(state)
            del state
            if self._stop.wait(self.interval):
                return

    def check(self, state: AppState) -> None:
        """One check: can the store answer a query; count its triples once per version."""
        dataset = state.loaded
        if dataset is None:
            self.last = StoreCheck(False, "the dataset is not loaded yet", time.time(), None)
            return
        self.check_started = time.monotonic()
        try:
            dataset.store.query(ASK_ANYTHING)
            if dataset.version not in self.triples:
                self.triples = {dataset.version: dataset.triple_count}
            self.last = StoreCheck(True, None, time.time(), dataset.version)
        except Exception as error:  # any failure to answer is what health reports
            self.last = StoreCheck(False, str(error) or repr(error), time.time(), dataset.version)
        finally:
            self.check_started = None

    def store_report(self) -> tuple[bool, dict[str, object]]:
        """(available, what to say about the store), from the last check only."""
        last, started = self.last, self.check_started
        if started is not None and time.monotonic() - started > HUNG_AFTER * self.interval:
            waited = time.monotonic() - started
            return False, {"status": "unavailable", "reason": f"no answer for {waited:.0f} s"}
        if last is None:
            return True, {"status": "unknown", "reason": "the first check is under way"}
        said: dict[str, object] = {
            "status": "ok" if last.available else "unavailable",
            "checked": datetime.fromtimestamp(last.checked_at, UTC).isoformat(timespec="seconds"),
        }
        if last.reason:
            said["reason"] = last.reason
        return last.available, said


def monitor_of(state: AppState) -> HealthMonitor:
    """The state's monitor, started on first use (an app run without its lifespan too)."""
    monitor = state.health
    if not isinstance(monitor, HealthMonitor):
        with _CREATE:
            monitor = state.health
            if not isinstance(monitor, HealthMonitor):
                monitor = state.health = HealthMonitor(state)
    monitor.start()
    return monitor


_CREATE = threading.Lock()


def sparql_report(state: AppState) -> tuple[str, dict[str, Any]]:
    """(`ok`, `starting`, `degraded` or `unavailable`, the runner's own report): from the runner's
    `health()` (workers alive and wanted, busy, queued, restarting, last error)."""
    endpoint = state.sparql
    if endpoint is None:
        return "ok", {"status": "not started"}  # starts with the first query
    runner_health = getattr(endpoint.pool, "health", None)
    if not callable(runner_health):
        return "ok", {"status": "running"}
    try:
        report = dict(runner_health())
    except Exception as error:  # a report that fails is a finding, not a 500
        return "unavailable", {"status": "unavailable", "reason": repr(error)}
    if report.get("ok", True):
        status = "ok"
    elif report.get("workers"):
        status = "degraded"  # some workers are being replaced; queries still run
    elif report.get("last_error") is None:
        status = "starting"  # the first workers are on their way; queries wait for them
    else:
        status = "unavailable"  # no worker can run a query, and starting one failed
    return status, {"status": status, **report}


def health_report(state: AppState) -> tuple[int, dict[str, object]]:
    """The status code and body of /health: no I/O, only what the process knows."""
    monitor = monitor_of(state)
    dataset = state.loaded
    store_ok, store = monitor.store_report()
    sparql_status, sparql = sparql_report(state)
    dumps = state.dump_status(wait=0).state if dataset is not None else "preparing"
    if dataset is None or not store_ok or sparql_status == "unavailable":
        status = "unavailable"
    elif dumps == "failed" or sparql_status == "degraded":
        status = "degraded"
    else:
        status = "ok"
    version = dataset.version if dataset is not None else None
    body: dict[str, object] = {
        "status": status,
        "version": version,
        "triples": monitor.triples.get(version) if version is not None else None,
        "store": store,
        "sparql": sparql,
        "dumps": dumps,
    }
    return (503 if status == "unavailable" else 200), body


@router.get("/health")
async def health(request: Request) -> Response:
    """The last background findings; 503 + Retry-After when the data or SPARQL is unavailable.
    On the event loop: it does no I/O, so it answers even when every worker thread is busy."""
    state = state_of(request)
    code, body = health_report(state)
    headers: dict[str, str] = {}
    if code == 503:
        headers["Retry-After"] = str(max(1, round(state.settings.health_check_interval)))
    text = json.dumps(body, default=str, ensure_ascii=False).encode()
    return respond(request, HEALTH, text, "application/json", status=code, headers=headers)
