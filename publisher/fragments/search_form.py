"""The search form of the fragments interface (a `hydra:IriTemplate`), as every fragment page,
the VoID description and the SPARQL service description state it: one definition, so what the
discovery documents announce is what the pages answer."""

from __future__ import annotations

import pyoxigraph as ox

from publisher.urls import FRAGMENTS_PATH, Urls
from publisher.vocab import HYDRA, RDF, SD

TEMPLATE_VARIABLES = "{?subject,predicate,object,graph}"
MAPPINGS = (
    ("subject", RDF + "subject"),
    ("predicate", RDF + "predicate"),
    ("object", RDF + "object"),
    ("graph", SD + "graph"),
)
"""The template's variables and the property each one fills (QPF adds `graph`)."""


def template(urls: Urls) -> str:
    """`{origin}fragments{?subject,predicate,object,graph}` on the public origin."""
    return urls.absolute(FRAGMENTS_PATH) + TEMPLATE_VARIABLES


def lookup_endpoint(urls: Urls) -> str:
    """The fragment of a subject, missing only the IRI (`void:uriLookupEndpoint` style)."""
    return urls.absolute(FRAGMENTS_PATH) + "?subject="


def search_form(dataset: ox.NamedNode, urls: Urls) -> list[ox.Triple]:
    """`dataset hydra:search [ hydra:template …; hydra:mapping … ]`, its nodes labelled
    for this use only (a store's blank nodes are labelled by hex digits alone)."""
    search = ox.BlankNode("fragmentsSearch")
    hydra = {name: ox.NamedNode(HYDRA + name) for name in ("search", "template", "mapping")}
    out = [
        ox.Triple(dataset, hydra["search"], search),
        ox.Triple(search, hydra["template"], ox.Literal(template(urls))),
        ox.Triple(
            search,
            ox.NamedNode(HYDRA + "variableRepresentation"),
            ox.NamedNode(HYDRA + "ExplicitRepresentation"),
        ),
    ]
    for variable, prop in MAPPINGS:
        mapping = ox.BlankNode(f"fragmentsMapping{variable.capitalize()}")
        out.append(ox.Triple(search, hydra["mapping"], mapping))
        out.append(ox.Triple(mapping, ox.NamedNode(HYDRA + "variable"), ox.Literal(variable)))
        out.append(ox.Triple(mapping, ox.NamedNode(HYDRA + "property"), ox.NamedNode(prop)))
    return out
