"""The HTML pages, in process: language choice, labels, sources, queries, links, JSON-LD.

Run against the repository's dataset, served on a public origin different from the canonical
base IRI, so that every IRI a page shows must have gone through the rewriting.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from urllib.parse import parse_qs, urldefrag, urlsplit

import lxml.html
import pyoxigraph as ox
import pytest
from starlette.exceptions import StarletteDeprecationWarning

from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.documents.describe import thing_paths
from publisher.formats import RDF_DOCUMENT_FORMATS
from publisher.pages.index import SCHEMES_QUERY
from publisher.pages.queries import namespaces, runnable, select
from publisher.pages.render import render_not_found_page, render_resource_page
from publisher.pages.resource import FACTS_QUERY, INCOMING_QUERY
from publisher.pages.resource_views import (
    ARTICLE_QUERY,
    GRAPH_QUERY,
    PASSAGE_QUERY,
    PASSAGE_STATEMENTS_QUERY,
)
from publisher.profile import read_sections
from publisher.urls import Urls
from publisher.web.app import create_app

with warnings.catch_warnings():
    # Starlette 1.x asks for `httpx2`; the `httpx` it warns about works the same for these tests.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

BASE = "https://w3id.org/gcm-arab-review/"
ORIGIN = "http://127.0.0.1:8000/"
DASHTI = "/doc/person/rola-dashti.html"
BOURITA = "/doc/person/nasser-bourita.html"
ARTICLE = "/doc/article/gcm-arab-regional-review-report.html"
CONFERENCE = "/doc/event/gcm-arab-regional-review-conference-2021.html"
HTML_ACCEPT = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(scope="module")
def urls(settings: Settings) -> Urls:
    return Urls(settings.base_iri, settings.origin)


@pytest.fixture(scope="module")
def client(settings: Settings, dataset: Dataset) -> Iterator[TestClient]:
    assert settings.origin == ORIGIN and settings.base_iri == BASE
    with TestClient(create_app(settings, dataset)) as test_client:
        yield test_client


def get(client: TestClient, url: str, **headers: str) -> lxml.html.HtmlElement:
    response = client.get(url, headers={**HTML_ACCEPT, **headers})
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    return lxml.html.fromstring(response.text)


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def columns(
    table: lxml.html.HtmlElement, row: lxml.html.HtmlElement
) -> dict[str, lxml.html.HtmlElement]:
    """A row's cells by their column's header (a phone shows the same words: `data-label`)."""
    headers = [text(th) for th in table.xpath("./thead/tr/th")]
    cells = row.xpath("./th|./td")
    assert [c.get("data-label") for c in cells] == headers
    return dict(zip(headers, cells, strict=True))


def cited(
    tree: lxml.html.HtmlElement, element: lxml.html.HtmlElement
) -> list[lxml.html.HtmlElement]:
    """The entries of the page's numbered source list that `element` cites ("[n]")."""
    entries = []
    for href in element.xpath(".//a[@class='cite']/@href"):
        (entry,) = tree.xpath(f"//ol[@class='citations']/li[@id='{href.removeprefix('#')}']")
        entries.append(entry)
    return entries


def jsonld(tree: lxml.html.HtmlElement) -> dict:
    (script,) = tree.xpath("//head/script[@type='application/ld+json']")
    return json.loads(script.text)


# ---------------------------------------------------------------------------------------------
# Language
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "accept_language", "lang", "direction"),
    [
        ("", None, "en", "ltr"),  # the configured default
        ("?lang=ar", None, "ar", "rtl"),
        ("", "ar-EG,ar;q=0.9,en;q=0.5", "ar", "rtl"),
        ("?lang=en", "ar", "en", "ltr"),  # ?lang= wins over the header
        ("?lang=xx", "ar", "ar", "rtl"),  # an unknown ?lang= is ignored
    ],
)
@pytest.mark.parametrize("path", ["/", DASHTI, "/concepts", "/def/gcmr"])
def test_language_choice(
    client: TestClient,
    path: str,
    query: str,
    accept_language: str | None,
    lang: str,
    direction: str,
) -> None:
    headers = {**HTML_ACCEPT, **({"Accept-Language": accept_language} if accept_language else {})}
    response = client.get(path + query, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-language"] == lang
    assert "Accept-Language" in response.headers["vary"]
    root = lxml.html.fromstring(response.text)
    assert (root.get("lang"), root.get("dir")) == (lang, direction)


@pytest.mark.parametrize("path", ["/", DASHTI, ARTICLE, "/concepts", "/def/gcmr.html"])
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_switch_hreflang_and_canonical(client: TestClient, path: str, lang: str) -> None:
    tree = get(client, f"{path}?lang={lang}")
    switch = {a.get("hreflang"): a for a in tree.xpath("//nav[@class='langs']//a")}
    assert set(switch) == {"ar", "en"}
    assert switch[lang].get("aria-current") == "true"
    for code, link in switch.items():
        assert link.get("href") == f"{path}?lang={code}"
        assert link.get("lang") == code
    alternates = {
        link.get("hreflang"): link.get("href")
        for link in tree.xpath("//head/link[@rel='alternate'][@hreflang]")
    }
    assert alternates == {
        "ar": f"{ORIGIN}{path[1:]}?lang=ar",
        "en": f"{ORIGIN}{path[1:]}?lang=en",
        "x-default": f"{ORIGIN}{path[1:]}",
    }
    (canonical,) = tree.xpath("//head/link[@rel='canonical']/@href")
    assert canonical == f"{ORIGIN}{path[1:]}?lang={lang}"


# ---------------------------------------------------------------------------------------------
# The home page
# ---------------------------------------------------------------------------------------------


def test_home_links_everywhere_a_reader_needs(client: TestClient) -> None:
    tree = get(client, "/?lang=en")
    hrefs = {urlsplit(h).path for h in tree.xpath("//main//a/@href")}
    for needed in ("/dumps/", "/sparql", "/.well-known/void", "/validation", "/concepts"):
        assert needed in hrefs, needed
    assert "/def/gcmr" in hrefs or "/def/gcmr.html" in hrefs
    for person in ("rola-dashti", "nasser-bourita", "antonio-vitorino", "ahmed-aboul-gheit"):
        assert f"/doc/person/{person}.html" in hrefs
    assert ARTICLE in hrefs and CONFERENCE in hrefs
    counts = [text(dd) for dd in tree.xpath("//dl[@class='counts']//dd")]
    assert all(c.isdigit() and int(c) > 0 for c in counts) and len(counts) == 3


def test_home_dataset_jsonld(client: TestClient) -> None:
    doc = jsonld(get(client, "/"))
    assert doc["@type"] == "Dataset"
    assert doc["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert {n["@language"] for n in doc["name"]} == {"ar", "en"}
    assert {d["@language"] for d in doc["description"]} == {"ar", "en"}
    downloads = [d for d in doc["distribution"] if d["contentUrl"].startswith(ORIGIN + "dumps/")]
    assert len(downloads) >= 3
    for download in downloads:
        assert download["@type"] == "DataDownload" and download["encodingFormat"]
        response = client.get(urlsplit(download["contentUrl"]).path)
        assert response.status_code == 200, download


# ---------------------------------------------------------------------------------------------
# Resource pages
# ---------------------------------------------------------------------------------------------


def test_person_page_shows_posts_and_statements_with_their_sentences(client: TestClient) -> None:
    tree = get(client, DASHTI + "?lang=en")
    assert text(tree.xpath("//h1")[0]) == "Rola Dashti"
    (table,) = tree.xpath("//table[contains(@class, 'section-statements')]")
    (statement,) = table.xpath("./tbody/tr")
    cells = columns(table, statement)
    # the speaker is the page's own person on every row: the column is not repeated
    assert "Speaker" not in cells
    quotes = [li.xpath(".//*[@lang]")[0] for li in cells["Reported text"].xpath(".//li")]
    assert [(q.get("lang"), q.get("dir")) for q in quotes] == [("ar", "rtl"), ("ar", "rtl")]
    assert any(text(q).startswith("وفي كلمة بالمناسبة، شددت رولا دشتي") for q in quotes)
    sources = [a for entry in cited(tree, statement) for a in entry.xpath("./a/@href")]
    assert f"{ARTICLE}?lang=en#s04" in sources and f"{ARTICLE}?lang=en#s05" in sources
    assert "sentence 4 of the article" in [
        text(e).split(" facts")[0] for e in cited(tree, statement)
    ]
    # one English summary per reporting sentence, in the order of the sentences
    summaries = cells["Summary"].xpath(".//*[@lang='en']")
    assert [s.get("dir") for s in summaries] == ["ltr", "ltr"]
    assert "work together" in text(summaries[0]) and "appreciation" in text(summaries[1])
    who = text(cells["In the capacity of"]) + text(cells["At"])
    assert "Executive Secretary of ESCWA" in who and "Regional Review Conference" in who
    memberships = text(tree.xpath("//section[@aria-labelledby='h-section-memberships']")[0])
    assert "Executive Secretary of ESCWA" in memberships and "Western Asia" in memberships


def test_person_page_in_arabic_marks_english_text(client: TestClient) -> None:
    tree = get(client, DASHTI + "?lang=ar")
    assert tree.get("dir") == "rtl"
    assert text(tree.xpath("//h1")[0]) == "رولا دشتي"
    english = tree.xpath("//bdi[@lang='en']")
    assert english and all(b.get("dir") == "ltr" for b in english)
    assert "Rola Dashti" in [text(b) for b in english]
    # no Arabic label is ever marked as English, or the reverse
    for bdi in tree.xpath("//bdi[@lang]"):
        arabic = any("\u0600" <= c <= "\u06ff" for c in text(bdi))
        assert arabic == (bdi.get("lang") == "ar"), text(bdi)


def test_participation_morocco_represented_by_bourita(client: TestClient) -> None:
    tree = get(client, BOURITA + "?lang=en")
    (table,) = tree.xpath("//table[contains(@class, 'section-participations')]")
    (row,) = table.xpath("./tbody/tr")
    cells = {header: text(cell) for header, cell in columns(table, row).items()}
    assert cells["Participant"].startswith("Morocco")
    assert "National representative" in cells["Role"]
    assert "Regional Review Conference" in cells["Event"]
    # Bourita, the representative, is the page's own person on every row: not repeated
    assert "Represented by" not in cells
    assert [text(e).split(" facts")[0] for e in cited(tree, row)] == ["sentence 2 of the article"]
    assert "/doc/country/ma.html?lang=en" in row.xpath(".//a/@href")


def test_event_page_lists_its_participants_and_statements(client: TestClient) -> None:
    tree = get(client, CONFERENCE + "?lang=en")
    assert len(tree.xpath("//table[contains(@class, 'section-statements')]/tbody/tr")) == 3
    participants = tree.xpath("//table[contains(@class, 'section-participations')]/tbody/tr/th")
    assert len(participants) >= 5


def test_article_page_marks_every_sentence(client: TestClient, dataset: Dataset) -> None:
    tree = get(client, ARTICLE + "?lang=en")
    (article,) = tree.xpath("//div[@class='article-text']")
    assert (article.get("lang"), article.get("dir")) == ("ar", "rtl")
    spans = article.xpath("./span[@class='passage']")
    assert [s.get("id") for s in spans] == [f"s{n:02d}" for n in range(1, 14)]
    exact = {
        row["passage"].value.rsplit("/", 1)[-1]: row["exact"].value
        for row in dataset.store.query(
            "SELECT ?passage ?exact WHERE { ?passage <http://www.w3.org/ns/oa#hasSelector> "
            "[ <http://www.w3.org/ns/oa#exact> ?exact ] }",
            use_default_graph_as_union=True,
        )
    }
    for span in spans:
        (number,) = span.xpath("./a[@class='pnum']")
        assert span.text_content()[len(number.text_content()) :] == exact[span.get("id")]
    # the statements reported in sentence 4 are linked from its entry
    (s04,) = tree.xpath("//ol[@class='passages']/li[@value='4']")
    assert "/doc/statement/rola-dashti.html?lang=en" in s04.xpath(".//a/@href")


def test_facts_show_their_source(client: TestClient) -> None:
    tree = get(client, "/doc/objective/13.html?lang=en")
    rows = {
        text(row.xpath("./th")[0]).split()[0]: row
        for row in tree.xpath("//table[contains(@class, 'facts')]/tbody/tr")
    }
    sources = cited(tree, rows["preferred"])
    assert sources, "each value cites its source"
    hrefs = {a.get("href") for s in sources for a in s.xpath("./a")}
    assert any(h.startswith("https://") and "/dumps/" not in h for h in hrefs)  # reference page
    assert any("Verified" in text(s) for s in sources)


def test_graph_page_lists_the_facts_of_its_sentence(client: TestClient) -> None:
    tree = get(client, "/doc/graph/article-s02.html?lang=en")
    section = tree.xpath("//section[@aria-labelledby='h-graph']")[0]
    assert "sentence 2 of the article" in text(section.xpath(".//p[@class='graph-source']")[0])
    subjects = {text(c) for c in section.xpath(".//table/caption")}
    assert "Nasser Bourita" in subjects and "Morocco" in subjects


def test_resource_page_head_for_search_engines(client: TestClient) -> None:
    tree = get(client, DASHTI)
    doc = jsonld(tree)
    assert doc["@context"] == "https://schema.org" and doc["@type"] == "Person"
    assert doc["@id"] == ORIGIN + "id/person/rola-dashti"
    assert {n["@language"]: n["@value"] for n in doc["name"]} == {
        "ar": "رولا دشتي",
        "en": "Rola Dashti",
    }
    alternates = {
        link.get("type"): link.get("href")
        for link in tree.xpath("//head/link[@rel='alternate'][@type]")
    }
    assert alternates == {
        f.media_type: f"/doc/person/rola-dashti.{f.extension}" for f in RDF_DOCUMENT_FORMATS
    }
    for href in alternates.values():
        assert client.get(href).status_code == 200


def test_iri_shown_on_the_public_origin_with_the_canonical_beside_it(client: TestClient) -> None:
    tree = get(client, DASHTI)
    iri_block = text(tree.xpath("//dl[@class='iri']")[0])
    assert ORIGIN + "id/person/rola-dashti" in iri_block
    assert BASE + "id/person/rola-dashti" in iri_block
    assert not [h for h in tree.xpath("//@href") if h.startswith(BASE)]


# ---------------------------------------------------------------------------------------------
# The concept schemes and the ontology
# ---------------------------------------------------------------------------------------------


def test_concepts_in_order_titles_in_their_own_language(client: TestClient) -> None:
    tree = get(client, "/concepts?lang=ar")
    (objectives,) = [
        section
        for section in tree.xpath("//section[@class='scheme']")
        if "/doc/scheme/gcm-objectives.html" in section.xpath(".//h2//a/@href")[0]
    ]
    rows = objectives.xpath(".//table[contains(@class, 'concepts')]/tbody/tr")
    assert [text(r.xpath("./td[@class='num']")[0]) for r in rows] == [str(n) for n in range(1, 24)]
    assert text(rows[12].xpath("./th")[0]) == "الهدف 13"
    titles = rows[12].xpath(".//li")
    assert {t.get("lang") for t in titles} == {"en", "fr"}
    assert all(t.get("dir") == "ltr" for t in titles)
    assert "Use migration detention" in text(titles[0])
    for row in rows:  # no Arabic title is invented
        assert all(li.get("lang") in ("en", "fr") for li in row.xpath(".//li"))


def test_ontology_page_documents_every_term(client: TestClient, dataset: Dataset) -> None:
    tree = get(client, "/def/gcmr.html?lang=en")
    terms = {
        row["term"].value.split("#", 1)[1]
        for row in dataset.store.query(
            "SELECT ?term WHERE { GRAPH <https://w3id.org/gcm-arab-review/def/gcmr> { ?term a ?k "
            "FILTER(?k IN (<http://www.w3.org/2002/07/owl#Class>, "
            "<http://www.w3.org/2002/07/owl#ObjectProperty>, "
            "<http://www.w3.org/2002/07/owl#DatatypeProperty>)) } }"
        )
        if "#" in row["term"].value
    }
    assert len(terms) > 30
    sections = {a.get("id"): a for a in tree.xpath("//article[@class='term']")}
    assert terms <= set(sections)
    objective = text(sections["Objective"])
    assert "هدف" in objective and "skos:Concept" in objective and "numbered objectives" in objective
    in_capacity = sections["inCapacityOf"]
    rows = {
        text(dt): dd
        for dt, dd in zip(in_capacity.xpath(".//dt"), in_capacity.xpath(".//dd"), strict=True)
    }
    assert {"#Participation", "#ReportedStatement"} <= set(rows["Domain"].xpath(".//a/@href"))
    assert "org:Membership" in text(rows["Range"])


# ---------------------------------------------------------------------------------------------
# How each page was made
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "resource"),
    [
        (FACTS_QUERY, "person/rola-dashti"),
        (INCOMING_QUERY, "country/ma"),
        ("section-memberships", "person/antonio-vitorino"),
        ("section-statements", "event/gcm-arab-regional-review-conference-2021"),
        ("section-participations", "person/nasser-bourita"),
        (ARTICLE_QUERY, "article/gcm-arab-regional-review-report"),
        (PASSAGE_STATEMENTS_QUERY, "article/gcm-arab-regional-review-report"),
        (PASSAGE_QUERY, "passage/s04"),
        (GRAPH_QUERY, "graph/article-s04"),
        (SCHEMES_QUERY, None),
    ],
)
def test_shown_query_gives_what_the_page_used(
    dataset: Dataset, template: str, resource: str | None
) -> None:
    """The text linked from the page (VALUES ?this …) returns exactly the substituted rows; a
    section the data declares is named by its slug."""
    sections = {section.slug: section.text for section in read_sections(dataset.store)}
    template = sections.get(template, template)
    this = ox.NamedNode(BASE + "id/" + resource) if resource else None
    ns = namespaces(Urls(BASE, ORIGIN))
    rows, query = select(dataset.store, "q", template, this, ns)
    assert rows
    assert query.text == runnable(template, this, ns)
    solutions = dataset.store.query(query.text, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    again = [{n: s[n] for n in names} for s in solutions]
    key = lambda row: sorted((k, str(v)) for k, v in row.items())  # noqa: E731
    assert sorted(map(key, again)) == sorted(map(key, rows))


def test_run_links_carry_the_query(client: TestClient, dataset: Dataset) -> None:
    """Each "Run this query" link holds a query that parses and runs as it is."""
    tree = get(client, DASHTI)
    runs = tree.xpath("//a[@class='run']/@href")
    assert len(runs) >= 3
    results = []
    for href in runs:
        parts = urlsplit(href)
        assert parts.path == "/sparql"
        (query,) = parse_qs(parts.query)["query"]
        results.append(list(dataset.store.query(query, use_default_graph_as_union=True)))
    assert all(results)
    first = parse_qs(urlsplit(runs[0]).query)["query"][0]
    assert f"VALUES ?this {{ <{BASE}id/person/rola-dashti> }}" in first


def test_run_links_open_the_sparql_page_with_results(client: TestClient) -> None:
    for href in get(client, BOURITA).xpath("//a[@class='run']/@href"):
        tree = get(client, href)
        assert tree.xpath("//textarea[@name='query']")
        assert tree.xpath("//*[@id='result']//table/tbody/tr"), href


# ---------------------------------------------------------------------------------------------
# Every page, every link
# ---------------------------------------------------------------------------------------------


def test_every_resource_renders_in_both_languages(dataset: Dataset, urls: Urls) -> None:
    for path in sorted(thing_paths(dataset, urls)):
        for lang in ("ar", "en"):
            tree = lxml.html.fromstring(render_resource_page(dataset, urls, urls.thing(path), lang))
            assert tree.get("lang") == lang and tree.get("dir") == (
                "rtl" if lang == "ar" else "ltr"
            )
            assert tree.xpath("//h1"), path
            assert all(b.get("dir") for b in tree.xpath("//bdi")), path
            json.loads(tree.xpath("//script[@type='application/ld+json']")[0].text)


def test_internal_links_resolve(client: TestClient) -> None:
    """Follow every same-site link of a few pages: each answers 200, each #anchor exists."""
    pages = ["/?lang=en", DASHTI + "?lang=ar", ARTICLE + "?lang=en", CONFERENCE + "?lang=en"]
    pages += ["/concepts?lang=en", "/def/gcmr.html?lang=ar", "/doc/graph/article-s04.html"]
    anchors: dict[str, set[str]] = {}
    checked: set[str] = set()
    for page in pages:
        for href in get(client, page).xpath("//a/@href"):
            if href.startswith(ORIGIN):
                href = "/" + href[len(ORIGIN) :]
            if not href.startswith("/") or href.startswith(("/sparql", "//")):
                continue  # the SPARQL page is tested with the SPARQL endpoint
            url, fragment = urldefrag(href)
            if url not in checked:
                response = client.get(url, headers=HTML_ACCEPT)
                assert response.status_code == 200, (page, href)
                checked.add(url)
                if fragment and response.headers["content-type"].startswith("text/html"):
                    ids = lxml.html.fromstring(response.text).xpath("//@id")
                    anchors[url] = set(ids)
            if fragment and url in anchors:
                assert fragment in anchors[url], (page, href)
    assert len(checked) > 50


def test_not_found_page(client: TestClient, urls: Urls) -> None:
    response = client.get("/doc/person/nobody", headers={**HTML_ACCEPT, "Accept-Language": "ar"})
    assert response.status_code == 404
    tree = lxml.html.fromstring(response.text)
    assert tree.get("dir") == "rtl" and text(tree.xpath("//h1")[0]) == "غير موجود"
    assert tree.xpath("//meta[@name='robots']/@content") == ["noindex"]
    hostile = render_not_found_page(urls, "//evil.example/<script>alert(1)</script>", "en")
    assert "<script>alert" not in hostile
    tree = lxml.html.fromstring(hostile)
    assert not [h for h in tree.xpath("//a/@href") if h.startswith("//") or "//evil" in h]
    assert {a.get("href").split("?")[0] for a in tree.xpath("//nav[@class='langs']//a")} == {
        "/evil.example/%3Cscript%3Ealert(1)%3C/script%3E"
    }
