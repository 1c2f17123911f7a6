"""/search of a static export: a static copy cannot search, so every /search (the header's
form, and search.js's `?format=json`) is a page saying so in the reader's language, linking the
live site's search when the export names it (`--live-search`) and the pages that lead to things.

The small fixture dataset is exported once and served by real nginx (tests/test_export_nginx.py's
helpers: skipped without nginx, a failure under CI); one test drives chromium through it to check
that the search box stays quiet there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from browser_support import Tab
from export_support import fixture_settings_and_data, served_export

from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.export.build import export_site, static_search_page
from publisher.export.site import ExportError
from publisher.i18n import ui
from publisher.pages.render import site_of
from publisher.urls import Urls

LIVE_SEARCH = "https://data.example.org/search"


@pytest.fixture(scope="module")
def settings_and_data() -> tuple[Settings, Dataset]:
    return fixture_settings_and_data()


@pytest.fixture(scope="module")
def static_origin(
    settings_and_data: tuple[Settings, Dataset], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The fixture dataset exported with a live search page, served by nginx."""
    settings, dataset = settings_and_data
    folder = tmp_path_factory.mktemp("search")
    with served_export(settings, dataset, folder, live_search=LIVE_SEARCH) as origin:
        yield origin


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_search_is_a_page_saying_there_is_none(static_origin: str, lang: str) -> None:
    """The header's form (`q` and `lang`) gets the page in its language, linking the live
    search and the site's pages in that language, never /sparql (no query there either)."""
    with httpx.Client(base_url=static_origin) as http:
        answer = http.get("/search", params={"q": "bourita", "lang": lang})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert answer.headers["content-language"] == lang
    assert "Accept-Language" in answer.headers["vary"]
    assert f"<h1>{ui('static_search_title', lang)}</h1>" in answer.text
    assert ui("static_search_none", lang) in answer.text
    assert f'href="{LIVE_SEARCH}"' in answer.text
    assert f'href="/?lang={lang}"' in answer.text and f'href="/classes?lang={lang}"' in answer.text
    main = answer.text.partition('<main id="main"')[2]
    assert "/sparql" not in main
    assert '<meta name="robots" content="noindex">' in answer.text


def test_the_language_is_chosen_as_for_every_page(static_origin: str) -> None:
    with httpx.Client(base_url=static_origin) as http:
        arabic = http.get("/search", headers={"Accept-Language": "ar, en;q=0.5"})
        english = http.get("/search", headers={"Accept-Language": "fr, en;q=0.1"})
    assert arabic.headers["content-language"] == "ar" and 'dir="rtl"' in arabic.text
    assert english.headers["content-language"] == "en"


def test_the_suggestions_request_gets_html_not_json(static_origin: str) -> None:
    """What search.js asks: a 200 in HTML (no console error in a browser), which the script
    recognises by its content type and answers with no suggestions."""
    with httpx.Client(base_url=static_origin) as http:
        answer = http.get(
            "/search",
            params={"format": "json", "limit": "6", "lang": "en", "q": "bo"},
            headers={"Accept": "application/json"},
        )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")


def test_search_accepts_no_post(static_origin: str) -> None:
    with httpx.Client(base_url=static_origin) as http:
        assert http.post("/search", data={"q": "x"}).status_code == 405


def test_without_a_live_search_the_page_links_none(
    settings_and_data: tuple[Settings, Dataset],
) -> None:
    settings, dataset = settings_and_data
    urls = Urls(settings.base_iri, settings.origin)
    page = static_search_page(urls, "en", None, site_of(dataset, urls, "en")).decode()
    assert ui("static_search_none", "en") in page
    assert ui("static_search_live", "en") not in page
    assert "data.example.org" not in page


@pytest.mark.parametrize("value", ["ftp://data.example.org/search", "/search", "data.example.org"])
def test_a_live_search_that_is_no_web_address_is_refused(
    settings_and_data: tuple[Settings, Dataset], tmp_path: Path, value: str
) -> None:
    settings, dataset = settings_and_data
    with pytest.raises(ExportError, match="not an absolute http"):
        export_site(settings, dataset, tmp_path / "out", live_search=value)
    assert not (tmp_path / "out").exists()


def test_the_search_box_stays_quiet_on_a_static_copy(static_origin: str, browser: object) -> None:
    """Typing in the header's box on an exported page: search.js asks once, gets the HTML page,
    shows no suggestions, logs no error and asks no more."""
    tab = Tab(browser, static_origin.rstrip("/"))  # type: ignore[arg-type]
    try:
        page = tab.open("/?lang=en")
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url) if "format=json" in r.url else None)
        box = page.locator("#search-box-q")
        with page.expect_response(lambda r: "format=json" in r.url) as waited:
            box.fill("bo")
        assert waited.value.status == 200
        assert page.locator(".suggestions").is_hidden()
        box.fill("bou")
        page.wait_for_timeout(600)  # longer than search.js's delay: a second request would go
        assert len(asked) == 1, asked
        assert page.locator(".suggestions").is_hidden()
    finally:
        tab.close()
    assert not tab.errors, tab.errors
