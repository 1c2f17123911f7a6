"""Start-up faults: each one is a one-line error and a non-zero exit, never a traceback and
never a half-started server; damage found while serving is a 503, not a 500.

Tests run as root in CI, where chmod 000 does not stop a read: an unreadable file is
simulated by a folder in its place (the same OSError path as EACCES) or by a monkeypatch.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ld_support import Client
from typer.testing import CliRunner

from publisher.cli import app as cli
from publisher.config import Settings
from publisher.stores import open_dataset
from publisher.stores.disk import METADATA, REPORT, StoreFolderError, read_metadata
from publisher.web.app import create_app

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "load"
THINGS = FIXTURES / "things.nt.gz"
THINGS_SHAPES = FIXTURES / "things-shapes.ttl"
BASE = "https://data.example.org/things/"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A validated store, copied by each test before it damages it."""
    folder = tmp_path_factory.mktemp("faults") / "store"
    args = [str(THINGS), "--into", str(folder), "--base-iri", BASE, "--shapes", str(THINGS_SHAPES)]
    result = CliRunner().invoke(cli, ["load", *args])
    assert result.exit_code == 0, result.output
    return folder


def version_of(folder: Path) -> Path:
    return folder / read_metadata(folder).current


def biggest_sst(folder: Path) -> Path:
    return max((version_of(folder) / "oxigraph").glob("*.sst"), key=lambda p: p.stat().st_size)


def unreadable(path: Path) -> None:
    path.unlink()
    path.mkdir()  # reading it fails with an OSError, as an unreadable file does, even as root


def overwrite(path: Path) -> None:
    with path.open("r+b") as stream:
        stream.seek(path.stat().st_size // 2)
        stream.write(b"\xff" * 64)


def truncate(path: Path) -> None:
    with path.open("r+b") as stream:
        stream.truncate(100)


STORE_FAULTS: dict[str, Callable[[Path], object]] = {
    "unreadable metadata": lambda f: unreadable(f / METADATA),
    "garbled metadata": lambda f: (f / METADATA).write_text("{not json"),
    "metadata of another layout": lambda f: (f / METADATA).write_text('{"layout": 1}'),
    "unreadable report": lambda f: unreadable(version_of(f) / REPORT),
    "garbled report": lambda f: (version_of(f) / REPORT).write_text("{garbled"),
    "deleted SST file": lambda f: biggest_sst(f).unlink(),
    "partly overwritten SST file": lambda f: overwrite(biggest_sst(f)),
    "truncated SST file": lambda f: truncate(biggest_sst(f)),
    "deleted RocksDB CURRENT": lambda f: (version_of(f) / "oxigraph" / "CURRENT").unlink(),
    "deleted version folder": lambda f: shutil.rmtree(version_of(f)),
    "no folder": lambda f: shutil.rmtree(f),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(*args: str, port: int | None = None) -> subprocess.CompletedProcess[str]:
    """`publisher serve` in a subprocess: it must exit by itself (a server that starts would
    run until the timeout, which fails the test)."""
    command = [sys.executable, "-m", "publisher", "serve", "--port", str(port or free_port())]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=120, check=False
    )


def assert_one_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode not in (0, None), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "Uvicorn running" not in result.stderr and "startup complete" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    for word in words:
        assert word in errors[0], errors[0]


@pytest.fixture
def copy(loaded: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "store"
    shutil.copytree(loaded, folder, symlinks=True)
    return folder


@pytest.mark.parametrize("fault", sorted(STORE_FAULTS))
def test_a_damaged_store_does_not_start(copy: Path, fault: str) -> None:
    STORE_FAULTS[fault](copy)
    assert_one_line(serve("--store", str(copy), "--base-iri", BASE), str(copy))


def test_an_unreadable_metadata_file_is_one_line(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EACCES itself, as a non-root user gets it."""
    real = Path.read_text

    def refuse(path: Path, *args: object, **kwargs: object) -> str:
        if path.name == METADATA:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", refuse)
    with pytest.raises(StoreFolderError, match="cannot be read .Permission denied"):
        open_dataset(Settings(base_iri=BASE, store=str(copy)))


@pytest.mark.parametrize(
    "fault",
    ["corrupt RDF", "missing data folder", "invalid shapes", "shapes that do not parse"],
)
def test_bad_sources_do_not_start(tmp_path: Path, fault: str) -> None:
    data, shapes = tmp_path / "data.ttl", tmp_path / "shapes.ttl"
    data.write_text(f"<{BASE}id/a> <{BASE}def/p> 1 .\n")
    shapes.write_text(THINGS_SHAPES.read_text())
    if fault == "corrupt RDF":
        data.write_text(f"<{BASE}id/a> <{BASE}def/p> [ .\n")
    elif fault == "missing data folder":
        data = tmp_path / "nowhere"
    elif fault == "invalid shapes":
        shapes.write_text(
            "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
            f"<{BASE}S> a sh:NodeShape ; sh:targetClass <{BASE}def/C> ;\n"
            f'  sh:property [ sh:path <{BASE}def/p> ; sh:minCount "one" ] .\n'
        )
    else:
        shapes.write_text("this is not turtle")
    result = serve("--data", str(data), "--shapes", str(shapes), "--base-iri", BASE)
    assert_one_line(result)


def test_a_port_in_use_does_not_start(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = int(taken.getsockname()[1])
        result = serve("--skip-validation", port=port)
    assert_one_line(result, f"127.0.0.1:{port}", "in use")


@pytest.fixture
def damaged_while_served(copy: Path) -> Iterator[Client]:
    """A store that opened fine, then every SST file is overwritten under the server."""
    dataset = open_dataset(Settings(base_iri=BASE, store=str(copy)))
    client = Client(create_app(Settings(base_iri=BASE, store=str(copy)), dataset))
    for sst in (version_of(copy) / "oxigraph").glob("*.sst"):
        size = sst.stat().st_size
        with sst.open("r+b") as stream:
            stream.write(os.urandom(size))
    yield client


def test_a_store_damaged_while_served_is_503(damaged_while_served: Client) -> None:
    """The background threads meet the same damage and log it; requests answer 503."""
    for path in ("/doc/item/3.ttl", "/doc/item/4"):
        answer = damaged_while_served.get(path, accept="application/json")
        assert answer.status_code == 503, (path, answer.text[:300])
        assert answer.headers["Retry-After"].isdigit()
        assert "could not be read" in answer.text and "Traceback" not in answer.text
