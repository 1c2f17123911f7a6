"""Two real third-party files, served as a new user would (issue 10, the walkthrough of
docs/publishing-your-own-data.md): the W3C SHACL vocabulary (an `owl:Ontology` named by its
hash namespace `http://www.w3.org/ns/shacl#`, hash terms) and TopQuadrant's SHACL version of
schema.org (slash IRIs `http://schema.org/Person`, ~24,000 triples). pyshacl ships both, so
they are on every machine that installs the project; nobody here wrote them.

Each is served with the namespace `publisher serve FILE` infers and a public origin other than
it, so every rewrite shows. The walkthrough's claims are checked here, one by one.
"""

from __future__ import annotations

import importlib.resources
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import anyio
import lxml.html
import pyoxigraph as ox
import pytest
from ld_support import Client, as_graph, parse
from typer.testing import CliRunner

from publisher.cli import app as cli
from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.formats import RDF_DOCUMENT_FORMATS
from publisher.profile import read_profile
from publisher.sources import infer_namespace
from publisher.stores import open_dataset
from publisher.web.app import create_app
from publisher.web.state import state_of_app

ASSETS = Path(str(importlib.resources.files("pyshacl") / "assets"))
SHACL_FILE = ASSETS / "shacl.ttl"
SCHEMA_FILE = ASSETS / "schema.ttl"
ORIGIN = "http://127.0.0.1:8000/"
W3C_NS = "http://www.w3.org/ns/"
SCHEMA_NS = "http://schema.org/"
SH = "http://www.w3.org/ns/shacl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SHACL_TITLE = "W3C Shapes Constraint Language (SHACL) Vocabulary"
SCHEMA_TITLE = "Schema.org SHACL shapes"
FOREIGN_WORDS = re.compile(r"GCM|Migration|Global Compact", re.IGNORECASE)


def settings_for(path: Path, **overrides: object) -> Settings:
    """What `publisher serve FILE` runs with: the file alone, the namespace inferred."""
    namespace = infer_namespace([path]).namespace
    assert namespace is not None
    values: dict[str, object] = {
        "base_iri": namespace,
        "public_origin": ORIGIN,
        "data": [str(path)],
        "ontology": [],
        "shapes": [],
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


def opened(path: Path) -> Iterator[tuple[Dataset, Client]]:
    """The site of one file; its SPARQL worker pool (started by the query page) closed after."""
    dataset = open_dataset(settings_for(path))
    app = create_app(settings_for(path), dataset)
    try:
        yield dataset, Client(app)
    finally:
        endpoint = state_of_app(app).sparql
        if endpoint is not None:
            anyio.run(endpoint.pool.close)
        if dataset.catalog is not None:
            dataset.catalog.close()


@pytest.fixture(scope="module")
def shacl_site() -> Iterator[tuple[Dataset, Client]]:
    yield from opened(SHACL_FILE)


@pytest.fixture(scope="module")
def schema_site() -> Iterator[tuple[Dataset, Client]]:
    yield from opened(SCHEMA_FILE)


@pytest.fixture(scope="module")
def shacl(shacl_site: tuple[Dataset, Client]) -> Client:
    return shacl_site[1]


@pytest.fixture(scope="module")
def schema(schema_site: tuple[Dataset, Client]) -> Client:
    return schema_site[1]


def html(client: Client, path: str) -> lxml.html.HtmlElement:
    response = client.get(path, accept="text/html")
    assert response.status_code == 200, (path, response.status_code)
    assert not FOREIGN_WORDS.search(response.text), path
    return lxml.html.fromstring(response.content)


def title_of(page: lxml.html.HtmlElement) -> str:
    return str(page.findtext(".//title"))


def hrefs(page: lxml.html.HtmlElement) -> list[str]:
    return [str(href) for href in page.xpath("//a/@href")]


def triples(client: Client, path: str, fmt: ox.RdfFormat) -> set[tuple[str, str, str]]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in parse(response.content, fmt)}


# --- the namespace -------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "namespace"), [(SHACL_FILE, W3C_NS), (SCHEMA_FILE, SCHEMA_NS)])
def test_validate_infers_the_namespace_and_has_no_shapes_to_check(
    path: Path, namespace: str
) -> None:
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert f"namespace: {namespace} (inferred from" in result.output
    assert "no shapes: nothing to validate" in result.output


def test_a_hash_namespace_as_base_iri_is_refused_with_the_folder_to_give() -> None:
    """`--base-iri http://www.w3.org/ns/shacl#` was taken as `…/shacl#/`, under which nothing
    is: an empty site. The namespace served is a folder of paths."""
    result = CliRunner().invoke(cli, ["validate", str(SHACL_FILE), "--base-iri", SH])
    assert result.exit_code == 2
    assert f"is a hash namespace: give its folder, {W3C_NS}" in result.output


# --- the SHACL vocabulary: an ontology named by its hash namespace --------------------------


def test_the_vocabulary_is_served_at_its_namespace_as_its_ontology_page(shacl: Client) -> None:
    """`…/ns/shacl#` is the vocabulary at `/shacl`: the ontology page (a few hundred kB), not
    a hash document with one section per term (1.2 MB)."""
    response = shacl.get("/shacl", accept="text/html")
    assert response.status_code == 200
    assert response.headers["content-location"] == f"{ORIGIN}shacl.html"
    assert len(response.content) < 600_000
    page = lxml.html.fromstring(response.content)
    assert title_of(page) == SHACL_TITLE
    assert page.get_element_by_id("h-ontology_classes") is not None
    node_shape = page.get_element_by_id("NodeShape")  # `…/shacl#NodeShape` opens here
    text = node_shape.text_content()
    assert "Node shape" in text and "sh:NodeShape" in text
    assert "#Shape" in node_shape.xpath(".//a/@href")  # its superclass, on the same page


def test_the_vocabulary_in_turtle_is_the_ontology_and_its_terms(shacl: Client) -> None:
    response = shacl.get("/shacl", accept="text/turtle")
    assert response.status_code == 200
    assert response.headers["content-location"] == f"{ORIGIN}shacl.ttl"
    found = {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in parse(response.content, ox.RdfFormat.TURTLE)
    }
    ns = f"{ORIGIN}shacl#"
    owl_ontology = "<http://www.w3.org/2002/07/owl#Ontology>"
    assert (f"<{ns}>", f"<{RDF_TYPE}>", owl_ontology) in found
    assert (f"<{ns}NodeShape>", f"<{RDFS}subClassOf>", f"<{ns}Shape>") in found
    assert (f"<{ns}NodeShape>", f"<{RDFS}label>", '"Node shape"@en') in found


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@pytest.mark.parametrize(
    ("site", "path", "subject"),
    [("shacl", "/shacl", "shacl#NodeShape"), ("schema", "/doc/Person", "Person")],
)
def test_every_format_says_the_same(
    site: str, path: str, subject: str, request: pytest.FixtureRequest
) -> None:
    """Turtle, JSON-LD, N-Triples, N-Quads and RDF/XML of one document: the same graph."""
    client: Client = request.getfixturevalue(site)
    graphs = {}
    for fmt in RDF_DOCUMENT_FORMATS:
        response = client.get(f"{path}.{fmt.extension}")
        assert response.status_code == 200, fmt.extension
        assert response.headers["content-type"] == fmt.content_type
        body = response.content
        if fmt.extension == "jsonld":  # the server's context in place of its URL (no network)
            document = json.loads(body)
            assert document["@context"] == f"{ORIGIN}context.jsonld"
            document["@context"] = json.loads(client.get("/context.jsonld").content)["@context"]
            body = json.dumps(document).encode()
        assert fmt.rdf_format is not None
        graphs[fmt.extension] = as_graph(parse(body, fmt.rdf_format, ORIGIN))
    reference = graphs.pop("nt")
    assert ox.NamedNode(ORIGIN + subject) in {t.subject for t in reference}
    for extension, graph in graphs.items():
        assert graph == reference, extension


def test_the_vocabulary_titles_the_site(shacl_site: tuple[Dataset, Client]) -> None:
    """No VoID or DCAT description: the one `owl:Ontology` given as data speaks for the site."""
    dataset, client = shacl_site
    profile = read_profile(dataset)
    assert profile.title_in("en") == SHACL_TITLE and profile.license is None
    assert profile.description_in("en").startswith("This vocabulary defines terms used in SHACL")
    home = html(client, "/")
    assert title_of(home) == SHACL_TITLE  # said once, not "X · X"
    assert f"{ORIGIN}shacl#" in hrefs(home)  # the vocabulary, from the home page
    assert "/shacl.html?lang=en" in hrefs(home)  # and from the navigation, as /def/ ones are


def test_class_pages_use_the_files_own_prefixes(shacl: Client) -> None:
    """shacl.ttl writes `sh:`; a prefix guessed from the ontology's IRI (`shacl:`) is not."""
    home = html(shacl, "/")
    links = hrefs(home)
    assert "/classes/rdfs:Class?lang=en" in links
    assert "/classes/sh:Parameter?lang=en" in links
    assert not any(link.startswith("/classes/shacl:") for link in links)
    page = html(shacl, "/classes/rdfs:Class")
    instances = [h for h in hrefs(page) if h.startswith(f"{ORIGIN}shacl#")]
    assert len(instances) == 40 and f"{ORIGIN}shacl#NodeShape" in instances


# --- schema.org: slash IRIs ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "location"),
    [
        ("text/turtle", "doc/Person.ttl"),
        ("text/html", "doc/Person.html"),
        ("*/*", "doc/Person.ttl"),
    ],
)
def test_a_slash_iri_answers_303_to_its_document(
    schema: Client, accept: str, location: str
) -> None:
    response = schema.get("/Person", accept=accept)
    assert response.status_code == 303
    assert response.headers["location"] == ORIGIN + location


def test_the_document_of_person_in_turtle(schema: Client) -> None:
    found = triples(schema, "/doc/Person.ttl", ox.RdfFormat.TURTLE)
    person = f"<{ORIGIN}Person>"
    assert (person, f"<{RDFS}label>", '"Person"') in found
    assert (person, f"<{RDFS}subClassOf>", f"<{ORIGIN}Thing>") in found
    assert (person, f"<{RDF_TYPE}>", f"<{SH}NodeShape>") in found
    equivalent = "<http://www.w3.org/2002/07/owl#equivalentClass>"
    assert (person, equivalent, "<http://xmlns.com/foaf/0.1/Person>") in found  # not rewritten


def test_the_page_of_person(schema: Client) -> None:
    page = html(schema, "/doc/Person")
    assert title_of(page) == f"Person · {SCHEMA_TITLE}"
    text = page.text_content()
    assert "A person (alive, dead, undead, or fictional)." in text
    assert "schema:source" in text  # the file's own prefix, not the full IRI
    assert "dataset description" not in text  # no per-fact source: the data has no graphs


def test_a_list_is_shown_as_its_members(schema: Client) -> None:
    """`sh:or ( [ sh:class schema:PostalAddress ] [ sh:datatype xsd:string ] )`: the two
    alternatives, in order, not `rdf:first [] rdf:rest []`."""
    page = html(schema, "/doc/Person-address")
    assert "rdf:first" not in page.text_content()
    (alternatives,) = page.xpath("//ol[@class='rdf-list']")
    members = alternatives.xpath("./li")
    assert len(members) == 2
    assert f"{ORIGIN}PostalAddress" in members[0].xpath(".//a/@href")
    assert "http://www.w3.org/2001/XMLSchema#string" in members[1].xpath(".//a/@href")


def test_html_comments_are_shown_as_their_text(schema: Client) -> None:
    """schema.org's comments are `rdf:HTML`: a page shows their words, not escaped tags."""
    page = html(schema, "/doc/Accommodation")
    text = " ".join(page.text_content().split())
    assert "forms of accommodations. " in text or text.endswith("forms of accommodations.")
    assert "<br" not in text and "<a href" not in text


def test_the_home_page_lists_classes_and_the_most_linked(schema: Client) -> None:
    home = html(schema, "/")
    assert title_of(home) == SCHEMA_TITLE
    text = " ".join(home.text_content().split())
    assert "This is an RDF/SHACL version of schema.org" in text  # rdf:HTML, as plain text
    assert "<p>" not in text
    rows = {
        str(row.xpath("string(.//a/@href)")): " ".join(row.xpath(".//td//text()")).split()
        for row in home.xpath("//a[starts-with(@href, '/classes/')]/ancestor::tr")
    }
    assert rows["/classes/sh:NodeShape?lang=en"][-1] == "872"
    assert rows["/classes/rdfs:Class?lang=en"][-1] == "872"
    assert rows["/classes/sh:PropertyShape?lang=en"][-1] == "2053"
    assert f"{ORIGIN}Person" in hrefs(home)  # the most linked resource of the data


def test_the_class_page_of_node_shapes_pages_its_872_instances(schema: Client) -> None:
    first = schema.get("/classes/sh:NodeShape", accept="text/html")
    assert first.status_code == 200
    assert f'<{ORIGIN}classes/sh:NodeShape/2?lang=en>; rel="next"' in first.headers["link"]
    last = html(schema, "/classes/sh:NodeShape/9")
    assert len([h for h in hrefs(last) if h.startswith(ORIGIN)]) == 72
    assert schema.get("/classes/sh:NodeShape/10", accept="text/html").status_code == 404


# --- what neither file has -------------------------------------------------------------------


@pytest.mark.parametrize("site", ["shacl", "schema"])
def test_no_licence_no_report_no_foreign_words(site: str, request: pytest.FixtureRequest) -> None:
    client: Client = request.getfixturevalue(site)
    void = client.get("/.well-known/void", accept="text/turtle")
    assert void.status_code == 200 and "license" not in void.text
    assert not FOREIGN_WORDS.search(void.text)
    assert client.get("/validation", accept="text/html").status_code == 404
    home = html(client, "/")
    assert not any(h.startswith("/validation") for h in hrefs(home))
    assert "licen" not in home.text_content().lower()


def test_the_sitemap_and_dumps_name_the_documents(shacl: Client, schema: Client) -> None:
    assert f"<loc>{ORIGIN}shacl.html" in shacl.get("/sitemap.xml").text
    assert f"<loc>{ORIGIN}doc/Person.html" in schema.get("/sitemap.xml").text
    dumps = shacl.get("/dumps/", accept="application/json")
    assert dumps.status_code == 200


# --- load, serve --store, export -------------------------------------------------------------


def test_a_loaded_store_serves_the_vocabulary_page_too(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    load = ["load", str(SHACL_FILE), "--into", str(folder), "--skip-validation"]
    result = CliRunner().invoke(cli, load)
    assert result.exit_code == 0, result.output
    on_disk = settings_for(SHACL_FILE, store=str(folder), data=[])
    dataset = open_dataset(on_disk)
    try:
        client = Client(create_app(on_disk, dataset))
        page = html(client, "/shacl")
        assert title_of(page) == SHACL_TITLE and page.get_element_by_id("NodeShape") is not None
        assert title_of(html(client, "/")) == SHACL_TITLE
    finally:
        if dataset.catalog is not None:
            dataset.catalog.close()


def test_the_export_writes_the_vocabulary_page(tmp_path: Path, shacl: Client) -> None:
    """`publisher export OUT shacl.ttl`, as the walkthrough runs it (the default origin is the
    one these tests use, so the files are the live server's bytes)."""
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["export", str(out), str(SHACL_FILE)])
    assert result.exit_code == 0, result.output
    assert " MB, 1 document) for http://127.0.0.1:8000/" in result.output
    site = out / "site"
    assert (site / "shacl.ttl").read_bytes() == shacl.get("/shacl.ttl").content
    written = lxml.html.fromstring((site / "shacl.en.html").read_bytes())
    assert title_of(written) == SHACL_TITLE


def test_the_query_page_offers_no_examples_the_data_does_not_give(shacl: Client) -> None:
    page = html(shacl, "/sparql")
    text = page.text_content()
    assert "source sentence" not in text  # the embedded dataset's graphs, not these
    assert not page.xpath("//section[contains(@class, 'sparql-examples')]")


@pytest.mark.parametrize(("site", "limit"), [("shacl", 200), ("schema", 150)])
def test_every_link_from_the_home_page_answers(
    site: str, limit: int, request: pytest.FixtureRequest
) -> None:
    """A crawl from `/` (every page of the SHACL site; the first pages of schema.org's): no
    internal link answers 404 or 500, no page mentions another dataset."""
    client: Client = request.getfixturevalue(site)
    seen: set[str] = set()
    todo = ["/"]
    while todo and len(seen) < limit:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path, accept="text/html")
        if response.status_code in (301, 302, 303, 307):
            todo.append("/" + response.headers["location"].removeprefix(ORIGIN))
            continue
        assert response.status_code == 200, path
        assert not FOREIGN_WORDS.search(response.text), path
        for href in hrefs(lxml.html.fromstring(response.content)):
            url = urljoin(ORIGIN + path.lstrip("/"), href)
            parts = urlsplit(url)
            if url.startswith(ORIGIN) and not parts.path.startswith("/sparql"):
                todo.append(parts.path)
    assert len(seen) > (20 if site == "shacl" else 100)
