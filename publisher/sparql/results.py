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
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from publisher.formats import CSV, JSONLD, NTRIPLES, RDFXML, SPARQL_JSON, SPARQL_XML, TSV, Format

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = Sequence[Term | None]
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RESULTS_NS = "http://www.w3.org/2005/sparql-results#"


def solutions(
    variables: Sequence[str], rows: Iterable[Row], fmt: Format, link: str | None
) -> bytes:
    """A SELECT result; `link` (the truncation notice IRI) goes in the head where possible."""
    if fmt is SPARQL_JSON:
        return _json_solutions(variables, rows, link)
    if fmt is SPARQL_XML:
        return _xml_solutions(variables, rows, link)
    if fmt is CSV:
        return _csv_solutions(variables, rows)
    if fmt is TSV:
        return _tsv_solutions(variables, rows)
    raise ValueError(f"{fmt.name} is not a SPARQL results format")


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


def _json_solutions(variables: Sequence[str], rows: Iterable[Row], link: str | None) -> bytes:
    head: dict[str, object] = {"vars": list(variables)}
    if link:
        head["link"] = [link]
    bindings = [
        {name: _json_term(term) for name, term in zip(variables, row, strict=True) if term}
        for row in rows
    ]
    document = {"head": head, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


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


def _xml_solutions(variables: Sequence[str], rows: Iterable[Row], link: str | None) -> bytes:
    out = io.StringIO()
    out.write(f'<?xml version="1.0"?>\n<sparql xmlns="{RESULTS_NS}">\n  <head>\n')
    for name in variables:
        out.write(f"    <variable name={quoteattr(name)}/>\n")
    if link:
        out.write(f"    <link href={quoteattr(link)}/>\n")
    out.write("  </head>\n  <results>\n")
    for row in rows:
        out.write("    <result>")
        for name, term in zip(variables, row, strict=True):
            if term is not None:
                out.write(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
        out.write("</result>\n")
    out.write("  </results>\n</sparql>\n")
    return out.getvalue().encode()


def _csv_value(term: Term | None) -> str:
    """SPARQL 1.1 CSV: IRIs and literals by their plain text, blank nodes as `_:label`."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def _csv_solutions(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_csv_value(term) for term in row])
    return out.getvalue().encode()


def _tsv_solutions(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    """SPARQL 1.1 TSV: terms in N-Triples syntax (tabs and newlines in literals escaped)."""
    lines = ["\t".join(f"?{name}" for name in variables)]
    lines.extend("\t".join("" if t is None else str(t) for t in row) for row in rows)
    return ("\n".join(lines) + "\n").encode()
