"""VoID + DCAT, schema.org, sitemap and robots.txt, as domain functions over fixture data.

The fixture's counts were worked out by hand from tests/fixtures/dumps/*.{ttl,trig}:
29 quads (5 ontology, 11 default graph, 9 in article-s01, 4 in article-s02), one triple
(Bourita's English label) stated in two graphs, hence 28 distinct triples.
"""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF

from publisher.config import PROJECT_ROOT, Settings
from publisher.dataset import Dataset
from publisher.discovery.dump_store import DumpStore
from publisher.discovery.schema_org import schema_org_dataset
from publisher.discovery.sitemap import (
    SITEMAP_LIMIT,
    SitemapPage,
    robots_txt,
    sitemap_index,
    sitemap_pages,
    sitemap_xml,
)
from publisher.discovery.statistics import compute_statistics, namespace
from publisher.discovery.void import (
    DCAT,
    VOID,
    Published,
    dataset_iri,
    describe_dataset,
)
from publisher.profile import Profile
from publisher.rdfterms import graph_of
from publisher.stores import open_dataset
from publisher.urls import Urls

FIXTURES = Path(__file__).parent / "fixtures" / "dumps"
BASE = "https://w3id.org/gcm-arab-review/"
ORIGIN = "http://127.0.0.1:8765/"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# The fixture data says nothing about itself: the tests give the profile its description would.
PROFILE = Profile(
    iri=None,
    title={"en": "The fixture as linked data", "ar": "بيانات الاختبار مترابطةً"},
    description={
        "en": "A handful of resources and two sentences' named graphs, to test discovery: "
        "the VoID and DCAT description, schema.org, the sitemap and robots.txt."
    },
    license="https://creativecommons.org/licenses/by/4.0/",
    languages=("ar", "en"),
    example_resources=(
        BASE + "id/event/gcm-arab-regional-review-conference-2021",
        BASE + "id/person/nasser-bourita",
    ),
)


def fixture_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "base_iri": BASE,
        "data": [str(FIXTURES / "data.trig")],
        "ontology": [str(FIXTURES / "ontology.ttl")],
        "shapes": [str(FIXTURES / "shapes.ttl")],
        "public_origin": ORIGIN,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture()
def fixture_dataset() -> Dataset:
    return open_dataset(fixture_settings())


@pytest.fixture()
def urls() -> Urls:
    return Urls(BASE, ORIGIN)


def description_store(dataset: Dataset, urls: Urls, tmp_path: Path) -> ox.Store:
    files = DumpStore(tmp_path).get(dataset, urls).files
    store = ox.Store()
    stats = compute_statistics(dataset, urls)
    store.extend(describe_dataset(dataset, urls, files, stats, PROFILE))
    return store


def one(store: ox.Store, query: str) -> ox.QuerySolution:
    prefixes = (
        f"PREFIX void: <{VOID}> PREFIX dcat: <{DCAT}> PREFIX dcterms: <http://purl.org/dc/terms/> "
        "PREFIX spdx: <http://spdx.org/rdf/terms#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
    )
    rows = list(store.query(prefixes + query))  # type: ignore[arg-type]
    assert len(rows) == 1, rows
    return rows[0]


def test_statistics_are_counted_from_the_data(fixture_dataset: Dataset, urls: Urls) -> None:
    stats = compute_statistics(fixture_dataset, urls)
    assert stats.triples == 28
    # graph/article-s01, graph/article-s02, passage/s01, the event, the person, org/iom
    assert stats.entities == 6
    # the 6 entities + the ontology, gcmr:RegionalReviewConference and 3 blank nodes
    assert stats.distinct_subjects == 11
    assert stats.distinct_objects == 26
    assert stats.classes == 11
    assert stats.properties == 9
    assert dict(stats.graph_triples) == {
        BASE + "def/gcmr": 5,
        BASE + "id/graph/article-s01": 9,
        BASE + "id/graph/article-s02": 4,
    }
    assert dict(stats.class_entities)["http://xmlns.com/foaf/0.1/Person"] == 1
    # 3 in the ontology, 2 for the event, 2 for Bourita (one stated twice), 1 for IOM
    assert dict(stats.property_triples)["http://www.w3.org/2000/01/rdf-schema#label"] == 8
    assert stats.vocabularies == (
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://www.w3.org/2000/01/rdf-schema#",
        "http://www.w3.org/2002/07/owl#",
        "http://www.w3.org/ns/oa#",
        "http://www.w3.org/ns/prov#",
        "http://xmlns.com/foaf/0.1/",
        "https://schema.org/",
        BASE + "def/gcmr#",
    )
    assert stats.documents == (
        "event/gcm-arab-regional-review-conference-2021",
        "graph/article-s01",
        "graph/article-s02",
        "org/iom",
        "passage/s01",
        "person/nasser-bourita",
    )


@pytest.mark.parametrize(
    ("iri", "expected"),
    [
        ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2000/01/rdf-schema#"),
        ("https://schema.org/Person", "https://schema.org/"),
        ("http://purl.org/dc/terms/title", "http://purl.org/dc/terms/"),
    ],
)
def test_namespace(iri: str, expected: str) -> None:
    assert namespace(iri) == expected


def test_void_counts_and_links(fixture_dataset: Dataset, urls: Urls, tmp_path: Path) -> None:
    store = description_store(fixture_dataset, urls, tmp_path)
    ds = ox.NamedNode(dataset_iri(urls))
    assert ds.value == ORIGIN + ".well-known/void#dataset"
    row = one(
        store,
        f"""SELECT * WHERE {{ <{ds.value}> a void:Dataset, dcat:Dataset ;
            void:triples ?t ; void:entities ?e ; void:distinctSubjects ?s ;
            void:distinctObjects ?o ; void:classes ?c ; void:properties ?p ;
            void:uriSpace ?space ; void:sparqlEndpoint ?sparql ; dcterms:license ?license }}""",
    )
    counts = {k: int(row[k].value) for k in "tesocp"}  # type: ignore[union-attr]
    assert counts == {"t": 28, "e": 6, "s": 11, "o": 26, "c": 11, "p": 9}
    assert row["space"] == ox.Literal(ORIGIN + "id/")
    assert row["sparql"] == ox.NamedNode(ORIGIN + "sparql")
    assert row["license"] == ox.NamedNode("https://creativecommons.org/licenses/by/4.0/")
    examples = {
        q.object for q in store.quads_for_pattern(ds, ox.NamedNode(VOID + "exampleResource"), None)
    }
    assert examples == {
        ox.NamedNode(ORIGIN + "id/event/gcm-arab-regional-review-conference-2021"),
        ox.NamedNode(ORIGIN + "id/person/nasser-bourita"),
    }
    vocabularies = {
        q.object for q in store.quads_for_pattern(ds, ox.NamedNode(VOID + "vocabulary"), None)
    }
    assert ox.NamedNode(ORIGIN + "def/gcmr#") in vocabularies
    assert len(vocabularies) == 8
    titles = {
        q.object
        for q in store.quads_for_pattern(ds, ox.NamedNode("http://purl.org/dc/terms/title"), None)
    }
    assert {t.language for t in titles} == {"ar", "en"}  # type: ignore[union-attr]


def test_void_subsets_are_the_named_graphs(
    fixture_dataset: Dataset, urls: Urls, tmp_path: Path
) -> None:
    store = description_store(fixture_dataset, urls, tmp_path)
    rows = store.query(
        f"SELECT ?g ?n WHERE {{ <{dataset_iri(urls)}> <{VOID}subset> ?g . ?g <{VOID}triples> ?n }}"
    )
    subsets = {row["g"].value: int(row["n"].value) for row in rows}  # type: ignore[union-attr]
    assert subsets == {
        ORIGIN + "def/gcmr": 5,
        ORIGIN + "id/graph/article-s01": 9,
        ORIGIN + "id/graph/article-s02": 4,
    }


def test_dcat_distribution_per_dump_with_size_and_checksum(
    fixture_dataset: Dataset, urls: Urls, tmp_path: Path
) -> None:
    store = description_store(fixture_dataset, urls, tmp_path)
    files = DumpStore(tmp_path).get(fixture_dataset, urls).files
    for dump in files:
        url = f"{ORIGIN}dumps/{dump.name}"
        row = one(
            store,
            f"""SELECT * WHERE {{
              <{dataset_iri(urls)}> dcat:distribution ?d ; void:dataDump <{url}> .
              ?d a dcat:Distribution ; dcat:downloadURL <{url}> ; dcat:mediaType ?type ;
                 dcat:byteSize ?size ;
                 spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ;
                                 spdx:checksumValue ?sum ] .
              OPTIONAL {{ ?d dcat:compressFormat ?gz }} }}""",
        )
        assert int(row["size"].value) == dump.byte_size  # type: ignore[union-attr]
        assert row["sum"].value == dump.sha256  # type: ignore[union-attr]
        assert row["type"] == ox.NamedNode(
            "http://www.iana.org/assignments/media-types/" + dump.media_type
        )
        gz = row["gz"]
        if dump.kind.compressed:
            assert gz == ox.NamedNode(
                "http://www.iana.org/assignments/media-types/application/gzip"
            )
        else:
            assert gz is None


def test_byte_sizes_are_non_negative_integers(
    fixture_dataset: Dataset, urls: Urls, tmp_path: Path
) -> None:
    """Checked on the quads: an Oxigraph Store would turn the datatype into xsd:integer."""
    files = DumpStore(tmp_path).get(fixture_dataset, urls).files
    quads = describe_dataset(
        fixture_dataset, urls, files, compute_statistics(fixture_dataset, urls)
    )
    sizes = [q.object for q in quads if q.predicate == ox.NamedNode(DCAT + "byteSize")]
    assert len(sizes) == len(files)
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert {s.datatype for s in sizes} == {ox.NamedNode(xsd + "nonNegativeInteger")}  # type: ignore[union-attr]


def test_dcat_data_service_for_sparql(fixture_dataset: Dataset, urls: Urls, tmp_path: Path) -> None:
    store = description_store(fixture_dataset, urls, tmp_path)
    one(
        store,
        f"""SELECT * WHERE {{ ?service a dcat:DataService ;
              dcat:endpointURL <{ORIGIN}sparql> ; dcat:servesDataset <{dataset_iri(urls)}> .
            ?catalog a dcat:Catalog ; dcat:service ?service ;
              dcat:dataset <{dataset_iri(urls)}> }}""",
    )


def test_validation_report_is_linked(fixture_dataset: Dataset, urls: Urls, tmp_path: Path) -> None:
    store = description_store(fixture_dataset, urls, tmp_path)
    one(
        store,
        f"""SELECT * WHERE {{ <{dataset_iri(urls)}>
              <http://www.w3.org/ns/dqv#hasQualityAnnotation> ?a ;
              <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{ORIGIN}validation> .
            ?a <http://www.w3.org/ns/oa#hasBody> <{ORIGIN}validation> }}""",
    )


def test_description_is_the_same_for_the_same_data(urls: Urls, tmp_path: Path) -> None:
    """Canonical blank nodes: every worker and restart serves the same bytes (same ETag)."""
    first, second = (open_dataset(fixture_settings()) for _ in range(2))
    files = DumpStore(tmp_path).get(first, urls).files
    a = describe_dataset(first, urls, files, compute_statistics(first, urls))
    b = describe_dataset(second, urls, files, compute_statistics(second, urls))
    assert sorted(map(str, a)) == sorted(map(str, b))
    assert any(isinstance(q.subject, ox.BlankNode) for q in a)


def test_description_never_names_the_canonical_namespace(
    fixture_dataset: Dataset, urls: Urls, tmp_path: Path
) -> None:
    store = description_store(fixture_dataset, urls, tmp_path)
    text = ox.serialize(store, format=ox.RdfFormat.N_QUADS).decode()
    assert BASE not in text


def test_schema_org_dataset(fixture_dataset: Dataset, urls: Urls, tmp_path: Path) -> None:
    files = DumpStore(tmp_path).get(fixture_dataset, urls).files
    data = schema_org_dataset(fixture_dataset, urls, files, PROFILE)
    assert data["@type"] == "Dataset"
    assert data["@id"] == dataset_iri(urls)
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert 50 <= len(data["description"]) <= 5000  # what Google's dataset search accepts
    downloads = data["distribution"]
    assert [d["contentUrl"] for d in downloads] == [f"{ORIGIN}dumps/{f.name}" for f in files]
    assert {d["encodingFormat"] for d in downloads} >= {"application/gzip", "text/turtle"}
    # It is JSON-LD that says what it claims (schema.org's context is @vocab; no network here).
    offline = {**data, "@context": {"@vocab": "https://schema.org/"}}
    graph = rdflib.Graph().parse(data=json.dumps(offline), format="json-ld")
    assert (
        rdflib.URIRef(dataset_iri(urls)),
        RDF.type,
        rdflib.URIRef("https://schema.org/Dataset"),
    ) in graph


def test_sitemap_lists_every_document_as_html(fixture_dataset: Dataset, urls: Urls) -> None:
    pages = sitemap_pages(fixture_dataset, urls, compute_statistics(fixture_dataset, urls))
    assert pages[:4] == [
        SitemapPage(ORIGIN),
        SitemapPage(ORIGIN + "classes"),
        SitemapPage(ORIGIN + "sparql"),
        SitemapPage(ORIGIN + "dumps/"),
    ]
    page_urls = [p.url for p in pages]
    assert ORIGIN + "def/gcmr.html" in page_urls
    assert ORIGIN + "doc/person/nasser-bourita.html" in page_urls
    assert ORIGIN + "doc/passage/s01.html" in page_urls
    assert len(pages) == 4 + 1 + 6  # fixed pages, the ontology, the six things
    assert len(set(page_urls)) == len(pages)


def test_sitemap_xml_lists_each_language_version(urls: Urls) -> None:
    pages = [SitemapPage(ORIGIN + "doc/x.html"), SitemapPage(ORIGIN + "dumps/", localized=False)]
    root = ET.fromstring(sitemap_xml(pages, datetime(2021, 2, 24, tzinfo=UTC), ("ar", "en")))
    assert root.tag == SITEMAP_NS + "urlset"
    entries = root.findall(SITEMAP_NS + "url")
    assert [e.findtext(SITEMAP_NS + "loc") for e in entries] == [
        ORIGIN + "doc/x.html?lang=ar",
        ORIGIN + "doc/x.html?lang=en",
        ORIGIN + "dumps/",
    ]
    assert {e.findtext(SITEMAP_NS + "lastmod") for e in entries} == {"2021-02-24"}
    alternates = {
        link.get("hreflang"): link.get("href")
        for link in entries[0].findall("{http://www.w3.org/1999/xhtml}link")
    }
    assert alternates == {
        "ar": ORIGIN + "doc/x.html?lang=ar",
        "en": ORIGIN + "doc/x.html?lang=en",
        "x-default": ORIGIN + "doc/x.html",
    }
    assert entries[2].findall("{http://www.w3.org/1999/xhtml}link") == []


def test_sitemap_escapes_and_indexes() -> None:
    body = sitemap_xml([SitemapPage("http://x/?a=1&b=2")], datetime(2021, 1, 1, tzinfo=UTC), ["en"])
    assert b"a=1&amp;b=2&amp;lang=en" in body
    loc = ET.fromstring(body).findtext(f"{SITEMAP_NS}url/{SITEMAP_NS}loc")
    assert loc == "http://x/?a=1&b=2&lang=en"
    index = sitemap_index(["http://x/sitemap-1.xml"], datetime(2021, 1, 1, tzinfo=UTC))
    assert ET.fromstring(index).tag == SITEMAP_NS + "sitemapindex"
    assert SITEMAP_LIMIT == 50_000


def test_robots_points_to_the_sitemap(urls: Urls) -> None:
    text = robots_txt(urls)
    assert "User-agent: *\nDisallow: /search?\nDisallow: /fragments?\nAllow: /\n" in text
    assert f"Sitemap: {ORIGIN}sitemap.xml" in text.splitlines()


def test_published_computes_once_per_version(fixture_dataset: Dataset, urls: Urls) -> None:
    published = Published(None)
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    threads = [
        threading.Thread(target=published.once, args=(fixture_dataset, urls, "x", compute))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1]
    assert published.once(fixture_dataset, urls, "x", compute) == 1
    newer = Dataset(
        fixture_dataset.store,
        fixture_dataset.base_iri,
        "another-version",
        fixture_dataset.modified,
        fixture_dataset.sources,
    )
    assert published.once(newer, urls, "x", compute) == 2


def test_dataset_iri_matches_what_documents_say(urls: Urls) -> None:
    """Documents say `void:inDataset` with Urls.void_dataset; VoID must describe that IRI."""
    if not hasattr(Urls, "void_dataset"):
        pytest.skip("Urls.void_dataset is not defined")
    assert urls.public(urls.void_dataset) == dataset_iri(urls)


REAL_DATA = sorted((PROJECT_ROOT / "data").glob("*.trig"))


@pytest.mark.skipif(not REAL_DATA, reason="data/*.trig not written yet")
def test_real_statistics_agree_with_rdflib(urls: Urls) -> None:
    """The SPARQL counts, recomputed independently over rdflib's union graph."""
    settings = Settings(base_iri=BASE, data=[str(p) for p in REAL_DATA], public_origin=ORIGIN)
    dataset = open_dataset(settings)
    stats = compute_statistics(dataset, urls)
    graph = graph_of(dataset.store)
    space = BASE + "id/"
    assert stats.triples == len(graph)
    assert stats.distinct_subjects == len(set(graph.subjects()))
    assert stats.distinct_objects == len(set(graph.objects()))
    assert stats.properties == len(set(graph.predicates()))
    assert stats.classes == len(set(graph.objects(None, RDF.type)))
    assert stats.entities == len(
        {s for s in graph.subjects() if isinstance(s, rdflib.URIRef) and str(s).startswith(space)}
    )
    assert "event/gcm-arab-regional-review-conference-2021" in stats.documents
    assert "person/nasser-bourita" in stats.documents
    assert len(stats.graph_triples) >= 13  # one graph per sentence at least
