"""Every IRI of the namespace dereferences, whatever its shape (issue 10, decision 0011).

The fixture (tests/fixtures/own-data/shapes-of-iris/) is a small site as people publish them:
a FOAF card (`card`, `card#i`, `card#key`, a blank node, an outside home page), slash IRIs
(`bob`, `people/carol`), a renamed IRI, a vocabulary at its own namespace with hash terms, and
a data IRI named like one of the site's own paths (`health`). It is served with a public origin
other than its namespace, so every rewrite (and every IRI that must not be rewritten) shows.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pyoxigraph as ox
import pytest
from ld_support import Client, as_graph, parse
from typer.testing import CliRunner

from publisher.cli import app as cli
from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.documents.cache import (
    Representations,
    document_key,
    ontology_key,
    page_document_key,
)
from publisher.documents.locate import hidden, list_documents, warn_hidden
from publisher.export.build import export_site
from publisher.formats import DOCUMENT_FORMATS, HTML, RDF_DOCUMENT_FORMATS, TURTLE, Format
from publisher.stores import open_dataset
from publisher.urls import Urls, reserved
from publisher.web.app import create_app

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "own-data" / "shapes-of-iris"
BASE = "https://people.example.org/"
ORIGIN = "http://127.0.0.1:8765/"
FOAF = "http://xmlns.com/foaf/0.1/"
CERT = "http://www.w3.org/ns/auth/cert#"
HOMEPAGE = "https://amal.example.net/"


def settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "base_iri": BASE,
        "public_origin": ORIGIN,
        "data": [str(FIXTURES)],
        "ontology": [],
        "shapes": [],
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def dataset() -> Iterator[Dataset]:
    opened = open_dataset(settings())
    yield opened
    if opened.catalog is not None:
        opened.catalog.close()


@pytest.fixture(scope="module")
def client(dataset: Dataset) -> Client:
    return Client(create_app(settings(), dataset))


def public(iri: str) -> str:
    return ORIGIN + iri[len(BASE) :] if iri.startswith(BASE) else iri


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(public(iri))


def triples_of(body: bytes, fmt: Format, context: bytes | None = None) -> set[ox.Triple]:
    """The triples of a document; JSON-LD with the server's context put in place of its URL
    (no network here)."""
    assert fmt.rdf_format is not None
    if fmt.extension == "jsonld":
        assert context is not None
        document = json.loads(body)
        assert document["@context"] == f"{ORIGIN}context.jsonld"
        document["@context"] = json.loads(context)["@context"]
        body = json.dumps(document).encode()
    return {q.triple for q in parse(body, fmt.rdf_format, ORIGIN)}


# --- hash IRIs: the document before the `#` holds every IRI sharing it --------------------


@pytest.mark.parametrize("fmt", RDF_DOCUMENT_FORMATS, ids=lambda f: f.extension)
def test_the_card_holds_every_hash_iri_in_every_format(client: Client, fmt: Format) -> None:
    negotiated = client.get("/card", accept=fmt.media_type)
    explicit = client.get(f"/card.{fmt.extension}")
    assert negotiated.status_code == explicit.status_code == 200
    assert negotiated.headers["content-type"].startswith(fmt.media_type)
    assert negotiated.headers["content-location"] == f"{ORIGIN}card.{fmt.extension}"
    assert "content-location" not in explicit.headers
    assert negotiated.content == explicit.content
    triples = triples_of(explicit.content, fmt, client.get("/context.jsonld").content)
    me, key = n(BASE + "card#i"), n(BASE + "card#key")
    assert ox.Triple(me, ox.NamedNode(FOAF + "name"), ox.Literal("Amal Haddad")) in triples
    assert ox.Triple(me, ox.NamedNode(CERT + "key"), key) in triples
    assert ox.Triple(key, ox.NamedNode(CERT + "exponent"), ox.Literal(65537)) in triples
    card = n(BASE + "card")
    assert ox.Triple(card, ox.NamedNode(FOAF + "maker"), me) in triples
    # Alternates: every other format at its own URL, the generic document as canonical.
    link = negotiated.headers["link"]
    assert f'<{ORIGIN}card>; rel="canonical"' in link
    for other in DOCUMENT_FORMATS:
        if other != fmt:
            assert f"<{ORIGIN}card.{other.extension}>" in link


def test_the_card_says_its_primary_topic_once_as_the_data_does(client: Client) -> None:
    triples = triples_of(client.get("/card.nt").content, RDF_DOCUMENT_FORMATS[2])
    topics = [t.object for t in triples if t.predicate == ox.NamedNode(FOAF + "primaryTopic")]
    assert topics == [n(BASE + "card#i")]
    types = {t.object for t in triples if t.subject == n(BASE + "card")}
    assert ox.NamedNode(FOAF + "PersonalProfileDocument") in types


def test_the_blank_node_of_the_card_comes_with_it(client: Client) -> None:
    quads = parse(client.get("/card.nq").content, ox.RdfFormat.N_QUADS)
    colleague = [q for q in quads if q.object == ox.Literal("A colleague")]
    assert len(colleague) == 1
    blank = colleague[0].subject
    assert isinstance(blank, ox.BlankNode)
    assert any(q.object == blank and q.subject == n(BASE + "card#i") for q in quads)


def test_an_outside_iri_stays_as_it_is_written(client: Client) -> None:
    for ext in ("ttl", "nt", "jsonld", "rdf"):
        body = client.get(f"/card.{ext}").text
        assert HOMEPAGE in body, ext
        assert "amal.example.net" not in body.replace(HOMEPAGE, ""), ext
    html = client.get("/card", accept="text/html").text
    hrefs = lxml.html.fromstring(html).xpath("//a/@href")
    assert HOMEPAGE in hrefs
    assert not any(h != HOMEPAGE and "amal.example.net" in h for h in hrefs)
    # Never dereferenced: the outside IRI's host is not a path of this site.
    assert client.get("/amal.example.net/", accept="text/turtle").status_code == 404


def test_the_card_as_a_page_shows_each_iri_under_its_fragment(client: Client) -> None:
    answer = client.get("/card", accept="text/html", accept_language="en")
    assert answer.status_code == 200
    tree = lxml.html.fromstring(answer.text)
    assert tree.xpath("//section[@id='i']//text()[contains(., 'Amal Haddad')]")
    # the number as a reader writes it (Babel), the lexical form kept in <data value>
    assert tree.xpath("//section[@id='key']//data[@value='65537'][contains(., '65,537')]")
    assert tree.xpath("//section[@id='this']")
    assert "A colleague" in answer.text  # the blank node, described inline
    alternates = tree.xpath("//link[@rel='alternate' and @type='text/turtle']/@href")
    assert alternates == ["/card.ttl"]
    arabic = client.get("/card.html?lang=ar")
    assert arabic.status_code == 200 and "أمل حداد" in arabic.text
    # Links to the namespace's IRIs are the IRIs themselves (on the origin): they dereference.
    hrefs = lxml.html.fromstring(arabic.text).xpath("//a/@href")
    assert f"{ORIGIN}bob" in hrefs
    assert f"{ORIGIN}card#key" in hrefs


# --- slash IRIs: 303 to /doc/ -------------------------------------------------------------


@pytest.mark.parametrize("path", ["bob", "people/carol"])
def test_a_slash_iri_answers_303_to_its_document(client: Client, path: str) -> None:
    for fmt in DOCUMENT_FORMATS:
        answer = client.get(f"/{path}", accept=fmt.media_type)
        assert answer.status_code == 303, (path, fmt.name)
        assert answer.headers["location"] == f"{ORIGIN}doc/{path}.{fmt.extension}"
    document = client.get(f"/doc/{path}.ttl")
    assert document.status_code == 200
    subjects = {t.subject for t in triples_of(document.content, RDF_DOCUMENT_FORMATS[0])}
    assert n(BASE + path) in subjects
    negotiated = client.get(f"/doc/{path}", accept="application/n-triples")
    assert negotiated.headers["content-location"] == f"{ORIGIN}doc/{path}.nt"


def test_a_slash_iri_has_its_page(client: Client) -> None:
    answer = client.get("/bob", accept="text/html")
    assert answer.headers["location"] == f"{ORIGIN}doc/bob.html"
    page = client.get("/doc/bob.html?lang=en")
    assert page.status_code == 200
    tree = lxml.html.fromstring(page.text)
    assert tree.xpath("//h1//text()[contains(., 'Bob Stone')]")
    assert "/doc/bob.ttl" in tree.xpath("//link[@rel='alternate']/@href")
    canonical = tree.xpath("//link[@rel='canonical']/@href")
    assert canonical == [f"{ORIGIN}doc/bob.html?lang=en"]


def test_a_renamed_iri_moves_permanently(client: Client) -> None:
    answer = client.get("/robert", accept="text/turtle")
    assert answer.status_code == 301
    assert answer.headers["location"] == f"{ORIGIN}bob"


# --- a vocabulary at its own namespace ----------------------------------------------------


def test_a_vocabulary_is_served_at_its_namespace(client: Client) -> None:
    answer = client.get("/vocab", accept="text/turtle")
    assert answer.status_code == 200
    assert answer.headers["content-location"] == f"{ORIGIN}vocab.ttl"
    triples = triples_of(answer.content, RDF_DOCUMENT_FORMATS[0])
    widget = n(BASE + "vocab#Widget")
    owl_class = ox.NamedNode("http://www.w3.org/2002/07/owl#Class")
    assert ox.Triple(widget, ox.NamedNode(RDF_TYPE), owl_class) in triples
    assert any(t.subject == n(BASE + "vocab#size") for t in triples)
    page = client.get("/vocab", accept="text/html", accept_language="en")
    assert page.status_code == 200
    assert "Widget" in page.text
    assert client.get("/vocab.jsonld").status_code == 200


def test_a_vocabulary_with_slash_terms_holds_them(client: Client) -> None:
    triples = triples_of(client.get("/terms.ttl").content, RDF_DOCUMENT_FORMATS[0])
    gadget = n(BASE + "terms/Gadget")
    assert ox.Triple(gadget, ox.NamedNode(RDF_TYPE), ox.NamedNode(OWL + "Class")) in triples
    assert client.get("/terms/Gadget").headers["location"] == f"{ORIGIN}doc/terms/Gadget.ttl"
    assert "Gadget" in client.get("/terms", accept="text/html").text


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL = "http://www.w3.org/2002/07/owl#"


# --- what is not served ---------------------------------------------------------------------


def test_an_iri_the_data_does_not_describe_is_a_404(client: Client) -> None:
    problem = client.get("/nobody", accept="application/json")
    assert problem.status_code == 404
    assert f"<{ORIGIN}nobody> is not a resource of this dataset" in problem.json()["detail"]
    page = client.get("/nobody", accept="text/html")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert client.get("/card.unknown", accept="text/turtle").status_code == 404
    assert client.get("/bob.ttl").status_code == 404  # a thing's formats are at /doc/bob.ttl
    assert client.get("/doc/nobody.ttl").status_code == 404
    assert client.request("POST", "/card").status_code in (404, 405)


def test_a_reserved_path_keeps_its_route_and_the_log_says_so(
    client: Client, dataset: Dataset, caplog: pytest.LogCaptureFixture
) -> None:
    health = client.get("/health", accept="application/json")
    assert health.status_code == 200 and health.json()["status"] in ("ok", "starting")
    with caplog.at_level(logging.WARNING):
        hidden = warn_hidden(dataset, Urls(BASE, ORIGIN))
    assert hidden == [BASE + "health"]
    assert f"{ORIGIN}health" in caplog.text
    listing = list_documents(dataset, Urls(BASE, ORIGIN))
    assert listing.hidden == (BASE + "health",)
    assert "health" not in listing.things + listing.documents


def test_every_route_of_the_site_is_a_reserved_path(client: Client) -> None:
    app = create_app(settings(), open_dataset(settings()))
    templates: set[str] = set()
    for route in app.routes:
        inner = getattr(route, "original_router", None)
        for each in inner.routes if inner is not None else [route]:
            path = getattr(each, "path", None)
            if path and path != "/{path:path}":
                templates.add(path)
    assert len(templates) > 15
    for template in templates:
        sample = re.sub(r"\{\w+(?::\w+)?\}", "1", template).lstrip("/")
        assert reserved(sample), template


def test_head_and_options_answer_like_other_documents(client: Client) -> None:
    get = client.get("/card", accept="text/turtle")
    head = client.head("/card", accept="text/turtle")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert (
        client.get("/card", accept="text/turtle", if_none_match=get.headers["etag"]).status_code
        == 304
    )
    for path in ("/card", "/bob", "/vocab"):
        options = client.options(
            path, origin="https://elsewhere.example", access_control_request_method="GET"
        )
        assert options.status_code == 204, path
        assert options.headers["access-control-allow-origin"] == "*"


def test_a_document_claims_no_licence_the_data_does_not_state(client: Client) -> None:
    for path in ("/card.ttl", "/doc/bob.ttl", "/vocab.ttl"):
        assert "license" not in client.get(path).text.lower(), path


# --- the same answers from an on-disk store ------------------------------------------------


def test_an_on_disk_store_answers_the_same(tmp_path: Path, client: Client) -> None:
    folder = tmp_path / "store"
    result = CliRunner().invoke(
        cli,
        ["load", str(FIXTURES), "--base-iri", BASE, "--skip-validation", "--into", str(folder)],
    )
    assert result.exit_code == 0, result.output
    on_disk = open_dataset(settings(store=str(folder), data=[]))
    try:
        disk = Client(create_app(settings(store=str(folder), data=[]), on_disk))
        for path, accept in [
            ("/card", "application/n-quads"),
            ("/vocab", "application/n-quads"),
            ("/doc/bob", "application/n-quads"),
            ("/doc/people/carol", "application/n-quads"),
        ]:
            here, there = client.get(path, accept=accept), disk.get(path, accept=accept)
            assert here.status_code == there.status_code == 200, path
            assert _without_dates(here.content) == _without_dates(there.content), path
        for path in ("/bob", "/robert", "/nobody", "/health"):
            here, there = (
                client.get(path, accept="text/turtle"),
                disk.get(path, accept="text/turtle"),
            )
            assert (here.status_code, here.headers.get("location")) == (
                there.status_code,
                there.headers.get("location"),
            ), path
        assert disk.get("/card", accept="text/html").status_code == 200
    finally:
        if on_disk.catalog is not None:
            on_disk.catalog.close()


def _without_dates(body: bytes) -> ox.Dataset:
    """The document's triples, canonical, without its `dcterms:modified` (the file times)."""
    modified = ox.NamedNode("http://purl.org/dc/terms/modified")
    quads = [q for q in parse(body, ox.RdfFormat.N_QUADS) if q.predicate != modified]
    return as_graph(quads)


def test_listings_name_every_document_once(dataset: Dataset) -> None:
    listing = list_documents(dataset, Urls(BASE, ORIGIN))
    assert listing.things == (
        "bob",
        "people/carol",
        "people/ren%C3%A9e",
        "people/zoë",
        "terms/Gadget",
        "widgets/w1",
    )
    assert listing.documents == ("card", "terms", "vocab")
    assert HTML not in RDF_DOCUMENT_FORMATS


def test_the_static_export_writes_every_document_of_every_shape(
    tmp_path: Path, dataset: Dataset, client: Client
) -> None:
    out = tmp_path / "export"
    summary = export_site(settings(), dataset, out)
    site = out / "site"
    for path in ("card", "vocab", "doc/bob", "doc/people/carol", "doc/widgets/w1"):
        for fmt in RDF_DOCUMENT_FORMATS:
            written = site / f"{path}.{fmt.extension}"
            assert written.read_bytes() == client.get(f"/{path}.{fmt.extension}").content, written
        for lang in ("ar", "en"):
            assert (site / f"{path}.{lang}.html").is_file(), (path, lang)
    assert not (site / "health.ttl").exists()  # a data IRI hidden by a reserved path
    conf = (out / "site.conf").read_text(encoding="utf-8")
    for moved in ("/robert", "/doc/robert", "/doc/robert.ttl"):  # 301, as the live server does
        block = conf[conf.index(f"location = {moved} {{") :].split("}", 1)[0]
        assert f"return 301 {ORIGIN}bob" in block.replace('"', ""), moved
    assert summary.things == 9


def test_a_hash_document_is_sent_compressed_with_its_own_strong_etag(client: Client) -> None:
    plain = client.get("/card.ttl")
    zipped = client.get("/card.ttl", accept_encoding="gzip")
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content  # httpx decodes it
    assert zipped.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'


def test_the_page_language_survives_the_303_and_a_move(client: Client) -> None:
    answer = client.get("/bob?lang=ar", accept="text/html")
    assert answer.headers["location"] == f"{ORIGIN}doc/bob.html?lang=ar"
    moved = client.get("/doc/robert.html?lang=ar")
    assert moved.status_code == 301
    assert moved.headers["location"] == f"{ORIGIN}bob?lang=ar"


@pytest.mark.parametrize(
    ("iri_path", "sent"),
    [("people/zoë", "people/zo%C3%AB"), ("people/ren%C3%A9e", "people/ren%C3%A9e")],
)
def test_iris_beyond_ascii_dereference_as_written_or_encoded(
    client: Client, iri_path: str, sent: str
) -> None:
    answer = client.get(f"/{sent}", accept="text/turtle")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{ORIGIN}doc/{sent}.ttl"
    document = client.get(f"/doc/{sent}.ttl")
    assert document.status_code == 200
    subjects = {t.subject for t in triples_of(document.content, RDF_DOCUMENT_FORMATS[0])}
    assert ox.NamedNode(ORIGIN + iri_path) in subjects
    page = client.get(f"/doc/{sent}", accept="text/html")
    assert page.status_code == 200
    assert page.headers["content-location"] == f"{ORIGIN}doc/{sent}.html"


def test_void_names_the_namespace_and_a_document_that_exists(client: Client) -> None:
    void = parse(
        client.get("/.well-known/void", accept="application/n-triples").content,
        ox.RdfFormat.N_TRIPLES,
    )
    space = [q.object for q in void if q.predicate.value.endswith("#uriSpace")]
    assert space == [ox.Literal(ORIGIN)]
    examples = [q.object for q in void if q.predicate.value.endswith("#exampleResource")]
    assert examples
    for example in examples:
        assert isinstance(example, ox.NamedNode)
        path = example.value[len(ORIGIN) :]
        assert client.get(f"/{path}", accept="text/turtle").status_code in (200, 303), path


def test_the_sitemap_lists_every_document_of_every_shape(client: Client) -> None:
    sitemap = client.get("/sitemap.xml").text
    for path in ("card.html", "vocab.html", "doc/bob.html", "doc/people/carol.html"):
        assert f"<loc>{ORIGIN}{path}?lang=en</loc>" in sitemap, path
    assert f"{ORIGIN}health.html" not in sitemap and f"{ORIGIN}robert" not in sitemap


def test_warming_renders_every_document_of_every_shape(dataset: Dataset) -> None:
    reps = Representations(dataset, Urls(BASE, ORIGIN))
    reps.warm()
    for path in ("card", "people/carol"):
        key = page_document_key(path, TURTLE) if path == "card" else document_key(path, TURTLE)
        assert reps.cached(key) is not None, path
    assert reps.cached(ontology_key(BASE + "vocab", TURTLE)) is not None


def test_a_store_without_its_catalog_yet_is_unavailable_not_missing(dataset: Dataset) -> None:
    waiting = dataclasses.replace(dataset, catalog=None)  # a remote store not answering yet
    answer = Client(create_app(settings(), waiting)).get("/card", accept="text/turtle")
    assert answer.status_code == 503
    assert "retry-after" in answer.headers


def test_a_slash_iri_that_ends_like_a_format_has_its_canonical_document(tmp_path: Path) -> None:
    """`{base}notes.ttl` (nothing named `notes`): `/notes.ttl` answers 303 to
    `/doc/notes.ttl.html`, whose canonical `/doc/notes.ttl` answers too (it was a 404)."""
    base = "https://example.org/n/"
    data = tmp_path / "n.ttl"
    data.write_text(
        f'<{base}notes.ttl> <http://www.w3.org/2000/01/rdf-schema#label> "Notes" .\n',
        encoding="utf-8",
    )
    settings = Settings(
        base_iri=base,
        public_origin="http://127.0.0.1:8000/",
        data=[str(data)],
        ontology=[],
        shapes=[],
    )
    notes = Client(create_app(settings, open_dataset(settings)))
    moved = notes.get("/notes.ttl", accept="text/html")
    assert moved.status_code == 303
    assert moved.headers["location"] == "http://127.0.0.1:8000/doc/notes.ttl.html"
    page = notes.get("/doc/notes.ttl.html", accept="text/html")
    assert page.status_code == 200 and "Notes" in page.text
    canonical = notes.get("/doc/notes.ttl", accept="text/turtle")
    assert canonical.status_code == 200 and "Notes" in canonical.text
    assert notes.get("/doc/nothing.ttl", accept="text/turtle").status_code == 404


def test_the_collision_check_reads_index_ranges_yet_finds_what_a_full_scan_finds(
    tmp_path: Path,
) -> None:
    """`warn_hidden` reads only the ranges of the reserved paths; every shape of colliding
    path (a prefix, a whole path, the patterns) is found, and look-alikes are not."""
    paths = [
        *("dumps/x", "doc/y", "static/z", "api/q", "reconcile/r", ".well-known/w", "classes/c"),
        *("sparql", "health", "void", "void.ttl", "validation.json", "sitemap-3.xml"),
        *("sparqlish", "voids", "sitemap-x.xml", "health/more", "docs/a", "people/dana"),
        *("id/thing", "def/vocab"),
    ]
    data = tmp_path / "collide.nt"
    data.write_text("".join(f'<{BASE}{p}> <{FOAF}name> "{p}" .\n' for p in paths), encoding="utf-8")
    opened = open_dataset(settings(data=[str(data)]))
    try:
        urls = Urls(BASE, ORIGIN)
        assert opened.catalog is not None
        scan = [d for d in opened.catalog.documents() if hidden(urls, d)]
        found = warn_hidden(opened, urls)
    finally:
        if opened.catalog is not None:
            opened.catalog.close()
    assert found == scan
    assert {d[len(BASE) :] for d in found} == {
        *("dumps/x", "doc/y", "static/z", "api/q", "reconcile/r", ".well-known/w", "classes/c"),
        *("sparql", "health", "void", "void.ttl", "validation.json", "sitemap-3.xml"),
    }
