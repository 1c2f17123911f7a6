"""The fragments benchmark (bench/fragments.py) computes the figures it prints correctly.

On a tiny generated store served in this process: the requests it reports are the requests the
server received, the CPU it reads counts children alive and reaped, answers are compared as
multisets of solutions whatever the form of their terms, and the pages whose rates it measures
all answer 200. Nothing here is timed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI, Request, Response
from sparql_support import app_for, serve

from publisher.config import Settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # bench/ is beside the package, not installed with it

from bench import fragments  # noqa: E402
from bench.sparql import BASE, generate  # noqa: E402

XSD = "http://www.w3.org/2001/XMLSchema#"


def literal(value: str, **extra: str) -> dict[str, str]:
    """A literal as SPARQL JSON writes it."""
    return {"type": "literal", "value": value, **extra}


class Served:
    """A running server and the paths of the requests it received."""

    def __init__(self, origin: str, received: Counter[str]) -> None:
        self.origin = origin
        self.received = received


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data, _, _ = generate(500, tmp_path_factory.mktemp("fragments-bench"))
    received: Counter[str] = Counter()

    def make_app(origin: str) -> FastAPI:
        settings = Settings(
            base_iri=BASE, public_origin=origin, data=[str(data)], ontology=[], shapes=[]
        )
        app = app_for(settings)

        async def count(
            request: Request, call_next: Callable[[Request], Awaitable[Response]]
        ) -> Response:
            received[request.url.path] += 1
            return await call_next(request)

        app.middleware("http")(count)
        return app

    with serve(make_app) as origin:
        yield Served(origin, received)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (literal("a"), literal("a", datatype=XSD + "string")),
        (literal("a", **{"xml:lang": "AR"}), literal("a", **{"xml:lang": "ar"})),
        ({"type": "bnode", "value": "b0"}, {"type": "bnode", "value": "x9"}),
    ],
)  # fmt: skip
def test_one_term_in_two_forms_is_the_same_term(one: dict[str, str], other: dict[str, str]) -> None:
    assert fragments.term_key(one) == fragments.term_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (literal("1"), literal("1", datatype=XSD + "integer")),
        (literal("a", **{"xml:lang": "en"}), literal("a")),
        ({"type": "uri", "value": "http://a/"}, literal("http://a/")),
    ],
)  # fmt: skip
def test_different_terms_stay_apart(one: dict[str, str], other: dict[str, str]) -> None:
    assert fragments.term_key(one) != fragments.term_key(other)


def test_solutions_are_a_multiset_whatever_the_order() -> None:
    a = {"x": {"type": "uri", "value": "http://a/"}}
    b = {"x": {"type": "uri", "value": "http://b/"}, "y": {"type": "literal", "value": "1"}}
    assert fragments.solutions([a, b, a]) == fragments.solutions([b, a, a])
    assert fragments.solutions([a, b]) != fragments.solutions([a, b, a])
    assert fragments.solutions([a]) != fragments.solutions([{}])


BURN = (
    "import sys, time\nwhile time.process_time() < 0.3: pass\nprint(flush=True)\nsys.stdin.read()"
)


def test_cpu_counts_children_alive_and_reaped() -> None:
    """A child that has used 0.3 s of CPU adds at least that while it runs and once reaped
    (/proc counts in clock ticks, and each of the two readings may lose one)."""
    slack = 2 / fragments.CLOCK_TICKS
    before = fragments.cpu_seconds(os.getpid())
    child = subprocess.Popen(
        [sys.executable, "-c", BURN], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert child.stdout is not None and child.stdin is not None
    try:
        child.stdout.readline()  # it has burnt its CPU and waits
        assert fragments.cpu_seconds(os.getpid()) - before >= 0.3 - slack
    finally:
        child.stdin.close()
        child.wait(30)
        child.stdout.close()
    assert fragments.cpu_seconds(os.getpid()) - before >= 0.3 - slack


def test_pages_are_the_same_people_in_the_same_order() -> None:
    origin = "http://127.0.0.1:1/"
    fragment_paths, documents = fragments.page_paths(origin, 30)
    assert len(fragment_paths) == len(documents) == 30
    subjects = [
        urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["subject"][0]
        for path in fragment_paths
    ]
    assert [s.removeprefix(origin + "id/") for s in subjects] == [
        d.removeprefix("/doc/") for d in documents
    ]
    assert sorted(documents) == sorted(f"/doc/person/p{p}" for p in range(30))


@pytest.mark.parametrize("kind", ["fragments", "documents"])
def test_rates_count_every_request_they_make(
    kind: str, served: Served, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With the Python client (no wrk): a cold walk over 20 pages, then the warm pages (the
    same 20) asked once and measured once; every page answered 200 (else it raises)."""
    monkeypatch.setattr(fragments.shutil, "which", lambda name: None)
    fragment_paths, documents = fragments.page_paths(served.origin, 20)
    paths = fragment_paths if kind == "fragments" else documents
    prefix = "/fragments" if kind == "fragments" else "/doc/"
    before = sum(n for path, n in served.received.items() if path.startswith(prefix))
    found = fragments.throughput(served.origin, kind, paths, 1, tmp_path)
    after = sum(n for path, n in served.received.items() if path.startswith(prefix))
    assert after - before == 3 * 20
    assert found.kind == kind and found.tool == "python, 1 connection"
    assert found.cold > 0 and found.warm > 0


@pytest.mark.skipif(bool(fragments.comunica_missing()), reason=fragments.comunica_missing() or "-")
def test_the_mix_counts_the_requests_the_server_received(served: Served) -> None:
    """Two queries, each answered once cold, then 3 times by the endpoint and twice by
    Comunica: the answers counted are those made, the endpoint is asked once per answer, and
    the requests Comunica reports are those the server received at /fragments."""
    mix = {name: fragments.QUERIES[name] for name in ("label, language filter", "union")}
    before = Counter(served.received)
    with fragments.Comunica() as client:
        # The server runs in this process: its CPU is ours (Comunica's Node process included).
        found = fragments.compare_mix(served.origin, os.getpid(), client, 2, 3, mix)
    made = Counter(served.received) - before
    assert set(found) == set(mix)
    reported = 0.0
    for ways in found.values():
        endpoint, comunica = ways["endpoint"], ways["fragments"]
        assert [endpoint.cold.answers, endpoint.warm.answers] == [1, 3]
        assert [comunica.cold.answers, comunica.warm.answers] == [1, 2]
        assert [endpoint.cold.requests, endpoint.warm.requests] == [1, 1]
        assert endpoint.same_answer and comunica.same_answer, comunica.error
        assert min(endpoint.cold.cpu, endpoint.warm.cpu, comunica.warm.cpu) >= 0
        reported += comunica.cold.requests + comunica.warm.requests * comunica.warm.answers
    assert made["/sparql"] == (1 + 3) * len(mix)
    assert made["/fragments"] == round(reported)


def test_the_report_adds_the_mix_up(capsys: pytest.CaptureFixture[str]) -> None:
    """The whole mix's row is the sum of the queries' rows, its ratio theirs."""

    def way(cpu: float, requests: float) -> fragments.Way:
        return fragments.Way(
            fragments.Cost(cpu, requests, 1.0, 1), fragments.Cost(cpu, requests, 1.0, 3), True
        )

    found = {
        "a": {"endpoint": way(0.002, 1), "fragments": way(0.010, 7)},
        "b": {"endpoint": way(0.003, 1), "fragments": way(0.040, 30)},
    }
    fragments.report_mix(found)
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    totals = [row for row in rows if row[:3] == ["the", "whole", "mix"]]
    assert [row[3:7] for row in totals] == [["5.0", "50.0", "10.0", "37"]] * 2
