"""`publisher load --into` the folder being served: the running server notices the new
version and switches documents, pages, SPARQL workers and dumps together; loads that fail
(full disk, a second load at once) leave the served store as it was.
"""

from __future__ import annotations

import errno
import fcntl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sparql_support import serve
from typer.testing import CliRunner, Result

from publisher.cli import app as cli
from publisher.config import Settings
from publisher.stores import disk, disk_load
from publisher.stores.disk import LOCK, METADATA, STAGING_PREFIX, VERSIONS, read_metadata
from publisher.web.app import create_app

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "load"
THINGS = FIXTURES / "things.nt.gz"
BASE = "https://data.example.org/things/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COLOUR = f'<{BASE}id/item/1> <{BASE}def/colour> "red" .\n'


def load(folder: Path, *extra: Path) -> Result:
    args = [str(THINGS), *map(str, extra), "--into", str(folder), "--base-iri", BASE]
    return CliRunner().invoke(cli, ["load", *args, "--skip-validation"])


def loaded(folder: Path, *extra: Path) -> None:
    result = load(folder, *extra)
    assert result.exit_code == 0, result.output


def settings(folder: Path, origin: str) -> Settings:
    return Settings(
        base_iri=BASE, public_origin=origin, store=str(folder), remote_check_interval=0.0
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    loaded(store)
    return store


@pytest.fixture
def http(folder: Path) -> Iterator[httpx.Client]:
    with (
        serve(lambda origin: create_app(settings(folder, origin))) as url,
        httpx.Client(base_url=url, timeout=60) as client,
    ):
        yield client


def count(http: httpx.Client) -> int:
    answer = http.post(
        "/sparql", data={"query": COUNT}, headers={"Accept": "application/sparql-results+json"}
    )
    assert answer.status_code == 200, answer.text
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def served_version(http: httpx.Client) -> str:
    return str(http.get("/health").json()["version"])


def wait_for_version(http: httpx.Client, version: str) -> None:
    deadline = time.monotonic() + 60
    while served_version(http) != version:
        assert time.monotonic() < deadline, "the new load was not noticed"
        time.sleep(0.05)


def test_a_new_load_is_served_without_a_restart(
    folder: Path, tmp_path: Path, http: httpx.Client
) -> None:
    before = http.get("/doc/item/1.ttl")
    assert before.status_code == 200 and b"red" not in before.content
    assert count(http) == read_metadata(folder).quads
    extra = tmp_path / "extra.nt"
    extra.write_text(COLOUR)
    loaded(folder, extra)
    fresh = read_metadata(folder)
    wait_for_version(http, fresh.version)
    # once the new version is served, documents and SPARQL agree on it
    after = http.get("/doc/item/1.ttl")
    assert after.status_code == 200 and b"red" in after.content
    assert after.headers["etag"] != before.headers["etag"]
    assert count(http) == fresh.quads == read_metadata(folder).quads
    assert http.get("/").status_code == 200
    dumps = http.get("/dumps/")
    assert dumps.status_code == 200 and fresh.version[:8] in dumps.text


def test_the_previous_version_is_kept_older_ones_go(folder: Path, tmp_path: Path) -> None:
    first = read_metadata(folder).current
    extra = tmp_path / "extra.nt"
    extra.write_text(COLOUR)
    loaded(folder, extra)
    second = read_metadata(folder).current
    assert sorted(p.name for p in (folder / VERSIONS).iterdir()) == sorted(
        Path(v).name for v in (first, second)
    )
    loaded(folder)
    third = read_metadata(folder).current
    kept = sorted(p.name for p in (folder / VERSIONS).iterdir())
    assert kept == sorted(Path(v).name for v in (second, third))
    assert (folder / "oxigraph").resolve() == (folder / third / "oxigraph").resolve()


@pytest.mark.parametrize("where", ["_load_sources", "_replace_file"])
def test_a_full_disk_leaves_the_store_as_it_was(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """ENOSPC while the quads are written, or while the new metadata is: one line, the old
    store still served, no staging folder left."""
    before = (folder / METADATA).read_bytes()
    versions = sorted((folder / VERSIONS).iterdir())

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(disk_load, where, full)
    result = load(folder)
    assert result.exit_code == 2, result.output
    assert "No space left on device" in result.stderr and "left as it was" in result.stderr
    assert "Traceback" not in result.output
    assert (folder / METADATA).read_bytes() == before
    leftovers = [p.name for p in folder.iterdir() if p.name.startswith(STAGING_PREFIX)]
    assert not leftovers
    if where == "_load_sources":
        assert sorted((folder / VERSIONS).iterdir()) == versions
    monkeypatch.undo()
    dataset = disk.open_disk_dataset(settings(folder, "http://x.test/"))
    assert len(dataset.store) == read_metadata(folder).quads


def test_a_second_load_at_once_is_one_line(folder: Path) -> None:
    before = (folder / METADATA).read_bytes()
    with (folder / LOCK).open("a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock.truncate(0)
        lock.write("4242")
        lock.flush()
        result = load(folder)
    assert result.exit_code == 2, result.output
    assert "another `publisher load` (pid 4242) is writing it" in result.stderr
    assert (folder / METADATA).read_bytes() == before


def test_two_servers_on_one_folder_while_a_load_writes(folder: Path, tmp_path: Path) -> None:
    """Two publishers read the folder at once, and keep answering while a load replaces it."""
    extra = tmp_path / "extra.nt"
    extra.write_text(COLOUR)
    failures: list[str] = []
    with (
        serve(lambda origin: create_app(settings(folder, origin))) as one,
        serve(lambda origin: create_app(settings(folder, origin))) as two,
        httpx.Client(timeout=60) as client,
    ):
        loading = threading.Thread(target=loaded, args=(folder, extra))
        loading.start()
        while loading.is_alive():
            for url in (one, two):
                answer = client.get(url + "doc/item/2.ttl")
                if answer.status_code != 200:
                    failures.append(f"{url}: {answer.status_code}")
        loading.join()
        version = read_metadata(folder).version
        for url in (one, two):
            deadline = time.monotonic() + 60
            while client.get(url + "health").json()["version"] != version:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert b"red" in client.get(url + "doc/item/1.ttl").content
    assert not failures
