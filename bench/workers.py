"""Requests/s of `publisher serve` with 1 and 2 workers, in memory and from an on-disk store.

The data is synthetic (bench.synthetic, 1M triples by default: 250k things). Each server is the
real command, `publisher serve --workers N` with `--store DIR` (loaded once by `publisher
load`) or with `--data FILE` (each worker parses its own copy), started alone. wrk drives it
with 16 connections (one wrk thread, so that wrk takes one core at most) for two loads:

- one document: the same document over and over; after the first request every worker answers
  from its cache of rendered documents, so this measures the HTTP path;
- random documents: a Lua script picks one of all the things at random per request, so nearly
  every answer is described from the store first.

Each column is the median of RUNS runs (they vary: the spread is printed).

Also printed: time until every worker has started, the time of the first document request
(each worker first builds its index of the dataset's things), and the resident memory of the
whole process tree (parent, HTTP workers, SPARQL query workers) after the runs. Before wrk
runs, the server is warmed up until every worker answers quickly. Access logs stay on, as
`publisher serve` has them.

    python -m bench workers                  # 1M triples
    python -m bench.workers --triples 200000
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.server import free_port
from bench.synthetic import BASE, write_ntriples

CONNECTIONS = 16
DURATION = "10s"
RUNS = 3  # wrk runs per column: the median is printed, and the spread of all modes at the end
STARTUP_LIMIT = 600.0
RANDOM_DOCUMENTS = """
local things = %(things)d
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%%x+)"), 16))
request = function()
  return wrk.format("GET", "/doc/thing/" .. math.random(0, things - 1) .. ".ttl")
end
"""


@dataclass
class Mode:
    name: str
    workers: int
    startup: float = 0.0
    first_request: float = 0.0
    memory_mb: float = 0.0
    one_document: float = 0.0
    random_documents: float = 0.0
    spread: list[float] = field(default_factory=list)  # (max - min) / median of each column

    def row(self) -> str:
        return (
            f"{self.name:<8} {self.workers:>7} {self.one_document:>14,.0f} "
            f"{self.random_documents:>17,.0f} {self.startup:>10.1f} {self.first_request:>10.1f} "
            f"{self.memory_mb:>10,.0f}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.workers")
    parser.add_argument("--triples", type=int, default=1_000_000)
    triples = parser.parse_args(argv or []).triples // 4 * 4
    modes = run(triples)
    print(f"{triples:,} triples; median of {RUNS} runs of wrk -t1 -c{CONNECTIONS} -d{DURATION}")
    header = f"{'store':<8} {'workers':>7} {'1 doc req/s':>14} {'random doc req/s':>17}"
    print(f"{header} {'startup s':>10} {'1st req s':>10} {'RSS MB':>10}")
    for mode in modes:
        print(mode.row())
    spread = max(s for mode in modes for s in mode.spread)
    print(f"largest spread of the {RUNS} runs of one column: {spread:.0%} of its median")
    for name in ("memory", "disk"):
        one, two = (m for m in modes if m.name == name)
        print(
            f"{name}: 2 workers / 1 worker = {two.one_document / one.one_document:.2f} (one "
            f"document), {two.random_documents / one.random_documents:.2f} (random documents)"
        )


def run(triples: int) -> list[Mode]:
    """Each mode (in memory, on disk; 1 and 2 workers) measured in turn on the same data."""
    if shutil.which("wrk") is None:
        raise SystemExit("bench/workers needs wrk (apt-get install wrk)")
    publisher = str(Path(sys.executable).with_name("publisher"))
    modes = [Mode("memory", 1), Mode("memory", 2), Mode("disk", 1), Mode("disk", 2)]
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as folder:
        root = Path(folder)
        source = write_ntriples(root / "things.nt", triples)
        store = root / "store"
        load = [publisher, "load", str(source), "--into", str(store), "--base-iri", BASE]
        subprocess.run([*load, "--skip-validation"], check=True, capture_output=True)
        script = root / "random.lua"
        script.write_text(RANDOM_DOCUMENTS % {"things": triples // 4})
        for mode in modes:
            where = ["--store", str(store)] if mode.name == "disk" else ["--data", str(source)]
            command = [publisher, "serve", *where, "--base-iri", BASE, "--skip-validation"]
            command += ["--workers", str(mode.workers)]
            run_mode(mode, command, script, root / "log", triples // 4)
    return modes


def run_mode(mode: Mode, command: list[str], script: Path, log: Path, things: int) -> None:
    port = free_port()
    started = time.monotonic()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    origin = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(origin, process, log, mode.workers)
        mode.startup = time.monotonic() - started
        mode.first_request = fetch(origin + "doc/thing/42.ttl")
        warm_up(origin, mode.workers, things)
        mode.one_document = median(mode, origin + "doc/thing/42.ttl")
        mode.random_documents = median(mode, origin, "-s", str(script))
        mode.memory_mb = tree_rss(process.pid) / 1024
    finally:
        process.terminate()
        process.wait(60)


def fetch(url: str) -> float:
    """Seconds one GET takes, on a connection of its own."""
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=STARTUP_LIMIT) as response:
        response.read()
    return time.monotonic() - started


def warm_up(origin: str, workers: int, things: int) -> None:
    """Until every worker answers at once: the first request of each builds its index of
    things (a scan of the whole store), which wrk's 2 s timeout would count as failures."""
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        urls = [f"{origin}doc/thing/{random.randrange(things)}.ttl" for _ in range(8 * workers)]
        with ThreadPoolExecutor(len(urls)) as pool:
            if max(pool.map(fetch, urls)) < 0.5:
                return
    raise SystemExit("the server did not warm up")


def median(mode: Mode, url: str, *options: str) -> float:
    runs = [requests_per_second(url, *options) for _ in range(RUNS)]
    middle = statistics.median(runs)
    mode.spread.append((max(runs) - min(runs)) / middle if middle else 0.0)
    return middle


def requests_per_second(url: str, *options: str) -> float:
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}", *options, url]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]


def wait_until_up(origin: str, process: subprocess.Popen[bytes], log: Path, workers: int) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited:\n{log.read_text(errors='replace')}")
        ready = log.read_text(errors="replace").count("Application startup complete")
        if ready >= workers:
            with urllib.request.urlopen(origin + "health", timeout=10):
                return
        time.sleep(0.2)
    raise SystemExit(f"the server did not start:\n{log.read_text(errors='replace')}")


def tree_rss(pid: int) -> int:
    """Resident kB of `pid` and all its descendants (Linux /proc)."""
    total = 0
    for member in [pid, *descendants(pid)]:
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        total += int(found.group(1)) if found else 0
    return total


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *descendants(child)]
    return found


if __name__ == "__main__":
    main(sys.argv[1:])
