"""How `publisher load` shows its progress: a live bar on a terminal, plain lines in a log.

A log (CI, `nohup`, a pipe) gets one line every LOG_INTERVAL seconds and one per phase, never
carriage returns or colour codes, so it reads the same in a file as it did live.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from publisher.stores.tracking import LoadProgress, Reporter

LOG_INTERVAL = 5.0  # seconds between two plain progress lines

PHASES = {
    "counting": "compacting and counting the store",
    "cataloguing": "cataloguing documents, classes, labels and predicates",
    "validating": "validating against the SHACL shapes (all quads in memory as rdflib objects)",
    "dumps": "writing the dumps (each format, sorted: a server on the base IRI serves them)",
}


@contextmanager
def progress_reporter(stream: TextIO, *, live: bool | None = None) -> Iterator[Reporter]:
    """A reporter writing to `stream`: a bar if it is a terminal (or `live`), lines otherwise."""
    if live if live is not None else stream.isatty():
        with _bar(stream) as report:
            yield report
    else:
        yield _LineReporter(stream)


def rate(progress: LoadProgress) -> float:
    return progress.statements / progress.elapsed if progress.elapsed > 0 else 0.0


def describe(progress: LoadProgress) -> str:
    """One line: triples, rate, share of the bytes, elapsed time, current file."""
    share = 100 * progress.bytes_done / progress.bytes_total if progress.bytes_total else 100.0
    line = (
        f"{progress.statements:,} triples, {rate(progress):,.0f} triples/s, "
        f"{share:.0f}% of {progress.bytes_total / 1e6:,.1f} MB, {progress.elapsed:.1f} s elapsed"
    )
    if progress.file is not None and progress.phase == "loading":
        number = min(progress.files_done + 1, progress.files_total)
        line += f", file {number}/{progress.files_total} {progress.file.name}"
    return line


class _LineReporter:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._last: float | None = None
        self._phase = ""

    def __call__(self, progress: LoadProgress) -> None:
        now = time.monotonic()
        changed = progress.phase != self._phase
        due = self._last is None or now - self._last >= LOG_INTERVAL
        if progress.phase == "done" or not (changed or due):
            return
        if progress.phase == "loading" and not progress.bytes_done:
            return  # nothing to say yet: the command has said what it loads
        self._last, self._phase = now, progress.phase
        if progress.phase in PHASES:
            line = f"load: {PHASES[progress.phase]} ({describe(progress)})"
        else:
            line = f"load: {describe(progress)}"
        print(line, file=self._stream, flush=True)


@contextmanager
def _bar(stream: TextIO) -> Iterator[Reporter]:
    """rich's progress bar (rich comes with typer): bytes as the bar, triples as the text."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[statements]:>12,} triples"),
        TextColumn("{task.fields[rate]:>10,.0f} triples/s"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(file=stream), transient=False) as bar:
        task = bar.add_task("loading", total=None, statements=0, rate=0.0)

        def report(progress: LoadProgress) -> None:
            label = progress.file.name if progress.file is not None else progress.phase
            bar.update(
                task,
                description=label if progress.phase == "loading" else progress.phase,
                completed=progress.bytes_done,
                total=progress.bytes_total or None,
                statements=progress.statements,
                rate=rate(progress),
            )

        yield report
