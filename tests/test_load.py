"""`publisher load --into DIR` and `serve --store DIR`: the on-disk store answers as memory does.

The shipped dataset and a gzipped N-Triples fixture are loaded into temporary folders, then
served in-process from the folder and from memory; documents, SPARQL answers and ETags must
agree. Failures (syntax errors, invalid data, foreign folders) must leave the folder as it was.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from ld_support import Client, as_graph, parse
from sparql_support import serve
from typer.testing import CliRunner, Result

from publisher.cli import app as cli
from publisher.cli import build_settings
from publisher.config import PROJECT_ROOT, Settings
from publisher.stores import open_dataset
from publisher.stores.disk import (
    LOCK,
    METADATA,
    STORE,
    VERSIONS,
    StoreFolderError,
    read_metadata,
)
from publisher.validation import NotValidated, validate_dataset
from publisher.web.app import create_app

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "load"
THINGS = FIXTURES / "things.nt.gz"
THINGS_SHAPES = FIXTURES / "things-shapes.ttl"
THINGS_BASE = "https://data.example.org/things/"
GCM_BASE = "https://w3id.org/gcm-arab-review/"
ORIGIN = "http://127.0.0.1:8765/"
DOCUMENTS = (
    "/doc/person/nasser-bourita",
    "/doc/event/gcm-arab-regional-review-conference-2021",
    "/def/gcmr",
)
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
TYPES = "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY ?type"


def load(*args: str) -> Result:
    return CliRunner().invoke(cli, ["load", *args])


def things_args(folder: Path, *more: str) -> list[str]:
    return [str(THINGS), "--into", str(folder), "--base-iri", THINGS_BASE, *more]


@pytest.fixture(scope="module")
def gcm_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped dataset, loaded and validated once for the module."""
    folder = tmp_path_factory.mktemp("gcm") / "store"
    result = load("--into", str(folder))
    assert result.exit_code == 0, result.output
    return folder


def gcm_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {"base_iri": GCM_BASE, "public_origin": ORIGIN, **overrides}
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def clients(gcm_store: Path) -> dict[str, Client]:
    """The same data from memory and from the store folder, in-process on the same origin."""
    return {
        "memory": Client(create_app(gcm_settings(), open_dataset(gcm_settings()))),
        "disk": Client(
            create_app(gcm_settings(), open_dataset(gcm_settings(store=str(gcm_store))))
        ),
    }


@pytest.fixture(scope="module")
def servers(gcm_store: Path) -> Iterator[dict[str, str]]:
    """Both modes under uvicorn with their lifespans (the SPARQL worker pools) running."""
    with (
        serve(lambda origin: create_app(gcm_settings(public_origin=origin))) as memory,
        serve(
            lambda origin: create_app(gcm_settings(public_origin=origin, store=str(gcm_store)))
        ) as disk,
    ):
        yield {"memory": memory, "disk": disk}


# --- the store serves what memory serves ----------------------------------------------------


def test_the_load_reports_quads_and_validation(gcm_store: Path) -> None:
    metadata = read_metadata(gcm_store)
    in_memory = open_dataset(gcm_settings())
    assert metadata.quads == len(in_memory.store)
    assert metadata.version == in_memory.version and metadata.modified == in_memory.modified
    assert metadata.validated and (gcm_store / "validation.json").is_file()
    assert [p.name for p in metadata.sources.ontology] == ["gcmr.ttl"]


@pytest.mark.parametrize("path", DOCUMENTS)
@pytest.mark.parametrize("extension", [".ttl", ".nt"])
def test_documents_are_the_same_from_disk(
    clients: dict[str, Client], path: str, extension: str
) -> None:
    answers = {mode: client.get(path + extension) for mode, client in clients.items()}
    assert {a.status_code for a in answers.values()} == {200}
    assert answers["disk"].headers["etag"] == answers["memory"].headers["etag"]
    fmt = ox.RdfFormat.TURTLE if extension == ".ttl" else ox.RdfFormat.N_TRIPLES
    graphs = {m: as_graph(parse(a.content, fmt)) for m, a in answers.items()}
    assert len(graphs["disk"]) > 10
    assert graphs["disk"] == graphs["memory"]


def test_html_pages_say_the_same_from_disk(clients: dict[str, Client]) -> None:
    """The same title and links to the same things. (Not the same bytes: where a page shows
    one of several values, it shows the first the store gives, and the orders differ.)"""
    for path in ("/doc/person/nasser-bourita.html", "/"):
        answers = {m: c.get(path, accept="text/html") for m, c in clients.items()}
        assert answers["disk"].status_code == 200
        seen = {
            mode: (
                re.findall(r"<h1>.*?</h1>", a.text),
                set(re.findall(r'href="(/doc/[^"]+)"', a.text)),
            )
            for mode, a in answers.items()
        }
        assert len(seen["disk"][1]) > 3
        assert seen["disk"] == seen["memory"]


@pytest.mark.parametrize("query", [COUNT, TYPES])
def test_sparql_answers_are_the_same_from_disk(servers: dict[str, str], query: str) -> None:
    texts = {}
    for mode, origin in servers.items():
        answer = httpx.get(
            origin + "sparql", params={"query": query}, headers={"accept": "text/csv"}
        )
        assert answer.status_code == 200, answer.text
        texts[mode] = answer.text.replace(origin, "ORIGIN/")
    assert texts["disk"] == texts["memory"]
    assert len(texts["disk"].splitlines()) >= 2, texts["disk"]


def test_health_and_validation_come_from_the_load(clients: dict[str, Client]) -> None:
    said = {}
    for name in ("disk", "memory"):
        for _ in range(100):  # the triples are counted in the background, once per version
            health = clients[name].get("/health").json()
            if health["triples"] is not None:
                break
            time.sleep(0.1)
        said[name] = (health["status"], health["version"], health["triples"])
    assert said["disk"] == said["memory"]
    report = clients["disk"].get("/validation.ttl")
    assert report.status_code == 200
    assert "conforms" in clients["disk"].get("/validation", accept="text/html").text


def test_serving_needs_no_source_files(gcm_store: Path, tmp_path: Path) -> None:
    """The metadata names the sources, but nothing reads them: here they do not exist."""
    moved = tmp_path / "moved"
    (moved / STORE).parent.mkdir()
    for item in gcm_store.iterdir():
        target = moved / item.name
        target.symlink_to(item)
    meta = json.loads((gcm_store / METADATA).read_text())
    meta["sources"] = {k: [str(tmp_path / "gone" / Path(p).name) for p in v] for k, v in
                       meta["sources"].items()}  # fmt: skip
    (moved / METADATA).unlink()
    (moved / METADATA).write_text(json.dumps(meta))
    dataset = open_dataset(gcm_settings(store=str(moved)))
    assert dataset.capabilities.shared_path is not None and dataset.location == str(moved)
    assert validate_dataset(dataset).conforms  # the report stored at load time
    assert next(dataset.store.quads_for_pattern(None, None, None), None) is not None


# --- a gzipped N-Triples file, progress, --skip-validation -----------------------------------


def test_gzipped_ntriples_load_like_memory(tmp_path: Path) -> None:
    folder = tmp_path / "things"
    result = load(*things_args(folder, "--shapes", str(THINGS_SHAPES)))
    assert result.exit_code == 0, result.output
    assert "loaded 300 quads from 1 files" in result.stdout and "validated" in result.stdout
    settings = Settings(base_iri=THINGS_BASE, data=[str(THINGS)], ontology=[], shapes=[])
    memory = open_dataset(settings)
    disk = open_dataset(settings.model_copy(update={"store": str(folder)}))
    assert disk.triple_count == memory.triple_count == 300
    assert as_graph(disk.store) == as_graph(memory.store)  # blank nodes included
    assert disk.version == memory.version


def test_progress_is_plain_lines_off_a_terminal(tmp_path: Path) -> None:
    result = load(*things_args(tmp_path / "s", "--skip-validation"))
    assert result.exit_code == 0, result.output
    assert "\r" not in result.stderr and "\x1b" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("warning: --skip-validation")
    assert lines[1].startswith("loading 1 files (0.0 MB) into ")
    progress = [line for line in lines if line.startswith("load: ")]
    assert progress, result.stderr
    pattern = r"load: .*\(?[\d,]+ triples, [\d,]+ triples/s, \d+% of [\d.,]+ MB, [\d.]+ s elapsed"
    assert all(re.match(pattern, line) for line in progress), progress


def test_skip_validation_says_so_and_serving_does_not_pretend(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    result = load(*things_args(folder, "--skip-validation"))
    assert result.exit_code == 0, result.output
    assert "warning: --skip-validation" in result.stderr
    assert "NOT validated (--skip-validation)" in result.stdout
    assert not read_metadata(folder).validated and not (folder / "validation.json").exists()
    dataset = open_dataset(Settings(base_iri=THINGS_BASE, store=str(folder)))
    with pytest.raises(NotValidated):
        validate_dataset(dataset)
    settings = Settings(base_iri=THINGS_BASE, public_origin=ORIGIN, store=str(folder))
    client = Client(create_app(settings, dataset))
    answer = client.get("/validation", accept="text/plain")
    assert answer.status_code == 404
    assert "--skip-validation" in answer.text
    assert client.get("/doc/item/7.nt").status_code == 200


def test_validate_store_checks_a_skipped_load_later(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    assert load(*things_args(folder, "--skip-validation")).exit_code == 0
    args = ["validate", "--store", str(folder), "--shapes", str(THINGS_SHAPES)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Conforms: 0 violations" in result.stdout


def test_load_without_shapes_asks_for_them_or_the_flag(tmp_path: Path) -> None:
    result = load(*things_args(tmp_path / "s"))
    assert result.exit_code == 2
    assert "--skip-validation" in result.output
    assert not (tmp_path / "s").exists()


# --- failures leave the folder as it was ---------------------------------------------------


def broken_ntriples(path: Path, bad_line: int, lines: int = 5000) -> Path:
    with path.open("w") as out:
        for n in range(1, lines + 1):
            if n == bad_line:
                out.write("<https://data.example.org/things/id/x> <p> oops .\n")
            else:
                out.write(f'<{THINGS_BASE}id/x{n}> <{THINGS_BASE}def/n> "{n}" .\n')
    return path


def broken_turtle(path: Path) -> Path:
    body = "".join(f'<id/t{n}> <def/n> "{n}" .\n' for n in range(1, 300))
    path.write_text(f"@base <{THINGS_BASE}> .\n{body}<id/t300> <def/n> [ .\n")
    return path


@pytest.mark.parametrize(
    ("make", "where"),
    [
        (lambda d: broken_ntriples(d / "bad.nt", 3001), "bad.nt:3001:"),
        (lambda d: _gzip(broken_ntriples(d / "bad.nt", 4000)), "bad.nt.gz:4000:"),
        (lambda d: broken_turtle(d / "bad.ttl"), "bad.ttl:301:"),
    ],
    ids=["ntriples", "gzipped", "turtle"],
)
def test_a_syntax_error_names_file_and_line_and_leaves_no_store(
    tmp_path: Path, make: object, where: str
) -> None:
    source = make(tmp_path)  # type: ignore[operator]
    fresh = tmp_path / "fresh"
    result = load(str(source), "--into", str(fresh), "--base-iri", THINGS_BASE, "--skip-validation")
    assert result.exit_code == 2, result.output
    assert f"error: {source.parent / where}" in result.stderr
    assert "Traceback" not in result.output
    assert not fresh.exists()  # created for this load, so removed with it


def test_a_failed_load_keeps_the_previous_store(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    assert load(*things_args(folder, "--skip-validation")).exit_code == 0
    before = (folder / METADATA).read_bytes()
    bad = broken_ntriples(tmp_path / "bad.nt", 2500)
    args = [str(THINGS), str(bad), "--into", str(folder), "--base-iri", THINGS_BASE]
    result = load(*args, "--skip-validation")
    assert result.exit_code == 2 and f"{bad}:2500:" in result.stderr
    assert (folder / METADATA).read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == sorted([LOCK, METADATA, STORE, VERSIONS])
    assert len(list((folder / VERSIONS).iterdir())) == 1  # no staging folder left, no new version
    dataset = open_dataset(Settings(base_iri=THINGS_BASE, store=str(folder)))
    assert len(dataset.store) == 300


def test_data_that_does_not_conform_is_not_loaded(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    assert load(*things_args(folder, "--skip-validation")).exit_code == 0
    before = (folder / METADATA).read_bytes()
    strict = tmp_path / "strict.ttl"
    strict.write_text(
        THINGS_SHAPES.read_text().replace("sh:maxCount 1", "sh:maxCount 1 ; sh:minInclusive 10")
    )
    result = load(*things_args(folder, "--shapes", str(strict)))
    assert result.exit_code == 1
    assert "does not conform" in result.stderr and "is left as it was" in result.stderr
    assert (folder / METADATA).read_bytes() == before


def test_a_folder_with_other_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = load(*things_args(tmp_path, "--skip-validation"))
    assert result.exit_code == 2
    assert "not a publisher store" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_reload_replaces_the_store(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    assert load(*things_args(folder, "--skip-validation")).exit_code == 0
    extra = tmp_path / "extra.nt"
    extra.write_text(f'<{THINGS_BASE}id/item/1> <{THINGS_BASE}def/colour> "red" .\n')
    result = load(str(THINGS), str(extra), "--into", str(folder), "--base-iri", THINGS_BASE,
                  "--skip-validation")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert read_metadata(folder).quads == 301
    assert len(open_dataset(Settings(base_iri=THINGS_BASE, store=str(folder))).store) == 301


# --- opening a store ------------------------------------------------------------------------


def test_serve_takes_the_base_iri_the_store_was_loaded_for(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    assert load(*things_args(folder, "--skip-validation")).exit_code == 0
    assert build_settings(store=str(folder)).base_iri == THINGS_BASE
    assert build_settings(store=str(folder), base_iri=GCM_BASE).base_iri == GCM_BASE


def test_a_store_opened_for_another_base_iri_says_which(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    assert load(*things_args(folder, "--skip-validation")).exit_code == 0
    with pytest.raises(StoreFolderError, match=f"--base-iri {THINGS_BASE}"):
        open_dataset(Settings(base_iri=GCM_BASE, store=str(folder)))


@pytest.mark.parametrize("state", ["missing", "empty", "garbled"])
def test_a_folder_without_a_store_says_how_to_make_one(tmp_path: Path, state: str) -> None:
    folder = tmp_path / "s"
    if state != "missing":
        folder.mkdir()
    if state == "garbled":
        (folder / METADATA).write_text("{}")
    result = CliRunner().invoke(cli, ["validate", "--store", str(folder)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {folder}: ")
    assert "publisher load" in result.stderr or "load the data again" in result.stderr


def test_the_store_is_opened_read_only(gcm_store: Path) -> None:
    """Two read-only opens at once (as two workers do), while the load's lock is free."""
    first = open_dataset(gcm_settings(store=str(gcm_store)))
    second = open_dataset(gcm_settings(store=str(gcm_store)))
    assert len(first.store) == len(second.store) > 0
    with pytest.raises(RuntimeError, match="read-write"):
        first.store.add(ox.Quad(ox.NamedNode("https://x.org/s"), ox.NamedNode("https://x.org/p"),
                                ox.Literal("o")))  # fmt: skip


def _gzip(path: Path) -> Path:
    target = path.with_name(path.name + ".gz")
    target.write_bytes(gzip.compress(path.read_bytes(), mtime=0))
    path.unlink()
    return target


def test_the_shipped_data_is_what_is_loaded_by_default() -> None:
    """`publisher load --into DIR` with no sources is the GCM dataset (data/, ontology/)."""
    settings = build_settings()
    assert settings.data == [str(PROJECT_ROOT / "data")]
    assert settings.ontology == [str(PROJECT_ROOT / "ontology")]
    assert build_settings(data=[str(THINGS)]).ontology == []
