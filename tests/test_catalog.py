"""The catalog: documents of hash and slash IRIs, classes, labels and links, built once per
version (in memory at start, or by `publisher load` beside the store)."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from publisher.catalog import Catalog, CatalogError, build_catalog, document_of
from publisher.cli import app
from publisher.config import Settings
from publisher.discovery.statistics import compute_statistics
from publisher.search.engine import search
from publisher.stores import open_dataset
from publisher.stores.disk import file_sums
from publisher.urls import Urls

BASE = "https://data.example.org/people/"

DATA = f"""
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{BASE}card> a foaf:PersonalProfileDocument ; foaf:primaryTopic <{BASE}card#i> .
<{BASE}card#i> a foaf:Person ; foaf:name "Ada" ; rdfs:label "Ada L."@en, "آدا"@ar ;
    foaf:knows <{BASE}bob>, <{BASE}carol> ; foaf:homepage <https://ada.example.com/> .
<{BASE}card#key> rdfs:label "Ada's key" .
<{BASE}bob> a foaf:Person ; foaf:name "Bob" ; foaf:knows <{BASE}carol> .
<{BASE}carol> a foaf:Person ; skos:prefLabel "Carol"@en ; rdfs:label "Zed"@en .
<{BASE}dave> a foaf:Person .
<https://elsewhere.example/x> a foaf:Person ; foaf:name "Outsider" .
_:b a foaf:Person .
"""

FOAF_PERSON = "http://xmlns.com/foaf/0.1/Person"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    store = ox.Store()
    store.load(DATA.encode(), ox.RdfFormat.TURTLE)
    return build_catalog(store, BASE)


def test_a_hash_iri_belongs_to_the_document_before_its_hash() -> None:
    assert document_of(f"{BASE}card#i") == f"{BASE}card"
    assert document_of(f"{BASE}bob") == f"{BASE}bob"


def test_a_hash_document_holds_itself_and_every_iri_sharing_it(catalog: Catalog) -> None:
    assert catalog.members(f"{BASE}card") == (f"{BASE}card", f"{BASE}card#i", f"{BASE}card#key")
    assert catalog.holds_hash_iris(f"{BASE}card")
    assert not catalog.holds_hash_iris(f"{BASE}bob")
    assert catalog.members(f"{BASE}bob") == (f"{BASE}bob",)
    assert catalog.members(f"{BASE}nobody") == ()


def test_only_iris_of_the_namespace_are_documents(catalog: Catalog) -> None:
    assert list(catalog.documents()) == [f"{BASE}{n}" for n in ("bob", "card", "carol", "dave")]
    assert catalog.subjects == 6
    assert not catalog.describes("https://elsewhere.example/x")
    assert catalog.describes(f"{BASE}card#i")


def test_classes_count_their_named_instances(catalog: Catalog) -> None:
    counts = {c.iri: c.instances for c in catalog.classes()}
    assert counts[FOAF_PERSON] == 5  # four of ours and the outsider; the blank node is not
    assert counts["http://xmlns.com/foaf/0.1/PersonalProfileDocument"] == 1
    assert catalog.classes()[0].iri == FOAF_PERSON  # the largest first
    assert catalog.instance_count(FOAF_PERSON) == 5
    assert catalog.instance_count("http://example.org/none") == 0


def test_instances_are_sorted_by_label_in_the_readers_language(catalog: Catalog) -> None:
    english = [
        (e.iri.rsplit("/", 1)[-1], e.label) for e in catalog.instances(FOAF_PERSON, "en", 0, 10)
    ]
    assert english == [
        ("card#i", "Ada L."),
        ("bob", "Bob"),
        ("x", "Outsider"),
        ("carol", "Zed"),  # rdfs:label is preferred to skos:prefLabel
        ("dave", None),  # no label: last
    ]
    arabic = catalog.instances(FOAF_PERSON, "ar", 0, 10)
    assert arabic[-2].label == "آدا" and arabic[-1].label is None  # Arabic sorts after Latin


def test_instances_page_without_gaps_or_repeats(catalog: Catalog) -> None:
    pages = [catalog.instances(FOAF_PERSON, "en", offset, 2) for offset in (0, 2, 4, 6)]
    iris = [e.iri for page in pages for e in page]
    assert len(iris) == 5 == len(set(iris))
    assert pages[-1] == []


def test_labels_fall_back_to_english_then_any(catalog: Catalog) -> None:
    assert catalog.label(f"{BASE}card#i", "ar") == "آدا"
    assert catalog.label(f"{BASE}card#i", "fr") == "Ada L."
    assert catalog.label(f"{BASE}card#key", "ar") == "Ada's key"
    assert catalog.label(f"{BASE}dave", "en") is None
    assert catalog.languages() == ["en", "ar"]


def test_most_linked_leaves_types_and_outside_iris_aside(catalog: Catalog) -> None:
    linked = catalog.most_linked(10, "en")
    assert [(link.iri, link.links) for link in linked[:1]] == [(f"{BASE}carol", 2)]
    iris = {link.iri for link in linked}
    assert f"{BASE}card#i" in iris  # the primary topic
    assert "https://ada.example.com/" not in iris
    assert FOAF_PERSON not in iris


def test_a_catalog_file_is_written_and_reopened(tmp_path: Path) -> None:
    store = ox.Store()
    store.load(DATA.encode(), ox.RdfFormat.TURTLE)
    build_catalog(store, BASE, tmp_path / "c.sqlite").close()
    reopened = Catalog.open(tmp_path / "c.sqlite")
    try:
        assert reopened.base_iri == BASE and reopened.subjects == 6
        assert reopened.members(f"{BASE}card")[1] == f"{BASE}card#i"
    finally:
        reopened.close()


def test_a_missing_or_foreign_catalog_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="no catalog"):
        Catalog.open(tmp_path / "absent.sqlite")
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(CatalogError, match="not a readable catalog"):
        Catalog.open(tmp_path / "junk.sqlite")


def test_every_opened_dataset_has_its_catalog(tmp_path: Path) -> None:
    data = tmp_path / "people.ttl"
    data.write_text(DATA, encoding="utf-8")
    settings = Settings(data=[str(data)], ontology=[], shapes=[], base_iri=BASE)
    dataset = open_dataset(settings)
    assert dataset.catalog is not None and dataset.catalog.subjects == 6


def test_load_writes_the_catalog_beside_the_store(tmp_path: Path) -> None:
    data = tmp_path / "people.ttl"
    data.write_text(DATA, encoding="utf-8")
    folder = tmp_path / "store"
    result = CliRunner().invoke(
        app,
        ["load", str(data), "--base-iri", BASE, "--skip-validation", "--into", str(folder)],
    )
    assert result.exit_code == 0, result.output
    written = list(folder.glob("versions/*/catalog.sqlite"))
    assert len(written) == 1
    settings = Settings(store=str(folder), base_iri=BASE, data=[], ontology=[], shapes=[])
    dataset = open_dataset(settings)
    assert dataset.catalog is not None
    assert dataset.catalog.members(f"{BASE}card")[-1] == f"{BASE}card#key"
    found = search(dataset.catalog, "آدا", "en").hits  # the search index was loaded too
    assert [(hit.iri, hit.label) for hit in found] == [(f"{BASE}card#i", "Ada L.")]
    dataset.catalog.close()


def test_a_label_carries_the_language_it_is_in(catalog: Catalog) -> None:
    assert catalog.labelled(f"{BASE}card#i", "ar").lang == "ar"
    assert catalog.labelled(f"{BASE}card#i", "fr").lang == "en"  # the English fallback
    assert catalog.labelled(f"{BASE}bob", "fr").lang is None  # foaf:name "Bob": no tag
    assert catalog.labelled(f"{BASE}dave", "en") == catalog.labelled(f"{BASE}dave", "ar")
    assert catalog.labelled(f"{BASE}dave", "en").label is None
    tags = {e.iri.rsplit("/", 1)[-1]: e.lang for e in catalog.instances(FOAF_PERSON, "ar", 0, 9)}
    assert tags["card#i"] == "ar" and tags["carol"] == "en" and tags["dave"] is None
    assert {link.iri: link.lang for link in catalog.most_linked(10, "ar")}[f"{BASE}carol"] == "en"


def test_predicates_are_counted_with_the_kinds_of_their_values(catalog: Catalog) -> None:
    uses = {(u.iri.rsplit("/", 1)[-1], u.kind): u.uses for u in catalog.predicate_usage()}
    assert uses[("knows", "@id")] == 3
    assert uses[("rdf-schema#label", "@language")] == 3
    assert uses[("rdf-schema#label", "http://www.w3.org/2001/XMLSchema#string")] == 1
    assert not any(iri.endswith("#type") for iri, _ in uses)  # rdf:type says nothing of terms


def test_a_catalog_built_in_memory_answers_from_other_threads(catalog: Catalog) -> None:
    # Requests look documents up on worker threads, not the thread that built the catalog.
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(catalog.describes, f"{BASE}card#i").result()


def test_classes_under_a_prefix_count_only_its_instances(catalog: Catalog) -> None:
    under = catalog.classes_under(BASE)
    assert [(c.iri, c.instances) for c in under][:1] == [(FOAF_PERSON, 4)]  # not the outsider
    assert catalog.classes_under("https://elsewhere.example/")[0].instances == 1
    assert catalog.classes_under("https://nowhere.example/") == []


def test_a_catalog_of_another_release_is_rebuilt_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "people.ttl"
    data.write_text(DATA, encoding="utf-8")
    folder = tmp_path / "store"
    args = ["load", str(data), "--base-iri", BASE, "--skip-validation", "--into", str(folder)]
    assert CliRunner().invoke(app, args).exit_code == 0
    (written,) = folder.glob("versions/*/catalog.sqlite")
    with sqlite3.connect(written) as connection:  # as an older release would have left it
        connection.execute("UPDATE meta SET value = '0' WHERE key = 'schema'")
    connection.close()
    # the manifest is rewritten so that only the catalog's schema differs
    manifest = folder / "publisher-store.json"
    metadata = json.loads(manifest.read_text())
    version = written.parent
    metadata["files"] = {k: list(v) for k, v in file_sums(version).items()}
    manifest.write_text(json.dumps(metadata))
    settings = Settings(store=str(folder), base_iri=BASE, data=[], ontology=[], shapes=[])
    dataset = open_dataset(settings)
    assert dataset.catalog is not None and dataset.catalog.subjects == 6
    assert "catalog of another version" in capsys.readouterr().err


def test_document_shapes_say_which_documents_are_described_and_hold_hash_iris(
    catalog: Catalog,
) -> None:
    shapes = {doc[len(BASE) :]: (own, hashed) for doc, own, hashed in catalog.document_shapes()}
    assert shapes["card"] == (True, True)
    assert shapes["bob"] == (True, False)
    assert list(shapes) == sorted(shapes)


def test_the_void_counts_are_stored_and_read_back_the_same(tmp_path: Path) -> None:
    data = tmp_path / "people.ttl"
    data.write_text(DATA, encoding="utf-8")
    settings = Settings(data=[str(data)], ontology=[], shapes=[], base_iri=BASE)
    dataset = open_dataset(settings)
    assert dataset.catalog is not None and dataset.catalog.statistics() is not None
    urls = Urls(BASE, "http://127.0.0.1:8000/")
    stored = compute_statistics(dataset, urls)
    counted = compute_statistics(dataclasses.replace(dataset, catalog=None), urls)
    assert stored == counted and stored.triples == 20
    assert list(dataset.catalog.described_under(f"{BASE}card")) == [
        f"{BASE}card",
        f"{BASE}card#i",
        f"{BASE}card#key",
    ]
