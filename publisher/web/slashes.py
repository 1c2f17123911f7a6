"""`/dumps` → `/dumps/`: the trailing-slash redirect, on the configured origin.

Starlette's own (`redirect_slashes`) builds its Location from the request's Host header and
scheme, so `Host: evil.example` got `Location: http://evil.example/dumps/`, which a shared cache
would then serve to everyone. The app turns it off, and the 404 handler asks `slash_twin`
whether the same path with (or without) its trailing slash names a route; the redirect then goes
to the public origin of the settings, never to anything the request says.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.routing import Match

SLASH_REDIRECT = 307
"""As Starlette answered: the method and body are kept (a POST to /sparql/ stays a POST)."""
REDIRECTED_METHODS = frozenset({"GET", "HEAD", "POST"})
"""Other methods get the 404 or 405 of the path they named, not a detour to a twin."""
CATCH_ALL = "data_iri"
"""The name of the last route (any path of the namespace): it matches every twin, so it is
not asked."""


def slash_twin(request: Request) -> str | None:
    """The server-relative target (query kept) of the path with its trailing slash added or
    removed, when that names a route of the app; None otherwise (and for `/`, and for methods
    other than GET, HEAD and POST)."""
    path: str = request.scope["path"]
    if request.method not in REDIRECTED_METHODS or path == "/" or "//" in path:
        return None
    twin_path = path.rstrip("/") if path.endswith("/") else path + "/"
    if not twin_path:
        return None
    twin_scope = {**request.scope, "path": twin_path}
    router = request.app.router
    routes = [route for route in router.routes if getattr(route, "name", None) != CATCH_ALL]
    if not any(route.matches(twin_scope)[0] != Match.NONE for route in routes):
        return None
    raw = request.scope.get("raw_path")
    encoded = raw.decode("latin-1") if raw else quote(path)
    target = encoded.rstrip("/") if encoded.endswith("/") else encoded + "/"
    query = request.scope.get("query_string", b"").decode("latin-1")
    return target + (f"?{query}" if query else "")
