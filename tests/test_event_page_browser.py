"""The event page in a real browser (chromium), on a desktop and on a 390-px phone, in both
languages: the summary card is in the first screen, the page does not overflow sideways, and
the Arabic page runs right to left. Saves docs/screenshots/event-{en,ar}.png for the README.

The fixtures (server, browser, tab, phone_tab) are tests/browser_support.py's; without chromium
these tests skip, except under CI, where that is a failure.
"""

from __future__ import annotations

import pytest
from browser_support import Tab, screenshot

EVENT = "/doc/event/gcm-arab-regional-review-conference-2021.html"
DATES = {"en": "24–25 Feb 2021", "ar": "24–25 فبراير 2021"}


def card_in_first_screen(tab: Tab, lang: str) -> None:
    page = tab.open(f"{EVENT}?lang={lang}")
    card = page.locator("section.summary-card")
    assert card.is_visible()
    box = card.bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    assert box["y"] < viewport["height"], "the summary starts in the first screen"
    dates = card.locator("dd data").first
    assert DATES[lang] in dates.inner_text()
    assert dates.get_attribute("value") == "2021-02-24/2021-02-25"
    direction = page.evaluate("getComputedStyle(document.querySelector('.summary-card')).direction")
    assert direction == ("rtl" if lang == "ar" else "ltr")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_event_page_desktop(tab: Tab, lang: str) -> None:
    card_in_first_screen(tab, lang)
    page = tab.page
    # a cited source leads to its entry in the numbered list
    cite = page.locator("section.summary-card a.cite").first
    target = cite.get_attribute("href")
    assert target is not None and target.startswith("#cite-")
    cite.click()
    assert page.locator(f"ol.citations li{target}").is_visible()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, f"event-{lang}")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_event_page_phone(phone_tab: Tab, lang: str) -> None:
    card_in_first_screen(phone_tab, lang)
    page = phone_tab.page
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390-px phone"
    # the participation table's cells keep their column's words on a phone
    cells = page.locator("table.section-participations td[data-label]")
    assert cells.count() > 0
