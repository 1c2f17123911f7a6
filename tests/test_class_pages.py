"""Class pages: every class with its count, a class's instances 100 a page, sorted by label in
the reader's language (else English, else any, unlabelled last), linked without query strings
from page to page (`rel="prev"`/`"next"` in the head and in a Link header), 404s that say why.

The datasets are written by the tests: 250 people labelled in French and English, a handful
labelled in one language or none, and a class whose IRI fits no prefix (a digest key).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from ld_support import Client
from lxml import html as lxml_html

from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.export.build import export_site
from publisher.pages.classes import DIGEST_PREFIX, PAGE_SIZE, class_key, pager
from publisher.prefixes import PrefixTable
from publisher.stores import open_dataset
from publisher.web.app import create_app

BASE = "https://data.example.org/people/"
ORIGIN = "http://127.0.0.1:8765/"
WEIRD = "https://vocab.example.org/odd/Weird%20Class"
WEIRD_KEY = DIGEST_PREFIX + hashlib.sha256(WEIRD.encode()).hexdigest()[:16]
FOAF = "http://xmlns.com/foaf/0.1/"
PEOPLE = 250


def people_turtle(people: int = PEOPLE) -> str:
    lines = [
        f"@prefix foaf: <{FOAF}> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix ex: <https://vocab.example.org/ns#> .",
    ]
    for i in range(people):  # numbered backwards in French: the two orders differ
        lines.append(
            f'<{BASE}p{i:03d}> a foaf:Person ; rdfs:label "Personne {people - i:03d}"@fr, '
            f'"Person {i:03d}"@en ; foaf:knows <{BASE}p000> .'
        )
    lines += [
        f'<{BASE}s1> a ex:Sample ; rdfs:label "Zèbre"@fr, "Zebra"@en, "حمار وحشي"@ar .',
        f'<{BASE}s2> a ex:Sample ; rdfs:label "Apple"@en .',  # English only
        f'<{BASE}s3> a ex:Sample ; rdfs:label "Mango" .',  # no language
        f"<{BASE}s4> a ex:Sample .",  # no label: last
        f'<{BASE}s5> a ex:Sample ; rdfs:label "بطيخ"@ar .',  # Arabic only
        f'<{BASE}card#i> a <{WEIRD}> ; rdfs:label "Moi"@fr .',
    ]
    return "\n".join(lines) + "\n"


def settings_for(path: Path) -> Settings:
    return Settings(base_iri=BASE, public_origin=ORIGIN, data=[str(path)], ontology=[], shapes=[])


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Client, Dataset]]:
    path = tmp_path_factory.mktemp("people") / "people.ttl"
    path.write_text(people_turtle(), encoding="utf-8")
    settings = settings_for(path)
    dataset = open_dataset(settings)
    yield Client(create_app(settings, dataset)), dataset


def page(client: Client, url: str) -> lxml_html.HtmlElement:
    answer = client.get(url, accept="text/html")
    assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
    return lxml_html.fromstring(answer.content)


def instances(tree: lxml_html.HtmlElement) -> list[tuple[str, str, str | None]]:
    """(href, label, lang) of each instance listed on a class page."""
    return [
        (a.get("href"), a.text_content(), a.find("bdi").get("lang"))
        for a in tree.xpath("//ol[@class='instances']/li/a")
    ]


# --- keys ------------------------------------------------------------------------------------


def test_a_class_key_is_its_curie_else_a_digest_of_its_iri() -> None:
    ns = PrefixTable({"foaf": FOAF, "ex": "https://vocab.example.org/ns#"}, {})
    assert class_key(FOAF + "Person", ns) == "foaf:Person"
    assert class_key(WEIRD, ns) == WEIRD_KEY  # no prefix fits
    assert class_key(FOAF + "odd name", ns).startswith(DIGEST_PREFIX)  # not a plain name
    assert class_key(FOAF + "..", ns).startswith(DIGEST_PREFIX)  # never a path step
    assert ":" not in WEIRD_KEY and len(WEIRD_KEY) == len(DIGEST_PREFIX) + 16


def test_the_pager_links_the_ends_and_the_neighbours() -> None:
    items = pager(10, 30, lambda n: f"/p/{n}")
    assert [i.number for i in items] == [1, 7, 8, 9, 10, 11, 12, 13, 30]
    assert [i.gap_before for i in items][:2] == [False, True]
    assert next(i for i in items if i.number == 10).href is None  # the current page
    assert pager(1, 1, str) == []


# --- the list of classes ---------------------------------------------------------------------


def test_classes_are_listed_with_their_counts(people: tuple[Client, Dataset]) -> None:
    client, _ = people
    tree = page(client, "/classes?lang=en")
    rows = {
        row.xpath("string(td[1]/a/@href)"): row.xpath("string(td[2])")
        for row in tree.xpath("//table[contains(@class, 'classes')]/tbody/tr")
    }
    assert rows == {
        "/classes/foaf:Person?lang=en": str(PEOPLE),
        "/classes/ex:Sample?lang=en": "5",
        f"/classes/{WEIRD_KEY}?lang=en": "1",
    }


def test_a_class_outside_any_prefix_has_a_digest_key_that_works(
    people: tuple[Client, Dataset],
) -> None:
    client, _ = people
    listed = instances(page(client, f"/classes/{WEIRD_KEY}?lang=fr"))
    assert listed == [(f"{ORIGIN}card#i", "Moi", "fr")]  # links where the IRI dereferences


# --- paging ----------------------------------------------------------------------------------


def test_pages_cover_every_instance_once_in_label_order(people: tuple[Client, Dataset]) -> None:
    client, _ = people
    for lang, word in (("en", "Person"), ("fr", "Personne")):
        seen: list[tuple[str, str, str | None]] = []
        for url in (
            f"/classes/foaf:Person?lang={lang}",
            *(f"/classes/foaf:Person/{n}?lang={lang}" for n in (2, 3)),
        ):
            seen += instances(page(client, url))
        assert len(seen) == PEOPLE == len({href for href, _, _ in seen})
        labels = [label for _, label, _ in seen]
        assert labels == sorted(labels) and all(label.startswith(word) for label in labels)
        assert {tag for _, _, tag in seen} == {lang}
    first = instances(page(client, "/classes/foaf:Person?lang=fr"))
    assert len(first) == PAGE_SIZE and first[0][0] == f"{ORIGIN}p249"  # "Personne 001"


def test_next_and_prev_are_in_the_head_and_the_link_header(
    people: tuple[Client, Dataset],
) -> None:
    client, _ = people
    expected = {
        "/classes/foaf:Person?lang=en": {"next": "/classes/foaf:Person/2?lang=en"},
        "/classes/foaf:Person/2?lang=en": {
            "prev": "/classes/foaf:Person?lang=en",
            "next": "/classes/foaf:Person/3?lang=en",
        },
        "/classes/foaf:Person/3?lang=en": {"prev": "/classes/foaf:Person/2?lang=en"},
        "/classes/ex:Sample?lang=en": {},
    }
    for url, rels in expected.items():
        answer = client.get(url, accept="text/html")
        tree = lxml_html.fromstring(answer.content)
        head = {link.get("rel"): link.get("href") for link in tree.xpath("//head/link")}
        assert {rel: head[rel] for rel in ("prev", "next") if rel in head} == rels
        header = dict(
            (rel, target.removeprefix(ORIGIN.rstrip("/")))
            for target, rel in re.findall(r'<([^>]*)>; rel="(\w+)"', answer.headers.get("link", ""))
        )
        assert header == rels
        if rels:
            assert answer.headers["content-language"] == "en"


def test_past_the_end_and_unknown_classes_are_404s_that_say_why(
    people: tuple[Client, Dataset],
) -> None:
    client, _ = people
    answer = client.get("/classes/foaf:Person/4", accept="application/json")
    assert answer.status_code == 404
    detail = json.loads(answer.text)["detail"]
    assert "250 instances on 3 page(s)" in detail and "no page 4" in detail
    for url in ("/classes/foaf:Nobody", "/classes/foaf:Person/0", "/classes/foaf:Person/x"):
        assert client.get(url, accept="application/json").status_code == 404, url
    assert client.get("/classes/nope", accept="text/html").status_code == 404  # a page


def test_page_one_has_one_url(people: tuple[Client, Dataset]) -> None:
    client, _ = people
    for url in ("/classes/foaf:Person/1?lang=fr", "/classes/foaf:Person/01?lang=fr"):
        answer = client.get(url)
        assert answer.status_code == 301
        assert answer.headers["location"] == f"{ORIGIN}classes/foaf:Person?lang=fr"


def test_a_class_page_is_rendered_once_per_language(people: tuple[Client, Dataset]) -> None:
    client, _ = people
    first = client.get("/classes/ex:Sample?lang=ar", accept="text/html")
    again = client.get("/classes/ex:Sample?lang=ar", accept="text/html")
    assert first.headers["etag"] == again.headers["etag"]
    assert first.headers["etag"] != client.get("/classes/ex:Sample?lang=en").headers["etag"]
    revalidated = client.get("/classes/ex:Sample?lang=ar", if_none_match=first.headers["etag"])
    assert revalidated.status_code == 304


# --- sorting by label in the reader's language -----------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        # English: its own labels, then the untagged one, unlabelled last
        ("en", [("s2", "Apple", "en"), ("s3", "Mango", None), ("s1", "Zebra", "en"),
                ("s5", "بطيخ", "ar"), ("s4", "s4", None)]),
        # French: "Zèbre", then the English fallback, then the untagged, then any
        ("fr", [("s2", "Apple", "en"), ("s3", "Mango", None), ("s1", "Zèbre", "fr"),
                ("s5", "بطيخ", "ar"), ("s4", "s4", None)]),
        # Arabic: Arabic labels sort after Latin ones (code point order)
        ("ar", [("s2", "Apple", "en"), ("s3", "Mango", None), ("s5", "بطيخ", "ar"),
                ("s1", "حمار وحشي", "ar"), ("s4", "s4", None)]),
    ],
)  # fmt: skip
def test_instances_sort_by_label_in_the_readers_language_with_fallbacks(
    people: tuple[Client, Dataset], lang: str, expected: list[tuple[str, str, str | None]]
) -> None:
    client, _ = people
    listed = instances(page(client, f"/classes/ex:Sample?lang={lang}"))
    assert [(href.rsplit("/", 1)[-1], label, tag) for href, label, tag in listed] == expected


# --- the embedded dataset --------------------------------------------------------------------


@pytest.fixture(scope="module")
def gcm(settings: Settings, dataset: Dataset) -> tuple[Client, Dataset]:
    """The shipped dataset as served (conftest's session fixtures)."""
    return Client(create_app(settings, dataset)), dataset


def test_the_gcm_home_page_lists_its_classes_linking_their_pages(
    gcm: tuple[Client, Dataset],
) -> None:
    client, dataset = gcm
    assert dataset.catalog is not None
    for lang in ("ar", "en"):
        tree = page(client, f"/?lang={lang}")
        assert tree.get("lang") == lang
        section = tree.xpath("//section[@aria-labelledby='h-classes']")[0]
        counts = [int(td.text_content()) for td in section.xpath(".//td[@class='num']")]
        assert counts == [c.instances for c in dataset.catalog.classes()][: len(counts)]
        hrefs = section.xpath(".//td[1]/a/@href")
        assert hrefs and all(h.startswith("/classes/") for h in hrefs)
        assert page(client, hrefs[0]).xpath("//ol[@class='instances']/li")  # it answers
        switch = tree.xpath("//nav[@class='langs']//a/@hreflang")
        assert switch == ["ar", "en"]  # the GCM's page languages, as before
        assert tree.xpath("//section[@aria-labelledby='h-types']")  # its content stays
        # it has shapes: its report is linked
        assert tree.xpath(f"//a[@href='/validation?lang={lang}']")


# --- the static export -----------------------------------------------------------------------


def test_every_class_page_is_exported_as_a_file(tmp_path: Path) -> None:
    path = tmp_path / "people.ttl"
    path.write_text(people_turtle(PAGE_SIZE + 1), encoding="utf-8")  # two pages of people
    settings = settings_for(path).model_copy(update={"dump_dir": str(tmp_path / "dumps")})
    dataset = open_dataset(settings)
    out = tmp_path / "out"
    export_site(settings, dataset, out)
    site = out / "site" / "_pages"
    for name in ("classes", "class/foaf:Person/1", "class/foaf:Person/2", f"class/{WEIRD_KEY}/1"):
        for lang in ("ar", "en"):
            assert (site / f"{name}.{lang}.html").is_file(), (name, lang)
    assert not (site / "class/foaf:Person/3.en.html").exists()
    client = Client(create_app(settings, dataset))
    written = (site / "class/foaf:Person/2.en.html").read_bytes()
    assert written == client.get("/classes/foaf:Person/2?lang=en", accept="text/html").content
    config = (out / "site.conf").read_text()
    assert "location = /classes/foaf:Person/2 {" in config
    assert "try_files /_pages/class/foaf:Person/2.$pub_page_lang.html =404;" in config


def test_without_a_catalog_yet_class_pages_say_try_again(people: tuple[Client, Dataset]) -> None:
    _, dataset = people
    waiting = replace(dataset, catalog=None)  # a remote store that has not answered yet
    client = Client(create_app(settings_for(Path(dataset.sources.data[0])), waiting))
    for url in ("/classes", "/classes/foaf:Person", "/classes/foaf:Person/2"):
        answer = client.get(url, accept="application/json")
        assert answer.status_code == 503, url
        assert "catalog" in json.loads(answer.text)["detail"]
    assert client.get("/?lang=en", accept="text/html").status_code == 200  # the rest shows
