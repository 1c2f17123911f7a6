"""How a dataset sits on the SPARQL server: the metadata graph `push_to_remote` writes last,
read back as a `Layout`.

Each named graph keeps its name; the default graph's triples are in `DEFAULT_GRAPH` (Virtuoso
has no default graph of its own to hold them); blank nodes are IRIs under `genid`; the graph
`METADATA_GRAPH` holds the version (the same hash of the sources as in memory, so ETags do not
depend on the mode), `dcterms:modified`, the quad count and the graphs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from publisher import __version__
from publisher.dataset import Dataset
from publisher.stores.remote.client import RESULTS_XML, SparqlClient
from publisher.stores.remote.dialect import LEXICAL, XSD
from publisher.stores.remote.reader import Term, parse_solutions

METADATA_GRAPH = "urn:publisher:metadata"
DEFAULT_GRAPH = "urn:publisher:default-graph"
_META = "urn:publisher:"
META_VERSION = ox.NamedNode(_META + "version")
META_GRAPH = ox.NamedNode(_META + "graph")
META_DEFAULT = ox.NamedNode(_META + "defaultGraph")
META_GENID = ox.NamedNode(_META + "genid")
META_BASE = ox.NamedNode(_META + "baseIri")
META_WRITER = ox.NamedNode(_META + "writer")
META_LEXICAL = ox.NamedNode(_META + "lexical")
DCTERMS_MODIFIED = ox.NamedNode("http://purl.org/dc/terms/modified")
VOID_TRIPLES = ox.NamedNode("http://rdfs.org/ns/void#triples")
XSD_DATETIME = ox.NamedNode(XSD + "dateTime")


@dataclass(frozen=True)
class Layout:
    """How the dataset sits on the server, from its metadata graph. `graphs` None: there is
    none (the server's own default graph and all its named graphs are served)."""

    graphs: tuple[str, ...] | None = None  # every graph, the stand-in default graph included
    default_graph: str | None = None
    genid: str | None = None
    version: str | None = None
    modified: datetime | None = None
    base_iri: str | None = None
    lexical: bool = False  # literals Virtuoso would rewrite are stored under LEXICAL datatypes

    @property
    def named(self) -> tuple[str, ...]:
        """The dataset's named graphs (the stand-in default graph is not one)."""
        return tuple(g for g in self.graphs or () if g != self.default_graph)


def read_layout(client: SparqlClient) -> Layout | None:
    """The metadata `push_to_remote` wrote, or None on a server it never wrote to."""
    meta = f"<{METADATA_GRAPH}>"
    answer = client.query(
        f"SELECT ?p ?o WHERE {{ GRAPH {meta} {{ {meta} ?p ?o }} }}", {}, RESULTS_XML
    )
    rows = parse_solutions(answer.body)
    if not rows[1]:
        return None
    graphs: list[str] = []
    fields: dict[str, Term] = {}
    for predicate, value in rows[1]:
        if predicate == META_GRAPH and isinstance(value, ox.NamedNode):
            graphs.append(value.value)
        elif isinstance(predicate, ox.NamedNode) and value is not None:
            fields[predicate.value] = value
    return Layout(
        graphs=tuple(sorted(graphs)),
        default_graph=_value(fields.get(META_DEFAULT.value)),
        genid=_value(fields.get(META_GENID.value)),
        version=_value(fields.get(META_VERSION.value)),
        modified=_datetime(fields.get(DCTERMS_MODIFIED.value)),
        base_iri=_value(fields.get(META_BASE.value)),
        lexical=_value(fields.get(META_LEXICAL.value)) == LEXICAL,
    )


def _value(term: Term | None) -> str | None:
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else None


def _datetime(term: Term | None) -> datetime | None:
    if not isinstance(term, ox.Literal):
        return None
    try:
        parsed = datetime.fromisoformat(term.value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def metadata_triples(
    dataset: Dataset, graphs: list[str], genid: str, triples: int, lexical: bool
) -> list[ox.Triple]:
    """The metadata graph of `dataset` as pushed: what `read_layout` reads back."""
    meta = ox.NamedNode(METADATA_GRAPH)
    stamp = dataset.modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    found = [
        ox.Triple(meta, META_VERSION, ox.Literal(dataset.version)),
        ox.Triple(meta, DCTERMS_MODIFIED, ox.Literal(stamp, datatype=XSD_DATETIME)),
        ox.Triple(meta, VOID_TRIPLES, ox.Literal(triples)),
        ox.Triple(meta, META_GENID, ox.Literal(genid)),
        ox.Triple(meta, META_BASE, ox.Literal(dataset.base_iri)),
        ox.Triple(meta, META_WRITER, ox.Literal(f"gcm-publisher {__version__}")),
    ]
    if lexical:
        found.append(ox.Triple(meta, META_LEXICAL, ox.Literal(LEXICAL)))
    if DEFAULT_GRAPH in graphs:
        found.append(ox.Triple(meta, META_DEFAULT, ox.NamedNode(DEFAULT_GRAPH)))
    found += [ox.Triple(meta, META_GRAPH, ox.NamedNode(g)) for g in graphs]
    return found
