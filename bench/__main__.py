"""`python -m bench [NAME ...]`: run the named benchmarks (all by default)."""

from __future__ import annotations

import importlib
import inspect
import sys

BENCHMARKS = ("dereference", "sparql", "burst", "load", "workers", "remote", "mixed")


def main(names: list[str]) -> None:
    for name in names or BENCHMARKS:
        if name not in BENCHMARKS:
            raise SystemExit(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
        print(f"## {name}")
        run = importlib.import_module(f"bench.{name}").main
        # Each runs with its defaults; `python -m bench.NAME --help` lists its own options.
        run([]) if inspect.signature(run).parameters else run()


if __name__ == "__main__":
    main(sys.argv[1:])
