"""Domain errors: they carry what a message needs and know nothing of HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class PublisherError(Exception):
    """Base of every error the publisher reports to a person instead of a traceback."""


@dataclass
class SourceNotFound(PublisherError):
    """A data, ontology or shapes location that does not exist or matches nothing."""

    location: str

    def __str__(self) -> str:
        return f"{self.location}: no such file or folder (or the pattern matches nothing)"


@dataclass
class UnsupportedSource(PublisherError):
    """A file whose extension names no RDF syntax we read."""

    path: Path

    def __str__(self) -> str:
        return (
            f"{self.path}: unknown RDF file type "
            "(expected .ttl, .trig, .nt, .nq, .n3, .jsonld, .rdf or .owl; optionally gzipped)"
        )


@dataclass
class RdfSyntaxError(PublisherError):
    """An RDF file that does not parse: where, and what the parser said."""

    path: Path
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


@dataclass
class StoreUnavailable(PublisherError):
    """The SPARQL server holding the data did not answer in time (down, unreachable, restarting,
    overloaded). Nothing is broken on our side: the next request tries again."""

    location: str
    reason: str
    retry_after: int = 5

    def __str__(self) -> str:
        return f"the SPARQL server at {self.location} is not answering ({self.reason})"


@dataclass
class StoreDamaged(StoreUnavailable):
    """The on-disk store failed to read while served (a damaged or vanished file). A 503, as
    for an outage: the request is fine, and a new `publisher load` of the folder is picked up
    without a restart."""

    def __str__(self) -> str:
        return f"the store at {self.location} cannot be read ({self.reason})"


@dataclass
class StoreError(PublisherError):
    """The SPARQL server answered a request of the publisher with an error (not an outage)."""

    location: str
    status: int
    message: str

    def __str__(self) -> str:
        return f"the SPARQL server at {self.location} answered {self.status}: {self.message}"


# What can go wrong with a SPARQL request, in words a person can act on.
class SparqlError(PublisherError):
    """Base: `title` names the problem, `str()` explains it, `slug` identifies it for machines."""

    slug = "sparql-error"
    title = "SPARQL request refused"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def extra(self) -> dict[str, object]:
        """Machine-readable members added to an application/problem+json body."""
        return {}


class ProtocolError(SparqlError):
    slug = "bad-request"
    title = "Bad SPARQL protocol request"


class UnsupportedMediaType(SparqlError):
    slug = "unsupported-media-type"
    title = "Unsupported request body type"

    def __init__(self, content_type: str | None) -> None:
        got = f"'{content_type}'" if content_type else "no Content-Type"
        super().__init__(
            f"A POST to the SPARQL endpoint must be application/x-www-form-urlencoded (with a "
            f"'query' field) or application/sparql-query (the query as the body); got {got}."
        )


class QueryTooLong(SparqlError):
    slug = "query-too-long"
    title = "Query too long"

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            f"The query is {size} bytes long; the limit is {limit} bytes "
            "(setting max_query_length)."
        )
        self.size: int | None = size
        self.limit = limit

    def extra(self) -> dict[str, object]:
        return {"size": self.size, "limit": self.limit}


class RequestTooLarge(QueryTooLong):
    def __init__(self, limit: int) -> None:
        SparqlError.__init__(
            self,
            f"The request body is larger than {limit} bytes, more than any query within the "
            "length limit can need (setting max_query_length).",
        )
        self.size, self.limit = None, limit


class UpdateRefused(SparqlError):
    slug = "update-refused"
    title = "SPARQL Update refused"

    def __init__(self, keyword: str | None) -> None:
        what = f"SPARQL Update ({keyword})" if keyword else "SPARQL Update"
        super().__init__(
            f"{what} is not accepted: this endpoint is read-only and only answers queries "
            "(SELECT, ASK, CONSTRUCT, DESCRIBE). Nothing was executed."
        )


class ServiceRefused(SparqlError):
    slug = "service-refused"
    title = "Federated query (SERVICE) refused"

    def __init__(self, endpoint: str | None, *, allowed: bool) -> None:
        target = f"SERVICE <{endpoint}>" if endpoint else "SERVICE"
        policy = (
            "only the endpoints in the setting service_allowlist may be called, written as full "
            "IRIs"
            if allowed
            else "this endpoint makes no outbound requests (setting service_allowlist is empty)"
        )
        super().__init__(
            f"{target} is not allowed: {policy}. The check also refuses the word 'service' in "
            "variable or prefixed names (write ?svc, or the full <IRI>). Nothing was executed."
        )
        self.endpoint = endpoint


class MalformedQuery(SparqlError):
    slug = "malformed-query"
    title = "Malformed SPARQL query"

    def __init__(self, message: str, line: int | None, column: int | None, excerpt: str) -> None:
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"Syntax error{where}: {message}")
        self.message, self.line, self.column, self.excerpt = message, line, column, excerpt

    def extra(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "message": self.message}


class QueryFailed(SparqlError):
    slug = "query-failed"
    title = "Query evaluation failed"


class NotAcceptable(SparqlError):
    slug = "not-acceptable"
    title = "No acceptable result format"

    def __init__(self, what: str, offered: Sequence[str]) -> None:
        super().__init__(
            f"None of the formats in the Accept header (or the format parameter) can represent "
            f"{what}. Offered: {', '.join(offered)}."
        )
        self.offered = tuple(offered)

    def extra(self) -> dict[str, object]:
        return {"offered": list(self.offered)}


class EndpointBusy(SparqlError):
    slug = "busy"
    title = "All query slots are busy"

    def __init__(self, slots: int, retry_after: int, queued: int = 0) -> None:
        waiting = f" and {queued} more are waiting (setting max_queued_queries)" if queued else ""
        super().__init__(
            f"{slots} of {slots} queries are already running (setting "
            f"max_concurrent_queries){waiting}; retry in {retry_after} s."
        )
        self.retry_after = retry_after


class QueryTimeout(SparqlError):
    slug = "timeout"
    title = "Query stopped at the time limit"

    def __init__(self, limit: float) -> None:
        super().__init__(
            f"The query did not finish within the {limit:g} s limit (setting query_timeout; the "
            "limit covers evaluation and serialisation) and was stopped."
        )
        self.limit = limit

    def extra(self) -> dict[str, object]:
        return {"limit_seconds": self.limit}


class WorkerCrashed(SparqlError):
    slug = "worker-crashed"
    title = "Query stopped"

    def __init__(self) -> None:
        super().__init__(
            "The query process stopped before answering (most often: the query needed more "
            "memory than a query may use). The query was not completed; try a narrower query."
        )
