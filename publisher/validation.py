"""Validate the dataset against its SHACL shapes and report the problems a person must fix.

pyshacl runs with these options, chosen on purpose:

- `inference="none"`: no RDFS/OWL entailment is materialised. SHACL itself already follows
  `rdfs:subClassOf` in the data graph for `sh:targetClass` and `sh:class`, and the ontology is part
  of that graph: `validate_dataset` validates the union of all quads, ontology graph included, and
  `validate(data, shapes, ontology)` mixes the ontology into its working copy of the data, which
  is what pyshacl's `ont_graph` does. The union carries, besides, what each named graph holds
  (`validation_graph.py`), for the shapes whose rules are about source graphs. RDFS inference
  would add domain/range types that hide real mistakes (a missing rdf:type) and would cost
  seconds.
- `advanced=True`: SHACL-AF, for the SPARQL-based targets (every IRI in `id:`, every ontology term)
  that SHACL core cannot express. SHACL-SPARQL constraints (`sh:sparql`), used to check selector
  offsets against the article text, are part of SHACL itself.
- `allow_warnings=True`: shapes of severity `sh:Warning` or `sh:Info` are reported but never make
  the graph invalid; only `sh:Violation` does.
- `meta_shacl=False`: the shapes are checked against SHACL-SHACL by the tests, not on every run.
- `inplace=True` on a private copy that caches parsed SPARQL: pyshacl sends the text of each
  SPARQL constraint once per focus node, and rdflib spends far more time parsing than evaluating.
  With it, the whole dataset (a couple of thousand triples) validates in about a second.

The text report groups results by the named shape that owns the failing constraint (a property
shape is reported under its node shape), one line per result: focus node, path, message. IRIs are
compacted with the prefixes of docs/model.md.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import pyshacl
import rdflib
from pyshacl.entrypoints import meta_validate
from rdflib import RDF, SH, BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from publisher.dataset import Dataset
from publisher.errors import PublisherError
from publisher.prefixes import bound_prefixes, declared_prefixes
from publisher.rdfterms import graph_of
from publisher.report import PREFIXES, SEVERITY_ORDER, ValidationReport, Violation
from publisher.sources import read_quads, relative_base
from publisher.validation_graph import validation_graph

_MAX_VALUE = 60


class NoShapes(PublisherError):
    """Validation was asked for, but no shapes were given: there is no report to make."""

    def __str__(self) -> str:
        return "no SHACL shapes found (give --shapes / PUBLISHER_SHAPES), so nothing to validate"


def has_shapes(dataset: Dataset) -> bool:
    """Whether the dataset has a validation report to show: shapes to validate against, or the
    report its store was loaded with. Without either, `publisher validate` has nothing to do
    and no page should link /validation (which answers 404)."""
    return bool(dataset.sources.shapes) or dataset.report is not None


def has_validation_report(dataset: Dataset) -> bool:
    """Whether /validation answers: the report made when the store was loaded, or shapes to
    validate against in a store validated when served (`validate_dataset`'s rule: a store
    loaded without validation has none). Pages and VoID link the report only then."""
    if dataset.report is not None:
        return True
    return has_shapes(dataset) and not dataset.capabilities.keeps_report


def load_shapes(
    paths: Iterable[Path], base_of: Callable[[Path], str | None] = lambda path: None
) -> rdflib.Graph:
    """Parse shapes files (any RDF syntax), relative IRIs against `base_of(path)`; a syntax
    error names the file and line."""
    paths = list(paths)
    if not paths:
        raise NoShapes()
    with _quiet_rdflib():
        return graph_of(chain.from_iterable(read_quads(path, base_of(path)) for path in paths))


class InvalidShapes(PublisherError):
    """A shapes graph that parses but is not valid SHACL (SHACL's own shapes say why): pySHACL
    would otherwise skip the broken constraints and report the data as conforming."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem

    def __str__(self) -> str:
        return f"the SHACL shapes are not valid SHACL: {self.problem}"


def check_shapes(shapes: rdflib.Graph) -> None:
    """Raise InvalidShapes unless `shapes` conforms to SHACL-SHACL (about 2.5 s for the
    embedded shapes, so the answer is remembered per shapes graph for the process)."""
    digest = hashlib.sha256(
        "\n".join(sorted(shapes.serialize(format="nt").splitlines())).encode()
    ).hexdigest()
    problem = _shapes_problem(digest, shapes)
    if problem is not None:
        raise InvalidShapes(problem)


_checked_shapes: dict[str, str | None] = {}


def _shapes_problem(digest: str, shapes: rdflib.Graph) -> str | None:
    if digest not in _checked_shapes:
        with _quiet_rdflib():
            conforms, results, _ = meta_validate(shapes, inference="none")
        problem = None
        if not conforms:
            found = sorted(_violations(results, shapes, shapes), key=_sort_key)
            first = found[0] if found else None
            problem = (
                f"{first.focus}: {first.message} ({len(found)} problem(s))"
                if first is not None
                else "SHACL-SHACL reports a violation"
            )
        _checked_shapes[digest] = problem
    return _checked_shapes[digest]


def validate(
    data: rdflib.Graph,
    shapes: rdflib.Graph,
    ontology: rdflib.Graph | None = None,
    *,
    prefixes: Mapping[str, str] | None = None,
) -> ValidationReport:
    """Validate `data` (plus `ontology`, mixed in for its subclass triples) against `shapes`."""
    check_shapes(shapes)
    prefixes = {**bound_prefixes(shapes), **bound_prefixes(data), **(prefixes or PREFIXES)}
    # What `ont_graph` would do (mix the ontology into a copy of the data), done here so that the
    # copy answers SPARQL from a cache of parsed queries; pyshacl may then work on it in place.
    context = _CachingGraph()
    context += data
    if ontology is not None:
        context += ontology
    with _quiet_rdflib():
        conforms, results, _ = pyshacl.validate(
            context,
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            inplace=True,
            abort_on_first=False,
            allow_infos=True,
            allow_warnings=True,
            meta_shacl=False,
            debug=False,
        )
    violations = tuple(sorted(_violations(results, shapes, context), key=_sort_key))
    errors = any(v.severity == "Violation" for v in violations)
    return ValidationReport(
        conforms=bool(conforms) and not errors,
        violations=violations,
        graph=results,
        prefixes=prefixes,
        triples=len(context),
        nodes=len({s for s in context.subjects() if isinstance(s, URIRef | BNode)}),
        shapes=_count_shapes(shapes),
    )


class NotValidated(PublisherError):
    """A loaded store whose load skipped validation: serving does not validate (see
    docs/scaling.md), `publisher validate --store DIR` does."""

    def __str__(self) -> str:
        return (
            "the store was loaded without validation (--skip-validation, or no shapes), so no "
            "SHACL report was made"
        )


def validate_dataset(dataset: Dataset, *, fresh: bool = False) -> ValidationReport:
    """Validate the union of all graphs (ontology included) against the dataset's shapes.

    A store loaded on disk carries the report made when it was loaded, which is returned as it
    is unless `fresh` (validating a big store needs all of it in memory as rdflib objects)."""
    if not fresh and dataset.report is not None:
        return dataset.report
    if not fresh and dataset.capabilities.keeps_report:
        raise NotValidated()
    if not dataset.sources.shapes:
        raise NoShapes()
    shapes = load_shapes(dataset.sources.shapes, lambda path: _shapes_base(dataset, path))
    with _quiet_rdflib():
        data = validation_graph(dataset.store)
    vocabularies = declared_prefixes(dataset.store, dataset.base_iri)
    return validate(data, shapes, prefixes={**default_prefixes(dataset.base_iri), **vocabularies})


def _shapes_base(dataset: Dataset, path: Path) -> str | None:
    """Shapes files resolve relative IRIs as the data does (a store's recorded sources do not
    carry the namespace: the dataset's own is the same)."""
    sources = dataset.sources
    return relative_base(path, sources.namespace or dataset.base_iri, sources.source_base)


def default_prefixes(base_iri: str) -> dict[str, str]:
    """The well-known prefixes, with `id:` under the dataset's base IRI."""
    return {"id": base_iri + "id/", **PREFIXES}


# --- reading the results graph ---------------------------------------------------------------


def _violations(
    results: rdflib.Graph, shapes: rdflib.Graph, data: rdflib.Graph
) -> Iterator[Violation]:
    # Only top-level results: pyshacl also records the nested results of sh:node / sh:or
    # evaluations (reachable through sh:detail), which the top-level result already reports.
    for result in results.objects(None, SH.result):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        shape = results.value(result, SH.sourceShape)
        severity = results.value(result, SH.resultSeverity)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        yield Violation(
            focus=_describe(focus, data) if focus is not None else "[]",
            path=_path_text(path, results) if path is not None else None,
            message="; ".join(messages) or "(no message)",
            severity=_local_name(severity) if severity is not None else "Violation",
            shape=_owning_shape(shape, shapes) if shape is not None else None,
            value=_describe(value, data) if value is not None else None,
        )


def _sort_key(violation: Violation) -> tuple[int, str, str, str, str]:
    return (
        SEVERITY_ORDER.get(violation.severity, 9),
        violation.shape or "",
        violation.focus,
        violation.path or "",
        violation.message,
    )


def _owning_shape(shape: Node, shapes: rdflib.Graph) -> str:
    """A named shape to report under: the shape itself, or the node shape that holds it."""
    seen: set[Node] = set()
    current = shape
    while isinstance(current, BNode) and current not in seen:
        seen.add(current)
        parent = next(
            chain(
                shapes.subjects(SH.property, current),
                shapes.subjects(SH.node, current),
                shapes.subjects(SH.qualifiedValueShape, current),
            ),
            None,
        )
        if parent is None:
            break
        current = parent
    return str(current) if isinstance(current, URIRef) else _describe(shape, shapes)


def _describe(term: Node, data: rdflib.Graph, depth: int = 0) -> str:
    """IRIs in full; blank nodes as the triple that leads to them; literals N-Triples-like."""
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, Literal):
        text = str(term)
        if len(text) > _MAX_VALUE:
            text = text[: _MAX_VALUE - 1] + "…"
        text = '"' + text.replace("\n", " ") + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype:
            return f"{text}^^{term.datatype}"
        return text
    if isinstance(term, BNode):
        if depth < 3:
            for subject, predicate in data.subject_predicates(term):
                return f"{_describe(subject, data, depth + 1)} {predicate} []"
        return "[]"
    return str(term)


def _path_text(path: Node, graph: rdflib.Graph) -> str:
    """A SHACL property path in SPARQL syntax, with full IRIs (compacted when printed)."""
    if isinstance(path, URIRef):
        return str(path)
    if (inverse := graph.value(path, SH.inversePath)) is not None:
        return "^" + _path_text(inverse, graph)
    if (alternatives := graph.value(path, SH.alternativePath)) is not None:
        return "(" + "|".join(_path_text(p, graph) for p in Collection(graph, alternatives)) + ")"
    for predicate, suffix in (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    ):
        if (inner := graph.value(path, predicate)) is not None:
            return _path_text(inner, graph) + suffix
    if graph.value(path, RDF.first) is not None:
        return "/".join(_path_text(p, graph) for p in Collection(graph, path))
    return "[]"


def _local_name(iri: Node) -> str:
    return re.split(r"[#/]", str(iri))[-1]


def _count_shapes(shapes: rdflib.Graph) -> int:
    found = set(shapes.subjects(RDF.type, SH.NodeShape))
    found.update(shapes.subjects(RDF.type, SH.PropertyShape))
    found.update(shapes.objects(None, SH.property))
    return len(found)


class _CachingGraph(rdflib.Graph):
    """A graph that parses each SPARQL text once: pyshacl sends the same constraint query for
    every focus node, and parsing (not evaluating) is what costs there."""

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


@lru_cache(maxsize=1024)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """rdflib logs a traceback for each ill-typed literal (a broken date); the report says it."""
    logger = logging.getLogger("rdflib.term")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)
