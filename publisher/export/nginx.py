"""The nginx configuration of a static export: the dynamic server's HTTP contract, written out.

The headers of each location come from the family table (publisher.headers), the content
negotiation from `map`s (publisher.export.conneg). `conneg.conf` (maps only, the same for every
export with the same formats and languages) goes once in `http {}`; `site.conf` holds the server
block of one export; `nginx.conf` is a complete configuration that includes both.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote, unquote

import jinja2

from publisher import __version__, headers
from publisher.discovery.dumps import DumpFile
from publisher.errors import PublisherError
from publisher.export.conneg import Negotiation, conneg_maps
from publisher.formats import HTML, TURTLE, Format
from publisher.headers import Family, format_links, link_header

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

REQUESTED_HEADERS = "$pub_requested_headers"
"""The headers a preflight asks for (conneg.conf): what an echoing preflight allows."""
FAMILIES = {
    "documents": headers.DOCUMENTS,
    "redirects": headers.REDIRECTS,
    "pages": headers.PAGES,
    "discovery": headers.DISCOVERY,
    "dump_files": headers.DUMP_FILES,
    "dump_aliases": headers.DUMP_ALIASES,
    "dump_index": headers.DUMP_INDEX,
    "sparql": headers.SPARQL,
    "fragments": headers.FRAGMENTS,
    "errors": headers.ERRORS,
}
"""The families of publisher.headers whose URLs the export serves, by template name."""

# Extensions of the files an export writes, beyond those of the document formats.
EXTRA_TYPES: dict[str, str] = {
    "json": "application/json",
    "txt": "text/plain",
    "xml": "application/xml",
    "gz": "application/gzip",
    "trig": "application/trig",
    "css": "text/css",
    "js": "text/javascript",
    "svg": "image/svg+xml",
    "png": "image/png",
    "ico": "image/x-icon",
}
NOT_FOUND_PLACEHOLDER = "/__publisher_not_found__"
"""The path the static 404 page is rendered with; nginx puts the requested path in its place."""
SAFE_PATH = r"[A-Za-z0-9/._~%!()*+,;=:@-]"
"""Characters a request path may have to be echoed in a JSON or HTML error: no quote, no `<`,
no `&`, no backslash (anything else is replaced by a neutral text)."""


class NginxConfigError(PublisherError):
    """A value that cannot be written into an nginx configuration safely."""


# What each value may hold: nothing that ends an nginx string (quotes: Link headers are
# single-quoted) or starts a variable (`$`).
_SAFE_VALUES = {
    "origin": r"https?://[A-Za-z0-9._~:@!&()*+,;=%/\[\]-]+/",
    "root": r"/[^\"'\\$;{}\n\r\t]*",
    "listen": r"[A-Za-z0-9._:\[\]*-]+",
    "server_name": r"[A-Za-z0-9._*~:\[\]-]+",
    "sparql_endpoint": r"https?://[A-Za-z0-9._~:@!&()*+,;=%/?\[\]-]+",
}

_MOVED_PATH = r"/[A-Za-z0-9._~:@!&()*+,=%/\[\]-]+"
_DATA_PATH = r"[^\x00-\x20\x7f\"'\\{};$]+"
"""A data IRI's path written as an nginx map key or location: no space, quote, backslash,
brace, `;` or `$` (an IRI has none of them; a path that does is refused, not mangled)."""
_LINK_VALUE = r"[^\x00-\x1f\x7f'\\$]+"
MAP_SPECIAL = frozenset({"default", "hostnames", "include", "volatile"})
"""Map keys nginx reads as parameters: a path spelled like one is written with a `\\`."""
LANG_PLACEHOLDER = "__PUB_PAGE_LANG__"
"""Stands for the page language in `page_links`; written as `$pub_page_lang`."""
_MOVED_TARGET = r"https?://[A-Za-z0-9._~:@!&()*+,=%/?#\[\]-]+"


@dataclass(frozen=True)
class NginxSite:
    """Everything the server block of one export depends on."""

    origin: str
    root: str
    listen: str
    server_name: str
    languages: tuple[str, ...]
    default_language: str
    max_age: int
    document_formats: tuple[Format, ...]
    listing_formats: tuple[Format, ...]
    dumps: tuple[DumpFile, ...] = ()
    checksums_name: str = "SHA256SUMS"
    checksums_sha256: str | None = None
    sparql_endpoint: str | None = None
    pages: tuple[tuple[str, str], ...] = (("/", "index"),)
    """(path, name) of the pages of the page table the export renders (`_pages/{name}.{lang}`)."""
    moved: tuple[tuple[str, str], ...] = ()
    """(server path, absolute URL): moved IRIs and their documents, answered with 301."""
    own_documents: tuple[str, ...] = ()
    """Paths (no leading slash, as the data writes them) of the documents served at their own
    IRI: hash documents (`card`) and vocabularies at their namespace (decision 0011)."""
    slash_things: tuple[str, ...] = ()
    """Paths of the slash IRIs outside `/id/` (`bob`): `/bob` answers 303 to `/doc/bob.{ext}`."""
    spelled: tuple[str, ...] = ()
    """Paths of documents and things (as the data writes them) that nginx sees decoded
    otherwise than a header must write them (`zoë`, `ren%C3%A9e`): see `header_paths`."""
    page_links: tuple[tuple[str, str], ...] = ()
    """(page path, its `Link` header, with LANG_PLACEHOLDER for the page's language): the
    `rel="prev"`/`"next"` of class pages, as publisher.web.routes.pages sends them."""

    def __post_init__(self) -> None:
        for name, pattern in _SAFE_VALUES.items():
            value = getattr(self, name)
            if value is not None and not re.fullmatch(pattern, value):
                raise NginxConfigError(
                    f"{name} {value!r} cannot be written into an nginx configuration "
                    "(no quotes, `$`, `;` or braces; root must be an absolute path)"
                )
        for path, target in self.moved:
            if not re.fullmatch(_MOVED_PATH, path) or not re.fullmatch(_MOVED_TARGET, target):
                raise NginxConfigError(
                    f"moved IRI {path!r} -> {target!r} cannot be written into an nginx "
                    "configuration (no spaces, quotes, `$`, `;` or braces)"
                )
        for path in (*self.own_documents, *self.slash_things, *self.spelled):
            if not re.fullmatch(_DATA_PATH, path):
                raise NginxConfigError(
                    f"the data's IRI path {path!r} cannot be written into an nginx "
                    "configuration (no spaces, quotes, backslashes, `$`, `;` or braces)"
                )
        for path, link in self.page_links:
            if not re.fullmatch(_LINK_VALUE, link):
                raise NginxConfigError(
                    f"the Link header of {path!r} cannot be written into an nginx "
                    "configuration (no quotes, backslashes or `$`)"
                )

    @property
    def map_suffix(self) -> str:
        """Names this export's own `map` variables: several exports may share one `http {}`
        (maps live there), each with its own documents."""
        key = f"{self.origin}|{self.listen}|{self.root}".encode()
        return hashlib.sha256(key).hexdigest()[:10]

    def header_paths(self) -> list[tuple[str, str]]:
        """(the path as nginx decodes it, as the live server writes it in a header): its URLs
        have the path percent-encoded beyond ASCII, whatever the client sent."""
        seen: dict[bytes, tuple[str, str]] = {}
        for path in self.spelled:
            decoded, written = unquote(path), header_path(path)
            if decoded != written:
                seen.setdefault(decoded.encode().lower(), (_map_key(decoded), written))
        return sorted(seen.values())

    def root_shapes(self) -> list[tuple[str, str]]:
        """(map key, `doc` or `thing`) of every data IRI answered at its own path. nginx
        matches map strings ignoring case: keys are kept once per spelling in any case (a file
        test in the location then checks the exact one), and keys spelled like a map
        parameter or a regex are escaped."""
        seen: dict[str, tuple[str, str]] = {}
        shapes = [(p, "doc") for p in self.own_documents] + [
            (p, "thing") for p in self.slash_things
        ]
        for path, shape in shapes:
            key = _map_key(unquote(path))
            seen.setdefault(f"{shape}|{key.encode().lower()!r}", (key, shape))
        return sorted(seen.values())

    def exact_iris(self) -> list[str]:
        """Data IRIs whose path ends like a format's URL (`notes.ttl`): an exact location makes
        the IRI win over `notes` in Turtle, as on the live server."""
        extensions = tuple(f".{fmt.extension}" for fmt in self.document_formats)
        return sorted(
            p for p in (*self.own_documents, *self.slash_things) if p.endswith(extensions)
        )

    def link_of_page(self, path: str) -> str | None:
        """The `Link` of the page at `path`, with nginx's page-language variable."""
        link = dict(self.page_links).get(path)
        return None if link is None else link.replace(LANG_PLACEHOLDER, "$pub_page_lang")


def _map_key(path: str) -> str:
    """`path` as a `map` string: one spelled like a map parameter or a regex is escaped."""
    return "\\" + path if path in MAP_SPECIAL or path.startswith("~") else path


_NOT_ASCII = re.compile(r"[^\x21-\x7e]+")


def header_path(path: str) -> str:
    """A path as the live server writes it in a URL of a header (publisher.web.routes.
    resources): characters beyond ASCII percent-encoded as UTF-8, the rest as it is."""
    return _NOT_ASCII.sub(lambda found: quote(found.group()), path)


def _quote(value: str) -> str:
    """An nginx string in double quotes; the config parser treats `\\"` and `\\\\` as escapes,
    which no value we write needs."""
    if '"' in value or "\\\\" in value:
        raise ValueError(f"cannot write {value!r} as an nginx string")
    return f'"{value}"'


# --- the configuration -------------------------------------------------------------------------


def document_negotiation(site: NginxSite) -> Negotiation:
    return Negotiation("doc", site.document_formats)


def listing_negotiation(site: NginxSite) -> Negotiation:
    return Negotiation("listing", site.listing_formats)


def types(site: NginxSite) -> dict[str, str]:
    """Extension → media type for every file of an export (the `types {}` of the server)."""
    table = dict(EXTRA_TYPES)
    for fmt in (*site.document_formats, *site.listing_formats):
        table[fmt.extension] = fmt.media_type
    return dict(sorted(table.items()))


def charset_types(formats: Iterable[Format]) -> list[str]:
    """Media types sent with `; charset=utf-8` in the document locations: every format's."""
    # text/html is always in nginx's charset_types; naming it again draws a warning.
    return sorted(
        ({fmt.media_type for fmt in formats} | {"text/plain", "text/css"}) - {"text/html"}
    )


def text_charset_types(site: NginxSite) -> list[str]:
    """Media types sent with a charset in the file locations (dumps, VoID, sitemap): only
    `text/*`, as Starlette does for the responses the dynamic server builds there."""
    return sorted({t for t in types(site).values() if t.startswith("text/")} - {"text/html"})


def content_type(site: NginxSite, extension: str, family: str) -> str:
    """The Content-Type nginx sends for a file with `extension` in `family` (`document` or
    `files`); the export checks it against what the dynamic server sent."""
    media = types(site).get(extension, "application/octet-stream")
    with_charset = (
        charset_types(site.document_formats) if family == "document" else text_charset_types(site)
    )
    # nginx always adds the charset to text/html.
    return f"{media}; charset=utf-8" if media in {*with_charset, "text/html"} else media


def variant_links(formats: Sequence[Format]) -> dict[str, str]:
    """Extension → the `Link` of a negotiated document in that format: the other formats and
    the generic document (as publisher.web.routes.resources sends it); each negotiating
    location sets `$pub_doc_path` (`doc/x`, `def/x`, or `card` for a document at its IRI)."""
    base = "${pub_origin}${pub_doc_path}"
    return {
        current.extension: format_links(base, [f for f in formats if f != current], canonical=True)
        for current in formats
    }


def alternates_link(formats: Sequence[Format], base: str, one_url: bool = False) -> str:
    """The `Link` of a 406: every format, at `base` + `.ext` (or all at `base`)."""
    return link_header(
        (base if one_url else f"{base}.{f.extension}", "alternate", f.media_type) for f in formats
    )


def described_by(origin: str) -> str:
    """The `Link` from a dump file to the VoID description that lists it."""
    return link_header([(f"{origin}.well-known/void", "describedby", TURTLE.media_type)])


def preflight_headers(family: Family) -> dict[str, str]:
    """What an OPTIONS request to `family` answers (nothing: no preflight); an echoing
    preflight allows the headers asked for, through a conneg.conf map."""
    if family.preflight is None:
        return {}
    out = family.preflight.headers()
    if family.preflight.echo:
        out["Access-Control-Allow-Headers"] = REQUESTED_HEADERS
    return out


def negotiated_vary(family: Family, localized: bool = False) -> str:
    """The Vary of a negotiated answer of `family` (in a page language: Accept-Language too)."""
    return ", ".join((*family.vary, "Accept-Language") if localized else family.vary)


def repr_digest(sha256: str) -> str:
    """`sha-256=:…:` (RFC 9530) from a hex digest, as the dynamic server sends it."""
    return f"sha-256=:{base64.b64encode(bytes.fromhex(sha256)).decode()}:"


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=False,  # nginx syntax, not HTML; values go through `q` (quote) instead
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["q"] = _quote
    return env


def render_nginx(site: NginxSite) -> dict[str, str]:
    """The three files: `conneg.conf` (maps, once per `http {}`), `site.conf` (the server
    block) and `nginx.conf` (a complete configuration that includes both)."""
    env = _environment()
    doc, listing = document_negotiation(site), listing_negotiation(site)
    context = {
        "site": site,
        "version": __version__,
        "maps": conneg_maps((doc, listing), site.languages),
        "doc": doc,
        "listing": listing,
        "html": HTML,
        "types": types(site),
        "charset_types": charset_types(site.document_formats),
        "text_charset_types": text_charset_types(site),
        "format_links": format_links,
        "alternates_link": alternates_link,
        "described_by": described_by(site.origin),
        "doc_links": variant_links(site.document_formats),
        "repr_digest": repr_digest,
        "families": FAMILIES,
        "preflight_headers": preflight_headers,
        "negotiated_vary": negotiated_vary,
        "default_requested_headers": ", ".join(headers.QUERY_PREFLIGHT.allow_headers),
        "not_found_placeholder": NOT_FOUND_PLACEHOLDER,
        "safe_path": SAFE_PATH,
        "security_headers": headers.SECURITY_HEADERS,
        "content_security_policy": headers.CONTENT_SECURITY_POLICY,
    }
    return {
        name: env.get_template(f"{name}.j2").render(context)
        for name in ("conneg.conf", "site.conf", "nginx.conf")
    }
