"""The SPARQL 1.1 Service Description of the endpoint, with its default dataset in VoID terms."""

from __future__ import annotations

import pyoxigraph as ox

from publisher.config import Settings
from publisher.dataset import Dataset, ReadStore
from publisher.formats import Format
from publisher.fragments.search_form import lookup_endpoint
from publisher.urls import Urls

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
RDFS_SEE_ALSO = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
DCTERMS_MODIFIED = ox.NamedNode("http://purl.org/dc/terms/modified")
OWL_VERSION_INFO = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
XSD = "http://www.w3.org/2001/XMLSchema#"
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)
PREFIXES = {
    "sd": SD,
    "void": VOID,
    "formats": FORMATS,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "dcterms": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": XSD,
}


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _void(name: str) -> ox.NamedNode:
    return ox.NamedNode(VOID + name)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def describe(settings: Settings, dataset: Dataset, urls: Urls) -> list[ox.Triple]:
    """The triples of the description; IRIs on the public origin like every response."""
    endpoint = ox.NamedNode(urls.absolute("sparql"))
    default_dataset = ox.NamedNode(urls.absolute("sparql#dataset"))
    default_graph = ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(endpoint, RDF_TYPE, _sd("Service")),
        ox.Triple(endpoint, _sd("endpoint"), endpoint),
        ox.Triple(endpoint, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(endpoint, _sd("feature"), _sd("UnionDefaultGraph")),
        ox.Triple(
            endpoint,
            _sd("defaultEntailmentRegime"),
            ox.NamedNode("http://www.w3.org/ns/entailment/Simple"),
        ),
        ox.Triple(endpoint, _sd("defaultDataset"), default_dataset),
        ox.Triple(endpoint, RDFS_COMMENT, ox.Literal(_limits(settings), language="en")),
        *(
            ox.Triple(endpoint, _sd("resultFormat"), ox.NamedNode(FORMATS + name))
            for name in RESULT_FORMATS
        ),
        ox.Triple(default_dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(default_dataset, RDF_TYPE, _void("Dataset")),
        ox.Triple(default_dataset, _void("sparqlEndpoint"), endpoint),
        # the same data as Triple Pattern Fragments (/fragments?subject=…)
        ox.Triple(default_dataset, _void("uriLookupEndpoint"), _iri(lookup_endpoint(urls))),
        ox.Triple(default_dataset, _void("uriSpace"), ox.Literal(urls.origin)),
        ox.Triple(default_dataset, OWL_VERSION_INFO, ox.Literal(dataset.version)),
        ox.Triple(
            default_dataset,
            DCTERMS_MODIFIED,
            ox.Literal(dataset.modified.isoformat(), datatype=ox.NamedNode(XSD + "dateTime")),
        ),
        ox.Triple(default_dataset, RDFS_SEE_ALSO, ox.NamedNode(urls.absolute(".well-known/void"))),
        ox.Triple(default_dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
        ox.Triple(default_graph, _void("triples"), _integer(_union_size(dataset.store))),
    ]
    for index, name in enumerate(sorted(dataset.store.named_graphs(), key=str)):
        named = ox.BlankNode(f"namedGraph{index}")
        graph = ox.BlankNode(f"graph{index}")
        size = sum(1 for _ in dataset.store.quads_for_pattern(None, None, None, name))
        public = urls.public(name.value) if isinstance(name, ox.NamedNode) else None
        if public is None:
            continue
        triples += [
            ox.Triple(default_dataset, _sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(named, _sd("name"), ox.NamedNode(public)),
            ox.Triple(named, _sd("graph"), graph),
            ox.Triple(graph, RDF_TYPE, _sd("Graph")),
            ox.Triple(graph, _void("triples"), _integer(size)),
        ]
    return triples


def serialize(triples: list[ox.Triple], fmt: Format) -> bytes:
    assert fmt.rdf_format is not None
    return ox.serialize(triples, format=fmt.rdf_format, prefixes=PREFIXES) or b""


def _union_size(store: ReadStore) -> int:
    """Distinct triples of the union default graph (a fact may sit in two graphs)."""
    answer = store.query(
        "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }",
        use_default_graph_as_union=True,
    )
    assert isinstance(answer, ox.QuerySolutions)  # a SELECT answers solutions
    for solution in answer:
        value = solution["n"]
        return int(value.value) if isinstance(value, ox.Literal) else 0
    return 0


def _limits(settings: Settings) -> str:
    return (
        f"Read-only SPARQL 1.1 Query endpoint. Limits: {settings.query_timeout:g} s per query "
        f"(query_timeout), {settings.max_results} rows or triples per result (max_results; a "
        f"cut result carries the header SPARQL-Results-Truncated), {settings.max_query_length} "
        f"bytes per query (max_query_length), {settings.max_concurrent_queries} queries at once "
        "(max_concurrent_queries). SERVICE is refused unless the endpoint is in "
        "service_allowlist. The default graph is the union of all graphs."
    )
