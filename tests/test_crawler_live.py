"""Integration tests against a real server: `publisher serve` (uvicorn) on a free loopback port.

A crawler (tests/crawler.py) starts at the home page and at /.well-known/void, follows every
link into the namespace with each RDF Accept type and with text/html, follows the 303s, parses
every body and must reach every resource of the dataset with no error. The other tests check
the HTTP contract one feature at a time on the same server: conditional GET, HEAD, 406, 404,
CORS, Range and gzip. The server keeps the default base IRI (w3id.org), so every body must have
it rewritten to the loopback origin.

The crawler's own checks are tested first, against a fake site (httpx.MockTransport), so that a
crawl that finds nothing wrong means something.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import lxml.etree
import lxml.html
import pyoxigraph as ox
import pytest
from crawler import (
    ACCEPTS,
    EXTENSIONS,
    HTML,
    RDF_MEDIA_TYPES,
    TURTLE,
    Crawler,
    CrawlResult,
    Problem,
)

from publisher.config import PROJECT_ROOT
from publisher.dataset import Dataset

CANONICAL = "https://w3id.org/gcm-arab-review/"
IS_REPLACED_BY = ox.NamedNode("http://purl.org/dc/terms/isReplacedBy")
STARTUP_LIMIT = 120.0  # seconds to wait for /health before giving up (not an assertion)
MAX_REQUESTS = 8_000  # the crawl makes about 3 900; a loop would hit this bound
PERSON = "id/person/nasser-bourita"
PERSON_DOC = "doc/person/nasser-bourita"
UNKNOWN = "id/person/nobody-of-that-name"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
UNSATISFIABLE = "application/x-unknown-format, image/png;q=0.5"

KNOWN_BUGS: set[tuple[str, str, str]] = set()
"""(problem kind, path, Accept) the crawl is allowed to find: none."""


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`publisher serve` on a free loopback port (validation included, as in production),
    default base IRI; yields `http://127.0.0.1:PORT/` and stops the server afterwards."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUBLISHER_")}
    env["PUBLISHER_DUMP_DIR"] = str(tmp_path_factory.mktemp("dumps"))
    log = tmp_path_factory.mktemp("server") / "serve.log"
    command = [sys.executable, "-m", "publisher", "serve", "--host", "127.0.0.1"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}/"
            _wait_for_health(url, process, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_health(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(url + "health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"no answer from /health:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def client(origin: str) -> Iterator[httpx.Client]:
    """Redirects are not followed: every 303 is checked, not hidden."""
    with httpx.Client(base_url=origin, follow_redirects=False, timeout=60) as http:
        yield http


@pytest.fixture(scope="module")
def crawl(client: httpx.Client, origin: str) -> CrawlResult:
    """One crawl shared by the tests that read it: from the home page (as a browser) and from
    the VoID description (in every format)."""
    crawler = Crawler(client, origin, max_requests=MAX_REQUESTS, canonical_base=CANONICAL)
    seeds = [("/", HTML), *(("/.well-known/void", accept) for accept in ACCEPTS)]
    return crawler.crawl(seeds)


@pytest.fixture(scope="module")
def expected(dataset: Dataset, origin: str) -> set[str]:
    """Every resource of the dataset: each subject IRI under {base}id/, on the server origin,
    but the moved ones (they redirect: `test_a_moved_iri_redirects_permanently`)."""
    prefix = CANONICAL + "id/"
    moved = {q.subject for q in dataset.store.quads_for_pattern(None, IS_REPLACED_BY, None)}
    subjects = {
        quad.subject.value
        for quad in dataset.store.quads_for_pattern(None, None, None)
        if isinstance(quad.subject, ox.NamedNode)
        and quad.subject.value.startswith(prefix)
        and quad.subject not in moved
    }
    return {origin + iri[len(CANONICAL) :] for iri in subjects}


@pytest.fixture(scope="module")
def dump(client: httpx.Client) -> dict[str, object]:
    """The uncompressed Turtle dump as the /dumps/ listing describes it."""
    listing = client.get("/dumps/", headers={"Accept": "application/json"}).json()
    return next(f for f in listing["files"] if f["name"].endswith(".ttl"))


# --- the crawler catches what it should (a fake site, no server) -------------------------------

FAKE = "http://fake.test/"
GOOD_TTL = b"<http://fake.test/id/a> <http://fake.test/def/v#p> <http://fake.test/id/a> .\n"


def fake_site(overrides: dict[str, httpx.Response]) -> Callable[[httpx.Request], httpx.Response]:
    """A one-thing site that is right everywhere except where `overrides` says
    (keys `PATH` or `PATH ACCEPT`)."""

    def handle(request: httpx.Request) -> httpx.Response:
        path, accept = request.url.path, request.headers.get("accept", "")
        for key in (f"{path} {accept}", path):
            if key in overrides:
                return overrides[key]
        if path == "/":
            return httpx.Response(
                200, headers={"content-type": "text/html"}, content=b'<a href="/id/a">a</a>'
            )
        if path == "/id/a":
            location = f"{FAKE}doc/a.{EXTENSIONS[accept]}"
            return httpx.Response(303, headers={"location": location, "vary": "Accept"})
        if path.startswith("/doc/a."):
            media = {v: k for k, v in EXTENSIONS.items()}[path.rsplit(".", 1)[1]]
            body = fake_body(media)
            return httpx.Response(200, headers={"content-type": media, "etag": '"1"'}, content=body)
        if path == "/def/v":
            headers = {"content-type": accept, "etag": '"2"', "vary": "Accept"}
            return httpx.Response(200, headers=headers, content=fake_body(accept))
        return httpx.Response(404)

    return handle


def fake_body(media: str) -> bytes:
    if media == HTML:
        return b'<html><body><a href="/">home</a></body></html>'
    if media == "application/ld+json":
        triple = {"@id": f"{FAKE}id/a", f"{FAKE}def/v#p": {"@id": f"{FAKE}id/a"}}
        return json.dumps(triple).encode()
    fmt = {
        "text/turtle": ox.RdfFormat.TURTLE,
        "application/n-triples": ox.RdfFormat.N_TRIPLES,
        "application/n-quads": ox.RdfFormat.N_QUADS,
        "application/rdf+xml": ox.RdfFormat.RDF_XML,
    }[media]
    return ox.serialize(ox.parse(GOOD_TTL, ox.RdfFormat.TURTLE), format=fmt)


def fake_crawl(
    overrides: dict[str, httpx.Response],
    max_requests: int = 100,
    canonical_base: str | None = None,
) -> CrawlResult:
    transport = httpx.MockTransport(fake_site(overrides))
    with httpx.Client(transport=transport, follow_redirects=False) as http:
        crawler = Crawler(http, FAKE, max_requests=max_requests, canonical_base=canonical_base)
        return crawler.crawl([("/", HTML)])


def tokens(header: str | None) -> set[str]:
    """A list header as a set (`Vary: Accept, Accept` is sloppy, not wrong)."""
    return {part.strip().lower() for part in (header or "").split(",") if part.strip()}


def kinds(result: CrawlResult) -> set[str]:
    return {problem.kind for problem in result.problems}


def test_the_fake_site_is_crawled_cleanly() -> None:
    result = fake_crawl({})
    assert [str(p) for p in result.problems] == []
    assert result.reached_things() == {FAKE + "id/a"}
    assert FAKE + "id/a" in result.reachable(FAKE, "html")
    assert (FAKE + "def/v", TURTLE) in result.fetches  # predicates are followed too


@pytest.mark.parametrize(
    ("overrides", "kind"),
    [
        ({"/id/a text/turtle": httpx.Response(303, headers={"location": f"{FAKE}doc/a.nt"})},
         "redirect"),
        ({"/id/a text/turtle": httpx.Response(303, headers={"location": f"{FAKE}doc/a.ttl"})},
         "vary"),
        ({"/doc/a.ttl": httpx.Response(200, headers={"content-type": "text/plain", "etag": "1"})},
         "content-type"),
        ({"/doc/a.nt": httpx.Response(200, headers={"content-type": "application/n-triples"},
                                      content=b"<a> <b> <c> .\n")}, "etag"),
        ({"/doc/a.rdf": httpx.Response(200, headers={"content-type": "application/rdf+xml",
                                                     "etag": "1"}, content=b"<rdf")}, "parse"),
        ({"/doc/a.nq": httpx.Response(500)}, "status"),
        ({"/doc/a.nt": httpx.Response(200, headers={"content-type": "application/n-triples",
                                                    "etag": "1"}, content=b"")}, "formats"),
        ({"/doc/a.ttl": httpx.Response(200, headers={"content-type": "text/turtle", "etag": "1"},
                                       content=b"<http://canon.test/id/a> a <x:C> .")},
         "canonical"),
        ({"/doc/a.html": httpx.Response(200, headers={"content-type": "text/html", "etag": "1"},
                                        content=b'<a href="http://canon.test/id/a">a</a>')},
         "canonical"),
    ],
)  # fmt: skip
def test_the_crawler_reports(overrides: dict[str, httpx.Response], kind: str) -> None:
    result = fake_crawl(overrides, canonical_base="http://canon.test/")
    assert kind in kinds(result), [str(p) for p in result.problems]


def test_a_thing_with_a_broken_format_is_not_reached() -> None:
    result = fake_crawl({"/doc/a.nq": httpx.Response(500)})
    assert result.reached_things() == set()


def test_the_crawl_is_bounded() -> None:
    result = fake_crawl({}, max_requests=3)
    assert "bound" in kinds(result)
    assert result.requests == 3


def test_the_crawler_stays_on_the_origin() -> None:
    outside = b'<a href="http://elsewhere.test/id/a">x</a><a href="/id/a">a</a>'
    page = httpx.Response(200, headers={"content-type": "text/html"}, content=outside)
    result = fake_crawl({"/": page})
    assert all(url.startswith(FAKE) for url, _ in result.fetches)


# --- the crawl of the live server --------------------------------------------------------------


def _known(problem: Problem) -> bool:
    return (problem.kind, urlsplit(problem.url).path, problem.accept) in KNOWN_BUGS


def test_the_crawl_finds_no_problem(crawl: CrawlResult) -> None:
    problems = [str(p) for p in crawl.problems if not _known(p)]
    assert problems == []
    assert MAX_REQUESTS > crawl.requests > 1000


def test_every_resource_dereferences_in_every_format(
    crawl: CrawlResult, expected: set[str]
) -> None:
    """Each /id/ IRI answered 303 to each of the six Accept values, to a 200 document."""
    assert crawl.origin + PERSON in expected and len(expected) > 100  # the real dataset
    assert expected - crawl.reached_things() == set()


def test_rdf_links_alone_reach_every_resource(crawl: CrawlResult, expected: set[str]) -> None:
    """From the VoID description, following only IRIs of RDF bodies (and the 303s)."""
    reached = crawl.reachable(crawl.origin + ".well-known/void", "rdf")
    assert expected - reached == set()


def test_html_links_alone_reach_every_resource(crawl: CrawlResult, expected: set[str]) -> None:
    """From the home page, following only `<a href>` (and the 303s), a browser finds each
    thing's page (or its /id/ IRI)."""
    origin = crawl.origin
    pages = set()
    for url in crawl.reachable(origin, "html"):
        path = urlsplit(url).path
        if path.startswith("/doc/") and path.endswith(".html"):
            pages.add(origin + "id/" + path[len("/doc/") : -len(".html")])
        elif path.startswith("/id/"):
            pages.add(origin + path.lstrip("/"))
    assert expected - pages == set()


def test_every_format_of_every_document_was_parsed_and_compared(
    crawl: CrawlResult, expected: set[str]
) -> None:
    """The cross-format comparison covered all five RDF formats of every thing's document."""
    origin = crawl.origin
    for thing in expected:
        document = origin + "doc/" + thing[len(origin + "id/") :]
        missing = [
            m for m in RDF_MEDIA_TYPES if (f"{document}.{EXTENSIONS[m]}", m) not in crawl.parsed
        ]
        assert missing == [], document


def test_the_ontology_document_is_crawled_in_every_format(crawl: CrawlResult) -> None:
    ontology = crawl.origin + "def/gcmr"
    assert {crawl.status(ontology, accept) for accept in ACCEPTS} == {200}
    for media in RDF_MEDIA_TYPES:
        assert (f"{ontology}.{EXTENSIONS[media]}", media) in crawl.parsed
    assert ontology in crawl.rdf_links and ontology in crawl.html_links


def test_no_rdf_body_names_the_canonical_namespace(client: httpx.Client) -> None:
    """The server runs with the w3id base: N-Triples bodies, where every IRI is written out in
    full, never contain it (the crawler checks every parsed term of every format too)."""
    for path in (f"{PERSON_DOC}.nt", f"{PERSON_DOC}.nq", "def/gcmr.nt", "void.nt"):
        body = client.get(path).content
        assert b"<" + CANONICAL.encode() not in body, path
        assert f"<{client.base_url}".encode() in body, path


def test_robots_and_the_sitemap_name_only_crawled_pages(
    client: httpx.Client, crawl: CrawlResult
) -> None:
    """Every URL the sitemap lists is a page the crawl reached by links and got a 200 for."""
    robots = client.get("/robots.txt").text
    sitemaps = [line.split(":", 1)[1].strip() for line in robots.splitlines()
                if line.lower().startswith("sitemap:")]  # fmt: skip
    assert sitemaps == [crawl.origin + "sitemap.xml"]
    fetched = {url for (url, _), fetch in crawl.fetches.items() if fetch.status == 200}
    listed: list[str] = []
    while sitemaps:
        root = lxml.etree.fromstring(client.get(sitemaps.pop()).content)
        locs = root.xpath("//s:loc/text()", namespaces={"s": SITEMAP_NS})
        if root.tag == f"{{{SITEMAP_NS}}}sitemapindex":
            sitemaps.extend(locs)
        else:
            listed.extend(locs)
    assert len(listed) > 100
    assert [url for url in listed if url not in fetched] == []


def test_discovery_html_has_an_etag(client: httpx.Client) -> None:
    for path in ("/.well-known/void", "/void.html", "/validation", "/validation.html"):
        response = client.get(path, headers={"Accept": HTML})
        assert response.status_code == 200
        assert "etag" in response.headers, path


# --- conditional GET ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        (f"/{PERSON_DOC}.ttl", TURTLE),
        (f"/{PERSON_DOC}", "application/ld+json"),
        (f"/{PERSON_DOC}.html", HTML),
        ("/def/gcmr", "application/rdf+xml"),
        ("/.well-known/void", TURTLE),
        ("/context.jsonld", "application/ld+json"),
    ],
)
def test_conditional_get(client: httpx.Client, path: str, accept: str) -> None:
    headers = {"Accept": accept, "Accept-Encoding": "identity"}
    first = client.get(path, headers=headers)
    assert first.status_code == 200
    etag, modified = first.headers["etag"], first.headers["last-modified"]

    by_etag = client.get(path, headers={**headers, "If-None-Match": etag})
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag.headers["etag"] == etag

    by_date = client.get(path, headers={**headers, "If-Modified-Since": modified})
    assert by_date.status_code == 304

    other = client.get(path, headers={**headers, "If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.content == first.content
    earlier = format_datetime(parsedate_to_datetime(modified).replace(year=2000), usegmt=True)
    stale = client.get(path, headers={**headers, "If-Modified-Since": earlier})
    assert stale.status_code == 200


def test_conditional_get_of_a_dump(client: httpx.Client, dump: dict[str, object]) -> None:
    first = client.get(str(dump["url"]), headers={"Accept-Encoding": "identity"})
    assert first.status_code == 200
    again = client.get(str(dump["url"]), headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


# --- HEAD --------------------------------------------------------------------------------------


MOVED = [
    # (asked for, where it moved): a statement IRI that carried an unsourced date, the documents
    # of it in a format and negotiated (a chosen language kept), and a removed session whose
    # content belongs to the conference (data/moved.ttl)
    ("id/statement/rola-dashti-2021-02-24", "id/statement/rola-dashti"),
    ("doc/statement/rola-dashti-2021-02-24", "doc/statement/rola-dashti"),
    ("doc/statement/rola-dashti-2021-02-24.nq", "doc/statement/rola-dashti.nq"),
    ("doc/statement/rola-dashti-2021-02-24.html?lang=ar", "doc/statement/rola-dashti.html?lang=ar"),
    (
        "id/event/gcm-arab-regional-review-conference-2021-national-reviews-session",
        "id/event/gcm-arab-regional-review-conference-2021",
    ),
]


@pytest.mark.parametrize(("path", "moved_to"), MOVED)
def test_a_moved_iri_redirects_permanently(
    client: httpx.Client, origin: str, path: str, moved_to: str
) -> None:
    """A published IRI never just disappears: the old IRI and its documents answer 301 to what
    replaces them, on GET and HEAD, and the replacement answers."""
    for method in ("GET", "HEAD"):
        answer = client.request(method, f"/{path}")
        assert answer.status_code == 301, (method, path, answer.status_code)
        assert answer.headers["location"] == origin + moved_to
        assert answer.headers["access-control-allow-origin"] == "*"
    assert client.get(origin + moved_to).status_code in (200, 303)


def test_head_of_a_thing_is_the_same_303(client: httpx.Client) -> None:
    for accept in ACCEPTS:
        get = client.get(f"/{PERSON}", headers={"Accept": accept})
        head = client.head(f"/{PERSON}", headers={"Accept": accept})
        assert (get.status_code, head.status_code) == (303, 303)
        assert head.headers["location"] == get.headers["location"]
        assert head.headers["vary"] == get.headers["vary"]
        assert head.content == b""


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        (f"/{PERSON_DOC}.ttl", TURTLE),
        (f"/{PERSON_DOC}", "application/n-triples"),
        (f"/{PERSON_DOC}", HTML),
        pytest.param("/sparql", TURTLE),
        pytest.param("/sparql", HTML),
        ("/.well-known/void", "application/ld+json"),
        ("/concepts", HTML),
    ],
)
def test_head_has_the_headers_of_get_and_no_body(
    client: httpx.Client, path: str, accept: str
) -> None:
    headers = {"Accept": accept, "Accept-Encoding": "identity"}
    get = client.get(path, headers=headers)
    head = client.head(path, headers=headers)
    assert get.status_code == head.status_code == 200
    assert head.content == b""
    for name in ("content-type", "etag", "content-location", "link"):
        assert head.headers.get(name) == get.headers.get(name), name
    assert tokens(head.headers.get("vary")) == tokens(get.headers.get("vary"))
    if "content-length" in head.headers:
        assert int(head.headers["content-length"]) == len(get.content)


def test_head_of_a_dump(client: httpx.Client, dump: dict[str, object]) -> None:
    head = client.head(str(dump["url"]), headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200
    assert head.content == b""
    assert int(head.headers["content-length"]) == dump["byteSize"]
    assert head.headers["accept-ranges"] == "bytes"
    assert "etag" in head.headers


# --- 406 and 404 -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [f"/{PERSON}", f"/{PERSON_DOC}", "/def/gcmr", "/.well-known/void"])
def test_406_lists_what_can_be_served(client: httpx.Client, path: str) -> None:
    response = client.get(path, headers={"Accept": UNSATISFIABLE})
    assert response.status_code == 406
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "accept" in response.headers["vary"].lower()
    problem = response.json()
    assert problem["status"] == 406
    for media in ACCEPTS:
        assert media in problem["detail"], media
        assert f'type="{media}"' in response.headers["link"], media


def test_404_for_a_browser_is_an_html_page(client: httpx.Client) -> None:
    response = client.get(f"/{UNKNOWN}", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    page = lxml.html.fromstring(response.content)
    assert page.xpath("//title") and page.xpath("//a/@href")


@pytest.mark.parametrize("accept", [*RDF_MEDIA_TYPES, "*/*"])
def test_404_for_an_rdf_client_is_problem_json(client: httpx.Client, accept: str) -> None:
    for path in (f"/{UNKNOWN}", "/doc/person/nobody-of-that-name.ttl"):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["status"] == 404
        assert "nobody-of-that-name" in problem["detail"]


# --- CORS --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/{PERSON}", 303),
        (f"/{PERSON_DOC}", 200),
        (f"/{PERSON_DOC}.jsonld", 200),
        ("/.well-known/void", 200),
        ("/context.jsonld", 200),
        (f"/{UNKNOWN}", 404),
    ],
)
def test_cors_on_every_answer(client: httpx.Client, path: str, status: int) -> None:
    response = client.get(path, headers={"Accept": TURTLE, "Origin": "https://app.example"})
    assert response.status_code == status
    assert response.headers["access-control-allow-origin"] == "*"
    if status == 200:
        exposed = response.headers["access-control-expose-headers"].lower()
        assert "etag" in exposed and "link" in exposed


def test_cors_on_a_dump(client: httpx.Client, dump: dict[str, object]) -> None:
    response = client.head(str(dump["url"]), headers={"Origin": "https://app.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "content-range" in response.headers["access-control-expose-headers"].lower()


@pytest.mark.parametrize(
    "path", [f"/{PERSON}", f"/{PERSON_DOC}", "/def/gcmr", "/.well-known/void", "/sparql"]
)
def test_cors_preflight(client: httpx.Client, path: str) -> None:
    """A browser asks before a GET whose Accept is not CORS-safelisted (e.g. too long)."""
    response = client.request(
        "OPTIONS",
        path,
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "accept" in response.headers["access-control-allow-headers"].lower()
    assert "GET" in response.headers["access-control-allow-methods"]


def test_cors_preflight_of_a_dump_allows_range(
    client: httpx.Client, dump: dict[str, object]
) -> None:
    response = client.request(
        "OPTIONS",
        str(dump["url"]),
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 204
    assert "range" in response.headers["access-control-allow-headers"].lower()


# --- Range on a dump ---------------------------------------------------------------------------


def test_range_on_a_dump(client: httpx.Client, dump: dict[str, object]) -> None:
    url, size = str(dump["url"]), int(dump["byteSize"])  # type: ignore[call-overload]
    identity = {"Accept-Encoding": "identity"}
    full = client.get(url, headers=identity)
    assert full.status_code == 200 and len(full.content) == size

    part = client.get(url, headers={**identity, "Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-1099/{size}"
    assert part.content == full.content[100:1100]

    tail = client.get(url, headers={**identity, "Range": "bytes=-500"})
    assert tail.status_code == 206
    assert tail.content == full.content[-500:]


def test_an_interrupted_download_resumes(client: httpx.Client, dump: dict[str, object]) -> None:
    """Read the first part, then ask for the rest with If-Range: the parts make the file."""
    url, size = str(dump["url"]), int(dump["byteSize"])  # type: ignore[call-overload]
    identity = {"Accept-Encoding": "identity"}
    first = client.get(url, headers={**identity, "Range": "bytes=0-4095"})
    assert first.status_code == 206
    rest = client.get(
        url, headers={**identity, "Range": "bytes=4096-", "If-Range": first.headers["etag"]}
    )
    assert rest.status_code == 206
    assert rest.headers["content-range"] == f"bytes 4096-{size - 1}/{size}"
    whole = first.content + rest.content
    assert len(whole) == size
    assert whole == client.get(url, headers=identity).content

    changed = client.get(url, headers={**identity, "Range": "bytes=4096-", "If-Range": '"old"'})
    assert changed.status_code == 200 and len(changed.content) == size

    beyond = client.get(url, headers={**identity, "Range": f"bytes={size}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{size}"


# --- gzip --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "accept"),
    [(f"/{PERSON_DOC}.ttl", TURTLE), (f"/{PERSON_DOC}", HTML), ("/def/gcmr", TURTLE)],
)
def test_gzip_variant(client: httpx.Client, path: str, accept: str) -> None:
    plain = client.get(path, headers={"Accept": accept, "Accept-Encoding": "identity"})
    packed = client.get(path, headers={"Accept": accept, "Accept-Encoding": "gzip"})
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert packed.headers["etag"] != plain.headers["etag"]
    assert packed.content == plain.content  # the same content; httpx unpacked it
    revalidated = client.get(
        path,
        headers={
            "Accept": accept,
            "Accept-Encoding": "gzip",
            "If-None-Match": packed.headers["etag"],
        },
    )
    assert revalidated.status_code == 304
