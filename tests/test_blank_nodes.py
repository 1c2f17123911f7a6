"""Blank nodes keep their identity as the sources say, in every store: two files that both
write `_:a` hold two nodes, and the same file is named the same way at every start (so a name
given to a client, such as a skolem IRI of /fragments, survives a restart or another worker)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from publisher.config import Settings
from publisher.dataset import Sources
from publisher.sources import read_quads
from publisher.stores import load, open_dataset

BASE = "http://example.org/"
P = ox.NamedNode(f"{BASE}p")


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "one.nt").write_text(f'_:a <{P.value}> "one" .\n', encoding="utf-8")
    (folder / "two.ttl").write_text(
        f'_:a <{P.value}> "two" .\n[] <{P.value}> [ <{P.value}> "three" ] .\n', encoding="utf-8"
    )
    return folder


def settings_for(folder: Path, **more: object) -> Settings:
    return Settings(
        base_iri=BASE, data=[str(folder)], ontology=[], shapes=[], skip_validation=True, **more
    )


def subjects_by_value(store: ox.Store) -> dict[str, ox.BlankNode | ox.NamedNode | ox.Triple]:
    return {q.object.value: q.subject for q in store.quads_for_pattern(None, P, None)
            if isinstance(q.object, ox.Literal)}  # fmt: skip


def test_the_same_label_in_two_files_is_two_nodes_in_memory(sources: Path) -> None:
    dataset = open_dataset(settings_for(sources))
    by_value = subjects_by_value(dataset.store)
    assert by_value["one"] != by_value["two"]
    assert len({q.subject for q in dataset.store if isinstance(q.subject, ox.BlankNode)}) == 4


def test_every_parse_names_the_nodes_alike(sources: Path) -> None:
    path = sources / "two.ttl"
    first, second = list(read_quads(path)), list(read_quads(path))
    assert first == second
    assert all(isinstance(q.subject, ox.BlankNode) for q in first)


def test_two_starts_of_a_memory_store_name_the_nodes_alike(sources: Path) -> None:
    first = open_dataset(settings_for(sources))
    second = open_dataset(settings_for(sources))
    assert set(first.store) == set(second.store)


def test_an_on_disk_store_keeps_the_two_nodes_apart(sources: Path, tmp_path: Path) -> None:
    settings = settings_for(sources)
    load(settings, Sources.from_settings(settings), str(tmp_path / "store"))
    dataset = open_dataset(settings_for(sources, store=str(tmp_path / "store")))
    by_value = subjects_by_value(dataset.store)
    assert by_value["one"] != by_value["two"]
    assert by_value["three"] != by_value["two"]
