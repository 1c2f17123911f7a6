"""One HTTP contract per URL family (publisher.headers), kept by the server and by nginx alike.

For each family: the generated nginx configuration sends exactly the CORS, preflight and
Cache-Control headers the table gives it, and so does the live app (in process) for a sample
URL of the family. Neither side can drift from the table, so they cannot drift from each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi import FastAPI
from ld_support import Client, fixture_app, fixture_dataset, fixture_settings

from publisher import errors, headers
from publisher.discovery.void import Published
from publisher.documents.describe import ResourceNotFound
from publisher.errors import StoreError, StoreUnavailable
from publisher.export.nginx import NginxSite, preflight_headers, render_nginx
from publisher.formats import DOCUMENT_FORMATS, TURTLE
from publisher.headers import Family
from publisher.validation import NoShapes
from publisher.web.app import create_app
from publisher.web.errors import NotAcceptable, NotPublished, status_of
from publisher.web.routes import discovery
from publisher.web.routes.dumps import LISTING_FORMATS
from publisher.web.state import state_of_app

ALICE = "person/alice"
ORIGIN = "http://127.0.0.1:8765/"
ASKED = "Accept, Content-Type, X-Requested-With"


@dataclass
class Location:
    """The `add_header`s of one nginx location: its own, and those of its OPTIONS block."""

    headers: dict[str, str] = field(default_factory=dict)
    preflight: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def app() -> Iterator[FastAPI]:
    """The app, run without its lifespan: the SPARQL workers it starts on first use are
    stopped here."""
    with fixture_app() as app:
        yield app


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Client:
    return Client(app)


@pytest.fixture(scope="module")
def dump_name(app: FastAPI) -> str:
    state = state_of_app(app)
    return state.published.dumps(state.dataset, state.urls).files[0].name


@pytest.fixture(scope="module")
def rendered(app: FastAPI) -> dict[str, str]:
    """The nginx configuration of an export of the same dataset, file by file."""
    state = state_of_app(app)
    site = NginxSite(
        origin=ORIGIN,
        root="/srv/site",
        listen="127.0.0.1:8765",
        server_name="127.0.0.1",
        languages=("en", "ar"),
        default_language="en",
        max_age=state.settings.cache_max_age,
        document_formats=DOCUMENT_FORMATS,
        listing_formats=LISTING_FORMATS,
        dumps=tuple(state.published.dumps(state.dataset, state.urls).files),
        checksums_sha256="0" * 64,
    )
    return render_nginx(site)


@pytest.fixture(scope="module")
def locations(rendered: dict[str, str]) -> dict[str, Location]:
    """site.conf, location by location."""
    return parse_locations(rendered["site.conf"])


def vary_tokens(value: str, conneg: str) -> set[str]:
    """A Vary header's tokens; a `$pub_…_vary` variable is read from its conneg.conf map
    (its default: what a non-HTML variant sends; the HTML one adds Accept-Language)."""
    if value.startswith("$"):
        mapped = conneg[conneg.index(f"{value} {{") :].split("}", 1)[0]
        value = re.search(r'default "([^"]*)";', mapped).group(1)  # type: ignore[union-attr]
    return {t.strip() for t in value.split(",")}


def parse_locations(config: str) -> dict[str, Location]:
    """`location X {…}` → its headers; those inside `if ($request_method = OPTIONS)` apart,
    those inside any other `if` (the 406) left out."""
    found: dict[str, Location] = {}
    current: Location | None = None
    block: str | None = None
    for line in config.splitlines():
        text = line.strip()
        if match := re.match(r"location (.+) \{$", text):
            current, block = found.setdefault(match.group(1), Location()), None
        elif current is not None and text.startswith("if ("):
            block = "preflight" if "$request_method = OPTIONS" in text else "other"
        elif current is not None and text == "}":
            if block is None:
                current = None
            block = None
        elif current is not None and (
            match := re.match(r"add_header (\S+) (.+?)( always)?;$", text)
        ):
            name, value = match.group(1), match.group(2).strip("\"'")
            if block == "preflight":
                current.preflight[name] = value
            elif block is None:
                current.headers[name] = value
    return found


SECURITY_IN_NGINX = {**headers.SECURITY_HEADERS, "Content-Security-Policy": "$pub_csp"}
"""The security headers in every nginx block (the CSP through a conneg.conf map: HTML only)."""


def security_of(given: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in given.items() if name in SECURITY_IN_NGINX}


def without_security(given: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in given.items() if name not in SECURITY_IN_NGINX}


def cors_of(given: dict[str, str] | httpx.Headers) -> dict[str, str]:
    return {
        name.title(): value
        for name, value in given.items()
        if name.lower().startswith("access-control-")
    }


def titled(family_headers: dict[str, str]) -> dict[str, str]:
    return {name.title(): value for name, value in family_headers.items()}


# (nginx location, family, negotiated): every kind of location that answers for a family.
NGINX_LOCATIONS: list[tuple[str, Family, bool]] = [
    ("= /", headers.PAGES, False),
    ("= /sparql", headers.SPARQL, False),
    ("= /robots.txt", headers.DISCOVERY, False),
    ('~ "^/sitemap(?:-[0-9]+)?\\.xml$"', headers.DISCOVERY, False),
    ('~ "^/(?:\\.well-known/void|void)$"', headers.DISCOVERY, True),
    ('~ "^/validation\\.(?:ttl|jsonld|nt|nq|rdf|html)$"', headers.DISCOVERY, False),
    ("= /dumps/", headers.DUMP_INDEX, True),
    ("= /dumps/SHA256SUMS", headers.DUMP_INDEX, False),
    ("= /dumps/{dump}", headers.DUMP_FILES, False),
    ("= /dumps/latest.{suffix}", headers.DUMP_ALIASES, False),
    ("= /context.jsonld", headers.DOCUMENTS, False),
    ('~ "^/id/(?<pub_stem>.+)$"', headers.REDIRECTS, True),
    ('~ "^/doc/(?<pub_stem>.+)\\.ttl$"', headers.DOCUMENTS, False),
    ('~ "^/def/(?<pub_stem>.+)$"', headers.DOCUMENTS, False),  # Vary: a map, tested below
    ("= /_errors/404.json", headers.ERRORS, True),
    ("= /_errors/405.json", headers.ERRORS, False),
]
NOT_CACHED_HERE = {"= /sparql"}
"""The static /sparql is the query page, not a query's answer: no validator, no Cache-Control
(the live page without a query has none either)."""


@pytest.mark.parametrize(
    ("where", "family", "negotiated"), NGINX_LOCATIONS, ids=[w for w, _, _ in NGINX_LOCATIONS]
)
def test_nginx_sends_what_the_table_says(
    locations: dict[str, Location],
    rendered: dict[str, str],
    dump_name: str,
    where: str,
    family: Family,
    negotiated: bool,
) -> None:
    suffix = dump_name.split(".", 1)[1]
    location = locations[where.format(dump=dump_name, suffix=suffix)]
    assert cors_of(location.headers) == titled(family.cors())
    assert without_security(location.preflight) == preflight_headers(family)
    if location.preflight:
        assert security_of(location.preflight) == SECURITY_IN_NGINX
    if where not in NOT_CACHED_HERE:
        assert location.headers.get("Cache-Control") == family.cache_control(3600)
    if negotiated:
        vary = vary_tokens(location.headers["Vary"], rendered["conneg.conf"])
        assert vary.issuperset(family.vary)


def test_nginx_documents_vary_as_the_table_says(app: FastAPI) -> None:
    """The negotiated document's Vary comes from a conneg.conf map built from the table."""
    state = state_of_app(app)
    site = NginxSite(
        origin=ORIGIN,
        root="/srv/site",
        listen="127.0.0.1:8765",
        server_name="127.0.0.1",
        languages=("en", "ar"),
        default_language="en",
        max_age=state.settings.cache_max_age,
        document_formats=DOCUMENT_FORMATS,
        listing_formats=LISTING_FORMATS,
    )
    conneg = render_nginx(site)["conneg.conf"]
    vary_map = conneg[conneg.index("$pub_doc_vary {") :].split("}", 1)[0]
    assert f'default "{", ".join(headers.DOCUMENTS.vary)}";' in vary_map
    assert f'"html" "{", ".join((*headers.DOCUMENTS.vary, "Accept-Language"))}";' in vary_map


# (method, target, request headers, family, negotiated): a sample request of every family.
LIVE: list[tuple[str, str, dict[str, str], Family, bool]] = [
    ("GET", f"/doc/{ALICE}", {"Accept": TURTLE.media_type}, headers.DOCUMENTS, True),
    ("GET", f"/doc/{ALICE}.ttl", {}, headers.DOCUMENTS, False),
    ("GET", "/context.jsonld", {}, headers.DOCUMENTS, False),
    ("GET", f"/id/{ALICE}", {"Accept": TURTLE.media_type}, headers.REDIRECTS, True),
    ("GET", "/?lang=en", {"Accept": "text/html"}, headers.PAGES, False),
    ("GET", "/.well-known/void", {"Accept": TURTLE.media_type}, headers.DISCOVERY, True),
    ("GET", "/robots.txt", {}, headers.DISCOVERY, False),
    ("GET", "/sitemap.xml", {}, headers.DISCOVERY, False),
    ("GET", "/dumps/", {"Accept": "application/json"}, headers.DUMP_INDEX, True),
    ("GET", "/dumps/SHA256SUMS", {}, headers.DUMP_INDEX, False),
    ("GET", "/dumps/{dump}", {}, headers.DUMP_FILES, False),
    ("GET", "/dumps/latest.{suffix}", {}, headers.DUMP_ALIASES, False),
    ("GET", "/sparql", {"Accept": TURTLE.media_type}, headers.SPARQL, True),
    ("GET", "/nothing/here", {"Accept": "application/json"}, headers.ERRORS, True),
    ("GET", "/static/style.css", {}, headers.STATIC, False),
    ("GET", "/health", {}, headers.HEALTH, False),
]


@pytest.mark.parametrize(
    ("method", "target", "sent", "family", "negotiated"),
    LIVE,
    ids=[f"{m} {t} {f.name}" for m, t, _, f, _ in LIVE],
)
def test_the_app_sends_what_the_table_says(
    app: FastAPI,
    client: Client,
    dump_name: str,
    method: str,
    target: str,
    sent: dict[str, str],
    family: Family,
    negotiated: bool,
) -> None:
    url = target.format(dump=dump_name, suffix=dump_name.split(".", 1)[1])
    response = client.request(method, url, headers=sent)
    assert response.status_code < 500
    assert cors_of(response.headers) == titled(family.cors())
    max_age = state_of_app(app).settings.cache_max_age
    assert response.headers.get("cache-control") == family.cache_control(max_age)
    vary = {t.strip() for t in response.headers.get("vary", "").split(",")}
    if negotiated:
        assert vary.issuperset(family.vary)
    for name, value in headers.SECURITY_HEADERS.items():
        assert response.headers.get(name) == value
    is_html = response.headers.get("content-type", "").startswith("text/html")
    csp = response.headers.get("content-security-policy")
    assert csp == (headers.CONTENT_SECURITY_POLICY if is_html else None)


def test_every_nginx_block_with_headers_has_the_security_headers(
    locations: dict[str, Location], app: FastAPI
) -> None:
    """nginx gives a block the add_headers of its parent only when it has none of its own:
    every block (server, location, if) that adds a header adds the security ones too."""
    state = state_of_app(app)
    site = NginxSite(
        origin=ORIGIN,
        root="/srv/site",
        listen="127.0.0.1:8765",
        server_name="127.0.0.1",
        languages=("en", "ar"),
        default_language="en",
        max_age=state.settings.cache_max_age,
        document_formats=DOCUMENT_FORMATS,
        listing_formats=LISTING_FORMATS,
        sparql_endpoint="https://example.org/sparql",
    )
    config = render_nginx(site)
    blocks: list[list[str]] = []
    stack: list[list[str]] = []
    for line in config["site.conf"].splitlines():
        text = line.strip()
        if text.endswith("{") and not text.startswith(("types", "map")):
            stack.append([text])
        elif text.endswith("{"):
            stack.append(["(ignored)"])
        elif text == "}" and stack:
            blocks.append(stack.pop())
        elif stack and text.startswith("add_header "):
            stack[-1].append(text.split()[1])
    with_headers = [b for b in blocks if len(b) > 1]
    assert len(with_headers) > 20
    for block in with_headers:
        assert set(SECURITY_IN_NGINX) <= set(block[1:]), block[0]
    csp_map = config["conneg.conf"].split("$pub_csp {", 1)[1].split("}", 1)[0]
    assert f'"~^text/html" "{headers.CONTENT_SECURITY_POLICY}";' in csp_map


PREFLIGHT_SAMPLES = [
    (f"/doc/{ALICE}", headers.DOCUMENTS),
    (f"/id/{ALICE}", headers.REDIRECTS),
    ("/.well-known/void", headers.DISCOVERY),
    ("/robots.txt", headers.DISCOVERY),
    ("/dumps/", headers.DUMP_INDEX),
    ("/sparql", headers.SPARQL),
]


@pytest.mark.parametrize(("target", "family"), PREFLIGHT_SAMPLES)
def test_the_apps_preflight_is_the_tables(client: Client, target: str, family: Family) -> None:
    response = client.request(
        "OPTIONS",
        target,
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": ASKED,
        },
    )
    assert response.status_code == 204
    assert family.preflight is not None
    expected = family.preflight.headers(ASKED)
    assert {k: response.headers.get(k) for k in expected} == expected


def test_a_family_without_preflight_refuses_options(client: Client) -> None:
    assert headers.PAGES.preflight is None
    assert (
        client.request("OPTIONS", "/", headers={"Origin": "https://x.example"}).status_code == 405
    )


# --- errors: one exception → status map -------------------------------------------------------


def unavailable(*args: object, **kwargs: object) -> None:
    raise StoreUnavailable("http://sparql.example/", "timed out", retry_after=7)


@pytest.mark.parametrize(
    ("target", "patched"),
    [
        ("/validation", (discovery, "validate_dataset")),
        ("/.well-known/void", (Published, "description")),
        ("/sitemap.xml", (Published, "statistics")),
    ],
)
def test_a_store_outage_on_a_discovery_url_is_503(
    monkeypatch: pytest.MonkeyPatch, target: str, patched: tuple[object, str]
) -> None:
    """Not a 404: the resource exists, the SPARQL server behind it is down for a while."""
    monkeypatch.setattr(*patched, unavailable)
    settings = fixture_settings()
    client = Client(create_app(settings, fixture_dataset(settings)))
    response = client.get(target, accept="text/turtle")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "7"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 503
    assert cors_of(response.headers) == titled(headers.ERRORS.cors())


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (StoreUnavailable("x", "down"), 503),
        (StoreError("x", 500, "boom"), 502),
        (ResourceNotFound("https://data.example.org/ld/id/x"), 404),
        (NotPublished("no such page"), 404),
        (NotAcceptable(()), 406),
        (errors.NotAcceptable("results", ["text/csv"]), 406),
        (errors.MalformedQuery("bad", 1, 1, "SELEC"), 400),
        (errors.QueryTooLong(10, 5), 413),
        (errors.UnsupportedMediaType("text/plain"), 415),
        (errors.EndpointBusy(2, 1), 503),
        (errors.QueryTimeout(1.0), 503),
        (NoShapes(), 500),  # a route that may have no report says so (NotPublished)
        (ValueError("a bug"), 500),
    ],
)
def test_every_error_has_one_status(error: BaseException, status: int) -> None:
    assert status_of(error) == status
