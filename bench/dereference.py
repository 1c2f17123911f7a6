"""First-render dereferencing: the publisher against Oxigraph server's DESCRIBE, side by side.

Every document is rendered on its first request and then served from the cache, so a crawler
or a client that follows links mostly meets cold documents. This benchmark asks for each IRI
once (per format), so the document cache cannot help: what is measured is describe + serialise
(or, for HTML, the page's queries and template) plus the HTTP path. The reference is Oxigraph
server (the `oxigraph` binary of the pip package) answering `DESCRIBE <iri>` for the same IRIs
in the same format, from the same synthetic data (bench.synthetic, 100k triples by default).
Oxigraph has no HTML: the HTML row is compared with its Turtle DESCRIBE.

Two measures per format and server:

- throughput: `wrk -t1 -c16` for a few seconds, a Lua script walking through IRIs not asked
  before (one wrk thread: its connections share the walk), or, without wrk, a Python client of
  several processes with keep-alive connections (the output says which; it is slower than wrk,
  so it can understate the faster server);
- cold latency: one keep-alive connection, one request at a time, the median over fresh IRIs.

Goals (issue 14): throughput >= 0.25x Oxigraph's, median latency <= 2x Oxigraph's. The machine
is shared by the client and both servers: run it on an otherwise idle machine. `--ceiling` adds
the earlier measure of the HTTP path alone: one cached document against a bare FastAPI app
serving the same bytes (target 0.7).

    python -m bench dereference
    python -m bench.dereference --triples 1000000 --seconds 5
    python -m bench.dereference --source /tmp/old-tree      # serve an older checkout
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.server import free_port, uvicorn_server
from bench.synthetic import BASE, write_ntriples
from bench.workers import wait_until_up

CONNECTIONS = 16
LATENCY_SAMPLES = 200
FORMATS = (  # (extension, media type asked of Oxigraph, and what Oxigraph answers it with)
    ("ttl", "text/turtle"),
    ("jsonld", "application/ld+json"),
    ("nt", "application/n-triples"),
    ("html", "text/turtle"),
)
THROUGHPUT_GOAL = 0.25
LATENCY_GOAL = 2.0
WALK = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local position = 0
request = function()
  position = position %% #paths + 1
  return wrk.format("GET", paths[position], %(headers)s)
end
"""


@dataclass
class Result:
    requests_per_second: float
    median_ms: float
    requests: int


@dataclass
class Row:
    extension: str
    publisher: Result
    oxigraph: Result

    @property
    def throughput_ratio(self) -> float:
        return self.publisher.requests_per_second / self.oxigraph.requests_per_second

    @property
    def latency_ratio(self) -> float:
        return self.publisher.median_ms / self.oxigraph.median_ms


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.dereference")
    parser.add_argument("--triples", type=int, default=100_000, help="100k; 1000000 for 1M")
    parser.add_argument("--seconds", type=int, default=4, help="per throughput run")
    parser.add_argument("--workers", type=int, default=1, help="publisher serve --workers")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--source", type=Path, help="serve the publisher from this tree")
    parser.add_argument("--formats", default=",".join(e for e, _ in FORMATS))
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="also: one cached document against a bare FastAPI app serving its bytes",
    )
    args = parser.parse_args(argv or [])
    result = run(args)
    report(result.rows, result.triples, result.client, args)
    if result.warm is not None:
        cached, bare = result.warm
        print(
            f"one cached document ({WARM_DOCUMENT}): publisher {cached:,.0f} req/s, a bare "
            f"FastAPI app serving its bytes {bare:,.0f} req/s, ratio {cached / bare:.2f} "
            "(target >= 0.70)"
        )


@dataclass
class Dereference:
    """One run: a Row per format, and (with --ceiling) the cached document against the bare
    app, in requests/s."""

    triples: int
    client: str
    rows: list[Row]
    warm: tuple[float, float] | None


def run(args: argparse.Namespace) -> Dereference:
    """The comparison for the options of `main` (its parser's namespace)."""
    triples = args.triples // 4 * 4
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    if client == "wrk" and shutil.which("wrk") is None:
        raise SystemExit("--client wrk: wrk is not installed (apt-get install wrk)")
    oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
        "oxigraph"
    )
    if oxigraph is None:
        raise SystemExit("bench/dereference needs Oxigraph server (pip install oxigraph)")
    wanted = [f for f in FORMATS if f[0] in args.formats.split(",")]
    things = triples // 4
    order = list(range(things))
    random.Random(14).shuffle(order)
    with tempfile.TemporaryDirectory(prefix="bench-dereference-") as folder:
        root = Path(folder)
        source = write_ntriples(root / "things.nt", triples)
        with (
            publisher_server(root, source, args.workers, args.source) as publisher,
            oxigraph_server(root, source, oxigraph) as describe,
        ):
            rows = []
            for index, (extension, media_type) in enumerate(wanted):
                # Each format walks the IRIs from its own starting point: cold for both.
                start = index * things // len(wanted)
                ids = order[start:] + order[:start]
                ours = [f"/doc/thing/{i}.{extension}" for i in ids]
                theirs = [describe_path(i) for i in ids]
                accept = {"Accept": media_type}
                rows.append(
                    Row(
                        extension,
                        measure(client, publisher, ours, {}, args.seconds, root),
                        measure(client, describe, theirs, accept, args.seconds, root),
                    )
                )
            warm = (
                warm_against_ceiling(client, publisher, args.seconds, root)
                if args.ceiling
                else None
            )
    return Dereference(triples, client, rows, warm)


WARM_DOCUMENT = "doc/thing/0.ttl"


def warm_against_ceiling(
    client: str, publisher: str, seconds: int, root: Path
) -> tuple[float, float]:
    """The HTTP path alone: the same cached document over and over, and the same bytes from
    `bench.bare_app` under the same uvicorn settings (requests/s of each)."""
    with urllib.request.urlopen(publisher + WARM_DOCUMENT) as response:
        body = response.read()
        media_type = response.headers["Content-Type"]
    ours = run_load(client, publisher, ["/" + WARM_DOCUMENT], {}, seconds, root)
    body_file = root / "body"
    body_file.write_bytes(body)
    env = {"BENCH_BODY_FILE": str(body_file), "BENCH_MEDIA_TYPE": media_type}
    with uvicorn_server("bench.bare_app:app", env=env) as bare:
        ceiling = run_load(client, bare, ["/" + WARM_DOCUMENT], {}, seconds, root)
    return ours, ceiling


def measure(
    client: str, origin: str, paths: list[str], headers: dict[str, str], seconds: int, root: Path
) -> Result:
    """Cold latency on the first LATENCY_SAMPLES paths, then throughput over the others."""
    latency = median_latency(origin, paths[:LATENCY_SAMPLES], headers)
    rest = paths[LATENCY_SAMPLES:]
    return Result(run_load(client, origin, rest, headers, seconds, root), latency, len(rest))


def report(rows: list[Row], triples: int, client: str, args: argparse.Namespace) -> None:
    load = (
        f"wrk -t1 -c{CONNECTIONS} -d{args.seconds}s"
        if client == "wrk"
        else f"a Python client ({PROCESSES} processes, {CONNECTIONS} keep-alive connections)"
    )
    print(
        f"{triples:,} triples ({triples // 4:,} things); first render of each IRI; load: {load}; "
        f"latency: median of {LATENCY_SAMPLES} sequential requests on one connection; "
        f"publisher serve --workers {args.workers}"
        + (f" from {args.source}" if args.source else "")
    )
    print(
        f"{'format':<7} {'publisher req/s':>16} {'Oxigraph req/s':>15} {'ratio':>6} "
        f"{'publisher p50 ms':>17} {'Oxigraph p50 ms':>16} {'ratio':>6}"
    )
    for row in rows:
        print(
            f"{row.extension:<7} {row.publisher.requests_per_second:>16,.0f} "
            f"{row.oxigraph.requests_per_second:>15,.0f} {row.throughput_ratio:>6.3f} "
            f"{row.publisher.median_ms:>17.2f} {row.oxigraph.median_ms:>16.2f} "
            f"{row.latency_ratio:>6.2f}"
        )
    print(
        f"goals: throughput ratio >= {THROUGHPUT_GOAL} (publisher / Oxigraph), "
        f"latency ratio <= {LATENCY_GOAL}; html is compared with Oxigraph's Turtle DESCRIBE"
    )
    for row in rows:
        asked = row.publisher.requests_per_second * args.seconds
        if asked > row.publisher.requests:
            print(
                f"note: {row.extension}: about {asked:,.0f} requests for "
                f"{row.publisher.requests:,} IRIs: some were not first renders (use more --triples)"
            )


def describe_path(i: int) -> str:
    query = f"DESCRIBE <{BASE}id/thing/{i}>"
    return "/query?" + urllib.parse.urlencode({"query": query})


# ---------------------------------------------------------------------------------------------
# The two servers
# ---------------------------------------------------------------------------------------------


@contextmanager
def publisher_server(root: Path, source: Path, workers: int, tree: Path | None) -> Iterator[str]:
    """`publisher serve` on the synthetic data (from `tree`, an older checkout, if given)."""
    port = free_port()
    log = root / "publisher.log"
    command = [sys.executable, "-m", "publisher", "serve", "--data", str(source)]
    command += ["--base-iri", BASE, "--skip-validation", "--workers", str(workers)]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "PYTHONPATH": str(tree)} if tree else None
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=tree
        )
    origin = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(origin, process, log, workers)
        wait_for_dumps(origin)
        yield origin
    finally:
        process.terminate()
        process.wait(60)


def wait_for_dumps(origin: str, timeout: float = 600.0) -> None:
    """Until the dumps are written: the server writes them in the background after startup,
    and that would compete with the requests measured."""
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(origin + "dumps/", headers={"Accept": "application/json"})
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                listing = json.loads(response.read())
        except urllib.error.HTTPError as error:
            if error.code != 503:
                return  # no dump listing here (an older tree): nothing to wait for
            listing = {}
        except ValueError:
            return
        if listing.get("files"):
            return
        time.sleep(0.5)
    raise SystemExit(f"the dumps were not written within {timeout:.0f} s")


@contextmanager
def oxigraph_server(
    root: Path, source: Path, binary: str, ready: str | None = None
) -> Iterator[str]:
    """`oxigraph serve-read-only` on a database loaded from the same file; its origin (with a
    final `/`) once `ready` (a server path; by default a DESCRIBE) answers."""
    database = root / "oxigraph"
    subprocess.run(
        [binary, "load", "--location", str(database), "--file", str(source)],
        check=True,
        capture_output=True,
    )
    port = free_port()
    with (root / "oxigraph.log").open("wb") as output:
        process = subprocess.Popen(
            [binary, "serve-read-only", "--location", str(database), "--bind", f"127.0.0.1:{port}"],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    origin = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                probe = ready if ready is not None else describe_path(0)
                with urllib.request.urlopen(origin + probe.lstrip("/"), timeout=2):
                    break
            except OSError as error:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"Oxigraph server did not start: {error}") from error
                time.sleep(0.2)
        yield origin
    finally:
        process.terminate()
        process.wait(60)


# ---------------------------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------------------------


def run_load(
    client: str, origin: str, paths: list[str], headers: dict[str, str], seconds: int, root: Path
) -> float:
    """Requests/s over `paths`, each asked once while they last."""
    if client == "wrk":
        return wrk(origin, paths, headers, seconds, root)
    return python_load(origin, paths, headers, seconds)


def wrk(origin: str, paths: list[str], headers: dict[str, str], seconds: int, root: Path) -> float:
    listing = root / "paths.txt"
    listing.write_text("\n".join(paths) + "\n")
    lua = ", ".join(f'["{k}"] = "{v}"' for k, v in headers.items())
    script = root / "walk.lua"
    script.write_text(WALK % {"paths": listing, "headers": f"{{{lua}}}" if lua else "nil"})
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", str(script), origin]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if found is None or "Non-2xx" in output:
        raise SystemExit(f"wrk failed or got errors:\n{output}")
    return float(found.group(1))


PROCESSES = 2


def python_load(origin: str, paths: list[str], headers: dict[str, str], seconds: int) -> float:
    """The fallback load generator: PROCESSES processes, CONNECTIONS threads in all, each thread
    one keep-alive connection walking its own slice of `paths`."""
    slices = [paths[i::PROCESSES] for i in range(PROCESSES)]
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        counts = pool.starmap(
            _load_process,
            [(origin, part, headers, seconds, CONNECTIONS // PROCESSES) for part in slices],
        )
    return sum(counts) / seconds


def _load_process(
    origin: str, paths: list[str], headers: dict[str, str], seconds: int, threads: int
) -> int:
    deadline = time.monotonic() + seconds
    counts = [0] * threads

    def work(n: int) -> None:
        connection = _connect(origin)
        mine = paths[n::threads] or paths
        try:
            while time.monotonic() < deadline:
                _get(connection, mine[counts[n] % len(mine)], headers)
                counts[n] += 1
        finally:
            connection.close()

    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(counts)


def median_latency(origin: str, paths: Sequence[str], headers: dict[str, str]) -> float:
    """Milliseconds, the median of one request at a time on one keep-alive connection."""
    connection = _connect(origin)
    times = []
    try:
        for path in paths:
            started = time.perf_counter()
            _get(connection, path, headers)
            times.append((time.perf_counter() - started) * 1000)
    finally:
        connection.close()
    return statistics.median(times)


def _connect(origin: str) -> http.client.HTTPConnection:
    parts = urllib.parse.urlsplit(origin)
    return http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)


def _get(connection: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> None:
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise SystemExit(f"GET {path}: {response.status}")


if __name__ == "__main__":
    main(sys.argv[1:])
