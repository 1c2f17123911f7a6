"""Headers every answer carries, whoever built it: routes, error handlers, static files,
Starlette's own answers.

From the table in publisher.headers (which the nginx export writes too): `SECURITY_HEADERS` on
every answer, the Content-Security-Policy on every HTML one, and `Retry-After` on every 503 that
lacks one (a 503 says "later", and a client should know when). A header a route already set is
kept: the API documentation page sets its own policy.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from publisher.headers import CONTENT_SECURITY_POLICY, SECURITY_HEADERS
from publisher.web.errors import DEFAULT_RETRY_AFTER

_ALWAYS = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
_CSP = (b"content-security-policy", CONTENT_SECURITY_POLICY.encode())
_RETRY = (b"retry-after", str(DEFAULT_RETRY_AFTER).encode())


class ResponseHeaders:
    """Pure ASGI middleware (no body buffering): adds the missing headers at response start."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def add(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = completed(message["status"], list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, add)


def completed(status: int, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """`headers` with what every answer of this status and type must have."""
    present = {name.lower(): value for name, value in headers}
    wanted = list(_ALWAYS)
    if present.get(b"content-type", b"").lower().startswith(b"text/html"):
        wanted.append(_CSP)
    if status == 503:
        wanted.append(_RETRY)
    return headers + [(name, value) for name, value in wanted if name not in present]
