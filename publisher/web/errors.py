"""Every error the web layer answers, and its status: the one exception → status map.

Domain modules raise domain errors (publisher.errors and a few others); routes raise the two web
errors below. `status_of` is the only place that says which status each one gets, and
`describe` the only place that turns one into a problem document's words. Anything not listed is
a bug: 500, never a 404 or a 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from publisher import errors
from publisher.documents.describe import ResourceNotFound
from publisher.formats import Format
from publisher.headers import link_header
from publisher.urls import Urls


class NotAcceptable(Exception):
    """Nothing the resource is available in matches the request's Accept header."""

    def __init__(self, alternates: tuple[tuple[Format, str], ...]) -> None:
        super().__init__("no acceptable representation")
        self.alternates = alternates


class NotPublished(Exception):
    """A URL of a known kind that names nothing here (an old dump, a sitemap number…)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


# Most specific first does not matter: `status_of` walks the error's class hierarchy.
STATUS: Mapping[type[BaseException], int] = {
    ResourceNotFound: 404,
    NotPublished: 404,
    NotAcceptable: 406,
    errors.StoreUnavailable: 503,
    errors.StoreError: 502,
    errors.SparqlError: 400,
    errors.UnsupportedMediaType: 415,
    errors.QueryTooLong: 413,
    errors.NotAcceptable: 406,
    errors.EndpointBusy: 503,
    errors.QueryTimeout: 503,
    errors.WorkerCrashed: 503,
    # The client went away mid-request (or was closed for sending its body too slowly): the
    # answer is never read; 400 keeps it out of the 5xx a monitor counts.
    ClientDisconnect: 400,
}


def status_of(error: BaseException) -> int:
    """The HTTP status of `error`: the nearest class in STATUS, the framework's own status
    for its errors (unrouted paths, wrong methods), else 500."""
    if isinstance(error, HTTPException):
        return error.status_code
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


DEFAULT_RETRY_AFTER = 5
"""Seconds to wait after a 503 whose error does not say (a crashed query worker, a timeout)."""


def retry_after(error: BaseException) -> dict[str, str]:
    """`Retry-After` on every 503 (RFC 9110 §15.6.4: the condition passes): the error's own
    delay (a store outage, every query slot taken), else `DEFAULT_RETRY_AFTER`."""
    if status_of(error) != 503:
        return {}
    seconds = getattr(error, "retry_after", None)
    return {"Retry-After": str(seconds if isinstance(seconds, int) else DEFAULT_RETRY_AFTER)}


@dataclass(frozen=True)
class Problem:
    """An RFC 9457 problem document, and the headers that go with it."""

    status: int
    title: str
    detail: str
    type: str = "about:blank"
    members: dict[str, object] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def body(self, instance: str) -> dict[str, object]:
        out: dict[str, object] = {"type": self.type, "title": self.title, "status": self.status}
        out["detail"] = self.detail
        out["instance"] = instance
        return {**out, **self.members}


def describe(error: BaseException, method: str, accept: str | None, urls: Urls) -> Problem:
    """What to say about `error` to a `method` request with this Accept header."""
    status = status_of(error)
    phrase = HTTPStatus(status).phrase
    headers = retry_after(error)
    if isinstance(error, errors.SparqlError):
        return Problem(
            status,
            error.title,
            error.detail,
            urls.absolute(f"sparql#{error.slug}"),
            error.extra(),
            headers,
        )
    if isinstance(error, ResourceNotFound):
        detail = f"<{urls.public(error.iri)}> is not a resource of this dataset."
    elif isinstance(error, NotPublished):
        detail = error.detail
    elif isinstance(error, NotAcceptable):
        return _not_acceptable(error, accept)
    elif isinstance(error, errors.StoreDamaged):
        detail = (
            f"The data of this server could not be read ({error.reason}); the operator has been "
            f"told in the log. Nothing is wrong with the request; retry in {error.retry_after} s."
        )
    elif isinstance(error, errors.StoreUnavailable):
        detail = (
            "The data store behind this server (a SPARQL server) is not answering at the "
            f"moment: {error.reason}. Nothing is wrong with the request; retry in "
            f"{error.retry_after} s."
        )
    elif isinstance(error, errors.StoreError):
        detail = (
            f"The data store behind this server (a SPARQL server) answered with an error "
            f"({error.status}). This is a problem of the server's set-up, not of the request."
        )
    elif isinstance(error, HTTPException):
        return _framework(error, phrase, method)
    else:
        detail = (
            "The server failed to answer this request. This is a bug in the publisher; "
            "please report it with the URL and the time."
        )
    return Problem(status, phrase, detail, headers=headers)


def _not_acceptable(error: NotAcceptable, accept: str | None) -> Problem:
    """406 listing every format the resource has, with the URL of each."""
    offered = ", ".join(f"{fmt.media_type} ({url})" for fmt, url in error.alternates)
    return Problem(
        406,
        "Not Acceptable",
        f"Nothing in the Accept header ({accept or ''!r}) can be served. "
        f"Ask for one of: {offered}; or fetch one of those URLs directly.",
        members={
            "alternates": [{"type": f.media_type, "href": url} for f, url in error.alternates]
        },
        headers={
            "Link": link_header((url, "alternate", f.media_type) for f, url in error.alternates)
        },
    )


def _framework(error: HTTPException, phrase: str, method: str) -> Problem:
    """Unrouted paths and wrong methods, in the same shape as ours."""
    headers = dict(error.headers or {})
    if error.status_code == 404:
        detail = error.detail if error.detail != phrase else "Nothing is published at this address."
    elif error.status_code == 405:
        headers["Allow"] = method_order(headers.get("Allow", "GET, HEAD"))
        detail = f"{method} is not allowed here; the methods allowed are {headers['Allow']}."
    else:
        detail = str(error.detail)
    return Problem(error.status_code, phrase, detail, headers=headers)


def method_order(allow: str) -> str:
    """`GET, OPTIONS, HEAD` (a set's order, which varies by process) → `GET, HEAD, OPTIONS`."""
    usual = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    methods = {m.strip().upper() for m in allow.split(",") if m.strip()}
    return ", ".join(sorted(methods, key=lambda m: (usual.index(m) if m in usual else 99, m)))
