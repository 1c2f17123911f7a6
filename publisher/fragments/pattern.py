"""The selector of a fragment: a quad pattern read from `?subject=&predicate=&object=&graph=`.

Terms arrive in Hydra's explicit representation (what Comunica and the other TPF clients send):
an IRI as it is (`<…>` is accepted too), a literal as `"value"`, `"value"@lang` or
`"value"^^datatype` (the datatype with or without `<…>`), the value taken as it is between the
first and the last quote (no escapes: the representation has none), a blank node as the skolem
IRI the fragments write for it (`skolem`) or as `_:id` (the store's id), and `?name` or nothing
for an unbound position. IRIs may be given on the public origin or as stored: they are matched
as stored (`Urls`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox

from publisher.fragments.skolem import GenidError, blank_node, skolemise
from publisher.urls import Urls
from publisher.vocab import XSD

PARAMETERS = ("subject", "predicate", "object", "graph")
PAGE_PARAMETER = "page"
UNION_GRAPH = "urn:ldf:defaultGraph"
"""The name a quad client gives to the default graph (announced as `sd:defaultGraph`, as
LinkedDataFragments Server.js does): here the union of every graph, as the SPARQL endpoint's
default graph is."""
MAX_TERM_LENGTH = 8192
"""Longer terms are refused: no stored IRI or literal a client can look up is that long in a
URL anyway, and the cache key stays small."""

Node = ox.NamedNode | ox.BlankNode | ox.Literal
_LANGUAGE = re.compile(r"@[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_XSD_STRING = XSD + "string"


class PatternError(ValueError):
    """A parameter that is not a term, a page that is not a positive integer, a parameter
    given twice: the request is wrong (400), never an empty fragment."""


@dataclass(frozen=True)
class Pattern:
    """A quad pattern over the stored (canonical) terms; None is an unbound position.

    `union`: the graph is the default graph of the dataset as SPARQL sees it (every graph at
    once); then the matches are written as triples. `graph` None and not `union`: any graph,
    each match in its own graph. `impossible`: a well-formed pattern no stored quad can match
    (a literal subject, say); its fragment is empty rather than an error, because a client
    that binds a variable of a join to a literal asks for exactly that.
    """

    subject: Node | None = None
    predicate: Node | None = None
    object: Node | None = None
    graph: Node | None = None
    union: bool = False

    @property
    def impossible(self) -> bool:
        return (
            isinstance(self.subject, ox.Literal)
            or (self.predicate is not None and not isinstance(self.predicate, ox.NamedNode))
            or isinstance(self.graph, ox.Literal)
        )

    def positions(self) -> dict[str, Node | None]:
        return {"subject": self.subject, "predicate": self.predicate, "object": self.object}


def parse_term(text: str, urls: Urls) -> Node | None:
    """One parameter's term (canonical IRIs), or None for an unbound position."""
    text = text.strip()
    if not text or text.startswith("?"):
        return None
    if len(text) > MAX_TERM_LENGTH:
        raise PatternError(f"A term is limited to {MAX_TERM_LENGTH} characters.")
    if text.startswith('"'):
        return _literal(text)
    if text.startswith("_:"):
        try:
            return ox.BlankNode(text[2:])
        except ValueError:
            raise PatternError(f"{text!r} is not a blank node label.") from None
    return _iri(text, urls)


def _iri(text: str, urls: Urls) -> ox.NamedNode | ox.BlankNode:
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if ":" not in text or any(c in text for c in '<>"{}|\\^` \n\t'):
        raise PatternError(
            f"{text!r} is not an absolute IRI; give IRIs whole (`http://…`), literals in "
            'quotes (`"text"@en`, `"5"^^http://www.w3.org/2001/XMLSchema#integer`).'
        )
    try:
        iri = ox.NamedNode(urls.canonical(text))
    except ValueError:
        raise PatternError(f"{text!r} is not a valid IRI.") from None
    try:
        return blank_node(iri.value, urls) or iri
    except GenidError as error:
        raise PatternError(f"{text!r}: {error}") from None


def _literal(text: str) -> ox.Literal:
    end = text.rfind('"')
    if end == 0:
        raise PatternError(f"{text!r} is not a literal: it has no closing quote.")
    value, suffix = text[1:end], text[end + 1 :]
    try:
        if not suffix:
            return ox.Literal(value)
        if suffix.startswith("@") and _LANGUAGE.fullmatch(suffix):
            return ox.Literal(value, language=suffix[1:].lower())
        if suffix.startswith("^^"):
            datatype = suffix[2:]
            if datatype.startswith("<") and datatype.endswith(">"):
                datatype = datatype[1:-1]
            return ox.Literal(value, datatype=ox.NamedNode(datatype))
    except ValueError:
        pass
    raise PatternError(
        f"{text!r} is not a literal: after the closing quote comes nothing, `@lang` or "
        "`^^datatype-IRI`."
    )


def parse_pattern(params: Mapping[str, list[str]], urls: Urls) -> Pattern:
    """The pattern of a request's query parameters (each at most once; others are ignored)."""
    terms: dict[str, Node | None] = {}
    for name in PARAMETERS:
        values = params.get(name, [])
        if len(values) > 1:
            raise PatternError(f"The parameter {name!r} is given {len(values)} times.")
        terms[name] = parse_term(values[0], urls) if values else None
    s, p, o, graph = (terms[name] for name in PARAMETERS)
    if isinstance(graph, ox.NamedNode) and graph.value == UNION_GRAPH:
        return Pattern(s, p, o, union=True)
    return Pattern(s, p, o, graph)


def parse_page(params: Mapping[str, list[str]]) -> int:
    """`page` (1 when absent): a positive integer, given at most once."""
    values = params.get(PAGE_PARAMETER, [])
    if not values:
        return 1
    if len(values) > 1:
        raise PatternError(f"The parameter 'page' is given {len(values)} times.")
    text = values[0].strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9 or int(text) < 1:
        raise PatternError(f"page={values[0]!r}: a page is a whole number from 1.")
    return int(text)


def explicit(term: Node | ox.Triple | ox.DefaultGraph) -> str:
    """A term in Hydra's explicit representation (what the URL template expects)."""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        if term.language:
            return f'"{term.value}"@{term.language}'
        if term.datatype.value != _XSD_STRING:
            return f'"{term.value}"^^{term.datatype.value}'
        return f'"{term.value}"'
    raise TypeError(f"no explicit representation of {term!r}")


def query_string(pattern: Pattern, urls: Urls, page: int = 1) -> str:
    """The query string (no `?`) of the pattern's page, its terms on the public origin (blank
    nodes as skolem IRIs): the one URL this server writes for it (links, the ETag's key)."""
    parts = []
    for name, term in pattern.positions().items():
        if term is not None:
            parts.append(f"{name}={quote(explicit(skolemise(term, urls)), safe='')}")
    if pattern.union:
        parts.append(f"graph={quote(UNION_GRAPH, safe='')}")
    elif pattern.graph is not None:
        parts.append(f"graph={quote(explicit(skolemise(pattern.graph, urls)), safe='')}")
    if page > 1:
        parts.append(f"{PAGE_PARAMETER}={page}")
    return "&".join(parts)
