"""Requests to one SPARQL server: a time limit, credentials, and every way of not answering
turned into `StoreUnavailable` (a 503 with Retry-After on the web), nothing kept from a failure.
"""

from __future__ import annotations

import io
import time
import weakref
from collections.abc import Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from publisher import __version__
from publisher.config import Settings
from publisher.errors import StoreError, StoreUnavailable
from publisher.stores.remote.reader import Row, read_results

RETRY_AFTER = 5
RESULTS_XML = "application/sparql-results+xml"
N_TRIPLES = "application/n-triples"


class _Credentials(httpx.Auth):
    """Basic or Digest, whichever the server asks for (Virtuoso's `-auth` endpoints want
    Digest, Fuseki's shiro Basic); nothing is sent to a server that does not ask."""

    requires_request_body = True

    def __init__(self, user: str, password: str) -> None:
        self._digest = httpx.DigestAuth(user, password)
        self._basic = httpx.BasicAuth(user, password)
        self._scheme: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._scheme is not None:
            yield from self._scheme.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        challenge = response.headers.get("www-authenticate", "").lower()
        self._scheme = self._digest if challenge.startswith("digest") else self._basic
        yield from self._scheme.auth_flow(request)


def _without_credentials(url: str) -> str:
    """The URL as it may appear in messages and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@dataclass(frozen=True)
class Answer:
    """A query's answer, read whole: the body, and whether the server cut it."""

    body: bytes
    capped: int | None  # the row cap the server applied (X-SPARQL-MaxRows), if it did


class SparqlClient:
    """Requests to one SPARQL server, with a time limit, credentials, and every way of not
    answering turned into `StoreUnavailable`. Thread-safe (one httpx.Client)."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float,
        user: str | None = None,
        password: str | None = None,
    ) -> None:
        self.url = url
        self.location = _without_credentials(url)
        self.timeout = timeout
        auth = _Credentials(user, password or "") if user else None
        self.http = httpx.Client(
            timeout=timeout,
            auth=auth,
            headers={"User-Agent": f"gcm-publisher/{__version__}"},
        )
        self.virtuoso = False  # learnt from the Server header; paging needs its own form
        weakref.finalize(self, self.http.close)  # datasets have no close(); their client does

    @classmethod
    def from_settings(cls, settings: Settings, url: str | None = None) -> SparqlClient:
        password = settings.remote_password
        return cls(
            url or settings.store or "",
            timeout=settings.remote_timeout,
            user=settings.remote_user,
            password=password.get_secret_value() if password is not None else None,
        )

    def send(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        """One request; StoreUnavailable when the server does not answer in time (or says it
        cannot), StoreError when it answers with another error."""
        where = _without_credentials(url)
        try:
            response = self.http.request(
                method,
                url,
                **kwargs,  # type: ignore[arg-type]  # callers pass httpx's own keywords
            )
        except httpx.TimeoutException:
            raise StoreUnavailable(where, f"no answer within {self.timeout:g} s") from None
        except httpx.TransportError as error:
            raise StoreUnavailable(where, _transport_reason(error)) from None
        self.virtuoso = "virtuoso" in response.headers.get("server", "").lower()
        if response.status_code in (502, 503, 504):
            raise StoreUnavailable(
                where, f"it answered {response.status_code}", retry_after(response)
            )
        if response.status_code >= 400:
            raise StoreError(where, response.status_code, error_text(response))
        return response

    def query(self, text: str, dataset: Mapping[str, list[str]], accept: str) -> Answer:
        """POST a query (form-encoded: the graph lists can be long) and read the answer."""
        response = self.send(
            "POST", self.url, data={"query": text, **dataset}, headers={"Accept": accept}
        )
        cap = response.headers.get("x-sparql-maxrows", "")
        return Answer(response.content, int(cap) if cap.isdigit() else None)

    @contextmanager
    def stream(
        self, text: str, dataset: Mapping[str, list[str]]
    ) -> Iterator[tuple[int | None, Iterator[Row]]]:
        """POST a SELECT and read its rows as they arrive: (the server's row cap if it cut the
        answer, the rows). The response is closed when the block ends."""
        request = self.http.build_request(
            "POST", self.url, data={"query": text, **dataset}, headers={"Accept": RESULTS_XML}
        )
        try:
            response = self.http.send(request, stream=True)
        except httpx.TimeoutException:
            raise StoreUnavailable(self.location, f"no answer within {self.timeout:g} s") from None
        except httpx.TransportError as error:
            raise StoreUnavailable(self.location, _transport_reason(error)) from None
        try:
            self.virtuoso = "virtuoso" in response.headers.get("server", "").lower()
            if response.status_code in (502, 503, 504):
                raise StoreUnavailable(
                    self.location, f"it answered {response.status_code}", retry_after(response)
                )
            if response.status_code >= 400:
                response.read()
                raise StoreError(self.location, response.status_code, error_text(response))
            cap = response.headers.get("x-sparql-maxrows", "")
            source = io.BufferedReader(ChunkReader(response.iter_bytes(), self.location))
            read = read_results(source, self.location)
            if isinstance(read, bool):
                raise StoreError(self.location, 200, "a boolean came back where rows were expected")
            yield (int(cap) if cap.isdigit() else None), read[1]
        finally:
            response.close()

    def close(self) -> None:
        self.http.close()


def _transport_reason(error: httpx.TransportError) -> str:
    if isinstance(error, httpx.ConnectError):
        return "connection refused or host unreachable"
    return f"the connection failed: {type(error).__name__}"


def retry_after(response: httpx.Response) -> int:
    value = response.headers.get("retry-after", "")
    return int(value) if value.isdigit() else RETRY_AFTER


def error_text(response: httpx.Response) -> str:
    """The server's own words, shortened: Virtuoso and Fuseki explain in plain text."""
    text = " ".join(response.text.split())
    return text[:500] or response.reason_phrase


class ChunkReader(io.RawIOBase):
    """An iterator of byte chunks as a file (for the streaming parsers); transport errors
    while reading become StoreUnavailable; past `deadline` (monotonic), TimeoutError."""

    def __init__(
        self, chunks: Iterator[bytes], location: str, deadline: float | None = None
    ) -> None:
        self._chunks, self._location, self._deadline = chunks, location, deadline
        self._ready = b""
        self.failure: Exception | None = None  # what stopped the reading (a parser may hide it)

    def readable(self) -> bool:
        return True

    def readinto(
        self,
        buffer: bytearray | memoryview,  # type: ignore[override]  # BufferedReader's memoryview
    ) -> int:
        try:
            return self._readinto(buffer)
        except Exception as error:
            self.failure = error
            raise

    def _readinto(self, buffer: bytearray | memoryview) -> int:
        while not self._ready:
            if self._deadline is not None and time.monotonic() > self._deadline:
                raise TimeoutError("the answer took longer than its time limit")
            try:
                chunk = next(self._chunks, None)
            except httpx.TimeoutException:
                raise StoreUnavailable(self._location, "the answer stopped coming") from None
            except httpx.TransportError as error:
                raise StoreUnavailable(self._location, _transport_reason(error)) from None
            if chunk is None:
                return 0
            self._ready = chunk
        size = min(len(buffer), len(self._ready))
        buffer[:size] = self._ready[:size]
        self._ready = self._ready[size:]
        return size
