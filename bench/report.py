"""`python -m bench report`: every goal of issue 14 measured side by side with the servers a
user would pick instead, written as docs/benchmarks.md with its plots under docs/benchmarks/.

    python -m bench report                                # 10k, 100k and 1M triples
    python -m bench report --sizes 10k,100k --seconds 3
    python -m bench report --quick --out /tmp/r/benchmarks.md   # 2k triples, 1 s runs
    python -m bench report --render-only docs/benchmarks/results.json

The figures vary with the machine and what else runs on it; the ratios are measured in one
run, each system after the other on the same data, and are what the goals are judged on."""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import shlex
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.machine import machine, versions
from bench.report_md import Report, render
from bench.report_run import Options, measure_size, size_from_dict

ROOT = Path(__file__).resolve().parent.parent
UNITS = {"k": 1_000, "m": 1_000_000}


def parse_size(text: str) -> int:
    """`10k`, `1M`, `2500`: a number of triples."""
    text = text.strip().lower()
    scale = UNITS.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in UNITS else text
    try:
        value = int(float(number) * scale)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 10k, 1M)") from None
    if value < 400:
        raise argparse.ArgumentTypeError(f"{text!r}: at least 400 triples (100 things)")
    return value


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench report", description=__doc__)
    parser.add_argument("--sizes", default=None, help="triples, e.g. 10k,100k,1M (default)")
    parser.add_argument("--seconds", type=float, default=None, help="per wrk run (default 5)")
    parser.add_argument("--samples", type=int, default=None, help="per latency distribution")
    parser.add_argument("--quick", action="store_true", help="2k triples, 1 s runs, 30 samples")
    parser.add_argument("--skip", default="", help="systems to leave out, e.g. virtuoso,remote")
    parser.add_argument("--peer-max", type=parse_size, default=100_000)
    parser.add_argument("--virtuoso-max", type=parse_size, default=1_000_000)
    parser.add_argument("--no-export", action="store_true", help="skip the nginx comparison")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--plots", type=Path, help="folder of the PNGs (default: OUT's stem)")
    parser.add_argument("--render-only", type=Path, help="results.json of an earlier run")
    args = parser.parse_args(argv)
    sizes = args.sizes or ("2k" if args.quick else "10k,100k,1M")
    args.sizes = [parse_size(s) for s in sizes.split(",")]
    args.seconds = args.seconds or (1.0 if args.quick else 5.0)
    args.samples = args.samples or (30 if args.quick else 200)
    args.plots = args.plots or args.out.with_suffix("")
    return args


def main(argv: list[str] | None = None) -> None:
    # SIGTERM unwinds like Ctrl-C, so every server started is stopped by its context manager.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    args = arguments(list(argv or []))
    if args.render_only:
        report = load(args.render_only)
    else:
        report = run(args, "python -m bench report " + shlex.join(argv or []))
    write(report, args.out, args.plots)
    print(f"wrote {args.out} and its plots in {args.plots}")


def run(args: argparse.Namespace, command: str) -> Report:
    begun = time.monotonic()
    report = Report(
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        command=command.strip(),
        seconds=args.seconds,
        samples=args.samples,
        machine=machine(),
        versions=versions(),
        sizes=[],
    )
    options = Options(
        seconds=args.seconds,
        samples=args.samples,
        peer_max=args.peer_max,
        virtuoso_max=args.virtuoso_max,
        skip=tuple(s for s in args.skip.split(",") if s),
    )
    largest = max(args.sizes)
    for triples in args.sizes:
        print(f"measuring {triples:,} triples…", file=sys.stderr, flush=True)
        report.sizes.append(measure_size(triples, options, ceiling=triples == largest))
    report.export = {"why": "--no-export"} if args.no_export else static_export(args)
    report.minutes = (time.monotonic() - begun) / 60
    return report


def static_export(args: argparse.Namespace) -> dict[str, Any]:
    """bench/export.py's measure (the generated nginx config against plain nginx), or why it
    did not run."""
    try:
        from bench import export
    except ImportError as error:
        return {"why": f"bench/export.py is missing ({error})"}
    try:
        result = export.measure(args.seconds, 1 if args.quick else 3)
    except (SystemExit, OSError, RuntimeError) as error:
        return {"why": str(error)[:300] or "nginx or wrk is missing"}
    pairs = [dataclasses.asdict(pair) for pair in result.pairs]
    return {"pairs": pairs, "seconds": result.seconds, "runs": result.runs}


def write(report: Report, out: Path, plots: Path) -> None:
    from bench.report_plots import plot_all  # matplotlib only where plots are drawn

    out.parent.mkdir(parents=True, exist_ok=True)
    drawn = plot_all(report.sizes, plots)
    (plots / "results.json").write_text(as_json(dataclasses.asdict(report)))
    out.write_text(render(report, drawn, out.parent))


def as_json(data: dict[str, Any]) -> str:
    """Indented, with floats to the microsecond and number lists on one line: readable and
    small in a diff."""

    def rounded(value: Any) -> Any:
        if isinstance(value, float):
            return round(value, 3)
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rounded(v) for v in value]
        return value

    text = json.dumps(rounded(data), indent=1, ensure_ascii=False)
    numbers = re.compile(r"\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]")
    return (
        numbers.sub(lambda m: "[" + ", ".join(m.group(1).split(",\n")).replace(" ", "") + "]", text)
        + "\n"
    )


def load(path: Path) -> Report:
    data = json.loads(path.read_text())
    data["sizes"] = [size_from_dict(size) for size in data["sizes"]]
    return Report(**data)


if __name__ == "__main__":
    main(sys.argv[1:])
