"""/id/, /doc/, /def/ and /context.jsonld over HTTP, in process (fixture data, rewritten origin)."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime

import httpx
import pyoxigraph as ox
import pytest
from ld_support import (
    BASE,
    ORIGIN,
    REAL_DATA,
    Client,
    as_graph,
    fixture_dataset,
    fixture_settings,
    make_client,
    parse,
    real_dataset,
    real_settings,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from publisher.formats import (
    DOCUMENT_FORMATS,
    HTML,
    JSONLD,
    NQUADS,
    RDF_DOCUMENT_FORMATS,
    TURTLE,
    Format,
)
from publisher.web.compression import EtagSafeGZipMiddleware

ALICE = "person/alice"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
COMUNICA = (
    "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,"
    "application/n-triples;q=0.8,text/turtle;q=0.6,application/rdf+xml;q=0.5,text/n3;q=0.35,"
    "application/xml;q=0.3,image/svg+xml;q=0.3,text/xml;q=0.3,text/html;q=0.2,"
    "application/xhtml+xml;q=0.18,application/json;q=0.135,text/shaclc;q=0.1,"
    "text/shaclc-ext;q=0.05"
)


@pytest.fixture(scope="module")
def client() -> Client:
    settings = fixture_settings()
    return make_client(settings, fixture_dataset(settings))


def vary(response: httpx.Response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("vary", "").split(",") if v.strip()}


# --- /id/: 303 to the format-specific document ------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "extension"),
    [
        (None, "ttl"),
        ("*/*", "ttl"),
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/n-triples", "nt"),
        ("application/n-quads", "nq"),
        ("application/rdf+xml, application/xml", "rdf"),
        (BROWSER, "html"),
        (COMUNICA, "nq"),
    ],
)
def test_thing_redirects_by_accept(client: Client, accept: str | None, extension: str) -> None:
    response = client.get(f"/id/{ALICE}", **({"accept": accept} if accept else {}))
    assert response.status_code == 303
    assert response.headers["location"] == f"{ORIGIN}doc/{ALICE}.{extension}"
    assert vary(response) == {"accept"}
    assert response.headers["access-control-allow-origin"] == "*"
    assert f'<{ORIGIN}doc/{ALICE}.{extension}>; rel="describedby"' in response.headers["link"]
    assert "max-age=" in response.headers["cache-control"]


def test_thing_redirect_ignores_the_host_header(client: Client) -> None:
    response = client.get(f"/id/{ALICE}", host="evil.example", accept="text/turtle")
    assert response.headers["location"].startswith(ORIGIN)


def test_html_redirect_keeps_the_chosen_language(client: Client) -> None:
    response = client.get(f"/id/{ALICE}?lang=ar", accept="text/html")
    assert response.headers["location"] == f"{ORIGIN}doc/{ALICE}.html?lang=ar"


@pytest.mark.parametrize(
    "path", ["person/ghost", "person/nobody", "", "person/", "person/alice.ttl", "person/alice/x"]
)
def test_unknown_thing_is_404_before_any_redirect(client: Client, path: str) -> None:
    response = client.get(f"/id/{path}", accept="text/turtle")
    assert response.status_code == 404
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 404 and problem["title"] == "Not Found"
    assert problem["detail"].startswith(f"<{ORIGIN}id/{path}>")


def test_unknown_thing_is_an_html_page_for_browsers(client: Client) -> None:
    response = client.get("/id/person/nobody", accept=BROWSER, accept_language="ar")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-language"] == "ar"
    assert {"accept", "accept-language"} <= vary(response)
    assert "<html" in response.text


def test_406_lists_every_format(client: Client) -> None:
    for url in (f"/id/{ALICE}", f"/doc/{ALICE}", "/def/tst"):
        response = client.get(url, accept="image/png")
        assert response.status_code == 406
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert [a["type"] for a in problem["alternates"]] == [
            f.media_type for f in DOCUMENT_FORMATS
        ]
        assert all(a["href"].startswith(ORIGIN) for a in problem["alternates"])
        assert "image/png" in problem["detail"]
        assert response.headers["link"].count('rel="alternate"') == len(DOCUMENT_FORMATS)


# --- OPTIONS, HEAD, methods ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [f"/id/{ALICE}", f"/doc/{ALICE}", f"/doc/{ALICE}.ttl", "/def/tst", "/context.jsonld"]
)
def test_preflight_is_204_never_a_redirect(client: Client, url: str) -> None:
    response = client.options(
        url,
        origin="https://app.example",
        access_control_request_method="GET",
        access_control_request_headers="accept",
    )
    assert response.status_code == 204
    assert "location" not in response.headers
    assert response.headers["access-control-allow-origin"] == "*"
    assert "accept" in response.headers["access-control-allow-headers"].lower()
    assert "GET" in response.headers["access-control-allow-methods"]


@pytest.mark.parametrize(
    "url", [f"/id/{ALICE}", f"/doc/{ALICE}", f"/doc/{ALICE}.jsonld", "/def/tst", "/context.jsonld"]
)
def test_head_has_the_headers_of_get_and_no_body(client: Client, url: str) -> None:
    get = client.get(url, accept="text/turtle")
    head = client.head(url, accept="text/turtle")
    assert head.status_code == get.status_code
    assert head.content == b""
    ignore = {"date"}
    assert {k: v for k, v in head.headers.items() if k not in ignore} == {
        k: v for k, v in get.headers.items() if k not in ignore
    }


def test_head_of_a_404_has_no_body(client: Client) -> None:
    response = client.head("/doc/person/nobody.ttl")
    assert response.status_code == 404 and response.content == b""
    assert int(response.headers["content-length"]) > 0


def test_other_methods_are_405_with_allow(client: Client) -> None:
    response = client.request("POST", f"/doc/{ALICE}")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert response.headers["content-type"].startswith("application/problem+json")


# --- documents -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", RDF_DOCUMENT_FORMATS, ids=lambda f: f.name)
def test_format_specific_document(client: Client, fmt: Format) -> None:
    response = client.get(f"/doc/{ALICE}.{fmt.extension}", accept="image/png")  # Accept ignored
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{fmt.media_type}; charset=utf-8"
    assert "content-location" not in response.headers
    assert "accept" not in vary(response)
    etag = response.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')  # strong
    links = response.headers["link"]
    assert f'<{ORIGIN}doc/{ALICE}>; rel="canonical"' in links
    for other in DOCUMENT_FORMATS:
        alternate = (
            f'<{ORIGIN}doc/{ALICE}.{other.extension}>; rel="alternate"; type="{other.media_type}"'
        )
        assert (alternate in links) is (other is not fmt)
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = response.headers["access-control-expose-headers"]
    assert {"Link", "ETag", "Content-Location"} <= {h.strip() for h in exposed.split(",")}
    assert response.headers["last-modified"].endswith("GMT")
    assert BASE not in response.text


@pytest.mark.parametrize(
    ("accept", "fmt"), [(None, TURTLE), (COMUNICA, NQUADS), ("application/json", JSONLD)]
)
def test_generic_document_negotiates(client: Client, accept: str | None, fmt: Format) -> None:
    response = client.get(f"/doc/{ALICE}", **({"accept": accept} if accept else {}))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(fmt.media_type)
    assert response.headers["content-location"] == f"{ORIGIN}doc/{ALICE}.{fmt.extension}"
    assert "accept" in vary(response)
    same = client.get(f"/doc/{ALICE}.{fmt.extension}")
    assert same.content == response.content
    assert same.headers["etag"] == response.headers["etag"]


def test_etags_differ_per_variant(client: Client) -> None:
    tags = {client.get(f"/doc/{ALICE}.{f.extension}").headers["etag"] for f in RDF_DOCUMENT_FORMATS}
    assert len(tags) == len(RDF_DOCUMENT_FORMATS)


def test_html_document(client: Client) -> None:
    for lang in ("ar", "en"):
        response = client.get(f"/doc/{ALICE}", accept=BROWSER, accept_language=lang)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["content-language"] == lang
        assert response.headers["content-location"] == f"{ORIGIN}doc/{ALICE}.html"
        assert {"accept", "accept-language"} <= vary(response)
    explicit = client.get(f"/doc/{ALICE}.html?lang=ar")
    assert explicit.headers["content-language"] == "ar"
    assert "accept-language" in vary(explicit) and "accept" not in vary(explicit)
    english = client.get(f"/doc/{ALICE}.html?lang=en").headers["etag"]
    assert explicit.headers["etag"] != english


def test_nquads_document_carries_the_source_graphs(client: Client) -> None:
    body = client.get("/doc/event/meeting-1.nq").content
    graphs = {q.graph_name for q in parse(body, ox.RdfFormat.N_QUADS)}
    assert ox.NamedNode(f"{ORIGIN}id/graph/g1") in graphs
    assert ox.NamedNode(f"{ORIGIN}id/graph/g2") in graphs


def test_graph_names_are_things(client: Client) -> None:
    assert client.get("/id/graph/g1").status_code == 303
    assert client.get("/doc/graph/g1.ttl").status_code == 200


@pytest.mark.parametrize("url", ["/doc/person/nobody", "/doc/person/nobody.ttl", "/doc/"])
def test_unknown_document_is_404(client: Client, url: str) -> None:
    response = client.get(url, accept="text/turtle")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


# --- conditional requests ------------------------------------------------------------------------


def test_if_none_match_answers_304(client: Client) -> None:
    first = client.get(f"/doc/{ALICE}.ttl")
    etag = first.headers["etag"]
    again = client.get(f"/doc/{ALICE}.ttl", if_none_match=etag)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == first.headers["cache-control"]
    assert client.get(f"/doc/{ALICE}.ttl", if_none_match=f"W/{etag}").status_code == 304
    assert client.get(f"/doc/{ALICE}.ttl", if_none_match=f'"x", {etag}').status_code == 304
    assert client.get(f"/doc/{ALICE}.ttl", if_none_match="*").status_code == 304
    assert client.get(f"/doc/{ALICE}.ttl", if_none_match='"other"').status_code == 200
    other_format = client.get(f"/doc/{ALICE}.nt", if_none_match=etag)
    assert other_format.status_code == 200


def test_generic_304_names_the_variant(client: Client) -> None:
    etag = client.get(f"/doc/{ALICE}", accept="text/turtle").headers["etag"]
    response = client.get(f"/doc/{ALICE}", accept="text/turtle", if_none_match=etag)
    assert response.status_code == 304
    assert response.headers["content-location"] == f"{ORIGIN}doc/{ALICE}.ttl"
    assert "accept" in vary(response)
    assert client.get(f"/doc/{ALICE}", accept=COMUNICA, if_none_match=etag).status_code == 200


def test_if_modified_since(client: Client) -> None:
    first = client.get(f"/doc/{ALICE}.ttl")
    modified = first.headers["last-modified"]
    assert client.get(f"/doc/{ALICE}.ttl", if_modified_since=modified).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(modified) - timedelta(days=1), usegmt=True)
    assert client.get(f"/doc/{ALICE}.ttl", if_modified_since=earlier).status_code == 200
    assert client.get(f"/doc/{ALICE}.ttl", if_modified_since="yesterday").status_code == 200
    # If-None-Match wins when both are sent (RFC 9110 §13.2.2)
    both = client.get(f"/doc/{ALICE}.ttl", if_modified_since=modified, if_none_match='"x"')
    assert both.status_code == 200


# --- gzip ----------------------------------------------------------------------------------------


def test_gzip_when_asked(client: Client) -> None:
    plain = client.get("/doc/event/meeting-1.ttl")
    zipped = client.get("/doc/event/meeting-1.ttl", accept_encoding="gzip, deflate")
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content  # httpx decoded it: valid gzip of the same bytes
    assert int(zipped.headers["content-length"]) < int(plain.headers["content-length"])
    assert zipped.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    assert "accept-encoding" in vary(zipped) and "accept-encoding" in vary(plain)
    refused = client.get("/doc/event/meeting-1.ttl", accept_encoding="gzip;q=0, identity")
    assert "content-encoding" not in refused.headers
    revalidated = client.get(
        "/doc/event/meeting-1.ttl", accept_encoding="gzip", if_none_match=plain.headers["etag"]
    )
    assert revalidated.status_code == 304


def test_gzip_middleware_weakens_strong_etags_it_invalidates() -> None:
    body = b"x" * 2000

    async def strong(request: Request) -> Response:
        return Response(body, headers={"ETag": '"abc"'}, media_type="text/plain")

    async def encoded(request: Request) -> Response:
        data = gzip.compress(body)
        return Response(data, headers={"ETag": '"abc-gzip"', "Content-Encoding": "gzip"})

    app = Starlette(routes=[Route("/strong", strong), Route("/encoded", encoded)])
    client = Client(EtagSafeGZipMiddleware(app, skip=("/skipped",)))
    zipped = client.get("/strong", accept_encoding="gzip")
    assert zipped.headers["content-encoding"] == "gzip" and zipped.headers["etag"] == 'W/"abc"'
    assert client.get("/strong").headers["etag"] == '"abc"'
    assert client.get("/encoded", accept_encoding="gzip").headers["etag"] == '"abc-gzip"'


# --- the ontology and the context ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["tst", "tst/2.0"])
def test_ontology_is_served_directly(client: Client, path: str) -> None:
    response = client.get(f"/def/{path}", accept="text/turtle")
    assert response.status_code == 200  # hash IRIs: no redirect
    assert response.headers["content-location"] == f"{ORIGIN}def/{path}.ttl"
    assert "accept" in vary(response)
    graph = parse(response.content, ox.RdfFormat.TURTLE)
    assert ox.NamedNode(f"{ORIGIN}def/tst#chair") in {q.subject for q in graph}
    html = client.get(f"/def/{path}", accept=BROWSER)
    assert html.status_code == 200 and html.headers["content-location"].endswith(".html")
    assert client.get(f"/def/{path}.jsonld").status_code == 200


def test_unknown_ontology_is_404(client: Client) -> None:
    assert client.get("/def/nothing", accept="text/turtle").status_code == 404
    assert client.get("/def/tst/9.9.ttl").status_code == 404


def test_context_is_served(client: Client) -> None:
    response = client.get("/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json; charset=utf-8"
    assert response.headers["access-control-allow-origin"] == "*"
    context = response.json()["@context"]
    assert context["tst"] == f"{ORIGIN}def/tst#"
    assert client.get("/context.jsonld", if_none_match=response.headers["etag"]).status_code == 304
    document = client.get(f"/doc/{ALICE}.jsonld").json()
    assert document["@context"] == f"{ORIGIN}context.jsonld"


# --- every resource, every format, on the real data ----------------------------------------------


@pytest.mark.skipif(not REAL_DATA, reason="the repository's data/*.trig is not there yet")
def test_every_real_resource_dereferences_in_every_format() -> None:
    settings = real_settings()
    dataset = real_dataset(settings)
    client = make_client(settings, dataset)
    prefix = settings.base_iri + "id/"
    things = sorted({q.subject.value for q in dataset.store if q.subject.value.startswith(prefix)})
    assert len(things) > 100
    for iri in things:
        path = iri[len(prefix) :]
        for fmt in DOCUMENT_FORMATS:
            redirect = client.get(f"/id/{path}", accept=fmt.media_type)
            assert redirect.status_code == 303, (path, fmt.name)
            location = redirect.headers["location"]
            assert location == f"{ORIGIN}doc/{path}.{fmt.extension}"
            response = client.get(location[len(ORIGIN) - 1 :])
            assert response.status_code == 200, (path, fmt.name)
            # HTML may show the canonical IRI as text; it must not link there
            leak = f'="{settings.base_iri}' if fmt is HTML else settings.base_iri
            assert leak not in response.text, (path, fmt.name)
            if fmt is not HTML and fmt is not JSONLD:
                graph = as_graph(parse(response.content, fmt.rdf_format))
                topic = ox.NamedNode(ORIGIN + "id/" + path)
                assert any(q.subject == topic for q in graph), (path, fmt.name)


@pytest.mark.skipif(not REAL_DATA, reason="the repository's data/*.trig is not there yet")
def test_every_iri_in_the_id_namespace_is_described() -> None:
    """An `id:` IRI used only as an object would 404: the data must describe what it names."""
    settings = real_settings()
    dataset = real_dataset(settings)
    prefix = settings.base_iri + "id/"
    subjects = {q.subject.value for q in dataset.store}
    mentioned = {
        term.value
        for q in dataset.store
        for term in (q.object, q.graph_name)
        if isinstance(term, ox.NamedNode) and term.value.startswith(prefix)
    }
    assert mentioned - subjects == set()


def test_problem_documents_are_json(client: Client) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert json.loads(response.content)["instance"] == "/nowhere"


@pytest.mark.parametrize(
    "url",
    [
        "/id/%ff%fe",
        "/id/person/%00",
        "/doc/%00.ttl",
        "/doc/..%2f..%2fetc%2fpasswd",
        "/doc/person/alice.ttl.ttl",
        "/doc/person/alice.TTL",
        "/def/tst%23chair",
        "/def/tst/chair",
        "/id/" + "a/" * 2000,
        "/id/person/<script>alert(1)</script>",
        "/doc/person/%D8%A3%D9%84%D9%8A%D8%B3",
    ],
)
@pytest.mark.parametrize("accept", ["text/turtle", BROWSER, "garbage/", ""])
def test_bad_input_is_never_a_500(client: Client, url: str, accept: str) -> None:
    response = client.get(url, accept=accept)
    assert response.status_code == 404, response.text
    assert response.headers["access-control-allow-origin"] == "*"
