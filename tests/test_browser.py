"""The HTML pages in a real headless browser (Debian's chromium, driven by Playwright).

A real server (uvicorn, on a free loopback port) serves the repository's dataset. The tests
check that the pages render without console errors, that links navigate, that the Arabic pages
are laid out right to left, and they save the screenshots the README shows
(docs/screenshots/{home,person}-{en,ar}.png, regenerated on every run).

The fixtures (server, browser, tab) are tests/browser_support.py's; without chromium these
tests skip, except under CI (`CI` set), where that is a failure.
"""

from __future__ import annotations

import pytest
from browser_support import SCREENSHOTS, Tab


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_home_page(tab: Tab, lang: str) -> None:
    page = tab.open(f"/?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    assert page.evaluate("getComputedStyle(document.documentElement).direction") == (
        "rtl" if lang == "ar" else "ltr"
    )
    assert page.locator("h1").is_visible()
    assert page.locator("script[type='application/ld+json']").count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"home-{lang}.png"))


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_person_page_through_its_iri(tab: Tab, lang: str) -> None:
    """The thing's IRI answers 303 to its HTML document, in the chosen language."""
    page = tab.open(f"/id/person/rola-dashti?lang={lang}")
    assert page.url == f"{tab.origin}/doc/person/rola-dashti.html?lang={lang}"
    assert page.locator("h1").inner_text() == ("رولا دشتي" if lang == "ar" else "Rola Dashti")
    quote = page.locator("table.section-statements bdi[lang='ar']").first  # the reported text
    assert quote.evaluate("e => getComputedStyle(e).direction") == "rtl"
    page.screenshot(path=str(SCREENSHOTS / f"person-{lang}.png"))


def test_arabic_page_is_right_to_left(tab: Tab) -> None:
    page = tab.open("/doc/person/rola-dashti.html?lang=ar")
    main = page.locator("main").bounding_box()
    title = page.locator("h1 bdi").bounding_box()  # the inline text, not the block
    assert main is not None and title is not None
    padding = 32  # the title's text ends at the right edge of the content box, not the left
    assert abs((main["x"] + main["width"]) - (title["x"] + title["width"])) <= padding
    assert title["x"] > main["x"] + main["width"] / 2
    english = page.locator("bdi[lang='en']").first
    assert english.evaluate("e => getComputedStyle(e).direction") == "ltr"
    switch = page.locator("nav.langs a[hreflang='en']")
    switch.click()
    page.wait_for_url("**/doc/person/rola-dashti.html?lang=en")
    assert page.get_attribute("html", "dir") == "ltr"


def test_links_navigate_from_home_to_person_to_sentence(tab: Tab) -> None:
    page = tab.open("/?lang=en")
    page.get_by_role("link", name="Rola Dashti", exact=True).click()
    page.wait_for_url("**/doc/person/rola-dashti.html?lang=en")
    assert page.locator("h1").inner_text() == "Rola Dashti"
    statements = page.locator("table.section-statements")
    cite = statements.locator("a.cite[title='sentence 4 of the article']").first
    cite.click()  # a row cites [n]: to the numbered list of sources under the tables
    source = page.locator(f"ol.citations li{cite.get_attribute('href')} a")
    source.filter(has_text="sentence 4 of the article").click()
    page.wait_for_url("**/doc/article/gcm-arab-regional-review-report.html?lang=en#s04")
    assert page.evaluate("document.querySelector(':target').id") == "s04"
    target = page.locator("#s04")
    assert target.is_visible()
    assert target.evaluate("e => getComputedStyle(e).backgroundColor") != page.locator(
        "#s03"
    ).evaluate("e => getComputedStyle(e).backgroundColor")


def test_query_of_a_page_runs_in_one_click(tab: Tab) -> None:
    """The "how this page was made" link opens the SPARQL page, which shows the results."""
    page = tab.open("/doc/person/rola-dashti.html?lang=en")
    page.locator("section.how summary").click()
    page.locator("a.run").first.click()
    page.wait_for_url("**/sparql?query=*")
    assert "VALUES ?this" in page.locator("textarea[name='query']").input_value()
    assert page.locator("#result table tbody tr").count() > 0


@pytest.mark.parametrize(
    "path",
    [
        "/doc/article/gcm-arab-regional-review-report.html",
        "/doc/event/gcm-arab-regional-review-conference-2021.html",
        "/doc/statement/antonio-vitorino.html",
        "/doc/org/escwa.html",
        "/doc/country/ma.html",
        "/doc/objective/13.html",
        "/doc/membership/nasser-bourita-ma.html",
        "/doc/passage/s06.html",
        "/doc/graph/article-s02.html",
        "/doc/scheme/gcm-objectives.html",
        "/concepts",
        "/def/gcmr.html",
    ],
)
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_one_page_of_each_kind_renders(tab: Tab, path: str, lang: str) -> None:
    page = tab.open(f"{path}?lang={lang}")
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    assert page.locator("h1").is_visible()
    assert page.locator("h1").inner_text().strip()
    assert page.locator("a.run").count() >= 1  # says how it was made


def test_not_found_page(tab: Tab) -> None:
    page = tab.open("/doc/person/nobody?lang=ar", status=404)
    tab.errors.clear()  # the 404 itself is reported on the console; the page is what we test
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("h1").inner_text() == "غير موجود"
