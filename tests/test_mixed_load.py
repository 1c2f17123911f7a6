"""A short mixed load against a real `publisher serve`: bench/mixed.py itself, 16 clients for
5 s on the small fixture dataset. Correctness only, not speed: no 5xx but a 503 with
Retry-After, every 200 body parses as what it says it is, and the server answers correctly
afterwards. The benchmark starts and stops its own server (in a `finally`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from publisher.config import PROJECT_ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "dumps"
BASE = "https://w3id.org/gcm-arab-review/"
LIMIT = 300  # seconds before the run counts as hung (it takes about 20)


def test_a_mixed_load_gets_only_correct_answers(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    command = [sys.executable, "-m", "bench.mixed", "--clients", "16", "--seconds", "5"]
    command += ["--warmup", "1", "--base-iri", BASE, "--json", str(out)]
    command += ["--data", str(FIXTURES / "data.trig"), "--data", str(FIXTURES / "ontology.ttl")]
    finished = subprocess.run(
        command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=LIMIT, check=False
    )
    assert out.exists(), finished.stdout + finished.stderr
    report = json.loads(out.read_text())
    assert report["errors"] == 0, report["error_samples"]
    assert report["answers_after"], finished.stdout
    assert report["requests"] > 100
    kinds = report["by_kind"]
    for kind in ("doc.ttl", "doc.jsonld", "doc.html", "303", "page", "sparql", "dump-range"):
        assert kinds.get(kind, 0) > 0, kind  # every part of the mix was exercised
    assert finished.returncode == 0, finished.stdout + finished.stderr
