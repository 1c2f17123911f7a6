"""A store on disk has its dumps written by a child process (`dump_child`), not on a thread of
the server: the files are the ones the server would have written itself, a disk that refuses
is an OSError as in process, a store that does not open is said, and the child never outlives
the server that started it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import publisher.discovery.dump_store as store_module
from publisher.cli import app as cli
from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.discovery.dump_child import ChildFailed, write_in_child
from publisher.discovery.dump_store import DumpStore
from publisher.discovery.dumps import write_dumps
from publisher.stores import open_dataset
from publisher.urls import Urls

BASE = "https://data.example.org/shelf/"
ORIGIN = "http://127.0.0.1:8000/"
DATA = f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{BASE}book/a> a <{BASE}def#Book> ; rdfs:label "A"@en, "أ"@ar ; <{BASE}def#cites> <{BASE}book/b> .
<{BASE}book/b> a <{BASE}def#Book> ; rdfs:label "B"@en ; <{BASE}def#note> [ rdfs:label "n" ] .
"""


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    root = tmp_path_factory.mktemp("child")
    data = root / "shelf.ttl"
    data.write_text(DATA, encoding="utf-8")
    store = root / "store"
    args = ["load", str(data), "--base-iri", BASE, "--skip-validation", "--into", str(store)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    settings = Settings(store=str(store), base_iri=BASE, public_origin=ORIGIN, dump_dir=None)
    return open_dataset(settings)


def test_the_server_leaves_the_writing_to_a_child(
    dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def not_here(*args: object) -> None:
        raise AssertionError("the dumps of a store on disk were written in the server")

    monkeypatch.setattr(store_module, "write_dumps", not_here)
    dumps = DumpStore(tmp_path / "dumps").get(dataset, Urls(BASE, ORIGIN))
    assert len(dumps.files) == 5
    text = (dumps.folder / dumps.files[0].name).read_bytes()
    assert ORIGIN.encode() in text and BASE.encode() not in text  # on the server's origin


def test_the_child_writes_what_the_server_would_have(dataset: Dataset, tmp_path: Path) -> None:
    urls = Urls(BASE, ORIGIN)
    assert dataset.capabilities.shared_path is not None
    write_in_child(dataset, urls, tmp_path / "child", dataset.capabilities.shared_path)
    write_dumps(dataset, urls, tmp_path / "here")
    child = sorted(p.name for p in (tmp_path / "child").iterdir())
    assert child == sorted(p.name for p in (tmp_path / "here").iterdir())
    for name in child:
        assert (tmp_path / "child" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()


def test_a_disk_that_refuses_is_an_os_error(dataset: Dataset, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert dataset.capabilities.shared_path is not None
    with pytest.raises(OSError):
        write_in_child(
            dataset, Urls(BASE, ORIGIN), blocker / "dumps", dataset.capabilities.shared_path
        )


def test_a_store_that_does_not_open_is_said(dataset: Dataset, tmp_path: Path) -> None:
    with pytest.raises(ChildFailed, match="the store does not open"):
        write_in_child(dataset, Urls(BASE, ORIGIN), tmp_path / "dumps", tmp_path / "nothing")


def test_the_child_ends_when_its_server_is_gone() -> None:
    """A stand-in server starts a child that watches it as the dump writer does, then dies
    without a word (as under SIGKILL); the child exits on its own."""
    child_code = (
        "import os, threading, time\n"
        "from publisher.discovery.dump_child import _exit_when_orphaned\n"
        "threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True)"
        ".start()\n"
        "print(os.getpid(), flush=True)\n"
        "time.sleep(120)\n"
    )
    server_code = (
        "import subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', {child_code!r}])\n"
        "import time; time.sleep(2)\n"  # the child is watching by then; then the server dies
        "import os; os._exit(0)\n"
    )
    server = subprocess.run(
        [sys.executable, "-c", server_code], capture_output=True, text=True, timeout=60
    )
    pid = int(server.stdout.split()[0])
    deadline = time.monotonic() + 30  # a bound on waiting, not a measured figure
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid), "the dump writer outlived its server"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
