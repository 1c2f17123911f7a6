"""The static export served by real nginx with the generated configuration, on a loopback port.

The crawl and the HTTP-contract tests of tests/test_crawler_live.py run here unchanged (the same
functions, collected a second time) against nginx instead of `publisher serve`: the same
fixtures, with `origin` now nginx's. Then nginx's answers are compared with the dynamic
server's for the same requests (status, headers, bytes), its content negotiation with
`publisher.negotiation.negotiate` over the clients of the reference table (clients.md), and its page
language with `choose_language`.

The test installs nothing. Without nginx it is skipped, except under CI (`CI` set), where
.ci/run installs the Debian package and a missing nginx is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import test_crawler_live as live
from crawler import ACCEPTS, HTML, TURTLE
from ld_support import Client, make_client

from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.export.build import export_site
from publisher.formats import DOCUMENT_FORMATS
from publisher.i18n import choose_language
from publisher.negotiation import negotiate
from publisher.pages.catalogue import class_pages
from publisher.stores import open_dataset
from publisher.urls import Urls

STARTUP_LIMIT = 30.0  # seconds to wait for nginx to answer (a bound, not an assertion)
FIXTURES = Path(__file__).parent / "fixtures" / "dumps"
PERSON = live.PERSON
PERSON_DOC = live.PERSON_DOC
UNKNOWN = live.UNKNOWN
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8"
LIVE_ENDPOINT = "https://query.example.org/sparql"


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(path, os.X_OK)),
        None,
    )


NGINX = find_nginx()
if NGINX is None and not os.environ.get("CI"):
    pytest.skip(
        "nginx is not installed (Debian package `nginx`; .ci/run installs it): the static "
        "export is not served here",
        allow_module_level=True,
    )


# --- nginx on a loopback port ------------------------------------------------------------------


def run_nginx(config: Path, state: Path, port: int) -> subprocess.Popen[bytes]:
    """nginx in the foreground with `state` as its prefix (pid, logs, temporary files); as
    root, its workers would switch to an unprivileged user who cannot read pytest's private
    temporary folders, so they stay root there."""
    if NGINX is None:
        pytest.fail("CI is set but nginx is not installed; .ci/run installs the package nginx")
    state.mkdir(parents=True, exist_ok=True)
    directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    with (state / "stderr.log").open("wb") as log:  # the child keeps its own descriptor
        process = subprocess.Popen(
            [NGINX, "-p", f"{state}/", "-c", str(config), "-e", "stderr", "-g", directives],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx exited:\n{_logs(state)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    pytest.fail(f"nginx did not listen on {port}:\n{_logs(state)}")


def _logs(state: Path) -> str:
    return "\n".join(
        p.read_text(errors="replace")
        for p in (state / "stderr.log", state / "error.log")
        if p.exists()
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def nginx_settings(settings: Settings) -> Settings:
    """The repository's dataset on a free loopback port (default base IRI, as the live test)."""
    port = live.free_port()
    origin = f"http://127.0.0.1:{port}/"
    return Settings(**{**settings.model_dump(), "public_origin": origin, "port": port})


@pytest.fixture(scope="module")
def origin(
    nginx_settings: Settings, dataset: Dataset, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`publisher export` of the dataset, served by nginx with the generated nginx.conf."""
    out = tmp_path_factory.mktemp("static") / "out"
    export_site(nginx_settings, dataset, out)
    process = run_nginx(out / "nginx.conf", out.parent / "state", nginx_settings.port)
    try:
        yield nginx_settings.origin
    finally:
        stop(process)


@pytest.fixture(scope="module")
def dynamic(nginx_settings: Settings, dataset: Dataset) -> Client:
    """The dynamic server for the same origin, in-process: what nginx must answer like."""
    return make_client(nginx_settings, dataset)


# --- the live server's tests, on nginx --------------------------------------------------------

client = live.client
crawl = live.crawl
expected = live.expected
dump = live.dump

test_the_crawl_finds_no_problem = live.test_the_crawl_finds_no_problem
test_every_resource_dereferences_in_every_format = (
    live.test_every_resource_dereferences_in_every_format
)
test_rdf_links_alone_reach_every_resource = live.test_rdf_links_alone_reach_every_resource
test_html_links_alone_reach_every_resource = live.test_html_links_alone_reach_every_resource
test_every_format_of_every_document_was_parsed_and_compared = (
    live.test_every_format_of_every_document_was_parsed_and_compared
)
test_the_ontology_document_is_crawled_in_every_format = (
    live.test_the_ontology_document_is_crawled_in_every_format
)
test_no_rdf_body_names_the_canonical_namespace = live.test_no_rdf_body_names_the_canonical_namespace
test_robots_and_the_sitemap_name_only_crawled_pages = (
    live.test_robots_and_the_sitemap_name_only_crawled_pages
)
test_conditional_get = live.test_conditional_get
test_conditional_get_of_a_dump = live.test_conditional_get_of_a_dump
test_head_of_a_thing_is_the_same_303 = live.test_head_of_a_thing_is_the_same_303
test_a_moved_iri_redirects_permanently = live.test_a_moved_iri_redirects_permanently
test_head_of_a_dump = live.test_head_of_a_dump
test_406_lists_what_can_be_served = live.test_406_lists_what_can_be_served
test_404_for_a_browser_is_an_html_page = live.test_404_for_a_browser_is_an_html_page
test_404_for_an_rdf_client_is_problem_json = live.test_404_for_an_rdf_client_is_problem_json
test_cors_on_every_answer = live.test_cors_on_every_answer
test_cors_on_a_dump = live.test_cors_on_a_dump
test_cors_preflight = live.test_cors_preflight
test_cors_preflight_of_a_dump_allows_range = live.test_cors_preflight_of_a_dump_allows_range
test_range_on_a_dump = live.test_range_on_a_dump
test_an_interrupted_download_resumes = live.test_an_interrupted_download_resumes
test_gzip_variant = live.test_gzip_variant
test_head_has_the_headers_of_get_and_no_body = live.test_head_has_the_headers_of_get_and_no_body
test_discovery_html_has_an_etag = live.test_discovery_html_has_an_etag
# Everything of test_crawler_live.py that needs a server is above; the rest tests the crawler.


@pytest.mark.parametrize("accept", ["application/json", HTML, "text/plain"])
def test_head_of_the_dumps_listing(client: httpx.Client, accept: str) -> None:
    headers = {"Accept": accept, "Accept-Encoding": "identity"}
    get, head = client.get("/dumps/", headers=headers), client.head("/dumps/", headers=headers)
    assert get.status_code == head.status_code == 200
    assert head.content == b""
    for name in ("content-type", "etag", "vary", "content-length"):
        assert head.headers.get(name) == get.headers.get(name), name


# --- content negotiation: nginx's maps against negotiate() ------------------------------------

CLIENTS = [
    ("no Accept (curl -H 'Accept:')", None, "ttl"),
    ("curl", "*/*", "ttl"),
    ("a browser", BROWSER, "html"),
    ("Firefox", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
    ("LDSpider", "application/rdf+xml, application/xml", "rdf"),
    (
        "rdflib Graph().parse",
        "application/rdf+xml, text/n3, text/turtle, application/n-triples, "
        "application/ld+json, application/n-quads, application/trix, application/trig",
        "ttl",
    ),
    ("rdflib format=turtle", "text/turtle, application/x-turtle, */*;q=0.1", "ttl"),
    ("rdflib format=json-ld", "application/ld+json, application/json;q=0.9, */*;q=0.1", "jsonld"),
    (
        "Comunica",
        "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,"
        "application/n-triples;q=0.8,text/turtle;q=0.6,application/rdf+xml;q=0.5,"
        "text/n3;q=0.35,application/xml;q=0.3,image/svg+xml;q=0.3,text/xml;q=0.3,"
        "text/html;q=0.2,application/xhtml+xml;q=0.18,application/json;q=0.135,"
        "text/shaclc;q=0.1,text/shaclc-ext;q=0.05",
        "nq",
    ),
    (
        "older Comunica",
        "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,"
        "application/n-triples;q=0.8,text/turtle;q=0.5,*/*;q=0.1",
        "nq",
    ),
    ("SPARQLWrapper Turtle", "application/turtle,text/turtle", "ttl"),
    ("SPARQLWrapper JSON-LD", "application/ld+json,application/x-json+ld", "jsonld"),
    ("YASGUI CONSTRUCT", "application/n-triples,*/*;q=0.9", "nt"),
    ("three-digit q", "text/turtle;q=0.501, application/ld+json;q=0.5", "ttl"),
    ("three-digit q, other way", "text/turtle;q=0.499, application/ld+json;q=0.5", "jsonld"),
    ("q beats our order", "text/turtle;q=0.5, application/ld+json;q=0.55", "jsonld"),
    ("equal q: our order", "application/rdf+xml;q=0.7, application/n-triples;q=0.7", "nt"),
    ("q=0 excludes, */* admits the rest", "text/turtle;q=0, */*", "jsonld"),
    ("spaces and case", "TEXT/Turtle ; Q = 0.4 , application/N-Quads;q=0.3", "ttl"),
    ("other parameters", "text/html;level=1;q=0.2, application/rdf+xml;charset=utf-8", "rdf"),
    ("alias only: application/json", "application/json", "jsonld"),
    ("alias only: text/plain", "text/plain", "nt"),
    ("alias only: text/xml", "text/xml", "rdf"),
    ("text/* is Turtle", "text/*", "ttl"),
    ("application/* prefers JSON-LD", "application/*", "jsonld"),
    ("text/* below an exact type", "text/*;q=0.9, application/rdf+xml", "rdf"),
    ("exact q=0 beats a wildcard", "application/*, application/ld+json;q=0", "nt"),
    ("malformed: as if */*", "not a media type", "ttl"),
    ("nothing we have", "image/png, application/pdf;q=0.5", None),
    ("everything refused", "text/turtle;q=0", None),
]


@pytest.mark.parametrize(
    ("client_name", "accept", "extension"), CLIENTS, ids=[c[0] for c in CLIENTS]
)
def test_conneg_agrees_with_the_dynamic_server(
    client: httpx.Client, client_name: str, accept: str | None, extension: str | None
) -> None:
    """The 303 goes to the format `negotiate` picks (the table pins it too), or 406."""
    chosen = negotiate(accept, DOCUMENT_FORMATS)
    assert (chosen.extension if chosen else None) == extension, "the table is out of date"
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get(f"/{PERSON}", headers=headers)
    if extension is None:
        assert response.status_code == 406
    else:
        assert response.status_code == 303
        assert response.headers["location"] == f"{client.base_url}{PERSON_DOC}.{extension}"


# Where nginx's maps and negotiate() part ways, as docs/static-export.md lists: pinned, so
# a change on either side shows up here. (Accept, nginx's choice, the dynamic server's.)
CONNEG_DIFFERENCES = [
    ("application/ld+json;q=0.5001, text/turtle;q=0.5", "ttl", "jsonld"),  # q cut to 3 digits
    ("*/turtle", None, "ttl"),  # */subtype ranges are not read
    ("text/", None, "ttl"),  # a slash but no well-formed range: 406, not */*
]


@pytest.mark.parametrize(("accept", "ours", "theirs"), CONNEG_DIFFERENCES)
def test_documented_conneg_differences(
    client: httpx.Client, accept: str, ours: str | None, theirs: str
) -> None:
    chosen = negotiate(accept, DOCUMENT_FORMATS)
    assert chosen is not None and chosen.extension == theirs
    response = client.get(f"/{PERSON}", headers={"Accept": accept})
    if ours is None:
        assert response.status_code == 406
    else:
        assert response.headers["location"].endswith(f".{ours}")


def test_documented_language_difference(client: httpx.Client, nginx_settings: Settings) -> None:
    """The first range naming a language gives its q; the dynamic server takes the highest."""
    header = "ar-SA;q=0.2, en;q=0.5, ar;q=0.9"
    assert choose_language(None, header, nginx_settings.default_language) == "ar"
    response = client.get(f"/{PERSON_DOC}.html", headers={"Accept-Language": header})
    assert response.headers["content-language"] == "en"


LANGUAGE_CASES = [
    (None, None),
    (None, "ar"),
    (None, "AR-sa"),
    (None, "en-US,en;q=0.9"),
    (None, "ar-SA,ar;q=0.9,en;q=0.8"),
    (None, "en-GB,en;q=0.9,ar;q=0.8"),
    (None, "fr-FR,fr;q=0.9"),
    (None, "fr, ar;q=0.3"),
    (None, "en;q=0.5, ar;q=0.6"),
    (None, "ar;q=0.555, en;q=0.554"),
    (None, "ar, en"),
    (None, "en, ar"),
    (None, "*"),
    (None, "ar;q=0.5, *"),
    (None, "ar;q=0, en;q=0"),
    ("ar", "en"),
    ("en", "ar"),
    ("ar-EG", None),
    ("fr", "ar"),
]


@pytest.mark.parametrize(("lang", "accept_language"), LANGUAGE_CASES)
def test_page_language_agrees_with_the_dynamic_server(
    client: httpx.Client, nginx_settings: Settings, lang: str | None, accept_language: str | None
) -> None:
    expected_lang = choose_language(lang, accept_language, nginx_settings.default_language)
    headers = {"Accept": HTML}
    if accept_language is not None:
        headers["Accept-Language"] = accept_language
    params = {"lang": lang} if lang is not None else {}
    response = client.get(f"/{PERSON_DOC}.html", headers=headers, params=params)
    assert response.status_code == 200
    assert response.headers["content-language"] == expected_lang
    assert f'<html lang="{expected_lang}"' in response.text


# --- nginx answers as the dynamic server does -------------------------------------------------

SAME_HEADERS = (
    "content-type",
    "location",
    "content-location",
    "content-language",
    "link",
    "cache-control",
    "access-control-allow-origin",
    "access-control-expose-headers",
    "allow",
    "repr-digest",
    "content-disposition",
    "x-content-type-options",
    "referrer-policy",
    "content-security-policy",
)


def _requests(dump_name: str) -> list[tuple[str, str, dict[str, str]]]:
    """(method, path, headers) a client sends; each is asked of nginx and of the app."""
    asked: list[tuple[str, str, dict[str, str]]] = []
    for path in (f"/{PERSON}", f"/{PERSON_DOC}", "/def/gcmr", "/.well-known/void", "/validation"):
        asked += [("GET", path, {"Accept": accept}) for accept in (*ACCEPTS, BROWSER)]
    asked += [
        ("GET", f"/{PERSON}?lang=ar", {"Accept": HTML}),
        ("GET", f"/{PERSON_DOC}", {"Accept": HTML, "Accept-Language": "ar"}),
        ("GET", f"/{PERSON_DOC}.ttl", {}),
        ("GET", f"/{PERSON_DOC}.html?lang=ar", {"Accept": HTML}),
        ("GET", "/def/gcmr/1.0.0.rdf", {}),
        ("GET", "/void.nt", {}),
        ("GET", "/validation.html", {}),
        ("GET", "/validation.html?lang=ar", {}),
        ("GET", "/void.html", {"Accept-Language": "ar"}),
        ("GET", "/.well-known/void", {"Accept": HTML, "Accept-Language": "ar, en;q=0.5"}),
        ("GET", "/validation?lang=ar", {"Accept": BROWSER}),
        ("GET", "/context.jsonld", {}),
        ("GET", "/", {"Accept": BROWSER, "Accept-Language": "ar"}),
        ("GET", "/?lang=en", {"Accept": TURTLE}),
        ("GET", "/concepts", {}),
        ("GET", "/sitemap.xml", {}),
        ("GET", "/robots.txt", {}),
        ("GET", "/health", {}),
        ("GET", "/dumps/", {}),
        ("GET", "/dumps/", {"Accept": BROWSER}),
        ("GET", "/dumps/", {"Accept": BROWSER, "Accept-Language": "ar"}),
        ("GET", "/dumps/?lang=ar", {"Accept": "application/json"}),
        ("GET", "/dumps/", {"Accept": "text/plain"}),
        ("GET", "/dumps/", {"Accept": "image/png"}),
        ("GET", f"/dumps/{dump_name}", {}),
        ("GET", "/dumps/SHA256SUMS", {}),
        ("GET", "/dumps/latest.ttl", {}),
        ("GET", f"/{PERSON}", {"Accept": "image/png"}),
        ("GET", f"/{UNKNOWN}", {"Accept": TURTLE}),
        ("GET", f"/{UNKNOWN}", {"Accept": BROWSER}),
        ("GET", "/doc/person/nobody-of-that-name.ttl", {}),
        ("GET", "/nothing/here", {}),
        ("POST", f"/{PERSON_DOC}.ttl", {}),
        ("OPTIONS", f"/{PERSON_DOC}", {"Origin": "https://app.example"}),
        ("OPTIONS", "/dumps/", {"Origin": "https://app.example"}),
        ("OPTIONS", "/fragments", {"Origin": "https://app.example"}),
    ]
    return asked


def test_answers_are_the_dynamic_servers(
    client: httpx.Client, dynamic: Client, dump: dict[str, object]
) -> None:
    """For each request: the same status, the same headers (but ETag: nginx makes its own),
    the same `Vary` (but Accept-Encoding) and, for a 200, the same bytes. Error bodies are
    problem documents of the same status; nginx's detail texts are its own."""
    differences = []
    for method, path, headers in _requests(str(dump["name"])):
        sent = {"Accept-Encoding": "identity", **headers}
        ours = client.request(method, path, headers=sent)
        theirs = dynamic.request(method, path, headers=sent)
        where = f"{method} {path} {headers}"
        if ours.status_code != theirs.status_code:
            differences.append(f"{where}: status {ours.status_code} != {theirs.status_code}")
            continue
        for name in SAME_HEADERS:
            if name in ("content-type", "content-security-policy") and (
                300 <= ours.status_code < 400
            ):
                continue  # nginx adds a small HTML body (so a CSP) to its redirects
            if ours.headers.get(name) != theirs.headers.get(name):
                differences.append(
                    f"{where}: {name} {ours.headers.get(name)!r} != {theirs.headers.get(name)!r}"
                )
        vary = [live.tokens(r.headers.get("vary")) - {"accept-encoding"} for r in (ours, theirs)]
        if vary[0] != vary[1]:
            differences.append(f"{where}: Vary {vary[0]} != {vary[1]}")
        if path == "/health":  # documented: a static site has no background checks to report
            ours_json, theirs_json = json.loads(ours.content), json.loads(theirs.content)
            keys = ["status", "version"] + (["triples"] if theirs_json["triples"] else [])
            if [ours_json.get(k) for k in keys] != [theirs_json.get(k) for k in keys]:
                differences.append(f"{where}: {ours_json} vs {theirs_json}")
        elif ours.status_code == 200 and ours.content != theirs.content:
            differences.append(f"{where}: the bodies differ")
        if theirs.headers.get("content-type") == "application/problem+json":
            keys = ("status", "title", "alternates")
            ours_json, theirs_json = json.loads(ours.content), json.loads(theirs.content)
            if [ours_json.get(k) for k in keys] != [theirs_json.get(k) for k in keys]:
                differences.append(f"{where}: problem {ours_json} vs {theirs_json}")
    assert differences == [], "\n".join(differences)


def test_the_404_page_names_the_path_asked_for(client: httpx.Client, dynamic: Client) -> None:
    path = "/id/event/no-such-event"
    headers = {"Accept": BROWSER, "Accept-Language": "ar", "Accept-Encoding": "identity"}
    ours, theirs = client.get(path, headers=headers), dynamic.request("GET", path, headers)
    assert ours.status_code == theirs.status_code == 404
    assert ours.content == theirs.content
    assert f'<code dir="ltr">{path}</code>'.encode() in ours.content


def test_a_sparql_query_is_refused_with_a_reason(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "ASK {}"})
    assert response.status_code == 501
    assert response.headers["content-type"] == "application/problem+json"
    assert "static copy" in response.json()["detail"]
    assert client.post("/sparql", data={"query": "ASK {}"}).status_code == 501
    page = client.get("/sparql", params={"lang": "ar"}, headers={"Accept": HTML})
    assert page.status_code == 200 and page.headers["content-language"] == "ar"


def test_the_method_is_checked_before_anything_else(client: httpx.Client) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        response = client.request(method, f"/{PERSON}")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, HEAD, OPTIONS"
        assert response.json()["status"] == 405


def test_no_file_is_reachable_but_by_its_url(client: httpx.Client) -> None:
    """The tree's own names (`x.en.html`, `_pages/`, `.gz` twins, export.json) are not URLs."""
    for path in (
        f"/doc/{PERSON.replace('id/', '')}.en.html",
        "/_pages/index.en.html",
        f"/{PERSON_DOC}.ttl.gz",
        "/health.json",
        "/dumps/index.json",
        "/export.json",
        "/nginx.conf",
    ):
        assert client.get(path).status_code == 404, path


# --- another export in an existing nginx: conneg.conf once, site.conf per site ----------------


@pytest.fixture(scope="module")
def second_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The small fixture dataset exported with a live SPARQL endpoint, included (conneg.conf +
    site.conf) in an nginx configuration of our own, as the README tells an existing nginx."""
    port = live.free_port()
    settings = Settings(
        base_iri="https://w3id.org/gcm-arab-review/",
        data=[str(FIXTURES / "data.trig")],
        ontology=[str(FIXTURES / "ontology.ttl")],
        shapes=[str(FIXTURES / "shapes.ttl")],
        public_origin=f"http://127.0.0.1:{port}/",
        port=port,
        default_language="ar",
    )
    folder = tmp_path_factory.mktemp("second")
    export_site(settings, open_dataset(settings), folder / "out", sparql_endpoint=LIVE_ENDPOINT)
    config = folder / "host.conf"
    config.write_text(
        "events {}\n"
        "http {\n"
        "    access_log off;\n"
        "    client_body_temp_path client_body_temp; proxy_temp_path proxy_temp;\n"
        "    fastcgi_temp_path fastcgi_temp; uwsgi_temp_path uwsgi_temp;\n"
        "    scgi_temp_path scgi_temp;\n"
        "    variables_hash_max_size 2048;\n"
        f"    include {folder}/out/conneg.conf;\n"
        f"    include {folder}/out/site.conf;\n"
        "}\n"
    )
    process = run_nginx(config, folder / "state", port)
    try:
        yield settings.origin
    finally:
        stop(process)


def test_sparql_queries_go_to_the_live_endpoint(second_site: str) -> None:
    with httpx.Client(base_url=second_site, follow_redirects=False) as http:
        query = http.get("/sparql", params={"query": "ASK {}"})
        assert query.status_code == 307
        assert query.headers["location"] == f"{LIVE_ENDPOINT}?query=ASK+%7B%7D"
        assert http.post("/sparql", data={"query": "ASK {}"}).status_code == 307
        page = http.get("/sparql", headers={"Accept": HTML})
        assert page.status_code == 200 and LIVE_ENDPOINT in page.text


def test_the_default_language_is_the_sites(second_site: str) -> None:
    with httpx.Client(base_url=second_site) as http:
        assert http.get("/", headers={"Accept-Language": "fr"}).headers["content-language"] == "ar"
        english = http.get("/", headers={"Accept-Language": "fr, en;q=0.1"})
        assert english.headers["content-language"] == "en"


def test_class_pages_send_the_link_header_of_the_live_server(
    client: httpx.Client, dynamic: Client, nginx_settings: Settings, dataset: Dataset
) -> None:
    """A class page sends the live route's `Link` (rel prev/next, in the page's language) and
    none when it has no neighbour, as every class of this dataset fits in one page
    (tests/test_export_iri_shapes.py has classes of several pages)."""
    urls = Urls(nginx_settings.base_iri, nginx_settings.origin)
    paths = [path for _, path in class_pages(dataset, urls)][:6]
    assert paths, "the dataset has class pages"
    differences = []
    for path in paths:
        for lang in ("ar", "en"):
            headers = {"Accept": "text/html", "Accept-Language": lang}
            ours, theirs = client.get(path, headers=headers), dynamic.request("GET", path, headers)
            assert ours.status_code == theirs.status_code == 200, path
            if ours.headers.get("link") != theirs.headers.get("link"):
                differences.append(f"{path} {lang}: {ours.headers.get('link')!r}")
    assert differences == []
