"""Search in a real browser (chromium through tests/browser_support.py): a reader types each
spelling of the issue in the header's box of a page, submits, and finds the expected person
among the results, in both languages; suggestions appear as they type; the results page fits a
phone; the box works without JavaScript. Screenshots: docs/screenshots/search-{en,ar}.png."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from browser_support import PHONE, Tab, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

VITORINO_PAGE = "/doc/person/antonio-vitorino.html"
MOROCCO_PAGE = "/doc/country/ma.html"
SPELLINGS = {
    "en": [("Vitorino", VITORINO_PAGE), ("antonio", VITORINO_PAGE), ("moroc", MOROCCO_PAGE)],
    "ar": [
        ("فيتورينو", VITORINO_PAGE),
        ("انطونيو", VITORINO_PAGE),
        ("أنطونيو", VITORINO_PAGE),
        ("المغرب", MOROCCO_PAGE),
    ],
}


def submit(page: Page, text: str) -> None:
    box = page.locator("header.site #search-box-q")
    box.fill(text)
    with page.expect_navigation():
        box.press("Enter")


def result_links(page: Page) -> list[str]:
    return [str(a.get_attribute("href")) for a in page.locator("ol.hits a.hit-title").all()]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_each_spelling_typed_in_the_box_finds_its_page(tab: Tab, lang: str) -> None:
    page = tab.open(f"/doc/person/rola-dashti.html?lang={lang}")
    for text, expected in SPELLINGS[lang]:
        submit(page, text)
        assert "/search?" in page.url
        assert page.get_attribute("html", "lang") == lang
        assert f"{expected}?lang={lang}" in result_links(page), text
        assert page.locator("ol.hits mark").count() >= 1
    submit(page, SPELLINGS[lang][-2 if lang == "ar" else 0][0])
    screenshot(page, f"search-{lang}")
    first = page.locator("ol.hits a.hit-title").first
    with page.expect_navigation():
        first.click()
    assert VITORINO_PAGE in page.url


def test_suggestions_appear_as_the_reader_types(tab: Tab) -> None:
    page = tab.open("/?lang=en")
    box = page.locator("header.site #search-box-q")
    box.press_sequentially("vitor", delay=30)
    suggestion = page.locator("header.site .suggestions a").first
    suggestion.wait_for(state="visible")
    assert VITORINO_PAGE in str(suggestion.get_attribute("href"))
    box.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('.suggestions') !== null")
    page.keyboard.press("Escape")
    assert page.locator("header.site .suggestions").is_hidden()


def test_no_hits_and_an_empty_query_on_a_phone(phone_tab: Tab) -> None:
    page = phone_tab.open("/search?q=zzqxw&lang=ar")
    assert page.locator(".search-none").is_visible()
    page = phone_tab.open("/search?q=" + "المغرب" + "&lang=ar")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    assert page.locator("#search-q").is_visible()


def test_the_box_works_without_javascript(browser: Browser, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(server + "/?lang=ar")
        submit(page, "فيتورينو")
        assert f"{VITORINO_PAGE}?lang=ar" in result_links(page)
    finally:
        context.close()
