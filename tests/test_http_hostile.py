"""A corpus of hostile requests, sent to the app as uvicorn would hand them over.

Path traversal on /dumps/, /static/ and the documents (`..`, `%2e%2e`, `%2f`, double encoding,
NUL, absolute paths), a 100 KB path and headers, bidi overrides, malformed Accept,
Accept-Language, Range, If-None-Match and dates, every method on every route of the app (read
from the app). Expected every time: no 5xx (but a documented 503, with Retry-After), the
documented status, no byte of a file outside the served folders; script payloads in the path,
the query and SPARQL error messages are escaped on every HTML page.

Requests are built as ASGI scopes (no HTTP client in between), so a path reaches the app exactly
as the server decodes it: `%2f` is a `/` by then, and nothing normalises `..` away.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import anyio
import pytest
from fastapi import FastAPI
from ld_support import fixture_app, route_paths

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW")
# What would show that a file outside the served folders was read.
OUTSIDE = (b"[project]", b"root:x:0:0", b"def create_app", b"BaseSettings", b"PRIVATE KEY")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def app() -> Iterator[FastAPI]:
    with fixture_app() as app:
        yield app


def call(
    app: FastAPI,
    target: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> Answer:
    """One request as uvicorn builds its scope: raw path, percent-decoded path, raw query."""
    raw_path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "server": ("127.0.0.1", 8765),
        "client": ("127.0.0.1", 4000),
        "root_path": "",
        "path": unquote(raw_path),  # as uvicorn decodes it (bad UTF-8 becomes U+FFFD)
        "raw_path": raw_path.encode("latin-1", errors="replace"),
        "query_string": query.encode("latin-1", errors="replace"),
        "headers": [
            (k.lower().encode("latin-1"), v.encode("utf-8"))
            for k, v in {"host": "127.0.0.1:8765", **(headers or {})}.items()
        ],
        "state": {},
    }
    sent: list[MutableMapping[str, Any]] = []
    delivered = False

    async def receive() -> MutableMapping[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def go() -> None:
        with anyio.fail_after(30):
            await app(scope, receive, send)

    anyio.run(go)
    start = next(m for m in sent if m["type"] == "http.response.start")
    raw_headers = start.get("headers", [])
    assert isinstance(raw_headers, list)
    out = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw_headers}
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    status = start["status"]
    assert isinstance(status, int)
    return Answer(status, out, content)


def assert_safe(answer: Answer, where: str) -> None:
    """No 5xx but a 503 that says when to retry; nothing from outside the served folders."""
    if answer.status == 503:
        assert "retry-after" in answer.headers, where
    else:
        assert answer.status < 500, f"{where}: {answer.status} {answer.text[:300]}"
    for marker in OUTSIDE:
        assert marker not in answer.body, where


# --- path traversal -----------------------------------------------------------------------------

TRAVERSALS = [
    f"{prefix}{attack}"
    for prefix in ("/dumps/", "/static/", "/doc/", "/id/", "/def/", "/")
    for attack in (
        "../pyproject.toml",
        "../../pyproject.toml",
        "%2e%2e/%2e%2e/pyproject.toml",
        "..%2f..%2fpyproject.toml",
        "%2e%2e%2f%2e%2e%2fpublisher%2fconfig.py",
        "%252e%252e%252f%252e%252e%252fpyproject.toml",
        "..%5c..%5cpyproject.toml",
        "%c0%ae%c0%ae/%c0%ae%c0%ae/pyproject.toml",
        "/etc/passwd",
        "%2fetc%2fpasswd",
        "....//....//etc/passwd",
        "style.css%00.js",
        "%00",
        "web/app.py",
        "../web/app.py",
        "file:///etc/passwd",
    )
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_no_traversal_reads_a_file_outside(app: FastAPI, target: str) -> None:
    for accept in ("*/*", BROWSER):
        answer = call(app, target, headers={"accept": accept})
        assert_safe(answer, target)
        assert answer.status in (400, 404, 405, 406, 307), f"{target}: {answer.status}"


def test_served_files_are_still_served(app: FastAPI) -> None:
    assert call(app, "/static/style.css").status == 200
    assert call(app, "/dumps/SHA256SUMS").status == 200


# --- sizes and strange characters ---------------------------------------------------------------

LONG = "a" * 100_000
ODD_PATHS = [
    "/doc/" + LONG,
    "/id/" + LONG,
    "/dumps/" + LONG,
    "/static/" + LONG,
    "/" + LONG,
    "/?lang=" + LONG,
    "/sparql?query=" + LONG,
    "/doc/person/%E2%80%AEecila",  # right-to-left override
    "/id/%E2%80%AEperson%E2%80%AC/alice",
    "/?lang=%E2%80%AEar",
    "/doc/person/alice?lang=%00",
    "/doc/person/%ff%fe",
    "/doc/person/alice.%E2%80%AEltt",
    "/sitemap-99999999999999999999.xml",
    "/sitemap--1.xml",
    "/void.%00",
    "/dumps/latest.%2e%2e",
]


@pytest.mark.parametrize("target", ODD_PATHS, ids=lambda t: t[:60])
def test_odd_paths_get_a_client_error(app: FastAPI, target: str) -> None:
    for accept in ("text/turtle", BROWSER, "application/json"):
        answer = call(app, target, headers={"accept": accept})
        assert_safe(answer, target[:80])


HEADER_VALUES = {
    "accept": [
        "",
        ",,,",
        ";;;",
        "text/html;q=abc",
        "*/*;q=-1",
        "text/turtle;q=1.5",
        "text/;q=1",
        "/",
        "*/html",
        "text/turtle;" + "a=b;" * 2000,
        "x" * 100_000,
        "\u202etext/html",
        "text/html;q=0, */*;q=0",
        "image/png",
    ],
    "accept-language": ["", "*;q=x", "ar-;q=", "-", "xx" * 50_000, "\u202ear", "en;q=1e999"],
    "if-none-match": ['"', "W/", '*, "x"', '"' + "x" * 100_000 + '"', "W/W/W/", ","],
    "if-modified-since": ["yesterday", "Sun, 99 Nov 1994 08:49:37 GMT", "0", "-1" * 1000],
    "accept-encoding": ["gzip;q=x", "*;q=-1", "," * 1000],
}


@pytest.mark.parametrize(
    ("name", "value"),
    [(n, v) for n, values in HEADER_VALUES.items() for v in values],
    ids=lambda v: str(v)[:30],
)
def test_malformed_headers_never_break_an_answer(app: FastAPI, name: str, value: str) -> None:
    for target in ("/", "/doc/person/alice", "/id/person/alice", "/dumps/", "/sparql?query=ASK{}"):
        answer = call(app, target, headers={name: value})
        assert_safe(answer, f"{target} {name}")
        if name == "accept" and answer.status >= 400 and target != "/sparql?query=ASK{}":
            assert answer.status in (404, 406), f"{target} {name}={value[:40]}"


RANGES = [
    "bytes=abc",
    "bytes=5-1",
    "bytes=999999999999-",
    "bytes=-0",
    "bytes=0-0," * 300,
    "items=0-1",
    "bytes=",
    "bytes=-",
    "bytes=--1",
    "bytes=0-18446744073709551616",
]


@pytest.mark.parametrize("value", RANGES, ids=lambda v: v[:30])
def test_malformed_ranges_get_the_whole_file_or_416(app: FastAPI, value: str) -> None:
    for target in ("/dumps/SHA256SUMS", "/static/style.css"):
        answer = call(app, target, headers={"range": value})
        assert_safe(answer, f"{target} {value[:30]}")
        assert answer.status in (200, 206, 400, 416), f"{target} {value[:30]}: {answer.status}"


# --- every method on every route ----------------------------------------------------------------


def test_every_method_on_every_route(app: FastAPI) -> None:
    paths = route_paths(app)
    assert len(paths) > 15
    for path in paths:
        for method in METHODS:
            answer = call(app, path, method, headers={"accept": "*/*"})
            where = f"{method} {path}"
            assert_safe(answer, where)
            if answer.status == 405:
                assert answer.headers.get("allow"), where
                assert method not in answer.headers["allow"].split(", "), where
            if method in ("TRACE", "BREW", "PUT", "DELETE", "PATCH"):
                assert answer.status in (404, 405), f"{where}: {answer.status}"


# --- script payloads are escaped on HTML pages --------------------------------------------------

PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "</title><svg/onload=1>"]


def unescaped(payload: str, page: str) -> bool:
    return payload in page or "<img src=x" in page or "<svg/onload" in page


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_paths_and_queries_are_escaped(app: FastAPI, payload: str) -> None:
    from urllib.parse import quote

    encoded = quote(payload, safe="")
    targets = [
        f"/{encoded}",
        f"/doc/{encoded}",
        f"/id/{encoded}",
        f"/doc/person/{encoded}.html",
        f"/?lang={encoded}",
        f"/concepts?lang={encoded}",
        f"/doc/person/alice?lang={encoded}",
        f"/sparql?query={encoded}",
        f"/sparql?query=SELECT%20*%20WHERE%20%7B%20{encoded}%20%7D",
        f"/sparql?query=ASK%7B%7D&default-graph-uri={encoded}",
        f"/dumps/?x={encoded}",
        f"/nothing?{encoded}={encoded}",
    ]
    for target in targets:
        answer = call(app, target, headers={"accept": BROWSER})
        assert_safe(answer, target)
        if answer.headers.get("content-type", "").startswith("text/html"):
            assert not unescaped(payload, answer.text), target


def test_a_sparql_syntax_error_on_the_page_is_escaped(app: FastAPI) -> None:
    query = "SELECT * WHERE { ?s ?p <script>alert(1)</script> }"
    body = ("query=" + query).encode()
    answer = call(
        app,
        "/sparql",
        "POST",
        headers={"accept": BROWSER, "content-type": "application/x-www-form-urlencoded"},
        body=body,
    )
    assert_safe(answer, "POST /sparql")
    if answer.headers.get("content-type", "").startswith("text/html"):
        assert "<script>alert(1)" not in answer.text
