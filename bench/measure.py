"""The measuring instruments the report shares: wrk over a walk of paths (statuses counted, not
refused), sequential latency samples, resident memory of a process tree, and waiting for the
first correct answer. Each returns plain numbers or a dataclass, so that the report can keep
them and the older benchmarks can print them."""

from __future__ import annotations

import http.client
import re
import subprocess
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.workers import tree_rss

WALK = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local position = 0
request = function()
  position = position %% #paths + 1
  return wrk.format("GET", paths[position], %(headers)s)
end
"""


@dataclass
class WrkRun:
    """One wrk run: every answer counted, the non-2xx ones (503s when the endpoint sheds load)
    apart, so that a refusal is never mistaken for throughput."""

    connections: int
    seconds: float
    requests: int
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        """Every answer per second, whatever its status."""
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def ok_per_second(self) -> float:
        """2xx answers per second: the figure compared across servers."""
        return (self.requests - self.non_2xx) / self.seconds if self.seconds else 0.0


def wrk_walk(
    origin: str,
    paths: Sequence[str],
    headers: dict[str, str],
    *,
    seconds: float,
    connections: int,
    folder: Path,
) -> WrkRun:
    """`wrk -t1 -cN` walking `paths` in order (one wrk thread: its connections share the
    walk, so each path is asked once while they last)."""
    listing = folder / "paths.txt"
    listing.write_text("\n".join(paths) + "\n")
    lua = ", ".join(f'["{k}"] = "{v}"' for k, v in headers.items())
    script = folder / "walk.lua"
    script.write_text(WALK % {"paths": listing, "headers": f"{{{lua}}}" if lua else "nil"})
    duration = max(1, round(seconds))
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script)]
    output = subprocess.run(
        [*command, origin], check=True, capture_output=True, text=True, timeout=duration + 120
    ).stdout
    return parse_wrk(output, connections)


def parse_wrk(output: str, connections: int) -> WrkRun:
    found = re.search(r"(\d+) requests in ([\d.]+)(m?s|m)\b", output)
    if found is None:
        raise RuntimeError(f"wrk printed no request count:\n{output}")
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0}[found.group(3)]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkRun(
        connections=connections,
        seconds=float(found.group(2)) * scale,
        requests=int(found.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
        p50_ms=_percentile(output, "50%"),
        p99_ms=_percentile(output, "99%"),
    )


def _percentile(output: str, label: str) -> float:
    found = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    if found is None:
        return 0.0
    return float(found.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]


def latency_samples(origin: str, paths: Sequence[str], headers: dict[str, str]) -> list[float]:
    """Milliseconds of each request, one at a time on one keep-alive connection: what a
    client following links meets when nothing is cached (each path is fresh)."""
    parts = urllib.parse.urlsplit(origin)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=120)
    times: list[float] = []
    try:
        for path in paths:
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            times.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise RuntimeError(f"GET {origin}{path[1:80]}: {response.status}")
    finally:
        connection.close()
    return times


def rss_mb(pid: int) -> float:
    """Resident memory of `pid` and its descendants (HTTP and SPARQL workers), in MB."""
    return tree_rss(pid) / 1024


def get(url: str, headers: dict[str, str] | None = None, timeout: float = 10.0) -> tuple[int, str]:
    """(status, body) of one GET; (0, reason) when nothing answered."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(
        parts.hostname or "127.0.0.1", parts.port, timeout=timeout
    )
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("GET", target or "/", headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    except OSError as error:
        return 0, str(error)
    finally:
        connection.close()


def until_correct(
    started: float,
    checks: dict[str, Callable[[], bool]],
    alive: Callable[[], bool],
    limit: float,
) -> dict[str, float]:
    """Seconds from `started` (a monotonic time) until each check first passes, polled every
    20 ms; a check that never passes within `limit` is left out (the caller says so)."""
    passed: dict[str, float] = {}
    deadline = started + limit
    while len(passed) < len(checks) and time.monotonic() < deadline:
        for name, check in checks.items():
            if name not in passed and check():
                passed[name] = time.monotonic() - started
        if not alive():
            break
        time.sleep(0.02)
    return passed
