"""The dataset's profile: what the pages, VoID, DCAT and documents say about the whole dataset.

Nothing here is about one dataset. The title, description, licence, languages, publisher,
keywords, example resources and example queries come from the data's own description of itself
(VoID, DCAT, Dublin Core and SHACL SPARQL executables on its dataset IRI, as
`data/dataset.ttl` holds for the embedded dataset; else, for a vocabulary published as data,
its `owl:Ontology`'s own metadata), then from the settings (`--title`, `--license`, `--language`),
which win. A dataset that states no licence gets none: the publisher never claims one on its
behalf.

The example queries and the sections a resource page shows for the dataset's own kinds of
things (statements, participation, …) are data as well, read by `publisher.profile_views`
(docs/decisions/0005-page-sections-from-data.md) and carried here, with the order and summary
of each class's page (`layouts`, decision 0015); its names are re-exported.

The profile is read once per dataset version (`Representations.profile`, `Published.profile`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pyoxigraph as ox

from publisher.config import Settings
from publisher.dataset import ReadStore, Term
from publisher.prefixes import declared_prefixes, source_prefixes
from publisher.profile_views import (
    Column,
    Example,
    Layout,
    Section,
    Texts,
    in_language,
    read_examples,
    read_layouts,
    read_sections,
    select_rows,
)
from publisher.vocab import (
    CC,
    DCAT,
    DCTERMS,
    FOAF,
    ISO639_1,
    OWL_ONTOLOGY,
    RDF,
    RDF_TYPE,
    RDFS,
    SCHEMA,
    VOID,
)

DATASET_CLASSES = (
    VOID + "Dataset",
    DCAT + "Dataset",
    SCHEMA + "Dataset",
    "http://schema.org/Dataset",
)
RDF_HTML = ox.NamedNode(RDF + "HTML")
DOCUMENT_CLASSES = frozenset(
    ox.NamedNode(FOAF + name) for name in ("Document", "PersonalProfileDocument")
)
"""What a FOAF file says its `<>` is: the document that describes the data beside it."""
LICENSE_PREDICATES = (DCTERMS + "license", CC + "license")
"""Where a licence is stated, in order of preference: Dublin Core, then ccREL."""
NO_LICENSE = "none"
"""The `--license` value that withdraws the licence the data states."""


@dataclass(frozen=True)
class Profile:
    """What is said about the dataset as a whole; texts are keyed by language tag ("" = none)."""

    iri: str | None
    title: Texts
    description: Texts = field(default_factory=dict)
    short_title: Texts = field(default_factory=dict)
    license: str | None = None
    languages: tuple[str, ...] = ()
    publisher: str | None = None
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    example_resources: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()
    prefixes: Mapping[str, str] = field(default_factory=dict)
    sections: tuple[Section, ...] = ()
    layouts: tuple[Layout, ...] = ()

    def title_in(self, lang: str) -> str:
        return in_language(self.title, lang)

    def name_in(self, lang: str) -> str:
        """The short name (site name, page titles): `dcterms:alternative`, else the title."""
        return in_language(self.short_title, lang) or self.title_in(lang)

    def description_in(self, lang: str) -> str:
        return in_language(self.description, lang)


@dataclass(frozen=True)
class Overrides:
    """What the settings say instead of the data (None: the data's own word stands)."""

    title: str | None = None
    license: str | None = None
    languages: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> Overrides:
        languages = tuple(settings.languages)
        return cls(title=settings.title, license=settings.license, languages=languages)


def read_profile(dataset: Any, overrides: Overrides | None = None) -> Profile:
    """The profile of `dataset` (anything with `.store` and `.base_iri`), overrides applied."""
    store: ReadStore = dataset.store
    base_iri: str = dataset.base_iri
    iri = find_dataset_iri(store, base_iri)
    if iri:
        profile = _described(store, base_iri, iri)
    elif vocabulary := find_vocabulary_iri(store) or find_licensed_document(store, base_iri):
        # A vocabulary published as data (the W3C's shacl.ttl), or the one document of the
        # namespace that states its licence (a FOAF card's `<>`): its own description is the
        # site's, but it is not the dataset (no examples, no dataset IRI).
        profile = replace(_described(store, base_iri, vocabulary), iri=None, examples=())
    else:
        profile = generic_profile(base_iri)
    prefixes = _written_first(declared_prefixes(store, base_iri), getattr(dataset, "sources", None))
    profile = replace(
        profile, prefixes=prefixes, sections=read_sections(store), layouts=read_layouts(store)
    )
    return apply_overrides(profile, overrides) if overrides else profile


def _written_first(declared: dict[str, str], sources: Any) -> dict[str, str]:
    """The ontologies' prefixes, each named as the data's files write it when they declare one
    for the same namespace (`sh:` in shacl.ttl, not `shacl:` guessed from `…/ns/shacl#`)."""
    if sources is None:
        return declared
    written: dict[str, str] = {}
    for prefix, namespace in source_prefixes(sources.content).items():
        written.setdefault(namespace, prefix)
    renamed = {written.get(namespace, prefix): namespace for prefix, namespace in declared.items()}
    return dict(sorted(renamed.items()))


def generic_profile(base_iri: str) -> Profile:
    """What is shown for data that describes nothing about itself: a title made of its namespace."""
    return Profile(iri=None, title={"en": f"Linked data at {base_iri}"})


def apply_overrides(profile: Profile, overrides: Overrides) -> Profile:
    """The settings win: a title replaces every language's; `none` withdraws the licence."""
    changes: dict[str, Any] = {}
    if overrides.title:
        changes.update(title={"": overrides.title}, short_title={"": overrides.title})
    if overrides.license:
        changes["license"] = None if overrides.license == NO_LICENSE else overrides.license
    if overrides.languages:
        changes["languages"] = overrides.languages
    return replace(profile, **changes)


def find_dataset_iri(store: ReadStore, base_iri: str) -> str | None:
    """The resource the data describes as the dataset: typed void:, dcat: or schema:Dataset (or
    the namespace itself with a dcterms:title), preferring the namespace, then anything under
    it; one outside the namespace counts only when it is the only dataset described."""
    types = " ".join(f"<{cls}>" for cls in DATASET_CLASSES)
    base = ox.NamedNode(base_iri)
    query = f"""
SELECT DISTINCT ?dataset WHERE {{
  {{ VALUES ?type {{ {types} }} ?dataset a ?type }}
  UNION {{ VALUES ?dataset {{ {base} }} ?dataset <{DCTERMS}title> ?title }}
  FILTER(isIRI(?dataset))
}}"""
    found: list[str] = sorted(row["dataset"].value for row in select_rows(store, query))
    ours = [iri for iri in found if iri.startswith(base_iri)]
    if base_iri in ours:
        return base_iri
    if ours:
        return ours[0]
    return found[0] if len(found) == 1 else None


def find_vocabulary_iri(store: ReadStore) -> str | None:
    """The one `owl:Ontology` stated in the default graph (its file given as data, not as
    `--ontology`, whose triples go to the ontology's named graph), when there is one only: the
    data is then a vocabulary, and what the ontology says of itself is what the site says.
    A site of several vocabularies, or of data with its ontology beside it, gets none."""
    found = {
        q.subject.value
        for q in store.quads_for_pattern(None, RDF_TYPE, OWL_ONTOLOGY, ox.DefaultGraph())
        if isinstance(q.subject, ox.NamedNode)
    }
    return found.pop() if len(found) == 1 else None


def find_licensed_document(store: ReadStore, base_iri: str) -> str | None:
    """The one document of the namespace that states a licence (`dcterms:license` or ccREL's
    `cc:license`), when there is exactly one: a FOAF profile's `<>` (a `foaf:Document`), or
    the namespace IRI itself. It then speaks for the data. A licensed resource that is not a
    document (a photo, a book) speaks only for itself: the site claims nothing from it."""
    found = {
        q.subject.value
        for predicate in LICENSE_PREDICATES
        for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None)
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(base_iri)
    }
    documents = {iri for iri in found if iri == base_iri or _is_document(store, iri)}
    return documents.pop() if len(found) == 1 and documents else None


def _is_document(store: ReadStore, iri: str) -> bool:
    types = {q.object for q in store.quads_for_pattern(ox.NamedNode(iri), RDF_TYPE, None)}
    return bool(types & DOCUMENT_CLASSES)


def _described(store: ReadStore, base_iri: str, iri: str) -> Profile:
    subject = ox.NamedNode(iri)

    def objects(predicate: str) -> list[Term]:
        values = {q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)}
        return sorted(values, key=str)

    def texts(predicate: str) -> dict[str, str]:
        return {lang: " ".join(values) for lang, values in _by_language(objects(predicate)).items()}

    def iris(predicate: str) -> tuple[str, ...]:
        return tuple(o.value for o in objects(predicate) if isinstance(o, ox.NamedNode))

    title = texts(DCTERMS + "title") or texts(RDFS + "label")
    languages = _languages(objects(DCTERMS + "language")) or tuple(k for k in sorted(title) if k)
    return Profile(
        iri=iri,
        title=title or generic_profile(base_iri).title,
        description=texts(DCTERMS + "description") or texts(RDFS + "comment"),
        short_title=texts(DCTERMS + "alternative"),
        license=next(iter(iris(DCTERMS + "license") or iris(CC + "license")), None),
        languages=languages,
        publisher=next(iter(iris(DCTERMS + "publisher")), None),
        keywords={
            lang: tuple(sorted(words))
            for lang, words in _by_language(objects(DCAT + "keyword")).items()
        },
        example_resources=iris(VOID + "exampleResource"),
        sources=iris(DCTERMS + "source"),
        examples=read_examples(store, iri),
    )


def _by_language(terms: Iterable[Term]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for term in terms:
        if isinstance(term, ox.Literal):
            found.setdefault(term.language or "", []).append(plain_text(term))
    return {lang: sorted(values) for lang, values in sorted(found.items())}


def plain_text(literal: ox.Literal) -> str:
    """A literal's text; an `rdf:HTML` one (schema.org's comments) without its markup, since
    titles and descriptions are shown and published as plain text."""
    if literal.datatype != RDF_HTML:
        return literal.value
    text = _TAG.sub(lambda tag: " " if _BREAK.match(tag.group()) else "", literal.value)
    return " ".join(html.unescape(text).split())


_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"</?(?:br|p|div|li|ul|ol|h\d|tr|td|th|table|blockquote|pre)\b", re.I)
"""Tags that separate words (`<br/>`, `</p><p>`); others (`<a>`, `<em>`) are inside a text."""


def _languages(terms: Iterable[Term]) -> tuple[str, ...]:
    """`dcterms:language` as ISO 639-1 IRIs (id.loc.gov, or any IRI ending in the code) or as
    literal codes, in code order."""
    codes = set()
    for term in terms:
        if isinstance(term, ox.NamedNode):
            codes.add(term.value.removeprefix(ISO639_1).rstrip("/").rsplit("/", 1)[-1])
        elif isinstance(term, ox.Literal):
            codes.add(term.value)
    return tuple(sorted(code.lower() for code in codes if code))


__all__ = [
    "NO_LICENSE",
    "Example",
    "Layout",
    "Overrides",
    "Column",
    "Profile",
    "Section",
    "apply_overrides",
    "find_dataset_iri",
    "find_vocabulary_iri",
    "generic_profile",
    "in_language",
    "plain_text",
    "read_examples",
    "read_layouts",
    "read_profile",
    "read_sections",
]
