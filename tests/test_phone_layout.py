"""Every page type on a 390-px phone, in Arabic and English (issue 11).

Each page is opened in Debian's chromium at the phone viewport of tests/browser_support.py and
checked for what a reader on a phone would notice: the page scrolls sideways (scrollWidth
greater than clientWidth), the header eats the first screen (more than 15% of its height), a
table turned into cards loses its column headers (every cell of a `table.stack` must show its
`data-label`, the text of its column's header), a byte count breaks one digit per line, the
provenance chips are too small to read. The menu button that folds the navigation is tried.

Pages of one kind share their checks; the session's server and the module's chromium are
reused, one tab per test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from browser_support import PHONE, Tab, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

HEADER_SHARE = 0.15
"""The most of the first screen the site header may take on a phone."""
CHIP_MIN_PX = 14.0
"""0.875rem: the smallest size of a provenance chip's text."""

PAGES: dict[str, tuple[str, int]] = {
    "home": ("/", 200),
    "person": ("/doc/person/nasser-bourita.html", 200),
    "event": ("/doc/event/gcm-arab-regional-review-conference-2021.html", 200),
    "objective": ("/doc/objective/13.html", 200),
    "country": ("/doc/country/ma.html", 200),
    "organisation": ("/doc/org/escwa.html", 200),
    "statement": ("/doc/statement/antonio-vitorino.html", 200),
    "article": ("/doc/article/gcm-arab-regional-review-report.html", 200),
    "classes": ("/classes", 200),
    "class": ("/classes/foaf:Person", 200),
    "concepts": ("/concepts", 200),
    "ontology": ("/def/gcmr.html", 200),
    "dumps": ("/dumps/", 200),
    "void": ("/.well-known/void", 200),
    "validation": ("/validation", 200),
    "sparql": ("/sparql", 200),
    "search": ("/search?q=migration", 200),
    "fragments": (
        "/fragments?predicate=http%3A%2F%2Fwww.w3.org%2F2004%2F02%2Fskos%2Fcore%23prefLabel",
        200,
    ),
    "not_found": ("/doc/person/nobody", 404),
}
"""One page of each type (name → path, status): the same list test_accessibility.py uses."""

LANGS = ("en", "ar")


def open_page(tab: Tab, name: str, lang: str) -> Page:
    """The page `name` in `lang`; a 404's own console message is not a page error."""
    path, status = PAGES[name]
    page = tab.open(f"{path}{'&' if '?' in path else '?'}lang={lang}", status=status)
    if status >= 400:
        tab.errors.clear()
    return page


def sideways_overflow(page: Page) -> int:
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


UNLABELLED_CELLS = """() => {
  const problems = [];
  for (const table of document.querySelectorAll('table.stack')) {
    const heads = [...table.querySelectorAll(':scope > thead > tr > th')]
      .map(th => th.textContent.replace(/\\s+/g, ' ').trim());
    for (const row of table.querySelectorAll(':scope > tbody > tr')) {
      [...row.children].forEach((cell, i) => {
        const label = cell.getAttribute('data-label');
        const shown = getComputedStyle(cell, '::before').content;
        if (label === null || shown !== JSON.stringify(label)) {
          problems.push(`${table.className} cell ${i}: label ${label}, shown ${shown}`);
        } else if (heads.length && label !== heads[i]) {
          problems.push(`${table.className} cell ${i}: label ${label} is not "${heads[i]}"`);
        }
      });
    }
  }
  return problems;
}"""


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_a_phone(phone_tab: Tab, name: str, lang: str) -> None:
    page = open_page(phone_tab, name, lang)
    assert page.get_attribute("html", "lang") == lang
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    assert sideways_overflow(page) <= 0, f"{name} scrolls sideways at {PHONE['width']} px"
    header = page.locator("header.site").bounding_box()
    assert header is not None
    assert header["height"] <= HEADER_SHARE * PHONE["height"], (name, header["height"])
    assert page.evaluate(UNLABELLED_CELLS) == []


@pytest.mark.parametrize("lang", LANGS)
def test_dumps_are_cards_whose_sizes_stay_on_one_line(phone_tab: Tab, lang: str) -> None:
    page = open_page(phone_tab, "dumps", lang)
    rows = page.locator("table.stack.dumps > tbody > tr")
    assert rows.count() >= 1
    assert rows.first.evaluate("r => getComputedStyle(r).display") == "block"  # a card
    for size in page.locator("td.bytes data").all():
        lines = size.evaluate(  # one line box (bidi text may give it two rectangles)
            "e => new Set([...e.getClientRects()].map(r => Math.round(r.top))).size"
        )
        assert lines == 1, size.inner_text()
        assert (size.get_attribute("value") or "").isdigit()  # the exact byte count
        unit = size.inner_text().split()[-1]  # the size in words of the page's language
        assert unit in (("بايت", "كيلوبايت", "م.ب") if lang == "ar" else ("byte", "kB", "MB"))
    screenshot(page, f"dumps-phone-{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_menu_button_folds_the_navigation(phone_tab: Tab, lang: str) -> None:
    page = open_page(phone_tab, "home", lang)
    nav = page.locator("nav.main-nav")
    button = page.locator("header.site .menu-toggle")
    assert button.is_visible() and not nav.is_visible()
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    assert nav.is_visible() and button.get_attribute("aria-expanded") == "true"
    assert sideways_overflow(page) <= 0
    screenshot(page, f"menu-phone-{lang}")
    nav.locator("a").first.focus()
    page.keyboard.press("Escape")  # closes it and gives the focus back to the button
    assert not nav.is_visible() and button.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")


def test_navigation_is_there_on_a_wide_screen(tab: Tab) -> None:
    page = open_page(tab, "home", "en")
    assert page.locator("nav.main-nav").is_visible()
    assert not page.locator("header.site .menu-toggle").is_visible()


@pytest.mark.parametrize("lang", LANGS)
def test_provenance_chips_are_readable(phone_tab: Tab, lang: str) -> None:
    page = open_page(phone_tab, "person", lang)
    chips = page.locator(".src, .cite, .type")  # a source named in full, cited, a type
    assert chips.count() >= 1
    sizes = chips.evaluate_all("es => es.map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert min(sizes) >= CHIP_MIN_PX


@pytest.mark.parametrize("name", ["dumps", "void", "validation"])
def test_discovery_pages_speak_the_readers_language(phone_tab: Tab, name: str) -> None:
    """Without `?lang=`, Accept-Language chooses, and the answer says so (and varies by it)."""
    url = phone_tab.origin + PAGES[name][0]
    for lang, words in (("ar", "الإصدار"), ("en", "Version")):
        headers = {"Accept": "text/html", "Accept-Language": f"{lang},fr;q=0.5"}
        response = phone_tab.context.request.get(url, headers=headers)
        assert response.status == 200
        assert response.headers["content-language"] == lang
        assert "Accept-Language" in response.headers["vary"]
        body = response.text()
        assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in body
        assert f"<dt>{words}</dt>" in body
