"""The systems the report compares, each started alone on a loopback port: the publisher in
memory, on disk and over a remote Oxigraph server, and the servers a user would pick instead
(Oxigraph server, Virtuoso, rdflib-endpoint). Each yields a `Target`: where it answers, its
process, and the seconds from its start to its first correct answers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.measure import get, until_correct
from bench.server import free_port
from bench.synthetic import BASE

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from remote_servers import OXIGRAPH as OXIGRAPH  # noqa: E402
from remote_servers import VIRTUOSO as VIRTUOSO  # noqa: E402
from remote_servers import OxigraphServer, Server, VirtuosoServer  # noqa: E402

STARTUP_LIMIT = 900.0  # seconds: a bound on waiting, never a measure
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
PUBLISHER = str(Path(sys.executable).with_name("publisher"))
SPARQL_JSON = {"Accept": "application/sparql-results+json"}
TURTLE = {"Accept": "text/turtle"}


def thing(i: int) -> str:
    return f"{BASE}id/thing/{i}"


def cheap_query(i: int) -> str:
    """The cheap query of the report: one label of one thing (a different thing each time, so
    no answer cache can serve it)."""
    return f"SELECT ?label WHERE {{ <{thing(i)}> {LABEL} ?label }}"


@dataclass
class Target:
    """One running system."""

    key: str  # memory, disk, remote, oxigraph, virtuoso, rdflib-endpoint
    name: str
    origin: str  # ends with /
    pid: int
    sparql: str  # path of its SPARQL endpoint, without the leading slash
    publisher: bool
    startup: dict[str, float] = field(default_factory=dict)  # check name -> seconds
    backing_pid: int | None = None  # the SPARQL server a remote publisher reads

    def document_path(self, i: int, extension: str = "ttl") -> str:
        """The publisher's document of thing i; a server's DESCRIBE of it."""
        if self.publisher:
            return f"/doc/thing/{i}.{extension}"
        return self.query_path(f"DESCRIBE <{thing(i)}>")

    def document_headers(self) -> dict[str, str]:
        return {} if self.publisher else TURTLE

    def query_path(self, query: str) -> str:
        return f"/{self.sparql}?" + urllib.parse.urlencode({"query": query})


def available() -> dict[str, str | None]:
    """Each optional system: None when it can run here, else why not."""
    peer = Path.home() / ".cache" / "publisher-bench" / "rdflib-endpoint" / "bin" / "python"
    return {
        "wrk": None if shutil.which("wrk") else "wrk is not installed (apt-get install wrk)",
        "oxigraph": None if OXIGRAPH else "the `oxigraph` binary is missing (pip install oxigraph)",
        "virtuoso": None
        if VIRTUOSO and Path(VIRTUOSO).exists()
        else "Virtuoso is not installed (/usr/bin/virtuoso-t, Debian virtuoso-opensource)",
        "nginx": None if shutil.which("nginx") or Path("/usr/sbin/nginx").exists() else "no nginx",
        "rdflib-endpoint": None if peer.exists() else "installed on first use (bench.sparql)",
    }


def document_is_right(text: str, i: int = 42) -> bool:
    return f"Thing number {i}" in text


def _checks(origin: str, target: Target) -> dict[str, Callable[[], bool]]:
    document = origin + target.document_path(42)[1:]

    def home() -> bool:
        status, body = get(origin, {"Accept": "text/html"})
        return status == 200 and "<html" in body.lower()

    def describe() -> bool:
        status, body = get(document, target.document_headers())
        return status == 200 and document_is_right(body)

    # A SPARQL server's home page is its query form, not the dataset's: only its DESCRIBE counts.
    return {"home page": home, "document": describe} if target.publisher else {"document": describe}


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def started(
    target: Target, command: list[str], log: Path, env: dict[str, str] | None = None
) -> Iterator[Target]:
    """Start `command`, time its first correct answers, stop it on the way out."""
    begun = time.monotonic()
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=log.parent
        )
    target.pid = process.pid
    try:
        target.startup = until_correct(
            begun, _checks(target.origin, target), lambda: process.poll() is None, STARTUP_LIMIT
        )
        if "document" not in target.startup:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{target.name} gave no correct document:\n{tail}")
        yield target
    finally:
        _stop(process)


def publisher(
    key: str, where: list[str], folder: Path, env: dict[str, str] | None = None
) -> AbstractContextManager[Target]:
    """`publisher serve` (one worker) on `--data FILE`, `--store DIR` or `--store URL`."""
    port = free_port()
    names = {"memory": "publisher, in memory", "disk": "publisher, on-disk store"}
    name = names.get(key, "publisher over Oxigraph server")
    target = Target(key, name, f"http://127.0.0.1:{port}/", 0, "sparql", publisher=True)
    command = [PUBLISHER, "serve", *where, "--base-iri", BASE, "--skip-validation"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PUBLISHER_")}
    return started(target, command, folder / f"{key}.log", {**clean, **(env or {})})


def oxigraph_load(source: Path, database: Path) -> float:
    """Seconds `oxigraph load` takes to build its database from the file."""
    begun = time.monotonic()
    subprocess.run(
        [str(OXIGRAPH), "load", "--location", str(database), "--file", str(source)],
        check=True,
        capture_output=True,
    )
    return time.monotonic() - begun


def oxigraph(database: Path, folder: Path) -> AbstractContextManager[Target]:
    """`oxigraph serve-read-only` on a database `oxigraph_load` wrote."""
    port = free_port()
    target = Target("oxigraph", "Oxigraph server", f"http://127.0.0.1:{port}/", 0, "query", False)
    command = [str(OXIGRAPH), "serve-read-only", "--location", str(database)]
    return started(target, [*command, "--bind", f"127.0.0.1:{port}"], folder / "oxigraph.log")


def push(source: Path, server: Server) -> float:
    """Seconds `publisher load --store URL` takes to push the file into a SPARQL server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUBLISHER_")}
    env["PUBLISHER_REMOTE_GSP"] = server.gsp_url
    if server.user:
        env["PUBLISHER_REMOTE_USER"] = server.user
        env["PUBLISHER_REMOTE_PASSWORD"] = server.password or ""
    command = [PUBLISHER, "load", str(source), "--store", server.query_url, "--base-iri", BASE]
    begun = time.monotonic()
    subprocess.run([*command, "--skip-validation"], check=True, capture_output=True, env=env)
    return time.monotonic() - begun


@contextmanager
def remote_publisher(source: Path, folder: Path, loads: dict[str, float]) -> Iterator[Target]:
    """An Oxigraph server (read-write, for the push) and the publisher in front of it."""
    server = OxigraphServer(folder / "remote-oxigraph")
    server.start()
    try:
        loads["publisher load --store (Oxigraph server)"] = push(source, server)
        env = {"PUBLISHER_REMOTE_GSP": server.gsp_url}
        with publisher("remote", ["--store", server.query_url], folder, env) as target:
            target.backing_pid = server.process.pid if server.process else None
            yield target
    finally:
        server.stop()


@contextmanager
def virtuoso(source: Path, folder: Path, loads: dict[str, float]) -> Iterator[Target]:
    """Virtuoso with the data pushed by `publisher load --store`, then restarted so that its
    start-up to the first correct DESCRIBE is timed like the others'."""
    server = VirtuosoServer(folder / "virtuoso", max_rows=10_000_000)
    server.start()
    try:
        loads["publisher load --store (Virtuoso)"] = push(source, server)
        server.stop()
        begun = time.monotonic()
        server.start()
        assert server.process is not None
        process = server.process
        target = Target("virtuoso", "Virtuoso", server.origin + "/", process.pid, "sparql", False)
        checks = _checks(target.origin, target)
        target.startup = until_correct(begun, checks, lambda: process.poll() is None, STARTUP_LIMIT)
        yield target
    finally:
        server.stop()


def rdflib_endpoint(ntriples: Path, folder: Path) -> AbstractContextManager[Target]:
    """rdflib-endpoint (bench.sparql installs it into its own environment) on the same file."""
    from bench.sparql import peer_python

    python = peer_python()
    if python is None:
        raise RuntimeError("rdflib-endpoint could not be installed")
    port = free_port()
    origin = f"http://127.0.0.1:{port}/"
    target = Target("rdflib-endpoint", "rdflib-endpoint", origin, 0, "", publisher=False)
    command = [str(python.parent / "rdflib-endpoint"), "serve", "--host", "127.0.0.1"]
    return started(target, [*command, "--port", str(port), str(ntriples)], folder / "peer.log")
