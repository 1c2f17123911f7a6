"""Dereferencing throughput against the ceiling of a bare app serving the same bytes.

Both servers run one at a time under identical uvicorn settings; `wrk` drives each with 16
concurrent connections. Prints requests/s, p50 and p99 latency and the ratio to the ceiling.
Target: at least 0.7.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.server import uvicorn_server

DOCUMENT = "doc/person/nasser-bourita.ttl"
CONNECTIONS = 16
DURATION = "10s"


@dataclass
class Run:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float


def wrk(name: str, url: str) -> Run:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    return Run(name, rps, _latency(output, "50%"), _latency(output, "99%"))


def _latency(output: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("bench/dereference needs wrk (apt-get install wrk)")
    with uvicorn_server("publisher.web.app:create_app", factory=True) as base:
        with urllib.request.urlopen(base + DOCUMENT) as response:
            body = response.read()
            media_type = response.headers["Content-Type"]
        publisher = wrk("publisher", base + DOCUMENT)
    with tempfile.TemporaryDirectory() as folder:
        body_file = Path(folder) / "body"
        body_file.write_bytes(body)
        env = {"BENCH_BODY_FILE": str(body_file), "BENCH_MEDIA_TYPE": media_type}
        with uvicorn_server("bench.bare_app:app", env=env) as base:
            ceiling = wrk("bare FastAPI, fixed bytes", base + DOCUMENT)
    print(f"GET /{DOCUMENT} ({len(body)} bytes), {CONNECTIONS} connections, {DURATION} each")
    print(f"{'server':<28} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
    for run in (publisher, ceiling):
        print(
            f"{run.name:<28} {run.requests_per_second:>10.0f} {run.p50_ms:>8.2f} {run.p99_ms:>8.2f}"
        )
    ratio = publisher.requests_per_second / ceiling.requests_per_second
    print(f"ratio publisher / ceiling: {ratio:.2f} (target >= 0.70)")


if __name__ == "__main__":
    main()
