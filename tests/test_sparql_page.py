"""The HTML query page: editor, examples, results with labelled links, downloads, errors;
everything served by the publisher itself."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sparql_support import SPARQL_DATA, app_for, serve, settings_for

from publisher.config import PROJECT_ROOT, Settings
from publisher.formats import SPARQL_JSON
from publisher.pages.sparql import PAGE_SIZE, Labeller, table
from publisher.profile import Example, read_profile
from publisher.sparql.endpoint import Answer
from publisher.stores import open_dataset
from publisher.urls import Urls

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
MAX_RESULTS = 10
# The fixture data plus the embedded dataset's description of itself, which holds the examples.
DESCRIPTION = PROJECT_ROOT / "data" / "dataset.ttl"


def settings(origin: str) -> Settings:
    base = settings_for(SPARQL_DATA, origin, max_results=MAX_RESULTS)
    return base.model_copy(update={"data": [str(SPARQL_DATA), str(DESCRIPTION)]})


def profile_examples() -> tuple[Example, ...]:
    return read_profile(open_dataset(settings("http://127.0.0.1:1/"))).examples


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    with serve(lambda origin: app_for(settings(origin))) as served:
        yield served


@pytest.fixture(scope="module")
def browser(origin: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=origin, headers={"accept": BROWSER}, timeout=30) as client:
        yield client


class Links(HTMLParser):
    """Every URL the page loads (scripts, styles, images) and every link it offers."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.anchors: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("script", "img", "iframe") and found.get("src"):
            self.assets.append(found["src"] or "")
        if tag == "link" and found.get("rel") in ("stylesheet", "preload", "icon"):
            self.assets.append(found.get("href") or "")
        if tag == "a" and found.get("href"):
            self.anchors.append((found["href"] or "", found))


def links(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def test_the_empty_page_has_editor_examples_and_only_local_assets(
    browser: httpx.Client,
) -> None:
    response = browser.get("/sparql")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = links(response.text)
    assert "/static/sparql.js" in page.assets and "/static/sparql.css" in page.assets
    assert all(asset.startswith("/") and not asset.startswith("//") for asset in page.assets)
    for asset in page.assets:
        assert browser.get(asset).status_code == 200
    examples = [href for href, attrs in page.anchors if "data-example" in attrs]
    assert len(examples) == len(profile_examples()) >= 5
    queries = [parse_qs(urlsplit(href).query)["query"][0] for href in examples]
    assert queries == [example.text for example in profile_examples()]
    assert '<textarea id="sparql-query" name="query"' in response.text
    assert "Limits" in response.text and str(MAX_RESULTS) in response.text


def test_results_link_to_resource_pages_with_labels(browser: httpx.Client) -> None:
    query = "SELECT ?person { ?person a <https://schema.org/Person> } ORDER BY ?person"
    response = browser.get("/sparql", params={"query": query})
    assert response.status_code == 200
    cells = re.findall(
        r'<a class="iri" href="([^"]+)" title="([^"]+)"[^>]*>([^<]+)</a>', response.text
    )
    assert [(href, label) for href, _, label in cells] == [
        ("/doc/person/ana.html", "Ana Example"),
        ("/doc/person/bo.html", "Bo Example"),
    ]
    assert cells[0][1].endswith("/id/person/ana")
    assert "Rows 1–2 of 2" in response.text
    assert "query" in response.text  # the query stays in the editor


def test_downloads_in_each_format(browser: httpx.Client) -> None:
    query = "SELECT ?s ?l { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 2"
    page = links(browser.get("/sparql", params={"query": query}).text)
    downloads = {attrs["type"]: href for href, attrs in page.anchors if "download" in attrs}
    assert set(downloads) == {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    }
    for media_type, href in downloads.items():
        response = browser.get(href.replace("&amp;", "&"))
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media_type)
        assert response.headers["content-disposition"].startswith("attachment")


def test_graph_results_show_as_triples_with_graph_downloads(browser: httpx.Client) -> None:
    query = (
        "CONSTRUCT { ?e <https://schema.org/organizer> ?o } "
        "WHERE { ?e <https://schema.org/organizer> ?o }"
    )
    response = browser.get("/sparql", params={"query": query})
    assert "Triples 1–2 of 2" in response.text and ">ACME</a>" in response.text
    types = {attrs["type"] for _, attrs in links(response.text).anchors if "download" in attrs}
    assert types == {"text/turtle", "application/n-triples", "application/ld+json",
                     "application/rdf+xml"}  # fmt: skip


def test_ask_and_truncation_on_the_page(browser: httpx.Client) -> None:
    assert "<strong>true</strong>" in browser.get("/sparql", params={"query": "ASK {}"}).text
    cut = browser.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
    assert cut.headers["sparql-results-truncated"] == f"true; limit={MAX_RESULTS}"
    assert f"Truncated: the result was cut at {MAX_RESULTS} rows" in cut.text


def test_errors_show_on_the_page_with_the_api_status(browser: httpx.Client) -> None:
    broken = "SELECT * WHERE {\n  OPTIONAL ?x\n}"
    response = browser.get("/sparql", params={"query": broken})
    assert response.status_code == 400
    assert "Malformed SPARQL query" in response.text and "line 2, column 12" in response.text
    assert "OPTIONAL ?x" in response.text
    refused = browser.post(
        "/sparql",
        content="query=" + "INSERT+DATA+%7B%7D",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert refused.status_code == 400 and "read-only" in refused.text


def test_a_long_query_posted_by_the_form_gets_the_page(browser: httpx.Client) -> None:
    query = "ASK { VALUES ?n { " + " ".join(str(n) for n in range(1500)) + " } }"
    response = browser.post(
        "/sparql",
        data={"query": query},
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200 and "<strong>true</strong>" in response.text


def test_the_page_speaks_the_readers_language_the_query_stays_ltr(
    browser: httpx.Client,
) -> None:
    response = browser.get("/sparql", params={"lang": "ar"})
    assert response.headers["content-language"] == "ar"
    assert '<html lang="ar" dir="rtl">' in response.text
    assert "<h1>استعلام SPARQL</h1>" in response.text and "نفّذ الاستعلام" in response.text
    assert '<div class="sparql-editor" dir="ltr">' in response.text
    assert '<textarea id="sparql-query" name="query" rows="14" dir="ltr"' in response.text


def test_the_editor_is_served_with_its_licences(browser: httpx.Client) -> None:
    page = links(browser.get("/sparql").text)
    assert "/static/vendor/codemirror/editor.js" in page.assets
    licences = browser.get("/static/vendor/codemirror/LICENSES.txt")
    assert licences.status_code == 200
    assert "@codemirror/view@" in licences.text and "MIT License" in licences.text


def test_the_vocabulary_json_has_the_datasets_prefixes_and_terms(browser: httpx.Client) -> None:
    response = browser.get("/api/sparql-vocabulary.json", params={"lang": "en"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    vocabulary = response.json()
    prefixes = vocabulary["prefixes"]
    assert prefixes["schema"] == "https://schema.org/"
    assert prefixes["rdfs"] == "http://www.w3.org/2000/01/rdf-schema#"  # always offered
    terms = {term["iri"]: term for term in vocabulary["terms"]}
    person = terms["https://schema.org/Person"]
    assert person["curie"] == "schema:Person" and person["kind"] == "class"
    assert terms["https://schema.org/organizer"]["kind"] == "property"
    again = browser.get(
        "/api/sparql-vocabulary.json",
        params={"lang": "en"},
        headers={"if-none-match": response.headers["etag"]},
    )
    assert again.status_code == 304


def test_a_result_is_shown_a_page_of_rows_at_a_time(browser: httpx.Client) -> None:
    """The server's table (the page without JavaScript) never holds the whole result."""
    rows = [{"n": {"type": "literal", "value": str(n)}} for n in range(PAGE_SIZE * 2 + 7)]
    body = json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": rows}}).encode()
    answer = Answer("solutions", SPARQL_JSON, body, False, len(rows))
    store = open_dataset(settings("http://127.0.0.1:1/")).store
    labeller = Labeller(store, Urls("https://example.org/", "https://example.org/"), ("en",))
    last = table(answer, labeller, 99)  # past the end: the last page
    assert (last.page, last.pages, last.first, last.last, last.total) == (3, 3, 101, 107, 107)
    assert [row[0].text for row in last.rows if row[0]] == [str(n) for n in range(100, 107)]
    assert len(table(answer, labeller, 1).rows) == PAGE_SIZE
    query = "SELECT ?s ?p ?o { ?s ?p ?o } LIMIT 3"
    second = browser.get("/sparql", params={"query": query, "page": "2"})
    assert second.status_code == 200 and "Rows 1–3 of 3" in second.text  # one page only
    assert 'class="pager"' not in second.text
