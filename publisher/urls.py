"""The only place that knows the URI scheme: things at /id/, their documents at /doc/.

Canonical IRIs (the base IRI from the settings) are rewritten to the origin the server is
reached at, so a crawler that starts on http://127.0.0.1:8000/ stays there.

Data brought by a publisher has IRIs of any shape under its namespace (docs/http.md, decision
0011): `{base}P#x` is served by the document `/P`, a slash IRI `{base}P` by 303 to `/doc/P`,
an ontology `{base}P` at `/P`. Which of these `{base}P` is depends on the data (the catalog);
this module knows the paths, and which of them the site's own routes keep (`reserved`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

import pyoxigraph as ox

from publisher.formats import Format

THING_PREFIX = "id/"
DOCUMENT_PREFIX = "doc/"
ONTOLOGY_PREFIX = "def/"
CONTEXT_PATH = "context.jsonld"
SPARQL_PATH = "sparql"
FRAGMENTS_PATH = "fragments"
SEARCH_PATH = "search"
VOID_PATH = ".well-known/void"
GENID_PATH = ".well-known/genid/"
"""Skolem IRIs of stored blank nodes (RDF 1.1 Concepts §3.5), as /fragments writes them."""

RESERVED_PREFIXES = (
    *("id/", "doc/", "def/", "classes/", "dumps/", "static/", ".well-known/", "api/"),
    "reconcile/",
)
"""Path prefixes the site's routes answer: a data IRI under one is not served at its path."""
RESERVED_PATHS = frozenset(
    {"", "sparql", "health", "concepts", "void", "validation", "robots.txt", "sitemap.xml"}
    | {SEARCH_PATH, "reconcile"}
    | {FRAGMENTS_PATH}
    | {CONTEXT_PATH, *(prefix.rstrip("/") for prefix in RESERVED_PREFIXES)}
)
"""Whole paths the site's routes answer (the site pages of `publisher.pages.catalogue` too)."""
RESERVED_PATTERN = re.compile(r"(?:void|validation)\.[^/]+|sitemap-[0-9]+\.xml")
RESERVED_STARTS = (*RESERVED_PREFIXES, "void.", "validation.", "sitemap-")
"""What every reserved path not in RESERVED_PATHS starts with: with those, the only document
IRIs a check for data the site's own paths hide needs to read (`Catalog.documents_at`)."""

Term = TypeVar("Term", bound=ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph)


@dataclass(frozen=True)
class Urls:
    base_iri: str
    origin: str

    @property
    def rewrites(self) -> bool:
        return self.base_iri != self.origin

    def is_local(self, iri: str) -> bool:
        return iri.startswith(self.base_iri)

    def public(self, iri: str) -> str:
        """A canonical IRI as clients of this server see it."""
        if self.rewrites and iri.startswith(self.base_iri):
            return self.origin + iri[len(self.base_iri) :]
        return iri

    def canonical(self, url: str) -> str:
        """The inverse of `public`, for IRIs that arrive in requests (SPARQL, paths)."""
        if self.rewrites and url.startswith(self.origin):
            return self.base_iri + url[len(self.origin) :]
        return url

    def thing(self, path: str) -> str:
        """`person/x` → the canonical IRI of the thing."""
        return f"{self.base_iri}{THING_PREFIX}{path}"

    def ontology(self, path: str) -> str:
        """`vocab` → the canonical IRI of an ontology document (its terms are hash IRIs)."""
        return f"{self.base_iri}{ONTOLOGY_PREFIX}{path}"

    def local_path(self, iri: str) -> str | None:
        """`…/id/person/x` → `person/x`; None for IRIs that are not things of this dataset."""
        prefix = self.base_iri + THING_PREFIX
        if iri.startswith(prefix) and "#" not in iri:
            return iri[len(prefix) :]
        return None

    def ontology_path(self, iri: str) -> str | None:
        """`…/def/vocab` → `vocab`; None for IRIs outside /def/ (hash IRIs keep their fragment)."""
        prefix = self.base_iri + ONTOLOGY_PREFIX
        if iri.startswith(prefix) and "#" not in iri:
            return iri[len(prefix) :]
        return None

    def path_of(self, iri: str) -> str | None:
        """`{base}card` → `card` (the server path of a data IRI, no leading slash, before any
        `#`); None for IRIs outside the namespace and for those a route of the site keeps."""
        if not iri.startswith(self.base_iri):
            return None
        path = iri[len(self.base_iri) :].split("#", 1)[0]
        return None if reserved(path) else path

    def slash_thing(self, path: str) -> str:
        """`bob` → `{base}bob`: the canonical IRI a path of the namespace names."""
        return self.base_iri + path

    def page_document(self, path: str, fmt: Format | None = None) -> str:
        """The server-relative URL of a document served at its own IRI: a hash document
        (`/card`, holding `card#i`) or a vocabulary at its namespace (`/vocab.ttl`)."""
        suffix = f".{fmt.extension}" if fmt is not None else ""
        return f"/{path}{suffix}"

    def ontology_document(self, path: str, fmt: Format | None = None) -> str:
        """The server-relative URL of an ontology document (`/def/vocab.ttl`)."""
        suffix = f".{fmt.extension}" if fmt is not None else ""
        return f"/{ONTOLOGY_PREFIX}{path}{suffix}"

    def document_iri(self, path: str) -> str:
        """The canonical IRI of the (generic) document about the thing at `path`."""
        return f"{self.base_iri}{DOCUMENT_PREFIX}{path}"

    @property
    def void_dataset(self) -> str:
        """The canonical IRI of the dataset as VoID describes it (documents are `inDataset` it):
        a hash IRI, so the dataset is not confused with the VoID document about it."""
        return self.base_iri + VOID_PATH + "#dataset"

    @property
    def sparql_endpoint(self) -> str:
        """The canonical IRI of the SPARQL endpoint."""
        return self.base_iri + SPARQL_PATH

    @property
    def fragments_endpoint(self) -> str:
        """The canonical IRI of the Triple Pattern Fragments interface."""
        return self.base_iri + FRAGMENTS_PATH

    @property
    def context_url(self) -> str:
        """The public URL of the JSON-LD `@context` every JSON-LD document refers to."""
        return self.public(self.base_iri + CONTEXT_PATH)

    def document(self, path: str, fmt: Format | None = None) -> str:
        """The server-relative URL of a thing's document, generic or for one format."""
        suffix = f".{fmt.extension}" if fmt is not None else ""
        return f"/{DOCUMENT_PREFIX}{path}{suffix}"

    def document_of(self, iri: str, fmt: Format | None = None) -> str | None:
        """The document URL describing `iri`, or None when `iri` is not a thing of ours."""
        path = self.local_path(iri)
        return None if path is None else self.document(path, fmt)

    def absolute(self, server_path: str) -> str:
        """A server-relative URL made absolute on the public origin."""
        return self.origin + server_path.lstrip("/")

    def rewrite_term(self, term: Term) -> Term:
        """The term on the public origin when it is a canonical IRI, or a quoted triple with
        its IRIs rewritten; literals and blank nodes as they are."""
        if (
            self.rewrites
            and isinstance(term, ox.NamedNode)
            and term.value.startswith(self.base_iri)
        ):
            return ox.NamedNode(self.public(term.value))  # type: ignore[return-value]  # Term is NamedNode here
        if self.rewrites and isinstance(term, ox.Triple):
            subject, predicate = self.rewrite_term(term.subject), self.rewrite_term(term.predicate)
            rewritten = ox.Triple(subject, predicate, self.rewrite_term(term.object))
            return rewritten  # type: ignore[return-value]  # Term is Triple here
        return term

    def rewrite_quad(self, quad: ox.Quad) -> ox.Quad:
        """The quad with every canonical IRI (graph name included) on the public origin."""
        if not self.rewrites:
            return quad
        return ox.Quad(
            self.rewrite_term(quad.subject),
            self.rewrite_term(quad.predicate),
            self.rewrite_term(quad.object),
            self.rewrite_term(quad.graph_name),
        )


def reserved(path: str) -> bool:
    """Whether the site's own routes answer the server path `path` (no leading slash): a data
    IRI there is not served (the site's pages, SPARQL, dumps and discovery files win)."""
    return (
        path in RESERVED_PATHS
        or path.startswith(RESERVED_PREFIXES)
        or RESERVED_PATTERN.fullmatch(path) is not None
    )
