"""Read a query before the engine does: its form, updates, SERVICE, and dataset clauses.

Oxigraph is the one parser that decides whether a query is valid and what it means; this module
never parses SPARQL. It reads the tokens of `publisher.sparqltext` (IRI references, string
literals, comments, everything else) and looks only at "everything else". The SERVICE check is
deliberately conservative: Oxigraph's grammar lets a keyword touch the token before it
(`1SERVICE<…>` is valid), so any `service` outside IRIs, strings and comments counts, even
inside a variable or prefixed name. See docs/decisions/0003-sparql-safety.md.

It also bounds the shape of the query before any parser sees it: Oxigraph's parser and
evaluator recurse once per nesting level (and once per link of a left-deep chain such as
`a || b || …` or `{…} UNION {…} UNION …`), so a 20 KB query of nested parentheses overflows
the stack and kills the process that parses it, ours or the SPARQL server's. Both measures are
counted in one pass over the tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from publisher.errors import ServiceRefused, SparqlError, UpdateRefused
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
# One nesting level (a bracket) or one link of a chain (an operator, a pattern joined to the
# ones before it in its group, an object or predicate of a triple pattern: `,` and `;` outside
# parentheses, where they separate arguments instead). Keywords are matched in the code with
# IRIs and strings blanked.
_STRUCTURE = re.compile(
    r"([({\[])|([)}\]])|([,;])|\|\||&&|!=|<=|>=|[=<>+\-*/|^!]"
    r"|(?<![\w?$:])(?:UNION|MINUS|OPTIONAL|FILTER|BIND|VALUES|GRAPH|SERVICE)(?![\w:])",
    re.IGNORECASE | re.ASCII,
)
MAX_CHAIN = 2000
"""Longest chain of operators and joined patterns along one path of the query (nesting levels
included): Oxigraph builds such chains as left-deep trees, and crashes near 10,000 links."""
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
    limit: int | None = None
    """The outermost query's LIMIT, when written plainly: a bound on the rows of its answer."""


class QueryTooDeep(SparqlError):
    """A query nested (or chained) beyond what query engines survive: refused, never parsed."""

    slug = "query-too-deep"
    title = "Query nested too deeply"

    def __init__(self, measure: str, found: int, limit: int, setting: str) -> None:
        super().__init__(
            f"The query {measure} {found} deep; at most {limit} is accepted ({setting}), "
            "because deeper queries overflow the query engine's stack. Flatten the query: "
            "fewer nested groups and parentheses, or an IN list or VALUES block instead of "
            "a long chain of || or UNION."
        )
        self.found, self.limit = found, limit

    def extra(self) -> dict[str, object]:
        return {"depth": self.found, "limit": self.limit}


def inspect(
    query: str, service_allowlist: Iterable[str] = (), max_depth: int | None = None
) -> Inspection:
    """Refuse queries nested deeper than `max_depth` or chained beyond MAX_CHAIN, updates and
    SERVICE (outside the allowlist); return the form the query names and whether it has
    FROM / FROM NAMED (then its own dataset replaces the union default graph; Oxigraph fetches
    nothing for them either way)."""
    toks = tokens(query)
    if max_depth is not None:
        check_shape(toks, max_depth)
    skeleton = "".join(_skeleton(t) for t in toks)
    form_match = _FORM.match(skeleton)
    keyword = form_match.group(1).upper() if form_match else None
    if keyword in UPDATE_KEYWORDS:
        raise UpdateRefused(keyword)
    services = _services(toks, frozenset(service_allowlist))
    limit = None if any(t.kind == "escape" for t in toks) else outer_limit(skeleton)
    return Inspection(
        keyword if keyword in QUERY_FORMS else None,
        services,
        bool(_FROM.search(skeleton)),
        limit,
    )


_BRACE_OR_TEXT = re.compile(r"[{}]|[^{}]++")
_LIMIT = re.compile(r"(?<![\w?$:])LIMIT\s++([0-9]++)(?![\w.:])", re.IGNORECASE)


def outer_limit(skeleton: str) -> int | None:
    """The LIMIT written outside every group (`{…}`) of a skeleton (`_skeleton`: no string,
    IRI or comment left), which only the outermost query can have; None when there is none or
    more than one (the parser decides what the text means, so only the plain case counts).
    Queries with `\\u` escapes are not asked (an escape could spell a keyword or a digit)."""
    depth, outside = 0, []
    for match in _BRACE_OR_TEXT.finditer(skeleton):
        piece = match.group()
        if piece == "{":
            depth += 1
            outside.append(" { ")
        elif piece == "}":
            depth = max(depth - 1, 0)
            outside.append(" } ")
        elif depth == 0:
            outside.append(piece)
    found = _LIMIT.findall("".join(outside))
    return int(found[0]) if len(found) == 1 else None


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


def check_shape(toks: list[Token], max_depth: int, max_chain: int = MAX_CHAIN) -> None:
    """QueryTooDeep when brackets of any kind nest deeper than `max_depth`, or when the links
    of chains open along one path (every enclosing level's operators and patterns so far, plus
    the levels themselves) pass `max_chain`. One pass, linear in the query; unbalanced
    brackets are left for the parser to report."""
    code = "".join(_SHAPE_PIECES.get(t.kind, t.text) for t in toks)
    levels = [0]  # links counted at each open level
    opened = [""]  # the bracket that opened each level
    depth = deepest = chain = longest = 0
    for match in _STRUCTURE.finditer(code):
        if match.group(2):  # a closing bracket
            if len(levels) > 1:
                chain -= levels.pop()
                opened.pop()
                depth -= 1
            continue
        if match.group(3) and opened[-1] == "(":  # arguments: a flat list
            continue
        levels[-1] += 1
        chain += 1
        if match.group(1):  # an opening bracket: one level deeper
            levels.append(0)
            opened.append(match.group(1))
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > max_depth:
                    raise QueryTooDeep("nests groups, brackets and parentheses", deepest,
                                       max_depth, "setting max_query_depth")  # fmt: skip
        if chain > longest:
            longest = chain
            if longest > max_chain:
                raise QueryTooDeep("chains operators and patterns", longest, max_chain,
                                   "a fixed limit")  # fmt: skip


_SHAPE_PIECES = {"iri": " i ", "string": " s ", "comment": " ", "escape": " "}
