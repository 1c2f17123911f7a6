"""Serving modifies nothing: an on-disk store and the dumps are the same bytes before and after
a server has read them, every kind of request included (the authored RDF is checked around
the whole suite by the session fixture in conftest.py)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sparql_support import serve
from typer.testing import CliRunner

from publisher.cli import app as cli
from publisher.config import Settings
from publisher.web.app import create_app

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "load"
THINGS = FIXTURES / "things.nt.gz"
THINGS_SHAPES = FIXTURES / "things-shapes.ttl"
BASE = "https://data.example.org/things/"
PUBLIC = "http://publisher.test/"
UNCHECKED = ("LOCK", "LOG")  # RocksDB's lock and info log, not data


def sums(root: Path) -> dict[str, tuple[int, str]]:
    """Every file under `root` (links followed as RocksDB would): size and SHA-256."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.startswith(UNCHECKED):
            with path.open("rb") as stream:
                digest = hashlib.file_digest(stream, "sha256").hexdigest()
            found[str(path.relative_to(root))] = (path.stat().st_size, digest)
    return found


def names(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def exercise(http: httpx.Client) -> None:
    """One of every kind of request a reader makes."""
    for path in ("/", "/doc/item/1.ttl", "/doc/item/2", "/doc/item/3.jsonld", "/void.ttl",
                 "/sitemap.xml", "/dumps/", "/validation.ttl", "/health", "/sparql"):  # fmt: skip
        assert http.get(path).status_code < 500, path
    assert http.get("/id/item/1").status_code == 303
    assert http.get("/doc/nothing-here").status_code == 404
    query = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"}
    assert http.post("/sparql", data=query).status_code == 200
    assert http.post("/sparql", data={"update": "CLEAR ALL"}).status_code >= 400
    assert http.post("/sparql", data={"query": "CLEAR ALL"}).status_code >= 400


def test_serving_an_on_disk_store_changes_none_of_its_files(tmp_path: Path) -> None:
    folder, dumps = tmp_path / "store", tmp_path / "dumps"
    args = [str(THINGS), "--into", str(folder), "--base-iri", BASE, "--shapes", str(THINGS_SHAPES)]
    assert CliRunner().invoke(cli, ["load", *args]).exit_code == 0
    before, listing = sums(folder), names(folder)

    def make(_origin: str) -> FastAPI:  # one public origin for both servers: the same dumps
        return create_app(
            Settings(base_iri=BASE, public_origin=PUBLIC, store=str(folder), dump_dir=str(dumps))
        )

    with serve(make) as url, httpx.Client(base_url=url, timeout=60) as http:
        exercise(http)
        dumped = wait_for_dumps(http, dumps)
        exercise(http)
    assert sums(folder) == before
    assert names(folder) == listing
    with serve(make) as url, httpx.Client(base_url=url, timeout=60) as http:
        exercise(http)  # a second server finds the dumps written and keeps them as they are
    assert sums(dumps) == dumped and sums(folder) == before


def wait_for_dumps(http: httpx.Client, dumps: Path) -> dict[str, tuple[int, str]]:
    """The dumps once the background writer has finished them (their listing says so)."""
    import time

    deadline = time.monotonic() + 60
    while True:
        listing = http.get("/dumps/", headers={"Accept": "text/html"})
        files = sums(dumps) if dumps.exists() else {}
        if listing.status_code == 200 and "prepar" not in listing.text.lower() and files:
            return files
        if time.monotonic() > deadline:
            pytest.fail(f"the dumps were not written: {listing.status_code} {listing.text[:300]}")
        time.sleep(0.2)


def test_the_store_folder_is_opened_without_write_access(tmp_path: Path) -> None:
    """The server never asks for write access to the folder: a read-only bind mount would do.
    (As root, permissions are not enforced; this checks the store opens read-only instead.)"""
    folder = tmp_path / "store"
    args = [str(THINGS), "--into", str(folder), "--base-iri", BASE, "--skip-validation"]
    assert CliRunner().invoke(cli, ["load", *args]).exit_code == 0
    from publisher.stores import open_dataset

    dataset = open_dataset(Settings(base_iri=BASE, store=str(folder)))
    assert os.path.samefile(dataset.capabilities.shared_path or "", folder / "oxigraph")
    with pytest.raises(RuntimeError):
        dataset.store.add(  # type: ignore[attr-defined]  # ReadStore has no add: it is a write
            next(iter(dataset.store))
        )
