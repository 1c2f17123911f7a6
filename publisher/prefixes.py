"""The prefixes a dataset names its own vocabularies with, read from the data itself (for
documents, dumps and validation reports), so that no vocabulary's prefix is written in the code."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib

from publisher.dataset import ReadStore
from publisher.vocab import VANN


def _solutions(store: ReadStore, query: str) -> list[ox.QuerySolution]:
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)  # a SELECT answers solutions
    return list(result)


def declared_prefixes(store: ReadStore, base_iri: str) -> dict[str, str]:
    """Prefixes the data declares (`vann:preferredNamespacePrefix` and `…Uri` on an ontology),
    and for an ontology under the namespace that declares none, the last segment of its IRI
    (`{base}def/lib` → `lib:` for `{base}def/lib#`)."""
    query = f"""
SELECT ?ontology ?prefix ?namespace WHERE {{
  ?ontology a <http://www.w3.org/2002/07/owl#Ontology> .
  OPTIONAL {{ ?ontology <{VANN}preferredNamespacePrefix> ?prefix }}
  OPTIONAL {{ ?ontology <{VANN}preferredNamespaceUri> ?namespace }}
}}"""
    found: dict[str, str] = {}
    for row in _solutions(store, query):
        ontology = row["ontology"]
        if not isinstance(ontology, ox.NamedNode):
            continue
        prefix = row["prefix"].value if row["prefix"] else None
        namespace = row["namespace"].value if row["namespace"] else None
        if prefix and namespace:
            found.setdefault(prefix, namespace)
        elif ontology.value.startswith(base_iri):
            name = ontology.value.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]
            if name and name[0].isalpha():
                found.setdefault(prefix or name, namespace or ontology.value + "#")
    return dict(sorted(found.items()))


def bound_prefixes(graph: rdflib.Graph) -> dict[str, str]:
    """The prefixes a graph's files declare themselves (the data's, its vocabulary's and shapes'
    namespaces), less the ones rdflib binds in every graph."""
    built_in = set(rdflib.Graph().namespaces())
    return {
        prefix: str(ns)
        for prefix, ns in graph.namespaces()
        if prefix and (prefix, ns) not in built_in
    }
