"""SPARQL query text: the lexer the guard trusts, and the rewrites made to a query's text.

Oxigraph is the one parser that decides what a query means; this module never parses SPARQL.
It cuts the text into the four kinds of token whose boundaries both agree on (IRI references,
string literals, comments, everything else: "code"), so that a rewrite touches only the code,
or only the IRIs, and nothing inside a string or a comment.

Every pattern here runs in time linear in the query: the quantifiers are possessive (`*+`,
`++`), so no pattern ever backtracks over text it has read, and a query is public input
(tests/test_sparqltext.py measures it against ordinary queries of the same size).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

# The SPARQL 1.1 terminals, with Oxigraph's \u escapes in IRIs; order matters (IRI before `<`).
# Where a long string is not closed, the alternatives below it apply, as in Oxigraph's grammar.
_TOKENS = re.compile(
    r"""
    (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>)
  | (?P<string>'''(?:'{0,2}(?:[^'\\]|\\.))*+'''
      |\"\"\"(?:"{0,2}(?:[^"\\]|\\.))*+\"\"\"
      |'(?:[^'\\\n\r]|\\.)*+'
      |"(?:[^"\\\n\r]|\\.)*+")
  | (?P<comment>\#[^\n\r]*+)
  | (?P<escape>\\.)
  | (?P<code>[^<'"\#\\]++|.)
    """,
    re.VERBOSE | re.DOTALL,
)
_PROLOGUE = re.compile(
    r"(?:\s++|#[^\n\r]*+|BASE\s*+<[^<>\s]*+>|PREFIX\s*+[^\s:]*+:\s*+<[^<>\s]*+>)*+", re.IGNORECASE
)
_WHERE_OR_BRACE = re.compile(r"[{}]|(?<![\w?$:])WHERE(?![\w:])", re.IGNORECASE)
_TEST_OR_PARENTHESIS = re.compile(r"(?<![\w?$:])(isIRI|isURI|isBlank)\s*+\(|[()]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # iri | string | comment | escape | code
    text: str


def tokens(query: str) -> list[Token]:
    """The query cut into tokens; their concatenation is the query again."""
    return [Token(m.lastgroup or "code", m.group()) for m in _TOKENS.finditer(query)]


def rewrite_iris(query: str, rewrite: Callable[[str], str]) -> str:
    """The query with each IRI reference passed through `rewrite` and nothing else touched."""
    return "".join(
        f"<{rewrite(t.text[1:-1])}>" if t.kind == "iri" else t.text for t in tokens(query)
    )


def split_prologue(query: str) -> tuple[str, str]:
    """(BASE and PREFIX declarations, the rest), for wrapping a query in a paging one."""
    match = _PROLOGUE.match(query)
    end = match.end() if match else 0
    return query[:end], query[end:]


def bind(query: str, values: Mapping[ox.Variable, str]) -> str:
    """The query with variables fixed by a `VALUES` block at the start of its WHERE clause,
    which is what pyoxigraph's `substitutions=` means for the queries the publisher runs.

    `values` maps variables to terms already written in SPARQL syntax (`str()` of a
    pyoxigraph term). Braces are counted outside IRIs, strings and comments only."""
    if not values:
        return query
    names = " ".join(str(v) for v in values)
    terms = " ".join(values.values())
    block = (
        f" VALUES {names} {{ {terms} }} "
        if len(values) == 1
        else f" VALUES ({names}) {{ ({terms}) }} "
    )
    at = _where_brace(query)
    return query[: at + 1] + block + query[at + 1 :]


def _where_brace(query: str) -> int:
    """Offset of the `{` that opens the query's WHERE clause."""
    offset, depth = 0, 0
    braces: list[tuple[int, bool]] = []  # top-level `{` and whether WHERE came just before
    after_where = False
    for token in tokens(query):
        if token.kind == "code":
            for match in _WHERE_OR_BRACE.finditer(token.text):
                text = match.group()
                if text == "{":
                    if depth == 0:
                        braces.append((offset + match.start(), after_where))
                        after_where = False
                    depth += 1
                elif text == "}":
                    depth -= 1
                elif depth == 0:
                    after_where = True
        offset += len(token.text)
    for position, with_where in braces:
        if with_where:
            return position
    if len(braces) == 1:
        return braces[0][0]  # `SELECT ?x { … }`, `ASK { … }`
    raise ValueError("cannot bind variables in a query without a WHERE clause")


class RewriteTooLarge(ValueError):
    """Term tests nested so deep that their rewriting would multiply the query's size."""


@dataclass
class _Call:
    """An `isIRI(`, `isURI(` or `isBlank(` whose closing parenthesis is still to come."""

    blank: bool
    opening: str
    pieces: list[str] = field(default_factory=list)
    depth: int = 0  # parentheses opened inside the argument and not yet closed


def unskolemise(query: str, genid: str | None) -> str:
    """The query with `isIRI`, `isURI` and `isBlank` seeing skolem IRIs as the blank nodes
    they stand for, so that a query means on the server what it means in memory:
    `isBlank(E)` becomes `(isBlank(E) || (isIRI(E) && STRSTARTS(STR(E), "genid")))` and
    `isIRI(E)` becomes `(isIRI(E) && !STRSTARTS(STR(E), "genid"))`.

    E is written two or three times, so nested tests multiply the text: RewriteTooLarge when
    the result would pass eight times the query's size. Unclosed calls are left as written,
    for the server's parser to refuse."""
    if not genid:
        return query
    prefix = str(ox.Literal(genid))
    budget = 8 * len(query) + 4096
    root: list[str] = []
    open_calls: list[_Call] = []
    for token in tokens(query):
        out = open_calls[-1].pieces if open_calls else root
        if token.kind != "code":
            out.append(token.text)
            continue
        text, start = token.text, 0
        for match in _TEST_OR_PARENTHESIS.finditer(text):
            out.append(text[start : match.start()])
            start = match.end()
            if match.group(1):
                open_calls.append(_Call(match.group(1).lower() == "isblank", match.group()))
            elif not open_calls:
                out.append(match.group())
            elif match.group() == "(":
                open_calls[-1].depth += 1
                out.append("(")
            elif open_calls[-1].depth > 0:
                open_calls[-1].depth -= 1
                out.append(")")
            else:
                call = open_calls.pop()
                rewritten = _term_test(call, prefix)
                if len(rewritten) > budget:
                    raise RewriteTooLarge("isIRI, isURI or isBlank are nested too deeply")
                (open_calls[-1].pieces if open_calls else root).append(rewritten)
            out = open_calls[-1].pieces if open_calls else root
        out.append(text[start:])
    while open_calls:
        call = open_calls.pop()
        (open_calls[-1].pieces if open_calls else root).append(call.opening + "".join(call.pieces))
    return "".join(root)


def _term_test(call: _Call, prefix: str) -> str:
    inner = "".join(call.pieces)
    starts = f"STRSTARTS(STR({inner}), {prefix})"
    if call.blank:
        return f"(isBlank({inner}) || (isIRI({inner}) && {starts}))"
    return f"(isIRI({inner}) && !{starts})"
