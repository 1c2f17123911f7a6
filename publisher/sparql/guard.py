"""Read a query before the engine does: its form, updates, SERVICE, and dataset clauses.

Oxigraph is the one parser that decides whether a query is valid and what it means; this module
never parses SPARQL. It reads the tokens of `publisher.sparqltext` (IRI references, string
literals, comments, everything else) and looks only at "everything else". The SERVICE check is
deliberately conservative: Oxigraph's grammar lets a keyword touch the token before it
(`1SERVICE<…>` is valid), so any `service` outside IRIs, strings and comments counts, even
inside a variable or prefixed name. See docs/decisions/0003-sparql-safety.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from publisher.errors import ServiceRefused, UpdateRefused
from publisher.sparqltext import Token, tokens

_SERVICE = re.compile("service", re.IGNORECASE)
_AFTER_SERVICE = re.compile(r"\s*+(?:silent\s*+)?+", re.IGNORECASE)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# A dataset clause: FROM or FROM NAMED and an IRI or prefixed name (not `?from`, `ex:from`).
# Possessive quantifiers throughout: no pattern here backtracks (the query is public input).
_FROM = re.compile(
    r"(?<![\w?$:.\-])FROM(?:\s++NAMED)?(?:\s*+<>|\s++[\w.\-]*+:)", re.IGNORECASE | re.ASCII
)
_FORM = re.compile(
    r"\s*+(?:(?:BASE\s*+<>|PREFIX\s*+[^\s:]*+:\s*+<>)\s*+)*+([A-Za-z]+)", re.IGNORECASE | re.ASCII
)
QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = (
    "INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH",
)  # fmt: skip


@dataclass(frozen=True)
class Inspection:
    """What the guard learnt: the form as written (None when unclear; the engine decides)."""

    form: str | None
    services: tuple[str, ...]
    has_dataset_clause: bool = False


def inspect(query: str, service_allowlist: Iterable[str] = ()) -> Inspection:
    """Refuse updates and SERVICE (outside the allowlist); return the form the query names and
    whether it has FROM / FROM NAMED (then its own dataset replaces the union default graph;
    Oxigraph fetches nothing for them either way)."""
    toks = tokens(query)
    skeleton = "".join(_skeleton(t) for t in toks)
    form_match = _FORM.match(skeleton)
    keyword = form_match.group(1).upper() if form_match else None
    if keyword in UPDATE_KEYWORDS:
        raise UpdateRefused(keyword)
    services = _services(toks, frozenset(service_allowlist))
    return Inspection(
        keyword if keyword in QUERY_FORMS else None, services, bool(_FROM.search(skeleton))
    )


def _skeleton(token: Token) -> str:
    """Code kept, IRIs as `<>`, strings as `""`, comments as a space: what keywords live in."""
    if token.kind == "iri":
        return "<>"
    if token.kind == "string":
        return '""'
    if token.kind in ("comment", "escape"):
        return " "
    return token.text


def _services(toks: list[Token], allowlist: frozenset[str]) -> tuple[str, ...]:
    """The endpoints of every SERVICE, all of them allowed, or ServiceRefused.

    An IRI containing `'` is ambiguous (Oxigraph may read its `<` as less-than and the quote as
    the start of a string), so then the whole raw text is searched instead of the code alone.
    """
    if any(t.kind == "iri" and "'" in t.text for t in toks):
        if _SERVICE.search("".join(t.text for t in toks)):
            raise ServiceRefused(None, allowed=bool(allowlist))
        return ()
    code, iris = _code_and_iris(toks)
    endpoints: list[str] = []
    for match in _SERVICE.finditer(code):
        after = _AFTER_SERVICE.match(code, match.end())  # SILENT and comments may come between
        iri = iris.get(after.end()) if after else None
        endpoint = iri if iri is not None and _SCHEME.match(iri) else None
        if endpoint is None or endpoint not in allowlist:
            raise ServiceRefused(endpoint, allowed=bool(allowlist))
        endpoints.append(endpoint)
    return tuple(endpoints)


def _code_and_iris(toks: list[Token]) -> tuple[str, dict[int, str]]:
    """The code with each IRI as `<>`, each string as `""`, each comment as a space and each
    escape as a backslash; and the IRI written at each offset of a `<>`."""
    pieces: list[str] = []
    iris: dict[int, str] = {}
    offset = 0
    for token in toks:
        if token.kind == "iri":
            iris[offset] = token.text[1:-1]
        piece = _CODE_PIECES.get(token.kind, token.text)
        pieces.append(piece)
        offset += len(piece)
    return "".join(pieces), iris


_CODE_PIECES = {"iri": "<>", "string": '""', "comment": " ", "escape": "\\"}
