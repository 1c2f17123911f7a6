"""`python -m bench [NAME ...]`: run the named benchmarks (all by default), each printing its
table; `python -m bench report [OPTIONS]` runs the whole comparison of issue 14 and writes
docs/benchmarks.md (`python -m bench report --help`)."""

from __future__ import annotations

import importlib
import inspect
import sys

BENCHMARKS = (
    "dereference",
    "sparql",
    "burst",
    "load",
    "workers",
    "remote",
    "mixed",
    "export",
    "sparql_overhead",
    "fragments",
)


def main(names: list[str]) -> None:
    if names[:1] == ["report"]:
        from bench.report import main as report

        report(names[1:])
        return
    for name in names or BENCHMARKS:
        if name not in BENCHMARKS:
            raise SystemExit(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
        print(f"## {name}")
        run = importlib.import_module(f"bench.{name}").main
        # Each runs with its defaults; `python -m bench.NAME --help` lists its own options.
        run([]) if inspect.signature(run).parameters else run()


if __name__ == "__main__":
    main(sys.argv[1:])
