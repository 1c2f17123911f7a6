"""Dumps and discovery over HTTP: Range and resume, ETag/304, CORS, conneg, sitemap, robots."""

from __future__ import annotations

import gzip
import hashlib
import html
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette 1.x asks for `httpx2`; the `httpx` it warns about works the same for our tests.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from publisher.config import PROJECT_ROOT, Settings
from publisher.rdfterms import graph_of
from publisher.stores import open_dataset
from publisher.web.app import create_app

FIXTURES = Path(__file__).parent / "fixtures" / "dumps"
BASE = "https://w3id.org/gcm-arab-review/"
ORIGIN = "http://127.0.0.1:8765/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def make_client(tmp: Path, shapes: Path = FIXTURES / "shapes.ttl", **extra: object) -> TestClient:
    settings = Settings(
        base_iri=BASE,
        data=[str(FIXTURES / "data.trig")],
        ontology=[str(FIXTURES / "ontology.ttl")],
        shapes=[str(shapes)],
        public_origin=str(extra.pop("public_origin", ORIGIN)),
        dump_dir=str(tmp),
        **extra,  # type: ignore[arg-type]
    )
    return TestClient(create_app(settings, open_dataset(settings)))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with make_client(tmp_path_factory.mktemp("dumps")) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def listing(client: TestClient) -> dict:  # type: ignore[type-arg]
    response = client.get("/dumps/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def path_of(url: str) -> str:
    assert url.startswith(ORIGIN), url
    return "/" + url[len(ORIGIN) :]


def entry(listing: dict, suffix: str) -> dict:  # type: ignore[type-arg]
    return next(f for f in listing["files"] if f["name"].endswith("." + suffix))


# --- the index ---------------------------------------------------------------------------------


def test_index_is_json_for_curl(client: TestClient, listing: dict) -> None:  # type: ignore[type-arg]
    response = client.get("/dumps/", headers={"Accept": "*/*"})
    assert response.headers["content-type"] == "application/json"
    assert response.headers["vary"] == "Accept"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.json() == listing
    assert listing["dataset"] == ORIGIN + ".well-known/void#dataset"
    assert [f["name"].split(".", 1)[1] for f in listing["files"]] == [
        "ttl",
        "nt.gz",
        "trig",
        "nq.gz",
        "jsonld",
    ]
    assert listing["checksums"] == ORIGIN + "dumps/SHA256SUMS"


def test_index_is_html_for_browsers(client: TestClient, listing: dict) -> None:  # type: ignore[type-arg]
    response = client.get("/dumps/", headers={"Accept": BROWSER, "Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text.startswith("<!doctype html>")
    assert response.headers["vary"] == "Accept, Accept-Language"
    for file in listing["files"]:
        assert f'href="{file["url"]}"' in response.text
        assert file["sha256"] in response.text


def test_index_as_plain_urls(client: TestClient, listing: dict) -> None:  # type: ignore[type-arg]
    response = client.get("/dumps/", headers={"Accept": "text/plain"})
    assert response.headers["content-type"].startswith("text/plain")
    expected = [f["url"] for f in listing["files"]] + [listing["checksums"]]
    assert response.text.splitlines() == expected


def test_index_406_names_the_formats(client: TestClient) -> None:
    response = client.get("/dumps/", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/json" in response.text and "text/html" in response.text


def test_dumps_without_slash_redirects(client: TestClient) -> None:
    response = client.get("/dumps", follow_redirects=False)
    assert response.status_code in (307, 308)
    assert response.headers["location"].endswith("/dumps/")


# --- the files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["ttl", "nt.gz", "trig", "nq.gz", "jsonld"])
def test_dump_file_headers_and_bytes(client: TestClient, listing: dict, suffix: str) -> None:  # type: ignore[type-arg]
    file = entry(listing, suffix)
    # Accept-Encoding must not make us (or a middleware) re-encode the file.
    response = client.get(path_of(file["url"]), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    body = response.content
    assert hashlib.sha256(body).hexdigest() == file["sha256"]
    headers = response.headers
    assert int(headers["content-length"]) == file["byteSize"] == len(body)
    assert headers["etag"] == f'"{file["sha256"]}"'
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["accept-ranges"] == "bytes"
    assert headers["access-control-allow-origin"] == "*"
    assert "content-encoding" not in headers
    assert headers["content-disposition"] == f'attachment; filename="{file["name"]}"'
    assert "last-modified" in headers
    media_type = headers["content-type"].split(";")[0]
    if suffix.endswith(".gz"):
        assert media_type == "application/gzip"
        assert gzip.decompress(body)  # still a gzip file, as downloaded
    else:
        assert media_type == file["mediaType"]


def test_range_and_resume(client: TestClient, listing: dict) -> None:  # type: ignore[type-arg]
    """What `curl -C -` and `wget -c` do: fetch the rest from where the download stopped."""
    file = entry(listing, "trig")
    url = path_of(file["url"])
    size = file["byteSize"]
    half = size // 2
    first = client.get(url, headers={"Range": f"bytes=0-{half - 1}"})
    assert first.status_code == 206
    assert first.headers["content-range"] == f"bytes 0-{half - 1}/{size}"
    assert first.headers["content-length"] == str(half)
    rest = client.get(url, headers={"Range": f"bytes={half}-", "If-Range": first.headers["etag"]})
    assert rest.status_code == 206
    assert rest.headers["content-range"] == f"bytes {half}-{size - 1}/{size}"
    assert hashlib.sha256(first.content + rest.content).hexdigest() == file["sha256"]


def test_suffix_and_multiple_ranges(client: TestClient, listing: dict) -> None:  # type: ignore[type-arg]
    file = entry(listing, "ttl")
    url = path_of(file["url"])
    full = client.get(url).content
    tail = client.get(url, headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == full[-10:]
    both = client.get(url, headers={"Range": "bytes=0-4,20-24"})
    assert both.status_code == 206
    assert both.headers["content-type"].startswith("multipart/byteranges")
    assert full[:5] in both.content and full[20:25] in both.content


@pytest.mark.parametrize("header", ["items=0-10", "bytes=9-2", "bytes=abc", "bytes"])
def test_a_range_we_cannot_read_is_ignored(
    client: TestClient,
    listing: dict,  # type: ignore[type-arg]
    header: str,
) -> None:
    """RFC 9110 §14.2: an unknown unit or invalid range gets the whole file, not an error."""
    file = entry(listing, "ttl")
    response = client.get(path_of(file["url"]), headers={"Range": header})
    assert response.status_code == 200
    assert len(response.content) == file["byteSize"]


def test_range_past_the_end_is_416(client: TestClient, listing: dict) -> None:  # type: ignore[type-arg]
    file = entry(listing, "ttl")
    response = client.get(path_of(file["url"]), headers={"Range": f"bytes={file['byteSize']}-"})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{file['byteSize']}"
    assert "beyond the end" in response.text


def test_stale_if_range_gets_the_whole_file(client: TestClient, listing: dict) -> None:  # type: ignore[type-arg]
    file = entry(listing, "ttl")
    response = client.get(
        path_of(file["url"]), headers={"Range": "bytes=0-9", "If-Range": '"an-old-etag"'}
    )
    assert response.status_code == 200
    assert len(response.content) == file["byteSize"]


@pytest.mark.parametrize(
    "if_none_match",
    ['"{sha}"', 'W/"{sha}"', '"other", "{sha}"', "*"],
)
def test_if_none_match_gives_304(
    client: TestClient,
    listing: dict,  # type: ignore[type-arg]
    if_none_match: str,
) -> None:
    file = entry(listing, "nq.gz")
    header = if_none_match.format(sha=file["sha256"])
    response = client.get(path_of(file["url"]), headers={"If-None-Match": header})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == f'"{file["sha256"]}"'
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_other_etag_or_old_date_gives_the_file(client: TestClient, listing: dict) -> None:  # type: ignore[type-arg]
    file = entry(listing, "ttl")
    url = path_of(file["url"])
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    old = client.get(url, headers={"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})
    assert old.status_code == 200
    same = client.get(url, headers={"If-Modified-Since": client.get(url).headers["last-modified"]})
    assert same.status_code == 304
    assert client.get(url, headers={"If-Modified-Since": "garbage"}).status_code == 200


def test_head_sends_headers_only(client: TestClient, listing: dict) -> None:  # type: ignore[type-arg]
    file = entry(listing, "jsonld")
    response = client.head(path_of(file["url"]))
    assert response.status_code == 200
    assert response.headers["content-length"] == str(file["byteSize"])
    assert response.content == b""


def test_checksums_file(client: TestClient, listing: dict) -> None:  # type: ignore[type-arg]
    response = client.get("/dumps/SHA256SUMS")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["cache-control"] == "public, max-age=3600"
    expected = sorted(f"{f['sha256']}  {f['name']}" for f in listing["files"])
    assert sorted(response.text.splitlines()) == expected
    etag = response.headers["etag"]
    assert client.get("/dumps/SHA256SUMS", headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize("suffix", ["ttl", "nt.gz", "trig", "nq.gz", "jsonld"])
def test_latest_alias_redirects_to_the_versioned_file(
    client: TestClient,
    listing: dict,  # type: ignore[type-arg]
    suffix: str,
) -> None:
    response = client.get(f"/dumps/latest.{suffix}", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == entry(listing, suffix)["url"]
    assert response.headers["cache-control"] == "public, max-age=60"


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("latest.xml", "no dump called 'latest.xml'"),
        ("nothing.ttl", "no dump called 'nothing.ttl'"),
        ("gcm-arab-review-0123456789abcdef.ttl", "belongs to dataset version 0123456789abcdef"),
    ],
)
def test_unknown_files_are_404_with_a_reason(client: TestClient, name: str, says: str) -> None:
    response = client.get(f"/dumps/{name}")
    assert response.status_code == 404
    assert says in response.text
    assert ORIGIN + "dumps/" in response.text


def test_cors_preflight(client: TestClient, listing: dict) -> None:  # type: ignore[type-arg]
    response = client.options(
        path_of(entry(listing, "ttl")["url"]),
        headers={"Origin": "https://example.org", "Access-Control-Request-Headers": "range"},
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "Range" in response.headers["access-control-allow-headers"]


def test_dumps_follow_the_public_origin(tmp_path: Path) -> None:
    """A server started on another origin writes (and checksums) dumps naming that origin."""
    with make_client(tmp_path, public_origin="https://mirror.example/data/") as other:
        files = other.get("/dumps/", headers={"Accept": "application/json"}).json()["files"]
        ttl = next(f for f in files if f["name"].endswith(".ttl"))
        assert ttl["url"].startswith("https://mirror.example/data/dumps/")
        body = other.get("/dumps/" + ttl["name"]).text
        assert "@prefix id: <https://mirror.example/data/id/> ." in body
        assert BASE not in body


# --- VoID and DCAT -----------------------------------------------------------------------------


def parse_rdf(body: bytes, fmt: ox.RdfFormat) -> rdflib.Graph:
    return graph_of(ox.parse(body, format=fmt))


@pytest.mark.parametrize("path", ["/.well-known/void", "/void"])
def test_void_defaults_to_turtle(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "*/*"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert "Accept" in response.headers["vary"].split(", ")
    assert response.headers["content-location"] == "/void.ttl"
    assert response.headers["access-control-allow-origin"] == "*"
    assert 'rel="alternate"; type="application/ld+json"' in response.headers["link"]
    graph = parse_rdf(response.content, ox.RdfFormat.TURTLE)
    dataset = rdflib.URIRef(ORIGIN + ".well-known/void#dataset")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    assert graph.value(dataset, void.triples) == rdflib.Literal(28)


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/n-quads", ox.RdfFormat.N_QUADS),
    ],
)
def test_void_in_every_rdf_format_says_the_same(
    client: TestClient, accept: str, fmt: ox.RdfFormat
) -> None:
    turtle = parse_rdf(client.get("/void.ttl").content, ox.RdfFormat.TURTLE)
    response = client.get("/.well-known/void", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    assert isomorphic(parse_rdf(response.content, fmt), turtle)


def test_void_html_for_browsers(client: TestClient, listing: dict) -> None:  # type: ignore[type-arg]
    response = client.get("/.well-known/void", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Dataset description</h1>" in response.text
    assert '<tr><th scope="row">Triples</th><td>28</td></tr>' in response.text
    assert "Accept" in response.headers["vary"].split(", ")
    assert entry(listing, "ttl")["name"] in response.text


def test_void_format_urls(client: TestClient) -> None:
    response = client.get("/void.jsonld")
    assert response.headers["content-type"] == "application/ld+json"
    assert "Accept" not in response.headers.get("vary", "").split(", ")
    assert "<h1>Dataset description</h1>" in client.get("/void.html").text
    missing = client.get("/void.docx")
    assert missing.status_code == 404
    assert ".ttl" in missing.text


def test_void_406_and_304(client: TestClient) -> None:
    assert client.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406
    etag = client.get("/.well-known/void").headers["etag"]
    again = client.get("/.well-known/void", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert "Accept" in again.headers["vary"].split(", ")


def test_every_data_dump_in_void_downloads_with_its_size_and_checksum(client: TestClient) -> None:
    graph = parse_rdf(client.get("/void.nt").content, ox.RdfFormat.N_TRIPLES)
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    spdx = rdflib.Namespace("http://spdx.org/rdf/terms#")
    distributions = list(graph.subjects(dcat.downloadURL, None))
    assert len(distributions) == 5
    for distribution in distributions:
        url = str(graph.value(distribution, dcat.downloadURL))
        body = client.get(path_of(url)).content
        assert int(graph.value(distribution, dcat.byteSize)) == len(body)  # type: ignore[call-overload]  # rdflib: Node | None
        checksum = graph.value(distribution, spdx.checksum)
        assert str(graph.value(checksum, spdx.checksumValue)) == hashlib.sha256(body).hexdigest()


# --- validation report -------------------------------------------------------------------------

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def test_validation_report_of_conforming_data(client: TestClient) -> None:
    response = client.get("/validation", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-location"] == "/validation.ttl"
    graph = parse_rdf(response.content, ox.RdfFormat.TURTLE)
    report = graph.value(None, rdflib.RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms) == rdflib.Literal(True)
    html = client.get("/validation", headers={"Accept": BROWSER})
    assert "<h1>SHACL validation report</h1>" in html.text
    assert "<strong>conforms</strong>" in html.text


def test_validation_report_of_failing_data(tmp_path: Path) -> None:
    with make_client(tmp_path, shapes=FIXTURES / "failing-shapes" / "shapes.ttl") as failing:
        response = failing.get("/validation.jsonld")
        assert response.status_code == 200
        graph = parse_rdf(response.content, ox.RdfFormat.JSON_LD)
        report = graph.value(None, rdflib.RDF.type, SH.ValidationReport)
        assert graph.value(report, SH.conforms) == rdflib.Literal(False)
        focus = set(graph.objects(None, SH.focusNode))
        assert focus == {rdflib.URIRef(ORIGIN + "id/org/iom")}  # on the public origin
        html = failing.get("/validation.html")
        assert "does not conform" in html.text
        assert "id:org/iom" in html.text or "org/iom" in html.text


# --- sitemap and robots ------------------------------------------------------------------------


def test_sitemap(client: TestClient) -> None:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    locs = [e.text for e in root.iter(SITEMAP_NS + "loc")]
    assert ORIGIN + "?lang=ar" in locs
    assert ORIGIN + "doc/person/nasser-bourita.html?lang=en" in locs
    assert ORIGIN + "dumps/?lang=ar" in locs  # the dumps page is in each page language too
    assert all(loc and loc.startswith(ORIGIN) for loc in locs)
    etag = response.headers["etag"]
    assert client.get("/sitemap.xml", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/sitemap-1.xml").status_code == 404  # one sitemap is enough here
    assert client.get("/sitemap-x.xml").status_code == 404


def test_robots(client: TestClient) -> None:
    response = client.get("/robots.txt")
    assert response.headers["content-type"].startswith("text/plain")
    assert f"Sitemap: {ORIGIN}sitemap.xml" in response.text.splitlines()


# --- the real dataset --------------------------------------------------------------------------

REAL_DATA = sorted((PROJECT_ROOT / "data").glob("*.trig"))


@pytest.mark.skipif(not REAL_DATA, reason="data/*.trig not written yet")
def test_real_dataset_dumps_and_void(tmp_path: Path) -> None:
    settings = Settings(
        base_iri=BASE,
        data=[str(PROJECT_ROOT / "data")],  # the .trig files and the dataset's description
        public_origin=ORIGIN,
        dump_dir=str(tmp_path),
    )
    with TestClient(create_app(settings, open_dataset(settings))) as real:
        listing = real.get("/dumps/", headers={"Accept": "application/json"}).json()
        for file in listing["files"]:
            body = real.get(path_of(file["url"])).content
            assert hashlib.sha256(body).hexdigest() == file["sha256"]
        void = parse_rdf(real.get("/void.ttl").content, ox.RdfFormat.TURTLE)
        dataset = rdflib.URIRef(ORIGIN + ".well-known/void#dataset")
        void_ns = rdflib.Namespace("http://rdfs.org/ns/void#")
        examples = set(void.objects(dataset, void_ns.exampleResource))
        assert (
            rdflib.URIRef(ORIGIN + "id/event/gcm-arab-regional-review-conference-2021") in examples
        )
        assert int(void.value(dataset, void_ns.triples)) > 1000  # type: ignore[call-overload]  # rdflib: Node | None
        assert len(set(void.objects(dataset, void_ns.subset))) >= 13
        sitemap = ET.fromstring(real.get("/sitemap.xml").content)
        locs = {e.text for e in sitemap.iter(SITEMAP_NS + "loc")}
        assert ORIGIN + "doc/objective/13.html?lang=ar" in locs


def test_every_sitemap_page_answers_with_html_and_is_canonical(client: TestClient) -> None:
    """The sitemap lists only pages that exist, under the URL each page calls canonical."""
    root = ET.fromstring(client.get("/sitemap.xml").content)
    for element in root.iter(SITEMAP_NS + "loc"):
        url = element.text or ""
        response = client.get(path_of(url), headers={"Accept": BROWSER})
        assert response.status_code == 200, url
        assert response.headers["content-type"].startswith("text/html"), url
        canonical = re.search(r'<link rel="canonical" href="([^"]+)"', response.text)
        if canonical is not None:
            assert html.unescape(canonical.group(1)) == url


@pytest.mark.parametrize("path", ["/.well-known/void", "/void.ttl", "/validation"])
def test_discovery_preflight(client: TestClient, path: str) -> None:
    response = client.options(path, headers={"Origin": "https://example.org"})
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
