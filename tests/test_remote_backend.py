"""The publisher in front of a SPARQL server: the same answers as with the embedded store.

One suite, parametrised by `backend`: the shipped dataset served from memory ("embedded"), from
an Oxigraph server and from Virtuoso, each publisher on a real loopback port. Every backend is
compared with the embedded publisher (the reference): documents, SPARQL answers, dumps and VoID
must be the same bytes (dumps and VoID carry canonical blank node labels; documents keep the
labels of the dataset that was pushed, which is the reference's own). Virtuoso runs with a cap
of 100 result rows (its ResultSetMaxRows) and a sort limit of 200 (MaxSortedTopRows), so every
comparison also proves that the publisher pages through both.

Then what differs per server: the outage tests stop (and hang) the real servers and start them
again; a second `publisher load` is picked up while serving.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from remote_servers import OxigraphServer, Server, VirtuosoServer
from sparql_support import serve

from publisher.config import PROJECT_ROOT, Settings
from publisher.dataset import Dataset
from publisher.documents.describe import thing_paths
from publisher.errors import StoreError
from publisher.stores import open_dataset, with_catalog
from publisher.stores.remote import open_remote_dataset, push_to_remote
from publisher.stores.remote.dialect import LEXICAL, protect
from publisher.stores.remote.layout import DEFAULT_GRAPH, METADATA_GRAPH
from publisher.stores.remote.push import guess_gsp
from publisher.stores.remote.reader import parse_results
from publisher.stores.remote.store import RemoteStore
from publisher.urls import Urls
from publisher.web.app import create_app

PUBLIC = "http://publisher.test/"
"""The public origin of every publisher here, so that their answers compare byte for byte."""
BASE = "https://w3id.org/gcm-arab-review/"
ID = PUBLIC + "id/"
VIRTUOSO_MAX_ROWS = 100
SPARQL_RESULTS = "application/sparql-results+json"
# Resources whose documents hold blank nodes, durations, dates, Arabic text, many labels.
SAMPLE = (
    "event/gcm-arab-regional-review-conference-2021",
    "event/imrf-2022",
    "person/nasser-bourita",
    "country/ma",
    "article/gcm-arab-regional-review-report",
)
RDF_FORMATS = ("ttl", "nt", "nq", "jsonld", "rdf")
LINK = re.compile(r'href="([^"]*)"')
TITLE = re.compile(r"<h1>.*?</h1>", re.DOTALL)


def settings_for(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "base_iri": BASE,
        "public_origin": PUBLIC,
        "data": [str(PROJECT_ROOT / "data")],
        "ontology": [str(PROJECT_ROOT / "ontology")],
        "shapes": [str(PROJECT_ROOT / "shapes")],
        "max_concurrent_queries": 2,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def remote_settings(server: Server, **overrides: object) -> Settings:
    return settings_for(
        store=server.query_url,
        remote_gsp=server.gsp_url,
        remote_user=server.user,
        remote_password=server.password,
        **overrides,
    )


@dataclasses.dataclass
class Publisher:
    name: str
    url: str
    http: httpx.Client

    def get(self, path: str, **headers: str) -> httpx.Response:
        return self.http.get(self.url + path.lstrip("/"), headers=headers)

    def sparql(self, query: str, accept: str = SPARQL_RESULTS, **params: str) -> httpx.Response:
        return self.http.post(
            self.url + "sparql", data={"query": query, **params}, headers={"Accept": accept}
        )


@contextmanager
def running(name: str, settings: Settings, dataset: Dataset) -> Iterator[Publisher]:
    """A publisher on a loopback port (its public origin stays PUBLIC)."""
    app = create_app(settings, dataset)
    with serve(lambda _origin: app) as url, httpx.Client(timeout=60) as http:
        yield Publisher(name, url, http)


@contextmanager
def started(server: Server, dataset: Dataset) -> Iterator[Server]:
    server.start()
    try:
        push_to_remote(dataset, remote_settings(server))
        yield server
    finally:
        server.stop()


def served_dataset(settings: Settings) -> Dataset:
    """The remote dataset as `publisher serve` opens it (`open_dataset`): with its catalog."""
    return with_catalog(open_remote_dataset(settings))


@pytest.fixture(scope="module")
def shipped() -> Dataset:
    """The shipped dataset; the reference serves it and the servers get it pushed."""
    return open_dataset(settings_for())


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory, shipped: Dataset) -> Iterator[Server]:
    with started(OxigraphServer(tmp_path_factory.mktemp("oxigraph")), shipped) as server:
        yield server


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory, shipped: Dataset) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("virtuoso")
    server = VirtuosoServer(folder, max_rows=VIRTUOSO_MAX_ROWS, max_sorted_rows=200)
    with started(server, shipped) as running_server:
        yield running_server


@pytest.fixture(scope="module")
def reference(shipped: Dataset) -> Iterator[Publisher]:
    with running("embedded", settings_for(), shipped) as publisher:
        yield publisher


@pytest.fixture(scope="module", params=["embedded", "oxigraph", "virtuoso"])
def backend(request: pytest.FixtureRequest, reference: Publisher) -> Iterator[Publisher]:
    if request.param == "embedded":
        yield reference
        return
    server: Server = request.getfixturevalue(request.param)
    settings = remote_settings(server)
    dataset = served_dataset(settings)
    assert dataset.capabilities.changes
    with running(request.param, settings, dataset) as publisher:
        yield publisher


def isomorphic(one: bytes, other: bytes, media_type: str) -> bool:
    fmt = ox.RdfFormat.from_media_type(media_type)
    assert fmt is not None
    graphs = [ox.Dataset(ox.parse(data, fmt)) for data in (one, other)]
    for graph in graphs:
        graph.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(graphs[0]) == set(graphs[1]) != set()


def same(backend: Publisher, reference: Publisher, path: str, **headers: str) -> httpx.Response:
    """GET from both; the backend's answer must be the reference's: status, type, ETag, bytes."""
    got, expected = backend.get(path, **headers), reference.get(path, **headers)
    assert got.status_code == expected.status_code, (path, got.text[:500])
    for header in ("content-type", "etag", "location", "content-location", "last-modified"):
        assert got.headers.get(header) == expected.headers.get(header), (path, header)
    assert got.content == expected.content, path
    return got


# --- dereferencing ---------------------------------------------------------------------------


def test_health_reports_the_same_version_and_size(backend: Publisher, shipped: Dataset) -> None:
    health = backend.get("/health").json()
    for _ in range(100):  # the count is made in the background, once per version
        if health["triples"] is not None and health["store"]["status"] != "unknown":
            break
        time.sleep(0.1)
        health = backend.get("/health").json()
    said = (health["status"], health["version"], health["triples"], health["store"]["status"])
    assert said == ("ok", shipped.version, len(shipped.store), "ok")


def test_every_document_is_the_same(
    backend: Publisher, reference: Publisher, shipped: Dataset
) -> None:
    paths = sorted(thing_paths(shipped, Urls(BASE, PUBLIC)))
    assert len(paths) > 100
    for path in paths:
        response = same(backend, reference, f"/doc/{path}.ttl")
        assert response.status_code == 200
        assert f"<{ID}{path}>".encode() in response.content or b"id:" in response.content


@pytest.mark.parametrize("path", SAMPLE)
def test_documents_in_every_format(backend: Publisher, reference: Publisher, path: str) -> None:
    for extension in RDF_FORMATS:
        assert same(backend, reference, f"/doc/{path}.{extension}").status_code == 200
    assert same(backend, reference, f"/id/{path}", Accept="text/turtle").status_code == 303
    negotiated = same(backend, reference, f"/doc/{path}", Accept="application/n-quads")
    assert negotiated.status_code == 200
    page, expected = backend.get(f"/doc/{path}.html"), reference.get(f"/doc/{path}.html")
    assert page.status_code == expected.status_code == 200
    # The same page, but not the same bytes: where a page's query has no ORDER BY, values come
    # in the order the store gives them, which differs from one store to another.
    assert set(LINK.findall(page.text)) == set(LINK.findall(expected.text))
    assert TITLE.findall(page.text) == TITLE.findall(expected.text) != []


def test_blank_nodes_and_durations_survive_the_round_trip(backend: Publisher) -> None:
    """The conference's duration (`P2D`, which Virtuoso alone would turn into 172800.0) and the
    IMRF's location (a blank node, which a query cannot name) come back as they were."""
    event = backend.get("/doc/event/gcm-arab-regional-review-conference-2021.nt").text
    assert '"P2D"^^<http://www.w3.org/2001/XMLSchema#duration>' in event
    assert LEXICAL not in event
    imrf = ox.Dataset(
        ox.parse(backend.get("/doc/event/imrf-2022.nq").content, ox.RdfFormat.N_QUADS)
    )
    locations = [q.object for q in imrf if q.predicate.value == "https://schema.org/location"]
    assert locations and all(isinstance(node, ox.BlankNode) for node in locations)
    names = [q for q in imrf if q.subject in locations]
    assert names, "the blank node's own description is in the document"
    assert ".well-known/genid" not in str(list(imrf))


def test_ontology_and_home_pages(backend: Publisher, reference: Publisher) -> None:
    for extension in RDF_FORMATS:
        assert same(backend, reference, f"/def/gcmr.{extension}").status_code == 200
    assert same(backend, reference, "/context.jsonld").status_code == 200
    home = backend.get("/", Accept="text/html")
    assert home.status_code == 200 and b"<html" in home.content


def test_unknown_resources_are_404(backend: Publisher, reference: Publisher) -> None:
    assert same(backend, reference, "/doc/person/nobody.ttl").status_code == 404
    assert same(backend, reference, "/id/person/nobody", Accept="text/turtle").status_code == 404


# --- SPARQL ----------------------------------------------------------------------------------

SELECTS = (
    # Ordered, so the bytes compare; IRIs come back on the public origin.
    """SELECT ?person ?name WHERE { ?person a <https://schema.org/Person> ;
         <http://www.w3.org/2000/01/rdf-schema#label> ?name } ORDER BY ?person ?name""",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?subjects) WHERE { ?s ?p ?o }",
    f"""SELECT ?p ?o WHERE {{ <{ID}event/imrf-2022> ?p ?o FILTER(!isBlank(?o)) }}
         ORDER BY ?p ?o""",
    f"""SELECT ?label WHERE {{ <{BASE}id/country/ma> <http://www.w3.org/2000/01/rdf-schema#label>
         ?label FILTER(LANG(?label) = "ar") }}""",
    # A query's own dataset: FROM names one graph of ours.
    # isIRI and isBlank see blank nodes as blank nodes (the server holds skolem IRIs).
    """SELECT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) } ORDER BY ?s LIMIT 5""",
    """SELECT (COUNT(*) AS ?blank) WHERE { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }""",
    f"""SELECT DISTINCT ?s FROM <{ID}graph/article-s01> WHERE {{ ?s ?p ?o }} ORDER BY ?s""",
    """SELECT ?x WHERE { VALUES ?x { 1 2 3 } } ORDER BY DESC(?x)""",
)


@pytest.mark.parametrize("query", SELECTS)
def test_select_answers_are_the_same(backend: Publisher, reference: Publisher, query: str) -> None:
    got, expected = backend.sparql(query), reference.sparql(query)
    assert got.status_code == expected.status_code == 200, got.text
    assert got.json() == expected.json()
    assert got.json()["results"]["bindings"]


@pytest.mark.parametrize(
    ("accept", "query"),
    [
        ("text/csv", SELECTS[0]),
        ("text/tab-separated-values", SELECTS[0]),
        ("application/sparql-results+xml", SELECTS[1]),
        (SPARQL_RESULTS, f"ASK {{ <{ID}country/ma> ?p ?o }}"),
        (SPARQL_RESULTS, "ASK { ?s <http://example.org/nothing> ?o }"),
        (
            "text/turtle",
            f"CONSTRUCT {{ <{ID}event/imrf-2022> ?p ?o }} WHERE {{ <{ID}event/imrf-2022> ?p ?o }}",
        ),
        ("application/n-triples", f"CONSTRUCT WHERE {{ <{ID}country/ma> ?p ?o }}"),
        (
            "application/ld+json",
            "CONSTRUCT WHERE { ?s a <http://www.w3.org/2002/07/owl#Ontology> }",
        ),
    ],
)
def test_every_form_and_format_is_the_same(
    backend: Publisher, reference: Publisher, accept: str, query: str
) -> None:
    got, expected = backend.sparql(query, accept), reference.sparql(query, accept)
    assert got.status_code == expected.status_code == 200, got.text
    assert got.headers["content-type"] == expected.headers["content-type"]
    if query.startswith("CONSTRUCT"):  # the same graph; triples in the order the store gives
        assert isomorphic(got.content, expected.content, accept)
    else:
        assert got.content == expected.content


def test_protocol_graphs_and_errors_are_the_same(backend: Publisher, reference: Publisher) -> None:
    graph = f"{ID}graph/article-s01"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for params in ({"default-graph-uri": graph}, {"default-graph-uri": ID + "graph/none"}):
        got, expected = backend.sparql(count, **params), reference.sparql(count, **params)
        assert got.status_code == 200 and got.json() == expected.json()
    for bad in (
        "SELECT ?x WHERE { ?x ?y }",
        "DELETE WHERE { ?s ?p ?o }",
        "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }",
    ):
        got, expected = backend.sparql(bad), reference.sparql(bad)
        assert got.status_code == expected.status_code == 400
        assert got.content == expected.content


# --- dumps and VoID --------------------------------------------------------------------------


def dumps_written(publisher: Publisher) -> None:
    """Wait (up to a minute) until the publisher's dumps, written in the background once per
    version, are there: a test that runs first in its process must not find them preparing."""
    for _ in range(600):
        if publisher.get("/health").json().get("dumps") == "ready":
            return
        time.sleep(0.1)
    pytest.fail(f"{publisher.name}: the dumps were not written within a minute")


def test_dumps_are_the_same_files(
    backend: Publisher, reference: Publisher, shipped: Dataset
) -> None:
    dumps_written(backend)
    dumps_written(reference)
    sums = same(backend, reference, "/dumps/SHA256SUMS")
    assert sums.status_code == 200
    listed = dict(reversed(line.split("  ")) for line in sums.text.splitlines())
    assert len(listed) == 5
    name = next(n for n in listed if n.endswith(".nq.gz"))
    dump = backend.get(f"/dumps/{name}")
    assert hashlib.sha256(dump.content).hexdigest() == listed[name]
    quads = list(ox.parse(gzip.decompress(dump.content), ox.RdfFormat.N_QUADS))
    assert len(quads) == len(shipped.store)
    assert all(METADATA_GRAPH not in str(q) and DEFAULT_GRAPH not in str(q) for q in quads)
    assert same(backend, reference, "/dumps/", Accept="application/json").status_code == 200


def test_void_is_the_same(backend: Publisher, reference: Publisher) -> None:
    void = same(backend, reference, "/.well-known/void", Accept="text/turtle")
    assert void.status_code == 200
    graph = ox.Dataset(ox.parse(void.content, ox.RdfFormat.TURTLE))
    triples = [
        q.object.value for q in graph if q.predicate.value == "http://rdfs.org/ns/void#triples"
    ]
    assert triples


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/sparql", "text/turtle"),  # the service description, with the graphs' sizes
        ("/validation", "text/turtle"),  # the SHACL report, made from the store's data
        ("/sitemap.xml", "*/*"),
        ("/dumps/", "text/plain"),
    ],
)
def test_discovery_documents_are_the_same(
    backend: Publisher, reference: Publisher, path: str, accept: str
) -> None:
    assert same(backend, reference, path, Accept=accept).status_code == 200


# --- what only a SPARQL server does ----------------------------------------------------------


def test_virtuoso_row_cap_is_paged_through(virtuoso: Server, shipped: Dataset) -> None:
    """Virtuoso answers at most 100 rows here: reading the store pages (its subquery form, past
    its sort limit of 200), and a SPARQL answer it cut says it is truncated."""
    dataset = open_remote_dataset(remote_settings(virtuoso))
    store = dataset.store
    assert isinstance(store, RemoteStore)
    remote, local = ox.Dataset(list(store)), ox.Dataset(list(shipped.store))
    assert len(remote) == len(local) > 10 * VIRTUOSO_MAX_ROWS
    remote.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    local.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    assert set(remote) == set(local)
    raw = httpx.post(
        virtuoso.query_url,
        data={"query": "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert raw.headers.get("x-sparql-maxrows") == str(VIRTUOSO_MAX_ROWS)
    with running("virtuoso", remote_settings(virtuoso), dataset) as publisher:
        answer = publisher.sparql("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert answer.status_code == 200
    assert answer.headers["SPARQL-Results-Truncated"].startswith("true")
    assert len(answer.json()["results"]["bindings"]) == VIRTUOSO_MAX_ROWS


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_outage_gives_503_then_recovers(request: pytest.FixtureRequest, kind: str) -> None:
    """The server stops: requests that need it get 503 with Retry-After and a message, cached
    documents are still served; it starts again: the same publisher answers everything."""
    server: Server = request.getfixturevalue(kind)
    settings = remote_settings(
        server, remote_timeout=3.0, remote_check_interval=0.0, health_check_interval=0.2
    )
    with running(kind, settings, served_dataset(settings)) as publisher:
        cached = publisher.get("/doc/country/ma.ttl")
        assert cached.status_code == 200
        server.stop()
        try:
            assert publisher.get("/doc/country/ma.ttl").content == cached.content
            # /health says what its background check (every 0.2 s here) found: a 503 soon.
            health = publisher.get("/health")
            for _ in range(100):
                if health.status_code == 503:
                    break
                time.sleep(0.1)
                health = publisher.get("/health")
            assert health.status_code == 503 and health.headers["Retry-After"].isdigit()
            assert health.json()["store"]["status"] == "unavailable"
            for path in ("/doc/person/nasser-bourita.ttl", "/doc/country/eg.html"):
                down = publisher.get(path, Accept="application/json")
                assert down.status_code == 503, (path, down.text)
                assert down.headers["Retry-After"].isdigit()
                assert "not answering" in down.json()["detail"]
                assert "Traceback" not in down.text and server.query_url not in down.text
            query = publisher.sparql("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
            assert query.status_code == 503 and query.headers["Retry-After"].isdigit()
            assert "not answering" in query.text
        finally:
            server.start()
        assert publisher.get("/doc/person/nasser-bourita.ttl").status_code == 200
        for _ in range(100):  # the next background check sees the server back
            if publisher.get("/health").status_code == 200:
                break
            time.sleep(0.1)
        assert publisher.get("/health").status_code == 200
        assert publisher.sparql("SELECT * WHERE { ?s ?p ?o } LIMIT 1").status_code == 200


def test_a_hung_server_is_503_within_the_time_limit(oxigraph: Server) -> None:
    """SIGSTOP keeps the port open but answers nothing: the time limit turns that into a 503
    (no hang), and SIGCONT brings the answers back."""
    settings = remote_settings(oxigraph, remote_timeout=1.0, query_timeout=2.0)
    with running("oxigraph", settings, served_dataset(settings)) as publisher:
        assert publisher.get("/doc/country/ma.ttl").status_code == 200
        oxigraph.pause()
        try:
            hung = publisher.get("/doc/person/nasser-bourita.ttl", Accept="application/json")
            assert hung.status_code == 503 and "no answer within 1 s" in hung.json()["detail"]
            for query, accept in (("ASK { ?s ?p ?o }", SPARQL_RESULTS),
                                  ("CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle")):  # fmt: skip
                answer = publisher.sparql(query, accept)
                assert answer.status_code == 503 and answer.headers["Retry-After"], answer.text
        finally:
            oxigraph.resume()
        assert publisher.get("/doc/person/nasser-bourita.ttl").status_code == 200


def test_a_new_load_is_served_without_a_restart(tmp_path: Path, shipped: Dataset) -> None:
    """`publisher load --store` while serving: the publisher notices the new version (new
    ETags, new data), and graphs the new version lacks are gone from the server."""
    server = OxigraphServer(tmp_path / "oxigraph")
    with started(server, shipped):
        settings = remote_settings(server, remote_check_interval=0.0)
        with running("oxigraph", settings, served_dataset(settings)) as publisher:
            before = publisher.get("/doc/country/ma.ttl")
            changed = open_dataset(settings_for())
            dropped = ox.NamedNode(ID.replace(PUBLIC, BASE) + "graph/article-s13")
            changed.store.remove_graph(dropped)
            changed.store.add(
                ox.Quad(
                    ox.NamedNode(BASE + "id/country/ma"),
                    ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
                    ox.Literal("second load", language="en"),
                    ox.NamedNode(BASE + "id/graph/article-s01"),
                )
            )
            push_to_remote(dataclasses.replace(changed, version="second-load"), settings)
            deadline = time.monotonic() + 30
            while publisher.get("/health").json()["version"] != "second-load":
                assert time.monotonic() < deadline, "the new version was not noticed"
                time.sleep(0.05)
            after = publisher.get("/doc/country/ma.ttl")
            assert after.headers["etag"] != before.headers["etag"]
            assert b"second load" in after.content and b"second load" not in before.content
        fresh = open_remote_dataset(settings)
        assert dropped not in set(fresh.store.named_graphs())
        assert fresh.triple_count == len(changed.store)


def test_a_server_without_publisher_metadata_is_served_as_it_is(tmp_path: Path) -> None:
    """Data loaded by other means (N-Quads straight into Oxigraph): its named graphs are read,
    the version is a hash of what is there."""
    server = OxigraphServer(tmp_path / "plain")
    server.start()
    try:
        nquads = (
            f'<{BASE}id/person/x> <http://www.w3.org/2000/01/rdf-schema#label> "X"@en '
            f"<{BASE}id/graph/g1> .\n"
            f"<{BASE}id/person/x> <http://xmlns.com/foaf/0.1/knows> <{BASE}id/person/y> "
            f"<{BASE}id/graph/g2> .\n"
        )
        httpx.post(
            server.gsp_url, content=nquads, headers={"Content-Type": "application/n-quads"}
        ).raise_for_status()
        dataset = served_dataset(remote_settings(server))
        assert dataset.version.startswith("remote-") and len(dataset.store) == 2
        assert {g.value for g in dataset.store.named_graphs()} == {
            f"{BASE}id/graph/g1",
            f"{BASE}id/graph/g2",
        }
        quads = list(
            dataset.store.quads_for_pattern(ox.NamedNode(f"{BASE}id/person/x"), None, None)
        )
        assert len(quads) == 2
    finally:
        server.stop()


# --- pieces ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "datatype", "kept"),
    [
        ("P2D", "duration", False),
        ("12", "integer", True),
        ("007", "integer", False),
        ("1.5", "decimal", True),
        ("2.0", "decimal", False),
        ("100.0", "double", True),
        ("1.0E2", "double", False),
        ("true", "boolean", True),
        ("1", "boolean", False),
        ("2018", "gYear", True),
        ("2021-03-01T10:00:00.500Z", "dateTime", True),
    ],
)
def test_literals_virtuoso_would_rewrite_are_protected(
    value: str, datatype: str, kept: bool
) -> None:
    literal = ox.Literal(
        value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#" + datatype)
    )
    assert (protect(literal) == literal) is kept
    assert protect(literal).value == value


def test_the_graph_store_endpoint_is_guessed_for_known_servers() -> None:
    assert guess_gsp("http://h:7878/query") == "http://h:7878/store"
    assert guess_gsp("http://h:8890/sparql") == "http://h:8890/sparql-graph-crud-auth"
    assert guess_gsp("http://h:3030/ds/sparql") == "http://h:3030/ds/data"
    assert guess_gsp("http://h/repositories/r") == "http://h/repositories/r/rdf-graphs/service"
    with pytest.raises(Exception, match="--gsp"):
        guess_gsp("http://h/somewhere")


def test_an_unreachable_store_is_a_clear_error_at_start() -> None:
    from publisher.errors import StoreUnavailable

    with pytest.raises(StoreUnavailable, match="not answering"):
        open_remote_dataset(settings_for(store="http://127.0.0.1:9/sparql", remote_timeout=1))


def test_load_command_pushes_and_reports(tmp_path: Path) -> None:
    """`publisher load --store URL` validates, pushes, says what it did; a server that is not
    there is one line of error, not a traceback."""
    from typer.testing import CliRunner

    from publisher.cli import app as cli

    server = OxigraphServer(tmp_path / "cli")
    server.start()
    try:
        result = CliRunner().invoke(cli, ["load", "--store", server.query_url])
        assert result.exit_code == 0, result.output
        quads = len(open_dataset(settings_for()).store)
        assert f"pushed {quads:,} triples in " in result.output
        dataset = open_remote_dataset(settings_for(store=server.query_url))
        assert dataset.version == open_dataset(settings_for()).version
    finally:
        server.stop()
    down = CliRunner().invoke(cli, ["load", "--store", server.query_url])
    assert down.exit_code == 2
    assert "is not answering" in down.output and "Traceback" not in down.output


def test_results_are_read_as_virtuoso_writes_them() -> None:
    body = b"""<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>
      <variable name="s"/><variable name="o"/><variable name="none"/></head>
      <results distinct="false" ordered="true">
      <result><binding name="s"><bnode>nodeID://b10000</bnode></binding>
        <binding name="o"><literal xml:lang="ar">\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7</literal>
        </binding></result>
      <result><binding name="s"><uri>http://x/a</uri></binding>
        <binding name="o"><literal datatype="http://www.w3.org/2001/XMLSchema#integer">7</literal>
        </binding></result>
      </results></sparql>"""
    variables, rows = parse_results(body, "test")  # type: ignore[misc]
    assert variables == ["s", "o", "none"]
    assert rows == [
        [ox.BlankNode("b10000"), ox.Literal("\u0645\u0631\u062d\u0628\u0627", language="ar"), None],
        [ox.NamedNode("http://x/a"), ox.Literal(7), None],
    ]
    ask = b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/><boolean>true</boolean></sparql>'
    assert parse_results(ask, "test") is True
    with pytest.raises(StoreError, match="not SPARQL XML"):
        parse_results(b"<html>oops", "test")
