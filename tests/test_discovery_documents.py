"""The discovery documents speak like every other document: the validation report names itself,
and the VoID page marks the direction of its Arabic text."""

from __future__ import annotations

import re

import lxml.html
import pyoxigraph as ox
import pytest
from ld_support import Client, make_client

from publisher.config import Settings
from publisher.dataset import Dataset

FOAF = "http://xmlns.com/foaf/0.1/"
SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
ARABIC = re.compile("[\u0600-\u06ff]")


@pytest.fixture(scope="module")
def client(settings: Settings, dataset: Dataset) -> Client:
    return make_client(settings, dataset)


def test_the_validation_report_document_describes_itself(
    client: Client, settings: Settings
) -> None:
    origin = settings.origin
    response = client.get("/validation.nt")
    assert response.status_code == 200
    graph = {q.triple for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)}
    document, report = (
        ox.NamedNode(origin + "validation"),
        ox.NamedNode(origin + "validation#report"),
    )
    assert ox.Triple(document, RDF_TYPE, ox.NamedNode(FOAF + "Document")) in graph
    assert ox.Triple(document, ox.NamedNode(FOAF + "primaryTopic"), report) in graph
    assert ox.Triple(report, RDF_TYPE, ox.NamedNode(SH + "ValidationReport")) in graph
    assert not any(
        t.predicate == RDF_TYPE
        and t.object == ox.NamedNode(SH + "ValidationReport")
        and isinstance(t.subject, ox.BlankNode)
        for t in graph
    ), "the report's root is no longer a blank node"


@pytest.mark.parametrize("path", ["/.well-known/void", "/validation", "/dumps/"])
def test_arabic_text_on_discovery_pages_is_right_to_left(client: Client, path: str) -> None:
    response = client.get(path, accept="text/html")
    assert response.status_code == 200
    tree = lxml.html.fromstring(response.content)
    arabic = [
        element
        for element in tree.iter()
        if isinstance(element.tag, str)
        and any(ARABIC.search(text or "") for text in (element.text, element.tail))
    ]
    for element in arabic:
        holder = element if ARABIC.search(element.text or "") else element.getparent()
        marked = (
            next(e for e in holder.iterancestors() if e.get("dir"))
            if holder.get("dir") is None
            else holder
        )
        assert marked.get("dir") == "rtl", lxml.html.tostring(holder, encoding="unicode")[:200]
    if path == "/.well-known/void":
        assert arabic, "the VoID page shows the dataset's Arabic title and description"
