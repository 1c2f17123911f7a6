"""`publisher serve --workers 2 --store DIR`: two server processes sharing one on-disk store.

A real server on a loopback port. What is checked, through /proc: two worker processes answer,
each of them and each of their SPARQL query workers has the store's files open, none holds the
RocksDB lock (every open is read-only: nobody has a private copy to write to), and the parent
that spawned them holds nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sparql_support import free_socket
from typer.testing import CliRunner

from publisher.cli import app as cli
from publisher.stores.disk import STORE

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")

STARTUP_LIMIT = 120.0  # seconds to wait for /health (a limit, not a measurement)
DOCUMENT = "doc/person/nasser-bourita.ttl"
QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("workers") / "store"
    result = CliRunner().invoke(cli, ["load", "--into", str(folder), "--skip-validation"])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="module")
def server(store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """(origin, parent pid) of `publisher serve --workers 2 --store DIR`."""
    with free_socket() as sock:
        port = sock.getsockname()[1]
    log = tmp_path_factory.mktemp("log") / "serve.log"
    command = [sys.executable, "-m", "publisher", "serve", "--store", str(store)]
    command += ["--workers", "2", "--host", "127.0.0.1", "--port", str(port)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUBLISHER_")}
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
    origin = f"http://127.0.0.1:{port}/"
    try:
        _wait(origin, process, log)
        _wait_for_workers(process.pid, 2, log)
        yield origin, process.pid
    finally:
        family = _descendants(process.pid)
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        for pid in family:  # anything the supervisor failed to stop
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_both_workers_are_up_and_every_request_succeeds(server: tuple[str, int]) -> None:
    origin, parent = server
    assert len(_workers(parent)) == 2

    def fetch(n: int) -> int:
        path = DOCUMENT if n % 4 else "sparql"
        params = {"query": QUERY} if path == "sparql" else None
        headers = {"accept": "text/csv"} if path == "sparql" else {}
        return httpx.get(origin + path, params=params, headers=headers, timeout=30).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(fetch, range(80)))
    assert statuses.count(200) == 80, statuses


def test_each_worker_opens_the_one_store(server: tuple[str, int], store: Path) -> None:
    _, parent = server
    store_files = str((store / STORE).resolve()) + os.sep
    for pid in _workers(parent):
        assert any(target.startswith(store_files) for target in _open_files(pid)), pid
    assert not any(target.startswith(store_files) for target in _open_files(parent))


def test_sparql_query_workers_open_the_store_too(server: tuple[str, int], store: Path) -> None:
    """Each HTTP worker runs its SPARQL queries in worker processes of its own; on disk, those
    open the store read-only as well, instead of loading a dump of it each."""
    _, parent = server
    store_files = str((store / STORE).resolve()) + os.sep
    query_workers = [
        pid
        for worker in _workers(parent)
        for pid in _descendants(worker)
        if "publisher.sparql.worker" in _command(pid)
    ]
    assert len(query_workers) >= 2
    for pid in query_workers:
        files = _open_files(pid)
        assert any(target.startswith(store_files) for target in files), pid
        assert not any(target.endswith(".nq") for target in files), pid


def test_no_process_holds_the_store_for_writing(server: tuple[str, int], store: Path) -> None:
    """RocksDB locks `LOCK` for a read-write open only: if we can take it, every process that
    has the store open has it read-only (and holds no private copy of the graph to write to)."""
    with (store / STORE / "LOCK").open("r+b") as lock:
        fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises BlockingIOError if held
        fcntl.lockf(lock, fcntl.LOCK_UN)


# --- /proc -----------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    found: list[int] = []
    for task in tasks.iterdir() if tasks.exists() else ():
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _descendants(pid: int) -> list[int]:
    found = _children(pid)
    for child in list(found):
        found += _descendants(child)
    return found


def _open_files(pid: int) -> list[str]:
    targets = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            targets.append(os.readlink(fd))
        except OSError:
            continue
    return targets


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _workers(parent: int) -> list[int]:
    """The uvicorn workers: children spawned by multiprocessing (not its resource tracker)."""
    return [
        pid
        for pid in _children(parent)
        if "multiprocessing.spawn" in _command(pid) and "resource_tracker" not in _command(pid)
    ]


def _wait(origin: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(origin + "health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"no answer from /health:\n{log.read_text(errors='replace')}")


def _wait_for_workers(parent: int, count: int, log: Path) -> None:
    """Both workers started (the first may answer /health before the second is up)."""
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if log.read_text(errors="replace").count("Application startup complete") >= count:
            return
        time.sleep(0.2)
    pytest.fail(f"{count} workers did not start:\n{log.read_text(errors='replace')}")


def test_workers_get_the_settings_through_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The parent puts every setting in PUBLISHER_*; each worker's `create_app()` reads them
    back into equal Settings. A slow first request must not get a worker killed."""
    from publisher.config import Settings
    from publisher.web import server
    from publisher.web.limits import LimitedConfig

    calls: list[LimitedConfig] = []
    monkeypatch.setattr(server, "supervise", calls.append)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PUBLISHER_")}
    monkeypatch.setattr(os, "environ", environment)  # a private copy, dropped after the test
    settings = Settings(
        store=str(tmp_path), workers=2, data=[str(tmp_path / "a,b.ttl")], skip_validation=True
    )
    environment["PUBLISHER_DUMP_DIR"] = "/stale/value"
    server.run(settings)
    (config,) = calls
    assert config.app == server.APP_FACTORY and config.factory is True
    assert config.workers == 2
    assert config.timeout_worker_healthcheck >= 60
    assert config.limits.header_timeout == settings.header_timeout
    assert "PUBLISHER_DUMP_DIR" not in os.environ  # unset here, so unset for the workers
    assert Settings() == settings
