"""How far a load is: the source files read through a counting reader, and a tracker that
reports progress (files, bytes, statements) at most every REPORT_INTERVAL seconds."""

from __future__ import annotations

import gzip
import io
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publisher.sources import syntax_error

REPORT_INTERVAL = 0.2  # seconds between two progress reports (the last one always comes)


@dataclass(frozen=True)
class LoadProgress:
    """How far a load is, as the progress display shows it."""

    file: Path | None
    files_done: int
    files_total: int
    bytes_done: int  # of the files as stored (compressed size for .gz)
    bytes_total: int
    statements: int  # parsed so far: exact, or lines for N-Triples / N-Quads
    elapsed: float
    phase: str = "loading"  # loading | counting | cataloguing | validating | dumps | done


Reporter = Callable[[LoadProgress], None]


class SourceReader(io.RawIOBase):
    """A source file as the parsers read it: gunzipped if need be, with its position (in bytes
    of the file on disk) and, for line-based syntaxes, its newlines reported as it goes."""

    def __init__(self, path: Path, tracker: LoadTracker | None, *, count_lines: bool) -> None:
        super().__init__()
        self.path = path
        self._tracker = tracker
        self._count_lines = count_lines
        self._raw = path.open("rb")
        gzipped = path.suffix.lower() == ".gz"
        self._stream: io.BufferedIOBase = gzip.GzipFile(fileobj=self._raw) if gzipped else self._raw
        if tracker is not None:
            tracker.file_started(path)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            count = self._stream.readinto(buffer)
        except (OSError, EOFError, ValueError) as error:  # a broken gzip stream
            raise syntax_error(self.path, error) from None
        if self._tracker is not None:
            lines = bytes(memoryview(buffer)[:count]).count(b"\n") if self._count_lines else 0
            self._tracker.read(self._raw.tell(), lines)
        return count

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
            self._raw.close()
        super().close()


class LoadTracker:
    """Counts what the load has done and reports it at most every REPORT_INTERVAL seconds."""

    def __init__(self, paths: Iterable[Path], report_to: Reporter) -> None:
        self._paths = list(paths)
        self._report_to = report_to
        self._start = time.monotonic()
        self._last = 0.0
        self.files_done = 0
        self.bytes_before = 0  # of the files already done
        self.position = 0  # in the current file
        self.statements = 0
        self.file: Path | None = None
        self.bytes_total = sum(p.stat().st_size for p in self._paths)
        self._report(force=True)

    def elapsed(self) -> float:
        return time.monotonic() - self._start

    def file_started(self, path: Path) -> None:
        self.file = path
        self.position = 0
        self._report(force=True)

    def file_done(self) -> None:
        if self.file is not None:
            self.bytes_before += self.file.stat().st_size
        self.files_done += 1
        self.position = 0
        self.file = None
        self._report(force=True)

    def read(self, position: int, lines: int) -> None:
        self.position = position
        self.statements += lines
        self._report()

    def statement(self) -> None:
        self.statements += 1
        if not self.statements & 0x3FF:  # look at the clock every 1024 quads only
            self._report()

    def phase(self, name: str) -> None:
        self._report(force=True, phase=name)

    def _report(self, *, force: bool = False, phase: str = "loading") -> None:
        now = time.monotonic()
        if not force and now - self._last < REPORT_INTERVAL:
            return
        self._last = now
        self._report_to(
            LoadProgress(
                file=self.file if phase == "loading" else None,
                files_done=self.files_done,
                files_total=len(self._paths),
                bytes_done=min(self.bytes_before + self.position, self.bytes_total),
                bytes_total=self.bytes_total,
                statements=self.statements,
                elapsed=now - self._start,
                phase=phase,
            )
        )
