"""The static export: every URL the dynamic server answers with a document, written as a file.

The bytes come from the server itself (a `Fetch` asks it in-process, see publisher.export.build),
so a file is exactly the body the dynamic server sends for its URL and origin. This module
decides which URLs there are and where each one goes, checks that nginx will label each file as
the dynamic server labels the answer, writes pre-compressed twins for `gzip_static`, gives every
file the dataset's modification time (nginx's Last-Modified and ETag then match across
exports), and swaps the finished tree into place so a served export is never half written.

Layout of OUT/:

    nginx.conf  conneg.conf  site.conf   the nginx configuration (publisher.export.nginx)
    export.json                          what was exported: origin, version, counts
    site/                                the document root
        doc/{path}.{ttl,jsonld,nt,nq,rdf}  doc/{path}.{lang}.html    a thing's documents
        def/{name}.{ext}  def/{name}.{lang}.html                     the ontologies
        {path}.{ext}  {path}.{lang}.html     documents at their own IRI (`card`, decision 0011)
                                             (paths percent-decoded, as nginx looks them up)
        context.jsonld  void.{ext}  validation.{ext}  sitemap.xml  robots.txt  health.json
                                             (void.{lang}.html, validation.{lang}.html)
        dumps/{files}  dumps/SHA256SUMS  dumps/index.{json,txt}  dumps/index.{lang}.html
        _pages/{index,concepts,sparql,search,fragments,404}.{lang}.html   no file URL
        static/…                                                  stylesheets, scripts
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote

from publisher import __version__
from publisher.dataset import Dataset
from publisher.discovery.dumps import CHECKSUMS_NAME, DUMPS_PATH, DumpFile, gzip_bytes
from publisher.documents.cache import GZIP_MINIMUM
from publisher.errors import PublisherError
from publisher.export.nginx import NginxSite, content_type, render_nginx
from publisher.formats import HTML, Format

SITE_DIR = "site"
MANIFEST_NAME = "export.json"
NGINX_FILES = ("nginx.conf", "conneg.conf", "site.conf")
PAGES_DIR = "_pages"
COMPRESSIBLE = frozenset({"ttl", "jsonld", "nt", "nq", "rdf", "trig", "html", "json", "txt"})
COMPRESSIBLE |= {"xml", "css", "js", "svg"}
NOT_PRECOMPRESSED = (DUMPS_PATH, f"{PAGES_DIR}/404.")
"""Dumps are sent as they are (the dynamic server does not compress them either); the 404 page
is rewritten by nginx's sub_filter, which cannot work on compressed bytes."""


class ExportError(PublisherError):
    """The export could not be written, or the server answered a URL it should have served."""


@dataclass(frozen=True)
class Answer:
    """What the server answered: status, headers (lower-case names) and body."""

    status: int
    headers: Mapping[str, str]
    body: bytes


Fetch = Callable[[str, str], Answer]
"""`fetch(target, accept)`: GET a server-relative target (path and query) with that Accept."""


@dataclass(frozen=True)
class Item:
    """One URL of the dynamic server and the file its answer goes to (relative to site/).

    `family` says which nginx locations serve it (`document`: every textual format has a
    charset; `files`: only text/*), `extension` how nginx types it (default: the file's);
    an `optional` item may answer 404 (no validation report without shapes) and is then left out.
    """

    target: str
    accept: str
    file: str
    family: str = "document"
    extension: str | None = None
    optional: bool = False

    @property
    def type_extension(self) -> str:
        return self.extension or PurePosixPath(self.file).suffix.lstrip(".")


@dataclass
class ExportSummary:
    """What an export wrote, for the command's last line and for tests."""

    out: Path
    origin: str
    version: str
    things: int = 0
    files: int = 0
    compressed: int = 0
    bytes: int = 0
    skipped: list[str] = field(default_factory=list)

    def manifest(self) -> dict[str, object]:
        """export.json: nothing in it depends on when or where the export ran."""
        return {
            "generator": f"publisher {__version__}",
            "origin": self.origin,
            "version": self.version,
            "things": self.things,
            "files": self.files,
            "compressed": self.compressed,
            "bytes": self.bytes,
            "skipped": self.skipped,
        }


def file_path(path: str) -> str | None:
    """`person/x` as a relative file path, or None when it cannot be one safely (`..`, empty
    segments, control characters): such a path could write outside the export."""
    parts = path.split("/")
    if any(p in ("", ".", "..") or "\\" in p or not p.isprintable() for p in parts):
        return None
    return path


def _target(path: str) -> str:
    """A URL path as a client sends it (percent-encoded where it must be)."""
    return quote(path, safe="/:@!$&'()*+,;=-._~")


def document_items(
    kind: str, paths: Iterable[str], formats: Sequence[Format], languages: Sequence[str]
) -> Iterator[Item]:
    """Every format of every document under /doc/ or /def/ (`kind`), or served at its own IRI
    (`kind` empty: a hash document, a vocabulary at its namespace); HTML once per language."""
    folder = f"{kind}/" if kind else ""
    for path in sorted(paths):
        name = _on_disk(path)
        for fmt in formats:
            if fmt is HTML:
                for lang in languages:
                    target = f"/{folder}{_target(path)}.{fmt.extension}?lang={lang}"
                    yield Item(target, fmt.media_type, f"{folder}{name}.{lang}.{fmt.extension}")
            else:
                target = f"/{folder}{_target(path)}.{fmt.extension}"
                yield Item(target, fmt.media_type, f"{folder}{name}.{fmt.extension}")


def _on_disk(path: str) -> str:
    """The file name of a document path: as nginx decodes a request for it (`ren%C3%A9e` →
    `renée`), so that nginx finds the file it looks for; as written when decoding it would
    make an unsafe path (`%2E%2E`)."""
    decoded = unquote(path)
    return decoded if file_path(decoded) else path


def description_items(
    stem: str, formats: Sequence[Format], languages: Sequence[str], *, optional: bool = False
) -> Iterator[Item]:
    """`/void.ttl`, `/validation.html`, …: resources that come in every format, HTML once
    per page language (`void.en.html`: the live server writes it in the reader's language)."""
    for fmt in formats:
        if fmt is HTML:
            for lang in languages:
                target = f"/{stem}.{fmt.extension}?lang={lang}"
                file = f"{stem}.{lang}.{fmt.extension}"
                yield Item(target, fmt.media_type, file, "files", optional=optional)
        else:
            file = f"{stem}.{fmt.extension}"
            yield Item(f"/{file}", fmt.media_type, file, "files", optional=optional)


def page_items(pages: Mapping[str, str], languages: Sequence[str]) -> Iterator[Item]:
    """HTML pages at a path with no extension, once per language, under _pages/."""
    for path, name in pages.items():
        for lang in languages:
            yield Item(f"{path}?lang={lang}", HTML.media_type, f"{PAGES_DIR}/{name}.{lang}.html")


def listing_items(listing_formats: Sequence[Format], languages: Sequence[str]) -> Iterator[Item]:
    """The /dumps/ index in each of its formats (`index.json`, `index.txt`, and
    `index.{lang}.html` once per page language)."""
    for fmt in listing_formats:
        if fmt is HTML:
            for lang in languages:
                file = f"{DUMPS_PATH}index.{lang}.{fmt.extension}"
                yield Item(f"/{DUMPS_PATH}?lang={lang}", fmt.media_type, file, "files")
        else:
            file = f"{DUMPS_PATH}index.{fmt.extension}"
            yield Item(f"/{DUMPS_PATH}", fmt.media_type, file, "files")


def dump_items(dumps: Iterable[DumpFile]) -> Iterator[Item]:
    """The dump files and SHA256SUMS (served as text/plain though it has no extension)."""
    for dump in dumps:
        yield Item(f"/{DUMPS_PATH}{dump.name}", "*/*", f"{DUMPS_PATH}{dump.name}", "files")
    checksums = f"{DUMPS_PATH}{CHECKSUMS_NAME}"
    yield Item(f"/{checksums}", "*/*", checksums, "files", extension="txt")


class SiteWriter:
    """Builds an export in a staging folder next to OUT, then swaps it into place."""

    def __init__(self, out: Path, site: NginxSite, dataset: Dataset) -> None:
        self.out = out.resolve()
        self.site = site
        self.mtime = dataset.modified.timestamp()
        self.summary = ExportSummary(self.out, site.origin, dataset.version)
        _check_replaceable(self.out)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.", dir=self.out.parent))
        self.root = self.staging / SITE_DIR
        self.written: set[str] = set()

    def __enter__(self) -> SiteWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)  # gone already when finished

    def fetch(self, fetch: Fetch, items: Iterable[Item]) -> None:
        """Ask the server for each item and write the answer, after checking it is the
        document nginx will serve under that name and type."""
        for item in items:
            answer = fetch(item.target, item.accept)
            if answer.status == 404 and item.optional:
                continue
            if answer.status != 200:
                raise ExportError(
                    f"{item.target} (Accept: {item.accept}) answered {answer.status}; "
                    "every exported URL must answer 200"
                )
            expected = content_type(self.site, item.type_extension, item.family)
            sent = answer.headers.get("content-type", "")
            if sent.replace(" ", "").lower() != expected.replace(" ", "").lower():
                raise ExportError(
                    f"{item.target} is {sent!r} on the dynamic server but nginx would send "
                    f"{expected!r} for {item.file}"
                )
            self.add(item.file, answer.body)

    def add(self, file: str, body: bytes) -> None:
        """Write one file of the site (and its gzip twin when worth it)."""
        if file in self.written:
            raise ExportError(f"two URLs of the export would both be written to {file}")
        self.written.add(file)
        path = self.root / file
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._write(path, body)
            if _worth_compressing(file, body):
                self._write(path.with_name(path.name + ".gz"), gzip_bytes(body))
                self.summary.compressed += 1
        except OSError as error:
            raise ExportError(f"cannot write {path}: {error.strerror or error}") from error
        self.summary.files += 1
        self.summary.bytes += len(body)

    def copy(self, source: Path, file: str) -> None:
        self.add(file, source.read_bytes())

    def finish(self) -> ExportSummary:
        """Write the nginx configuration and export.json, then put the tree at OUT."""
        for name, text in render_nginx(self.site).items():
            (self.staging / name).write_text(text, encoding="utf-8")
        manifest = json.dumps(self.summary.manifest(), indent=2, sort_keys=True) + "\n"
        (self.staging / MANIFEST_NAME).write_text(manifest, encoding="utf-8")
        os.chmod(self.staging, 0o755)  # mkdtemp made it private; nginx workers must read it
        _swap(self.staging, self.out)
        return self.summary

    def _write(self, path: Path, body: bytes) -> None:
        path.write_bytes(body)
        os.utime(path, (self.mtime, self.mtime))


def _worth_compressing(file: str, body: bytes) -> bool:
    """What the dynamic server sends gzip-encoded is pre-compressed for nginx's gzip_static."""
    extension = PurePosixPath(file).suffix.lstrip(".")
    return (
        len(body) >= GZIP_MINIMUM
        and extension in COMPRESSIBLE
        and not file.startswith(NOT_PRECOMPRESSED)
    )


def _check_replaceable(out: Path) -> None:
    """OUT may be missing, empty, or an earlier export; anything else is refused."""
    if not out.exists():
        return
    if not out.is_dir():
        raise ExportError(f"{out} exists and is not a folder")
    if any(out.iterdir()) and not (out / MANIFEST_NAME).is_file():
        raise ExportError(
            f"{out} is not empty and holds no earlier export ({MANIFEST_NAME}); "
            "choose an empty or new folder"
        )


def _swap(staging: Path, out: Path) -> None:
    """Replace OUT by the staging folder with two renames (same parent, same file system)."""
    old: Path | None = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
        old.rmdir()
        out.rename(old)
    staging.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
