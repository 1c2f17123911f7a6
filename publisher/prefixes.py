"""The prefixes a dataset names its own vocabularies with, read from the data itself (for
documents, dumps and validation reports), so that no vocabulary's prefix is written in the code;
and the table pages show terms with (the data's own declarations, then well-known prefixes)."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import IO, cast
from xml.etree import ElementTree

import pyoxigraph as ox
import rdflib

from publisher.dataset import ReadStore
from publisher.errors import PublisherError
from publisher.sources import rdf_format
from publisher.vocab import PREFIXES, VANN


def _solutions(store: ReadStore, query: str) -> list[ox.QuerySolution]:
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)  # a SELECT answers solutions
    return list(result)


def declared_prefixes(store: ReadStore, base_iri: str) -> dict[str, str]:
    """Prefixes the data declares (`vann:preferredNamespacePrefix` and `…Uri` on an ontology),
    and for an ontology under the namespace that declares none, the last segment of its IRI
    (`{base}def/lib` → `lib:` for `{base}def/lib#`; an ontology named `…/shacl#` or `…/v/` is
    its own namespace)."""
    query = f"""
SELECT ?ontology ?prefix ?namespace WHERE {{
  ?ontology a <http://www.w3.org/2002/07/owl#Ontology> .
  OPTIONAL {{ ?ontology <{VANN}preferredNamespacePrefix> ?prefix }}
  OPTIONAL {{ ?ontology <{VANN}preferredNamespaceUri> ?namespace }}
}}"""
    found: dict[str, str] = {}
    for row in _solutions(store, query):
        ontology = row["ontology"]
        if not isinstance(ontology, ox.NamedNode):
            continue
        prefix = row["prefix"].value if row["prefix"] else None
        namespace = row["namespace"].value if row["namespace"] else None
        if prefix and namespace:
            found.setdefault(prefix, namespace)
        elif ontology.value.startswith(base_iri):
            name = ontology.value.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]
            if name and name[0].isalpha():
                own = (
                    ontology.value if ontology.value.endswith(("#", "/")) else ontology.value + "#"
                )
                found.setdefault(prefix or name, namespace or own)
    return dict(sorted(found.items()))


def bound_prefixes(graph: rdflib.Graph) -> dict[str, str]:
    """The prefixes a graph's files declare themselves (the data's, its vocabulary's and shapes'
    namespaces), less the ones rdflib binds in every graph."""
    built_in = set(rdflib.Graph().namespaces())
    return {
        prefix: str(ns)
        for prefix, ns in graph.namespaces()
        if prefix and (prefix, ns) not in built_in
    }


# ---------------------------------------------------------------------------------------------
# Prefixes for showing terms: the data's own, then well-known ones, else the full IRI
# ---------------------------------------------------------------------------------------------

HEAD_QUADS = 5000
"""Statements read per file to collect its prefix declarations: they come first in practice,
and reading a large file to its end for them would cost a page render seconds."""

_LOCAL_NAME = re.compile(r"[A-Za-z_][\w-]*(?:\.[\w-]+)*\Z")


def well_known_prefixes() -> dict[str, str]:
    """The prefixes rdflib binds by default (a prefix.cc-style table of common vocabularies),
    with the project's own table of reused vocabularies on top."""
    table = {p: str(ns) for p, ns in rdflib.Graph(bind_namespaces="rdflib").namespaces() if p}
    return {**table, **PREFIXES}


def source_prefixes(paths: Iterable[Path]) -> dict[str, str]:
    """The prefixes the files declare (`@prefix`, `PREFIX`, `xmlns:`), first declaration wins;
    a file that cannot be read declares none (it was read, or refused, when it was loaded)."""
    found: dict[str, str] = {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        for prefix, namespace in _file_prefixes(str(path), stat.st_mtime_ns, stat.st_size):
            found.setdefault(prefix, namespace)
    return found


@lru_cache(maxsize=256)
def _file_prefixes(path: str, mtime_ns: int, size: int) -> tuple[tuple[str, str], ...]:
    """One file's declarations, remembered while the file is unchanged (`mtime_ns`, `size`)."""
    del mtime_ns, size  # the cache key only
    file = Path(path)
    opener = gzip.open if file.suffix.lower() == ".gz" else open
    try:
        fmt = rdf_format(file)
        with opener(file, "rb") as stream:
            if fmt == ox.RdfFormat.RDF_XML:
                return tuple(_xmlns(cast(IO[bytes], stream)))
            parser = ox.parse(cast(IO[bytes], stream), format=fmt)
            for _ in islice(parser, HEAD_QUADS):
                pass
            return tuple(parser.prefixes.items())
    except (PublisherError, SyntaxError, ValueError, OSError, EOFError, ElementTree.ParseError):
        return ()


def _xmlns(stream: IO[bytes]) -> list[tuple[str, str]]:
    """The `xmlns:p="…"` declarations of an RDF/XML file's root element (Oxigraph does not
    report them); the default namespace has no name to show, so it is left out."""
    found = []
    for event, item in ElementTree.iterparse(stream, events=("start-ns", "start")):
        if event == "start":
            break
        prefix, namespace = cast(tuple[str, str], item)
        if prefix:
            found.append((prefix, namespace))
    return found


class PrefixTable:
    """Compact IRIs for display: the data's own prefixes first, then the well-known ones for
    namespaces the data names no prefix for; a prefix the data gave another namespace is not
    reused. `compact` answers None when no prefix fits (the page then shows the full IRI)."""

    def __init__(self, own: Mapping[str, str], well_known: Mapping[str, str] | None = None):
        by_namespace: dict[str, str] = {}
        taken: set[str] = set()
        known = well_known_prefixes() if well_known is None else well_known
        for table in (own, known):
            for prefix, namespace in table.items():
                if prefix and namespace not in by_namespace and prefix not in taken:
                    by_namespace[namespace] = prefix
                    taken.add(prefix)
        # Longest namespace first, so `…/def/` never wins over `…/def/voc#`.
        self._namespaces = sorted(by_namespace.items(), key=lambda item: -len(item[0]))
        self.used: dict[str, str] = {}
        self._compacted: dict[str, str | None] = {}

    def compact(self, iri: str) -> str | None:
        if iri not in self._compacted:
            self._compacted[iri] = self._compact(iri)
        return self._compacted[iri]

    def _compact(self, iri: str) -> str | None:
        for namespace, prefix in self._namespaces:
            if iri.startswith(namespace):
                local = iri[len(namespace) :]
                if _LOCAL_NAME.match(local):
                    self.used[prefix] = namespace
                    return f"{prefix}:{local}"
        return None

    def prefix_of(self, namespace: str) -> str | None:
        return next((p for ns, p in self._namespaces if ns == namespace), None)
