"""`publisher export`: the tree it writes, that its files are the dynamic server's bodies, that it
is deterministic, and that it never overwrites what is not an export.

The nginx side (the generated configuration served by real nginx) is tests/test_export_nginx.py.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest
from ld_support import make_client
from typer.testing import CliRunner

from publisher.cli import app as cli
from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.documents.describe import ontology_paths, thing_paths
from publisher.export.build import export_site
from publisher.export.nginx import NginxConfigError, NginxSite
from publisher.export.site import MANIFEST_NAME, ExportError, file_path
from publisher.formats import DOCUMENT_FORMATS, HTML, RDF_DOCUMENT_FORMATS
from publisher.i18n import LANGUAGES
from publisher.stores import open_dataset
from publisher.urls import Urls
from publisher.web.app import STATIC_DIR
from publisher.web.routes.dumps import LISTING_FORMATS

ORIGIN = "http://127.0.0.1:8765/"
FIXTURES = Path(__file__).parent / "fixtures" / "dumps"
PERSON = "person/nasser-bourita"


def with_origin(settings: Settings, origin: str = ORIGIN) -> Settings:
    return Settings(**{**settings.model_dump(), "public_origin": origin})


def fixture_settings(**overrides: object) -> Settings:
    """The small dumps fixture (six things, shapes that pass): fast to export."""
    values: dict[str, object] = {
        "base_iri": "https://w3id.org/gcm-arab-review/",
        "data": [str(FIXTURES / "data.trig")],
        "ontology": [str(FIXTURES / "ontology.ttl")],
        "shapes": [str(FIXTURES / "shapes.ttl")],
        "public_origin": ORIGIN,
    }
    return Settings(**{**values, **overrides})  # type: ignore[arg-type]


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` by relative path."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def real_settings(settings: Settings) -> Settings:
    return with_origin(settings)


@pytest.fixture(scope="module")
def out(
    real_settings: Settings, dataset: Dataset, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The repository's dataset exported for ORIGIN."""
    folder = tmp_path_factory.mktemp("export") / "out"
    export_site(real_settings, dataset, folder)
    return folder


@pytest.fixture(scope="module")
def site(out: Path) -> Path:
    return out / "site"


# --- the tree ----------------------------------------------------------------------------------


def test_every_thing_has_every_document(site: Path, dataset: Dataset) -> None:
    urls = Urls(dataset.base_iri, ORIGIN)
    things = thing_paths(dataset, urls)
    assert PERSON in things and len(things) > 100
    for path in things:
        for fmt in RDF_DOCUMENT_FORMATS:
            assert (site / f"doc/{path}.{fmt.extension}").is_file(), (path, fmt.name)
        for lang in LANGUAGES:
            assert (site / f"doc/{path}.{lang}.html").is_file(), (path, lang)
    for path in ontology_paths(dataset, urls):
        for fmt in RDF_DOCUMENT_FORMATS:
            assert (site / f"def/{path}.{fmt.extension}").is_file()
        for lang in LANGUAGES:
            assert (site / f"def/{path}.{lang}.html").is_file()
    pages = [*(site / "doc").rglob("*.html"), *(site / "def").rglob("*.html")]
    assert [p for p in pages if not p.name.endswith((".ar.html", ".en.html"))] == []


def test_discovery_pages_dumps_and_configuration_are_written(out: Path, site: Path) -> None:
    expected = ["context.jsonld", "robots.txt", "sitemap.xml", "health.json"]
    for stem in ("void", "validation"):
        expected += [f"{stem}.{fmt.extension}" for fmt in DOCUMENT_FORMATS if fmt is not HTML]
        expected += [f"{stem}.{lang}.html" for lang in LANGUAGES]  # in the reader's language
    expected += [f"dumps/index.{fmt.extension}" for fmt in LISTING_FORMATS if fmt is not HTML]
    expected += [f"dumps/index.{lang}.html" for lang in LANGUAGES]
    expected += ["dumps/SHA256SUMS"]
    for name in ("index", "concepts", "sparql", "search", "fragments", "404"):
        expected += [f"_pages/{name}.{lang}.html" for lang in LANGUAGES]
    expected += [f"static/{p.name}" for p in STATIC_DIR.iterdir() if p.is_file()]
    assert [name for name in expected if not (site / name).is_file()] == []
    one_language = ["void.html", "validation.html", "dumps/index.html"]
    assert [name for name in one_language if (site / name).exists()] == []
    for name in ("nginx.conf", "conneg.conf", "site.conf", MANIFEST_NAME):
        assert (out / name).is_file(), name
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert manifest["origin"] == ORIGIN
    files = [p for p in site.rglob("*") if p.is_file()]
    twins = [p for p in files if p.suffix == ".gz" and p.with_suffix("").is_file()]
    assert (manifest["files"], manifest["compressed"]) == (len(files) - len(twins), len(twins))
    assert f'root "{site}";' in (out / "site.conf").read_text()


def test_the_dumps_match_their_checksums(site: Path) -> None:
    sums = (site / "dumps/SHA256SUMS").read_text().splitlines()
    listing = json.loads((site / "dumps/index.json").read_text())
    assert len(sums) == len(listing["files"]) == 5
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((site / "dumps" / name).read_bytes()).hexdigest() == digest
    for entry in listing["files"]:
        assert entry["url"] == f"{ORIGIN}dumps/{entry['name']}"
        assert (site / "dumps" / entry["name"]).stat().st_size == entry["byteSize"]


@pytest.mark.parametrize(
    ("target", "accept", "file"),
    [
        *((f"/doc/{PERSON}.{f.extension}", f.media_type, f"doc/{PERSON}.{f.extension}")
          for f in RDF_DOCUMENT_FORMATS),
        *((f"/doc/{PERSON}.html?lang={lang}", HTML.media_type, f"doc/{PERSON}.{lang}.html")
          for lang in LANGUAGES),
        ("/def/gcmr.ttl", "text/turtle", "def/gcmr.ttl"),
        ("/def/gcmr.html?lang=ar", HTML.media_type, "def/gcmr.ar.html"),
        ("/.well-known/void", "application/ld+json", "void.jsonld"),
        ("/validation", "text/turtle", "validation.ttl"),
        ("/context.jsonld", "application/ld+json", "context.jsonld"),
        ("/sitemap.xml", "application/xml", "sitemap.xml"),
        ("/robots.txt", "text/plain", "robots.txt"),
        ("/dumps/", "*/*", "dumps/index.json"),
        ("/dumps/?lang=ar", HTML.media_type, "dumps/index.ar.html"),
        ("/dumps/", HTML.media_type, "dumps/index.en.html"),
        ("/.well-known/void?lang=ar", HTML.media_type, "void.ar.html"),
        ("/validation.html?lang=en", HTML.media_type, "validation.en.html"),
        ("/?lang=ar", HTML.media_type, "_pages/index.ar.html"),
        ("/concepts?lang=en", HTML.media_type, "_pages/concepts.en.html"),
    ],
)  # fmt: skip
def test_files_are_the_dynamic_server_bodies(
    real_settings: Settings, dataset: Dataset, site: Path, target: str, accept: str, file: str
) -> None:
    """Byte for byte what `publisher serve` sends for the same URL on the same origin."""
    response = make_client(real_settings, dataset).get(target, accept=accept)
    assert response.status_code == 200
    assert response.content == (site / file).read_bytes()


def test_gzip_twins_hold_the_same_bytes(site: Path) -> None:
    twins = [p for p in site.rglob("*.gz") if p.parent.name != "dumps"]
    assert len(twins) > 1000
    for twin in twins:
        assert gzip.decompress(twin.read_bytes()) == twin.with_suffix("").read_bytes(), twin
    dumps = [p for p in (site / "dumps").iterdir()]
    assert not [p for p in dumps if p.with_name(p.name + ".gz").exists()]  # sent as they are
    assert not (site / "_pages/404.en.html.gz").exists()  # nginx rewrites it (sub_filter)


def test_every_file_has_the_dataset_modification_time(site: Path, dataset: Dataset) -> None:
    """nginx derives Last-Modified and ETag from it: the same data gives the same validators."""
    times = {p.stat().st_mtime for p in site.rglob("*") if p.is_file()}
    assert times == {dataset.modified.timestamp()}


def test_the_static_sparql_page_says_there_is_no_endpoint(site: Path) -> None:
    page = (site / "_pages/sparql.en.html").read_text()
    assert "no query service" in page and 'href="/dumps/"' in page
    assert 'dir="rtl"' in (site / "_pages/sparql.ar.html").read_text()


# --- determinism and safety --------------------------------------------------------------------


def test_an_export_is_deterministic(out: Path, real_settings: Settings, tmp_path: Path) -> None:
    """A fresh load (new blank node ids) exported elsewhere gives the same bytes, the nginx
    configuration included when the document root is the same."""
    again = tmp_path / "again"
    export_site(real_settings, open_dataset(real_settings), again, root=str(out / "site"))
    first, second = tree(out), tree(again)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_an_earlier_export_is_replaced(tmp_path: Path) -> None:
    settings = fixture_settings()
    out = tmp_path / "out"
    export_site(settings, open_dataset(settings), out)
    (out / "site" / "stale.ttl").write_text("from an older export")
    export_site(settings, open_dataset(settings), out)
    assert not (out / "site" / "stale.ttl").exists()
    assert (out / "site" / "void.ttl").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left


def test_a_folder_with_other_files_is_refused(tmp_path: Path) -> None:
    settings = fixture_settings()
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match="not empty"):
        export_site(settings, open_dataset(settings), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_without_shapes_the_export_has_no_validation_report(tmp_path: Path) -> None:
    """The dynamic server answers 404 at /validation then; the export leaves it out."""
    settings = fixture_settings(shapes=[])
    export_site(settings, open_dataset(settings), tmp_path / "out")
    assert not list((tmp_path / "out/site").glob("validation.*"))
    assert (tmp_path / "out/site/void.ttl").is_file()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("root", "/srv/$host/site"),
        ("root", "relative/site"),
        ("root", '/srv/"quoted"'),
        ("listen", "80; include /etc/passwd"),
        ("origin", "http://example.org/'x/"),
        ("sparql_endpoint", "http://example.org/sparql$args"),
    ],
)
def test_values_that_would_break_the_configuration_are_refused(field: str, value: str) -> None:
    values: dict[str, object] = {
        "origin": ORIGIN,
        "root": "/srv/site",
        "listen": "8080",
        "server_name": "example.org",
        "languages": LANGUAGES,
        "default_language": "en",
        "max_age": 60,
        "document_formats": DOCUMENT_FORMATS,
        "listing_formats": LISTING_FORMATS,
    }
    NginxSite(**values)  # type: ignore[arg-type]
    with pytest.raises(NginxConfigError, match=field):
        NginxSite(**{**values, field: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "usable"),
    [("person/x", True), ("a/b.c/d", True), ("../x", False), ("a//b", False),
     ("a/./b", False), ("a\\b", False), ("a\nb", False), ("", False)],
)  # fmt: skip
def test_only_paths_that_stay_inside_the_export_are_files(path: str, usable: bool) -> None:
    assert (file_path(path) is not None) is usable


# --- the command -------------------------------------------------------------------------------


def fixture_flags() -> list[str]:
    return [
        "--data", str(FIXTURES / "data.trig"),
        "--ontology", str(FIXTURES / "ontology.ttl"),
        "--shapes", str(FIXTURES / "shapes.ttl"),
    ]  # fmt: skip


def test_the_command_exports_and_says_how_to_serve(tmp_path: Path) -> None:
    out = tmp_path / "out"
    origin = "http://127.0.0.1:9091/"
    args = ["export", str(out), *fixture_flags(), "--public-origin", origin]
    result = CliRunner().invoke(cli, [*args, "--sparql-endpoint", "https://example.org/sparql"])
    assert result.exit_code == 0, result.output
    assert "wrote " in result.output and f"-c {out / 'nginx.conf'}" in result.output
    site_conf = (out / "site.conf").read_text()
    assert "listen 9091;" in site_conf
    assert 'return 307 "https://example.org/sparql$is_args$args";' in site_conf
    assert origin in (out / "site/void.ttl").read_text()


def test_the_command_refuses_data_that_does_not_conform(tmp_path: Path) -> None:
    flags = fixture_flags()
    flags[-1] = str(FIXTURES / "failing-shapes" / "shapes.ttl")
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "out"), *flags])
    assert result.exit_code == 1
    assert "not exporting" in result.output
    assert not (tmp_path / "out").exists()


def test_the_command_reports_a_folder_it_will_not_overwrite(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x")
    result = CliRunner().invoke(cli, ["export", str(tmp_path), *fixture_flags()])
    assert result.exit_code == 2
    *_, last = result.output.strip().splitlines()  # after the namespace it inferred, if any
    assert last.startswith("error: ") and "not empty" in last
