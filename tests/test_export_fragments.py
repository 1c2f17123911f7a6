"""/fragments of a static export, and the discovery pages in each page language.

The VoID, the SPARQL service description and the home page's `Link` (hydra:search) name the
Triple Pattern Fragments at /fragments; a copy of files cannot select triples, so every
/fragments is a page saying so in the reader's language, linking the dumps and the live
interface when the export names it (`--live-fragments`). The VoID, the validation report and
the /dumps/ listing come in HTML in every page language, chosen by nginx as for the pages.

The small fixture dataset is exported once and served by real nginx (tests/test_export_nginx.py's
helpers: skipped without nginx, a failure under CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from export_support import fixture_settings_and_data, served_export

from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.export.build import export_site, static_fragments_page
from publisher.export.site import ExportError
from publisher.i18n import ui
from publisher.pages.render import site_of
from publisher.urls import Urls

LIVE_FRAGMENTS = "https://data.example.org/fragments"
HYDRA_SEARCH = "http://www.w3.org/ns/hydra/core#search"


@pytest.fixture(scope="module")
def settings_and_data() -> tuple[Settings, Dataset]:
    return fixture_settings_and_data()


@pytest.fixture(scope="module")
def static_origin(
    settings_and_data: tuple[Settings, Dataset], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The fixture dataset exported with a live fragments interface, served by nginx."""
    settings, dataset = settings_and_data
    folder = tmp_path_factory.mktemp("fragments")
    with served_export(settings, dataset, folder, live_fragments=LIVE_FRAGMENTS) as origin:
        yield origin


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_fragments_is_a_page_saying_there_are_none(static_origin: str, lang: str) -> None:
    """What a client of the VoID's link asks (a pattern, any Accept) gets the page in the
    reader's language, linking the dumps and the live interface."""
    with httpx.Client(base_url=static_origin) as http:
        answer = http.get(
            "/fragments",
            params={"subject": "", "predicate": "", "lang": lang},
            headers={"Accept": "text/turtle"},
        )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert answer.headers["content-language"] == lang
    assert "Accept-Language" in answer.headers["vary"]
    assert answer.headers["access-control-allow-origin"] == "*"
    assert f"<h1>{ui('static_fragments_title', lang)}</h1>" in answer.text
    assert ui("static_fragments_none", lang) in answer.text
    assert f'href="{LIVE_FRAGMENTS}"' in answer.text
    assert f'href="/dumps/?lang={lang}"' in answer.text
    assert '<meta name="robots" content="noindex">' in answer.text


def test_the_home_page_names_the_fragments_as_the_live_one_does(static_origin: str) -> None:
    """The same Link as `publisher serve` (tests/test_export_nginx.py compares the bytes); the
    URL it names answers through nginx."""
    with httpx.Client(base_url=static_origin) as http:
        home = http.get("/", headers={"Accept-Language": "ar"})
        link = home.headers["link"]
        assert link == f'<{static_origin}fragments>; rel="{HYDRA_SEARCH}"'
        named = http.get(link[1 : link.index(">")], headers={"Accept-Language": "ar"})
    assert named.status_code == 200 and named.headers["content-language"] == "ar"


def test_a_preflight_is_answered_as_the_live_fragments_answer_it(static_origin: str) -> None:
    """A script on another origin asks first, as of the live interface: 204 with its CORS."""
    with httpx.Client(base_url=static_origin) as http:
        answer = http.options(
            "/fragments",
            headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"},
        )
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["access-control-allow-methods"] == "GET, HEAD, OPTIONS"
    assert "Accept-Language" in answer.headers["access-control-allow-headers"]


def test_fragments_accepts_no_post(static_origin: str) -> None:
    with httpx.Client(base_url=static_origin) as http:
        assert http.post("/fragments", data={"subject": "x"}).status_code == 405


@pytest.mark.parametrize(
    ("path", "headers", "lang"),
    [
        ("/.well-known/void", {"Accept": "text/html", "Accept-Language": "ar"}, "ar"),
        ("/void.html?lang=ar", {}, "ar"),
        ("/validation", {"Accept": "text/html", "Accept-Language": "fr, en;q=0.5"}, "en"),
        ("/validation.html", {"Accept-Language": "ar"}, "ar"),
        ("/dumps/?lang=ar", {"Accept": "text/html"}, "ar"),
        ("/dumps/", {"Accept": "text/html", "Accept-Language": "en"}, "en"),
    ],
)
def test_discovery_pages_come_in_the_readers_language(
    static_origin: str, path: str, headers: dict[str, str], lang: str
) -> None:
    with httpx.Client(base_url=static_origin) as http:
        answer = http.get(path, headers=headers)
    assert answer.status_code == 200
    assert answer.headers["content-language"] == lang
    assert "Accept-Language" in answer.headers["vary"]
    assert f'<html lang="{lang}"' in answer.text


@pytest.mark.parametrize("path", ["/void.ar.html", "/validation.en.html", "/dumps/index.ar.html"])
def test_the_language_files_have_no_url(static_origin: str, path: str) -> None:
    with httpx.Client(base_url=static_origin) as http:
        assert http.get(path).status_code == 404


def test_rdf_of_the_descriptions_has_no_language(static_origin: str) -> None:
    with httpx.Client(base_url=static_origin) as http:
        answer = http.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    assert "content-language" not in answer.headers
    assert "accept-language" not in answer.headers["vary"].lower()


def test_without_a_live_interface_the_page_links_none(
    settings_and_data: tuple[Settings, Dataset],
) -> None:
    settings, dataset = settings_and_data
    urls = Urls(settings.base_iri, settings.origin)
    page = static_fragments_page(urls, "en", None, site_of(dataset, urls, "en")).decode()
    assert ui("static_fragments_none", "en") in page
    assert ui("static_fragments_live", "en") not in page
    assert "data.example.org" not in page


@pytest.mark.parametrize("value", ["ftp://data.example.org/fragments", "/fragments", "x.org"])
def test_a_live_fragments_that_is_no_web_address_is_refused(
    settings_and_data: tuple[Settings, Dataset], tmp_path: Path, value: str
) -> None:
    settings, dataset = settings_and_data
    with pytest.raises(ExportError, match="live fragments interface .* not an absolute http"):
        export_site(settings, dataset, tmp_path / "out", live_fragments=value)
    assert not (tmp_path / "out").exists()
