"""The HTTP contract of each family of URLs: CORS, preflight, Vary, Cache-Control and Link,
and the security headers every answer carries.

Stated once, read twice: by the web layer (publisher.web.http) when it answers, and by the nginx
generator (publisher.export.nginx) when it writes the static export's configuration, so the
export cannot say something the server does not. No web framework here: plain values and
string builders.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from publisher.formats import Format
from publisher.sparql.endpoint import TRUNCATION_HEADER

Link = tuple[str, str, str | None]
"""(url, rel, media type or None): one entry of a `Link` header (RFC 8288)."""

READ_METHODS = ("GET", "HEAD", "OPTIONS")
QUERY_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
PREFLIGHT_MAX_AGE = 86400
IMMUTABLE_MAX_AGE = 31536000
ALIAS_MAX_AGE = 60
LONG_MAX_AGE = 86400
"""A day: fragment pages are validated by ETag (version + request), so a cache may keep them."""

SECURITY_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
"""On every answer: no MIME sniffing (a Turtle file is never run as a script), and no full
URL (with its query) sent to other sites."""
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
"""On every HTML page: scripts and styles from our own files only (the pages have no inline
script, style or event handler; a JSON-LD data block is not a script), so an injected
`<script>` does not run; no framing (clickjacking)."""
HTML_SECURITY_HEADERS: dict[str, str] = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}


class Caching(Enum):
    """How long a family's answers may be reused."""

    CONFIGURED = "configured"  # public, for the settings' cache_max_age: changes per version
    IMMUTABLE = "immutable"  # versioned names: never changes
    ALIAS = "alias"  # a short-lived pointer to a versioned name
    LONG = "long"  # cacheable for a day by shared caches (CDNs), revalidated by ETag after
    REVALIDATE = "revalidate"  # no-cache: reuse only after checking the ETag
    NONE = "none"  # no Cache-Control at all


@dataclass(frozen=True)
class Preflight:
    """What a CORS preflight (OPTIONS) answers. `echo` allows whatever headers the browser
    asks for (`allow_headers` when it names none)."""

    methods: tuple[str, ...]
    allow_headers: tuple[str, ...]
    echo: bool = False
    send_allow: bool = True  # also send `Allow` (RFC 9110 §10.2.1) with the methods

    def headers(self, requested: str | None = None) -> dict[str, str]:
        methods = ", ".join(self.methods)
        allowed = requested if self.echo and requested else ", ".join(self.allow_headers)
        out = {
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": methods,
            "Access-Control-Allow-Headers": allowed,
            "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE),
        }
        if self.send_allow:
            out["Allow"] = methods
        return out


@dataclass(frozen=True)
class Family:
    """URLs that answer alike. `vary` is what a negotiated answer varies on (an answer in a
    page language varies on Accept-Language as well); `expose` None means no CORS headers."""

    name: str
    expose: tuple[str, ...] | None
    preflight: Preflight | None
    vary: tuple[str, ...]
    caching: Caching

    def cors(self) -> dict[str, str]:
        """The CORS headers of every answer of the family (none without `expose`)."""
        if self.expose is None:
            return {}
        return {
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Expose-Headers": ", ".join(self.expose),
        }

    def cache_control(self, configured_max_age: int) -> str | None:
        return cache_control(self.caching, configured_max_age)


def cache_control(caching: Caching, configured_max_age: int) -> str | None:
    """The Cache-Control value of a caching policy (None: send none)."""
    return {
        Caching.CONFIGURED: f"public, max-age={configured_max_age}",
        Caching.IMMUTABLE: f"public, max-age={IMMUTABLE_MAX_AGE}, immutable",
        Caching.ALIAS: f"public, max-age={ALIAS_MAX_AGE}",
        Caching.LONG: f"public, max-age={LONG_MAX_AGE}",
        Caching.REVALIDATE: "no-cache",
        Caching.NONE: None,
    }[caching]


# Accept is the usual reason for a preflight (a value over 128 bytes is not CORS-safelisted).
READ_PREFLIGHT = Preflight(
    READ_METHODS, ("Accept", "Accept-Language", "If-None-Match", "If-Modified-Since")
)
RANGE_PREFLIGHT = Preflight(
    READ_METHODS,
    ("Accept", "Range", "If-Range", "If-None-Match", "If-Modified-Since"),
    send_allow=False,
)
QUERY_PREFLIGHT = Preflight(QUERY_METHODS, ("Accept", "Content-Type"), echo=True)

DOCUMENT_EXPOSE = ("Link", "ETag", "Content-Location", "Location", "Vary")
FILE_EXPOSE = (
    *("Accept-Ranges", "Content-Length", "Content-Range", "Content-Disposition", "ETag"),
    *("Last-Modified", "Link", "Location", "Repr-Digest"),
)
QUERY_EXPOSE = (
    *("Content-Length", "ETag", "Retry-After", "Vary", "Content-Disposition"),
    TRUNCATION_HEADER,
)

DOCUMENTS = Family("documents", DOCUMENT_EXPOSE, READ_PREFLIGHT, ("Accept",), Caching.CONFIGURED)
"""/doc/…, /def/…, /context.jsonld: one document in several formats."""
REDIRECTS = Family("redirects", DOCUMENT_EXPOSE, READ_PREFLIGHT, ("Accept",), Caching.CONFIGURED)
"""/id/…: 303 See Other to the document in the format Accept chooses."""
PAGES = Family("pages", DOCUMENT_EXPOSE, None, (), Caching.CONFIGURED)
"""HTML-only pages (the home page, …) in the reader's language."""
DISCOVERY = Family("discovery", FILE_EXPOSE, READ_PREFLIGHT, ("Accept",), Caching.CONFIGURED)
"""VoID + DCAT, the validation report (negotiated), the sitemaps and robots.txt."""
DUMP_FILES = Family("dump files", FILE_EXPOSE, RANGE_PREFLIGHT, (), Caching.IMMUTABLE)
"""/dumps/{versioned name}: never change, fetched by byte ranges."""
DUMP_ALIASES = Family("dump aliases", FILE_EXPOSE, RANGE_PREFLIGHT, (), Caching.ALIAS)
"""/dumps/latest.*: a 302 to the current version's file."""
DUMP_INDEX = Family("dump index", FILE_EXPOSE, RANGE_PREFLIGHT, ("Accept",), Caching.CONFIGURED)
"""/dumps/ (negotiated listing) and /dumps/SHA256SUMS: change with the version."""
SPARQL = Family("sparql", QUERY_EXPOSE, QUERY_PREFLIGHT, ("Accept",), Caching.REVALIDATE)
"""/sparql: the protocol, the service description and the query page."""
FRAGMENTS = Family("fragments", DOCUMENT_EXPOSE, READ_PREFLIGHT, ("Accept",), Caching.LONG)
"""/fragments: Triple/Quad Pattern Fragment pages, open to every origin, kept a day by caches."""
ERRORS = Family("errors", DOCUMENT_EXPOSE, None, ("Accept",), Caching.NONE)
"""Error answers outside a family's own (404 of unknown paths, 405, 500)."""
STATIC = Family("static", None, None, (), Caching.NONE)
"""/static/: stylesheets and scripts of the pages."""
HEALTH = Family("health", None, None, (), Caching.NONE)
"""/health: for load balancers."""

FAMILIES: tuple[Family, ...] = (
    DOCUMENTS,
    REDIRECTS,
    PAGES,
    DISCOVERY,
    DUMP_FILES,
    DUMP_ALIASES,
    DUMP_INDEX,
    SPARQL,
    FRAGMENTS,
    ERRORS,
    STATIC,
    HEALTH,
)


def link_header(links: Iterable[Link]) -> str:
    """`<url>; rel="…"; type="…"` entries, comma-separated: the one way a Link is written."""
    return ", ".join(
        f'<{url}>; rel="{rel}"' + (f'; type="{media_type}"' if media_type else "")
        for url, rel, media_type in links
    )


def format_links(
    base: str, formats: Sequence[Format], rel: str = "alternate", canonical: bool = False
) -> str:
    """The Link to each format-specific URL of a resource (`base` + `.ext`) and, with
    `canonical`, to the generic URL; `base` may hold nginx variables."""
    links: list[Link] = [(f"{base}.{fmt.extension}", rel, fmt.media_type) for fmt in formats]
    if canonical:
        links.append((base, "canonical", None))
    return link_header(links)
