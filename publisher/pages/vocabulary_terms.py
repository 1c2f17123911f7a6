"""The terms of a vocabulary as its page shows them: which section each is in, its anchor, its
label in the page language, and its rows (super- and subclasses, domains and ranges, inverses,
class expressions), every named term a link: to its anchor on the page, or else to its IRI."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from publisher.dataset import ReadStore
from publisher.i18n import Text, interface_language, pick, ui
from publisher.messages import TERM_CONTEXT, words
from publisher.pages.base import (
    DESCRIPTION_PROPERTIES,
    LABEL_PROPERTIES,
    Labeller,
    Link,
    literal_text,
    local_name,
)
from publisher.pages.class_expressions import (
    Expression,
    ExpressionWriter,
    Statements,
    Token,
    text_of,
)
from publisher.pages.queries import iri
from publisher.prefixes import PrefixTable
from publisher.urls import Urls
from publisher.vocab import OWL, RDF, RDFS

KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ontology_classes", (OWL + "Class", RDFS + "Class")),
    ("ontology_object_properties", (OWL + "ObjectProperty",)),
    ("ontology_datatype_properties", (OWL + "DatatypeProperty",)),
    ("ontology_annotation_properties", (OWL + "AnnotationProperty",)),
    ("ontology_properties", (RDF + "Property",)),
    ("ontology_individuals", (OWL + "NamedIndividual",)),
    ("ontology_datatypes", (RDFS + "Datatype",)),
)
"""Sections of the page, in order; a term is listed once, in the first section it fits."""

KIND_TYPES = frozenset(t for _, types in KINDS for t in types)

PAGE_WORDS: tuple[str, ...] = ("prefixes", "prefix", "ontology_labels")
"""The interface's words the ontology template reads from `page.words`."""

LABEL_BATCH = 500
ALIGNMENTS = tuple(
    iri(p) for p in ("skos:exactMatch", "skos:closeMatch", "owl:sameAs", "rdfs:seeAlso")
)


@dataclass(frozen=True)
class Row:
    """One line of a term's description: a heading and its values, each an expression."""

    heading: str
    values: tuple[Expression, ...]


@dataclass
class TermView:
    anchor: str
    curie: str | None
    iri: str
    label: Text
    labels: list[Text]
    comment: Text | None
    rows: list[Row] = field(default_factory=list)
    instances: int | None = None


def word(key: str, lang: str) -> str:
    """One of the interface's words in the page's language (`i18n.ui`)."""
    return ui(key, lang)


class TermBuilder:
    """The terms of one vocabulary for one render of its page, in one language."""

    def __init__(
        self,
        store: ReadStore,
        urls: Urls,
        lang: str,
        ontology: ox.NamedNode,
        namespace: str,
        statements: Statements,
        prefixes: PrefixTable,
    ) -> None:
        self.store, self.urls, self.lang = store, urls, lang
        self.ontology, self.namespace = ontology, namespace
        self.statements, self.prefixes = statements, prefixes
        self.names = Labeller(store, urls, lang, {})
        self._links: dict[str, Link] = {}
        self.kind_of = self._kinds()
        self.anchors = self._anchors()
        self.labels = self._labels()
        self.writer = ExpressionWriter(statements, self.link, lang)
        self.inverse = self._inverse()

    # terms and their kinds ------------------------------------------------------------------

    def _types(self, term: Any) -> list[str]:
        return [text_of(t) for t in self.statements.objects(term, RDF + "type")]

    def _kinds(self) -> dict[str, str]:
        """Each term of the vocabulary → the key of its section."""
        mine = [
            s
            for s, props in self.statements.by_subject.items()
            if isinstance(s, ox.NamedNode)
            and s != self.ontology
            and (
                s.value.startswith(self.namespace)
                or self.ontology in props.get(RDFS + "isDefinedBy", [])
            )
        ]
        found: dict[str, str] = {}
        for term in mine:
            types = set(self._types(term))
            key = next((k for k, kinds in KINDS if types & set(kinds)), None)
            if key is not None:
                found[term.value] = key
        classes = {t for t, k in found.items() if k == "ontology_classes"}
        for term in mine:  # typed with a class of the vocabulary: an individual of it
            if term.value not in found and set(self._types(term)) & classes:
                found[term.value] = "ontology_individuals"
        return found

    def _anchors(self) -> dict[str, str]:
        anchors: dict[str, str] = {}
        used: set[str] = set()
        for term in sorted(self.kind_of):
            base = term[len(self.namespace) :] if term.startswith(self.namespace) else ""
            base = re.sub(r"\s", "_", base or local_name(term))
            anchor, n = base, 2
            while anchor in used:
                anchor, n = f"{base}-{n}", n + 1
            used.add(anchor)
            anchors[term] = anchor
        return anchors

    # labels and links ------------------------------------------------------------------------

    def _labels(self) -> dict[str, list[Text]]:
        """Labels of every IRI the page names: the vocabulary's own from its statements, the
        others' in one query (in batches) over the whole store."""
        found: dict[str, list[Text]] = {}
        wanted: set[str] = set()
        for subject, facts in self.statements.by_subject.items():
            for prop, objects in facts.items():
                wanted.add(prop)
                wanted.update(o.value for o in objects if isinstance(o, ox.NamedNode))
            if isinstance(subject, ox.NamedNode):
                texts = label_texts(facts)
                if texts:
                    found[subject.value] = texts
                else:
                    wanted.add(subject.value)
        missing = sorted(wanted - set(found))
        properties = ", ".join(str(p) for p in LABEL_PROPERTIES)
        for start in range(0, len(missing), LABEL_BATCH):
            values = " ".join(str(ox.NamedNode(i)) for i in missing[start : start + LABEL_BATCH])
            solutions = self.store.query(
                f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o"
                f" FILTER(?p IN ({properties}) && isLiteral(?o)) }}",
                use_default_graph_as_union=True,
            )
            assert isinstance(solutions, ox.QuerySolutions)
            by_subject: dict[str, dict[str, list[ox.Literal]]] = defaultdict(
                lambda: defaultdict(list)
            )
            try:
                for row in solutions:
                    subject_, prop_, label = row["s"], row["p"], row["o"]
                    if isinstance(subject_, ox.NamedNode) and isinstance(label, ox.Literal):
                        by_subject[subject_.value][prop_.value].append(label)
            finally:
                del solutions  # on this thread: see `queries.select`
            for labelled, texts_by_property in by_subject.items():
                found[labelled] = label_texts(texts_by_property)
        return found

    def label(self, term: str) -> Text:
        """In the page language, else English, else any; without a label, a term of this page
        by its local name, any other by its compact IRI, else its whole IRI."""
        found = pick(self.labels.get(term, []), self.lang)
        if found is not None:
            return found
        curie = self.prefixes.compact(term)
        shown = interface_language(self.lang)
        label = words(shown, TERM_CONTEXT).get(curie or "")
        if label is not None:
            return Text(label, shown)
        if term in self.anchors:
            return Text(local_name(term))
        return Text(curie or self.urls.public(term))

    def link(self, term: str) -> Link:
        """Terms of this page link to their anchor; the rest to their page here, or their IRI."""
        if term not in self._links:
            self._links[term] = self._link(term)
        return self._links[term]

    def _link(self, term: str) -> Link:
        curie = self.prefixes.compact(term)
        if term in self.anchors:
            return Link(
                self.urls.public(term), "#" + self.anchors[term], self.label(term), curie, True
            )
        return Link(
            self.urls.public(term),
            self.names.href(term),
            self.label(term),
            curie,
            self.urls.is_local(term),
        )

    # rows --------------------------------------------------------------------------------------

    def _inverse(self) -> dict[str, dict[str, list[str]]]:
        """term → property → the named terms that point to it (for `Has subclasses`, `In the
        domain of`: a union domain counts for each of its members)."""
        found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for subject, props in self.statements.by_subject.items():
            if not isinstance(subject, ox.NamedNode):
                if OWL + "AllDisjointClasses" in [text_of(t) for t in props.get(RDF + "type", [])]:
                    members = [
                        m
                        for m in self.statements.items(props.get(OWL + "members", [None])[0])
                        if isinstance(m, ox.NamedNode)
                    ]
                    for m in members:
                        found[m.value][OWL + "disjointWith"].extend(
                            o.value for o in members if o != m
                        )
                continue
            for prop, values in props.items():
                for value in values:
                    targets = [value]
                    if prop in (RDFS + "domain", RDFS + "range") and isinstance(
                        value, ox.BlankNode
                    ):
                        targets = self.statements.items(self.statements.one(value, OWL + "unionOf"))
                    for target in targets:
                        if (
                            isinstance(target, ox.NamedNode)
                            and subject.value not in found[target.value][prop]
                        ):
                            found[target.value][prop].append(subject.value)
        return found

    def _rows(self, term: ox.NamedNode, key: str) -> list[Row]:
        props = self.statements.properties(term)
        inverse = self.inverse.get(term.value, {})
        is_class = key == "ontology_classes"
        is_property = key.endswith("properties")

        def values(prop: str) -> list[Expression]:
            return [self.writer.write(v) for v in props.get(prop, [])]

        def members(prop: str) -> list[Expression]:  # of the lists that are its values
            found = [self.statements.items(head) for head in props.get(prop, [])]
            return [self.writer.write(m) for items in found for m in items]

        def named(prop: str) -> list[Expression]:
            return [(Token("term", link=self.link(t)),) for t in inverse.get(prop, [])]

        table: list[tuple[str, list[Expression]]] = []
        if is_class:
            table += [
                (
                    word("equivalent_to", self.lang),
                    values(OWL + "equivalentClass") + named(OWL + "equivalentClass"),
                ),
                (word("subclass_of", self.lang), values(RDFS + "subClassOf")),
                (word("superclass_of", self.lang), named(RDFS + "subClassOf")),
                (
                    word("disjoint_with", self.lang),
                    values(OWL + "disjointWith") + named(OWL + "disjointWith"),
                ),
                (word("disjoint_union_of", self.lang), members(OWL + "disjointUnionOf")),
                (word("has_key", self.lang), members(OWL + "hasKey")),
                (word("used_with", self.lang), named(RDFS + "domain")),
                (word("in_range_of", self.lang), named(RDFS + "range")),
            ]
        if key == "ontology_datatypes":
            table.append((word("equivalent_to", self.lang), values(OWL + "equivalentClass")))
        if is_property:
            characteristics: list[Expression] = [
                (Token("term", link=self.link(t)),)
                for t in self._types(term)
                if t.startswith(OWL) and t not in KIND_TYPES
            ]
            chains = [
                self.writer.chain(self.statements.items(c))
                for c in props.get(OWL + "propertyChainAxiom", [])
            ]
            table += [
                (word("characteristics", self.lang), characteristics),
                (
                    word("equivalent_to", self.lang),
                    values(OWL + "equivalentProperty") + named(OWL + "equivalentProperty"),
                ),
                (word("subproperty_of", self.lang), values(RDFS + "subPropertyOf")),
                (word("has_subproperties", self.lang), named(RDFS + "subPropertyOf")),
                (
                    word("inverse_of", self.lang),
                    values(OWL + "inverseOf") + named(OWL + "inverseOf"),
                ),
                (word("domain", self.lang), values(RDFS + "domain")),
                (word("range", self.lang), values(RDFS + "range")),
                (word("property_chain", self.lang), chains),
            ]
        other_types: list[Expression] = [
            (Token("term", link=self.link(t)),)
            for t in self._types(term)
            if t not in KIND_TYPES and not (is_property and t.startswith(OWL))
        ]
        table += [
            (word("types", self.lang), other_types),
            (word("in_scheme", self.lang), values(iri("skos:inScheme"))),
            (word("alignments", self.lang), [e for p in ALIGNMENTS for e in values(p)]),
        ]
        rows = []
        for heading, found in table:
            unique = sorted(dict.fromkeys(found), key=_order)
            if unique:
                rows.append(Row(heading, tuple(unique)))
        return rows

    def term(self, term: str, key: str) -> TermView:
        node = ox.NamedNode(term)
        props = self.statements.properties(node)
        labels = sorted(label_texts(props), key=lambda t: (t.lang or "", t.value))
        comments = [
            literal_text(v)
            for p in DESCRIPTION_PROPERTIES
            for v in props.get(p.value, [])
            if isinstance(v, ox.Literal)
        ]
        return TermView(
            anchor=self.anchors[term],
            curie=self.prefixes.compact(term),
            iri=self.urls.public(term),
            label=self.label(term),
            labels=labels,
            comment=pick(comments, self.lang),
            rows=self._rows(node, key),
        )


def _order(expression: Expression) -> tuple[int, str]:
    """Named terms first (as Protégé lists them), then expressions, each by their text."""
    named = len(expression) == 1 and expression[0].link is not None
    text = " ".join(
        t.link.label.value if t.link else t.text.value if t.text else "" for t in expression
    )
    return (0 if named else 1, text.casefold())


def label_texts(props: Mapping[str, Iterable[Any]]) -> list[Text]:
    """The literals of the first label property that has any."""
    for prop in LABEL_PROPERTIES:
        texts = [literal_text(v) for v in props.get(prop.value, []) if isinstance(v, ox.Literal)]
        if texts:
            return sorted(set(texts), key=lambda t: (t.lang or "", t.value))
    return []
