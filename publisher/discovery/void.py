"""How the dataset is found and described: VoID + DCAT 3, schema.org, sitemap, robots.txt.

Counts come from the data (SPARQL over the union of all graphs); IRIs are given on the public
origin, so a crawler that found the server on http://127.0.0.1:8000/ stays there. The dataset
is `{origin}.well-known/void#dataset` (RFC 8615 well-known location of the VoID description).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from xml.sax.saxutils import escape

import pyoxigraph as ox

from publisher.dataset import Dataset
from publisher.discovery.dumps import (
    DUMPS_PATH,
    GZIP_MEDIA_TYPE,
    DumpFile,
    Dumps,
    DumpStore,
    canonical_quads,
)
from publisher.formats import HTML, JSONLD, NQUADS, NTRIPLES, RDFXML, TRIG, TURTLE, Format
from publisher.urls import Urls

VOID_PATH = ".well-known/void"
SPARQL_PATH = "sparql"
VALIDATION_PATH = "validation"
SITEMAP_PATH = "sitemap.xml"
SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org protocol)
LANGUAGE_PARAMETER = "lang"  # how the HTML pages name their language versions (?lang=ar)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SPDX = "http://spdx.org/rdf/terms#"
DQV = "http://www.w3.org/ns/dqv#"
OA = "http://www.w3.org/ns/oa#"
OWL = "http://www.w3.org/2002/07/owl#"
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"
LANGUAGES = "http://id.loc.gov/vocabulary/iso639-1/"

DESCRIPTION_PREFIXES = {
    "dcat": DCAT,
    "dcterms": DCTERMS,
    "dqv": DQV,
    "foaf": FOAF,
    "oa": OA,
    "rdf": RDF,
    "rdfs": RDFS,
    "spdx": SPDX,
    "void": VOID,
    "xsd": XSD,
}

# What each syntax is, for `dcterms:conformsTo` and `void:feature` (W3C's format IRIs).
FORMAT_SPECS: dict[Format, tuple[str, str]] = {
    TURTLE: ("https://www.w3.org/TR/turtle/", "http://www.w3.org/ns/formats/Turtle"),
    NTRIPLES: ("https://www.w3.org/TR/n-triples/", "http://www.w3.org/ns/formats/N-Triples"),
    NQUADS: ("https://www.w3.org/TR/n-quads/", "http://www.w3.org/ns/formats/N-Quads"),
    TRIG: ("https://www.w3.org/TR/trig/", "http://www.w3.org/ns/formats/TriG"),
    JSONLD: ("https://www.w3.org/TR/json-ld11/", "http://www.w3.org/ns/formats/JSON-LD"),
    RDFXML: ("https://www.w3.org/TR/rdf-syntax-grammar/", "http://www.w3.org/ns/formats/RDF_XML"),
}


@dataclass(frozen=True)
class DatasetInfo:
    """What people write about the dataset (the data cannot say it): titles, licence, examples."""

    title: dict[str, str]
    description: dict[str, str]
    license: str
    keywords: dict[str, tuple[str, ...]]
    languages: tuple[str, ...]
    example_paths: tuple[str, ...] = ()
    source_paths: tuple[str, ...] = ()


GCM_BASE_IRI = "https://w3id.org/gcm-arab-review/"
GCM_ARAB_REVIEW = DatasetInfo(
    title={
        "en": "The GCM Arab regional review (2021) as linked data",
        "ar": "الاستعراض الإقليمي العربي للاتفاق العالمي من أجل الهجرة (2021) بيانات مترابطة",
    },
    description={
        "en": "The first Arab-region regional review conference of the Global Compact for Safe, "
        "Orderly and Regular Migration (GCM), as reported by one Arabic news article: events, "
        "participants and their roles, reported statements and documents, every fact kept in "
        "a named graph of the sentence or reference it comes from.",
        "ar": "المؤتمر الإقليمي الأول لاستعراض الاتفاق العالمي من أجل الهجرة الآمنة والمنظمة "
        "والنظامية في المنطقة العربية، كما ورد في مقال إخباري عربي: الفعاليات والمشاركون "
        "وأدوارهم والتصريحات المنقولة والوثائق، مع حفظ كل واقعة في رسم بياني مسمّى باسم الجملة "
        "أو المرجع الذي وردت فيه.",
    },
    license="https://creativecommons.org/licenses/by/4.0/",
    keywords={
        "en": ("migration", "Global Compact for Migration", "Arab region", "regional review"),
        "ar": ("الهجرة", "الاتفاق العالمي من أجل الهجرة", "المنطقة العربية", "الاستعراض الإقليمي"),
    },
    languages=("ar", "en"),
    example_paths=("event/gcm-arab-regional-review-conference-2021", "person/nasser-bourita"),
    source_paths=("article/gcm-arab-regional-review-report",),
)


GENERIC_LICENSE = ""  # no licence stated: none is claimed


def dataset_info(dataset: Dataset) -> DatasetInfo:
    """What people read about the dataset: what the data says about its base IRI (dcterms:title,
    dcterms:description, dcterms:license, dcat:keyword, dcterms:language), else, for the GCM
    namespace only, GCM_ARAB_REVIEW, else a title made of the base IRI."""
    subject = ox.NamedNode(dataset.base_iri)

    def texts(predicate: str) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for quad in dataset.store.quads_for_pattern(subject, ox.NamedNode(predicate), None):
            if isinstance(quad.object, ox.Literal):
                found.setdefault(quad.object.language or "", []).append(quad.object.value)
        return {lang: sorted(values) for lang, values in sorted(found.items())}

    titles = {lang: values[0] for lang, values in texts(DCTERMS + "title").items()}
    if not titles:
        if dataset.base_iri == GCM_BASE_IRI:
            return GCM_ARAB_REVIEW
        titles = {"en": f"Linked data at {dataset.base_iri}"}
    iris = {
        p: sorted(
            q.object.value
            for q in dataset.store.quads_for_pattern(subject, ox.NamedNode(p), None)
            if isinstance(q.object, ox.NamedNode)
        )
        for p in (DCTERMS + "license", DCTERMS + "language")
    }
    stated = [iri.rsplit("/", 1)[-1] for iri in iris[DCTERMS + "language"]]
    return DatasetInfo(
        title=titles,
        description={k: " ".join(v) for k, v in texts(DCTERMS + "description").items()},
        license=next(iter(iris[DCTERMS + "license"]), GENERIC_LICENSE),
        keywords={k: tuple(v) for k, v in texts(DCAT + "keyword").items()},
        languages=tuple(stated or sorted(lang for lang in titles if lang)),
    )


def in_language(texts: dict[str, str], lang: str) -> str:
    """The text in `lang`, else English, else without a language, else any; "" if none."""
    for key in (lang, "en", ""):
        if key in texts:
            return texts[key]
    return next(iter(texts.values()), "")


@dataclass(frozen=True)
class Statistics:
    """VoID counts over the union of all graphs (a triple stated in two graphs counts once)."""

    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    classes: int
    properties: int
    class_entities: tuple[tuple[str, int], ...]
    property_triples: tuple[tuple[str, int], ...]
    graph_triples: tuple[tuple[str, int], ...]
    vocabularies: tuple[str, ...]
    documents: tuple[str, ...] = field(repr=False)


_DISTINCT = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"
_COUNTS = f"""
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?o) AS ?objects) (COUNT(DISTINCT ?p) AS ?properties)
WHERE {{ {_DISTINCT} }}"""
_ENTITIES = """
SELECT ?space (COUNT(DISTINCT ?s) AS ?n)
WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?space)) } GROUP BY ?space"""
_DOCUMENTS = """
SELECT DISTINCT ?s ?space WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?space)) }"""
_CLASSES = f"""
SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{RDF}type> ?c }} GROUP BY ?c"""
_PROPERTIES = f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {_DISTINCT} }} GROUP BY ?p"
_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _select(store: ox.Store, query: str, **bindings: str) -> list[ox.QuerySolution]:
    substitutions = {ox.Variable(k): ox.Literal(v) for k, v in bindings.items()}
    result = store.query(query, use_default_graph_as_union=True, substitutions=substitutions)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _int(term: object) -> int:
    assert isinstance(term, ox.Literal)
    return int(term.value)


def _grouped(solutions: Iterable[ox.QuerySolution], key: str) -> tuple[tuple[str, int], ...]:
    pairs = []
    for row in solutions:
        term = row[key]
        if isinstance(term, ox.NamedNode):
            pairs.append((term.value, _int(row["n"])))
    return tuple(sorted(pairs))


def namespace(iri: str) -> str:
    """The vocabulary an IRI belongs to: up to its last `#`, or else its last `/`."""
    cut = iri.rfind("#") if "#" in iri else iri.rfind("/")
    return iri[: cut + 1]


def compute_statistics(dataset: Dataset, urls: Urls) -> Statistics:
    """Every VoID count, from the data; IRIs stay canonical (describe() makes them public)."""
    store = dataset.store
    space = urls.thing("")
    (totals,) = _select(store, _COUNTS)
    entities = _select(store, _ENTITIES, space=space)
    classes = _grouped(_select(store, _CLASSES), "c")
    properties = _grouped(_select(store, _PROPERTIES), "p")
    things = (row["s"] for row in _select(store, _DOCUMENTS, space=space))
    documents = {urls.local_path(t.value) for t in things if isinstance(t, ox.NamedNode)}
    used = {iri for iri, _ in classes} | {iri for iri, _ in properties}
    return Statistics(
        triples=_int(totals["triples"]),
        entities=_int(entities[0]["n"]) if entities else 0,
        distinct_subjects=_int(totals["subjects"]),
        distinct_objects=_int(totals["objects"]),
        classes=len(classes),
        properties=_int(totals["properties"]),
        class_entities=classes,
        property_triples=properties,
        graph_triples=_grouped(_select(store, _GRAPHS), "g"),
        vocabularies=tuple(sorted({namespace(iri) for iri in used})),
        documents=tuple(sorted(path for path in documents if path)),
    )


def dataset_iri(urls: Urls) -> str:
    """The IRI VoID, DCAT and every document's `void:inDataset` use for the whole dataset."""
    return urls.absolute(VOID_PATH) + "#dataset"


def dump_url(urls: Urls, dump: DumpFile | None = None) -> str:
    return urls.absolute(DUMPS_PATH + (dump.name if dump else ""))


def example_resources(
    dataset: Dataset, urls: Urls, info: DatasetInfo, stats: Statistics
) -> list[str]:
    """The info's examples that exist in the data, else the first thing there is (canonical)."""
    found = [
        urls.thing(path)
        for path in info.example_paths
        if next(dataset.store.quads_for_pattern(ox.NamedNode(urls.thing(path)), None, None), None)
    ]
    return found or [urls.thing(path) for path in stats.documents[:1]]


class _Triples:
    """A small builder so the description reads like Turtle."""

    def __init__(self) -> None:
        self.quads: list[ox.Quad] = []

    def add(self, s: str | ox.BlankNode, p: str, o: str | ox.BlankNode | ox.Literal) -> None:
        subject = ox.NamedNode(s) if isinstance(s, str) else s
        obj = ox.NamedNode(o) if isinstance(o, str) else o
        self.quads.append(ox.Quad(subject, ox.NamedNode(p), obj))

    def texts(self, s: str, p: str, values: dict[str, str]) -> None:
        for language, text in sorted(values.items()):
            self.add(s, p, ox.Literal(text, language=language))


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


def _datetime(moment: datetime) -> ox.Literal:
    return _typed(moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "dateTime")


def describe_dataset(
    dataset: Dataset,
    urls: Urls,
    dumps: Sequence[DumpFile],
    stats: Statistics,
    info: DatasetInfo = GCM_ARAB_REVIEW,
) -> list[ox.Quad]:
    """VoID and DCAT 3 for the dataset, its dumps and its SPARQL endpoint, on the public origin.

    Blank nodes (partitions, checksums) get canonical labels, so every worker and every restart
    gives the same bytes and the same ETag.
    """
    g = _Triples()
    doc = urls.absolute(VOID_PATH)
    ds = dataset_iri(urls)
    home = urls.absolute("")
    sparql = urls.absolute(SPARQL_PATH)
    modified = _datetime(dataset.modified)

    g.add(doc, RDF + "type", VOID + "DatasetDescription")
    g.texts(doc, DCTERMS + "title", {k: f"VoID and DCAT: {v}" for k, v in info.title.items()})
    g.add(doc, FOAF + "primaryTopic", ds)
    g.add(doc, DCTERMS + "modified", modified)

    catalog = doc + "#catalog"
    g.add(catalog, RDF + "type", DCAT + "Catalog")
    g.texts(catalog, DCTERMS + "title", info.title)
    g.add(catalog, FOAF + "homepage", home)
    g.add(catalog, DCAT + "dataset", ds)
    g.add(catalog, DCAT + "service", doc + "#sparql-service")

    for cls in (VOID + "Dataset", DCAT + "Dataset"):
        g.add(ds, RDF + "type", cls)
    g.texts(ds, DCTERMS + "title", info.title)
    g.texts(ds, DCTERMS + "description", info.description)
    for language, words in sorted(info.keywords.items()):
        for word in words:
            g.add(ds, DCAT + "keyword", ox.Literal(word, language=language))
    for language in info.languages:
        g.add(ds, DCTERMS + "language", LANGUAGES + language)
    if info.license:
        g.add(ds, DCTERMS + "license", info.license)
    g.add(ds, DCTERMS + "modified", modified)
    g.add(ds, DCAT + "version", ox.Literal(dataset.version))
    g.add(ds, DCAT + "landingPage", home)
    g.add(ds, FOAF + "homepage", home)
    for path in info.source_paths:
        iri = urls.thing(path)
        if next(dataset.store.quads_for_pattern(ox.NamedNode(iri), None, None), None):
            g.add(ds, DCTERMS + "source", urls.public(iri))

    _describe_void(g, dataset, urls, ds, stats, info)
    _describe_dumps(g, urls, ds, dumps, modified, info)
    _describe_sparql(g, doc, ds, sparql, info)
    _describe_validation(g, urls, ds)
    return canonical_quads(g.quads)


def _describe_void(
    g: _Triples, dataset: Dataset, urls: Urls, ds: str, stats: Statistics, info: DatasetInfo
) -> None:
    g.add(ds, VOID + "triples", ox.Literal(stats.triples))
    g.add(ds, VOID + "entities", ox.Literal(stats.entities))
    g.add(ds, VOID + "distinctSubjects", ox.Literal(stats.distinct_subjects))
    g.add(ds, VOID + "distinctObjects", ox.Literal(stats.distinct_objects))
    g.add(ds, VOID + "classes", ox.Literal(stats.classes))
    g.add(ds, VOID + "properties", ox.Literal(stats.properties))
    g.add(ds, VOID + "uriSpace", ox.Literal(urls.public(urls.thing(""))))
    g.add(ds, VOID + "sparqlEndpoint", urls.absolute(SPARQL_PATH))
    g.add(ds, VOID + "rootResource", urls.absolute(""))
    for iri in example_resources(dataset, urls, info, stats):
        g.add(ds, VOID + "exampleResource", urls.public(iri))
    for vocabulary in stats.vocabularies:
        g.add(ds, VOID + "vocabulary", urls.public(vocabulary))
    for cls, count in stats.class_entities:
        partition = ox.BlankNode()
        g.add(ds, VOID + "classPartition", partition)
        g.add(partition, VOID + "class", urls.public(cls))
        g.add(partition, VOID + "entities", ox.Literal(count))
    for prop, count in stats.property_triples:
        partition = ox.BlankNode()
        g.add(ds, VOID + "propertyPartition", partition)
        g.add(partition, VOID + "property", urls.public(prop))
        g.add(partition, VOID + "triples", ox.Literal(count))
    for graph, count in stats.graph_triples:
        subset = urls.public(graph)
        g.add(ds, VOID + "subset", subset)
        g.add(subset, RDF + "type", VOID + "Dataset")
        g.add(subset, VOID + "triples", ox.Literal(count))


def _describe_dumps(
    g: _Triples,
    urls: Urls,
    ds: str,
    dumps: Sequence[DumpFile],
    modified: ox.Literal,
    info: DatasetInfo,
) -> None:
    doc = urls.absolute(VOID_PATH)
    for dump in dumps:
        url = dump_url(urls, dump)
        spec, feature = FORMAT_SPECS[dump.kind.format]
        distribution = f"{doc}#dump-{dump.kind.suffix.replace('.', '-')}"
        g.add(ds, VOID + "dataDump", url)
        g.add(ds, VOID + "feature", feature)
        g.add(ds, DCAT + "distribution", distribution)
        g.add(distribution, RDF + "type", DCAT + "Distribution")
        g.add(
            distribution, DCTERMS + "title", ox.Literal(f"Dump: {dump.kind.label}", language="en")
        )
        g.add(distribution, DCAT + "downloadURL", url)
        g.add(distribution, DCAT + "accessURL", dump_url(urls))
        g.add(distribution, DCAT + "mediaType", IANA_MEDIA_TYPES + dump.media_type)
        if dump.kind.compressed:
            g.add(distribution, DCAT + "compressFormat", IANA_MEDIA_TYPES + GZIP_MEDIA_TYPE)
        g.add(distribution, DCAT + "byteSize", _typed(str(dump.byte_size), "nonNegativeInteger"))
        g.add(distribution, DCTERMS + "conformsTo", spec)
        if info.license:
            g.add(distribution, DCTERMS + "license", info.license)
        g.add(distribution, DCTERMS + "modified", modified)
        checksum = ox.BlankNode()
        g.add(distribution, SPDX + "checksum", checksum)
        g.add(checksum, RDF + "type", SPDX + "Checksum")
        g.add(checksum, SPDX + "algorithm", SPDX + "checksumAlgorithm_sha256")
        g.add(checksum, SPDX + "checksumValue", _typed(dump.sha256, "hexBinary"))


def _describe_sparql(g: _Triples, doc: str, ds: str, sparql: str, info: DatasetInfo) -> None:
    service = doc + "#sparql-service"
    distribution = doc + "#sparql"
    g.add(service, RDF + "type", DCAT + "DataService")
    g.texts(service, DCTERMS + "title", {"en": "SPARQL 1.1 endpoint", "ar": "نقطة وصول SPARQL 1.1"})
    g.add(service, DCAT + "endpointURL", sparql)
    g.add(service, DCAT + "endpointDescription", sparql)
    g.add(service, DCAT + "servesDataset", ds)
    g.add(service, DCTERMS + "conformsTo", "https://www.w3.org/TR/sparql11-protocol/")
    if info.license:
        g.add(service, DCTERMS + "license", info.license)
    g.add(ds, DCAT + "distribution", distribution)
    g.add(distribution, RDF + "type", DCAT + "Distribution")
    g.add(distribution, DCTERMS + "title", ox.Literal("SPARQL endpoint", language="en"))
    g.add(distribution, DCAT + "accessURL", sparql)
    g.add(distribution, DCAT + "accessService", service)


def _describe_validation(g: _Triples, urls: Urls, ds: str) -> None:
    """The SHACL report is a resource of its own, tied to the dataset as a DQV annotation."""
    report = urls.absolute(VALIDATION_PATH)
    annotation = urls.absolute(VOID_PATH) + "#validation"
    g.add(ds, RDFS + "seeAlso", report)
    g.add(ds, DQV + "hasQualityAnnotation", annotation)
    g.add(annotation, RDF + "type", DQV + "QualityAnnotation")
    g.texts(
        annotation,
        RDFS + "label",
        {"en": "SHACL validation report", "ar": "تقرير التحقق من البيانات وفق SHACL"},
    )
    g.add(annotation, OA + "motivatedBy", DQV + "qualityAssessment")
    g.add(annotation, OA + "hasTarget", ds)
    g.add(annotation, OA + "hasBody", report)


def schema_org_dataset(
    dataset: Dataset,
    urls: Urls,
    dumps: Sequence[DumpFile] = (),
    info: DatasetInfo = GCM_ARAB_REVIEW,
) -> dict[str, Any]:
    """schema.org `Dataset` JSON-LD for the home page, as dataset search engines read it.

    Put it in `<script type="application/ld+json">` with `json.dumps(...)` (escape `</`).
    """
    home = urls.absolute("")
    return {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": dataset_iri(urls),
        "name": in_language(info.title, "en"),
        "alternateName": [text for lang, text in sorted(info.title.items()) if lang != "en"],
        "description": in_language(info.description, "en"),
        "url": home,
        "sameAs": urls.absolute(VOID_PATH),
        "identifier": dataset_iri(urls),
        "version": dataset.version,
        "dateModified": dataset.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "inLanguage": list(info.languages),
        "keywords": [word for _, words in sorted(info.keywords.items()) for word in words],
        **({"license": info.license} if info.license else {}),
        "isAccessibleForFree": True,
        "distribution": [
            {
                "@type": "DataDownload",
                "name": dump.kind.label,
                "contentUrl": dump_url(urls, dump),
                "encodingFormat": dump.content_type,
                "contentSize": f"{dump.byte_size} B",
                "sha256": dump.sha256,
            }
            for dump in dumps
        ],
        "potentialAction": {
            "@type": "SearchAction",
            "name": "SPARQL endpoint",
            "target": urls.absolute(SPARQL_PATH) + "?query={query}",
            "query-input": "required name=query",
        },
    }


@dataclass(frozen=True)
class SitemapPage:
    """A page to list; a localized one is listed once per language, as its canonical link says."""

    url: str
    localized: bool = True


def localized_url(url: str, language: str) -> str:
    """The URL of one language version (`?lang=ar`), as the HTML pages' canonical links have it."""
    return f"{url}{'&' if '?' in url else '?'}{LANGUAGE_PARAMETER}={language}"


def sitemap_pages(dataset: Dataset, urls: Urls, stats: Statistics) -> list[SitemapPage]:
    """Every page worth indexing: home, SPARQL, dumps, the ontologies, every thing's document."""
    pages = [
        SitemapPage(urls.absolute("")),
        SitemapPage(urls.absolute(SPARQL_PATH)),
        SitemapPage(dump_url(urls), localized=False),
    ]
    ontologies = dataset.store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), None)
    pages += [
        SitemapPage(iri + "." + HTML.extension)
        for iri in sorted(
            {
                urls.public(q.subject.value)
                for q in ontologies
                if q.object == ox.NamedNode(OWL + "Ontology")
                and isinstance(q.subject, ox.NamedNode)
                and urls.is_local(q.subject.value)
            }
        )
    ]
    pages += [SitemapPage(urls.absolute(urls.document(path, HTML))) for path in stats.documents]
    return pages


def _sitemap_entries(page: SitemapPage, languages: Sequence[str], lastmod: str) -> str:
    if not (page.localized and languages):
        return f"<url><loc>{escape(page.url)}</loc><lastmod>{lastmod}</lastmod></url>\n"
    versions = [(lang, localized_url(page.url, lang)) for lang in languages]
    links = "".join(
        f'<xhtml:link rel="alternate" hreflang="{lang}" href="{escape(href)}"/>'
        for lang, href in [*versions, ("x-default", page.url)]
    )
    return "".join(
        f"<url><loc>{escape(href)}</loc><lastmod>{lastmod}</lastmod>{links}</url>\n"
        for _, href in versions
    )


def sitemap_xml(
    pages: Sequence[SitemapPage], modified: datetime, languages: Sequence[str] = ()
) -> bytes:
    """A sitemaps.org urlset; localized pages once per language, each with its hreflang
    alternates (what Google documents for multilingual sites)."""
    lastmod = modified.strftime("%Y-%m-%d")
    entries = "".join(_sitemap_entries(page, languages, lastmod) for page in pages)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
        f"{entries}</urlset>\n"
    ).encode()


def sitemap_index(sitemaps: Sequence[str], modified: datetime) -> bytes:
    """A sitemaps.org index, for datasets with more pages than one sitemap may list."""
    lastmod = modified.strftime("%Y-%m-%d")
    entries = "".join(
        f"<sitemap><loc>{escape(url)}</loc><lastmod>{lastmod}</lastmod></sitemap>\n"
        for url in sitemaps
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</sitemapindex>\n"
    ).encode()


def robots_txt(urls: Urls) -> str:
    """Everything may be crawled; the sitemap says where the pages are."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {urls.absolute(SITEMAP_PATH)}\n"


T = TypeVar("T")


class Published:
    """What is derived once per dataset version and origin: dumps, counts, descriptions.

    Thread-safe and lazy: the first request that needs a thing computes it, the others wait for
    it; a new dataset version (or origin) starts afresh.
    """

    def __init__(self, dump_dir: str | None) -> None:
        self.dump_store = DumpStore(dump_dir)
        self._lock = threading.Lock()
        self._locks: dict[tuple[str, str, str], threading.Lock] = {}
        self._values: dict[tuple[str, str, str], Any] = {}

    def once(self, dataset: Dataset, urls: Urls, name: str, compute: Callable[[], T]) -> T:
        """`compute()` the first time `name` is asked for this version and origin."""
        key = (dataset.version, urls.origin, name)
        with self._lock:
            if key in self._values:
                return self._values[key]  # type: ignore[no-any-return]
            for old in [k for k in self._locks if k[:2] != key[:2]]:
                self._locks.pop(old)
                self._values.pop(old, None)
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                value = compute()
                with self._lock:
                    self._values[key] = value
            return self._values[key]  # type: ignore[no-any-return]

    def dumps(self, dataset: Dataset, urls: Urls) -> Dumps:
        return self.dump_store.get(dataset, urls)

    def statistics(self, dataset: Dataset, urls: Urls) -> Statistics:
        return self.once(dataset, urls, "statistics", lambda: compute_statistics(dataset, urls))

    def description(self, dataset: Dataset, urls: Urls) -> list[ox.Quad]:
        """The VoID + DCAT quads (this writes the dumps first: DCAT gives their sizes)."""

        def compute() -> list[ox.Quad]:
            files = self.dumps(dataset, urls).files
            stats = self.statistics(dataset, urls)
            return describe_dataset(dataset, urls, files, stats, self.info(dataset, urls))

        return self.once(dataset, urls, "description", compute)

    def info(self, dataset: Dataset, urls: Urls) -> DatasetInfo:
        """Title, description and licence: from the data, or GCM's for the GCM dataset."""
        return self.once(dataset, urls, "info", lambda: dataset_info(dataset))
