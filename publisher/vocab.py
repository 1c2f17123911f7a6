"""Every namespace and term the code names, once: the W3C and community vocabularies the
publisher writes (VoID, DCAT, the service description) or reads (labels, licences, types).

Namespaces are strings, because they are concatenated and compared as prefixes; terms the code
queries or writes are Oxigraph `NamedNode`s, built once at import.
"""

from __future__ import annotations

import pyoxigraph as ox

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
FOAF = "http://xmlns.com/foaf/0.1/"
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
SH = "http://www.w3.org/ns/shacl#"
SD = "http://www.w3.org/ns/sparql-service-description#"
SPDX = "http://spdx.org/rdf/terms#"
DQV = "http://www.w3.org/ns/dqv#"
OA = "http://www.w3.org/ns/oa#"
VANN = "http://purl.org/vocab/vann/"
CC = "http://creativecommons.org/ns#"
"""ccREL, the Creative Commons Rights Expression Language: `cc:license` as FOAF files write it."""
HYDRA = "http://www.w3.org/ns/hydra/core#"
FORMATS = "http://www.w3.org/ns/formats/"
SPARQL_RESULTS = "http://www.w3.org/2005/sparql-results#"
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"
ISO639_1 = "http://id.loc.gov/vocabulary/iso639-1/"

LEXICAL = "urn:publisher:lexical:"
"""The publisher's own datatype prefix for a literal a remote store would not give back as
written (`publisher.stores.remote.dialect`): whoever reads datatypes as text strips it."""

RDF_TYPE = ox.NamedNode(RDF + "type")
RDFS_LABEL = ox.NamedNode(RDFS + "label")
RDFS_COMMENT = ox.NamedNode(RDFS + "comment")
RDFS_SEE_ALSO = ox.NamedNode(RDFS + "seeAlso")
OWL_ONTOLOGY = ox.NamedNode(OWL + "Ontology")
OWL_VERSION_IRI = ox.NamedNode(OWL + "versionIRI")
OWL_VERSION_INFO = ox.NamedNode(OWL + "versionInfo")
SKOS_PREF_LABEL = ox.NamedNode(SKOS + "prefLabel")
DCTERMS_MODIFIED = ox.NamedNode(DCTERMS + "modified")
DCTERMS_LICENSE = ox.NamedNode(DCTERMS + "license")
DCTERMS_IS_REPLACED_BY = ox.NamedNode(DCTERMS + "isReplacedBy")
"""A published IRI that moved: the server and the static export answer it with 301 to this."""
FOAF_DOCUMENT = ox.NamedNode(FOAF + "Document")
FOAF_PRIMARY_TOPIC = ox.NamedNode(FOAF + "primaryTopic")
VOID_IN_DATASET = ox.NamedNode(VOID + "inDataset")
VOID_TRIPLES = ox.NamedNode(VOID + "triples")
VANN_PREFIX = ox.NamedNode(VANN + "preferredNamespacePrefix")
VANN_URI = ox.NamedNode(VANN + "preferredNamespaceUri")

PREFIXES: dict[str, str] = {
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "dcat": DCAT,
    "void": VOID,
    "foaf": FOAF,
    "schema": SCHEMA,
    "prov": PROV,
    "sh": SH,
    "sd": SD,
    "oa": OA,
    "vann": VANN,
    "hydra": HYDRA,
}
"""The well-known prefixes, for documents and queries that name these vocabularies."""
