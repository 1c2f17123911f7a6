"""The query page's editor in a real browser (tests/browser_support.py's chromium and server):
it loads from the site alone, runs queries, pages and charts their results, completes the
dataset's prefixes and terms, speaks Arabic with the code left to right, and the plain form
still answers without JavaScript. Saves docs/screenshots/editor-{en,ar}.png."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from browser_support import Tab, screenshot
from playwright.sync_api import expect

from publisher.pages.sparql import PAGE_SIZE

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

MANY_ROWS = PAGE_SIZE * 2 + 20
MANY = f"SELECT ?thing ?type WHERE {{ ?thing a ?type }} ORDER BY ?type ?thing LIMIT {MANY_ROWS}"
COUNTS = (
    "SELECT ?class (COUNT(?thing) AS ?things) WHERE { ?thing a ?class }\n"
    "GROUP BY ?class ORDER BY DESC(?things) ?class LIMIT 8"
)


@pytest.fixture
def editor_tab(browser: Browser, server: str) -> Iterator[Tab]:
    """A desktop tab that also records every request the page makes."""
    opened = Tab(browser, server, height=1500)  # tall: the screenshots show the results too
    opened.requests = []  # type: ignore[attr-defined]
    opened.page.on("request", lambda request: opened.requests.append(request.url))  # type: ignore[attr-defined]
    yield opened
    opened.close()
    assert not opened.errors, opened.errors


def set_query(page: Page, text: str) -> None:
    page.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.locator(".cm-content").fill(text)


def run(page: Page) -> None:
    page.locator("#sparql-form button[type=submit]").click()
    page.locator("#sparql-form:not([aria-busy])").wait_for()
    page.locator("#sparql-output .sparql-results .count").wait_for()


def vocabulary(origin: str) -> dict[str, object]:
    with urllib.request.urlopen(f"{origin}/api/sparql-vocabulary.json?lang=en") as response:
        found: dict[str, object] = json.load(response)
    return found


def test_the_editor_loads_from_the_site_alone_and_runs_a_query(editor_tab: Tab) -> None:
    page = editor_tab.open("/sparql?lang=en")
    page.wait_for_selector(".cm-editor .cm-content")
    assert page.locator("#sparql-query").is_hidden()  # the editor took its place
    assert page.locator(".cm-content .tok-keyword").count() > 0  # highlighted
    set_query(page, COUNTS)
    run(page)
    assert page.locator("#result table.stack tbody tr").count() > 0
    assert page.locator("#result td[data-label$='?class'] a.iri").count() > 0
    requests = editor_tab.requests  # type: ignore[attr-defined]
    assert any(url.endswith("/static/vendor/codemirror/editor.js") for url in requests)
    assert all(url.startswith(editor_tab.origin + "/") for url in requests), requests


def test_results_are_paged_and_link_to_their_pages(editor_tab: Tab) -> None:
    page = editor_tab.open("/sparql?lang=en")
    page.wait_for_selector(".cm-editor")
    set_query(page, MANY)
    run(page)
    rows = page.locator("#result table tbody tr")
    assert rows.count() == PAGE_SIZE
    assert page.locator("#result .count").inner_text() == f"Rows 1–{PAGE_SIZE} of {MANY_ROWS}"
    first = page.locator("#result tbody tr").first.inner_text()
    page.locator("#result .pager button.next").click()
    expect(page.locator("#result .count")).to_have_text(
        f"Rows {PAGE_SIZE + 1}–{PAGE_SIZE * 2} of {MANY_ROWS}"
    )
    assert page.locator("#result .pager").inner_text().count("Page 2 of 3") == 1
    assert page.locator("#result tbody tr").first.inner_text() != first
    local = page.locator(f"#result a.iri[href^='{editor_tab.origin}/id/']").first
    assert (local.get_attribute("href") or "").endswith("?lang=en")  # its page, in English
    assert local.inner_text() != local.get_attribute("title")  # a label, not the IRI
    downloads = page.locator("#result .downloads a")
    assert sorted(downloads.evaluate_all("links => links.map(a => a.type)")) == [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ]
    href = downloads.first.get_attribute("href") or ""
    assert "format=" in href and quote("LIMIT") in href
    assert "query=" in page.url  # the address names the query that ran


def test_the_example_menu_loads_an_example(editor_tab: Tab) -> None:
    page = editor_tab.open("/sparql?lang=en")
    page.wait_for_selector(".cm-editor")
    examples = page.locator(".sparql-examples a[data-query]")
    assert examples.count() >= 2
    chosen = examples.nth(1)
    chosen.click()
    expected = chosen.get_attribute("data-query") or ""
    assert page.locator("#sparql-query").input_value() == expected
    assert chosen.get_attribute("aria-current") == "true"
    assert page.url.endswith("/sparql?lang=en") or "query=" in page.url  # no navigation away
    page.wait_for_selector("#result")


def test_completion_offers_the_datasets_prefixes_and_terms(editor_tab: Tab) -> None:
    known = vocabulary(editor_tab.origin)
    prefixes: dict[str, str] = known["prefixes"]  # type: ignore[assignment]
    terms: list[dict[str, str]] = known["terms"]  # type: ignore[assignment]
    term = next(t for t in terms if t["kind"] == "class" and t["curie"])
    prefix = term["curie"].split(":")[0]
    page = editor_tab.open("/sparql?lang=en")
    page.wait_for_selector(".cm-editor")
    page.wait_for_load_state("networkidle")  # the vocabulary has arrived
    set_query(page, "SELECT * WHERE {\n  ?thing a ")
    page.keyboard.type(prefix + ":")
    options = page.locator(".cm-tooltip-autocomplete li")
    options.first.wait_for()
    offered = options.all_inner_texts()
    assert any(term["curie"] in text for text in offered), offered
    page.locator(".cm-tooltip-autocomplete li", has_text=term["curie"]).first.click()
    text = page.locator("#sparql-query").input_value()
    assert f"?thing a {term['curie']}" in text
    assert f"PREFIX {prefix}: <{prefixes[prefix]}>" in text  # declared for the reader
    set_query(page, "PREFIX ")
    page.keyboard.press("Control+Space")
    options.first.wait_for()
    assert any(text.startswith(f"{prefix}:") for text in options.all_inner_texts())


def test_two_column_numbers_get_a_chart(editor_tab: Tab) -> None:
    page = editor_tab.open("/sparql?lang=en")
    page.wait_for_selector(".cm-editor")
    set_query(page, COUNTS)
    run(page)
    chart = page.locator("#result svg.sparql-chart")
    assert chart.count() == 1
    bars = chart.locator("rect.chart-bar")
    assert bars.count() == page.locator("#result tbody tr").count() > 0
    assert chart.get_attribute("role") == "img" and chart.get_attribute("aria-label")
    widths = bars.evaluate_all("bars => bars.map(b => Number(b.getAttribute('width')))")
    assert widths == sorted(widths, reverse=True)  # ordered by count, as the query asked
    names = chart.locator("text.chart-label").evaluate_all("els => els.map(e => e.textContent)")
    assert any(re.fullmatch(r"[A-Za-z][\w-]*:[A-Za-z]\w*", name) for name in names), names
    screenshot(page, "editor-en")
    set_query(page, MANY)
    run(page)
    assert page.locator("#result svg").count() == 0  # no numbers: no chart


def test_graphs_booleans_and_errors_show_too(editor_tab: Tab) -> None:
    page = editor_tab.open("/sparql?lang=en")
    page.locator(".cm-editor").wait_for()
    set_query(page, "CONSTRUCT { ?thing a ?type } WHERE { ?thing a ?type } LIMIT 3")
    run(page)  # N-Triples, read by the script
    assert page.locator("#result .count").inner_text() == "Triples 1–3 of 3"
    assert page.locator("#result th").all_inner_texts() == ["subject", "predicate", "object"]
    types = page.locator("#result .downloads a").evaluate_all("links => links.map(a => a.type)")
    assert sorted(types) == sorted(
        ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
    )
    set_query(page, "ASK { ?s ?p ?o }")
    page.locator("#sparql-form button[type=submit]").click()
    page.locator("#result .boolean strong").wait_for()
    assert page.locator("#result .boolean strong").inner_text() == "true"
    set_query(page, "SELECT * WHERE {\n  OPTIONAL ?x\n}")
    page.keyboard.press("Control+Enter")
    error = page.locator("#result.sparql-error")
    error.wait_for()
    assert "(HTTP 400)" in error.locator("h2").inner_text()
    assert "OPTIONAL ?x" in error.locator("pre.excerpt").inner_text()
    editor_tab.errors.clear()  # the 400 itself is reported on the console


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_on_a_phone_nothing_overflows(phone_tab: Tab, lang: str) -> None:
    page = phone_tab.open(f"/sparql?lang={lang}&query={quote(COUNTS)}")
    page.locator("#result svg.sparql-chart").wait_for()  # the script ran it again as data
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#result table.stack td[data-label]").count() > 0
    assert page.locator(".cm-editor").bounding_box()["width"] <= 390  # type: ignore[index]


def test_the_arabic_page_is_rtl_with_the_editor_ltr(editor_tab: Tab) -> None:
    page = editor_tab.open("/sparql?lang=ar")
    page.wait_for_selector(".cm-editor")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("h1").inner_text() == "استعلام SPARQL"
    direction = "el => getComputedStyle(el).direction"
    assert page.locator(".cm-editor").evaluate(direction) == "ltr"
    assert page.locator(".cm-content").evaluate(direction) == "ltr"
    assert page.locator("main").evaluate(direction) == "rtl"
    set_query(page, COUNTS)
    run(page)
    assert page.locator("#result h2").inner_text() == "النتائج"
    assert page.locator("#result .count").inner_text().startswith("الصفوف 1–")
    screenshot(page, "editor-ar")


def test_without_javascript_the_form_still_answers(browser: Browser, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server}/sparql?lang=en")
        assert page.locator(".cm-editor").count() == 0
        page.locator("#sparql-query").fill(MANY)
        page.locator("#sparql-form button[type=submit]").click()
        page.wait_for_url("**/sparql?query=*")
        assert page.locator("#result table tbody tr").count() == PAGE_SIZE
        assert page.locator("#result .count").inner_text() == f"Rows 1–{PAGE_SIZE} of {MANY_ROWS}"
        page.locator("#result .pager a[rel=next]").click()
        page.wait_for_url("**page=2*")
        assert page.locator("#result .count").inner_text().startswith(f"Rows {PAGE_SIZE + 1}–")
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_axe_finds_nothing_on_the_results_the_script_drew(editor_tab: Tab, lang: str) -> None:
    """tests/test_accessibility.py checks the empty page; this checks the editor in use: the
    table, pager, downloads and chart the script drew, and the completion list."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    page = editor_tab.open(f"/sparql?lang={lang}&query={quote(COUNTS)}")
    page.locator("#result svg.sparql-chart").wait_for()
    options = {
        "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        "resultTypes": ["violations"],
    }
    before = len(editor_tab.errors)
    found = axe.run(page, options=options).response["violations"]
    # axe's own probes (inline styles) are refused by the page's CSP: not the page's errors.
    editor_tab.errors[before:] = [
        e for e in editor_tab.errors[before:] if "Content Security Policy" not in e
    ]
    assert [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in found] == []
