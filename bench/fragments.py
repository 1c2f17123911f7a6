"""Triple Pattern Fragments against the SPARQL endpoint: what each costs the server (issue 12).

One `publisher serve` on bench.sparql.generate's data (the shape the SPARQL benchmark's mix is
written for; 100k triples by default), measured from outside, side by side in one run:

(a) the mix answered by the endpoint and by Comunica (one Node process, `/fragments` its only
    source): the server's CPU seconds per answer (its process tree, from /proc), requests, wall
    time, and whether the answers are the same multiset of solutions; cold (each query's first
    answer) and warm (the next answers in a row, the server's caches full; Comunica empties
    its own before every query);
(b) requests/s of fragment pages (`?subject=` one person) and of the same people's documents,
    cold (pages never asked before) and warm (50 pages over and over): wrk, else Python.

No figure is checked against a goal (docs/fragments-performance.md). Comunica comes from
`npm ci --prefix tests/comunica`.

    python -m bench fragments
    python -m bench.fragments --triples 1000000 --runs 1 --endpoint-runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bench import sparql
from bench.comunica import COMUNICA, Answer, Comunica, Row, comunica_missing
from bench.dereference import wait_for_dumps
from bench.machine import machine
from bench.measure import latency_samples, wrk_walk
from bench.server import free_port
from bench.workers import descendants, wait_until_up

BASE = sparql.BASE
TURTLE = {"Accept": "text/turtle"}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
ONE_ORGANISATION = f"<{BASE}id/org/o3>"

QUERIES: dict[str, str] = {
    "label, language filter": sparql.QUERIES["label, language filter"],
    "order by + limit": sparql.QUERIES["order by + limit"],
    # bench.sparql's without its LIMIT: every organisation has about as many members as the
    # next, so ten of them are any ten. (A second key does not help: Comunica 4.5.0 sorts key
    # by key with an unstable insertion, so ties of the first key lose the second key's order.)
    "group by count": sparql.PREFIXES
    + "SELECT ?org (COUNT(?membership) AS ?members) WHERE { ?membership org:organization ?org } "
    "GROUP BY ?org ORDER BY DESC(?members)",
    # bench.sparql's OPTIONALs, over the members of one organisation (see LEFT_OUT).
    "optional join": sparql.PREFIXES
    + f"SELECT ?person ?english ?arabic ?role ?email WHERE {{ ?membership org:organization "
    f"{ONE_ORGANISATION} ; org:member ?person ; org:role ?role "
    'OPTIONAL { ?person rdfs:label ?english FILTER(LANG(?english) = "en") } '
    'OPTIONAL { ?person rdfs:label ?arabic FILTER(LANG(?arabic) = "ar") } '
    "OPTIONAL { ?person schema:email ?email } }",
    "union": sparql.PREFIXES
    + f"SELECT ?person ?value WHERE {{ ?membership org:organization {ONE_ORGANISATION} ; "
    "org:member ?person "
    '{ ?person rdfs:label ?value FILTER(LANG(?value) = "ar") } UNION '
    "{ ?membership org:role ?value } }",
    "text regex": sparql.QUERIES["text regex"],
}
"""The SELECTs of bench.sparql that a TPF client answers (BGPs, FILTER, OPTIONAL, UNION,
ORDER BY, LIMIT, GROUP BY), each with one answer whatever the engine."""

LEFT_OUT: dict[str, str] = {
    "describe": "not a SELECT",
    "optional-heavy join": "LIMIT 1000 without ORDER BY: any thousand people answer it, so two "
    "engines' answers cannot be compared; kept as 'optional join' over one organisation",
    "property path": "skos:broader+ from the root reaches every topic, and a TPF client "
    "follows a transitive path one request per node reached",
}

Solutions = Counter[frozenset[tuple[str, str]]]


def term_key(term: dict[str, str]) -> str:
    """A SPARQL JSON term in N-Triples form: blank nodes all alike (their labels are local to
    an answer), xsd:string literals plain, language tags lower-case."""
    if term["type"] == "uri":
        return f"<{term['value']}>"
    if term["type"] == "bnode":
        return "_:"
    text = json.dumps(term["value"], ensure_ascii=False)
    if "xml:lang" in term:
        return f"{text}@{term['xml:lang'].lower()}"
    datatype = term.get("datatype", XSD_STRING)
    return text if datatype == XSD_STRING else f"{text}^^<{datatype}>"


def solutions(rows: Sequence[Row]) -> Solutions:
    """The multiset of solutions, each the set of its bound variables' terms."""
    return Counter(frozenset((name, term_key(term)) for name, term in row.items()) for row in rows)


def public_query(query: str, origin: str) -> str:
    """The query as a client of the public origin writes it: fragments name things by the
    origin's IRIs, as every answer of the publisher does (the endpoint also reads the
    canonical ones)."""
    return query.replace(BASE, origin)


def endpoint_answer(origin: str, query: str) -> Answer:
    """The endpoint's answer to `query` (one POST, SPARQL JSON)."""
    data = urllib.parse.urlencode({"query": query}).encode()
    accept = {"Accept": "application/sparql-results+json"}
    request = urllib.request.Request(origin + "sparql", data=data, headers=accept)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=sparql.REQUEST_TIMEOUT) as response:
        body = json.loads(response.read())
    return Answer(body["results"]["bindings"], 1, (time.perf_counter() - started) * 1000)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by `pid` and its descendants, the children they
    have reaped included (Linux /proc; 1/CLK_TCK resolution)."""
    ticks = 0
    for member in [pid, *descendants(pid)]:
        try:
            stat = Path(f"/proc/{member}/stat").read_text()
        except OSError:
            continue  # ended since it was listed: its parent's cutime holds it once reaped
        fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        ticks += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ticks / CLOCK_TICKS


@dataclass
class Cost:
    """What answers cost, each: server CPU seconds (mean), HTTP requests (mean), wall ms
    (median); `answers` is how many were measured together."""

    cpu: float
    requests: float
    ms: float
    answers: int


@dataclass
class Way:
    """One way of answering one query: the first answer (cold), the next ones (warm), and
    whether every answer was the endpoint's first."""

    cold: Cost
    warm: Cost
    same_answer: bool
    error: str = ""


def costed(pid: int, ask: Callable[[], Answer], times: int) -> tuple[list[Answer], Cost]:
    """`times` answers in a row, with the server's CPU seconds before and after them all."""
    before = cpu_seconds(pid)
    answers = [ask() for _ in range(times)]
    cpu = cpu_seconds(pid) - before
    requests = statistics.mean(answer.requests for answer in answers)
    return answers, Cost(cpu / times, requests, statistics.median(a.ms for a in answers), times)


def compare_mix(
    origin: str,
    pid: int,
    client: Comunica,
    runs: int = 3,
    endpoint_runs: int = 20,
    queries: dict[str, str] = QUERIES,
) -> dict[str, dict[str, Way]]:
    """Each query by the endpoint and by Comunica over `/fragments` (name -> way -> costs):
    every query once each (cold), then each `endpoint_runs` / `runs` times in a row (warm;
    enough answers to read the clock-tick CPU figure of a cheap query)."""
    asks: dict[str, dict[str, Callable[[], Answer]]] = {
        name: {
            "endpoint": partial(endpoint_answer, origin, query),
            "fragments": partial(client.ask, origin + "fragments", public_query(query, origin)),
        }
        for name, query in queries.items()
    }
    cold = {
        name: {way: costed(pid, ask, 1) for way, ask in ways.items()} for name, ways in asks.items()
    }
    found: dict[str, dict[str, Way]] = {}
    for name, ways in asks.items():
        expected = solutions(cold[name]["endpoint"][0][0].rows)
        found[name] = {}
        for way, ask in ways.items():
            answers, warm = costed(pid, ask, endpoint_runs if way == "endpoint" else runs)
            answers += cold[name][way][0]
            errors = [answer.error for answer in answers if answer.error]
            same = not errors and all(solutions(a.rows) == expected for a in answers)
            found[name][way] = Way(cold[name][way][1], warm, same, errors[0] if errors else "")
    return found


@dataclass
class Throughput:
    """Requests/s of one kind of page, cold (distinct pages) and warm (cached pages)."""

    kind: str
    cold: float
    warm: float
    tool: str


def rate(
    origin: str, paths: list[str], seconds: float, folder: Path, *, once: bool = False
) -> tuple[float, str]:
    """2xx answers/s over `paths` in order: wrk with 8 connections for `seconds` (said when it
    asked for more than the paths, so that some answers were warm), else one Python client
    asking each path once."""
    if shutil.which("wrk") is None:
        times = latency_samples(origin, paths, TURTLE)
        return len(times) / (sum(times) / 1000), "python, 1 connection"
    run = wrk_walk(origin, paths, TURTLE, seconds=seconds, connections=8, folder=folder)
    wrapped = once and run.requests > len(paths)
    return run.ok_per_second, "wrk -c8" + (" (more requests than pages)" if wrapped else "")


def throughput(
    origin: str, kind: str, paths: list[str], seconds: float, folder: Path
) -> Throughput:
    """Cold: a walk over `paths`, none asked before (wrk stops before it has asked them all,
    at the sizes measured); warm: the first 50, asked once first, then over and over."""
    cold, tool = rate(origin, paths, seconds, folder, once=True)
    hot = paths[:50]
    rate(origin, hot, 1, folder)
    warm, _ = rate(origin, hot, seconds, folder)
    return Throughput(kind, cold, warm, tool)


def people(triples: int) -> int:
    """How many people bench.sparql.generate makes for `triples`."""
    return max(triples // 9, 50)


def page_paths(origin: str, people: int, seed: int = 12) -> tuple[list[str], list[str]]:
    """(fragment paths, document paths) of the same people in the same shuffled order."""
    order = list(range(people))
    random.Random(seed).shuffle(order)
    fragments = [
        "/fragments?" + urllib.parse.urlencode({"subject": f"{origin}id/person/p{p}"})
        for p in order
    ]
    return fragments, [f"/doc/person/p{p}" for p in order]


@contextmanager
def publisher(data: Path, folder: Path) -> Iterator[tuple[str, int]]:
    """`publisher serve` (one process) on `data`: (origin, pid) once up and its dumps are
    written (their writing would count as the queries' CPU)."""
    port = free_port()
    log = folder / "publisher.log"
    command = [sys.executable, "-m", "publisher", "serve", "--data", str(data)]
    command += ["--base-iri", BASE, "--skip-validation", "--host", "127.0.0.1"]
    env = {
        **os.environ,
        "PUBLISHER_QUERY_TIMEOUT": str(sparql.REQUEST_TIMEOUT),
        "PUBLISHER_MAX_RESULTS": "10000000",
        "PUBLISHER_ACCESS_LOG": "false",
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--port", str(port)], stdout=output, stderr=subprocess.STDOUT, env=env
        )
    origin = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(origin, process, log, 1)
        wait_for_dumps(origin)
        yield origin, process.pid
    finally:
        process.terminate()
        process.wait(60)


def summed(costs: Sequence[Cost]) -> Cost:
    """The costs of several queries together (one answer of each)."""
    return Cost(
        sum(c.cpu for c in costs), sum(c.requests for c in costs), sum(c.ms for c in costs), 1
    )


def report_mix(found: dict[str, dict[str, Way]]) -> None:
    print(
        f"{'query':<24} {'endpoint CPU ms':>15} {'fragments CPU ms':>16} {'ratio':>6} "
        f"{'requests':>8} {'endpoint ms':>11} {'Comunica ms':>11}  same"
    )
    for state in ("cold", "warm"):
        print(f"({state})")
        rows: dict[str, tuple[Cost, Cost]] = {
            name: (getattr(ways["endpoint"], state), getattr(ways["fragments"], state))
            for name, ways in found.items()
        }
        endpoints, fragment_costs = zip(*rows.values(), strict=True)
        rows["the whole mix"] = (summed(endpoints), summed(fragment_costs))
        for name, (endpoint, fragments) in rows.items():
            same = found[name]["fragments"] if name in found else None
            ratio = f"{fragments.cpu / endpoint.cpu:>6.1f}" if endpoint.cpu else f"{'-':>6}"
            print(
                f"{name:<24} {endpoint.cpu * 1000:>15.1f} {fragments.cpu * 1000:>16.1f} {ratio} "
                f"{fragments.requests:>8.0f} {endpoint.ms:>11.1f} {fragments.ms:>11.0f}  "
                + ("" if same is None else "yes" if same.same_answer else f"NO {same.error}")
            )
    print(f"(server CPU per answer: its process tree, read in 1/{CLOCK_TICKS} s ticks, so a cold "
          "figure under 10 ms is 0 or 10; left out of the mix: "
          + "; ".join(f"{name}: {why}" for name, why in LEFT_OUT.items()) + ")")  # fmt: skip


def report_rates(rates: Sequence[Throughput]) -> None:
    print(f"{'page':<12} {'cold req/s':>11} {'warm req/s':>11}  tool")
    for row in rates:
        print(f"{row.kind:<12} {row.cold:>11,.0f} {row.warm:>11,.0f}  {row.tool}")
    fragments, documents = rates
    print(
        f"fragments / documents: cold {fragments.cold / documents.cold:.2f}, "
        f"warm {fragments.warm / documents.warm:.2f}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=100_000, help="generated data size")
    parser.add_argument("--runs", type=int, default=3, help="warm answers by Comunica")
    parser.add_argument("--endpoint-runs", type=int, default=20, help="warm answers by SPARQL")
    parser.add_argument("--seconds", type=float, default=5.0, help="each requests/s run")
    parser.add_argument("--comunica", type=Path, default=COMUNICA, help="@comunica/query-sparql")
    parser.add_argument("--no-mix", action="store_true", help="requests/s only, no query mix")
    args = parser.parse_args(argv or [])
    missing = "--no-mix" if args.no_mix else comunica_missing(args.comunica)
    with tempfile.TemporaryDirectory(prefix="publisher-bench-") as name:
        folder = Path(name)
        data, _, count = sparql.generate(args.triples, folder)
        print(f"### {count:,} triples; " + "; ".join(f"{k}: {v}" for k, v in machine().items()))
        with publisher(data, folder) as (origin, pid):
            if missing:
                print(f"(a) skipped: {missing}")
            else:
                with Comunica(args.comunica) as client:
                    report_mix(compare_mix(origin, pid, client, args.runs, args.endpoint_runs))
            fragments, documents = page_paths(origin, people(args.triples))
            report_rates(
                [
                    throughput(origin, "fragments", fragments, args.seconds, folder),
                    throughput(origin, "documents", documents, args.seconds, folder),
                ]
            )


if __name__ == "__main__":
    main(sys.argv[1:])
