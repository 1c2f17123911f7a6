"""Domain errors: they carry what a message needs and know nothing of HTTP."""

from __future__ import annotations

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
class StoreError(PublisherError):
    """The SPARQL server answered a request of the publisher with an error (not an outage)."""

    location: str
    status: int
    message: str

    def __str__(self) -> str:
        return f"the SPARQL server at {self.location} answered {self.status}: {self.message}"
