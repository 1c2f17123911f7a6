"""Publishing a dataset that is not the GCM one: a tiny library with its own ontology (RDF/XML)
and shapes, its data in JSON-LD, gzipped N-Quads and Turtle, validated and served like any.

The pages must speak for this dataset (its title, description and licence come from what the
data says about itself, its profile) and never for the GCM review.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from ld_support import Client, as_graph, parse
from typer.testing import CliRunner

from publisher.cli import app as cli
from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.profile import read_profile
from publisher.stores import open_dataset
from publisher.web.app import create_app

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "any-dataset"
BASE = "https://data.example.org/library/"
ORIGIN = "http://127.0.0.1:8765/"
LIB = "https://data.example.org/library/def/lib#"
GCM_WORDS = ("GCM", "Global Compact", "الهجرة", "gcmr", "/objectives", "/concepts")


def flags(data: Path = FIXTURES / "data") -> list[str]:
    return [
        "--data", str(data),
        "--ontology", str(FIXTURES / "ontology"),
        "--shapes", str(FIXTURES / "shapes"),
        "--base-iri", BASE,
    ]  # fmt: skip


def library_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "base_iri": BASE,
        "public_origin": ORIGIN,
        "data": [str(FIXTURES / "data")],
        "ontology": [str(FIXTURES / "ontology")],
        "shapes": [str(FIXTURES / "shapes")],
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return open_dataset(library_settings())


@pytest.fixture(scope="module")
def client(dataset: Dataset) -> Client:
    return Client(create_app(library_settings(), dataset))


# --- every syntax is read ---------------------------------------------------------------------


def test_sources_in_every_syntax_are_found(dataset: Dataset) -> None:
    names = sorted(p.name for p in (*dataset.sources.data, *dataset.sources.ontology))
    assert names == ["authors.nq.gz", "books.jsonld", "dataset.ttl", "library.rdf"]


def test_quads_keep_their_graphs(dataset: Dataset) -> None:
    authors = ox.NamedNode(BASE + "graph/authors")
    ontology = ox.NamedNode(BASE + "def/lib")
    assert len(list(dataset.store.quads_for_pattern(None, None, None, authors))) == 5
    assert len(list(dataset.store.quads_for_pattern(None, None, None, ontology))) > 10
    book = ox.NamedNode(BASE + "id/book/dune")
    titles = list(dataset.store.quads_for_pattern(book, ox.NamedNode(LIB + "title"), None))
    assert [q.object for q in titles] == [ox.Literal("Dune")]


# --- validation with the dataset's own shapes ------------------------------------------------


def test_validate_uses_the_datasets_own_shapes() -> None:
    result = CliRunner().invoke(cli, ["validate", *flags()])
    assert result.exit_code == 0, result.output
    assert "Conforms: 0 violations" in result.stdout


def test_a_book_without_title_is_reported(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", data)
    books = data / "books.jsonld"
    books.write_text(books.read_text().replace('"title": "Dune",', ""))
    result = CliRunner().invoke(cli, ["validate", *flags(data)])
    assert result.exit_code == 1
    assert "A book has exactly one title" in result.stderr
    assert "id:book/dune" in result.stderr


def test_own_data_brings_no_gcm_ontology_or_shapes() -> None:
    """`--data` alone: the GCM ontology and shapes are not mixed in, so there is nothing to
    validate against (issue 10: said, and exit 0)."""
    data = ["validate", "--data", str(FIXTURES / "data"), "--base-iri", BASE]
    result = CliRunner().invoke(cli, data)
    assert result.exit_code == 0
    assert "no shapes: nothing to validate" in result.output


# --- served: documents and pages -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("book/dune", (LIB + "title", ox.Literal("Dune"))),
        ("author/tayeb-salih", ("http://www.w3.org/2000/01/rdf-schema#label",
                                ox.Literal("الطيب صالح", language="ar"))),
    ],
)  # fmt: skip
def test_things_dereference(client: Client, path: str, expected: tuple[str, ox.Literal]) -> None:
    redirect = client.get(f"/id/{path}", accept="text/turtle")
    assert redirect.status_code == 303
    assert redirect.headers["location"] == f"{ORIGIN}doc/{path}.ttl"
    document = client.get(f"/doc/{path}", accept="application/n-triples")
    assert document.status_code == 200
    graph = as_graph(parse(document.content, ox.RdfFormat.N_TRIPLES))
    predicate, value = expected
    subject = ox.NamedNode(f"{ORIGIN}id/{path}")
    public = ox.NamedNode(predicate.replace(BASE, ORIGIN))  # our IRIs, on the public origin
    assert ox.Quad(subject, public, value) in graph
    page = client.get(f"/doc/{path}", accept="text/html")
    assert page.status_code == 200


def test_the_ontology_document_is_its_own(client: Client) -> None:
    page = client.get("/def/lib.html")
    assert page.status_code == 200
    assert "Library vocabulary" in page.text and "year of publication" in page.text
    turtle = client.get("/def/lib.ttl")
    assert turtle.status_code == 200 and f"{ORIGIN}def/lib#Book" in turtle.text


@pytest.mark.parametrize(("lang", "title"), [("en", "A tiny library"), ("ar", "مكتبة صغيرة")])
def test_the_home_page_speaks_for_this_dataset(client: Client, lang: str, title: str) -> None:
    page = client.get(f"/?lang={lang}", accept="text/html")
    assert page.status_code == 200
    assert re.search(rf"<h1><bdi[^>]*>{title}</bdi></h1>", page.text)
    assert "Two books and their authors" in page.text
    assert 'href="https://creativecommons.org/publicdomain/zero/1.0/" rel="license"' in page.text
    assert f'href="{ORIGIN}def/lib?lang={lang}"' in page.text
    for word in GCM_WORDS:
        assert word not in page.text, word


def test_resource_pages_carry_this_datasets_name(client: Client) -> None:
    page = client.get("/doc/book/dune.html")
    assert page.status_code == 200
    assert "<title>Dune (novel) · A tiny library</title>" in page.text
    assert "CC BY" not in page.text and "/objectives" not in page.text
    assert 'href="https://creativecommons.org/publicdomain/zero/1.0/" rel="license"' in page.text


def test_void_and_dcat_describe_this_dataset(client: Client) -> None:
    void = client.get("/.well-known/void", accept="application/n-triples")
    assert void.status_code == 200
    graph = as_graph(parse(void.content, ox.RdfFormat.N_TRIPLES))
    dataset_iri = ox.NamedNode(f"{ORIGIN}.well-known/void#dataset")
    title = ox.NamedNode("http://purl.org/dc/terms/title")
    titles = {q.object for q in graph if q.subject == dataset_iri and q.predicate == title}
    assert titles == {ox.Literal("A tiny library", language="en"),
                      ox.Literal("مكتبة صغيرة", language="ar")}  # fmt: skip
    assert "Global Compact" not in void.text
    assert client.get("/sitemap.xml").status_code == 200


def test_a_dataset_that_says_nothing_about_itself_gets_a_plain_title(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", data)
    (data / "dataset.ttl").unlink()
    settings = library_settings(data=[str(data)])
    dataset = open_dataset(settings)
    assert read_profile(dataset).title == {"en": f"Linked data at {BASE}"}
    page = Client(create_app(settings, dataset)).get("/", accept="text/html")
    assert page.status_code == 200
    assert f"Linked data at {BASE}" in page.text and "Global Compact" not in page.text


def test_the_gcm_dataset_keeps_its_own_words(settings: Settings) -> None:
    """Its words are in its data (data/dataset.ttl), not in the publisher."""
    profile = read_profile(open_dataset(settings))
    assert "GCM" in profile.title_in("en") and "الهجرة" in profile.title_in("ar")


# --- the same dataset through an on-disk store -----------------------------------------------


def test_the_library_loads_into_a_store_and_serves_the_same(tmp_path: Path, client: Client) -> None:
    folder = tmp_path / "store"
    data = [str(p) for p in sorted((FIXTURES / "data").iterdir())]
    args = ["load", *data, "--into", str(folder), *flags()[2:]]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "validated" in result.stdout
    settings = library_settings(store=str(folder))
    from_disk = Client(create_app(settings, open_dataset(settings)))
    for path in ("/doc/book/dune.nt", "/doc/author/frank-herbert.nt", "/def/lib.nt"):
        answers = [c.get(path) for c in (client, from_disk)]
        graphs = [as_graph(parse(a.content, ox.RdfFormat.N_TRIPLES)) for a in answers]
        assert graphs[0] == graphs[1] and len(graphs[0]) > 2
    home = from_disk.get("/", accept="text/html")
    assert "A tiny library" in home.text
