"""The catalog: what serving needs to find things, built once per dataset version.

Which documents exist and which IRIs each holds (hash IRIs share the document before their
`#`), the classes with their instances, labels per language, the most linked resources. Built
by `publisher load` beside the store, or before the server listens for a store parsed at start,
never inside a request (decision 0010).
"""

from publisher.catalog.build import build_catalog
from publisher.catalog.catalog import (
    CATALOG_FILE,
    Catalog,
    CatalogError,
    ClassCount,
    Labelled,
    Linked,
    PredicateUse,
    document_of,
)

__all__ = [
    "CATALOG_FILE",
    "Catalog",
    "CatalogError",
    "ClassCount",
    "Labelled",
    "Linked",
    "PredicateUse",
    "build_catalog",
    "document_of",
]
