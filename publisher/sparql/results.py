"""Serialise query results ourselves, so IRIs can be rewritten and a cut result says so.

Oxigraph's own serialisers take only its lazy result objects, which cannot be rewritten or cut,
so the four SPARQL result formats are written here (they are small, well specified formats) and
graph results go through `pyoxigraph.serialize`. A result cut at `max_results` carries, besides
the HTTP header the route adds, an in-body signal wherever the format has room for one:
`head.link` in JSON, `<link>` in XML, a comment in Turtle, N-Triples and RDF/XML. CSV, TSV and
JSON-LD have no room; the header is the signal there.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from json.encoder import encode_basestring as _quote  # the C escaper, UTF-8 kept as is
from typing import TypeVar, cast
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from publisher.formats import CSV, JSONLD, NTRIPLES, RDFXML, SPARQL_JSON, SPARQL_XML, TSV, Format

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
TermT = TypeVar("TermT", bound=Term)
Row = Sequence[Term | None]
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RESULTS_NS = "http://www.w3.org/2005/sparql-results#"


def solutions(
    variables: Sequence[str],
    rows: Iterable[Row],
    fmt: Format,
    link: str | None,
    rewrite: Callable[[Term], Term] | None = None,
) -> bytes:
    """A SELECT result; `link` (the truncation notice IRI) goes in the head where possible.

    Each distinct term is rewritten and encoded once (results repeat terms a lot): the cache
    is what keeps the Python serialisers close to Oxigraph's own."""
    encoders: dict[Format, Callable[[Term], str]] = {
        SPARQL_JSON: _json_fragment,
        SPARQL_XML: _xml_term,
        CSV: _csv_value,
        TSV: str,
    }
    encode = encoders.get(fmt)
    if encode is None:
        raise ValueError(f"{fmt.name} is not a SPARQL results format")
    cache: dict[Term, str] = {}
    known = cache.get

    def encoded(term: Term) -> str:
        found = cache[term] = encode(rewrite(term) if rewrite else term)
        return found

    # The lookup is inline (a call per cell costs as much as the rest of the cell's work).
    cells = (
        [None if t is None else (c if (c := known(t)) is not None else encoded(t)) for t in row]
        for row in rows
    )
    if fmt is SPARQL_JSON:
        return _json_solutions(variables, cells, link)
    if fmt is SPARQL_XML:
        return _xml_solutions(variables, cells, link)
    if fmt is CSV:
        return _csv_solutions(variables, cells)
    return _tsv_solutions(variables, cells)


def boolean(value: bool, fmt: Format) -> bytes:
    """An ASK result. CSV and TSV have no boolean form in the spec; we write one column,
    `_askResult`, holding true or false (as Jena does), so the answer stays a table."""
    word = "true" if value else "false"
    if fmt is SPARQL_JSON:
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt is SPARQL_XML:
        return (
            f'<?xml version="1.0"?>\n<sparql xmlns="{RESULTS_NS}">\n  <head/>\n'
            f"  <boolean>{word}</boolean>\n</sparql>\n"
        ).encode()
    if fmt is CSV:
        return f"_askResult\r\n{word}\r\n".encode()
    if fmt is TSV:
        return f"?_askResult\n{word}\n".encode()
    raise ValueError(f"{fmt.name} is not a SPARQL results format")


def graph(
    triples: Sequence[ox.Triple], fmt: Format, prefixes: dict[str, str], note: str | None
) -> bytes:
    """A CONSTRUCT or DESCRIBE result; `note` becomes a leading comment where allowed."""
    if fmt.rdf_format is None:
        raise ValueError(f"{fmt.name} is not an RDF format")
    use_prefixes = prefixes if fmt not in (NTRIPLES, JSONLD) else None
    body = ox.serialize(triples, format=fmt.rdf_format, prefixes=use_prefixes) or b""
    if note is None or fmt is JSONLD:
        return body
    if fmt is RDFXML:
        declaration, newline, rest = body.partition(b"\n")
        return declaration + newline + f"<!-- {note} -->\n".encode() + rest
    return f"# {note}\n".encode() + body


PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "oa": "http://www.w3.org/ns/oa#",
}
"""Well-known prefixes a graph result may declare (only those it uses)."""


def used_prefixes(triples: Iterable[ox.Triple]) -> dict[str, str]:
    """The well-known prefixes the graph uses, so Turtle output declares no others."""
    iris: set[str] = set()
    for triple in triples:
        iris.update(
            t.value for t in (triple.subject, triple.predicate, triple.object)
            if isinstance(t, ox.NamedNode)
        )  # fmt: skip
        if isinstance(triple.object, ox.Literal):
            iris.add(triple.object.datatype.value)
    return {
        name: namespace
        for name, namespace in PREFIXES.items()
        if any(iri.startswith(namespace) for iri in iris)
    }


def public_term(term: TermT, base_iri: str, origin: str) -> TermT:
    """A term with the canonical namespace `base_iri` replaced by the public `origin` (in
    triple terms too): results name things where this server answers for them."""
    if isinstance(term, ox.NamedNode):
        if base_iri != origin and term.value.startswith(base_iri):
            return cast(TermT, ox.NamedNode(origin + term.value[len(base_iri) :]))
        return term
    if isinstance(term, ox.Triple):
        return cast(
            TermT,
            ox.Triple(
                public_term(term.subject, base_iri, origin),
                public_term(term.predicate, base_iri, origin),
                public_term(term.object, base_iri, origin),
            ),
        )
    return term


def json_string(text: str) -> str:
    """A JSON string as both this module and Oxigraph write it (UTF-8 kept, no `\\/`)."""
    return _quote(text)


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    encoded: dict[str, object] = {"type": "literal", "value": term.value}
    if term.language:
        encoded["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        encoded["datatype"] = term.datatype.value
    return encoded


def _json_fragment(term: Term) -> str:
    """One term as JSON text, by hand for the common cases (a few times faster than dumps)."""
    if isinstance(term, ox.NamedNode):
        return f'{{"type":"uri","value":{_quote(term.value)}}}'
    if isinstance(term, ox.Literal):
        value = _quote(term.value)
        if term.language:
            return f'{{"type":"literal","value":{value},"xml:lang":{_quote(term.language)}}}'
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return f'{{"type":"literal","value":{value}}}'
        return f'{{"type":"literal","value":{value},"datatype":{_quote(datatype)}}}'
    return json.dumps(_json_term(term), ensure_ascii=False, separators=(",", ":"))


def _json_solutions(
    variables: Sequence[str], cells: Iterable[list[str | None]], link: str | None
) -> bytes:
    keys = [_quote(name) for name in variables]
    head_text = '{"vars":[' + ",".join(keys) + "]"
    if link:
        head_text += ',"link":[' + _quote(link) + "]"
    names = [f"{key}:" for key in keys]
    bindings = ",".join(
        "{" + ",".join([n + c for n, c in zip(names, row, strict=True) if c is not None]) + "}"
        for row in cells
    )
    return f'{{"head":{head_text}}},"results":{{"bindings":[{bindings}]}}}}'.encode()


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        parts = (
            f"<{role}>{_xml_term(getattr(term, role))}</{role}>"
            for role in ("subject", "predicate", "object")
        )
        return f"<triple>{''.join(parts)}</triple>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _xml_solutions(
    variables: Sequence[str], cells: Iterable[list[str | None]], link: str | None
) -> bytes:
    out = io.StringIO()
    out.write(f'<?xml version="1.0"?>\n<sparql xmlns="{RESULTS_NS}">\n  <head>\n')
    for name in variables:
        out.write(f"    <variable name={quoteattr(name)}/>\n")
    if link:
        out.write(f"    <link href={quoteattr(link)}/>\n")
    out.write("  </head>\n  <results>\n")
    names = [quoteattr(name) for name in variables]
    for row in cells:
        out.write("    <result>")
        for name, cell in zip(names, row, strict=True):
            if cell is not None:
                out.write(f"<binding name={name}>{cell}</binding>")
        out.write("</result>\n")
    out.write("  </results>\n</sparql>\n")
    return out.getvalue().encode()


def _csv_value(term: Term) -> str:
    """SPARQL 1.1 CSV: IRIs and literals by their plain text, blank nodes as `_:label`."""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def _csv_solutions(variables: Sequence[str], cells: Iterable[list[str | None]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(variables)
    for row in cells:
        writer.writerow(["" if cell is None else cell for cell in row])
    return out.getvalue().encode()


def _tsv_solutions(variables: Sequence[str], cells: Iterable[list[str | None]]) -> bytes:
    """SPARQL 1.1 TSV: terms in N-Triples syntax (tabs and newlines in literals escaped)."""
    lines = ["\t".join(f"?{name}" for name in variables)]
    lines.extend("\t".join("" if cell is None else cell for cell in row) for row in cells)
    return ("\n".join(lines) + "\n").encode()
