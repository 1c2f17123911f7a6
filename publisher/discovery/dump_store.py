"""The dumps of the served version, written once on a background thread, never in a request.

Writing dumps is whole-dataset work (a minute and hundreds of megabytes at a million triples),
so `DumpStore.start` begins it when a dataset version is opened, `status` says how far it is
without blocking, and `get` waits (exports, VoID, tests). Several server processes sharing one
dump folder write it once (a file lock); the others read the files back. A write that fails (a
full disk) is a `failed` status with its reason, tried again after `RETRY_FAILED_AFTER`.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from publisher import __version__
from publisher.dataset import Dataset
from publisher.discovery.dump_child import ChildFailed, write_in_child
from publisher.discovery.dumps import (
    CHECKSUMS_NAME,
    LOADED_DUMPS,
    DumpFile,
    Dumps,
    read_dumps,
    write_dumps,
)
from publisher.errors import PublisherError
from publisher.urls import Urls


class DumpsUnavailable(RuntimeError):
    """The dumps of this version could not be written (a full disk, say): `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class DumpStatus:
    """Where one version's dumps stand: `dumps` once written, `failure` if writing failed,
    neither while they are being written."""

    dumps: Dumps | None = None
    failure: str | None = None

    @property
    def state(self) -> str:
        """`ready`, `preparing` or `failed`: what /health and the listings say."""
        if self.dumps is not None:
            return "ready"
        return "failed" if self.failure is not None else "preparing"


RETRY_FAILED_AFTER = 60.0
"""Seconds before dumps that failed (a full disk) are tried again on the next request."""

log = logging.getLogger("publisher.dumps")


class _Job:
    """One background write of one version's dumps for one origin."""

    def __init__(self, key: tuple[str, str]) -> None:
        self.key = key
        self.done = threading.Event()
        self.lock = threading.Lock()  # `done` and `callbacks` change together
        self.dumps: Dumps | None = None
        self.failure: str | None = None
        self.finished_at = 0.0
        self.callbacks: list[Callable[[], None]] = []

    def status(self) -> DumpStatus:
        return DumpStatus(self.dumps, self.failure) if self.done.is_set() else DumpStatus()


@contextmanager
def _writer_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on `folder` across processes (workers sharing one dump_dir): the
    others wait, then read the files back instead of writing them again."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "ab") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def written_at_load(dataset: Dataset, urls: Urls) -> Path | None:
    """The dumps `publisher load` wrote beside an on-disk store, when they fit this server (its
    public origin is the base IRI, so the files need no rewriting)."""
    shared = dataset.capabilities.shared_path
    if shared is None or urls.origin != dataset.base_iri:
        return None
    folder = shared.parent / LOADED_DUMPS
    return folder if (folder / CHECKSUMS_NAME).is_file() else None


def _run(job: _Job, dataset: Dataset, urls: Urls, folder: Path) -> None:
    """The background thread: read back good files (the load's, else ours), else write them;
    never raise."""
    try:
        loaded = written_at_load(dataset, urls)
        files = read_dumps(dataset, loaded) if loaded is not None else None
        if files is not None and loaded is not None:
            folder = loaded
        else:
            files = read_dumps(dataset, folder)
        if files is None:
            with _writer_lock(folder):  # `serve --workers N`: one process writes, N read
                files = read_dumps(dataset, folder) or _write(dataset, urls, folder)
        job.dumps = Dumps(dataset.version, folder, tuple(files))
    except OSError as error:
        job.failure = error.strerror or str(error)  # public: no path of the server
        log.error(
            "the dumps of version %s could not be written to %s: %s; dump URLs answer 503 "
            "until this is fixed (tried again in %d s)",
            dataset.version,
            folder,
            error,
            RETRY_FAILED_AFTER,
        )
    except ChildFailed as error:  # the child said why on its stderr: one line, tried again
        job.failure = "the dump writer failed"
        log.error(
            "the dumps of version %s could not be written: %s (tried again in %d s)",
            dataset.version,
            error,
            RETRY_FAILED_AFTER,
        )
    except PublisherError as error:  # the store cannot be read now: one line, tried again
        job.failure = "the data could not be read"
        log.error(
            "the dumps of version %s could not be written: %s (tried again in %d s)",
            dataset.version,
            error,
            RETRY_FAILED_AFTER,
        )
    except Exception as error:  # a bug: say so, and keep serving everything else
        job.failure = f"an error of the publisher: {type(error).__name__}"
        log.exception("writing the dumps of version %s to %s failed", dataset.version, folder)
    finally:
        with job.lock:
            job.finished_at = time.monotonic()
            job.done.set()
            callbacks, job.callbacks = job.callbacks, []
        for callback in callbacks:
            try:
                callback()
            except Exception:
                log.exception("a callback after writing the dumps failed")


def _write(dataset: Dataset, urls: Urls, folder: Path) -> list[DumpFile]:
    """Write the dumps: in a child process when another process can open the store (it keeps
    the GIL and the memory of the work away from the server: `dump_child`), else here."""
    shared = dataset.capabilities.shared_path
    if shared is None:
        return write_dumps(dataset, urls, folder)
    write_in_child(dataset, urls, folder, shared)
    files = read_dumps(dataset, folder)
    if files is None:
        raise ChildFailed("the files the dump writer left do not match their checksums")
    return files


class DumpStore:
    """Where the current version's dumps live: written once, on a background thread.

    Writing dumps is whole-dataset work (a minute and hundreds of megabytes at a million
    triples), so no request waits for it: `start` begins it when a dataset version is opened,
    `status` says how far it is without blocking, and `get` waits (for exports, VoID and
    tests). With `root` set (settings.dump_dir), files survive restarts and are reused when
    their checksums still match; the folder name carries the version, the origin and the code
    that wrote them, so servers on different origins can share one `root`. Without it, a
    temporary folder per process is used and removed when the process ends.
    """

    def __init__(self, root: str | os.PathLike[str] | None) -> None:
        if root is None:
            root = tempfile.mkdtemp(prefix="publisher-dumps-")
            # Removed when the store is collected or the process exits, whichever comes first.
            weakref.finalize(self, shutil.rmtree, root, ignore_errors=True)
        self.root = Path(root)
        self._lock = threading.Lock()
        self._job: _Job | None = None

    def folder(self, dataset: Dataset, urls: Urls) -> Path:
        writer = f"{urls.origin}\0{__version__}\0{ox.__version__}"
        return self.root / f"{dataset.version}-{hashlib.sha256(writer.encode()).hexdigest()[:8]}"

    def start(
        self, dataset: Dataset, urls: Urls, when_done: Callable[[], None] | None = None
    ) -> DumpStatus:
        """Begin writing the dumps of `dataset` in the background unless that is under way or
        done (a failure is retried after RETRY_FAILED_AFTER s); returns at once. `when_done`
        is called when they are written or failed (at once if they are already)."""
        key = (dataset.version, urls.origin)
        with self._lock:
            job = self._job
            stale = job is None or job.key != key
            retry = (
                job is not None
                and job.failure is not None
                and time.monotonic() - job.finished_at > RETRY_FAILED_AFTER
            )
            if stale or retry:
                job = self._job = _Job(key)
                folder = self.folder(dataset, urls)
                thread = threading.Thread(
                    target=_run, args=(job, dataset, urls, folder), name="dumps", daemon=True
                )
                thread.start()
            assert job is not None
        call_now = False
        if when_done is not None:
            with job.lock:
                call_now = job.done.is_set()
                if not call_now:
                    job.callbacks.append(when_done)
        if call_now and when_done is not None:
            when_done()  # outside every lock: it may ask this store again
        return job.status()

    def status(self, dataset: Dataset, urls: Urls, wait: float = 0.0) -> DumpStatus:
        """How far the dumps of `dataset` are (starting them if needed), waiting at most `wait`
        seconds for a write in progress."""
        self.start(dataset, urls)
        with self._lock:
            job = self._job
        assert job is not None
        if wait > 0:
            job.done.wait(wait)
        return job.status()

    def get(self, dataset: Dataset, urls: Urls) -> Dumps:
        """The dumps of `dataset` on `urls.origin`, waiting for them to be written;
        `DumpsUnavailable` if they could not be."""
        self.start(dataset, urls)
        with self._lock:
            job = self._job
        assert job is not None
        job.done.wait()
        if job.dumps is None:
            raise DumpsUnavailable(job.failure or "the dumps could not be written")
        return job.dumps
