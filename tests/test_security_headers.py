"""Headers every answer carries: nosniff and Referrer-Policy everywhere, a Content-Security-Policy
on every HTML page (which the pages can live with: no inline script, style or event handler),
and Retry-After on every 503.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator

import lxml.html
import pytest
from fastapi import FastAPI
from ld_support import Client, fixture_app

from publisher import errors
from publisher.headers import CONTENT_SECURITY_POLICY, SECURITY_HEADERS
from publisher.urls import Urls
from publisher.web.errors import DEFAULT_RETRY_AFTER, describe
from publisher.web.response_headers import completed

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
HTML_PAGES = [
    "/",
    "/concepts",
    "/sparql",
    "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%205",
    "/sparql?query=SELEC",
    "/doc/person/alice",
    "/doc/person/alice.html",
    "/def/tst",
    "/dumps/",
    "/.well-known/void",
    "/validation",
    "/nothing/here",  # the 404 page
    "/doc/person/nobody",
]
OTHER = [
    ("/doc/person/alice.ttl", "text/turtle"),
    ("/sparql?query=ASK%7B%7D", "application/sparql-results+json"),
    ("/static/style.css", "text/css"),
    ("/static/sparql.js", "*/*"),
    ("/robots.txt", "*/*"),
    ("/api/openapi.json", "*/*"),
    ("/nothing/here", "application/json"),
    ("/health", "*/*"),
]


@pytest.fixture(scope="module")
def app() -> Iterator[FastAPI]:
    with fixture_app() as app:
        yield app


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Client:
    return Client(app)


@pytest.mark.parametrize("path", HTML_PAGES)
def test_html_pages_have_the_policy_and_nothing_it_blocks(client: Client, path: str) -> None:
    response = client.get(path, accept=BROWSER)
    assert response.status_code < 500
    assert response.headers["content-type"].startswith("text/html"), path
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    page = lxml.html.fromstring(response.content)
    for script in page.iter("script"):
        if script.get("src") is None:  # inline: only data blocks, which never run
            assert script.get("type") == "application/ld+json", path
    assert not page.xpath("//style"), path
    assert not page.xpath("//@style"), path
    handlers = [a for e in page.iter() for a in e.attrib if a.lower().startswith("on")]
    assert handlers == [], path
    assert not page.xpath("//@href[starts-with(normalize-space(.), 'javascript:')]"), path


@pytest.mark.parametrize(("path", "accept"), OTHER)
def test_every_answer_has_nosniff_and_a_referrer_policy(
    client: Client, path: str, accept: str
) -> None:
    response = client.get(path, accept=accept)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, path
    assert "content-security-policy" not in response.headers, path


def test_the_api_docs_page_allows_its_own_inline_script_by_hash(client: Client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    page = lxml.html.fromstring(response.content)
    inline = [s.text or "" for s in page.iter("script") if s.get("src") is None]
    assert inline
    for text in inline:
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy


# --- 503: always with Retry-After ---------------------------------------------------------------

URLS = Urls("https://data.example.org/ld/", "http://127.0.0.1:8765/")


@pytest.mark.parametrize(
    ("error", "seconds"),
    [
        (errors.WorkerCrashed(), DEFAULT_RETRY_AFTER),
        (errors.QueryTimeout(2.0), DEFAULT_RETRY_AFTER),
        (errors.EndpointBusy(2, 7), 7),
        (errors.StoreUnavailable("x", "down", retry_after=9), 9),
    ],
)
def test_every_503_problem_says_when_to_retry(error: Exception, seconds: int) -> None:
    said = describe(error, "GET", None, URLS)
    assert said.status == 503
    assert said.headers["Retry-After"] == str(seconds)


def test_a_503_without_retry_after_gets_one_and_others_keep_theirs() -> None:
    bare = completed(503, [(b"content-type", b"application/json")])
    assert (b"retry-after", str(DEFAULT_RETRY_AFTER).encode()) in bare
    own = completed(503, [(b"retry-after", b"30")])
    assert [v for k, v in own if k == b"retry-after"] == [b"30"]
    assert not [k for k, _ in completed(200, []) if k == b"retry-after"]
