"""SPARQL XML results, read as they arrive, into plain rows of pyoxigraph terms.

Our own reader (expat, through ElementTree) rather than pyoxigraph's: its rows are plain lists
that may be read on any thread and dropped anywhere, which pyoxigraph's result objects may not.
XML rather than JSON because Virtuoso's JSON writes `true` as `1`; Virtuoso's `nodeID://` blank
node labels are made valid here.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import IO
from xml.etree import ElementTree

import pyoxigraph as ox

from publisher.errors import StoreError
from publisher.formats import SPARQL_JSON
from publisher.sparql import results

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = list[Term | None]
BNODE_LABEL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_RESULTS = "{http://www.w3.org/2005/sparql-results#}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def read_results(source: IO[bytes], location: str) -> tuple[list[str], Iterator[Row]] | bool:
    """SPARQL XML results, read as they arrive: (variables, rows) or the boolean of an ASK.

    Our own reader (expat, through ElementTree) rather than pyoxigraph's: its rows are plain
    lists that may be read on any thread and dropped anywhere, which pyoxigraph's result
    objects may not. Virtuoso's `nodeID://` blank node labels are made valid here."""
    events = ElementTree.iterparse(source, events=("start", "end"))
    variables: list[str] = []
    try:
        for event, element in events:
            if event == "end" and element.tag == _RESULTS + "variable":
                variables.append(element.get("name", ""))
            elif event == "end" and element.tag == _RESULTS + "boolean":
                return (element.text or "").strip() == "true"
            elif event == "start" and element.tag == _RESULTS + "results":
                return variables, _rows(events, element, variables, location)
    except ElementTree.ParseError as error:
        raise StoreError(location, 200, f"the answer is not SPARQL XML results: {error}") from None
    raise StoreError(location, 200, "the answer holds neither results nor a boolean")


def _rows(
    events: Iterator[tuple[str, ElementTree.Element]],
    results_element: ElementTree.Element,
    variables: list[str],
    location: str,
) -> Iterator[Row]:
    index = {name: i for i, name in enumerate(variables)}
    try:
        for event, element in events:
            if event != "end" or element.tag != _RESULTS + "result":
                continue
            row: Row = [None] * len(variables)
            for binding in element:
                position = index.get(binding.get("name", ""))
                if position is not None and len(binding):
                    row[position] = _term(binding[0])
            results_element.clear()  # keep memory flat, whatever the number of rows
            yield row
    except ElementTree.ParseError as error:
        raise StoreError(location, 200, f"the answer is not SPARQL XML results: {error}") from None


def _term(element: ElementTree.Element) -> Term:
    tag, text = element.tag, element.text or ""
    if tag == _RESULTS + "uri":
        return ox.NamedNode(text)
    if tag == _RESULTS + "literal":
        language = element.get(_XML_LANG)
        if language:
            return ox.Literal(text, language=language)
        datatype = element.get("datatype")
        return ox.Literal(text, datatype=ox.NamedNode(datatype) if datatype else None)
    if tag == _RESULTS + "bnode":
        return ox.BlankNode(bnode_label(text))
    if tag == _RESULTS + "triple":
        parts = {child.tag[len(_RESULTS) :]: _term(child[0]) for child in element if len(child)}
        return ox.Triple(
            parts["subject"],  # type: ignore[arg-type]  # pyoxigraph checks the kinds
            parts["predicate"],  # type: ignore[arg-type]  # pyoxigraph checks the kinds
            parts["object"],
        )
    raise ValueError(f"unknown term in SPARQL XML results: {tag}")


def bnode_label(label: str) -> str:
    """A valid blank node label for any label a server writes (Virtuoso: `nodeID://b1234`)."""
    label = label.removeprefix("nodeID://")
    if BNODE_LABEL.match(label):
        return label
    return "b" + hashlib.sha256(label.encode()).hexdigest()[:24]


def parse_results(body: bytes, location: str) -> tuple[list[str], list[Row]] | bool:
    """A whole answer read at once."""
    read = read_results(io.BytesIO(body), location)
    if isinstance(read, bool):
        return read
    return read[0], list(read[1])


def parse_solutions(
    body: bytes, location: str = "the SPARQL server"
) -> tuple[list[str], list[Row]]:
    parsed = parse_results(body, location)
    if isinstance(parsed, bool):
        raise StoreError(location, 200, "a boolean came back where solutions were expected")
    return parsed


def boolean_object(value: bool) -> ox.QueryBoolean:
    body = b'{"head": {}, "boolean": ' + (b"true" if value else b"false") + b"}"
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QueryBoolean)
    return parsed


def solutions_object(names: Sequence[str], rows: Iterable[Row]) -> ox.QuerySolutions:
    """Rows as a genuine `pyoxigraph.QuerySolutions`, which is what callers of `query` get."""
    body = results.solutions(names, rows, SPARQL_JSON, None)
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QuerySolutions)
    return parsed
