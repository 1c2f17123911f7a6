"""The static export answers the data's IRIs of every shape as the live server does (issue 10).

A small site of the shapes decision 0011 names (tests/fixtures/own-data/shapes-of-iris/: a
FOAF card with hash IRIs, slash IRIs, a renamed IRI, a vocabulary at its namespace), plus a
class with more instances than a class page holds, is exported and served by real nginx on a
loopback port; each request is then asked of nginx and of the dynamic server, which must agree
on the status, the headers a client reads and, for a 200, the bytes. Without nginx the nginx
tests are skipped (the configuration tests still run).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from ld_support import Client

from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.export.build import export_site
from publisher.export.nginx import NginxConfigError, NginxSite, render_nginx
from publisher.formats import DOCUMENT_FORMATS, HTML
from publisher.pages.classes import PAGE_SIZE
from publisher.stores import open_dataset
from publisher.web.app import create_app
from publisher.web.routes.dumps import LISTING_FORMATS

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "own-data" / "shapes-of-iris"
BASE = "https://people.example.org/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8"
ACCEPTS = (
    None,
    "*/*",
    "text/turtle",
    "application/ld+json",
    "application/n-triples",
    "application/n-quads",
    "application/rdf+xml",
    "text/html",
    BROWSER,
    "image/png",  # nothing acceptable: 406
)
SAME_HEADERS = (
    "content-type",
    "location",
    "content-location",
    "content-language",
    "link",
    "cache-control",
    "access-control-allow-origin",
    "access-control-expose-headers",
    "allow",
    "x-content-type-options",
    "referrer-policy",
    "content-security-policy",
)
NEGOTIATED = (
    "/card",
    "/vocab",
    "/terms",
    "/bob",
    "/people/carol",
    "/terms/Gadget",
    "/notes",
    "/notes.ttl",
)
"""Each shape at its own path: hash document, vocabulary (hash terms, then slash terms), slash
IRIs (at the root and in a folder)."""
AS_THEY_ARE = (
    *(f"/card.{fmt.extension}" for fmt in DOCUMENT_FORMATS),
    "/card.html?lang=ar",
    "/notes.nt",
    "/doc/notes.ttl.ttl",
    "/vocab.ttl",
    "/vocab.html?lang=en",
    "/doc/bob",
    "/doc/bob.ttl",
    "/doc/people/carol.html?lang=ar",
    "/robert",  # renamed: 301
    "/bob?lang=ar",
    "/bob.ttl",  # a slash IRI's formats are under /doc/: 404
    "/card/",
    "/card.txt",
    "/nothing",
    "/nothing.ttl",
    "/people/nobody",
    "/people/zo%C3%AB",
    "/people/ren%C3%A9e",
    "/doc/people/zo%C3%AB.ttl",
    "/doc/people/ren%C3%A9e.ttl",
    "/gadget/g1",  # {base}id/gadget/g1's document is /doc/gadget/g1, its IRI is not /gadget/g1
    "/CARD",  # nginx matches map strings ignoring case; the live server does not
    "/Bob",
    "/health",  # a data IRI named like the site's own path: the site's answer
)
STATIC_BODY = {"/health"}
"""Documented: a static /health has no background checks to report (docs/static-export.md)."""


# --- the site, the export and nginx ------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture's files and a class (`v:Widget`) with more instances than one page holds."""
    folder = tmp_path_factory.mktemp("shapes")
    for source in FIXTURES.iterdir():
        (folder / source.name).write_bytes(source.read_bytes())
    widgets = "".join(
        f"<{BASE}widgets/many-{n:03}> a <{BASE}vocab#Widget> ; "
        f'<http://www.w3.org/2000/01/rdf-schema#label> "Widget {n:03}"@en .\n'
        for n in range(PAGE_SIZE + 5)
    )
    widgets += f"<{BASE}id/gadget/g1> a <{BASE}terms/Gadget> .\n"  # the `/id/` scheme
    # `{base}notes.ttl` is a thing of its own: `/notes.ttl` is it, not `notes` in Turtle.
    widgets += f"<{BASE}notes#a> <{BASE}vocab#size> 1 .\n<{BASE}notes.ttl> <{BASE}vocab#size> 2 .\n"
    (folder / "widgets.ttl").write_text(widgets, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def site_settings(data: Path) -> Settings:
    port = _free_port()
    values: dict[str, Any] = {
        "base_iri": BASE,
        "public_origin": f"http://127.0.0.1:{port}/",
        "port": port,
        "data": [str(data)],
        "ontology": [],
        "shapes": [],
    }
    return Settings(**values)


@pytest.fixture(scope="module")
def dataset(site_settings: Settings) -> Iterator[Dataset]:
    opened = open_dataset(site_settings)
    yield opened
    if opened.catalog is not None:
        opened.catalog.close()


@pytest.fixture(scope="module")
def exported(
    site_settings: Settings, dataset: Dataset, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    out = tmp_path_factory.mktemp("export") / "out"
    export_site(site_settings, dataset, out)
    return out


@pytest.fixture(scope="module")
def nginx(site_settings: Settings, exported: Path) -> Iterator[httpx.Client]:
    """nginx serving the export (skipped without nginx: the import says why)."""
    served = pytest.importorskip("test_export_nginx")  # skips the module when nginx is missing
    process = served.run_nginx(
        exported / "nginx.conf", exported.parent / "state", site_settings.port
    )
    try:
        with httpx.Client(base_url=site_settings.origin, timeout=30) as client:
            yield client
    finally:
        served.stop(process)


@pytest.fixture(scope="module")
def dynamic(site_settings: Settings, dataset: Dataset) -> Client:
    return Client(create_app(site_settings, dataset))


def _requests() -> list[tuple[str, str, dict[str, str]]]:
    asked: list[tuple[str, str, dict[str, str]]] = []
    for path in NEGOTIATED:
        asked += [("GET", path, {} if a is None else {"Accept": a}) for a in ACCEPTS]
        asked += [
            ("GET", path, {"Accept": BROWSER, "Accept-Language": "ar"}),
            ("HEAD", path, {"Accept": "text/turtle"}),
            ("OPTIONS", path, {"Origin": "https://app.example"}),
        ]
    for path in AS_THEY_ARE:
        asked += [("GET", path, {}), ("GET", path, {"Accept": BROWSER})]
    asked += [("OPTIONS", "/card.ttl", {"Origin": "https://app.example"})]
    return asked


def _differences(
    ours: httpx.Response, theirs: httpx.Response, where: str, path: str = ""
) -> list[str]:
    if ours.status_code != theirs.status_code:
        return [f"{where}: status {ours.status_code} != {theirs.status_code}"]
    found = []
    for name in SAME_HEADERS:
        if name in ("content-type", "content-security-policy") and 300 <= ours.status_code < 400:
            continue  # nginx adds a small HTML body (so a CSP) to its redirects
        if ours.headers.get(name) != theirs.headers.get(name):
            found.append(
                f"{where}: {name} {ours.headers.get(name)!r} != {theirs.headers.get(name)!r}"
            )
    vary = [
        {t.strip().lower() for t in r.headers.get("vary", "").split(",") if t.strip()}
        - {"accept-encoding"}
        for r in (ours, theirs)
    ]
    if vary[0] != vary[1]:
        found.append(f"{where}: Vary {vary[0]} != {vary[1]}")
    if ours.status_code == 200 and ours.content != theirs.content and path not in STATIC_BODY:
        found.append(f"{where}: the bodies differ")
    if theirs.headers.get("content-type") == "application/problem+json":
        keys = ("status", "title", "alternates")
        ours_json, theirs_json = json.loads(ours.content), json.loads(theirs.content)
        if [ours_json.get(k) for k in keys] != [theirs_json.get(k) for k in keys]:
            found.append(f"{where}: problem {ours_json} vs {theirs_json}")
    return found


# --- nginx answers every shape as the live server does ------------------------------------------


def test_every_shape_is_answered_as_the_live_server_answers_it(
    nginx: httpx.Client, dynamic: Client
) -> None:
    differences = []
    for method, path, headers in _requests():
        sent = {"Accept-Encoding": "identity", **headers}
        ours = nginx.request(method, path, headers=sent)
        theirs = dynamic.request(method, path, headers=sent)
        differences += _differences(ours, theirs, f"{method} {path} {headers}", path)
    assert differences == [], "\n".join(differences)


def test_a_hash_iri_is_read_from_its_document(nginx: httpx.Client) -> None:
    """What a client dereferencing `card#i` does: ask for `/card`, find `card#i` in it."""
    answer = nginx.get("/card", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    assert answer.headers["content-location"] == f"{nginx.base_url}card.ttl"
    assert f"<{nginx.base_url}card#i>".encode() in answer.content


def test_a_slash_iri_answers_303_to_its_document(nginx: httpx.Client) -> None:
    answer = nginx.get("/bob", headers={"Accept": "application/n-triples"})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{nginx.base_url}doc/bob.nt"
    assert nginx.get(answer.headers["location"]).status_code == 200


def test_a_vocabulary_is_served_at_its_namespace(nginx: httpx.Client, dynamic: Client) -> None:
    ours = nginx.get("/vocab", headers={"Accept": BROWSER})
    assert ours.status_code == 200
    assert ours.headers["content-location"] == f"{nginx.base_url}vocab.html"
    assert ours.content == dynamic.request("GET", "/vocab", headers={"Accept": BROWSER}).content


def test_a_thing_of_the_id_scheme_is_not_a_slash_iri(nginx: httpx.Client) -> None:
    """Only what the data names at `/P` answers there: every other path is a 404, even where
    a document `/doc/P` exists (GCM things would otherwise answer at `/person/x`)."""
    assert nginx.get("/id/gadget/g1").status_code == 303
    assert nginx.get("/doc/gadget/g1.ttl").status_code == 200
    assert nginx.get("/gadget/g1").status_code == 404
    assert nginx.get("/widgets/w1").status_code == 303  # {base}widgets/w1: a slash IRI


# --- class pages: the Link header of the live route --------------------------------------------


def test_class_pages_send_the_live_servers_link_header(
    nginx: httpx.Client, dynamic: Client
) -> None:
    differences = []
    for path in ("/classes/v:Widget", "/classes/v:Widget/2"):
        for lang in ("en", "ar"):
            headers = {
                "Accept": HTML.media_type,
                "Accept-Language": lang,
                "Accept-Encoding": "identity",
            }
            ours, theirs = nginx.get(path, headers=headers), dynamic.request("GET", path, headers)
            assert theirs.headers.get("link"), f"{path}: the live server sends a Link"
            differences += _differences(ours, theirs, f"{path} {lang}")
    assert differences == [], "\n".join(differences)


# --- the configuration itself (no nginx needed) ------------------------------------------------


def _site(**overrides: Any) -> NginxSite:
    values: dict[str, Any] = {
        "origin": "http://127.0.0.1:8080/",
        "root": "/srv/site",
        "listen": "127.0.0.1:8080",
        "server_name": "localhost",
        "languages": ("en",),
        "default_language": "en",
        "max_age": 60,
        "document_formats": DOCUMENT_FORMATS,
        "listing_formats": LISTING_FORMATS,
        **overrides,
    }
    return NginxSite(**values)


def test_a_path_named_like_a_map_parameter_is_escaped() -> None:
    site = _site(own_documents=("default", "~card", "Card", "card"), slash_things=("volatile",))
    keys = dict(site.root_shapes())
    assert keys["\\default"] == "doc" and keys["\\~card"] == "doc"
    assert keys["\\volatile"] == "thing"
    assert len([k for k in keys if k.lower() == "card"]) == 1  # one key per spelling in any case
    assert '"\\default" "doc";' in render_nginx(site)["site.conf"]


def test_a_path_ending_like_a_format_gets_an_exact_location() -> None:
    conf = render_nginx(_site(slash_things=("notes.ttl", "bob")))["site.conf"]
    assert 'location = /notes.ttl {\n        set $pub_stem "notes.ttl";' in conf
    assert "location = /bob " not in conf


def test_an_export_without_such_iris_has_no_catch_all_for_them() -> None:
    """The embedded dataset's export keeps `location / { return 404; }` as its only fallback."""
    conf = render_nginx(_site())["site.conf"]
    assert "@pub_slash_iri" not in conf


@pytest.mark.parametrize("path", ['bad"quote', "a b", "semi;colon", "dollar$x", "back\\slash"])
def test_a_path_nginx_cannot_hold_is_refused(path: str) -> None:
    with pytest.raises(NginxConfigError, match="cannot be written"):
        _site(slash_things=(path,))


def test_two_exports_have_maps_of_their_own() -> None:
    one, two = _site(), _site(origin="http://127.0.0.1:8081/", listen="127.0.0.1:8081")
    assert one.map_suffix != two.map_suffix
