"""Relative IRIs in a source (`<>`, `<#i>`, `<book/dune>`) resolve against the namespace plus
the file's name without extensions, or against the run's one `--source-base`; the same in
memory, on disk (`publisher load --into`) and with the rdflib backend (issue 10)."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from ld_support import as_graph
from typer.testing import CliRunner

from publisher.cli import app as cli
from publisher.cli import build_settings
from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.sources import document_name, relative_base
from publisher.stores import open_dataset

OWN = Path(__file__).resolve().parent / "fixtures" / "own-data"
CARD, BOOKS, SHAPES = OWN / "card.n3", OWN / "books.ttl", OWN / "shapes"
NS = "https://example.org/people/"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
HOMEPAGE = "https://amal.example.net/"
BY_NC = "https://creativecommons.org/licenses/by-nc/4.0/"

RDF_XML = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:foaf="http://xmlns.com/foaf/0.1/">
  <foaf:Person rdf:about="#i"><foaf:name>Rania</foaf:name></foaf:Person>
  <foaf:Document rdf:about=""><foaf:primaryTopic rdf:resource="#i"/></foaf:Document>
</rdf:RDF>
"""
JSON_LD = """{"@id": "#me", "@type": "http://xmlns.com/foaf/0.1/Person",
 "http://xmlns.com/foaf/0.1/name": "Omar"}"""


@pytest.fixture(autouse=True)
def no_publisher_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PUBLISHER_"):
            monkeypatch.delenv(name)


def triples(dataset: Dataset) -> set[tuple[str, str, str]]:
    """Subject, predicate, object as text (blank nodes as `_`): easy to assert on."""

    def text(term: object) -> str:
        return "_" if isinstance(term, ox.BlankNode) else str(getattr(term, "value", term))

    return {(text(q.subject), text(q.predicate), text(q.object)) for q in dataset.store}


def memory(*sources: Path, **settings: Any) -> Dataset:
    return open_dataset(build_settings([str(s) for s in sources], base_iri=NS, **settings))


# --- the rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "document"),
    [("card.n3", "card"), ("x.ttl.gz", "x"), ("data.NQ.GZ", "data"), ("my card.ttl", "my%20card"),
     ("v1.2.ttl", "v1.2"), ("café.rdf", "caf%C3%A9")],
)  # fmt: skip
def test_a_files_document_name(name: str, document: str) -> None:
    assert document_name(Path("/any/where") / name) == document


def test_the_source_base_wins_over_the_namespace() -> None:
    assert relative_base(CARD, NS) == NS + "card"
    assert relative_base(CARD, NS, "https://example.org/me") == "https://example.org/me"
    assert relative_base(CARD, None) is None


# --- the sources ----------------------------------------------------------------------------------


def test_a_foaf_card_in_n3_with_relative_and_hash_iris() -> None:
    found = triples(memory(CARD))
    assert (NS + "card", FOAF + "primaryTopic", NS + "card#i") in found
    assert (NS + "card#i", FOAF + "knows", NS + "card#sami") in found
    assert (NS + "card#i", FOAF + "homepage", HOMEPAGE) in found  # outside: as written
    assert (NS + "card", "http://creativecommons.org/ns#license", BY_NC) in found
    assert (NS + "card#i", FOAF + "knows", "_") in found


def test_turtle_paths_resolve_under_the_files_own_base() -> None:
    found = triples(memory(BOOKS))
    assert (NS + "book/dune", "http://purl.org/dc/terms/creator", NS + "card#i") in found
    assert (
        NS + "book/dune",
        RDF_TYPE,
        NS + "def/lib#Book",
    ) in found
    assert (
        NS + "books",
        "http://www.w3.org/2000/01/rdf-schema#label",
        "Amal's reading list",
    ) in found


def test_rdf_xml_and_json_ld_resolve_the_same_way(tmp_path: Path) -> None:
    (tmp_path / "rania.rdf").write_text(RDF_XML)
    (tmp_path / "omar.jsonld").write_text(JSON_LD)
    found = triples(memory(tmp_path))
    assert (NS + "rania", FOAF + "primaryTopic", NS + "rania#i") in found
    assert (NS + "omar#me", FOAF + "name", "Omar") in found


def test_a_gzipped_file_is_named_without_gz(tmp_path: Path) -> None:
    packed = tmp_path / "card.n3.gz"
    packed.write_bytes(gzip.compress(CARD.read_bytes()))
    assert as_graph(memory(packed).store) == as_graph(memory(CARD).store)
    renamed = tmp_path / "x.ttl.gz"
    renamed.write_bytes(gzip.compress(BOOKS.read_bytes()))
    assert (NS + "x", "http://www.w3.org/2000/01/rdf-schema#label", "Amal's reading list") in (
        triples(memory(renamed))
    )


def test_one_source_base_for_every_source_of_the_run() -> None:
    found = triples(memory(CARD, BOOKS, source_base="https://example.org/amal"))
    assert ("https://example.org/amal", FOAF + "primaryTopic", "https://example.org/amal#i") in (
        found
    )
    assert ("https://example.org/book/dune", "http://purl.org/dc/terms/title", "Dune") in found
    assert not any(s.startswith(NS) for s, _, _ in found)


def test_a_source_base_alone_also_names_the_namespace() -> None:
    notes: list[str] = []
    settings = build_settings([str(CARD)], source_base=NS + "amal", notes=notes)
    assert settings.base_iri == NS and notes[0].startswith(f"namespace: {NS} (inferred from 3 ")
    assert (NS + "amal#i", FOAF + "name", "Amal Haddad") in triples(open_dataset(settings))


def test_the_files_own_base_wins(tmp_path: Path) -> None:
    own = tmp_path / "own.ttl"
    own.write_text('@base <https://elsewhere.example/doc> .\n<#x> <#p> "v" .\n')
    assert triples(memory(own)) == {
        ("https://elsewhere.example/doc#x", "https://elsewhere.example/doc#p", "v")
    }


def test_a_source_base_that_is_not_http_is_refused() -> None:
    result = CliRunner().invoke(cli, ["validate", str(CARD), "--source-base", "card"])
    assert result.exit_code == 2
    assert "source_base must be an http(s) IRI" in result.stderr


# --- the same everywhere --------------------------------------------------------------------------


def every_syntax(folder: Path) -> Path:
    """The card (N3), the books (Turtle), gzipped Turtle, RDF/XML and JSON-LD in one folder."""
    folder.mkdir()
    shutil.copy(CARD, folder)
    (folder / "books.ttl.gz").write_bytes(gzip.compress(BOOKS.read_bytes()))
    (folder / "rania.rdf").write_text(RDF_XML)
    (folder / "omar.jsonld").write_text(JSON_LD)
    return folder


def test_memory_disk_and_rdflib_agree(tmp_path: Path) -> None:
    sources = every_syntax(tmp_path / "sources")
    settings = Settings(base_iri=NS, data=[str(sources)], ontology=[], shapes=[])
    in_memory = open_dataset(settings)
    folder = tmp_path / "store"
    args = ["load", str(sources), "--into", str(folder), "--base-iri", NS, "--skip-validation"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    on_disk = open_dataset(settings.model_copy(update={"store": str(folder)}))
    with_rdflib = open_dataset(settings.model_copy(update={"store": "rdflib:"}))
    expected = as_graph(in_memory.store)
    assert ox.Quad(ox.NamedNode(NS + "card"), ox.NamedNode(FOAF + "primaryTopic"),
                     ox.NamedNode(NS + "card#i")) in expected  # fmt: skip
    assert as_graph(on_disk.store) == expected
    assert as_graph(with_rdflib.store) == expected


def test_memory_disk_and_rdflib_agree_on_a_source_base(tmp_path: Path) -> None:
    base = "https://example.org/amal"
    settings = Settings(base_iri=NS, source_base=base, data=[str(CARD)], ontology=[], shapes=[])
    folder = tmp_path / "store"
    args = ["load", str(CARD), "--into", str(folder), "--base-iri", NS, "--source-base", base]
    result = CliRunner().invoke(cli, [*args, "--skip-validation"])
    assert result.exit_code == 0, result.output
    expected = as_graph(open_dataset(settings).store)
    assert as_graph(open_dataset(settings.model_copy(update={"store": str(folder)})).store) == (
        expected
    )
    assert as_graph(open_dataset(settings.model_copy(update={"store": "rdflib:"})).store) == (
        expected
    )
    subject = ox.NamedNode(base + "#i")
    assert any(t.subject == subject for t in expected)


def test_shapes_resolve_relative_iris_as_the_data_does() -> None:
    args = ["validate", str(CARD), "--shapes", str(SHAPES), "--base-iri", NS, "--format", "turtle"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    report = rdflib.Graph().parse(data=result.stdout, format="turtle")
    assert (None, rdflib.SH.conforms, rdflib.Literal(True)) in report


def test_a_shapes_violation_names_the_resolved_person(tmp_path: Path) -> None:
    nameless = tmp_path / "card.n3"
    nameless.write_text(CARD.read_text().replace('foaf:name "Sami" .', 'foaf:nick "S" .'))
    args = ["validate", str(nameless), "--shapes", str(SHAPES), "--base-iri", NS]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert "card#sami" in result.stderr and "A person has a name" in result.stderr
