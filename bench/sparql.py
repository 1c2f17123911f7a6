"""SPARQL: the endpoint over HTTP against Oxigraph in-process (the ceiling) and rdflib-endpoint
(the peer), on generated datasets of about 10k, 100k and 1M triples, side by side in one run.

Prints the median of each query on each system and two ratios: endpoint / ceiling (target: at
most 1.5 for queries over 10 ms) and peer / endpoint (target: at least 10 at 100k triples). The
ceiling serialises its answer as SPARQL JSON (Turtle for DESCRIBE) too, so the comparison is
between finished answers. rdflib-endpoint is installed on first use into its own virtual
environment (`~/.cache/publisher-bench/`), so its dependencies never touch the project's.

    python -m bench.sparql [--sizes 10000,100000,1000000] [--runs 5] [--peer-max 100000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from bench.server import _wait, free_port, uvicorn_server

BASE = "https://w3id.org/gcm-arab-review/"
PEER_VERSION = "rdflib-endpoint==0.6.3"
PEER_ENV = Path.home() / ".cache" / "publisher-bench" / "rdflib-endpoint"
REQUEST_TIMEOUT = 300.0
PREFIXES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
QUERIES: dict[str, str] = {
    "describe": f"DESCRIBE <{BASE}id/person/p42>",
    "label, language filter": PREFIXES
    + f"SELECT ?label WHERE {{ <{BASE}id/person/p42> rdfs:label ?label "
    'FILTER(LANG(?label) = "ar") }',
    "order by + limit": PREFIXES
    + "SELECT ?person ?label WHERE { ?person a schema:Person ; rdfs:label ?label "
    'FILTER(LANG(?label) = "en") } ORDER BY DESC(?label) LIMIT 10',
    "group by count": PREFIXES
    + "SELECT ?org (COUNT(?membership) AS ?members) WHERE { ?membership org:organization ?org } "
    "GROUP BY ?org ORDER BY DESC(?members) LIMIT 10",
    "optional-heavy join": PREFIXES
    + "SELECT ?person ?english ?arabic ?role ?organisation ?email WHERE { ?person a schema:Person "
    'OPTIONAL { ?person rdfs:label ?english FILTER(LANG(?english) = "en") } '
    'OPTIONAL { ?person rdfs:label ?arabic FILTER(LANG(?arabic) = "ar") } '
    "OPTIONAL { ?membership org:member ?person ; org:role ?role ; org:organization ?organisation } "
    "OPTIONAL { ?person schema:email ?email } } LIMIT 1000",
    "property path": PREFIXES
    + f"SELECT (COUNT(?topic) AS ?n) WHERE {{ ?topic skos:broader+ <{BASE}id/topic/t1> }}",
    "text regex": PREFIXES + "SELECT ?person WHERE { ?person rdfs:label ?label "
    'FILTER(REGEX(?label, "^Person 4[0-9]*7$")) }',
}


def generate(size: int, folder: Path) -> tuple[Path, Path, int]:
    """About `size` triples shaped like the dataset: people with en/ar labels in one of 100
    named graphs, memberships of organisations, a topic tree. Returns (N-Quads, N-Triples)."""
    people = max(size // 9, 50)
    organisations = max(people // 100, 10)
    quads: list[ox.Quad] = []
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")

    def node(path: str) -> ox.NamedNode:
        return ox.NamedNode(f"{BASE}id/{path}")

    def schema(name: str) -> ox.NamedNode:
        return ox.NamedNode(f"https://schema.org/{name}")

    def org(name: str) -> ox.NamedNode:
        return ox.NamedNode(f"http://www.w3.org/ns/org#{name}")

    for o in range(organisations):
        graph = node("graph/organisations")
        quads.append(ox.Quad(node(f"org/o{o}"), rdf_type, org("Organization"), graph))
        quads.append(
            ox.Quad(node(f"org/o{o}"), label, ox.Literal(f"Org {o}", language="en"), graph)
        )
    for p in range(people):
        graph = node(f"graph/s{p % 100}")
        person, membership = node(f"person/p{p}"), node(f"membership/m{p}")
        quads += [
            ox.Quad(person, rdf_type, schema("Person"), graph),
            ox.Quad(person, label, ox.Literal(f"Person {p}", language="en"), graph),
            ox.Quad(person, label, ox.Literal(f"الشخص {p}", language="ar"), graph),
            ox.Quad(membership, rdf_type, org("Membership"), graph),
            ox.Quad(membership, org("member"), person, graph),
            ox.Quad(membership, org("organization"), node(f"org/o{p % organisations}"), graph),
            ox.Quad(membership, org("role"), node(f"role/r{p % 7}"), graph),
        ]
    broader = ox.NamedNode("http://www.w3.org/2004/02/skos/core#broader")
    for t in range(2, people * 2 // 2 + 2):
        graph = node("graph/topics")
        quads.append(ox.Quad(node(f"topic/t{t}"), broader, node(f"topic/t{t // 2}"), graph))
    nquads, ntriples = folder / f"data-{size}.nq", folder / f"data-{size}.nt"
    ox.serialize(quads, str(nquads), format=ox.RdfFormat.N_QUADS)
    ox.serialize((q.triple for q in quads), str(ntriples), format=ox.RdfFormat.N_TRIPLES)
    return nquads, ntriples, len(quads)


def accept(name: str) -> str:
    return "text/turtle" if name == "describe" else "application/sparql-results+json"


def http_runner(endpoint: str) -> Callable[[str, str], bytes]:
    def run(name: str, query: str) -> bytes:
        data = urllib.parse.urlencode({"query": query}).encode()
        request = urllib.request.Request(endpoint, data=data, headers={"Accept": accept(name)})
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            body: bytes = response.read()
            return body

    return run


def ceiling_runner(nquads: Path) -> Callable[[str, str], bytes]:
    store = ox.Store()
    store.load(path=str(nquads), format=ox.RdfFormat.N_QUADS)

    def run(name: str, query: str) -> bytes:
        answer = store.query(query, use_default_graph_as_union=True)
        if isinstance(answer, ox.QueryTriples):
            return ox.serialize(answer, format=ox.RdfFormat.TURTLE) or b""
        return answer.serialize(format=ox.QueryResultsFormat.JSON) or b""

    return run


def median_ms(run: Callable[[str, str], bytes], name: str, query: str, runs: int) -> float | None:
    """Median wall time of `runs` answers after one warm-up; None if the system failed."""
    try:
        run(name, query)  # warm-up
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            run(name, query)
            times.append((time.perf_counter() - started) * 1000)
    except OSError as error:  # an HTTP error status, a refused connection, a timeout
        print(f"({name}: {error})")
        return None
    return statistics.median(times)


def peer_python() -> Path | None:
    """The interpreter of a virtual environment holding rdflib-endpoint (made on first use)."""
    python = PEER_ENV / "bin" / "python"
    if not python.exists():
        try:
            subprocess.run([sys.executable, "-m", "venv", str(PEER_ENV)], check=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", PEER_VERSION, "uvicorn"],
                check=True,
            )
        except (OSError, subprocess.CalledProcessError) as error:
            print(f"(peer unavailable: {error})")
            return None
    return python


@contextmanager
def peer_server(python: Path, ntriples: Path) -> Iterator[str]:
    port = free_port()
    command = [str(python.parent / "rdflib-endpoint"), "serve", "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--port", str(port), str(ntriples)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"  # rdflib-endpoint 0.6 answers SPARQL at the root
    try:
        _wait(url + "?query=ASK%7B%7D", process, timeout=1800)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class SparqlSize:
    """Median ms of each query (name -> system -> ms, None where the system failed); systems:
    ceiling (pyoxigraph in-process), endpoint (the publisher over HTTP), peer (rdflib-endpoint)."""

    triples: int
    medians: dict[str, dict[str, float | None]]


def bench_size(size: int, folder: Path, runs: int, peer: Path | None) -> SparqlSize:
    nquads, ntriples, count = generate(size, folder)
    print(f"\n### {count:,} triples")
    results: dict[str, dict[str, float | None]] = {name: {} for name in QUERIES}
    ceiling = ceiling_runner(nquads)
    for name, query in QUERIES.items():
        results[name]["ceiling"] = median_ms(ceiling, name, query, runs)
    env = {
        "PUBLISHER_DATA": json.dumps([str(nquads)]),
        "PUBLISHER_ONTOLOGY": "[]",
        "PUBLISHER_SHAPES": "[]",
        "PUBLISHER_QUERY_TIMEOUT": str(REQUEST_TIMEOUT),
        "PUBLISHER_MAX_RESULTS": "10000000",
    }
    with uvicorn_server("publisher.web.app:create_app", factory=True, env=env) as base:
        endpoint = http_runner(base + "sparql")
        for name, query in QUERIES.items():
            results[name]["endpoint"] = median_ms(endpoint, name, query, runs)
    if peer is not None:
        with peer_server(peer, ntriples) as url:
            for name, query in QUERIES.items():
                results[name]["peer"] = median_ms(http_runner(url), name, query, runs)
    report(results)
    return SparqlSize(count, results)


def report(results: dict[str, dict[str, float | None]]) -> None:
    print(
        f"{'query':<22} {'ceiling ms':>11} {'endpoint ms':>12} {'peer ms':>10} "
        f"{'endpoint/ceiling':>17} {'peer/endpoint':>14}"
    )
    for name, row in results.items():
        ceiling, endpoint, peer = row["ceiling"], row["endpoint"], row.get("peer")
        ratio = endpoint / ceiling if endpoint and ceiling else None
        checked = "" if ratio is None or (ceiling or 0) < 10 else (" ok" if ratio <= 1.5 else " !")
        print(
            f"{name:<22} {_ms(ceiling, 11)} {_ms(endpoint, 12)} {_ms(peer, 10)} "
            f"{_ms(ratio, 14, '.2f')}{checked:<3} "
            f"{_ms(peer / endpoint if peer and endpoint else None, 14)}"
        )
    print("(targets: endpoint/ceiling <= 1.5 where the ceiling takes over 10 ms, marked ok/!; "
          "peer/endpoint >= 10 at 100k triples)")  # fmt: skip


def _ms(value: float | None, width: int, spec: str = ".1f") -> str:
    return f"{value:>{width}{spec}}" if value is not None else f"{'-':>{width}}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--peer-max", type=int, default=100_000, help="largest size the peer is run on"
    )
    args = parser.parse_args(argv or [])
    sizes = [int(s) for s in args.sizes.split(",")]
    peer = peer_python() if any(s <= args.peer_max for s in sizes) else None
    with tempfile.TemporaryDirectory(prefix="publisher-bench-") as folder:
        for size in sizes:
            bench_size(size, Path(folder), args.runs, peer if size <= args.peer_max else None)


if __name__ == "__main__":
    main(sys.argv[1:])
