"""/fragments: the Triple Pattern Fragments specification (and the QPF note), one requirement per
test, in process over the dereferencing fixture (pages of 4 so that paging shows)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from urllib.parse import quote

import anyio
import lxml.html
import pyoxigraph as ox
import pytest
from ld_support import (
    BASE,
    ORIGIN,
    Client,
    fixture_dataset,
    fixture_settings,
    urls_of,
)
from remote_servers import OxigraphServer

from publisher.dataset import Dataset
from publisher.fragments import select
from publisher.fragments.pattern import UNION_GRAPH, Pattern
from publisher.fragments.remote import RemoteCounts, is_remote, remote_page
from publisher.fragments.select import Figures, Page, select_page
from publisher.fragments.service import Fragments
from publisher.fragments.service import Request as FragmentRequest
from publisher.fragments.skolem import skolemise_quad
from publisher.stores import open_dataset
from publisher.stores.remote import push_to_remote
from publisher.vocab import HYDRA, RDF, SD, VOID, XSD
from publisher.web.app import create_app
from publisher.web.state import state_of_app

PAGE = 4
FRAGMENTS = ORIGIN + "fragments"
METADATA_FORMATS = {
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
TRIPLE_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ALICE = BASE + "id/person/alice"
HUB = BASE + "id/concept/hub"
G2 = BASE + "id/graph/g2"
CHAIR = BASE + "def/tst#chair"
SEVEN = ox.Literal("7", datatype=ox.NamedNode(XSD + "integer"))


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return fixture_dataset()


@pytest.fixture(scope="module")
def client(dataset: Dataset) -> Iterator[Client]:
    settings = fixture_settings().model_copy(update={"fragment_page_size": PAGE})
    app = create_app(settings, dataset)
    yield Client(app)
    endpoint = state_of_app(app).sparql  # started by the service description's test
    if endpoint is not None:
        anyio.run(endpoint.pool.close)


def get(client: Client, query: str = "", accept: str = "application/n-quads") -> list[ox.Quad]:
    answer = client.get(f"/fragments{'?' + query if query else ''}", accept=accept)
    assert answer.status_code == 200, answer.text
    return list(ox.parse(answer.content, format=METADATA_FORMATS.get(accept, ox.RdfFormat.TURTLE)))


def split(quads: list[ox.Quad]) -> tuple[list[ox.Quad], ox.Store]:
    """(data quads, a store of the metadata graph's triples) of a page in a quad format."""
    topics = [q for q in quads if q.predicate.value == "http://xmlns.com/foaf/0.1/primaryTopic"]
    assert len(topics) == 1
    graph = topics[0].graph_name
    meta = ox.Store()
    meta.extend(ox.Quad(*q.triple) for q in quads if q.graph_name == graph)
    return [q for q in quads if q.graph_name != graph], meta


def value(meta: ox.Store, subject: str, predicate: str) -> ox.NamedNode | ox.Literal | None:
    found = [
        q.object
        for q in meta.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None)
    ]
    assert len(found) <= 1, found
    return found[0] if found and isinstance(found[0], ox.NamedNode | ox.Literal) else None


def count_of(meta: ox.Store, page_url: str) -> int:
    total = value(meta, page_url, HYDRA + "totalItems")
    assert isinstance(total, ox.Literal)
    assert total.datatype == ox.NamedNode(XSD + "integer")
    assert value(meta, page_url, VOID + "triples") == total
    return int(total.value)


def walk(client: Client, query: str) -> Iterator[tuple[str, list[ox.Quad], ox.Store]]:
    """Every page of a fragment, following hydra:next from the first."""
    url = FRAGMENTS + (f"?{query}" if query else "")
    seen = set()
    while url:
        assert url not in seen
        seen.add(url)
        data, meta = split(get(client, url.removeprefix(FRAGMENTS).lstrip("?")))
        yield url, data, meta
        following = value(meta, url, HYDRA + "next")
        url = following.value if isinstance(following, ox.NamedNode) else ""


def public(quads: Iterator[ox.Quad]) -> set[ox.Quad]:
    """The quads as the server writes them (IRIs on the public origin, blank nodes as skolem
    IRIs)."""
    urls = urls_of(fixture_settings())
    return {skolemise_quad(q, urls) for q in quads}


# --- §3 the selector: a pattern, any position unbound --------------------------------------------


def test_the_empty_pattern_pages_through_every_quad_of_the_dataset(
    client: Client, dataset: Dataset
) -> None:
    pages = list(walk(client, ""))
    found = [q for _, data, _ in pages for q in data]
    assert len(pages) > 2
    assert all(len(data) <= PAGE for _, data, _ in pages)
    assert set(found) == public(iter(dataset.store))
    assert len(found) == len(set(found)) == len(dataset.store)
    first_url, _, first_meta = pages[0]
    assert count_of(first_meta, first_url) == len(dataset.store)


def test_a_bound_subject_gives_exactly_its_quads(client: Client, dataset: Dataset) -> None:
    pages = list(walk(client, f"subject={quote(ALICE, safe='')}"))
    found = {q for _, data, _ in pages for q in data}
    expected = public(dataset.store.quads_for_pattern(ox.NamedNode(ALICE), None, None))
    assert found == expected
    url, _, meta = pages[0]
    assert count_of(meta, url) == len(expected)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ('"Alice"@en', ox.Literal("Alice", language="en")),
        ('"Alice"', ox.Literal("Alice")),
        (f'"7"^^{XSD}integer', SEVEN),
        (f'"7"^^<{XSD}integer>', SEVEN),
    ],
)
def test_an_object_literal_in_its_explicit_representation_matches(
    client: Client, given: str, expected: ox.Literal
) -> None:
    data, _ = split(get(client, f"object={quote(given, safe='')}"))
    assert data
    assert {q.object for q in data} == {expected}


def test_iris_match_on_the_public_origin_and_as_stored(client: Client) -> None:
    stored = get(client, f"subject={quote(ALICE, safe='')}")
    on_origin = ORIGIN + ALICE.removeprefix(BASE)
    given_public = get(client, f"subject={quote(on_origin, safe='')}")
    assert split(stored)[0] == split(given_public)[0]
    assert all(q.subject == ox.NamedNode(on_origin) for q in split(stored)[0])


def test_variables_and_empty_parameters_are_unbound(client: Client) -> None:
    plain = split(get(client, f"predicate={quote(LABEL, safe='')}"))[0]
    with_variables = split(get(client, f"subject=%3Fs&predicate={quote(LABEL, safe='')}&object="))
    assert plain == with_variables[0]


def test_a_pattern_nothing_can_match_is_an_empty_fragment_not_an_error(client: Client) -> None:
    url_query = "subject=%22Alice%22%40en"  # a literal subject: a join may well ask for it
    data, meta = split(get(client, url_query))
    assert data == []
    assert count_of(meta, f"{FRAGMENTS}?{url_query}") == 0
    assert value(meta, f"{FRAGMENTS}?{url_query}", HYDRA + "next") is None


@pytest.mark.parametrize(
    "query",
    [
        "subject=not%20an%20iri",
        "subject=relative/path",
        "predicate=%3Chttp%3A%2F%2Fexample.org%2Fa%20b%3E",
        "object=%22unterminated",
        "object=%22x%22%40",
        "object=%22x%22%5E%5Enot%20a%20datatype",
        "page=0",
        "page=-1",
        "page=two",
        "page=1.5",
        "page=99999999999",
        "subject=http%3A%2F%2Fa.example%2F&subject=http%3A%2F%2Fb.example%2F",
        "page=1&page=2",
    ],
)
def test_a_malformed_parameter_is_a_400_problem(client: Client, query: str) -> None:
    answer = client.get(f"/fragments?{query}", accept="text/turtle")
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 400
    assert answer.headers["access-control-allow-origin"] == "*"


# --- §4 metadata and controls --------------------------------------------------------------------


def test_a_page_past_the_end_is_empty_and_still_counts(client: Client, dataset: Dataset) -> None:
    query = f"subject={quote(ALICE, safe='')}&page=9"
    data, meta = split(get(client, query))
    assert data == []
    expected = sum(1 for _ in dataset.store.quads_for_pattern(ox.NamedNode(ALICE), None, None))
    url = f"{FRAGMENTS}?{query}"
    assert count_of(meta, url) == expected
    assert value(meta, url, HYDRA + "next") is None
    assert value(meta, url, HYDRA + "previous") is not None
    assert value(meta, url, "http://purl.org/dc/terms/description") is None  # not an estimate


def test_every_page_carries_the_search_form_with_its_four_mappings(client: Client) -> None:
    _, meta = split(get(client, "subject=" + quote(ALICE, safe="")))
    ask = f"""PREFIX hydra: <{HYDRA}> PREFIX rdf: <{RDF}> PREFIX void: <{VOID}> PREFIX sd: <{SD}>
    ASK {{ ?dataset a void:Dataset, hydra:Collection ; hydra:search ?form .
      ?form hydra:template "{FRAGMENTS}{{?subject,predicate,object,graph}}" ;
            hydra:variableRepresentation hydra:ExplicitRepresentation ;
            hydra:mapping [ hydra:variable "subject" ; hydra:property rdf:subject ],
                          [ hydra:variable "predicate" ; hydra:property rdf:predicate ],
                          [ hydra:variable "object" ; hydra:property rdf:object ],
                          [ hydra:variable "graph" ;
                            hydra:property sd:graph ] }}"""
    assert bool(meta.query(ask))


def test_pages_link_first_previous_and_next_and_state_their_size(client: Client) -> None:
    query = f"predicate={quote(LABEL, safe='')}"
    pages = list(walk(client, query))
    assert len(pages) >= 3
    for number, (url, _data, meta) in enumerate(pages, start=1):
        assert value(meta, url, HYDRA + "itemsPerPage") == ox.Literal(
            str(PAGE), datatype=ox.NamedNode(XSD + "integer")
        )
        assert value(meta, url, HYDRA + "first") == ox.NamedNode(f"{FRAGMENTS}?{query}")
        previous = value(meta, url, HYDRA + "previous")
        if number == 1:
            assert previous is None
        else:
            assert previous == ox.NamedNode(pages[number - 2][0])
        assert (value(meta, url, HYDRA + "next") is None) == (number == len(pages))
        assert value(meta, url, RDF + "type") == ox.NamedNode(HYDRA + "PartialCollectionView")
    total = count_of(pages[0][2], pages[0][0])
    assert total == sum(len(data) for _, data, _ in pages)


def test_the_page_iri_in_the_metadata_is_the_url_the_client_fetched(client: Client) -> None:
    """Comunica finds the metadata graph through `?x void:subset <the URL it fetched>`, so a
    differently encoded query string must come back as it was sent."""
    query = f"subject={ALICE}"  # unencoded, as a person types it
    _, meta = split(get(client, query))
    fetched = f"{FRAGMENTS}?{query}"
    on_origin = ORIGIN + ALICE.removeprefix(BASE)  # the server writes public IRIs
    canonical = f"{FRAGMENTS}?subject={quote(on_origin, safe='')}"
    assert bool(meta.query(f"ASK {{ <{canonical}> <{VOID}subset> <{fetched}> }}"))
    assert count_of(meta, fetched) > 0


@pytest.mark.parametrize("accept", sorted(METADATA_FORMATS))
def test_quad_formats_put_the_metadata_in_a_graph_of_its_own(
    client: Client, dataset: Dataset, accept: str
) -> None:
    quads = get(client, f"predicate={quote(LABEL, safe='')}", accept)
    data, meta = split(quads)
    assert len(data) == PAGE and all(q.predicate == ox.NamedNode(LABEL) for q in data)
    assert set(data) <= public(iter(dataset.store))  # each in the graph that states it
    assert len(meta) > 20


@pytest.mark.parametrize("accept", sorted(TRIPLE_FORMATS))
def test_triple_formats_put_the_metadata_beside_the_data(client: Client, accept: str) -> None:
    answer = client.get(f"/fragments?predicate={quote(LABEL, safe='')}", accept=accept)
    assert answer.headers["content-type"].startswith(accept)
    triples = list(ox.parse(answer.content, format=TRIPLE_FORMATS[accept]))
    assert all(isinstance(q.graph_name, ox.DefaultGraph) for q in triples)
    labels = [q for q in triples if q.predicate == ox.NamedNode(LABEL)]
    assert len(labels) == PAGE
    assert any(q.predicate == ox.NamedNode(HYDRA + "search") for q in triples)


def test_an_estimate_is_said_to_be_one(
    client: Client, monkeypatch: pytest.MonkeyPatch, dataset: Dataset
) -> None:
    """No catalog figure counts `?s ?p <hub>`: counted to the cap, then marked an estimate."""
    monkeypatch.setattr(select, "COUNT_CAP", 1)
    query = f"object={quote(HUB, safe='')}&page=1"
    answer = client.get(f"/fragments?{query}", accept="application/n-quads")
    _, meta = split(list(ox.parse(answer.content, format=ox.RdfFormat.N_QUADS)))
    url = f"{FRAGMENTS}?{query}"
    assert count_of(meta, url) == PAGE + 1
    assert "estimate" in str(value(meta, url, "http://purl.org/dc/terms/description"))
    matching = list(dataset.store.quads_for_pattern(None, None, ox.NamedNode(HUB)))
    assert len(matching) > PAGE + 1  # it is a lower bound


# --- QPF: the graph parameter --------------------------------------------------------------------


def test_a_bound_graph_gives_that_graphs_quads_only(client: Client, dataset: Dataset) -> None:
    data = [q for _, page, _ in walk(client, f"graph={quote(G2, safe='')}") for q in page]
    expected = public(dataset.store.quads_for_pattern(None, None, None, ox.NamedNode(G2)))
    assert set(data) == expected


def test_the_announced_default_graph_is_the_union_of_every_graph(client: Client) -> None:
    _, meta = split(get(client))
    union = value(meta, ORIGIN + ".well-known/void#dataset", SD + "defaultGraph")
    assert isinstance(union, ox.NamedNode)
    query = f"subject={quote(ALICE, safe='')}"
    in_graphs = split(get(client, query))[0]
    in_union = split(get(client, f"{query}&graph={quote(union.value, safe='')}"))[0]
    assert all(isinstance(q.graph_name, ox.DefaultGraph) for q in in_union)
    assert sorted(str(q.triple) for q in in_union) == sorted(str(q.triple) for q in in_graphs)


def test_the_union_graph_is_a_set_of_triples(client: Client) -> None:
    """`meeting-1 chair alice` is stated in two graphs: two quads, one triple of the union."""
    query = f"predicate={quote(CHAIR, safe='')}"
    quads, meta = split(get(client, query))
    assert len(quads) == 2 and len({q.triple for q in quads}) == 1
    assert count_of(meta, f"{FRAGMENTS}?{query}") == 2
    union_query = f"{query}&graph={quote(UNION_GRAPH, safe='')}"
    triples, union_meta = split(get(client, union_query))
    assert len(triples) == 1
    assert count_of(union_meta, f"{FRAGMENTS}?{union_query}") == 1


# --- HTTP: negotiation, caching, CORS ------------------------------------------------------------


def test_curl_gets_turtle_and_an_unknown_type_a_406(client: Client) -> None:
    assert client.get("/fragments", accept="*/*").headers["content-type"].startswith("text/turtle")
    assert client.get("/fragments").headers["content-type"].startswith("text/turtle")
    assert client.get("/fragments", accept="application/foo").status_code == 406


def test_pages_are_cacheable_with_a_strong_etag(client: Client) -> None:
    first = client.get("/fragments?page=2", accept="application/trig")
    again = client.get("/fragments?page=2", accept="application/trig")
    assert first.content == again.content
    etag = first.headers["etag"]
    assert not etag.startswith("W/")
    assert first.headers["cache-control"] == "public, max-age=86400"
    assert first.headers["access-control-allow-origin"] == "*"
    assert "Accept" in first.headers["vary"]
    other = client.get("/fragments?page=2", accept="text/turtle")
    assert other.headers["etag"] != etag
    revalidated = client.get("/fragments?page=2", accept="application/trig", if_none_match=etag)
    assert revalidated.status_code == 304
    assert revalidated.content == b""


def test_head_and_a_cors_preflight(client: Client) -> None:
    got = client.get("/fragments", accept="text/turtle")
    head = client.head("/fragments", accept="text/turtle")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"]
    preflight = client.options(
        "/fragments", origin="https://elsewhere.example", access_control_request_method="GET"
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"


def test_json_ld_is_json(client: Client) -> None:
    answer = client.get("/fragments?page=1", accept="application/ld+json")
    assert answer.headers["content-type"].startswith("application/ld+json")
    assert isinstance(json.loads(answer.text), list | dict)


# --- HTML: the form to try patterns --------------------------------------------------------------


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("ar", "rtl")])
def test_the_html_page_has_a_labelled_form_the_matches_and_paging(
    client: Client, lang: str, direction: str
) -> None:
    query = f"predicate={quote(LABEL, safe='')}&lang={lang}"
    answer = client.get(f"/fragments?{query}", accept="text/html")
    assert answer.status_code == 200
    assert answer.headers["content-language"] == lang
    tree = lxml.html.fromstring(answer.text)
    assert tree.get("lang") == lang and tree.get("dir") == direction
    for name in ("subject", "predicate", "object", "graph"):
        (field,) = tree.xpath(f"//form//input[@name='{name}']")
        assert tree.xpath(f"//label[@for='{field.get('id')}']")
    assert tree.xpath("//input[@name='predicate']/@value") == [LABEL]
    cells = tree.xpath("//table[contains(@class, 'stack')]/tbody/tr/td")
    assert len(cells) == 4 * PAGE
    headers = [th.text_content().strip() for th in tree.xpath("//table/thead//th")]
    assert [cell.get("data-label") for cell in cells[:4]] == headers
    (following,) = tree.xpath("//a[@rel='next']/@href")
    assert following.endswith(f"page=2&lang={lang}")
    assert (
        client.get(following.removeprefix(ORIGIN.rstrip("/")), accept="text/html").headers[
            "content-language"
        ]
        == lang
    )


# --- Advertised where clients look ---------------------------------------------------------------


def test_the_void_description_names_the_interface(client: Client) -> None:
    answer = client.get("/.well-known/void", accept="application/n-triples")
    store = ox.Store()
    store.extend(ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES))
    dataset_iri = ORIGIN + ".well-known/void#dataset"
    ask = f"""PREFIX hydra: <{HYDRA}> ASK {{
      <{dataset_iri}> <{VOID}uriLookupEndpoint> <{FRAGMENTS}?subject=> ;
          hydra:search [ hydra:template "{FRAGMENTS}{{?subject,predicate,object,graph}}" ] }}"""
    assert bool(store.query(ask))


def test_the_home_page_links_the_interface(client: Client) -> None:
    answer = client.get("/", accept="text/html")
    assert f'<{FRAGMENTS}>; rel="{HYDRA}search"' in answer.headers["link"]


def test_the_sparql_service_description_names_the_interface(client: Client) -> None:
    answer = client.get("/sparql", accept="application/n-triples")
    assert answer.status_code == 200
    triples = list(ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES))
    assert any(
        q.predicate == ox.NamedNode(VOID + "uriLookupEndpoint")
        and q.object == ox.NamedNode(f"{FRAGMENTS}?subject=")
        for q in triples
    )


# --- Every backend: the SPARQL path of the remote store ------------------------------------------

PATTERNS = (
    Pattern(),
    Pattern(subject=ox.NamedNode(ALICE)),
    Pattern(predicate=ox.NamedNode(LABEL)),
    Pattern(object=ox.NamedNode(HUB)),
    Pattern(graph=ox.NamedNode(G2)),
    Pattern(predicate=ox.NamedNode(LABEL), union=True),
    Pattern(subject=ox.Literal("Alice", language="en")),
)


def every_page(page_of: Callable[[int], Page]) -> tuple[set[ox.Quad], int]:
    """(the matches of every page, the total the first page gives)."""
    first = page_of(1)
    found, number, page = set(first.quads), 1, first
    while page.has_next:
        number += 1
        page = page_of(number)
        assert len(page.quads) <= PAGE
        found |= set(page.quads)
    return found, first.count.value


def blank_free(quads: set[ox.Quad]) -> set[ox.Quad]:
    """Blank nodes have other labels on another store: compare the rest."""
    return {q for q in quads if not any(isinstance(t, ox.BlankNode) for t in q)}


@pytest.mark.parametrize("pattern", PATTERNS, ids=repr)
def test_the_sparql_selection_gives_what_the_index_gives(
    dataset: Dataset, pattern: Pattern
) -> None:
    """The remote backend's queries, run on the embedded store: the same pages' matches."""
    figures = Figures.of(dataset)
    by_index = every_page(lambda n: select_page(dataset, figures, pattern, n, PAGE))
    counts = RemoteCounts()
    by_sparql = every_page(lambda n: remote_page(dataset, figures, counts, pattern, n, PAGE))
    assert by_sparql == by_index


@pytest.fixture(scope="module")
def oxigraph_dataset(
    tmp_path_factory: pytest.TempPathFactory, dataset: Dataset
) -> Iterator[Dataset]:
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
    server.start()
    try:
        settings = fixture_settings().model_copy(
            update={"store": server.query_url, "remote_gsp": server.gsp_url}
        )
        push_to_remote(dataset, settings)
        yield open_dataset(settings)
    finally:
        server.stop()


@pytest.mark.parametrize("pattern", PATTERNS, ids=repr)
def test_an_oxigraph_server_gives_the_embedded_stores_fragments(
    dataset: Dataset, oxigraph_dataset: Dataset, pattern: Pattern
) -> None:
    urls = urls_of(fixture_settings())
    embedded = Fragments(dataset, urls, PAGE)
    remote = Fragments(oxigraph_dataset, urls, PAGE)
    assert is_remote(oxigraph_dataset) and not is_remote(dataset)

    def pages(fragments: Fragments) -> tuple[set[ox.Quad], int]:
        return every_page(lambda n: fragments.page(FragmentRequest(pattern, n, ""))[1])

    (mine, my_total), (theirs, their_total) = pages(embedded), pages(remote)
    assert their_total == my_total
    assert blank_free(theirs) == blank_free(mine)
    assert len(theirs) == len(mine)


# --- Blank nodes as skolem IRIs (RDF 1.1 Concepts §3.5): one name on every page -----------------

GENID = ORIGIN + ".well-known/genid/"
HAS_PART = "https://schema.org/hasPart"
LOOP = BASE + "id/thing/loop"


def blank_nodes(dataset: Dataset) -> set[ox.BlankNode]:
    return {
        term
        for q in dataset.store
        for term in (q.subject, q.object, q.graph_name)
        if isinstance(term, ox.BlankNode)
    }


def skolem(node: ox.BlankNode) -> ox.NamedNode:
    return ox.NamedNode(GENID + quote(node.value, safe=""))


def public_loop() -> ox.NamedNode:
    return ox.NamedNode(ORIGIN + LOOP.removeprefix(BASE))


def fragment_of(client: Client, name: str, term: ox.NamedNode) -> list[ox.Quad]:
    return split(get(client, f"{name}={quote(term.value, safe='')}"))[0]


@pytest.mark.parametrize("accept", sorted({**METADATA_FORMATS, **TRIPLE_FORMATS}))
def test_every_format_writes_blank_nodes_as_skolem_iris(client: Client, accept: str) -> None:
    answer = client.get(f"/fragments?subject={quote(LOOP, safe='')}", accept=accept)
    fmt = {**METADATA_FORMATS, **TRIPLE_FORMATS}[accept]
    data = [q for q in ox.parse(answer.content, format=fmt) if q.subject == public_loop()]
    assert data and not [t for q in data for t in q if isinstance(t, ox.BlankNode)]
    (part,) = [q.object for q in data if q.predicate == ox.NamedNode(HAS_PART)]
    assert isinstance(part, ox.NamedNode) and part.value.startswith(GENID)


def test_the_html_page_links_a_blank_node_by_its_skolem_iri(client: Client) -> None:
    answer = client.get(f"/fragments?subject={quote(LOOP, safe='')}", accept="text/html")
    tree = lxml.html.fromstring(answer.text)
    links = tree.xpath(f"//td//a[contains(@href, '{quote(GENID, safe='')}')]")
    assert links and all(a.text_content().strip().startswith(GENID) for a in links)
    assert "_:" not in answer.text


def test_every_page_names_each_blank_node_the_same_way(client: Client, dataset: Dataset) -> None:
    """Over all the pages of the whole dataset (pages of 4), a node read on one page has the
    name it has on any other: as many skolem IRIs as stored blank nodes, and those."""
    terms = [t for _, data, _ in walk(client, "") for q in data for t in q]
    assert not [t for t in terms if isinstance(t, ox.BlankNode)]
    named = {t for t in terms if isinstance(t, ox.NamedNode) and t.value.startswith(GENID)}
    assert named == {skolem(node) for node in blank_nodes(dataset)}
    assert len(named) > PAGE


def test_a_skolem_iri_in_a_pattern_finds_its_blank_nodes_triples(
    client: Client, dataset: Dataset
) -> None:
    """Follow `loop hasPart ?x . ?x hasPart ?y . ?y isPartOf ?z` fragment by fragment, as a
    client joins: each step asks for the node the previous page named."""
    (x,) = [q.object for q in fragment_of(client, "subject", ox.NamedNode(LOOP))]
    assert isinstance(x, ox.NamedNode)
    (node,) = [n for n in blank_nodes(dataset) if skolem(n) == x]
    expected = public(dataset.store.quads_for_pattern(node, None, None))
    assert set(fragment_of(client, "subject", x)) == expected
    (y,) = [q.object for q in expected if q.predicate == ox.NamedNode(HAS_PART)]
    assert isinstance(y, ox.NamedNode)
    assert {q.object for q in fragment_of(client, "subject", y)} >= {x}
    as_object = fragment_of(client, "object", x)
    assert {q.subject for q in as_object} == {public_loop(), y}
    by_label = split(get(client, f"subject={quote('_:' + node.value, safe='')}"))[0]
    assert set(by_label) == expected


def test_a_page_of_a_skolem_subject_names_itself_with_that_iri(client: Client) -> None:
    (x,) = [q.object for q in fragment_of(client, "subject", ox.NamedNode(LOOP))]
    assert isinstance(x, ox.NamedNode)
    query = f"subject={quote(x.value, safe='')}"
    _, meta = split(get(client, query))
    assert count_of(meta, f"{FRAGMENTS}?{query}") == 2  # counted by reading: exact
    via_label = "subject=" + quote("_:" + x.value.removeprefix(GENID), safe="")
    tree = lxml.html.fromstring(client.get(f"/fragments?{via_label}", accept="text/html").text)
    assert tree.xpath("//input[@name='subject']/@value") == [x.value]


@pytest.mark.parametrize(
    "genid",
    ["", "a%20b", "%FF", "%2F", "x" * 300],
    ids=["empty", "space", "not-utf8", "slash", "too-long"],
)
def test_a_malformed_skolem_iri_is_a_400_problem(client: Client, genid: str) -> None:
    answer = client.get(f"/fragments?subject={quote(GENID, safe='')}{genid}", accept="text/turtle")
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"


def test_a_skolem_iri_of_no_stored_node_is_an_empty_fragment(client: Client) -> None:
    query = f"object={quote(GENID + 'f' * 32, safe='')}"
    data, meta = split(get(client, query))
    assert data == [] and count_of(meta, f"{FRAGMENTS}?{query}") == 0


def test_a_skolem_iri_dereferences_to_its_fragment(client: Client) -> None:
    (x,) = [q.object for q in fragment_of(client, "subject", ox.NamedNode(LOOP))]
    assert isinstance(x, ox.NamedNode)
    answer = client.get(x.value.removeprefix(ORIGIN.rstrip("/")), accept="text/turtle")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{FRAGMENTS}?subject={quote(x.value, safe='')}"
    assert client.get(f"/.well-known/genid/{'f' * 32}").status_code == 404
    bad = client.get("/.well-known/genid/a%20b", accept="application/json")
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/problem+json"


def test_two_loads_of_a_memory_store_name_a_blank_node_alike(dataset: Dataset) -> None:
    """Two loads of one version (two workers, a restart) write the same skolem IRIs, so the
    ETag, which names only the version, never stands for two namings of one node."""
    urls = urls_of(fixture_settings())
    again = fixture_dataset()
    assert again.version == dataset.version
    (node,) = [q.object for q in dataset.store.quads_for_pattern(ox.NamedNode(LOOP), None, None)]
    (same,) = [q.object for q in again.store.quads_for_pattern(ox.NamedNode(LOOP), None, None)]
    assert isinstance(node, ox.BlankNode) and node == same
    asked = FragmentRequest(Pattern(subject=node), 1, "")
    first, second = Fragments(dataset, urls, PAGE), Fragments(again, urls, PAGE)
    assert first.page(asked)[1].quads == second.page(asked)[1].quads
    assert first.etag(asked, "text/turtle") == second.etag(asked, "text/turtle")


def test_an_oxigraph_server_finds_a_blank_node_by_its_skolem_iri(
    dataset: Dataset, oxigraph_dataset: Dataset
) -> None:
    """The publisher pushed the blank nodes under its genid: the stored ids come back, so
    the remote backend's pages name them as the embedded store's do."""
    urls = urls_of(fixture_settings())
    loop = ox.NamedNode(LOOP)
    (node,) = [q.object for q in dataset.store.quads_for_pattern(loop, None, None)]
    assert isinstance(node, ox.BlankNode)
    pattern = Pattern(subject=node)
    remote = Fragments(oxigraph_dataset, urls, PAGE).page(FragmentRequest(pattern, 1, ""))[1]
    embedded = Fragments(dataset, urls, PAGE).page(FragmentRequest(pattern, 1, ""))[1]
    assert remote.quads and set(remote.quads) == set(embedded.quads)
