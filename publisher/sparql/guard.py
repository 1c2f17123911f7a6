"""Read a query before the engine does: its form, updates, SERVICE, and IRIs to canonicalise.

Oxigraph is the one parser that decides whether a query is valid and what it means; this module
never parses SPARQL. It splits the text into the four kinds of token whose boundaries both agree
on (IRI references, string literals, comments, everything else) and looks only at "everything
else". The SERVICE check is deliberately conservative: Oxigraph's grammar lets a keyword touch
the token before it (`1SERVICE<…>` is valid), so any `service` outside IRIs, strings and
comments counts, even inside a variable or prefixed name. See docs/decisions/0003-sparql-safety.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from publisher.errors import ServiceRefused, UpdateRefused

# The SPARQL 1.1 terminals, with Oxigraph's \u escapes in IRIs; order matters (IRI before `<`).
_TOKENS = re.compile(
    r"""
    (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<string>'''(?:'{0,2}(?:[^'\\]|\\.))*'''
      |\"\"\"(?:"{0,2}(?:[^"\\]|\\.))*\"\"\"
      |'(?:[^'\\\n\r]|\\.)*'
      |"(?:[^"\\\n\r]|\\.)*")
  | (?P<comment>\#[^\n\r]*)
  | (?P<escape>\\.)
  | (?P<code>[^<'"\#\\]+|.)
    """,
    re.VERBOSE | re.DOTALL,
)
_SERVICE = re.compile("service", re.IGNORECASE)
_AFTER_SERVICE = re.compile(r"\s*(?:silent)?\s*$", re.IGNORECASE)
# A dataset clause: FROM or FROM NAMED and an IRI or prefixed name (not `?from`, `ex:from`).
_FROM = re.compile(
    r"(?<![\w?$:.\-])FROM(?:\s+NAMED)?(?:\s*<>|\s+[A-Za-z_]?[\w.\-]*:)", re.IGNORECASE | re.ASCII
)
_FORM = re.compile(
    r"\s*(?:(?:BASE\s*<>|PREFIX\s*[^\s:]*:\s*<>)\s*)*([A-Za-z]+)", re.IGNORECASE | re.ASCII
)
QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = (
    "INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH",
)  # fmt: skip


@dataclass(frozen=True)
class Token:
    kind: str  # iri | string | comment | escape | code
    text: str


@dataclass(frozen=True)
class Inspection:
    """What the guard learnt: the form as written (None when unclear; the engine decides)."""

    form: str | None
    services: tuple[str, ...]
    has_dataset_clause: bool = False


def tokens(query: str) -> list[Token]:
    """The query cut into tokens; their concatenation is the query again."""
    found = []
    for match in _TOKENS.finditer(query):
        kind = match.lastgroup or "code"
        found.append(Token(kind, match.group()))
    return found


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
    ambiguous = any(t.kind == "iri" and "'" in t.text for t in toks)
    if ambiguous:
        if _SERVICE.search("".join(t.text for t in toks)):
            raise ServiceRefused(None, allowed=bool(allowlist))
        return ()
    endpoints: list[str] = []
    for index, token in enumerate(toks):
        if token.kind != "code":
            continue
        for match in _SERVICE.finditer(token.text):
            endpoint = _endpoint_after(toks, index, match.end())
            if endpoint is None or endpoint not in allowlist:
                raise ServiceRefused(endpoint, allowed=bool(allowlist))
            endpoints.append(endpoint)
    return tuple(endpoints)


def _endpoint_after(toks: list[Token], index: int, end: int) -> str | None:
    """The IRI that follows a `service` at `end` of code token `index` (SILENT and comments
    between are fine); None when anything else follows, such as a variable or a prefixed name."""
    between = toks[index].text[end:]
    for token in toks[index + 1 :]:
        if token.kind == "comment":
            between += " "
        elif token.kind == "code":
            between += token.text
        elif token.kind == "iri" and _AFTER_SERVICE.match(between):
            iri = token.text[1:-1]
            return iri if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri) else None
        else:
            return None
    return None


def rewrite_iris(query: str, rewrite: Callable[[str], str]) -> str:
    """The query with each IRI reference passed through `rewrite` and nothing else touched."""
    return "".join(
        f"<{rewrite(t.text[1:-1])}>" if t.kind == "iri" else t.text for t in tokens(query)
    )
