"""Writing a version's dumps in a child process, for stores on disk.

The dumps are whole-dataset work: at a million triples a minute of CPU and more than a
gigabyte of Python objects. On a thread of the server they hold the GIL, so every request
waits behind them, and the memory they took stays with the server (CPython rarely returns it).
A store on disk can be opened read-only by another process, so the server runs
`python -m publisher.discovery.dump_child` instead: at a lower priority, on its own
interpreter, and whatever it allocates goes back to the system when it exits. Stores in memory
(nothing another process can open) and remote stores keep the background thread.

The child stops when the server does: it watches its parent and exits when orphaned.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from publisher.dataset import Capabilities, Dataset, Sources
from publisher.discovery.dumps import write_dumps
from publisher.errors import PublisherError
from publisher.stores.checked import CheckedStore
from publisher.urls import Urls

NICENESS = 10
"""How much lower than the server the child runs: requests come first on a busy machine."""
ORPHAN_CHECK = 0.5
"""Seconds between the child's looks at whether the server that started it is still there."""
FAILED = 3
"""The child's exit status when writing failed with an error it explained on stderr."""


class ChildFailed(PublisherError):
    """The child could not write the dumps; the message is what it said."""


def write_in_child(dataset: Dataset, urls: Urls, folder: Path, store_path: Path) -> None:
    """Write the dumps of `dataset` (opened from `store_path`) into `folder` in a child
    process, waiting for it. `OSError` when the disk refused (as `write_dumps` raises in
    process), `ChildFailed` for anything else the child reported."""
    command = [sys.executable, "-m", "publisher.discovery.dump_child"]
    command += [str(store_path), dataset.base_iri, urls.origin, dataset.version, str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode == 0:
        return
    said = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
    if said.startswith("OSError: "):
        raise OSError(said.removeprefix("OSError: "))
    raise ChildFailed(said)


def _exit_when_orphaned(parent: int) -> None:
    """Leave no stray process: a server stopped (even by SIGKILL) ends its dump writer."""
    while True:
        time.sleep(ORPHAN_CHECK)
        if os.getppid() != parent:
            os._exit(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("store", type=Path)
    parser.add_argument("base_iri")
    parser.add_argument("origin")
    parser.add_argument("version")
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    watcher = threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True)
    watcher.start()
    os.nice(NICENESS)
    try:
        store = ox.Store.read_only(str(args.store))
    except (OSError, RuntimeError) as error:
        print(f"the store does not open: {error}", file=sys.stderr)
        return FAILED
    dataset = Dataset(
        store=CheckedStore(store, str(args.store)),
        base_iri=args.base_iri,
        version=args.version,
        modified=datetime.now(UTC),
        sources=Sources((), (), ()),
        location=str(args.store),
        capabilities=Capabilities(shared_path=args.store),
    )
    try:
        write_dumps(dataset, Urls(args.base_iri, args.origin), args.folder)
    except OSError as error:
        print(f"OSError: {error.strerror or error}", file=sys.stderr)
        return FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main())
