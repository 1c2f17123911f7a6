"""OWL class expressions as readers know them from Protégé and pyLODE: `Pizza and (hasTopping
some Cheese)`, `hasBase exactly 1 PizzaBase`, `not Mozzarella`, `{America, Italy}`.

An expression is written as a flat tuple of tokens (a named term, a keyword, a literal or a
bracket), so the template needs no recursion and every named class stays a link. Keywords are
in the page language. The vocabulary's statements are read once (`Statements`); walking them
costs no query. A blank node that is no class expression is written as its statements, never as
`[]` or a blank node id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from publisher.dataset import ReadStore
from publisher.i18n import LANGUAGES, Text
from publisher.messages import KEYWORD_CONTEXT, words
from publisher.pages.base import Link
from publisher.vocab import OWL, RDF, RDFS, XSD

Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

MAX_DEPTH = 12
"""Nesting shown before `…`: deeper (or cyclic, in broken data) expressions are cut, not looped."""

FACETS = {
    XSD + "minInclusive": ">=",
    XSD + "maxInclusive": "<=",
    XSD + "minExclusive": ">",
    XSD + "maxExclusive": "<",
}

CARDINALITIES = (
    ("qualifiedCardinality", "exactly"),
    ("cardinality", "exactly"),
    ("minQualifiedCardinality", "min"),
    ("minCardinality", "min"),
    ("maxQualifiedCardinality", "max"),
    ("maxCardinality", "max"),
)

EXPRESSION_PROPERTIES = frozenset(
    OWL + p
    for p in (
        "unionOf",
        "intersectionOf",
        "complementOf",
        "oneOf",
        "onProperty",
        "onDatatype",
        "inverseOf",
    )
)


@dataclass(frozen=True)
class Token:
    """One piece of an expression: `term` (a link), `keyword`, `literal` or `punct`."""

    kind: str
    link: Link | None = None
    text: Text | None = None

    @property
    def symbol(self) -> str:
        """A bracket's or separator's character (the template writes no space inside brackets
        nor before a comma), else nothing."""
        return self.text.value if self.kind == "punct" and self.text else ""


Expression = tuple[Token, ...]


def text_of(node: Node) -> str:
    """The lexical value of a term (a quoted triple, unused in vocabularies, in N-Triples)."""
    return str(node) if isinstance(node, ox.Triple) else node.value


class Statements:
    """A vocabulary's statements by subject, read once; blank nodes the reading missed (a
    vocabulary in the default graph) are looked up in the store, each once."""

    def __init__(self, store: ReadStore | None = None) -> None:
        self.store = store
        self.by_subject: dict[Node, dict[str, list[Node]]] = defaultdict(lambda: defaultdict(list))
        self._looked_up: set[Node] = set()

    def add(self, subject: Node, predicate: str, obj: Node) -> None:
        values = self.by_subject[subject][predicate]
        if obj not in values:
            values.append(obj)

    def properties(self, subject: Node) -> dict[str, list[Node]]:
        if (
            isinstance(subject, ox.BlankNode)
            and subject not in self.by_subject
            and self.store is not None
            and subject not in self._looked_up
        ):
            self._looked_up.add(subject)
            for quad in self.store.quads_for_pattern(subject, None, None):
                self.add(subject, quad.predicate.value, quad.object)
        return self.by_subject.get(subject, {})

    def objects(self, subject: Node, predicate: str) -> list[Node]:
        return self.properties(subject).get(predicate, [])

    def one(self, subject: Node, predicate: str) -> Node | None:
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def items(self, head: Node | None) -> list[Node]:
        """The members of an RDF list (`( a b c )`); a broken or cyclic list ends where it
        breaks."""
        members: list[Node] = []
        seen: set[Node] = set()
        node = head
        while isinstance(node, ox.BlankNode) and node not in seen:
            seen.add(node)
            first = self.one(node, RDF + "first")
            if first is not None:
                members.append(first)
            node = self.one(node, RDF + "rest")
        return members

    def is_expression(self, node: Node) -> bool:
        return isinstance(node, ox.BlankNode) and any(
            p in EXPRESSION_PROPERTIES for p in self.properties(node)
        )


class ExpressionWriter:
    """Writes class (and data range, and property) expressions as tokens in one language;
    `link` makes the link of a named term (an anchor on the page, or the term's IRI)."""

    def __init__(self, statements: Statements, link: Callable[[str], Link], lang: str) -> None:
        self.statements = statements
        self.link = link
        self.lang = lang if lang in LANGUAGES else "en"

    def write(self, node: Node) -> Expression:
        tokens, _ = self._expression(node, 0, frozenset())
        return tokens

    def chain(self, properties: Iterable[Node]) -> Expression:
        """A property chain (`owl:propertyChainAxiom`): `hasPart o hasTopping`."""
        tokens: list[Token] = []
        for n, prop in enumerate(properties):
            if n:
                tokens.append(self._keyword("chain"))
            tokens.extend(self._property(prop, 1, frozenset()))
        return tuple(tokens)

    # -----------------------------------------------------------------------------------------

    def _keyword(self, key: str) -> Token:
        # Manchester-syntax keywords (the words Protégé shows), from the message catalogues
        return Token("keyword", text=Text(words(self.lang, KEYWORD_CONTEXT)[key], self.lang))

    def _expression(self, node: Node, depth: int, path: frozenset[Node]) -> tuple[Expression, bool]:
        """The tokens of `node`, and whether they are atomic (need no brackets when nested)."""
        if isinstance(node, ox.NamedNode):
            return (Token("term", link=self.link(node.value)),), True
        if isinstance(node, ox.Literal):
            return (Token("literal", text=Text(node.value, node.language or None)),), True
        if not isinstance(node, ox.BlankNode):
            return (Token("punct", text=Text(str(node))),), True
        if depth > MAX_DEPTH or node in path:
            return (Token("punct", text=Text("…")),), True
        path = path | {node}
        props = self.statements.properties(node)
        for key, keyword in (("intersectionOf", "and"), ("unionOf", "or")):
            if OWL + key in props:
                members = self.statements.items(props[OWL + key][0])
                return self._joined(members, keyword, depth, path), len(members) < 2
        if OWL + "complementOf" in props:
            operand = self._operand(props[OWL + "complementOf"][0], depth, path)
            return (self._keyword("not"), *operand), False
        if OWL + "oneOf" in props:
            return self._enumeration(self.statements.items(props[OWL + "oneOf"][0])), True
        if OWL + "onProperty" in props:
            return self._restriction(props, depth, path), False
        if OWL + "onDatatype" in props:
            return self._datatype_restriction(props), True
        if OWL + "inverseOf" in props:
            return self._property(node, depth, path), False
        return self._described(node, props, depth, path), not props

    def _operand(self, node: Node, depth: int, path: frozenset[Node]) -> Expression:
        tokens, atomic = self._expression(node, depth + 1, path)
        if atomic:
            return tokens
        return (Token("punct", text=Text("(")), *tokens, Token("punct", text=Text(")")))

    def _joined(
        self, members: list[Node], keyword: str, depth: int, path: frozenset[Node]
    ) -> Expression:
        tokens: list[Token] = []
        for n, member in enumerate(members):
            if n:
                tokens.append(self._keyword(keyword))
            tokens.extend(self._operand(member, depth, path))
        return tuple(tokens) or (self._keyword("unnamed"),)

    def _enumeration(self, members: list[Node]) -> Expression:
        tokens: list[Token] = [Token("punct", text=Text("{"))]
        for n, member in enumerate(members):
            if n:
                tokens.append(Token("punct", text=Text(",")))
            tokens.extend(self._expression(member, MAX_DEPTH, frozenset())[0])
        return (*tokens, Token("punct", text=Text("}")))

    def _property(self, node: Node, depth: int, path: frozenset[Node]) -> Expression:
        """A property, or `inverse p` for an anonymous inverse property."""
        inverse = (
            self.statements.one(node, OWL + "inverseOf") if isinstance(node, ox.BlankNode) else None
        )
        if inverse is not None:
            return (self._keyword("inverse"), *self._operand(inverse, depth, path))
        return self._expression(node, depth + 1, path)[0]

    def _restriction(
        self, props: dict[str, list[Node]], depth: int, path: frozenset[Node]
    ) -> Expression:
        prop = self._property(props[OWL + "onProperty"][0], depth, path)
        for key, keyword in (("someValuesFrom", "some"), ("allValuesFrom", "only")):
            if OWL + key in props:
                filler = self._operand(props[OWL + key][0], depth, path)
                return (*prop, self._keyword(keyword), *filler)
        if OWL + "hasValue" in props:
            value = self._expression(props[OWL + "hasValue"][0], depth + 1, path)[0]
            return (*prop, self._keyword("value"), *value)
        if OWL + "hasSelf" in props:
            return (*prop, self._keyword("self"))
        for key, keyword in CARDINALITIES:
            if OWL + key in props:
                count = props[OWL + key][0]
                tokens = (
                    *prop,
                    self._keyword(keyword),
                    Token("literal", text=Text(text_of(count))),
                )
                qualifier = props.get(OWL + "onClass") or props.get(OWL + "onDataRange")
                if qualifier:
                    tokens = (*tokens, *self._operand(qualifier[0], depth, path))
                return tokens
        return prop

    def _datatype_restriction(self, props: dict[str, list[Node]]) -> Expression:
        """`xsd:integer[>= 400]`: a datatype narrowed by facets."""
        tokens: list[Token] = [*self._expression(props[OWL + "onDatatype"][0], 0, frozenset())[0]]
        tokens.append(Token("punct", text=Text("[")))
        facets = self.statements.items(props.get(OWL + "withRestrictions", [None])[0])
        for n, facet in enumerate(facets):
            for facet_property, values in self.statements.properties(facet).items():
                if n:
                    tokens.append(Token("punct", text=Text(",")))
                symbol = FACETS.get(facet_property, facet_property.rsplit("#", 1)[-1])
                tokens.append(Token("punct", text=Text(symbol)))
                tokens.extend(Token("literal", text=Text(text_of(v))) for v in values)
        return (*tokens, Token("punct", text=Text("]")))

    def _described(
        self, node: ox.BlankNode, props: dict[str, list[Node]], depth: int, path: frozenset[Node]
    ) -> Expression:
        """A blank node that is no expression: its statements, `(p v ; q w)`."""
        shown = [(p, v) for p, values in props.items() if p != RDF + "type" for v in values]
        shown += [
            (RDF + "type", v)
            for v in props.get(RDF + "type", [])
            if text_of(v) not in (OWL + "Class", RDFS + "Class")
        ]
        if not shown:
            return (self._keyword("unnamed"),)
        tokens: list[Token] = [Token("punct", text=Text("("))]
        for n, (prop, value) in enumerate(shown):
            if n:
                tokens.append(Token("punct", text=Text(";")))
            tokens.append(Token("term", link=self.link(prop)))
            tokens.extend(self._operand(value, depth, path))
        return (*tokens, Token("punct", text=Text(")")))
