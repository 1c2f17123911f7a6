"""`publisher load` against pyoxigraph's own bulk load of the same 1M-triple N-Triples file.

Each loader runs alone in a fresh subprocess; its wall time and peak resident memory (the
kernel's `ru_maxrss` for that process, from wait4) are printed side by side with the triples
per second and the peak memory per million triples. Rows:

- pyoxigraph bulk_load: `Store(DIR).bulk_load(path=FILE, format=N_TRIPLES)`, the floor;
- publisher load: `publisher load FILE --into DIR --skip-validation` (there are no shapes for
  synthetic data), progress reporting included;
- publisher load, gzipped: the same file as `.nt.gz`;
- in memory (serve without --store): what every `publisher serve` process without a store
  parses and holds, for comparison.

    python -m bench load                       # 1M triples
    python -m bench.load --triples 100000
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.synthetic import BASE, write_ntriples

PYOXIGRAPH_LOAD = """
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)
print(len(store))
"""
MEMORY_LOAD = """
import sys
from publisher.config import Settings
from publisher.stores import open_dataset
settings = Settings(base_iri=sys.argv[3], data=[sys.argv[1]], ontology=[], shapes=[])
print(open_dataset(settings).triple_count)
"""


@dataclass
class Run:
    name: str
    seconds: float
    peak_mb: float
    triples: int

    def row(self) -> str:
        rate = self.triples / self.seconds
        per_million = self.peak_mb / (self.triples / 1e6)
        return (
            f"{self.name:<34} {self.seconds:>8.1f} {rate:>12,.0f} {self.peak_mb:>9,.0f} "
            f"{per_million:>11,.0f}"
        )


def measure(name: str, command: list[str], triples: int) -> Run:
    """Run `command` alone; wall time and the peak RSS of that very process."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"{name} failed ({process.returncode}):\n{error}")
    return Run(name, seconds, usage.ru_maxrss / 1024, triples)


@dataclass
class LoadResult:
    """Every loader on one file: sizes in MB, runs in the order printed (the floor first)."""

    triples: int
    ntriples_mb: float
    gzipped_mb: float
    store_mb: float
    runs: list[Run]


def run(triples: int) -> LoadResult:
    triples = triples // 4 * 4
    publisher = str(Path(sys.executable).with_name("publisher"))
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        root = Path(folder)
        source = write_ntriples(root / "things.nt", triples)
        gzipped = root / "things.nt.gz"
        subprocess.run(["gzip", "-k", "-1", str(source)], check=True)
        size = source.stat().st_size / 1e6
        gz_size = gzipped.stat().st_size / 1e6
        runs = [
            measure(
                "pyoxigraph bulk_load",
                [sys.executable, "-c", PYOXIGRAPH_LOAD, str(source), str(root / "oxigraph")],
                triples,
            )
        ]
        for name, file in (("publisher load", source), ("publisher load, gzipped", gzipped)):
            store = root / "store"
            shutil.rmtree(store, ignore_errors=True)
            command = [publisher, "load", str(file), "--into", str(store)]
            runs.append(measure(name, [*command, "--base-iri", BASE, "--skip-validation"], triples))
        on_disk = sum(p.stat().st_size for p in (root / "store").rglob("*") if p.is_file())
        runs.append(
            measure(
                "in memory (serve without --store)",
                [sys.executable, "-c", MEMORY_LOAD, str(source), "", BASE],
                triples,
            )
        )
    return LoadResult(triples, size, gz_size, on_disk / 1e6, runs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--triples", type=int, default=1_000_000)
    result = run(parser.parse_args(argv or []).triples)
    print(
        f"{result.triples:,} triples: N-Triples {result.ntriples_mb:,.0f} MB (gzipped "
        f"{result.gzipped_mb:,.0f} MB), ",
        end="",
    )
    print(f"store on disk {result.store_mb:,.0f} MB; one run each, {os.cpu_count()} cores")
    print(f"{'loader':<34} {'seconds':>8} {'triples/s':>12} {'peak MB':>9} {'MB per 1M':>11}")
    for loaded in result.runs:
        print(loaded.row())
    floor = result.runs[0]
    ours = result.runs[1]
    print(
        f"publisher load / pyoxigraph: {ours.seconds / floor.seconds:.2f}x the time, "
        f"{ours.peak_mb / floor.peak_mb:.2f}x the peak memory"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
