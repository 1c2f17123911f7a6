"""Real SPARQL servers for the remote-backend tests: Oxigraph server and Virtuoso, each on free
loopback ports with a private database in a temporary folder, started and stopped by the tests
(stop/start is how the outage tests make the store go away and come back)."""

from __future__ import annotations

import abc
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

START_TIMEOUT = 120.0  # a fresh Virtuoso database takes ~10 s to create on this machine
STOP_TIMEOUT = 30.0
VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
    "oxigraph"
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require(binary: str | None, what: str) -> str:
    """The binary's path; a skip with the reason where it is absent, a failure on CI (where
    `.ci/run` installs it)."""
    if binary and Path(binary).exists():
        return binary
    message = f"{what} is not installed"
    if os.environ.get("CI"):
        pytest.fail(f"{message}, and CI must run these tests (.ci/run installs it)")
    pytest.skip(f"{message}: the tests against it cannot run here")


class Server(abc.ABC):
    """A server process with a data folder that outlives restarts."""

    name = "server"
    query_path = "/sparql"
    gsp_path = "/store"
    user: str | None = None
    password: str | None = None

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return self.origin + self.query_path

    @property
    def gsp_url(self) -> str:
        return self.origin + self.gsp_path

    @abc.abstractmethod
    def command(self) -> list[str]:
        """The command line that starts this server in the foreground."""

    def start(self) -> None:
        assert self.process is None, "already running"
        # Closed even when the command is missing (Popen raises): an open log would leak.
        with (self.folder / "server.log").open("ab") as log:
            self.process = subprocess.Popen(
                self.command(), cwd=self.folder, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = (self.folder / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{self.name} did not start:\n{tail}")
            time.sleep(0.1)

    def answers(self) -> bool:
        try:
            response = httpx.post(
                self.query_url,
                data={"query": "ASK {}"},
                headers={"Accept": "application/sparql-results+xml"},
                timeout=2,
            )
        except httpx.TransportError:
            return False
        return response.status_code == 200

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and wait until the port is free."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(STOP_TIMEOUT)

    def pause(self) -> None:
        """SIGSTOP: the server keeps its port but answers nothing (a hung server)."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)


class OxigraphServer(Server):
    """`oxigraph serve` (the `oxigraph` package on PyPI) with an on-disk database. Started
    without --union-default-graph: the publisher names its dataset in every query."""

    name = "Oxigraph server"
    query_path = "/query"
    gsp_path = "/store"

    def command(self) -> list[str]:
        binary = require(OXIGRAPH, "Oxigraph server (the `oxigraph` package)")
        return [
            binary,
            "serve",
            "--location",
            str(self.folder / "db"),
            "--bind",
            f"127.0.0.1:{self.port}",
        ]


class VirtuosoServer(Server):
    """Virtuoso Open Source (Debian's virtuoso-opensource) with a database in its folder and
    the default dba/dba account; `max_rows` is its [SPARQL] ResultSetMaxRows."""

    name = "Virtuoso"
    query_path = "/sparql"
    gsp_path = "/sparql-graph-crud-auth"
    user = "dba"
    password = "dba"

    def __init__(self, folder: Path, *, max_rows: int = 10_000, max_sorted_rows: int = 10_000):
        super().__init__(folder)
        self.sql_port = free_port()
        self.max_rows = max_rows
        self.max_sorted_rows = max_sorted_rows

    def command(self) -> list[str]:
        binary = require(VIRTUOSO, "Virtuoso (Debian package virtuoso-opensource)")
        ini = self.folder / "virtuoso.ini"
        ini.write_text(self.ini())
        (self.folder / "virtuoso.lck").unlink(missing_ok=True)  # left by a killed server
        return [binary, "-c", str(ini), "+foreground"]

    def ini(self) -> str:
        db = self.folder
        return f"""\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{self.sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {db}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
MaxSortedTopRows = {self.max_sorted_rows}

[HTTPServer]
ServerPort = 127.0.0.1:{self.port}
ServerRoot = {db}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = {self.max_rows}
MaxQueryExecutionTime = 60
"""
