"""Blank nodes as skolem IRIs (RDF 1.1 Concepts §3.5), so that a client can join through them.

A fragment page is a document of its own: a blank node written as `_:label` is scoped to that
page, so a client that reads `?sentence oa:hasSelector _:b` on one page and asks for `_:b`'s
triples on another asks for a new node. Written as `{origin}.well-known/genid/{id}` (the id the
store gives the node, percent-encoded), the node keeps one name on every page, and a pattern
that names that IRI matches the stored blank node again.

The id is the store's own: Oxigraph keeps a blank node's id for as long as the store holds
it (a disk store across restarts and processes; a memory store for the life of its load,
so each load, and each worker process that loads, gives other ids: `service` keys its ETags
on the load for that reason). Nothing is remembered here: the IRI is the id.
"""

from __future__ import annotations

from typing import TypeVar
from urllib.parse import quote, unquote

import pyoxigraph as ox

from publisher.dataset import ReadStore
from publisher.urls import FRAGMENTS_PATH, GENID_PATH, Urls

Term = TypeVar("Term", bound=ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph)
MAX_ID_LENGTH = 256
"""Longer ids are refused: the store's own are 32 hex digits, a file's labels short words."""


class GenidError(ValueError):
    """An IRI under the genid path that names no possible blank node (a 400)."""


def genid_prefix(urls: Urls) -> str:
    """The canonical prefix of skolem IRIs (requests' IRIs are made canonical first)."""
    return urls.base_iri + GENID_PATH


def skolem_iri(node: ox.BlankNode, urls: Urls) -> ox.NamedNode:
    """The blank node's skolem IRI on the public origin."""
    return ox.NamedNode(urls.public(genid_prefix(urls) + quote(node.value, safe="")))


def blank_node(iri: str, urls: Urls) -> ox.BlankNode | None:
    """The blank node a canonical skolem IRI names; None when `iri` is not one; GenidError
    when it is under the genid path but its id cannot be a blank node's."""
    prefix = genid_prefix(urls)
    if not iri.startswith(prefix):
        return None
    return node_of_id(iri[len(prefix) :])


def node_of_id(encoded: str) -> ox.BlankNode:
    """The blank node of a percent-encoded id (the last segment of a skolem IRI)."""
    try:
        return node_of_label(unquote(encoded, errors="strict"))
    except ValueError:  # UnicodeDecodeError: not UTF-8 once decoded
        raise GenidError(f"{encoded!r} is not the id of a blank node.") from None


def node_of_label(label: str) -> ox.BlankNode:
    """The blank node of a decoded id (a path parameter)."""
    try:
        if not label or len(label) > MAX_ID_LENGTH:
            raise ValueError(label)
        return ox.BlankNode(label)
    except ValueError:
        raise GenidError(f"{label!r} is not the id of a blank node.") from None


def skolemise(term: Term, urls: Urls) -> Term:
    """The term as a fragment writes it: canonical IRIs on the public origin, a blank node
    as its skolem IRI, a quoted triple's terms likewise."""
    if isinstance(term, ox.BlankNode):
        return skolem_iri(term, urls)  # type: ignore[return-value]  # Term is a node here
    if isinstance(term, ox.Triple):
        return ox.Triple(  # type: ignore[return-value]
            skolemise(term.subject, urls),
            skolemise(term.predicate, urls),
            skolemise(term.object, urls),
        )
    return urls.rewrite_term(term)


def skolemise_quad(quad: ox.Quad, urls: Urls) -> ox.Quad:
    """The quad as a fragment writes it (`skolemise` on each of its terms)."""
    return ox.Quad(
        skolemise(quad.subject, urls),
        skolemise(quad.predicate, urls),
        skolemise(quad.object, urls),
        skolemise(quad.graph_name, urls),
    )


def genid_fragment(store: ReadStore, urls: Urls, label: str) -> str | None:
    """Where `GET /.well-known/genid/{id}` sends a client: the fragment whose subject is the
    node (or, for a node that is only ever an object, whose object is it); None when the
    store holds no such blank node. GenidError for an id no blank node can have."""
    node = node_of_label(label)
    iri = quote(skolem_iri(node, urls).value, safe="")
    base = urls.absolute(FRAGMENTS_PATH)
    if next(store.quads_for_pattern(node, None, None), None) is not None:
        return f"{base}?subject={iri}"
    if next(store.quads_for_pattern(None, None, node), None) is not None:
        return f"{base}?object={iri}"
    return None
