"""Limits uvicorn does not have: time to send a request's headers and body, connections.

uvicorn closes an idle keep-alive connection, but a client that sends its headers or body one
byte at a time keeps its connection (and a file descriptor) for ever; a few thousand of them
exhaust the process. `LimitedHttpProtocol` is uvicorn's httptools protocol with three timers and
three bounds:

- the headers of a request must arrive within `header_timeout` of the connection being opened
  (or of the request's first byte on a kept-alive connection), else 408 and the connection is
  closed;
- its body within `body_timeout` of the end of its headers, else the connection is closed (the
  app sees a disconnected client);
- a connection beyond `max_connections` open ones gets a 503 with Retry-After and is closed at
  once, before anything is read; a request line over `MAX_URL_BYTES` gets 414, headers over
  `MAX_HEADER_BYTES` 431.

The limits travel on the uvicorn `Config` (`LimitedConfig`), which uvicorn pickles into each
worker process, so one process and N workers behave alike (docs/decisions/0007).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from publisher.config import Settings
from publisher.headers import SECURITY_HEADERS

log = logging.getLogger(__name__)

MAX_URL_BYTES = 16 * 1024
"""The longest request target read (414 beyond): nginx's and most proxies' own bound is 8 KB."""
MAX_HEADER_BYTES = 64 * 1024
"""The most header bytes (names and values) one request may send (431 beyond)."""
BUSY_RETRY_AFTER = 1
"""Seconds a client refused for too many connections is told to wait (Retry-After)."""


class Refusals:
    """Connections refused for being over the limit, logged at most once per interval (a flood
    would otherwise write one warning per connection)."""

    def __init__(self, interval: float = 10.0) -> None:
        self.interval = interval
        self.count = 0
        self.last_logged = -interval

    def refused(self, open_connections: int) -> None:
        self.count += 1
        now = time.monotonic()
        if now - self.last_logged >= self.interval:
            log.warning(
                "refused %d connection(s) over max_connections (%d open)",
                self.count,
                open_connections,
            )
            self.count, self.last_logged = 0, now


REFUSALS = Refusals()


@dataclass(frozen=True)
class Limits:
    """The connection limits of one server, from the settings."""

    header_timeout: float = 10.0
    body_timeout: float = 30.0
    max_connections: int = 1024

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.header_timeout, settings.body_timeout, settings.max_connections)


class LimitedConfig(uvicorn.Config):
    """uvicorn's Config carrying the `Limits` (a module-level class, so it pickles into the
    worker processes uvicorn spawns)."""

    def __init__(self, app: Any, *, limits: Limits, **kwargs: Any) -> None:
        self.limits = limits
        super().__init__(app, http=LimitedHttpProtocol, **kwargs)


class TooLarge(Exception):
    """A request line or header section over its bound; stops the parser."""

    def __init__(self, status: HTTPStatus) -> None:
        super().__init__(status.phrase)
        self.status = status


class LimitedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline for headers and body, and bounds on sizes
    and on the number of connections (see the module's docstring)."""

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits: Limits = getattr(config, "limits", None) or Limits()
        self.deadline: asyncio.TimerHandle | None = None
        self.received_url = 0
        self.received_headers = 0
        self.too_large: HTTPStatus | None = None

    # --- the connection ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]  # always a Transport
        if len(self.connections) > self.limits.max_connections:
            REFUSALS.refused(len(self.connections) - 1)
            self.answer_and_close(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "Too many connections; retry shortly.",
                {"Retry-After": str(BUSY_RETRY_AFTER)},
            )
            return
        self.start_timer(self.limits.header_timeout, self.headers_too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        self.stop_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.transport.is_closing():
            return  # refused or timed out: nothing more is read
        super().data_received(data)

    # --- the parser's callbacks ---------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.received_url = self.received_headers = 0
        if self.deadline is None:  # a new request on a kept-alive connection
            self.start_timer(self.limits.header_timeout, self.headers_too_slow)

    def on_url(self, url: bytes) -> None:
        self.received_url += len(url)
        if self.received_url > MAX_URL_BYTES:
            self.too_large = HTTPStatus.REQUEST_URI_TOO_LONG
            raise TooLarge(self.too_large)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.received_headers += len(name) + len(value)
        if self.received_headers > MAX_HEADER_BYTES:
            self.too_large = HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
            raise TooLarge(self.too_large)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self.start_timer(self.limits.body_timeout, self.body_too_slow)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self.stop_timer()
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request the parser refused; ours when a bound was passed."""
        if self.too_large is not None:
            self.answer_and_close(self.too_large, f"{self.too_large.phrase}.", {})
            return
        self.answer_and_close(HTTPStatus.BAD_REQUEST, msg, {})

    # --- timers -------------------------------------------------------------------------------

    def start_timer(self, seconds: float, expired: Any) -> None:
        self.stop_timer()
        self.deadline = self.loop.call_later(seconds, expired)

    def stop_timer(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def headers_too_slow(self) -> None:
        self.deadline = None
        if self.transport.is_closing():
            return
        log.info("closed a connection from %s: no complete request headers in time", self.peer)
        if self.cycle is None or self.cycle.response_complete:
            self.answer_and_close(
                HTTPStatus.REQUEST_TIMEOUT, "Request headers not received in time.", {}
            )
        else:
            self.transport.close()

    def body_too_slow(self) -> None:
        """The app is already running: closing tells it the client is gone (http.disconnect)."""
        self.deadline = None
        if not self.transport.is_closing():
            log.info("closed a connection from %s: request body not received in time", self.peer)
            self.transport.close()

    # --- answers written before (or instead of) the app ---------------------------------------

    @property
    def peer(self) -> str:
        return f"{self.client[0]}:{self.client[1]}" if self.client else "a client"

    def answer_and_close(self, status: HTTPStatus, text: str, headers: dict[str, str]) -> None:
        """A plain-text answer with `Connection: close`, then the connection is closed."""
        body = (text + "\n").encode()
        lines = [f"HTTP/1.1 {status.value} {status.phrase}".encode()]
        lines += [name + b": " + value for name, value in self.server_state.default_headers]
        fields = {
            "Content-Type": "text/plain; charset=utf-8",
            "Content-Length": str(len(body)),
            "Connection": "close",
            **SECURITY_HEADERS,
            **headers,
        }
        lines += [f"{name}: {value}".encode() for name, value in fields.items()]
        self.transport.write(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        self.transport.close()
        self.stop_timer()


def server_config(settings: Settings, app: Any, **kwargs: Any) -> LimitedConfig:
    """The uvicorn Config of `serve`: the settings' limits, keep-alive and trusted proxies."""
    proxies = settings.trusted_proxies
    return LimitedConfig(
        app,
        limits=Limits.of(settings),
        host=settings.host,
        port=settings.port,
        timeout_keep_alive=settings.keep_alive_timeout,
        access_log=settings.access_log,
        # X-Forwarded-For/-Proto only from the configured proxies; uvicorn's own default
        # would trust 127.0.0.1 (or $FORWARDED_ALLOW_IPS).
        proxy_headers=bool(proxies),
        forwarded_allow_ips=list(proxies) if proxies else [],
        **kwargs,
    )
