"""describe(): the document graph of a resource, on the fixture dataset (tests/fixtures/ld)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
from ld_support import BASE, fixture_dataset, fixture_settings, urls_of

from publisher.dataset import Dataset
from publisher.documents.describe import (
    FOAF_PRIMARY_TOPIC,
    RDFS_SEE_ALSO,
    Document,
    ResourceNotFound,
    describe,
    describe_ontology,
    ontology_paths,
    thing_paths,
)
from publisher.urls import Urls

ID = BASE + "id/"
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
MEETING = ID + "event/meeting-1"
ALICE = ID + "person/alice"
HUB = ID + "concept/hub"
SCHEMA = "https://schema.org/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return fixture_dataset()


@pytest.fixture(scope="module")
def urls() -> Urls:
    return urls_of(fixture_settings())


def triples(document: Document) -> set[tuple[str, str, str]]:
    """(subject, predicate, object) as N-Triples-ish strings, blank nodes as `_`."""

    def text(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
        return "_" if isinstance(term, ox.BlankNode) else str(term)

    return {(text(q.subject), text(q.predicate), text(q.object)) for q in document.quads}


def n(iri: str) -> str:
    return f"<{iri}>"


def test_things_are_the_subjects_in_the_id_namespace(dataset: Dataset, urls: Urls) -> None:
    things = thing_paths(dataset, urls)
    assert {"event/meeting-1", "person/alice", "person/bob", "graph/g1", "thing/loop"} <= things
    assert "person/ghost" not in things  # only ever an object: nothing describes it
    assert not any(path.startswith("def/") or "#" in path for path in things)


def test_ontology_paths_include_the_version_iri(dataset: Dataset, urls: Urls) -> None:
    assert ontology_paths(dataset, urls) == {"tst": BASE + "def/tst", "tst/2.0": BASE + "def/tst"}


def test_concise_bounded_description_closes_blank_nodes(dataset: Dataset, urls: Urls) -> None:
    doc = describe(dataset, urls, MEETING)
    found = triples(doc)
    assert (n(MEETING), n(SCHEMA + "location"), "_") in found
    assert ("_", n(SCHEMA + "name"), '"Online"') in found
    assert ("_", n(SCHEMA + "name"), '"topic"') in found
    assert ("_", n(SCHEMA + "name"), '"deeper"') in found  # two blank nodes deep


def test_every_graph_contributes_and_keeps_its_name(dataset: Dataset, urls: Urls) -> None:
    doc = describe(dataset, urls, MEETING)
    chair = [q for q in doc.quads if q.predicate.value.endswith("#chair")]
    assert {q.graph_name.value for q in chair} == {ID + "graph/g1", ID + "graph/g2"}


def test_incoming_links_from_named_resources(dataset: Dataset, urls: Urls) -> None:
    doc = describe(dataset, urls, ALICE)
    found = triples(doc)
    assert (n(MEETING), n(BASE + "def/tst#chair"), n(ALICE)) in found
    hub = describe(dataset, urls, HUB)
    related = "http://www.w3.org/2004/02/skos/core#related"
    assert not any(q.predicate.value == related for q in hub.quads)  # blank subject left out
    assert not hub.incoming_truncated


def test_incoming_links_are_capped_with_a_query_for_the_rest(dataset: Dataset, urls: Urls) -> None:
    doc = describe(dataset, urls, HUB, incoming_limit=3)
    broader = [q for q in doc.quads if q.predicate.value.endswith("#broader")]
    assert [q.subject.value for q in broader] == [ID + f"item/i{i}" for i in (1, 2, 3)]
    assert doc.incoming_truncated
    (more,) = [q.object.value for q in doc.quads if q.predicate == RDFS_SEE_ALSO]
    url = urlsplit(more)
    assert f"{url.scheme}://{url.netloc}{url.path}" == BASE + "sparql"
    (query,) = parse_qs(url.query)["query"]
    store = dataset.store
    rows = list(store.query(query, use_default_graph_as_union=True))
    assert len(rows) == 8  # all seven items, and the blank node the document leaves out


def test_labels_of_everything_mentioned(dataset: Dataset, urls: Urls) -> None:
    found = triples(describe(dataset, urls, ALICE))
    assert (n(ID + "person/bob"), n(RDFS_LABEL), '"Bob"@en') in found
    assert (n(ID + "person/bob"), n(PREF_LABEL), '"Bob B."@en') in found
    assert (n(MEETING), n(RDFS_LABEL), '"Meeting 1"@en') in found  # subject of a link in
    assert (n(BASE + "def/tst#chair"), n(RDFS_LABEL), '"chair"@en') in found  # a predicate
    # labels only: nothing else about the resources it mentions
    assert not any(s == n(ID + "person/bob") and p == n(SCHEMA + "knows") for s, p, _ in found)


def test_document_metadata(dataset: Dataset, urls: Urls) -> None:
    doc = describe(dataset, urls, ALICE, license=LICENSE)
    assert doc.iri == BASE + "doc/person/alice" and doc.topic == ALICE
    about = {q.predicate.value: q.object for q in doc.quads if q.subject.value == doc.iri}
    assert about[str(FOAF_PRIMARY_TOPIC.value)] == ox.NamedNode(ALICE)
    dataset_iri = ox.NamedNode(BASE + ".well-known/void#dataset")
    assert about["http://rdfs.org/ns/void#inDataset"] == dataset_iri
    assert about["http://purl.org/dc/terms/license"] == ox.NamedNode(LICENSE)
    modified = about["http://purl.org/dc/terms/modified"]
    assert isinstance(modified, ox.Literal)
    assert modified.datatype.value.endswith("#dateTime") and modified.value.endswith("Z")
    assert all(
        isinstance(q.graph_name, ox.DefaultGraph) for q in doc.quads if q.subject.value == doc.iri
    )


def test_no_licence_is_claimed_when_the_dataset_states_none(dataset: Dataset, urls: Urls) -> None:
    doc = describe(dataset, urls, ALICE)
    licence = ox.NamedNode("http://purl.org/dc/terms/license")
    assert not [q for q in doc.quads if q.subject.value == doc.iri and q.predicate == licence]


def test_no_quad_twice(dataset: Dataset, urls: Urls) -> None:
    for iri in (MEETING, ALICE, HUB):
        quads = describe(dataset, urls, iri).quads
        assert len(quads) == len(set(quads))


@pytest.mark.parametrize("iri", [ID + "person/ghost", ID + "person/nobody", ID])
def test_unknown_resources(dataset: Dataset, urls: Urls, iri: str) -> None:
    with pytest.raises(ResourceNotFound) as error:
        describe(dataset, urls, iri)
    assert iri in str(error.value)


def test_ontology_document(dataset: Dataset, urls: Urls) -> None:
    ontology = BASE + "def/tst"
    doc = describe_ontology(dataset, urls, ontology)
    in_graph = set(dataset.store.quads_for_pattern(None, None, None, ox.NamedNode(ontology)))
    assert in_graph <= set(doc.quads)
    assert ox.Quad(
        ox.NamedNode(ontology),
        ox.NamedNode("http://rdfs.org/ns/void#inDataset"),
        ox.NamedNode(BASE + ".well-known/void#dataset"),
    ) in set(doc.quads)
    with pytest.raises(ResourceNotFound):
        describe_ontology(dataset, urls, BASE + "def/nothing")
