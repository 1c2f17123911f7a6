"""The remote backend: `publisher load --store URL` rate, and requests/s of `publisher serve`
in front of Oxigraph server and Virtuoso, next to the same data in memory.

The data is synthetic (bench.synthetic, 200k triples by default: 50k things). Each SPARQL
server is started with a fresh database in a temporary folder (as the tests start them), the
data is pushed by the real `publisher load --store URL --skip-validation`, and `publisher serve
--store URL` (one worker) is measured: the first document (which also lists every thing of the
dataset, once per version: a scan of the whole store), then with wrk, 16 connections:

- one document: the same document over and over, answered from the cache of rendered documents
  after the first request (so the HTTP path: the store is not asked);
- random documents: one of all the things at random per request, so nearly every answer is
  first described from the store, which for a SPARQL server means several HTTP round trips.

Virtuoso runs twice: as installed (ResultSetMaxRows 10,000, so the scan goes page by page,
each page sorting the whole answer) and with the cap raised to 10M (one streamed answer).

    python -m bench remote                   # 200k triples
    python -m bench.remote --triples 1000000
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import astuple, dataclass
from pathlib import Path

from bench.server import free_port
from bench.synthetic import BASE, write_ntriples
from bench.workers import RANDOM_DOCUMENTS, requests_per_second, tree_rss, wait_until_up

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from remote_servers import OxigraphServer, Server, VirtuosoServer  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.remote")
    parser.add_argument("--triples", type=int, default=200_000)
    triples = parser.parse_args(argv or []).triples // 4 * 4
    rows = [astuple(row) for row in run(triples)]
    print(f"{triples:,} triples; wrk -t1 -c16 -d10s per column; publisher serve, 1 worker")
    print(
        f"{'store':<17} {'load triples/s':>15} {'startup s':>10} {'first doc s':>12} "
        f"{'1 doc req/s':>12} {'random doc req/s':>17} {'publisher RSS MB':>17}"
    )
    for name, loaded, startup, first, one, random, memory in rows:
        rate = f"{triples / loaded:,.0f}" if loaded else "-"
        print(
            f"{name:<17} {rate:>15} {startup:>10.1f} {first:>12.1f} {one:>12,.0f} "
            f"{random:>17,.0f} {memory:>17,.0f}"
        )
    memory_random = rows[0][5]
    for name, _, _, _, _, random, _ in rows[1:]:
        print(f"{name}: random documents at {random / memory_random:.2f}× the in-memory rate")


@dataclass
class RemoteRow:
    """One store behind `publisher serve`: push seconds (None in memory), start-up s, first
    document s, one document req/s, random documents req/s, publisher RSS MB."""

    store: str
    pushed: float | None
    startup: float
    first_document: float
    one_document: float
    random_documents: float
    rss_mb: float


def run(triples: int) -> list[RemoteRow]:
    if shutil.which("wrk") is None:
        raise SystemExit("bench/remote needs wrk (apt-get install wrk)")
    publisher = str(Path(sys.executable).with_name("publisher"))
    rows: list[tuple[str, float | None, float, float, float, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-remote-") as folder:
        root = Path(folder)
        source = write_ntriples(root / "things.nt", triples)
        script = root / "random.lua"
        script.write_text(RANDOM_DOCUMENTS % {"things": triples // 4})
        serve = [publisher, "serve", "--base-iri", BASE, "--skip-validation"]
        rows.append(("memory", None, *measure([*serve, "--data", str(source)], script, root)))
        servers: list[tuple[str, Server]] = [
            ("Oxigraph server", OxigraphServer(root / "oxigraph")),
            ("Virtuoso", VirtuosoServer(root / "virtuoso")),
            ("Virtuoso, no cap", VirtuosoServer(root / "unlimited", max_rows=10_000_000)),
        ]
        for name, server in servers:
            server.start()
            try:
                env = {**os.environ, "PUBLISHER_REMOTE_GSP": server.gsp_url}
                if server.user:
                    env["PUBLISHER_REMOTE_USER"] = server.user
                    env["PUBLISHER_REMOTE_PASSWORD"] = server.password or ""
                pushed = push(publisher, source, server, env)
                command = [*serve, "--store", server.query_url]
                rows.append((name, pushed, *measure(command, script, root, env)))
            finally:
                server.stop()
    return [RemoteRow(*row) for row in rows]


def push(publisher: str, source: Path, server: Server, env: dict[str, str]) -> float:
    """Seconds `publisher load --store` takes for the whole file (parse, push, metadata)."""
    command = [publisher, "load", str(source), "--store", server.query_url, "--base-iri", BASE]
    started = time.monotonic()
    subprocess.run([*command, "--skip-validation"], check=True, capture_output=True, env=env)
    return time.monotonic() - started


def measure(
    command: list[str], script: Path, root: Path, env: dict[str, str] | None = None
) -> tuple[float, float, float, float, float]:
    """(startup s, first document s, one document req/s, random documents req/s, RSS MB)."""
    port = free_port()
    log = root / "serve.log"
    started = time.monotonic()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
        )
    origin = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(origin, process, log, 1)
        startup = time.monotonic() - started
        started = time.monotonic()
        with urllib.request.urlopen(origin + "doc/thing/42.ttl", timeout=3600) as response:
            response.read()
        first = time.monotonic() - started
        one = requests_per_second(origin + "doc/thing/42.ttl")
        random = requests_per_second(origin, "-s", str(script))
        memory = tree_rss(process.pid) / 1024
    finally:
        process.terminate()
        process.wait(60)
    return startup, first, one, random, memory


if __name__ == "__main__":
    main(sys.argv[1:])
