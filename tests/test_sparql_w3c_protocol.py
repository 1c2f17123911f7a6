"""The query-side cases of the W3C SPARQL 1.1 Protocol test suite, one test per W3C test id.

Manifest and data: tests/fixtures/w3c-protocol/ (copied from w3c/rdf-tests). The requests are
sent as the manifest writes them, to `/sparql` instead of `/sparql/` as it allows. The update
cases that must fail (4xx) are here too; the ones that must succeed cannot on a read-only
endpoint, and are checked to be refused instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
from sparql_support import W3C_DATA, app_for, serve, settings_for

DATA = "http://kasei.us/2009/09/sparql/data/"
TABULAR = {
    "application/sparql-results+xml",
    "application/sparql-results+json",
    "text/csv",
    "text/tab-separated-values",
}
FORM = "application/x-www-form-urlencoded"
BOOLEAN = {"application/sparql-results+xml", "application/sparql-results+json"}
RDF = {"application/rdf+xml", "text/turtle", "application/n-triples", "application/ld+json"}


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with (
        serve(lambda origin: app_for(settings_for(W3C_DATA, origin))) as origin,
        httpx.Client(base_url=origin, timeout=30) as http,
    ):
        for name in ("accept", "accept-encoding"):  # send only what the manifest sends
            http.headers.pop(name)
        yield http


def g(n: int) -> str:
    return quote(f"{DATA}data{n}.rdf", safe="")


def send(
    client: httpx.Client,
    method: str,
    path: str,
    body: bytes | None = None,
    content_type: str | None = None,
) -> httpx.Response:
    headers = {"content-type": content_type} if content_type else {}
    return client.request(method, path, content=body, headers=headers)


def media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def boolean(response: httpx.Response) -> bool:
    """The ASK answer in whichever results format the endpoint chose."""
    assert media_type(response) in BOOLEAN
    if media_type(response) == "application/sparql-results+json":
        return bool(json.loads(response.content)["boolean"])
    return bool(ox.parse_query_results(response.content, format=ox.QueryResultsFormat.XML))


def success(response: httpx.Response) -> None:
    assert 200 <= response.status_code < 400, response.text


def failure(response: httpx.Response) -> None:
    assert 400 <= response.status_code < 500, response.text


def test_query_post_form(client: httpx.Client) -> None:
    response = send(client, "POST", f"/sparql?default-graph-uri={g(0)}",
                    b"query=ASK%20%7B%7D", "application/x-www-form-urlencoded")  # fmt: skip
    success(response)
    assert boolean(response) is True


def test_query_dataset_default_graphs_get(client: httpx.Client) -> None:
    query = quote(f"ASK {{ <{DATA}data1.rdf> a ?type . <{DATA}data2.rdf> a ?type . }}", safe="")
    response = send(
        client, "GET", f"/sparql?query={query}&default-graph-uri={g(1)}&default-graph-uri={g(2)}"
    )
    success(response)
    assert boolean(response) is True


def test_query_dataset_default_graphs_post(client: httpx.Client) -> None:
    query = f"ASK {{ <{DATA}data1.rdf> a ?type . <{DATA}data2.rdf> a ?type . }}"
    response = send(client, "POST", f"/sparql?default-graph-uri={g(1)}&default-graph-uri={g(2)}",
                    query.encode(), "application/sparql-query")  # fmt: skip
    success(response)
    assert boolean(response) is True


NAMED = (
    f"ASK {{ GRAPH ?g1 {{ <{DATA}data1.rdf> a ?type }} GRAPH ?g2 {{ <{DATA}data2.rdf> a ?type }} }}"
)


def test_query_dataset_named_graphs_post(client: httpx.Client) -> None:
    response = send(client, "POST", f"/sparql?named-graph-uri={g(1)}&named-graph-uri={g(2)}",
                    NAMED.encode(), "application/sparql-query")  # fmt: skip
    success(response)
    assert boolean(response) is True


def test_query_dataset_named_graphs_get(client: httpx.Client) -> None:
    response = send(client, "GET", f"/sparql?query={quote(NAMED, safe='')}"
                    f"&named-graph-uri={g(1)}&named-graph-uri={g(2)}")  # fmt: skip
    success(response)
    assert boolean(response) is True


def test_query_dataset_full(client: httpx.Client) -> None:
    query = (
        f"ASK {{\n  <{DATA}data3.rdf> a ?type\n"
        f"  GRAPH ?g1 {{ <{DATA}data1.rdf> a ?type }}\n"
        f"  GRAPH ?g2 {{ <{DATA}data2.rdf> a ?type }}\n}}"
    )
    path = f"/sparql?default-graph-uri={g(3)}&named-graph-uri={g(1)}&named-graph-uri={g(2)}"
    response = send(client, "POST", path, query.encode(), "application/sparql-query")
    success(response)
    assert boolean(response) is True


def test_query_multiple_dataset(client: httpx.Client) -> None:
    query = (
        f"ASK FROM <{DATA}data3.rdf> {{ GRAPH ?g1 {{ <{DATA}data1.rdf> a ?type }} "
        f"GRAPH ?g2 {{ <{DATA}data2.rdf> a ?type }} }}"
    )
    response = send(client, "POST", f"/sparql?named-graph-uri={g(1)}&named-graph-uri={g(2)}",
                    query.encode(), "application/sparql-query")  # fmt: skip
    success(response)
    assert boolean(response) is True


def test_query_get(client: httpx.Client) -> None:
    response = send(client, "GET", f"/sparql?query=ASK%20%7B%7D&default-graph-uri={g(0)}")
    success(response)
    assert boolean(response) is True


def test_query_content_type_select(client: httpx.Client) -> None:
    response = send(client, "POST", f"/sparql?default-graph-uri={g(0)}",
                    b"SELECT (1 AS ?value) {}", "application/sparql-query")  # fmt: skip
    success(response)
    assert media_type(response) in TABULAR


def test_query_content_type_ask(client: httpx.Client) -> None:
    response = send(client, "POST", f"/sparql?default-graph-uri={g(0)}",
                    b"ASK {}", "application/sparql-query")  # fmt: skip
    success(response)
    assert media_type(response) in BOOLEAN


def test_query_content_type_describe(client: httpx.Client) -> None:
    response = send(client, "POST", f"/sparql?default-graph-uri={g(0)}",
                    b"DESCRIBE <http://example.org/>", "application/sparql-query")  # fmt: skip
    success(response)
    assert media_type(response) in RDF


def test_query_content_type_construct(client: httpx.Client) -> None:
    response = send(client, "POST", f"/sparql?default-graph-uri={g(0)}",
                    b"CONSTRUCT { <s> <p> 1 } WHERE {}", "application/sparql-query")  # fmt: skip
    success(response)
    assert media_type(response) in RDF
    assert len(list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))) == 1


def test_query_post_direct(client: httpx.Client) -> None:
    response = send(client, "POST", "/sparql", b"ASK {}", "application/sparql-query")
    success(response)
    assert boolean(response) is True


def test_bad_query_method(client: httpx.Client) -> None:
    failure(send(client, "PUT", f"/sparql?query=ASK%20%7B%7D&default-graph-uri={g(0)}",
                 None, "application/x-www-form-urlencoded"))  # fmt: skip


def test_bad_multiple_queries(client: httpx.Client) -> None:
    failure(send(client, "GET", "/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D"))


def test_bad_query_wrong_media_type(client: httpx.Client) -> None:
    failure(send(client, "POST", "/sparql", b"ASK {}", "text/plain"))


def test_bad_query_missing_form_type(client: httpx.Client) -> None:
    failure(send(client, "POST", "/sparql", b"query=ASK%20%7B%7D"))


def test_bad_query_missing_direct_type(client: httpx.Client) -> None:
    failure(send(client, "POST", "/sparql", b"ASK {}"))


def test_bad_query_non_utf8(client: httpx.Client) -> None:
    failure(send(client, "POST", "/sparql", "ASK {}".encode("utf-16"),
                 "application/sparql-query; charset=UTF-16"))  # fmt: skip


def test_bad_query_syntax(client: httpx.Client) -> None:
    failure(send(client, "GET", "/sparql?query=ASK%20%7B"))


def test_bad_update_get(client: httpx.Client) -> None:
    failure(send(client, "GET", "/sparql?update=CLEAR%20ALL"))


def test_bad_multiple_updates(client: httpx.Client) -> None:
    failure(send(client, "POST", "/sparql", b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
                 "application/x-www-form-urlencoded"))  # fmt: skip


def test_bad_update_wrong_media_type(client: httpx.Client) -> None:
    failure(send(client, "POST", "/sparql", b"CLEAR NAMED", "text/plain"))


def test_bad_update_missing_form_type(client: httpx.Client) -> None:
    failure(send(client, "POST", "/sparql", b"update=CLEAR%20NAMED"))


def test_bad_update_non_utf8(client: httpx.Client) -> None:
    failure(send(client, "POST", "/sparql", "CLEAR NAMED".encode("utf-16"),
                 "application/sparql-update; charset=UTF-16"))  # fmt: skip


def test_bad_update_syntax(client: httpx.Client) -> None:
    failure(send(client, "POST", "/sparql", b"update=CLEAR%20XYZ",
                 "application/x-www-form-urlencoded"))  # fmt: skip


def test_bad_update_dataset_conflict(client: httpx.Client) -> None:
    update = (
        "PREFIX foaf:  <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
        "DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
        "WHERE {\n    ?person foaf:givenName 'Bill'\n}"
    )
    failure(send(client, "POST", "/sparql?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople",
                 update.encode(), "application/sparql-update"))  # fmt: skip


MANIFEST = W3C_DATA.parent / "protocol-manifest.ttl"
TESTS = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"
FIRST_REQUEST = """
PREFIX ht: <http://www.w3.org/2011/http#>
PREFIX cnt: <http://www.w3.org/2011/content#>
PREFIX mf: <http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?test ?path ?method ?chars ?type WHERE {
  ?test mf:action/ht:requests/rdf:first ?request .
  ?request ht:absolutePath ?path ; ht:methodName ?method .
  OPTIONAL { ?request ht:body/cnt:chars ?chars }
  OPTIONAL { ?request ht:headers/rdf:first [ ht:fieldName "content-type" ; ht:fieldValue ?type ] }
}
"""


def first_request(w3c_id: str) -> tuple[str, str, bytes | None, str | None]:
    """The manifest's first request of a test: (path, method, body, content type)."""
    store = ox.Store()
    store.load(path=str(MANIFEST), format=ox.RdfFormat.TURTLE, base_iri=MANIFEST.as_uri())
    test = ox.NamedNode(TESTS + w3c_id)
    (row,) = list(store.query(FIRST_REQUEST, substitutions={ox.Variable("test"): test}))
    chars, content_type = row["chars"], row["type"]
    return (
        row["path"].value.replace("/sparql/", "/sparql", 1),
        row["method"].value,
        chars.value.encode() if chars is not None else None,
        content_type.value if content_type is not None else None,
    )


@pytest.mark.parametrize(
    "w3c_id",
    ["update_dataset_default_graph", "update_dataset_default_graphs",
     "update_dataset_named_graphs", "update_dataset_full", "update_post_form",
     "update_post_direct", "update_base_uri"],
)  # fmt: skip
def test_update_cases_are_refused_on_a_read_only_endpoint(
    client: httpx.Client, w3c_id: str
) -> None:
    """These W3C cases expect their update to succeed; a read-only endpoint refuses it (400)
    and the data stays as it was."""
    path, method, body, content_type = first_request(w3c_id)
    assert body and content_type in ("application/sparql-update", FORM)
    refused = send(client, method, path, body, content_type)
    assert refused.status_code == 400, refused.text
    intact = f"ASK {{ GRAPH <{DATA}data1.rdf> {{ ?s ?p ?o }} }}"
    response = send(client, "POST", "/sparql", intact.encode(), "application/sparql-query")
    assert boolean(response) is True
