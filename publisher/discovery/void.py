"""How the dataset describes itself to machines: VoID + DCAT 3 at the RFC 8615 well-known
location, with its dumps, SPARQL endpoint and SHACL report.

Counts come from the data (`statistics`); titles, licence, languages and keywords from the
dataset's profile (`publisher.profile`), so nothing here is about one dataset. IRIs are given on
the public origin, so a crawler that found the server on http://127.0.0.1:8000/ stays there.
The dataset is `{origin}.well-known/void#dataset`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

import pyoxigraph as ox

from publisher.dataset import Dataset
from publisher.discovery.dump_store import DumpStore, DumpsUnavailable
from publisher.discovery.dumps import DUMPS_PATH, GZIP_MEDIA_TYPE, DumpFile, Dumps, canonical_quads
from publisher.discovery.statistics import Statistics, compute_statistics
from publisher.documents.locate import classify
from publisher.formats import JSONLD, NQUADS, NTRIPLES, RDFXML, TRIG, TURTLE, Format
from publisher.fragments.search_form import lookup_endpoint, search_form
from publisher.i18n import LANGUAGES as INTERFACE_LANGUAGES
from publisher.i18n import ui
from publisher.profile import Overrides, Profile, read_profile
from publisher.urls import Urls
from publisher.validation import has_validation_report
from publisher.vocab import (
    DCAT,
    DCTERMS,
    DQV,
    FOAF,
    IANA_MEDIA_TYPES,
    OA,
    RDF,
    RDFS,
    SPDX,
    VOID,
    XSD,
)
from publisher.vocab import ISO639_1 as LANGUAGES

VOID_PATH = ".well-known/void"
SPARQL_PATH = "sparql"
VALIDATION_PATH = "validation"

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


def dataset_iri(urls: Urls) -> str:
    """The IRI VoID, DCAT and every document's `void:inDataset` use for the whole dataset."""
    return urls.absolute(VOID_PATH) + "#dataset"


def dump_url(urls: Urls, dump: DumpFile | None = None) -> str:
    return urls.absolute(DUMPS_PATH + (dump.name if dump else ""))


def described(dataset: Dataset, iri: str) -> bool:
    return next(dataset.store.quads_for_pattern(ox.NamedNode(iri), None, None), None) is not None


def example_resources(
    dataset: Dataset, urls: Urls, profile: Profile, stats: Statistics
) -> list[str]:
    """The profile's examples that exist in the data, else the first thing there is
    (canonical IRIs)."""
    found = [iri for iri in profile.example_resources if described(dataset, iri)]
    return (
        found
        or [urls.thing(path) for path in stats.documents[:1]]
        or _first_document(dataset, urls)
    )


def _first_document(dataset: Dataset, urls: Urls) -> list[str]:
    """The first document a client can fetch, for data outside the `/id/` scheme."""
    if dataset.catalog is None:
        return []
    catalog = dataset.catalog
    for doc in catalog.documents():
        if urls.path_of(doc) is not None and classify(catalog, doc) is not None:
            return [doc]
    return []


def uri_space(dataset: Dataset, urls: Urls) -> str:
    """`void:uriSpace`: the namespace, or `{base}id/` when every resource of the data is a
    thing of that scheme (ontologies under `/def/` aside), as the embedded dataset's are."""
    scheme = (urls.thing(""), urls.ontology(""))
    if dataset.catalog is not None:
        for doc in dataset.catalog.documents():
            if not doc.startswith(scheme):
                return urls.base_iri
    return urls.thing("")


class _Triples:
    """A small builder so the description reads like Turtle."""

    def __init__(self) -> None:
        self.quads: list[ox.Quad] = []

    def add(self, s: str | ox.BlankNode, p: str, o: str | ox.BlankNode | ox.Literal) -> None:
        subject = ox.NamedNode(s) if isinstance(s, str) else s
        obj = ox.NamedNode(o) if isinstance(o, str) else o
        self.quads.append(ox.Quad(subject, ox.NamedNode(p), obj))

    def texts(self, s: str, p: str, values: Mapping[str, str]) -> None:
        for language, text in sorted(values.items()):
            self.add(s, p, _text(text, language))


def _text(value: str, language: str) -> ox.Literal:
    """A literal in `language`; "" (a title given in the settings) has none."""
    return ox.Literal(value, language=language) if language else ox.Literal(value)


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


def _datetime(moment: datetime) -> ox.Literal:
    return _typed(moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "dateTime")


def describe_dataset(
    dataset: Dataset,
    urls: Urls,
    dumps: Sequence[DumpFile],
    stats: Statistics,
    profile: Profile | None = None,
) -> list[ox.Quad]:
    """VoID and DCAT 3 for the dataset, its dumps and its SPARQL endpoint, on the public origin.

    Blank nodes (partitions, checksums) get canonical labels, so every worker and every restart
    gives the same bytes and the same ETag.
    """
    info = profile or read_profile(dataset)
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
            g.add(ds, DCAT + "keyword", _text(word, language))
    for language in info.languages:
        g.add(ds, DCTERMS + "language", LANGUAGES + language)
    if info.license:
        g.add(ds, DCTERMS + "license", info.license)
    g.add(ds, DCTERMS + "modified", modified)
    g.add(ds, DCAT + "version", ox.Literal(dataset.version))
    g.add(ds, DCAT + "landingPage", home)
    g.add(ds, FOAF + "homepage", home)
    for iri in info.sources:
        g.add(ds, DCTERMS + "source", urls.public(iri))
    if info.publisher:
        g.add(ds, DCTERMS + "publisher", urls.public(info.publisher))

    _describe_void(g, dataset, urls, ds, stats, info)
    _describe_dumps(g, urls, ds, dumps, modified, info)
    _describe_sparql(g, doc, ds, sparql, info)
    if has_validation_report(dataset):  # never a link to a report that answers 404
        _describe_validation(g, urls, ds)
    return canonical_quads(g.quads)


def _describe_void(
    g: _Triples, dataset: Dataset, urls: Urls, ds: str, stats: Statistics, info: Profile
) -> None:
    g.add(ds, VOID + "triples", ox.Literal(stats.triples))
    g.add(ds, VOID + "entities", ox.Literal(stats.entities))
    g.add(ds, VOID + "distinctSubjects", ox.Literal(stats.distinct_subjects))
    g.add(ds, VOID + "distinctObjects", ox.Literal(stats.distinct_objects))
    g.add(ds, VOID + "classes", ox.Literal(stats.classes))
    g.add(ds, VOID + "properties", ox.Literal(stats.properties))
    g.add(ds, VOID + "uriSpace", ox.Literal(urls.public(uri_space(dataset, urls))))
    g.add(ds, VOID + "sparqlEndpoint", urls.absolute(SPARQL_PATH))
    # Triple Pattern Fragments (/fragments): a subject's lookup, and the full search form
    g.add(ds, VOID + "uriLookupEndpoint", lookup_endpoint(urls))
    g.quads += [ox.Quad(*triple) for triple in search_form(ox.NamedNode(ds), urls)]
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
    info: Profile,
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


def _describe_sparql(g: _Triples, doc: str, ds: str, sparql: str, info: Profile) -> None:
    service = doc + "#sparql-service"
    distribution = doc + "#sparql"
    g.add(service, RDF + "type", DCAT + "DataService")
    title = {lang: ui("void_sparql_service", lang) for lang in INTERFACE_LANGUAGES}
    g.texts(service, DCTERMS + "title", title)
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
        {lang: ui("void_validation_report", lang) for lang in INTERFACE_LANGUAGES},
    )
    g.add(annotation, OA + "motivatedBy", DQV + "qualityAssessment")
    g.add(annotation, OA + "hasTarget", ds)
    g.add(annotation, OA + "hasBody", report)


T = TypeVar("T")


class Published:
    """What is derived once per dataset version and origin: dumps, counts, descriptions.

    Thread-safe and lazy: the first request that needs a thing computes it, the others wait for
    it; a new dataset version (or origin) starts afresh.
    """

    def __init__(self, dump_dir: str | None, overrides: Overrides | None = None) -> None:
        self.dump_store = DumpStore(dump_dir)
        self.overrides = overrides
        self._lock = threading.Lock()
        self._locks: dict[tuple[str, str, str], threading.Lock] = {}
        self._values: dict[tuple[str, str, str], Any] = {}

    def once(self, dataset: Dataset, urls: Urls, name: str, compute: Callable[[], T]) -> T:
        """`compute()` the first time `name` is asked for this version and origin."""
        key = (dataset.version, urls.origin, name)
        with self._lock:
            if key in self._values:
                return cast(T, self._values[key])
            for old in [k for k in self._locks if k[:2] != key[:2]]:
                self._locks.pop(old)
                self._values.pop(old, None)
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                value = compute()
                with self._lock:
                    self._values[key] = value
            return cast(T, self._values[key])

    def dumps(self, dataset: Dataset, urls: Urls) -> Dumps:
        return self.dump_store.get(dataset, urls)

    def statistics(self, dataset: Dataset, urls: Urls) -> Statistics:
        return self.once(dataset, urls, "statistics", lambda: compute_statistics(dataset, urls))

    def description(self, dataset: Dataset, urls: Urls) -> list[ox.Quad]:
        """The VoID + DCAT quads (this writes the dumps first: DCAT gives their sizes)."""

        def compute() -> list[ox.Quad]:
            try:
                files: Sequence[DumpFile] = self.dumps(dataset, urls).files
            except DumpsUnavailable:  # a full disk: described without dumps (the log says why)
                files = ()
            stats = self.statistics(dataset, urls)
            return describe_dataset(dataset, urls, files, stats, self.profile(dataset, urls))

        return self.once(dataset, urls, "description", compute)

    def profile(self, dataset: Dataset, urls: Urls) -> Profile:
        """The dataset's profile (its own description, then the overrides), once per version."""
        return self.once(dataset, urls, "profile", lambda: read_profile(dataset, self.overrides))
