"""The SPARQL 1.1 Protocol over HTTP, against a real uvicorn serving the fixture dataset."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
import pytest
from sparql_support import BASE, SPARQL_DATA, app_for, serve, settings_for

MAX_RESULTS = 10
MAX_QUERY = 2000
SD = "http://www.w3.org/ns/sparql-service-description#"
SRJ = "application/sparql-results+json"
SRX = "application/sparql-results+xml"


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    def make(origin: str):  # type: ignore[no-untyped-def]
        return app_for(
            settings_for(SPARQL_DATA, origin, max_results=MAX_RESULTS, max_query_length=MAX_QUERY)
        )

    with serve(make) as served:
        yield served


@pytest.fixture(scope="module")
def client(origin: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=origin, timeout=30) as http:
        http.headers.pop("accept-encoding")
        yield http


def get(
    client: httpx.Client, query: str, accept: str | None = None, **params: str
) -> httpx.Response:
    headers = {"accept": accept} if accept else {}
    return client.get("/sparql", params={"query": query, **params}, headers=headers)


def bindings(response: httpx.Response) -> list[dict[str, dict[str, str]]]:
    assert response.status_code == 200, response.text
    return json.loads(response.content)["results"]["bindings"]


PERCENT = (
    "SELECT ?d { ?s <https://schema.org/description> ?d "
    'FILTER(CONTAINS(?d, "100% sure, 50%+ more &")) }'
)


def test_get_form_post_and_direct_post_give_the_same_answer(client: httpx.Client) -> None:
    accept = {"accept": "application/sparql-results+json"}
    by_get = client.get("/sparql", params={"query": PERCENT}, headers=accept)
    by_form = client.post(
        "/sparql",
        content=urlencode({"query": PERCENT}),
        headers={**accept, "content-type": "application/x-www-form-urlencoded"},
    )
    by_body = client.post(
        "/sparql",
        content=PERCENT.encode(),
        headers={**accept, "content-type": "application/sparql-query"},
    )
    assert len(bindings(by_get)) == 1
    assert by_get.content == by_form.content == by_body.content


def test_the_parameters_clients_add_are_ignored(client: httpx.Client) -> None:
    response = get(
        client, "ASK { ?s ?p ?o }", "application/sparql-results+json",
        format="json", output="json", results="json", callback="x",
    )  # fmt: skip
    assert response.status_code == 200
    assert json.loads(response.content) == {"head": {}, "boolean": True}


SELECT_LABELS = (
    "SELECT ?s ?l { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?l LIMIT 3"
)


@pytest.mark.parametrize(
    ("accept", "media_type", "oxigraph"),
    [
        (SRJ, SRJ, ox.QueryResultsFormat.JSON),
        (SRX, SRX, ox.QueryResultsFormat.XML),
        ("text/csv", "text/csv", None),
        ("text/tab-separated-values", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
        ("*/*", SRJ, ox.QueryResultsFormat.JSON),
    ],
)
def test_select_in_every_results_format(
    client: httpx.Client, accept: str, media_type: str, oxigraph: ox.QueryResultsFormat | None
) -> None:
    response = get(client, SELECT_LABELS, accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert "Accept" in response.headers["vary"].split(", ")
    if oxigraph is None:  # CSV is lossy; Oxigraph does not read it back
        parsed = list(csv.reader(io.StringIO(response.text, newline="")))[1:]
    else:
        parsed = list(ox.parse_query_results(response.content, format=oxigraph))
    assert len(parsed) == 3


def test_format_parameter_overrides_accept(client: httpx.Client) -> None:
    response = get(client, SELECT_LABELS, "application/sparql-results+json", format="csv")
    assert response.headers["content-type"].startswith("text/csv")
    response = get(client, "CONSTRUCT WHERE { ?s a ?t }", "text/turtle", format="nt")
    assert response.headers["content-type"].startswith("application/n-triples")


CONSTRUCT = "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t }"


@pytest.mark.parametrize(
    ("accept", "media_type", "fmt"),
    [
        (f"{SRX}, application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("*/*", "text/turtle", ox.RdfFormat.TURTLE),
        ("application/sparql-results+json,*/*;q=0.9", "text/turtle", ox.RdfFormat.TURTLE),
    ],
)  # fmt: skip
def test_graph_results_are_chosen_after_the_form_is_known(
    client: httpx.Client, accept: str, media_type: str, fmt: ox.RdfFormat
) -> None:
    response = get(client, CONSTRUCT, accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    triples = list(ox.parse(response.content, format=fmt))
    assert len({(t.subject, t.object) for t in triples}) == 7


def test_ask_and_describe(client: httpx.Client) -> None:
    xml = get(client, "ASK { ?s ?p 42 }", "application/sparql-results+xml")
    assert bool(ox.parse_query_results(xml.content, format=ox.QueryResultsFormat.XML))
    no = get(client, "ASK { ?s ?p 43 }", "application/sparql-results+json")
    assert json.loads(no.content)["boolean"] is False
    described = get(client, f"DESCRIBE <{client.base_url}id/person/ana>", "application/n-triples")
    assert f"<{client.base_url}id/person/ana>".encode() in described.content


@pytest.mark.parametrize(
    ("query", "accept", "named"),
    [
        (SELECT_LABELS, "text/turtle", "application/sparql-results+json"),
        (CONSTRUCT, "text/csv", "text/turtle"),
        ("ASK {}", "application/foo", "application/sparql-results+xml"),
    ],
)
def test_unsatisfiable_accept_is_406_naming_the_formats(
    client: httpx.Client, query: str, accept: str, named: str
) -> None:
    response = get(client, query, accept)
    assert response.status_code == 406
    assert named in response.text
    assert response.headers["access-control-allow-origin"] == "*"


def test_iris_are_public_in_results_and_public_iris_work_in_queries(
    client: httpx.Client, origin: str
) -> None:
    rows = bindings(get(client, SELECT_LABELS, "application/sparql-results+json"))
    assert all(r["s"]["value"].startswith(origin) for r in rows)
    query = (
        f"SELECT ?l {{ <{origin}id/person/ana> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    )
    assert {r["l"]["value"] for r in bindings(get(client, query))} == {"Ana Example", "آنا مثال"}
    prefixed = (
        f"PREFIX id: <{origin}id/>\n"
        "SELECT ?l { id:person\\/bo <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    )
    assert [r["l"]["value"] for r in bindings(get(client, prefixed))] == ["Bo Example"]
    canonical = f"ASK {{ <{BASE}id/person/ana> ?p ?o }}"
    assert json.loads(get(client, canonical).content)["boolean"] is True


def test_protocol_dataset_maps_public_graph_iris(client: httpx.Client, origin: str) -> None:
    query = "SELECT DISTINCT ?s { ?s a <https://schema.org/Person> }"
    both = bindings(get(client, query))
    assert len(both) == 2
    only_s1 = bindings(get(client, query, **{"default-graph-uri": f"{origin}id/graph/s1"}))
    assert [r["s"]["value"] for r in only_s1] == [f"{origin}id/person/ana"]
    named = bindings(
        get(
            client,
            "SELECT ?g ?s { GRAPH ?g { ?s a <https://schema.org/Person> } }",
            **{"named-graph-uri": f"{BASE}id/graph/s2"},
        )
    )
    assert [(r["g"]["value"], r["s"]["value"]) for r in named] == [
        (f"{origin}id/graph/s2", f"{origin}id/person/bo")
    ]
    nowhere = get(client, "ASK { ?s ?p ?o }", **{"default-graph-uri": "http://example.org/no"})
    assert json.loads(nowhere.content)["boolean"] is False


def test_from_selects_graphs_of_the_dataset(client: httpx.Client, origin: str) -> None:
    query = f"SELECT DISTINCT ?s FROM <{origin}id/graph/s2> {{ ?s a <https://schema.org/Person> }}"
    assert [r["s"]["value"] for r in bindings(get(client, query))] == [f"{origin}id/person/bo"]


@pytest.mark.parametrize(
    ("accept", "check"),
    [
        ("application/sparql-results+json", lambda body: json.loads(body)["head"]["link"]),
        ("application/sparql-results+xml", lambda body: b"<link href=" in body),
        ("text/csv", lambda body: len(list(csv.reader(io.StringIO(body.decode())))) == 11),
        ("text/tab-separated-values", lambda body: body.count(b"\n") == 11),
    ],
)
def test_a_cut_select_says_so(client: httpx.Client, accept: str, check: object) -> None:
    response = get(client, "SELECT * { ?s ?p ?o }", accept)
    assert response.status_code == 200
    assert response.headers["sparql-results-truncated"] == f"true; limit={MAX_RESULTS}"
    assert "SPARQL-Results-Truncated" in response.headers["access-control-expose-headers"]
    assert check(response.content)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("accept", "in_body"),
    [("text/turtle", True), ("application/n-triples", True), ("application/rdf+xml", True),
     ("application/ld+json", False)],
)  # fmt: skip
def test_a_cut_graph_says_so(client: httpx.Client, accept: str, in_body: bool) -> None:
    response = get(client, "CONSTRUCT WHERE { ?s ?p ?o }", accept)
    assert response.headers["sparql-results-truncated"] == f"true; limit={MAX_RESULTS}"
    assert (b"sparql#truncated" in response.content) is in_body
    fmt = ox.RdfFormat.from_media_type(accept)
    assert fmt is not None
    assert len(list(ox.parse(response.content, format=fmt))) == MAX_RESULTS


def test_a_whole_result_has_no_truncation_signal(client: httpx.Client) -> None:
    response = get(client, SELECT_LABELS, "application/sparql-results+json")
    assert "sparql-results-truncated" not in response.headers
    assert "link" not in json.loads(response.content)["head"]


UPDATES = [
    ("GET", {"update": "INSERT DATA { <http://a> <http://b> <http://c> }"}, None, None),
    ("GET", {"query": "INSERT DATA { <http://a> <http://b> <http://c> }"}, None, None),
    ("POST", {}, "application/x-www-form-urlencoded",
     b"update=INSERT+DATA+%7B+%3Chttp%3A%2F%2Fa%3E+%3Chttp%3A%2F%2Fb%3E+%3Chttp%3A%2F%2Fc%3E+%7D"),
    ("POST", {}, "application/x-www-form-urlencoded",
     b"query=INSERT+DATA+%7B+%3Chttp%3A%2F%2Fa%3E+%3Chttp%3A%2F%2Fb%3E+%3Chttp%3A%2F%2Fc%3E+%7D"),
    ("POST", {}, "application/sparql-update", b"INSERT DATA { <http://a> <http://b> <http://c> }"),
    ("POST", {}, "application/sparql-query", b"DROP ALL"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "params", "content_type", "body"), UPDATES)
def test_updates_are_refused_and_never_executed(
    client: httpx.Client, method: str, params: dict[str, str], content_type: str | None,
    body: bytes | None,
) -> None:  # fmt: skip
    headers = {"content-type": content_type} if content_type else {}
    response = client.request(method, "/sparql", params=params, content=body, headers=headers)
    assert response.status_code == 400
    assert "read-only" in response.text
    still = get(client, "ASK { <http://a> <http://b> <http://c> }")
    assert json.loads(still.content)["boolean"] is False
    assert json.loads(get(client, "ASK { ?s ?p ?o }").content)["boolean"] is True


def test_service_is_refused_with_a_problem_document(client: httpx.Client) -> None:
    response = get(client, "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
                   "application/problem+json")  # fmt: skip
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"].endswith("sparql#service-refused")
    assert "service_allowlist" in problem["detail"]


MALFORMED = "SELECT * WHERE {\n  ?s ?p ?o .\n  OPTIONAL ?x\n}"


def test_malformed_query_in_plain_text_shows_where(client: httpx.Client) -> None:
    response = get(client, MALFORMED, "text/plain")
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert 'line 3, column 12: expected "{"' in response.text
    assert "  OPTIONAL ?x\n           ^" in response.text


def test_malformed_query_as_problem_json(client: httpx.Client, origin: str) -> None:
    response = get(client, MALFORMED, "application/problem+json")
    assert response.status_code == 400
    problem = response.json()
    assert (problem["line"], problem["column"], problem["status"]) == (3, 12, 400)
    assert problem["type"] == f"{origin}sparql#malformed-query"


def test_line_and_column_refer_to_the_query_as_written(client: httpx.Client, origin: str) -> None:
    """Public IRIs are rewritten before Oxigraph parses; positions must not shift."""
    query = f"SELECT * {{ <{origin}id/person/ana> ?p ?o OPTIONAL ?x }}"
    problem = get(client, query, "application/problem+json").json()
    assert problem["column"] == query.index("?x") + 1


def test_too_long_queries_are_413(client: httpx.Client) -> None:
    query = "ASK {}" + " " * MAX_QUERY
    for response in (
        get(client, query),
        client.post("/sparql", content=query, headers={"content-type": "application/sparql-query"}),
    ):
        assert response.status_code == 413
        assert str(MAX_QUERY) in response.text and "max_query_length" in response.text
        assert response.headers["access-control-allow-origin"] == "*"


def test_etag_and_304(client: httpx.Client) -> None:
    first = get(client, SELECT_LABELS, "text/csv")
    etag = first.headers["etag"]
    again = client.get(
        "/sparql",
        params={"query": SELECT_LABELS},
        headers={"accept": "text/csv", "if-none-match": etag},
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    other = get(client, SELECT_LABELS, "text/tab-separated-values")
    assert other.headers["etag"] != etag
    posted = client.post("/sparql", content=SELECT_LABELS,
                         headers={"content-type": "application/sparql-query"})  # fmt: skip
    assert "etag" not in posted.headers


def test_head_has_the_headers_of_get_and_no_body(client: httpx.Client) -> None:
    got = get(client, SELECT_LABELS, "text/csv")
    head = client.head("/sparql", params={"query": SELECT_LABELS}, headers={"accept": "text/csv"})
    assert head.status_code == 200 and head.content == b""
    for name in ("content-type", "etag", "content-length", "access-control-allow-origin"):
        assert head.headers[name] == got.headers[name]


def test_cors_preflight(client: httpx.Client) -> None:
    response = client.options(
        "/sparql",
        headers={
            "origin": "https://yasgui.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type, accept",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-allow-headers"] == "content-type, accept"


def test_other_methods_are_405(client: httpx.Client) -> None:
    response = client.put("/sparql", params={"query": "ASK {}"})
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]


def test_post_without_query_and_results_get_without_query_are_400(client: httpx.Client) -> None:
    response = client.post(
        "/sparql",
        content=b"default-graph-uri=x",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400 and "'query'" in response.text
    response = client.get("/sparql", headers={"accept": "application/sparql-results+json"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD),
     ("application/rdf+xml", ox.RdfFormat.RDF_XML), ("*/*", ox.RdfFormat.TURTLE),
     ("application/n-triples", ox.RdfFormat.N_TRIPLES)],
)  # fmt: skip
def test_service_description(
    client: httpx.Client, origin: str, accept: str, fmt: ox.RdfFormat
) -> None:
    response = client.get("/sparql", headers={"accept": accept})
    assert response.status_code == 200
    graph = list(ox.parse(response.content, format=fmt))
    endpoint = ox.NamedNode(f"{origin}sparql")
    assert ox.Quad(endpoint, ox.NamedNode(SD + "endpoint"), endpoint) in graph
    formats = {q.object.value for q in graph if q.predicate.value == SD + "resultFormat"}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_TSV" in formats and len(formats) == 8
    names = {q.object.value for q in graph if q.predicate.value == SD + "name"}
    assert names == {f"{origin}id/graph/s1", f"{origin}id/graph/s2"}


def test_download_parameter_names_a_file(client: httpx.Client) -> None:
    response = get(client, SELECT_LABELS, None, format="tsv", download="1")
    assert response.headers["content-disposition"] == 'attachment; filename="query-results.tsv"'
