"""The home page of any dataset leads everywhere that exists, and nowhere else.

A dataset written here (no shapes, no ontology, labels in French and English, a few in Arabic)
gets: no link to a validation report or an ontology; its classes and most linked resources on
the home page, every instance of every class one click further; pages in French whose data is
French and whose interface words are English, each piece marked with its own `lang` and `dir`.
The library dataset of tests/fixtures/any-dataset (shapes and an ontology) links both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ld_support import Client
from lxml import html as lxml_html

from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.i18n import choose_language, interface_language, page_languages
from publisher.stores import open_dataset
from publisher.web.app import create_app

BASE = "https://data.example.org/atlas/"
ORIGIN = "http://127.0.0.1:8765/"
ANY = Path(__file__).resolve().parent / "fixtures" / "any-dataset"

ATLAS = f"""
@prefix schema: <https://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix geo: <https://vocab.example.org/geo#> .
<{BASE}city/paris> a schema:City ; rdfs:label "Paris"@fr, "Paris"@en ;
    schema:containedInPlace <{BASE}country/fr> .
<{BASE}city/lyon> a schema:City ; rdfs:label "Lyon"@fr, "Lyons"@en ;
    schema:containedInPlace <{BASE}country/fr> .
<{BASE}city/geneve> a schema:City ; rdfs:label "Genève"@fr, "Geneva"@en ;
    schema:containedInPlace <{BASE}country/ch> .
<{BASE}city/rabat> a schema:City ; rdfs:label "Rabat"@fr, "الرباط"@ar ;
    schema:containedInPlace <{BASE}country/ma> .
<{BASE}country/fr> a schema:Country ; rdfs:label "France"@fr, "France"@en .
<{BASE}country/ch> a schema:Country ; rdfs:label "Suisse"@fr, "Switzerland"@en .
<{BASE}country/ma> a schema:Country ; rdfs:label "Maroc"@fr, "المغرب"@ar ;
    schema:sameAs <https://www.wikidata.org/wiki/Q1028> .
<{BASE}river/rhone> a geo:River ; rdfs:label "Rhône"@fr, "Rhone"@en ;
    geo:flowsThrough <{BASE}city/lyon>, <{BASE}city/geneve>, <{BASE}country/fr>,
        <{BASE}country/ch> .
"""


@pytest.fixture(scope="module")
def atlas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Client, Dataset]]:
    path = tmp_path_factory.mktemp("atlas") / "atlas.ttl"
    path.write_text(ATLAS, encoding="utf-8")
    settings = Settings(
        base_iri=BASE, public_origin=ORIGIN, data=[str(path)], ontology=[], shapes=[]
    )
    dataset = open_dataset(settings)
    yield Client(create_app(settings, dataset)), dataset


def page(client: Client, url: str, **headers: str) -> lxml_html.HtmlElement:
    answer = client.get(url, accept="text/html", **headers)
    assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
    return lxml_html.fromstring(answer.content)


def hrefs(tree: lxml_html.HtmlElement) -> list[str]:
    return [str(h) for h in tree.xpath("//a/@href")]


# --- nothing is linked that does not exist ---------------------------------------------------


def test_no_shapes_no_report_link(atlas: tuple[Client, Dataset]) -> None:
    client, _ = atlas
    assert client.get("/validation", accept="text/turtle").status_code == 404
    for url in ("/?lang=en", "/?lang=fr", "/classes?lang=en", "/classes/schema:City?lang=fr"):
        assert not [h for h in hrefs(page(client, url)) if h.startswith("/validation")], url
    void = client.get("/void.html")
    assert void.status_code == 200 and 'href="/validation' not in void.text


def test_no_ontology_no_ontology_link(atlas: tuple[Client, Dataset]) -> None:
    client, _ = atlas
    tree = page(client, "/?lang=en")
    assert not [h for h in hrefs(tree) if h.startswith("/def/")]
    assert "Ontology" not in tree.xpath("string(//nav[@class='main-nav'])")
    assert "Concepts" not in tree.xpath("string(//nav[@class='main-nav'])")  # no SKOS scheme


def test_a_dataset_with_shapes_and_an_ontology_links_both() -> None:
    settings = Settings(
        base_iri="https://data.example.org/library/",
        public_origin=ORIGIN,
        data=[str(ANY / "data")],
        ontology=[str(ANY / "ontology")],
        shapes=[str(ANY / "shapes")],
    )
    client = Client(create_app(settings, open_dataset(settings)))
    links = hrefs(page(client, "/?lang=en"))
    assert "/validation?lang=en" in links
    assert [h for h in links if h.startswith("/def/")]


# --- everything is reachable -----------------------------------------------------------------


def test_every_class_and_instance_is_two_clicks_from_home(atlas: tuple[Client, Dataset]) -> None:
    client, dataset = atlas
    assert dataset.catalog is not None
    home = page(client, "/?lang=en")
    class_pages = [h for h in hrefs(home) if h.startswith("/classes/")]
    assert len(class_pages) == len(dataset.catalog.classes()) == 3
    reached: set[str] = set()
    for href in class_pages:
        reached |= set(page(client, href).xpath("//ol[@class='instances']/li/a/@href"))
    typed = {iri for c in dataset.catalog.classes() for iri in _instances(dataset, c.iri)}
    assert reached == {ORIGIN + iri.removeprefix(BASE) for iri in typed}


def _instances(dataset: Dataset, class_iri: str) -> list[str]:
    assert dataset.catalog is not None
    return [e.iri for e in dataset.catalog.instances(class_iri, "en", 0, 1000)]


def test_the_most_linked_are_on_the_home_page(atlas: tuple[Client, Dataset]) -> None:
    client, dataset = atlas
    assert dataset.catalog is not None
    home = page(client, "/?lang=en")
    listed = home.xpath("//section[@aria-labelledby='h-linked']//li/a/@href")
    expected = [ORIGIN + e.iri.removeprefix(BASE) for e in dataset.catalog.most_linked(24, "en")]
    assert listed == expected
    assert listed[0] == f"{ORIGIN}country/fr"  # three cities' and the river's links: 3
    assert "https://www.wikidata.org/wiki/Q1028" not in listed  # outside the namespace


# --- the data's languages --------------------------------------------------------------------


def test_pages_are_offered_in_the_datas_languages(atlas: tuple[Client, Dataset]) -> None:
    client, _ = atlas
    tree = page(client, "/?lang=fr")
    switch = tree.xpath("//nav[@class='langs']//a")
    assert [a.get("hreflang") for a in switch] == ["fr", "en", "ar"]  # most labels first
    assert [a.text_content() for a in switch] == ["Français", "English", "العربية"]
    assert [a.get("dir") for a in switch] == ["ltr", "ltr", "rtl"]
    alternates = tree.xpath("//head/link[@rel='alternate'][@hreflang]/@hreflang")
    assert alternates == ["fr", "en", "ar", "x-default"]
    assert client.get("/?lang=fr", accept="text/html").headers["content-language"] == "fr"
    chosen = client.get("/", accept="text/html", accept_language="fr-CH, de;q=0.5")
    assert chosen.headers["content-language"] == "fr"
    assert client.get("/?lang=de").headers["content-language"] == "en"  # the default


def test_a_french_page_shows_french_data_with_english_interface_words(
    atlas: tuple[Client, Dataset],
) -> None:
    client, _ = atlas
    tree = page(client, "/classes/schema:City?lang=fr")
    assert tree.get("lang") == "en" and tree.get("dir") == "ltr"  # the interface's words
    assert tree.xpath("string(//nav[@class='main-nav']//a[@aria-current='page'])") == "Classes"
    labels = {
        a.xpath("string(bdi)"): (a.find("bdi").get("lang"), a.find("bdi").get("dir"))
        for a in tree.xpath("//ol[@class='instances']/li/a")
    }
    assert labels == {
        "Genève": ("fr", "ltr"),
        "Lyon": ("fr", "ltr"),
        "Paris": ("fr", "ltr"),
        "Rabat": ("fr", "ltr"),
    }
    english = page(client, "/classes/schema:City?lang=en")
    shown = [
        (a.xpath("string(bdi)"), a.find("bdi").get("lang"), a.find("bdi").get("dir"))
        for a in english.xpath("//ol[@class='instances']/li/a")
    ]
    assert shown == [  # sorted by the English label; Rabat's French one is its fallback
        ("Geneva", "en", "ltr"),
        ("Lyons", "en", "ltr"),
        ("Paris", "en", "ltr"),
        ("Rabat", "fr", "ltr"),
    ]
    arabic = page(client, "/classes/schema:Country?lang=ar")
    assert arabic.get("lang") == "ar" and arabic.get("dir") == "rtl"
    morocco = arabic.xpath("//ol[@class='instances']/li/a/bdi[@lang='ar']")
    assert [(b.text_content(), b.get("dir")) for b in morocco] == [("المغرب", "rtl")]


def test_a_french_home_page_marks_its_pieces(atlas: tuple[Client, Dataset]) -> None:
    client, _ = atlas
    tree = page(client, "/?lang=fr")
    assert tree.get("lang") == "en"
    assert tree.xpath("string(//h2[@id='h-classes'])") == "Classes"
    linked = tree.xpath("//section[@aria-labelledby='h-linked']//li/a/bdi")
    assert [(b.text_content(), b.get("lang")) for b in linked][:1] == [("France", "fr")]
    assert "Get the data" in tree.xpath("string(//h2[@id='h-get'])")


def test_page_languages_come_from_the_data() -> None:
    assert page_languages(("ar", "en")) == ("ar", "en")  # stated: as stated
    assert page_languages((), ("fr-CA", "fr", "en", "EN-gb", "x-klingon")) == ("fr", "en")
    assert page_languages((), ()) == ("ar", "en")  # nothing known: the interface's own
    assert choose_language("fr", None, "en", ("fr", "en")) == "fr"
    assert choose_language("ar", None, "en", ("fr", "en")) == "en"  # not offered: ignored
    assert choose_language(None, "de, fr;q=0.4", "en", ("fr",)) == "fr"
    assert interface_language("fr") == "en" and interface_language("ar") == "ar"


def test_data_without_types_has_no_class_pages(tmp_path: Path) -> None:
    path = tmp_path / "plain.ttl"
    path.write_text(f'<{BASE}a> <{BASE}knows> <{BASE}b> .\n<{BASE}b> <{BASE}name> "B" .\n')
    settings = Settings(
        base_iri=BASE, public_origin=ORIGIN, data=[str(path)], ontology=[], shapes=[]
    )
    client = Client(create_app(settings, open_dataset(settings)))
    home = page(client, "/?lang=en")
    assert not [h for h in hrefs(home) if h.startswith("/classes")]
    assert client.get("/classes", accept="application/json").status_code == 404
    linked = home.xpath("//section[@aria-labelledby='h-linked']//li/a/@href")
    assert linked == [f"{ORIGIN}b"]  # still a way in: the most linked


def test_the_sitemap_and_the_export_follow_the_datas_languages(
    atlas: tuple[Client, Dataset], tmp_path: Path
) -> None:
    from publisher.export.build import export_site

    client, dataset = atlas
    sitemap = client.get("/sitemap.xml").text
    assert "?lang=fr" in sitemap and "?lang=ar" in sitemap
    settings = Settings(base_iri=BASE, public_origin=ORIGIN, data=[], ontology=[], shapes=[])
    export_site(settings, dataset, tmp_path / "out")
    written = {p.name for p in (tmp_path / "out").rglob("*.html")}
    assert {"index.fr.html", "sparql.fr.html", "404.fr.html"} <= written
    assert any(name.endswith(".fr.html") for name in written if name.startswith("paris"))
