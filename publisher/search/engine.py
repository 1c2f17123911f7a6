"""Answering a search: the query folded like the index, matched by FTS5, ranked, highlighted.

Every word of the query must match a word of a name, as its beginning (search-as-you-type:
«vitor» finds «Vitorino»; a one-letter word only as a whole word). A word the index has no
beginning for is looked up among the index's words at edit distance 1 (2 for long words) with
the same first two letters, so the spellings of a transliterated name meet («انطونيو» and
«انتونيو»). Names are ranked by how they match (the whole name, whole words, beginnings of
words, near spellings), then by FTS5's BM25, labels before alternative labels; a resource is
listed once, by its best name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from publisher.catalog import Catalog
from publisher.search.index import HIDDEN, LABEL
from publisher.search.normalise import comparable, word_spans, words

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MAX_LIMIT = 100
CANDIDATES = 1000
"""Names read from the index per query, best first by BM25: `total` counts the resources among
them (`more` says there may be others)."""
MIN_PREFIX = 2
"""A one-letter word is matched whole: as a prefix it would match a good part of the index
(half a second at a million names, for a result nobody reads)."""
NEAR_PREFIX = 2
NEAR_MIN_LENGTH = 4
NEAR_CHOICES = 5
LAST = "\U0010ffff"


class BadSearch(ValueError):
    """A search that cannot be answered as asked (too long, a limit out of range): the message
    says what to change."""


@dataclass(frozen=True)
class Segment:
    """A run of a name's text; `marked`: a word the query matched."""

    text: str
    marked: bool


@dataclass(frozen=True)
class Hit:
    """One resource found: its label in the reader's language, its classes, and the name that
    matched (`snippet`: that name with the matched words marked; the label for a hidden name)."""

    iri: str
    label: str | None
    label_lang: str | None
    types: tuple[str, ...]
    matched: str
    matched_lang: str
    snippet: tuple[Segment, ...]
    score: float
    exact: bool


@dataclass(frozen=True)
class Results:
    query: str
    hits: tuple[Hit, ...]
    total: int
    more: bool
    offset: int
    limit: int


@dataclass(frozen=True)
class _Name:
    iri: str
    lang: str
    label: str
    kind: int
    bm25: float


def check(text: str, limit: int, offset: int) -> None:
    """Raise `BadSearch` for a query the engine refuses."""
    if len(text) > MAX_QUERY_CHARS:
        raise BadSearch(f"The query is longer than {MAX_QUERY_CHARS} characters.")
    if not 1 <= limit <= MAX_LIMIT:
        raise BadSearch(f"limit must be between 1 and {MAX_LIMIT}.")
    if not 0 <= offset <= CANDIDATES:
        raise BadSearch(f"Results past the first {CANDIDATES} are not listed.")


def search(
    catalog: Catalog,
    text: str,
    lang: str,
    *,
    types: tuple[str, ...] = (),
    limit: int = 20,
    offset: int = 0,
) -> Results:
    """The resources whose names match `text`, best first; `types`: only instances of one of
    these classes."""
    check(text, limit, offset)
    terms = list(dict.fromkeys(comparable(w) for w in words(text) if w))[:MAX_TERMS]
    empty = Results(text, (), 0, False, offset, limit)
    if not terms:
        return empty
    near = {t: near_words(catalog, t) for t in terms if not _has_prefix(catalog, t)}
    if any(not alternatives for alternatives in near.values()):
        return empty  # a word that matches nothing, not even nearly
    names = _candidates(catalog, terms, near, types)
    best: dict[str, tuple[float, _Name]] = {}
    for name in names:
        score = _score(name, terms, near)
        if name.iri not in best or score > best[name.iri][0]:
            best[name.iri] = (score, name)
    ranked = sorted(best.values(), key=lambda pair: (-pair[0], pair[1].bm25, pair[1].iri))
    page = ranked[offset : offset + limit]
    hits = tuple(_hit(catalog, name, score, terms, near, lang) for score, name in page)
    return Results(text, hits, len(ranked), len(names) >= CANDIDATES, offset, limit)


def near_words(catalog: Catalog, term: str) -> tuple[str, ...]:
    """Words of the index within a small edit distance of `term`, sharing its first letters."""
    if len(term) < NEAR_MIN_LENGTH:
        return ()
    start = term[:NEAR_PREFIX]
    rows = catalog.read(
        "SELECT term FROM names_terms WHERE term >= ? AND term < ?", start, start + LAST
    )
    distance = 1 if len(term) < 8 else 2
    found = process.extract(
        term,
        [str(row[0]) for row in rows],
        scorer=Levenshtein.distance,
        score_cutoff=distance,
        limit=NEAR_CHOICES,
    )
    return tuple(choice for choice, _, _ in found)


def _has_prefix(catalog: Catalog, term: str) -> bool:
    end = term + LAST if len(term) >= MIN_PREFIX else term + "\0"
    rows = catalog.read("SELECT 1 FROM names_terms WHERE term >= ? AND term < ? LIMIT 1", term, end)
    return bool(rows)


def _match_expression(terms: list[str], near: Mapping[str, tuple[str, ...]]) -> str:
    """An FTS5 query: each term as a prefix, or one of its near words (all quoted: the terms
    are words, so they hold no quote, and FTS5 operators in them are plain text)."""
    parts = []
    for term in terms:
        if term in near:
            parts.append("(" + " OR ".join(f'"{w}"' for w in near[term]) + ")")
        else:
            parts.append(f'"{term}"*' if len(term) >= MIN_PREFIX else f'"{term}"')
    return " AND ".join(parts)


def _candidates(
    catalog: Catalog, terms: list[str], near: Mapping[str, tuple[str, ...]], types: tuple[str, ...]
) -> list[_Name]:
    where = ""
    parameters: list[object] = [_match_expression(terms, near)]
    if types:
        marks = ", ".join("?" for _ in types)
        where = f" AND n.iri IN (SELECT iri FROM types WHERE class IN ({marks}))"
        parameters.extend(types)
    rows = catalog.read(
        "SELECT n.iri, n.lang, n.label, n.kind, bm25(names_fts) FROM names_fts "
        f"JOIN names n ON n.id = names_fts.rowid WHERE names_fts MATCH ?{where} "
        "ORDER BY bm25(names_fts) LIMIT ?",
        *parameters,
        CANDIDATES,
    )
    return [
        _Name(str(iri), str(lang), str(label), int(str(kind)), float(str(bm25)))
        for iri, lang, label, kind, bm25 in rows
    ]


def _score(name: _Name, terms: list[str], near: Mapping[str, tuple[str, ...]]) -> float:
    """0–100: the whole name (100), whole words, beginnings of words, near spellings, each
    scaled by how much of the name the query covers; alternative names a little lower."""
    written = [word for _, _, word in word_spans(name.label)]
    if not written:
        return 0.0
    if written == terms:
        return 100.0 if name.kind == LABEL else 95.0
    tiers = []
    for term in terms:
        if term in written:
            tiers.append(60.0)
        elif any(word.startswith(term) for word in written):
            tiers.append(40.0)
        else:
            tiers.append(20.0)  # matched through a near spelling
    coverage = min(1.0, len(terms) / len(written))
    return min(tiers) + 30.0 * coverage - (0.0 if name.kind == LABEL else 5.0)


def _matches(word: str, terms: list[str], near: Mapping[str, tuple[str, ...]]) -> bool:
    return any(word.startswith(t) for t in terms) or any(word in ws for ws in near.values())


def snippet(
    label: str, terms: list[str], near: Mapping[str, tuple[str, ...]]
) -> tuple[Segment, ...]:
    """`label` cut into runs, the words the query matched marked."""
    segments: list[Segment] = []
    at = 0
    for start, end, word in word_spans(label):
        if _matches(word, terms, near):
            if start > at:
                segments.append(Segment(label[at:start], False))
            segments.append(Segment(label[start:end], True))
            at = end
    if at < len(label):
        segments.append(Segment(label[at:], False))
    return tuple(segments)


def _hit(
    catalog: Catalog,
    name: _Name,
    score: float,
    terms: list[str],
    near: Mapping[str, tuple[str, ...]],
    lang: str,
) -> Hit:
    shown = catalog.labelled(name.iri, lang)
    if name.kind == HIDDEN:  # matched, never shown
        text, text_lang = shown.label or name.iri, shown.lang or ""
        segments: tuple[Segment, ...] = (Segment(text, False),)
    else:
        text, text_lang = name.label, name.lang
        segments = snippet(name.label, terms, near)
    return Hit(
        iri=name.iri,
        label=shown.label,
        label_lang=shown.lang,
        types=tuple(sorted(catalog.types_of(name.iri))),
        matched=text,
        matched_lang=text_lang,
        snippet=segments,
        score=round(score, 1),
        exact=score >= 95.0,
    )


def type_label(catalog: Catalog, class_iri: str, lang: str) -> str:
    """A class's label in `lang`, else the last part of its IRI."""
    found = catalog.label(class_iri, lang)
    if found:
        return found
    tail = urlsplit(class_iri).fragment or class_iri.rstrip("/").rsplit("/", 1)[-1]
    return tail or class_iri
