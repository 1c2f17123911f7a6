"""The JSON-LD `@context` we publish at /context.jsonld, built from the dataset itself.

Every JSON-LD document is compacted against it, so clients read `"label": {"ar": …, "en": …}`
and `"startDate": "2021-02-24"` instead of full IRIs. Terms are derived from the predicates the
data uses: a short name (the IRI's local name) when it is unambiguous, with the value shape the
data always has (`@id`, one datatype, or a language map). Anything else stays a compact IRI,
which any JSON-LD processor expands correctly.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import pyoxigraph as ox
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from publisher.dataset import Dataset
from publisher.documents.describe import metadata
from publisher.urls import Urls
from publisher.vocab import RDF_TYPE, VANN_PREFIX, VANN_URI

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

WELL_KNOWN_PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "oa": "http://www.w3.org/ns/oa#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "time": "http://www.w3.org/2006/time#",
    "vann": "http://purl.org/vocab/vann/",
    "wd": "http://www.wikidata.org/entity/",
}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_IRI_END = ("/", "#", ":", "?", "[", "]", "@")  # a JSON-LD 1.1 prefix must end in a gen-delim
_MEMO_LIMIT = 65_536
"""Namespaces remembered by `used_prefixes` (one per distinct `…/` or `…#` of the data's IRIs)."""


def _same(iri: str) -> str:
    return iri


def refuse_remote_documents(url: str, options: Mapping[str, Any] | None = None) -> Any:
    """pyld's loader: the context is passed inline, so any fetch would be a bug or an attack."""
    raise jsonld.JsonLdError(
        f"refusing to load {url}: no remote documents", "jsonld.LoadDocumentError"
    )


@dataclass(frozen=True)
class JsonLdContext:
    """The published context: where it lives, its prefixes and its terms (public IRIs)."""

    url: str
    prefixes: Mapping[str, str]
    terms: Mapping[str, Any]
    _namespaces: dict[str, frozenset[str]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    _compact_iris: dict[Hashable, str | None] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    @property
    def document(self) -> dict[str, Any]:
        return {"@context": {**self.prefixes, **self.terms}}

    def used_prefixes(
        self, triples: Iterable[ox.Triple], public: Callable[[str], str] = _same
    ) -> dict[str, str]:
        """Only the prefixes the triples' IRIs (`public` of each, datatypes as they are) start
        with, so a Turtle document does not open with twenty lines. Which prefixes an IRI's
        namespace (up to its last `/` or `#`) starts with is remembered for the dataset version:
        a prefix ending in `/` or `#` fits an IRI exactly when it fits that namespace."""
        named: set[str] = set()
        datatypes: set[str] = set()
        for t in triples:
            for term in (t.subject, t.predicate, t.object):
                if isinstance(term, ox.NamedNode):
                    named.add(term.value)
                elif isinstance(term, ox.Literal):
                    datatypes.add(term.datatype.value)
        names: set[str] = set()
        for iri in {public(iri) for iri in named} | datatypes:
            names |= self._prefixes_of(iri)
        return {name: ns for name, ns in self.prefixes.items() if name in names}

    def _prefixes_of(self, iri: str) -> frozenset[str]:
        namespace = iri[: max(iri.rfind("/"), iri.rfind("#")) + 1]
        found = self._namespaces.get(namespace)
        if found is None:
            if len(self._namespaces) >= _MEMO_LIMIT:
                self._namespaces.clear()
            found = frozenset(
                name
                for name, ns in self.prefixes.items()
                if ns.endswith(("/", "#")) and namespace.startswith(ns)
            )
            self._namespaces[namespace] = found
        odd = self._odd_prefixes
        return found | {name for name, ns in odd if iri.startswith(ns)} if odd else found

    @cached_property
    def _odd_prefixes(self) -> tuple[tuple[str, str], ...]:
        """Prefixes ending in another gen-delim (`:`, `?`, …): checked against each IRI."""
        return tuple((n, ns) for n, ns in self.prefixes.items() if not ns.endswith(("/", "#")))

    def compact(self, expanded: list[dict[str, Any]]) -> dict[str, Any]:
        """Expanded JSON-LD compacted against this context, `@context` first (its URL).

        pyld's own `compact` would expand the input again and process the context on every
        call; both are done once here (the input is already expanded, the context is fixed
        for the dataset version), then pyld's compaction algorithm runs unchanged.
        `tests/test_document_rendering.py` checks the result equals `jsonld.compact`'s."""
        active, options = self._active_context
        processor = _RememberingProcessor(active, self._compact_iris)
        compacted: Any = processor._compact(active, None, expanded, options)
        if isinstance(compacted, list) and len(compacted) <= 1:
            compacted = compacted[0] if compacted else {}
        if isinstance(compacted, list):
            return {"@context": self.url, "@graph": compacted}
        return {"@context": self.url, **compacted}

    @cached_property
    def _active_context(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """pyld's processed context and the options `jsonld.compact` would use (a pure
        function of the context, so computed once)."""
        options: dict[str, Any] = {
            "base": "",
            "compactArrays": True,
            "graph": False,
            "skipExpansion": True,
            "activeCtx": False,
            "documentLoader": refuse_remote_documents,
            "extractAllScripts": False,
            "processingMode": "json-ld-1.1",
            "link": False,
        }
        options["contextResolver"] = ContextResolver({}, refuse_remote_documents)
        processor = jsonld.JsonLdProcessor()
        active = processor._get_initial_context(options)
        active = processor.process_context(active, self.document, options)
        processor._get_inverse_context(active)  # built now, not by two threads at once later
        return active, options

    def to_bytes(self) -> bytes:
        """The context as served: stable bytes, so its ETag only changes when it does."""
        return (json.dumps(self.document, ensure_ascii=False, indent=2) + "\n").encode()


class _RememberingProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]  # pyld is untyped
    """pyld's processor, remembering which term or compact IRI each (IRI, value shape) compacts
    to. Choosing one scans every term of the context, and documents ask the same questions
    again and again (the same predicates with the same kinds of values). The key holds every
    part of the value `_compact_iri` reads (its keys, `@language`, `@type`, `@direction`,
    `@id`), never the literal text; values it would read more of are not remembered."""

    def __init__(self, active: dict[str, Any], memo: dict[Hashable, str | None]) -> None:
        super().__init__()
        self._active = active
        self._memo = memo

    def _compact_iri(
        self,
        active_ctx: dict[str, Any],
        iri: str | None,
        value: Any = None,
        vocab: bool = False,
        base: str | None = None,
        reverse: bool = False,
    ) -> str | None:
        shape = _value_shape(value) if active_ctx is self._active else None
        if shape is None:
            return super()._compact_iri(active_ctx, iri, value, vocab, base, reverse)  # type: ignore[no-any-return]
        key = (iri, shape, vocab, base, reverse)
        remembered = self._memo.get(key, _UNKNOWN)  # one lookup: another thread may clear it
        if remembered is not _UNKNOWN:
            return remembered  # type: ignore[return-value]  # a str or None once remembered
        found: str | None = super()._compact_iri(active_ctx, iri, value, vocab, base, reverse)
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        self._memo[key] = found
        return found


_UNKNOWN = object()
_UNREMEMBERED = frozenset({"@list", "@graph", "@preserve", "@index", "@included", "@set"})


def _value_shape(value: Any) -> Hashable | None:
    """What `_compact_iri` reads of `value`, or None when it may read more."""
    if value is None:
        return ("none",)
    if not isinstance(value, dict) or not _UNREMEMBERED.isdisjoint(value):
        return None
    keys = frozenset(value)
    if "@value" in value:
        parts = (value.get("@language"), value.get("@type"), value.get("@direction"))
        if all(p is None or isinstance(p, str) for p in parts):
            return ("value", keys, *parts)
        return None
    ref = value.get("@id")
    return ("node", keys, ref) if ref is None or isinstance(ref, str) else None


def dataset_prefixes(dataset: Dataset, urls: Urls) -> dict[str, str]:
    """The well-known prefixes plus each ontology's `vann:preferredNamespacePrefix`, on the
    public origin (so an ontology's prefix names the served ontology, not the canonical one)."""
    prefixes = dict(WELL_KNOWN_PREFIXES)
    for quad in dataset.store.quads_for_pattern(None, VANN_PREFIX, None, None):
        if not isinstance(quad.object, ox.Literal):
            continue
        name = quad.object.value
        uris = list(dataset.store.quads_for_pattern(quad.subject, VANN_URI, None, None))
        if len(uris) != 1 or not _NAME.match(name) or name in prefixes:
            continue
        if isinstance(uris[0].object, ox.Triple):
            continue
        namespace = uris[0].object.value
        if namespace.endswith(_IRI_END):
            prefixes[name] = urls.public(namespace)
    return prefixes


def build_context(dataset: Dataset, urls: Urls) -> JsonLdContext:
    """A term per predicate of the data (and of the document metadata) whose local name is free."""
    prefixes = dataset_prefixes(dataset, urls)
    sample = metadata(
        urls, urls.document_iri("x"), urls.thing("x"), datetime.now(UTC), "x:x", license="x:x"
    )
    if dataset.catalog is not None:  # counted at load time: no scan of the store
        uses, kinds = _predicate_usage(urls, sample)
        for use in dataset.catalog.predicate_usage():
            predicate = urls.public(use.iri)
            uses[predicate] += use.uses
            kinds[predicate].add(use.kind)
    else:
        quads = [*dataset.store.quads_for_pattern(None, None, None, None), *sample]
        uses, kinds = _predicate_usage(urls, quads)
    terms: dict[str, Any] = {}
    taken = set(prefixes)
    for predicate in sorted(uses, key=lambda p: (-uses[p], p)):
        name = _local_name(predicate)
        if name is None or name in taken:
            continue
        taken.add(name)
        terms[name] = _definition(compact_iri(predicate, prefixes), kinds[predicate], prefixes)
    return JsonLdContext(urls.context_url, prefixes, dict(sorted(terms.items())))


def compact_iri(iri: str, prefixes: Mapping[str, str]) -> str:
    """`https://schema.org/name` → `schema:name` when a prefix fits and the rest is a name."""
    for name, namespace in prefixes.items():
        if iri.startswith(namespace) and _NAME.match(iri[len(namespace) :]):
            return f"{name}:{iri[len(namespace) :]}"
    return iri


def _predicate_usage(
    urls: Urls, quads: Iterable[ox.Quad]
) -> tuple[Counter[str], dict[str, set[str]]]:
    """How often each predicate is used, and the shapes of its values (`@id`, `@language`, or
    a datatype IRI)."""
    uses: Counter[str] = Counter()
    kinds: dict[str, set[str]] = defaultdict(set)
    for quad in quads:
        if quad.predicate == RDF_TYPE:
            continue
        predicate = urls.public(quad.predicate.value)
        uses[predicate] += 1
        obj = quad.object
        if isinstance(obj, ox.Literal):
            kinds[predicate].add("@language" if obj.language else obj.datatype.value)
        else:
            kinds[predicate].add("@id")
    return uses, kinds


def _definition(iri: str, kinds: set[str], prefixes: Mapping[str, str]) -> str | dict[str, str]:
    if kinds == {"@id"}:
        return {"@id": iri, "@type": "@id"}
    if kinds == {"@language"}:
        return {"@id": iri, "@container": "@language"}
    if len(kinds) == 1 and not kinds & {"@id", "@language", XSD_STRING}:
        return {"@id": iri, "@type": compact_iri(next(iter(kinds)), prefixes)}
    return iri


def _local_name(iri: str) -> str | None:
    name = re.split(r"[#/]", iri)[-1]
    return name if _NAME.match(name) else None
