"""What serving needs is written by `publisher load`: the catalog and the dumps sit in the
store's version folder, and a server over that folder reads them instead of computing them."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.exceptions import StarletteDeprecationWarning
from typer.testing import CliRunner

with warnings.catch_warnings():
    # Starlette 1.x asks for `httpx2`; the `httpx` it warns about works the same for our tests.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from publisher.cli import app as cli
from publisher.config import Settings
from publisher.discovery.dump_store import DumpStore, written_at_load
from publisher.stores import open_dataset
from publisher.urls import Urls
from publisher.web.app import create_app

BASE = "https://data.example.org/shelf/"
DATA = f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{BASE}book/a> a <{BASE}def#Book> ; rdfs:label "A"@en ; <{BASE}def#cites> <{BASE}book/b> .
<{BASE}book/b> a <{BASE}def#Book> ; rdfs:label "B"@en .
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("loaded")
    data = root / "shelf.ttl"
    data.write_text(DATA, encoding="utf-8")
    store = root / "store"
    args = ["load", str(data), "--base-iri", BASE, "--skip-validation", "--into", str(store)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return store


def settings(folder: Path, origin: str | None) -> Settings:
    return Settings(store=str(folder), base_iri=BASE, public_origin=origin, dump_dir=None)


def test_the_load_writes_catalog_and_dumps_into_its_version(folder: Path) -> None:
    (version,) = folder.glob("versions/*")
    assert (version / "catalog.sqlite").is_file()
    names = sorted(p.name for p in (version / "dumps").iterdir())
    assert "SHA256SUMS" in names and len(names) == 6  # five formats and their checksums
    assert "catalog.sqlite" in (folder / "publisher-store.json").read_text()  # in the manifest


def test_a_server_on_the_base_iri_serves_the_loaded_dumps(folder: Path) -> None:
    dataset = open_dataset(settings(folder, BASE))
    urls = Urls(BASE, BASE)
    loaded = written_at_load(dataset, urls)
    assert loaded is not None
    dumps = DumpStore(None).get(dataset, urls)
    assert dumps.folder == loaded  # read back, not written again


def test_a_server_on_another_origin_writes_its_own(folder: Path, tmp_path: Path) -> None:
    origin = "http://127.0.0.1:8000/"
    dataset = open_dataset(settings(folder, origin))
    urls = Urls(BASE, origin)
    assert written_at_load(dataset, urls) is None  # its IRIs are rewritten to the origin
    dumps = DumpStore(tmp_path).get(dataset, urls)
    assert dumps.folder.parent == tmp_path
    turtle = next(f for f in dumps.files if f.name.endswith(".ttl"))
    text = (dumps.folder / turtle.name).read_text(encoding="utf-8")
    assert f"<{origin}book/b>" in text and BASE not in text


@pytest.fixture
def client(folder: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings(folder, BASE))) as client:
        yield client


def test_the_dumps_answer_at_once_from_the_loaded_files(client: TestClient) -> None:
    listing = client.get("/dumps/")
    assert listing.status_code == 200
    assert "being prepared" not in listing.text
    name = next(line for line in listing.text.split('"') if line.endswith(".nt.gz"))
    answer = client.get(name if name.startswith("/") else f"/dumps/{name}")
    assert answer.status_code == 200


def test_a_damaged_loaded_dump_is_written_again_not_served(
    folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The dumps' digests are not read at start (their own SHA256SUMS is checked before they
    are served): a damaged one lets the server start, and it writes its own instead."""
    import shutil

    copy = tmp_path_factory.mktemp("damaged") / "store"
    shutil.copytree(folder, copy, symlinks=True)
    (dumps,) = copy.glob("versions/*/dumps")
    turtle = next(dumps.glob("*.ttl"))
    text = turtle.read_bytes()
    turtle.write_bytes(text.replace(b"book", b"bool"))  # same size, other bytes
    dataset = open_dataset(settings(copy, BASE))  # starts: no digest of the dumps read here
    written = DumpStore(tmp_path_factory.mktemp("own")).get(dataset, Urls(BASE, BASE))
    assert written.folder != dumps
    assert b"bool" not in (written.folder / turtle.name).read_bytes()
