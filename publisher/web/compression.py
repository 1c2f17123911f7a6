"""Compression: which clients take gzip, and gzip for the routes that do not compress themselves.

Document routes send cached gzip twins with their own strong ETags (publisher.web.http); every
other answer goes through `EtagSafeGZipMiddleware`.
"""

from __future__ import annotations

from functools import lru_cache

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@lru_cache(maxsize=256)
def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether `Accept-Encoding` allows gzip: listed (or `*`) with a q above zero."""
    if not accept_encoding:
        return False
    qualities: dict[str, float] = {}
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.partition(";")
        q = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
        qualities[coding.strip()] = q
    q = qualities.get("gzip", qualities.get("x-gzip", qualities.get("*", 0.0)))
    return q > 0


class EtagSafeGZipMiddleware:
    """Starlette's GZipMiddleware, but a compressed body never keeps a strong ETag.

    A strong ETag promises byte-identical bodies (RFC 9110 §8.8.1), and gzip changes the bytes,
    so the middleware's output gets a weak ETag (what nginx does). Paths listed in `skip` bypass
    the middleware: their routes compress cached bytes themselves, with a `-gzip` strong ETag.
    """

    def __init__(self, app: ASGIApp, skip: tuple[str, ...] = (), minimum_size: int = 500) -> None:
        self.app = app
        self.skip = skip
        self.gzip = GZipMiddleware(self._mark_pre_encoded, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.skip):
            await self.app(scope, receive, send)
            return

        async def weaken(message: Message) -> None:
            if message["type"] == "http.response.start" and not scope.get("publisher.encoded"):
                headers = dict(message.get("headers", []))
                etag = headers.get(b"etag", b"")
                if b"content-encoding" in headers and etag.startswith(b'"'):
                    message["headers"] = [
                        (k, b"W/" + v if k == b"etag" else v) for k, v in message["headers"]
                    ]
                message["headers"] = _vary_on_encoding(list(message.get("headers", [])))
            await send(message)

        await self.gzip(scope, receive, weaken)

    async def _mark_pre_encoded(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def mark(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                scope["publisher.encoded"] = b"content-encoding" in names
            await send(message)

        await self.app(scope, receive, mark)


def _vary_on_encoding(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Every answer of a path the middleware may compress varies on Accept-Encoding, small
    bodies and HEAD included (Starlette only says so when it compresses), without duplicates."""
    values = [v for k, v in headers if k.lower() == b"vary"]
    tokens = [t.strip() for v in values for t in v.decode("latin-1").split(",") if t.strip()]
    if "accept-encoding" not in {t.lower() for t in tokens}:
        tokens.append("Accept-Encoding")
    unique = list(dict.fromkeys(tokens))
    return [(k, v) for k, v in headers if k.lower() != b"vary"] + [
        (b"vary", ", ".join(unique).encode("latin-1"))
    ]
