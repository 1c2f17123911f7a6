"""/api/docs and /api/openapi.json: FastAPI's Swagger UI page, with a Content-Security-Policy
that lets it run, and a schema whose operation ids are unique.

The page loads Swagger UI from a CDN and starts it with one inline script. Instead of allowing
inline scripts, its policy allows that script by hash (CSP Level 2), computed from the page as
rendered, so a change of FastAPI's page changes the hash with it. Swagger UI sets inline styles
from its script, hence `'unsafe-inline'` for styles on this page only.
"""

from __future__ import annotations

import base64
import hashlib
import re
import warnings
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from starlette.requests import Request
from starlette.responses import HTMLResponse

DOCS_PATH = "/api/docs"
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)
_EXTERNAL = re.compile(rb'(?:src|href)="(https://[^"]+)"')


def policy(page: bytes) -> str:
    """The page's CSP: its external hosts, and the hash of each of its inline scripts."""
    hosts = sorted({_origin(url.decode()) for url in _EXTERNAL.findall(page)})
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(page)
    ]
    return "; ".join(
        (
            "default-src 'self'",
            " ".join(["script-src 'self'", *hosts, *hashes]),
            " ".join(["style-src 'self' 'unsafe-inline'", *hosts]),
            " ".join(["img-src 'self' data:", *hosts]),
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def add_api_docs(app: FastAPI, openapi_url: str) -> None:
    """The documentation page of the API, at DOCS_PATH."""
    page = get_swagger_ui_html(openapi_url=openapi_url, title=f"{app.title} - API").body
    body = bytes(page)
    headers = {"Content-Security-Policy": policy(body)}

    @app.api_route(DOCS_PATH, methods=["GET", "HEAD"], include_in_schema=False)
    async def api_docs(request: Request) -> HTMLResponse:
        return HTMLResponse(body, headers=headers)


def unique_operation_ids(app: FastAPI) -> None:
    """FastAPI gives every method of a multi-method route (GET, HEAD, POST of /sparql) the same
    operationId and warns about it on each build of the schema; OpenAPI wants them unique, so
    the second and later ones get their method appended."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "Duplicate Operation ID", UserWarning)
                schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            seen: set[str] = set()
            for operations in schema.get("paths", {}).values():
                for method, operation in operations.items():
                    name = operation.get("operationId")
                    if name in seen:
                        operation["operationId"] = f"{name}_{method}"
                    seen.add(operation.get("operationId"))
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
