"""The report's four plots (PNG, matplotlib's headless Agg backend): throughput per system,
latency distributions, cost against dataset size, memory per million triples. Each function
writes one file and returns its path; the markdown links them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from bench.measure import WrkRun  # noqa: E402
from bench.report_run import Measured, SizeResult, median  # noqa: E402

METADATA = {"Software": None}  # no matplotlib version in the file: same data, same bytes


def plot_all(sizes: list[SizeResult], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    big = max(sizes, key=lambda s: s.triples)
    return [
        throughput(big, folder / "throughput.png"),
        latency(big, folder / "latency.png"),
        scaling(sizes, folder / "scaling.png"),
        memory(sizes, folder / "memory.png"),
    ]


def _save(figure: Figure, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=100, metadata=METADATA)
    plt.close(figure)
    return path


def throughput(big: SizeResult, path: Path) -> Path:
    """Grouped bars, log scale: random documents, cheap SPARQL at 2 and 16 clients (200s)."""
    series = (
        ("random documents, 16 connections", "documents"),
        ("cheap SPARQL, 2 clients", "sparql_2"),
        ("cheap SPARQL, 16 clients", "sparql_16"),
    )
    names = [m.name for m in big.systems]
    figure, axes = plt.subplots(figsize=(9, 1.2 + 0.9 * len(names)))
    height = 0.8 / len(series)
    for n, (label, attribute) in enumerate(series):
        runs: list[WrkRun | None] = [getattr(m, attribute) for m in big.systems]
        values = [run.ok_per_second if run else 0.0 for run in runs]
        positions = [i + n * height for i in range(len(names))]
        axes.barh(positions, [max(v, 0.1) for v in values], height, label=label)
    axes.set_yticks([i + height for i in range(len(names))], names)
    axes.invert_yaxis()
    axes.set_xscale("log")
    axes.set_xlabel("answers with status 200 per second (log scale)")
    axes.set_title(f"Throughput, {big.triples:,} triples (wrk, one run side by side)")
    axes.legend(loc="lower right", fontsize="small")
    return _save(figure, path)


def latency(big: SizeResult, path: Path) -> Path:
    """Box plots of sequential latencies: cold documents (Turtle, and HTML for the
    publisher), and the cheap SPARQL query."""
    figure, (docs, sparql) = plt.subplots(1, 2, figsize=(12, 1.5 + 0.6 * len(big.systems)))
    labels, data = [], []
    for m in big.systems:
        labels.append(m.name if m.key in ("memory", "disk", "remote") else f"{m.name} DESCRIBE")
        data.append(m.document_ms or [0.0])
        if m.html_ms:
            labels.append(f"{m.name}, HTML")
            data.append(m.html_ms)
    _boxes(docs, labels, data, "cold document (first request of each IRI)")
    _boxes(
        sparql,
        [m.name for m in big.systems],
        [m.sparql_ms or [0.0] for m in big.systems],
        "cheap SPARQL query, one client",
    )
    figure.suptitle(f"Latency, {big.triples:,} triples, one request at a time")
    return _save(figure, path)


def _boxes(axes: Axes, labels: list[str], data: list[list[float]], title: str) -> None:
    axes.boxplot(data, vert=False, showfliers=False)
    axes.set_yticks(range(1, len(labels) + 1), labels, fontsize="small")
    axes.invert_yaxis()
    axes.set_xscale("log")
    axes.set_xlabel("milliseconds (log scale; whiskers 1.5 IQR)")
    axes.set_title(title)


def scaling(sizes: list[SizeResult], path: Path) -> Path:
    """Against the number of triples, log-log: documents/s, cheap SPARQL/s at 16 clients,
    and the median cold document latency, one line per system."""
    ordered = sorted(sizes, key=lambda s: s.triples)
    figure, panels = plt.subplots(1, 3, figsize=(15, 4.5))
    metrics: tuple[tuple[str, Callable[[Measured], float | None]], ...] = (
        ("random documents/s (wrk -c16)", _documents_rate),
        ("cheap SPARQL 200/s, 16 clients", _sparql_rate),
        ("cold document, median ms", lambda m: median(m.document_ms) or None),
    )
    names = _names(ordered)
    for axes, (title, pick) in zip(panels, metrics, strict=True):
        for key, name in names.items():
            points = [(s.triples, pick(m)) for s in ordered if (m := s.system(key))]
            shown = [(x, y) for x, y in points if y]
            if shown:
                axes.plot(*zip(*shown, strict=True), marker="o", label=name)
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("triples (log scale)")
        axes.set_title(title)
        axes.grid(True, which="both", alpha=0.3)
    panels[0].legend(fontsize="x-small", loc="best")
    figure.suptitle("How cost grows with the dataset")
    return _save(figure, path)


def memory(sizes: list[SizeResult], path: Path) -> Path:
    """Resident memory after the measured requests against size, and per million triples at
    the largest size (idle and after)."""
    ordered = sorted(sizes, key=lambda s: s.triples)
    big = ordered[-1]
    figure, (growth, per) = plt.subplots(1, 2, figsize=(13, 4.5))
    for key, name in _names(ordered).items():
        points = [(s.triples, m.rss_after_mb) for s in ordered if (m := s.system(key))]
        if points:
            growth.plot(*zip(*points, strict=True), marker="o", label=name)
    growth.set_xscale("log")
    growth.set_xlabel("triples (log scale)")
    growth.set_ylabel("MB resident (process tree)")
    growth.set_title("Resident memory after the measured requests")
    growth.grid(True, alpha=0.3)
    growth.legend(fontsize="small")
    millions = big.triples / 1e6
    systems: list[Measured] = big.systems
    positions = range(len(systems))
    per.barh(
        [p - 0.2 for p in positions], [m.rss_idle_mb / millions for m in systems], 0.4, label="idle"
    )
    per.barh(
        [p + 0.2 for p in positions],
        [m.rss_after_mb / millions for m in systems],
        0.4,
        label="after the requests",
    )
    per.set_yticks(list(positions), [m.name for m in systems], fontsize="small")
    per.invert_yaxis()
    per.set_xlabel("MB per million triples")
    per.set_title(f"Memory per million triples at {big.triples:,} triples")
    per.legend(fontsize="small")
    return _save(figure, path)


def _documents_rate(m: Measured) -> float | None:
    return m.documents.ok_per_second if m.documents else None


def _sparql_rate(m: Measured) -> float | None:
    return m.sparql_16.ok_per_second if m.sparql_16 else None


def _names(sizes: list[SizeResult]) -> dict[str, str]:
    names: dict[str, str] = {}
    for size in sizes:
        for m in size.systems:
            names.setdefault(m.key, m.name)
    return names
