"""The nginx configuration of a static export: the dynamic server's HTTP contract as `map`s.

nginx has no Accept parsing, so the negotiation is written out as chained `map` blocks that
compute what `publisher.negotiation.negotiate` and `publisher.i18n.choose_language` compute:

1. per media range (`text/turtle`, `application/xml`, `text/*`, `*/*`, …) a regex finds the
   range in `Accept` and a second map turns its `q` into four digits (`1000`, `0900`, `0135`);
2. per format, the q of the most specific range that names it: the media type, then an alias
   named exactly, then `type/*`, then `*/*` (python-mimeparse's fitness order);
3. a knockout over the formats in our order of preference: each round compares two four-digit
   q strings with a regex (a back-reference finds the first digit where they differ), and a tie
   keeps the earlier format, as `negotiate` does; a winner with q 0 means 406.

Languages work the same way over `Accept-Language`, except that ties go to the range listed first,
as `choose_language` has it. What this cannot reproduce is listed in docs/agents/README-export.md.

Variables are prefixed `pub_`. `conneg.conf` (maps only, the same for every export with the same
formats and languages) goes once in `http {}`; `site.conf` holds the server block of one export.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2

from publisher import __version__, headers
from publisher.discovery.dumps import DumpFile
from publisher.errors import PublisherError
from publisher.formats import HTML, TURTLE, Format
from publisher.headers import Family, format_links, link_header

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

ZERO = "0000"
ONE = "1000"
ABSENT = ""

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


@dataclass(frozen=True)
class Map:
    """One nginx `map`: entries are tried in order (regexes start with `~`)."""

    source: str
    variable: str
    default: str
    entries: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Negotiation:
    """A choice among formats by `Accept`; `$pub_{name}_variant` is the chosen extension
    (empty when nothing is acceptable)."""

    name: str
    formats: tuple[Format, ...]

    @property
    def variable(self) -> str:
        return f"pub_{self.name}_variant"


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

    def __post_init__(self) -> None:
        for name, pattern in _SAFE_VALUES.items():
            value = getattr(self, name)
            if value is not None and not re.fullmatch(pattern, value):
                raise NginxConfigError(
                    f"{name} {value!r} cannot be written into an nginx configuration "
                    "(no quotes, `$`, `;` or braces; root must be an absolute path)"
                )


def _quote(value: str) -> str:
    """An nginx string in double quotes; the config parser treats `\\"` and `\\\\` as escapes,
    which no value we write needs."""
    if '"' in value or "\\\\" in value:
        raise ValueError(f"cannot write {value!r} as an nginx string")
    return f'"{value}"'


def _slug(media_range: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", media_range.lower().replace("*", "any")).strip("_")


# --- q-values ----------------------------------------------------------------------------------

# A parameter list (`;q=0.5;level=1`) → the q as four digits. python-mimeparse reads an invalid q
# as 1; choose_language reads it as 0 (see `_q_entries`).
_Q = r";\s*q\s*=\s*"


def _q_entries(absent: str, invalid: str) -> tuple[tuple[str, str], ...]:
    return (
        (ABSENT, absent),
        (rf"~*{_Q}0\.(\d)(\d)(\d)", "0$1$2$3"),
        (rf"~*{_Q}0\.(\d)(\d)", "0$1$20"),  # `$20` is capture 2, then a literal 0
        (rf"~*{_Q}0\.(\d)", "0$100"),
        (rf"~*{_Q}0\.?\s*(?:;|$)", ZERO),
        (rf"~*{_Q}1(?:\.0*)?\s*(?:;|$)", ONE),
        (rf"~*{_Q}[1-9]", ONE),  # above 1: mimeparse says 1, choose_language clamps to 1
        (rf"~*{_Q}", invalid),
    )


def _range_maps(header: str, media_range: str, pattern: str, prefix: str) -> list[Map]:
    """Two maps: the parameters of the first range `pattern` in `header` (empty when absent),
    then their q as four digits. An absent media range has no q (`""`: the format's q then
    comes from a less specific range); an absent language has q 0."""
    slug = f"{prefix}_{_slug(media_range)}"
    found = (rf"~*(?:^|,)\s*{pattern}\s*(;[^,]*)?(?:,|$)", ";$1")
    entries = [found]
    if media_range == "*/*":
        # No Accept, or no well-formed range in it, counts as */* (see negotiation.py).
        entries = [(ABSENT, ";"), (r"~^[^/]*$", ";"), found]
    return [
        Map(f"$http_{header}", f"pub_r_{slug}", ABSENT, tuple(entries)),
        Map(
            f"$pub_r_{slug}",
            f"pub_q_{slug}",
            ONE,
            _q_entries(ABSENT, ONE) if header == "accept" else _q_entries(ZERO, ZERO),
        ),
    ]


def _compare(a: str, b: str, variable: str) -> Map:
    """`1` when the four-digit q `a` is above `b`, `=` when equal, `0` below. The
    back-reference makes `(\\d*)` the common prefix, so the next digits are the first to
    differ."""
    entries = [(r"~^(\d{4}):\1$", "=")]
    entries += [(rf"~^(\d*){d}\d*:\1[0-{d - 1}]", "1") for d in range(9, 0, -1)]
    return Map(f"{a}:{b}", variable, "0", tuple(entries))


# --- media types -------------------------------------------------------------------------------


def _media_ranges(formats: Iterable[Format]) -> list[str]:
    """Every range whose q matters for `formats`, most specific first."""
    ranges: list[str] = []
    for fmt in formats:
        ranges += [fmt.media_type, *fmt.aliases, fmt.media_type.split("/")[0] + "/*"]
    ranges.append("*/*")
    return list(dict.fromkeys(ranges))


def _format_q(fmt: Format, name: str) -> Map:
    """The q of `fmt`: from its media type, else an alias named exactly, else `type/*`, else
    `*/*` — the first non-empty of the range qs, in python-mimeparse's fitness order."""
    ranges = [fmt.media_type, *fmt.aliases, fmt.media_type.split("/")[0] + "/*", "*/*"]
    source = "|".join(f"$pub_q_a_{_slug(r)}" for r in ranges)
    return Map(source, f"pub_{name}_q_{fmt.extension}", ZERO, ((r"~^\|*(\d{4})", "$1"),))


def negotiation_maps(negotiation: Negotiation) -> list[Map]:
    """The knockout over `negotiation.formats` (in preference order; ties keep the earlier)."""
    name, formats = negotiation.name, negotiation.formats
    maps = [_format_q(fmt, name) for fmt in formats]
    winner, winner_q = formats[0].extension, f"$pub_{name}_q_{formats[0].extension}"
    for n, fmt in enumerate(formats[1:], start=1):
        compared = f"pub_{name}_cmp_{n}"
        maps.append(_compare(winner_q, f"$pub_{name}_q_{fmt.extension}", compared))
        keep = (("1", winner), ("=", winner))
        keep_q = (("1", winner_q), ("=", winner_q))
        maps.append(Map(f"${compared}", f"pub_{name}_win_{n}", fmt.extension, keep))
        maps.append(
            Map(f"${compared}", f"pub_{name}_winq_{n}", f"$pub_{name}_q_{fmt.extension}", keep_q)
        )
        winner, winner_q = f"$pub_{name}_win_{n}", f"$pub_{name}_winq_{n}"
    maps.append(Map(winner_q, negotiation.variable, winner, ((ZERO, ABSENT),)))
    return maps


# --- languages ---------------------------------------------------------------------------------


def language_maps(languages: Sequence[str]) -> list[Map]:
    """`$pub_lang_arg` (`?lang=`), `$pub_lang_pref` (Accept-Language; empty: no preference, or
    `*` won) and `$pub_page_lang`, which falls back to `$pub_default_lang` (set per server)."""
    maps: list[Map] = []
    for lang in languages:
        maps += _range_maps("accept_language", lang, rf"{lang}(?:-[a-z0-9]*)*", "l")
    maps += _range_maps("accept_language", "*", r"\*", "l")
    alternatives = "|".join([*languages, r"\*"])
    maps.append(
        Map(
            "$http_accept_language",
            "pub_lang_first_raw",
            ABSENT,
            ((rf"~*^(?:[^,]*,)*?\s*({alternatives})(?:-[a-z0-9]*)*\s*(?:;|,|$)", "$1"),),
        )
    )
    first = tuple((f"~*^{lang}$", lang) for lang in languages) + (("*", "*"),)
    maps.append(Map("$pub_lang_first_raw", "pub_lang_first", ABSENT, first))
    # Knockout: languages in order, then `*` (which stands for the default language, "").
    candidates = [(lang, f"$pub_q_l_{_slug(lang)}") for lang in languages]
    candidates.append(("", "$pub_q_l_any"))
    winner, winner_q = candidates[0][0], candidates[0][1]
    for n, (lang, q) in enumerate(candidates[1:], start=1):
        compared = f"pub_lang_cmp_{n}"
        maps.append(_compare(winner_q, q, compared))
        # A tie goes to the one listed first (when it is this challenger).
        first = lang or "*"
        won = (
            ("~^1", winner),
            (f"=|{first}", lang),
            ("~^=", winner),
        )
        won_q = (("~^1", winner_q), (f"=|{first}", q), ("~^=", winner_q))
        maps.append(Map(f"${compared}|$pub_lang_first", f"pub_lang_win_{n}", lang, won))
        maps.append(Map(f"${compared}|$pub_lang_first", f"pub_lang_winq_{n}", q, won_q))
        winner, winner_q = f"$pub_lang_win_{n}", f"$pub_lang_winq_{n}"
    maps.append(Map(winner_q, "pub_lang_pref", winner, ((ZERO, ABSENT),)))
    arg = tuple((f"~*^{lang}(?:[-_]|$)", lang) for lang in languages)
    maps.append(Map("$arg_lang", "pub_lang_arg", ABSENT, arg))
    maps.append(
        Map(
            "$pub_lang_arg|$pub_lang_pref",
            "pub_page_lang",
            "$pub_default_lang",
            ((r"~^([^|]+)\|", "$1"), (r"~^\|(.+)$", "$1")),
        )
    )
    return maps


# --- the configuration -------------------------------------------------------------------------


def document_negotiation(site: NginxSite) -> Negotiation:
    return Negotiation("doc", site.document_formats)


def listing_negotiation(site: NginxSite) -> Negotiation:
    return Negotiation("listing", site.listing_formats)


def conneg_maps(site: NginxSite) -> list[Map]:
    """Every map of conneg.conf, in dependency order (nginx does not care; readers do)."""
    negotiations = [document_negotiation(site), listing_negotiation(site)]
    maps: list[Map] = []
    for media_range in _media_ranges(f for n in negotiations for f in n.formats):
        pattern = re.escape(media_range)
        maps += _range_maps("accept", media_range, pattern, "a")
    for negotiation in negotiations:
        maps += negotiation_maps(negotiation)
    maps += language_maps(site.languages)
    return maps


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
    the generic document (as publisher.web.routes.resources sends it)."""
    base = "${pub_origin}${pub_kind}/${pub_stem}"
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
        "maps": conneg_maps(site),
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
    }
    return {
        name: env.get_template(f"{name}.j2").render(context)
        for name in ("conneg.conf", "site.conf", "nginx.conf")
    }
