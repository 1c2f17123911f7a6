"""The SPARQL 1.1 Protocol query operation: an HTTP request's parts in, one QueryRequest out.

Pure functions over bytes, so GET and form POST go through the same decoding (a `%25` in either
is a `%` in the query) and the rules are testable without a server.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from publisher.errors import (
    ProtocolError,
    QueryTooLong,
    RequestTooLarge,
    UnsupportedMediaType,
    UpdateRefused,
)

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
# Parameters clients add to pick a result format (SPARQLWrapper sends all three): honoured when
# they name a format we have, ignored otherwise, never an error.
FORMAT_PARAMETERS = ("format", "output", "results")


@dataclass(frozen=True)
class QueryRequest:
    """A query and the RDF dataset the request names (empty tuples: the endpoint's default)."""

    query: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    download: bool = False

    @property
    def names_dataset(self) -> bool:
        """True when default-graph-uri or named-graph-uri was given: the protocol's dataset
        replaces the union default graph and any FROM / FROM NAMED in the query."""
        return bool(self.default_graphs or self.named_graphs)


def parse_request(
    method: str,
    query_string: bytes | str,
    content_type: str | None,
    body: bytes,
    max_query_length: int,
) -> QueryRequest:
    """Decode a GET, HEAD or POST to the endpoint; raise a SparqlError for anything malformed.
    Sizes are checked before any decoding, so the work done is bounded by the limit."""
    if len(query_string) > request_limit(max_query_length):
        raise RequestTooLarge(request_limit(max_query_length))
    params = _pairs(query_string, "the URL")
    if method == "POST":
        media_type, charset = _media_type(content_type)
        if media_type == SPARQL_UPDATE:
            raise UpdateRefused(None)
        if media_type == FORM:
            _check_charset(charset)
            params += _pairs(body, "the form body")
        elif media_type == SPARQL_QUERY:
            _check_charset(charset)
            if any(name == "query" for name, _ in params):
                raise ProtocolError(
                    "The query was sent both as the request body and as a 'query' URL parameter; "
                    "send it once."
                )
            params.append(("query", _utf8(body, "the request body")))
        else:
            raise UnsupportedMediaType(content_type)
    if any(name == "update" for name, _ in params):
        raise UpdateRefused(None)
    queries = [value for name, value in params if name == "query"]
    if len(queries) > 1:
        raise ProtocolError(
            f"The request holds {len(queries)} queries; the protocol allows exactly one."
        )
    query = queries[0] if queries else None
    if query is not None:
        size = len(query.encode("utf-8"))
        if size > max_query_length:
            raise QueryTooLong(size, max_query_length)
        if not query.strip():
            raise ProtocolError("The 'query' parameter is empty.")
    return QueryRequest(
        query=query,
        default_graphs=tuple(v for n, v in params if n == "default-graph-uri"),
        named_graphs=tuple(v for n, v in params if n == "named-graph-uri"),
        formats=tuple(v for n, v in params if n in FORMAT_PARAMETERS and v),
        download=any(n == "download" for n, _ in params),
    )


def request_limit(max_query_length: int) -> int:
    """Bytes a request body or URL may hold: percent-encoding can triple a query's size, and
    a few other parameters come with it."""
    return 3 * max_query_length + 65536


def _pairs(encoded: bytes | str, where: str) -> list[tuple[str, str]]:
    """`a=1&b=%25` as pairs, percent-decoded as UTF-8 and `+` as space, the way forms encode."""
    text = _utf8(encoded, where) if isinstance(encoded, bytes) else encoded
    if not text:
        return []
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError(f"The parameters in {where} are not valid UTF-8.") from None
    except ValueError as error:
        raise ProtocolError(f"The parameters in {where} are malformed: {error}.") from None


def _utf8(body: bytes, where: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(
            f"The text of {where} is not valid UTF-8; SPARQL requests must be UTF-8."
        ) from None


def _media_type(content_type: str | None) -> tuple[str | None, str | None]:
    """`application/sparql-query; charset=UTF-8` → ("application/sparql-query", "utf-8")."""
    if not content_type:
        return None, None
    media_type, *params = (part.strip() for part in content_type.split(";"))
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media_type.lower(), charset


def _check_charset(charset: str | None) -> None:
    if charset not in (None, "utf-8", "utf8"):
        raise ProtocolError(
            f"The request body is declared as charset={charset}; SPARQL requests must be UTF-8."
        )
