"""What one cheap SPARQL query costs on top of the engine, and how the endpoint holds under load.

One query, `SELECT * WHERE { ?s ?p ?o } LIMIT 1` with SPARQL JSON results, on synthetic data
(bench.synthetic, 10k triples by default; the size hardly matters for this query):

- in-process pyoxigraph: `Store.query` + Oxigraph's own JSON serialiser, µs per query;
- the endpoint in-process: the app called over ASGI (httpx, no socket), one query at a time,
  µs per query: routing, middleware, guard, the hand-off to the worker process and back;
- over a real socket, `publisher serve` (1 HTTP worker, default settings) and Oxigraph server
  (`oxigraph serve-read-only`) on the same data: µs per query for one client, then wrk with 2
  and 16 connections, requests/s and how many answers were not 200.

Goals (issue 14): endpoint overhead over in-process pyoxigraph at most 300 µs; at 16 clients no
503 and throughput at least 0.25× Oxigraph server's.

    python -m bench sparql_overhead
    python -m bench.sparql_overhead --queries 3000 --seconds 5
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench.dereference import oxigraph_server
from bench.server import free_port
from bench.synthetic import BASE, write_ntriples
from bench.workers import wait_until_up

QUERY = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
ROWS_QUERY = "SELECT * WHERE { ?s ?p ?o } LIMIT 1000"
"""A larger answer: what the serialisation of 1000 rows adds (in-process and endpoint)."""
ACCEPT = "application/sparql-results+json"
GOAL_OVERHEAD_US = 300.0
GOAL_THROUGHPUT = 0.25
BATCHES = 5  # timings are taken in batches; the median batch is kept


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    not_ok: int  # answers other than 200 (503s when the queue is full)


@dataclass(frozen=True)
class OverheadResult:
    triples: int
    in_process_us: float  # pyoxigraph, query + JSON
    endpoint_asgi_us: float  # the app over ASGI, one query at a time
    endpoint_http_us: float  # publisher serve, one keep-alive client
    oxigraph_http_us: float  # Oxigraph server, one keep-alive client
    publisher: dict[int, Load]  # by number of connections
    oxigraph: dict[int, Load]
    rows_in_process_us: float = 0.0  # ROWS_QUERY, pyoxigraph
    rows_endpoint_us: float = 0.0  # ROWS_QUERY, the app over ASGI

    @property
    def overhead_us(self) -> float:
        """What the endpoint adds to the engine (goal: at most 300 µs)."""
        return self.endpoint_asgi_us - self.in_process_us

    def throughput_ratio(self, connections: int) -> float:
        return (
            self.publisher[connections].requests_per_second
            / self.oxigraph[connections].requests_per_second
        )


def find_oxigraph() -> str | None:
    here = str(Path(sys.executable).parent)
    return shutil.which("oxigraph", path=here) or shutil.which("oxigraph")


def measure(
    triples: int = 10_000,
    queries: int = 2000,
    seconds: float = 5.0,
    clients: tuple[int, ...] = (2, 16),
) -> OverheadResult:
    oxigraph, wrk = find_oxigraph(), shutil.which("wrk")
    if oxigraph is None or wrk is None:
        raise SystemExit(
            "bench/sparql_overhead needs Oxigraph server (pip install oxigraph) and wrk"
        )
    with tempfile.TemporaryDirectory(prefix="bench-sparql-overhead-") as folder:
        root = Path(folder)
        source = write_ntriples(root / "things.nt", triples // 4 * 4)
        in_process = in_process_us(source, queries)
        asgi = asgi_us(source, queries)
        rows_in_process = in_process_us(source, max(queries // 20, BATCHES), ROWS_QUERY)
        rows_asgi = asgi_us(source, max(queries // 20, BATCHES), ROWS_QUERY)
        with (
            publisher_server(root, source) as ours,
            oxigraph_server(root, source, oxigraph, ready=query_path("query")) as served,
        ):
            theirs = served.rstrip("/")
            ours_path, theirs_path = query_path("sparql"), query_path("query")
            ours_us = http_us(ours, ours_path, queries)
            theirs_us = http_us(theirs, theirs_path, queries)
            publisher: dict[int, Load] = {}
            others: dict[int, Load] = {}
            for n in clients:
                others[n] = run_wrk(wrk, theirs + theirs_path, n, seconds)
                publisher[n] = run_wrk(wrk, ours + ours_path, n, seconds)
    return OverheadResult(
        triples, in_process, asgi, ours_us, theirs_us, publisher, others, rows_in_process, rows_asgi
    )


def in_process_us(source: Path, queries: int, query: str = QUERY) -> float:
    store = ox.Store()
    store.bulk_load(path=str(source), format=ox.RdfFormat.N_TRIPLES)
    batch = max(queries // BATCHES, 1)
    timings = []
    for _ in range(BATCHES):
        start = time.perf_counter()
        for _ in range(batch):
            answer = store.query(query)
            assert isinstance(answer, ox.QuerySolutions)
            answer.serialize(format=ox.QueryResultsFormat.JSON)
        timings.append((time.perf_counter() - start) / batch * 1e6)
    return statistics.median(timings)


def asgi_us(source: Path, queries: int, query: str = QUERY) -> float:
    """The app in this process, called as an ASGI server calls it (no client library, no
    socket): what the endpoint itself adds. Its worker pool starts with the first query."""
    from publisher.config import Settings
    from publisher.stores import open_dataset
    from publisher.web.app import create_app
    from publisher.web.state import state_of_app

    settings = Settings(
        base_iri=BASE, data=[str(source)], ontology=[], shapes=[], skip_validation=True
    )
    app = create_app(settings, open_dataset(settings))
    query_string = query_path("sparql", query).partition("?")[2].encode()

    async def call() -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/sparql",
            "raw_path": b"/sparql",
            "root_path": "",
            "query_string": query_string,
            "headers": [(b"host", b"127.0.0.1:8000"), (b"accept", ACCEPT.encode())],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        statuses: list[int] = []

        async def receive() -> MutableMapping[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(int(str(message["status"])))

        await app(scope, receive, send)
        if statuses != [200]:
            raise SystemExit(f"the endpoint answered {statuses}")

    async def run() -> float:
        try:
            for _ in range(50):  # start the pool, warm up
                await call()
            batch = max(queries // BATCHES, 1)
            timings = []
            for _ in range(BATCHES):
                start = time.perf_counter()
                for _ in range(batch):
                    await call()
                timings.append((time.perf_counter() - start) / batch * 1e6)
            return statistics.median(timings)
        finally:
            endpoint = state_of_app(app).sparql
            if endpoint is not None:
                await endpoint.pool.close()

    return asyncio.run(run())


def query_path(route: str, query: str = QUERY) -> str:
    return f"/{route}?" + urllib.parse.urlencode({"query": query})


def http_us(origin: str, path: str, queries: int) -> float:
    """One keep-alive connection, one query after the other."""
    parts = urllib.parse.urlsplit(origin)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        for _ in range(50):
            _get(connection, path)
        batch = max(queries // BATCHES, 1)
        timings = []
        for _ in range(BATCHES):
            start = time.perf_counter()
            for _ in range(batch):
                _get(connection, path)
            timings.append((time.perf_counter() - start) / batch * 1e6)
        return statistics.median(timings)
    finally:
        connection.close()


def _get(connection: http.client.HTTPConnection, path: str) -> None:
    connection.request("GET", path, headers={"Accept": ACCEPT})
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise SystemExit(f"{path}: {response.status}")


def run_wrk(wrk: str, url: str, connections: int, seconds: float) -> Load:
    command = [wrk, "-t1", f"-c{connections}", f"-d{seconds:g}s", "-H", f"Accept: {ACCEPT}", url]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None:
        raise SystemExit(f"wrk failed on {url}:\n{output}")
    not_ok = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return Load(float(rate.group(1)), int(not_ok.group(1)) if not_ok else 0)


@contextmanager
def publisher_server(root: Path, source: Path) -> Iterator[str]:
    """`publisher serve` with its default SPARQL settings (1 HTTP worker)."""
    port = free_port()
    log = root / "publisher.log"
    command = [sys.executable, "-m", "publisher", "serve", "--data", str(source)]
    command += ["--base-iri", BASE, "--skip-validation", "--workers", "1"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    origin = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(origin + "/", process, log, 1)
        yield origin
    finally:
        process.terminate()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def report(result: OverheadResult) -> None:
    print(f"{result.triples:,} triples; {QUERY!r}, {ACCEPT}")
    print(f"in-process pyoxigraph (query + JSON)     {result.in_process_us:8.0f} µs/query")
    print(f"endpoint in-process (ASGI call, 1 by 1)   {result.endpoint_asgi_us:8.0f} µs/query")
    print(
        f"  overhead over pyoxigraph                {result.overhead_us:8.0f} µs "
        f"(goal: at most {GOAL_OVERHEAD_US:.0f})"
    )
    print(f"publisher serve, 1 client over HTTP       {result.endpoint_http_us:8.0f} µs/query")
    print(f"Oxigraph server, 1 client over HTTP       {result.oxigraph_http_us:8.0f} µs/query")
    print(
        f"1000 rows ({ROWS_QUERY!r}): pyoxigraph {result.rows_in_process_us:,.0f} µs, endpoint "
        f"over ASGI {result.rows_endpoint_us:,.0f} µs "
        f"({result.rows_endpoint_us / result.rows_in_process_us:.2f}x)"
    )
    print(
        f"{'clients':>7} {'publisher req/s':>16} {'not 200':>8} {'Oxigraph req/s':>15} {'ratio':>6}"
    )
    for n, ours in result.publisher.items():
        theirs = result.oxigraph[n]
        print(
            f"{n:>7} {ours.requests_per_second:>16,.0f} {ours.not_ok:>8} "
            f"{theirs.requests_per_second:>15,.0f} {result.throughput_ratio(n):>6.3f}"
        )
    print(f"goal at 16 clients: no 503 and a ratio of at least {GOAL_THROUGHPUT}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sparql_overhead", description=__doc__)
    parser.add_argument("--triples", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2000, help="timed queries per figure")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each wrk run")
    args = parser.parse_args(argv)
    report(measure(args.triples, args.queries, args.seconds))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main(sys.argv[1:])
