"""The SHACL validation report as a document: pySHACL's report graph, named and self-described.

pySHACL writes the report as a blank node (`[] a sh:ValidationReport`). Published at
`/validation`, it gets an IRI of its own (`{origin}validation#report`), and the document says
what every other document says about itself: a `foaf:Document` whose primary topic is the
report, in the dataset, with its modification date and licence.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import pyoxigraph as ox

from publisher.discovery.dumps import canonical_quads
from publisher.discovery.void import VALIDATION_PATH
from publisher.documents.describe import metadata
from publisher.report import ValidationReport
from publisher.urls import Urls
from publisher.vocab import RDF_TYPE

SH_VALIDATION_REPORT = ox.NamedNode("http://www.w3.org/ns/shacl#ValidationReport")


def report_iri(urls: Urls) -> str:
    """The IRI of the report itself; the document is `{origin}validation`."""
    return urls.absolute(VALIDATION_PATH) + "#report"


def validation_quads(
    report: ValidationReport, urls: Urls, modified: datetime, license: str | None
) -> list[ox.Quad]:
    """The report's quads on the public origin, its root named, blank nodes canonical."""
    parsed = [
        urls.rewrite_quad(q)
        for q in ox.parse(report.to_turtle().encode(), format=ox.RdfFormat.TURTLE)
    ]
    roots = {
        q.subject for q in parsed if q.predicate == RDF_TYPE and q.object == SH_VALIDATION_REPORT
    }
    named = ox.NamedNode(report_iri(urls))
    quads = list(_renamed(parsed, roots, named))
    quads += metadata(urls, urls.absolute(VALIDATION_PATH), named.value, modified, None, license)
    return canonical_quads(urls.rewrite_quad(q) for q in quads)


def _renamed(
    quads: Iterable[ox.Quad], old: set[ox.NamedNode | ox.BlankNode | ox.Triple], new: ox.NamedNode
) -> Iterable[ox.Quad]:
    for q in quads:
        subject = new if q.subject in old else q.subject
        obj = new if q.object in old else q.object
        yield ox.Quad(subject, q.predicate, obj, q.graph_name)
