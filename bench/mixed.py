"""Mixed load: many clients at once against a real `publisher serve` on loopback.

Documents in every format, 303s, HTML pages, the SPARQL mix of bench/sparql.py, a few runaway
queries, dump range requests and /health, from 64 concurrent clients for 60 s (after a warm-up
of the same mix). Every answer is checked: a 5xx other than a 503 with Retry-After is an error,
and so is a 200 whose body does not parse as what it says it is. Prints the requests, the
errors, p50/p99 latency, the server's resident memory after the warm-up and after the run
(goal: within 10%), and whether the server still answers correctly afterwards.

    python -m bench mixed                                   # 100k synthetic triples
    python -m bench.mixed --clients 16 --seconds 5 --triples 20000
    python -m bench.mixed --data tests/fixtures/dumps/data.trig --base-iri https://…/ --json out

The exit status is 1 when there was an error or the server answered wrongly afterwards, so the
suite (tests/test_mixed_load.py) runs a short version of this very program.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox

from bench.server import free_port
from bench.sparql import QUERIES
from bench.synthetic import BASE, write_ntriples

STARTUP_LIMIT = 600.0
KEEP_ALIVE = 2.0  # seconds a client keeps an idle connection (the server: keep_alive_timeout)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
DOCUMENT_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "rdf": ox.RdfFormat.RDF_XML,
    "jsonld": None,
    "html": None,
}
PAGES = ("/", "/?lang=ar", "/dumps/", "/sparql", "/.well-known/void", "/void.html", "/sitemap.xml")
THINGS_QUERY = """SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), "%sid/")) }
LIMIT 2000"""


@dataclass
class Report:
    """What one run measured; `ok` is what the exit status says."""

    requests: int = 0
    errors: int = 0
    documented_503: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    rss_after_warmup_mb: float = 0.0  # the serving process
    rss_after_run_mb: float = 0.0
    rss_with_workers_after_warmup_mb: float = 0.0  # and its SPARQL worker processes
    rss_with_workers_after_run_mb: float = 0.0
    answers_after: bool = False
    wrong_after: str | None = None

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.answers_after


def rss_mb(pid: int, children: bool = False) -> float:
    """Resident memory of the server process, with its children (the SPARQL workers, which
    are killed and replaced when a query runs too long) if asked."""
    total = 0
    for process in [pid, *(_descendants(pid) if children else [])]:
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{process}/status").read_text()
            found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
            total += int(found.group(1)) if found else 0
    return total / 1024


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            children = (task / "children").read_text().split()
            for child in map(int, children):
                found += [child, *_descendants(child)]
    return found


@contextlib.contextmanager
def serve(command: list[str], log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`publisher serve` on a free port; stopped (and waited for) on the way out."""
    port = free_port()
    command = [*command, "--host", "127.0.0.1", "--port", str(port)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUBLISHER_")}
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_LIMIT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{log.read_text(errors='replace')}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(origin + "/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"no answer from /health:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield origin, process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def things_of(origin: str, base: str) -> list[str]:
    """Paths of things, asked of the server's own SPARQL endpoint (any dataset)."""
    answer = httpx.post(
        origin + "/sparql",
        data={"query": THINGS_QUERY % base},
        headers={"Accept": "application/sparql-results+json"},
        timeout=120,
    )
    answer.raise_for_status()
    rows = answer.json()["results"]["bindings"]
    # The answers carry the public origin, not `base`: the path is what follows `/id/`.
    paths = [row["s"]["value"].split("/id/", 1)[1] for row in rows]
    if not paths:
        raise RuntimeError("the dataset has no things under {base}id/")
    return paths


def parses(kind: str, answer: httpx.Response) -> bool:
    """Whether a 200/206 body is what its Content-Type says."""
    content_type = answer.headers.get("content-type", "").split(";")[0].strip()
    body = answer.content
    try:
        if kind.startswith("doc.") and kind[4:] in DOCUMENT_FORMATS:
            rdf = DOCUMENT_FORMATS[kind[4:]]
            if rdf is not None:
                return bool(list(ox.parse(body, rdf, base_iri=str(answer.url))))
        if "json" in content_type:
            json.loads(body)
        elif content_type == "text/html":
            return b"</html>" in body
        elif content_type in ("text/turtle", "application/n-triples"):
            ox.parse(body, ox.RdfFormat.from_media_type(content_type))
        elif content_type in ("application/xml", "text/xml"):
            return body.lstrip().startswith(b"<?xml")
    except (ValueError, SyntaxError):
        return False
    return True


class Load:
    """The request mix, the checks and the tallies of one run."""

    def __init__(
        self, origin: str, paths: list[str], dump: tuple[str, int] | None, seed: int
    ) -> None:
        self.origin, self.paths, self.dump = origin, paths, dump
        self.random = random.Random(seed)
        self.latencies: list[float] = []
        self.report = Report()
        self.kinds: Counter[str] = Counter()

    def pick(self) -> tuple[str, str, str, dict[str, str], dict[str, str] | None]:
        """(kind, method, url, headers, form) of the next request."""
        roll = self.random.random()
        path = self.random.choice(self.paths)
        if roll < 0.45:
            ext = self.random.choice(list(DOCUMENT_FORMATS))
            return f"doc.{ext}", "GET", f"/doc/{path}.{ext}", {}, None
        if roll < 0.52:
            return "303", "GET", f"/id/{path}", {"Accept": "text/turtle"}, None
        if roll < 0.67:
            return "page", "GET", self.random.choice(PAGES), {"Accept": "text/html"}, None
        if roll < 0.85:
            name = self.random.choice(list(QUERIES))
            accept = "text/turtle" if name == "describe" else "application/sparql-results+json"
            return "sparql", "POST", "/sparql", {"Accept": accept}, {"query": QUERIES[name]}
        if roll < 0.87:
            form = {"query": RUNAWAY}
            return "runaway", "POST", "/sparql", {"Accept": "application/json"}, form
        if roll < 0.96 and self.dump:
            name, size = self.dump
            start = self.random.randrange(0, size)
            headers = {"Range": f"bytes={start}-{start + 4095}"}
            return "dump-range", "GET", f"/dumps/{name}", headers, None
        return "health", "GET", "/health", {}, None

    async def client(self, http: httpx.AsyncClient, until: float, record: bool) -> None:
        while time.monotonic() < until:
            kind, method, url, headers, form = self.pick()
            started = time.perf_counter()
            try:
                answer = await http.request(method, url, headers=headers, data=form)
            except httpx.HTTPError as error:
                if record:
                    self.fail(f"{kind} {url}: {type(error).__name__} {error}")
                continue
            took = time.perf_counter() - started
            if record:
                self.check(kind, url, answer, took)

    def check(self, kind: str, url: str, answer: httpx.Response, took: float) -> None:
        self.report.requests += 1
        self.kinds[kind] += 1
        if kind != "runaway":
            self.latencies.append(took)
        status = answer.status_code
        if status == 503 and answer.headers.get("retry-after"):
            self.report.documented_503 += 1
        elif status >= 500:
            self.fail(f"{kind} {url}: {status} {answer.text[:200]}")
        elif kind == "runaway":
            if status not in (200, 400):  # a fast machine may finish it; the guard may refuse
                self.fail(f"runaway {url}: {status}")
        elif kind == "303":
            if status != 303:
                self.fail(f"303 {url}: {status}")
        elif kind == "dump-range" and status == 206:
            total = re.match(r"bytes (\d+)-(\d+)/", answer.headers.get("content-range", ""))
            if not total or int(total[2]) - int(total[1]) + 1 != len(answer.content):
                self.fail(f"dump range {url}: {answer.headers.get('content-range')}")
        elif status not in (200, 206) or not parses(kind, answer):
            self.fail(f"{kind} {url}: {status}, body does not parse or unexpected status")

    def fail(self, what: str) -> None:
        self.report.errors += 1
        if len(self.report.error_samples) < 10:
            self.report.error_samples.append(what)


async def drive(load: Load, clients: int, seconds: float, record: bool) -> None:
    # Idle connections are dropped well before the server's keep-alive timeout (5 s): else a
    # request sent on one just as the server closes it is lost (the keep-alive race).
    limits = httpx.Limits(
        max_connections=clients, max_keepalive_connections=clients, keepalive_expiry=KEEP_ALIVE
    )
    timeout = httpx.Timeout(120.0)
    async with httpx.AsyncClient(base_url=load.origin, limits=limits, timeout=timeout) as http:
        until = time.monotonic() + seconds
        await asyncio.gather(*(load.client(http, until, record) for _ in range(clients)))


def answers_correctly(origin: str, path: str, reference: bytes) -> str | None:
    """After the load: None when health is 200 (a 503 with Retry-After is waited out: workers
    killed by runaway queries are being replaced), a document has the same bytes and SPARQL
    answers; else what was wrong."""
    deadline = time.monotonic() + 60
    with httpx.Client(base_url=origin, timeout=60) as http:
        health = http.get("/health")
        while health.status_code == 503 and time.monotonic() < deadline:
            time.sleep(float(health.headers.get("retry-after", "1")))
            health = http.get("/health")
        document = http.get(f"/doc/{path}.ttl")
        ask = http.post(
            "/sparql",
            data={"query": "ASK { ?s ?p ?o }"},
            headers={"Accept": "application/sparql-results+json"},
        )
    if health.status_code != 200:
        return f"/health: {health.status_code} {health.text[:300]}"
    if document.status_code != 200 or document.content != reference:
        return f"/doc/{path}.ttl: {document.status_code}, not the bytes served before the load"
    if ask.status_code != 200 or ask.json().get("boolean") is not True:
        return f"SPARQL ASK: {ask.status_code} {ask.text[:300]}"
    return None


def current_dump(origin: str, wait: float) -> tuple[str, int] | None:
    """The N-Triples dump's name and size once written (waiting at most `wait` s), else None."""
    deadline = time.monotonic() + wait
    while True:
        listing = httpx.get(origin + "/dumps/", headers={"Accept": "application/json"}).json()
        files = listing.get("files", [])
        found = [(f["name"], f["byteSize"]) for f in files if f["name"].endswith(".nt.gz")]
        if found or time.monotonic() > deadline:
            return found[0] if found else None
        time.sleep(0.5)


def run(args: argparse.Namespace, folder: Path) -> Report:
    base = args.base_iri
    if args.data:
        sources = [str(path) for path in args.data]
    else:
        base = BASE
        sources = [str(write_ntriples(folder / "things.nt", args.triples // 4 * 4))]
    command = [sys.executable, "-m", "publisher", "serve", "--base-iri", base, "--skip-validation"]
    command += [arg for source in sources for arg in ("--data", source)]
    command += ["--workers", str(args.workers)]
    with serve(command, folder / "serve.log") as (origin, process):
        paths = things_of(origin, base)
        dump = current_dump(origin, args.dump_wait)
        reference = httpx.get(f"{origin}/doc/{paths[0]}.ttl").content
        load = Load(origin, paths, dump, args.seed)
        asyncio.run(drive(load, args.clients, args.warmup, record=False))
        load.report.rss_after_warmup_mb = rss_mb(process.pid)
        load.report.rss_with_workers_after_warmup_mb = rss_mb(process.pid, children=True)
        asyncio.run(drive(load, args.clients, args.seconds, record=True))
        load.report.rss_after_run_mb = rss_mb(process.pid)
        load.report.rss_with_workers_after_run_mb = rss_mb(process.pid, children=True)
        wrong = answers_correctly(origin, paths[0], reference)
        load.report.answers_after, load.report.wrong_after = wrong is None, wrong
    report = load.report
    report.by_kind = dict(sorted(load.kinds.items()))
    if load.latencies:
        ordered = sorted(load.latencies)
        report.p50_ms = statistics.median(ordered) * 1000
        report.p99_ms = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    return report


def show(report: Report, args: argparse.Namespace) -> None:
    growth = (report.rss_after_run_mb / report.rss_after_warmup_mb - 1) * 100
    print(f"clients {args.clients}, {args.seconds:.0f} s after {args.warmup:.0f} s of warm-up")
    print(f"requests            {report.requests}  ({report.requests / args.seconds:.0f}/s)")
    print(f"  by kind           {report.by_kind}")
    print(f"errors              {report.errors}  (documented 503s: {report.documented_503})")
    for sample in report.error_samples:
        print(f"  {sample}")
    print(f"latency             p50 {report.p50_ms:.1f} ms, p99 {report.p99_ms:.1f} ms")
    print(
        f"resident memory     {report.rss_after_warmup_mb:.0f} MB after warm-up, "
        f"{report.rss_after_run_mb:.0f} MB after the run ({growth:+.1f}%, goal within 10%)"
    )
    print(
        f"  with SPARQL workers {report.rss_with_workers_after_warmup_mb:.0f} MB, then "
        f"{report.rss_with_workers_after_run_mb:.0f} MB"
    )
    print(f"answers afterwards  {report.wrong_after or 'correctly'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.mixed")
    parser.add_argument("--triples", type=int, default=100_000, help="synthetic data size")
    parser.add_argument("--data", type=Path, action="append", help="serve these files instead")
    parser.add_argument("--base-iri", default=BASE, help="with --data: its namespace")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=1, help="publisher serve --workers")
    parser.add_argument("--dump-wait", type=float, default=120.0, help="s to wait for dumps")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv or [])
    with tempfile.TemporaryDirectory(prefix="bench-mixed-") as folder:
        report = run(args, Path(folder))
    show(report, args)
    if args.json:
        args.json.write_text(json.dumps({**asdict(report), "ok": report.ok}, indent=2) + "\n")
    if not report.ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
