"""What `python -m bench report` measures at one dataset size: every system started alone in
turn on the same synthetic data, and for each the same sequence (start-up to the first correct
answers, idle memory, cold latencies, random documents and cheap SPARQL under wrk, memory
after). The results are dataclasses, written as JSON beside the report so that it can be
rendered again without measuring (`--render-only`)."""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench import systems
from bench.dereference import wait_for_dumps
from bench.measure import WrkRun, get, latency_samples, rss_mb, wrk_walk
from bench.server import uvicorn_server
from bench.synthetic import BASE, write_ntriples

SETTLE = 1.0  # seconds of quiet before the idle memory is read


@dataclass
class Options:
    seconds: float = 5.0
    samples: int = 200  # sequential requests per latency distribution
    peer_max: int = 100_000  # largest size rdflib-endpoint is asked to serve
    virtuoso_max: int = 1_000_000
    skip: tuple[str, ...] = ()  # system keys not to run


@dataclass
class Measured:
    """One system at one size."""

    key: str
    name: str
    startup: dict[str, float] = field(default_factory=dict)
    rss_idle_mb: float = 0.0
    rss_after_mb: float = 0.0
    backing_rss_mb: float | None = None
    requests_served: int = 0
    document_ms: list[float] = field(default_factory=list)
    html_ms: list[float] = field(default_factory=list)
    sparql_ms: list[float] = field(default_factory=list)
    documents: WrkRun | None = None
    sparql_2: WrkRun | None = None
    sparql_16: WrkRun | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Ceiling:
    """The HTTP path alone, one fixed answer over and over: a bare FastAPI app under the
    publisher's uvicorn settings, the publisher's cached document, Oxigraph's DESCRIBE."""

    bare_fastapi: float
    publisher_cached: float
    oxigraph_describe: float
    bare_fastapi_ms: float = 0.0  # median latency, one request at a time: the stack's floor
    publisher_cached_ms: float = 0.0
    oxigraph_describe_ms: float = 0.0


@dataclass
class SizeResult:
    triples: int
    systems: list[Measured] = field(default_factory=list)
    loads: dict[str, float] = field(default_factory=dict)  # how the stores were built, seconds
    in_process_ms: list[float] = field(default_factory=list)  # the cheap query in pyoxigraph
    ceiling: Ceiling | None = None
    skipped: dict[str, str] = field(default_factory=dict)  # system -> why not measured

    def system(self, key: str) -> Measured | None:
        return next((m for m in self.systems if m.key == key), None)


def measure_size(triples: int, options: Options, ceiling: bool) -> SizeResult:
    triples = triples // 4 * 4
    result = SizeResult(triples)
    missing = systems.available()
    if missing["wrk"] or missing["oxigraph"]:
        raise SystemExit(f"the report needs wrk and Oxigraph server: {missing}")
    with tempfile.TemporaryDirectory(prefix="bench-report-") as name:
        folder = Path(name)
        source = write_ntriples(folder / "things.nt", triples)
        result.in_process_ms = in_process(source, options.samples)
        store = folder / "store"
        result.loads["publisher load --into"] = _timed(
            [
                systems.PUBLISHER,
                "load",
                str(source),
                "--into",
                str(store),
                "--base-iri",
                BASE,
                "--skip-validation",
            ]
        )
        database = folder / "oxigraph"
        result.loads["oxigraph load"] = systems.oxigraph_load(source, database)
        fixed: dict[str, tuple[float, float]] = {}  # one fixed answer: req/s, median ms
        plan: list[tuple[str, Callable[[], AbstractContextManager[systems.Target]]]] = [
            ("memory", lambda: systems.publisher("memory", ["--data", str(source)], folder)),
            ("disk", lambda: systems.publisher("disk", ["--store", str(store)], folder)),
            ("remote", lambda: systems.remote_publisher(source, folder, result.loads)),
            ("oxigraph", lambda: systems.oxigraph(database, folder)),
            ("virtuoso", lambda: systems.virtuoso(source, folder, result.loads)),
            ("rdflib-endpoint", lambda: systems.rdflib_endpoint(source, folder)),
        ]
        for key, start in plan:
            why = _why_not(key, triples, options, missing)
            if why:
                result.skipped[key] = why
                continue
            print(f"  {key}…", file=sys.stderr, flush=True)
            begun = time.monotonic()
            try:
                with start() as target:
                    result.systems.append(measure_target(target, triples, options, folder))
                    if ceiling and key in ("disk", "oxigraph"):
                        fixed[key] = one_answer(target, options, folder)
            except (RuntimeError, OSError, subprocess.SubprocessError) as error:
                result.skipped[key] = f"failed: {str(error)[:300]}{_log_error(folder, key)}"
            print(f"  {key}: {time.monotonic() - begun:.0f} s", file=sys.stderr, flush=True)
        if "disk" in fixed and "oxigraph" in fixed:
            result.ceiling = measure_ceiling(fixed["disk"], fixed["oxigraph"], options, folder)
    return result


def _why_not(key: str, triples: int, options: Options, missing: dict[str, str | None]) -> str:
    if key in options.skip:
        return "left out (--skip)"
    if key == "virtuoso" and (missing["virtuoso"] or triples > options.virtuoso_max):
        return missing["virtuoso"] or f"not run above {options.virtuoso_max:,} triples"
    if key == "rdflib-endpoint" and triples > options.peer_max:
        return f"not run above {options.peer_max:,} triples (it cannot keep up: minutes to load)"
    return ""


def _log_error(folder: Path, key: str) -> str:
    """The last error the server logged (its log dies with the temporary folder)."""
    log = folder / f"{key}.log"
    if not log.exists():
        return ""
    lines = log.read_text(errors="replace").splitlines()
    errors = [n for n, line in enumerate(lines) if "Traceback" in line or "ERROR" in line]
    if not errors:
        return ""
    tail = " / ".join(line.strip() for line in lines[errors[-1] :][-6:])
    return f"; the server logged: {tail[:600]}"


def _timed(command: list[str]) -> float:
    begun = time.monotonic()
    subprocess.run(command, check=True, capture_output=True)
    return time.monotonic() - begun


def in_process(source: Path, samples: int) -> list[float]:
    """Milliseconds of the cheap query in pyoxigraph itself, answer serialised as SPARQL JSON:
    the floor the per-query overhead is measured from."""
    store = ox.Store()
    store.bulk_load(path=str(source), format=ox.RdfFormat.N_TRIPLES)
    things = len(store) // 4
    times = []
    for n in range(samples):
        query = systems.cheap_query((n * 7919) % things)
        begun = time.perf_counter()
        answer = store.query(query)
        assert isinstance(answer, ox.QuerySolutions)
        answer.serialize(format=ox.QueryResultsFormat.JSON)
        times.append((time.perf_counter() - begun) * 1000)
    del store
    return times


def measure_target(
    target: systems.Target, triples: int, options: Options, folder: Path
) -> Measured:
    """The same sequence for every system; each document asked is one not asked before."""
    measured = Measured(target.key, target.name, dict(target.startup))
    if target.publisher and not wait_quietly(target.origin):
        measured.notes.append("the dumps were not written in time: they ran during the measures")
    time.sleep(SETTLE)
    measured.rss_idle_mb = rss_mb(target.pid)
    things = triples // 4
    order = list(range(things))
    random.Random(14).shuffle(order)
    samples = min(options.samples, max(things // 4, 1))
    cold = order[:samples]
    measured.document_ms = latency_samples(
        target.origin, [target.document_path(i) for i in cold], target.document_headers()
    )
    if target.publisher:
        html = order[samples : 2 * samples]
        measured.html_ms = latency_samples(
            target.origin, [target.document_path(i, "html") for i in html], {}
        )
    rest = order[2 * samples :] or order
    walk = [target.document_path(i) for i in rest]
    measured.documents = wrk_walk(
        target.origin,
        walk,
        target.document_headers(),
        seconds=options.seconds,
        connections=16,
        folder=folder,
    )
    if target.publisher and measured.documents.ok_per_second * options.seconds > len(rest):
        measured.notes.append(
            f"random documents: {len(rest):,} IRIs for about "
            f"{measured.documents.ok_per_second * options.seconds:,.0f} requests, so some "
            "were answered from the cache of rendered documents (use more triples)"
        )
    queries = [target.query_path(systems.cheap_query(i)) for i in order[: min(things, 20_000)]]
    status, body = get(target.origin + queries[0][1:], systems.SPARQL_JSON)
    if status != 200 or not systems.document_is_right(body, order[0]):
        measured.notes.append(f"the cheap query found no label ({status}): {body[:200]}")
    measured.sparql_ms = latency_samples(target.origin, queries[:samples], systems.SPARQL_JSON)
    for clients in (2, 16):
        run = wrk_walk(
            target.origin,
            queries,
            systems.SPARQL_JSON,
            seconds=options.seconds,
            connections=clients,
            folder=folder,
        )
        setattr(measured, f"sparql_{clients}", run)
    runs = [measured.documents, measured.sparql_2, measured.sparql_16]
    measured.requests_served = sum(r.requests for r in runs if r) + 3 * samples
    measured.rss_after_mb = rss_mb(target.pid)
    if target.backing_pid:
        measured.backing_rss_mb = rss_mb(target.backing_pid)
    return measured


def wait_quietly(origin: str) -> bool:
    """Until the publisher's background dumps are written (else they compete with what is
    measured); False when they were not written in time."""
    try:
        wait_for_dumps(origin, timeout=900)
    except SystemExit:
        return False
    return True


def one_answer(target: systems.Target, options: Options, folder: Path) -> tuple[float, float]:
    """Req/s of one answer over and over, and its median latency one request at a time: the
    publisher's cached document (its body kept for the bare app), or a server's DESCRIBE of
    one IRI."""
    path = target.document_path(42)
    if target.publisher:
        (folder / "body.ttl").write_text(get(target.origin + path[1:])[1])
    headers = target.document_headers()
    latency = median(latency_samples(target.origin, [path] * options.samples, headers))
    run = wrk_walk(
        target.origin,
        [path],
        target.document_headers(),
        seconds=options.seconds,
        connections=16,
        folder=folder,
    )
    return run.ok_per_second, latency


def measure_ceiling(
    cached: tuple[float, float], describe: tuple[float, float], options: Options, folder: Path
) -> Ceiling:
    """Where Python's HTTP stack stands: the cached document's bytes from a bare FastAPI app
    under the publisher's uvicorn settings, next to the publisher and Oxigraph."""
    env = {"BENCH_BODY_FILE": str(folder / "body.ttl")}
    path = "/doc/thing/42.ttl"
    with uvicorn_server("bench.bare_app:app", env=env) as bare:
        latency = median(latency_samples(bare, [path] * options.samples, {}))
        run = wrk_walk(bare, [path], {}, seconds=options.seconds, connections=16, folder=folder)
    return Ceiling(run.ok_per_second, cached[0], describe[0], latency, cached[1], describe[1])


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def size_from_dict(data: dict[str, Any]) -> SizeResult:
    """A SizeResult read back from the report's JSON."""
    measured = []
    for item in data["systems"]:
        runs = ("documents", "sparql_2", "sparql_16")
        system = Measured(**{k: v for k, v in item.items() if k not in runs})
        for k in runs:
            setattr(system, k, WrkRun(**item[k]) if item.get(k) else None)
        measured.append(system)
    ceiling = Ceiling(**data["ceiling"]) if data.get("ceiling") else None
    plain = {k: v for k, v in data.items() if k not in ("systems", "ceiling")}
    return SizeResult(**plain, systems=measured, ceiling=ceiling)
