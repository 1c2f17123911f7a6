"""A burst of cheap SPARQL queries from 16 concurrent clients, side by side in one run: the
publisher refusing what it cannot run at once (`max_queued_queries=0`, the old behaviour)
against the publisher queueing it (the default). Prints answers per status and the ratio.

`python -m bench.burst [--clients 16] [--seconds 10]`
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from dataclasses import dataclass

import httpx

from bench.server import uvicorn_server

QUERY = "ASK { ?s ?p ?o }"


async def hammer(base: str, clients: int, seconds: float) -> tuple[Counter[int], float]:
    statuses: Counter[int] = Counter()
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def one_client() -> None:
            while time.monotonic() < deadline:
                response = await client.get(
                    base + "sparql",
                    params={"query": QUERY},
                    headers={"accept": "application/sparql-results+json"},
                )
                statuses[response.status_code] += 1

        started = time.monotonic()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        return statuses, time.monotonic() - started


def measure(queued: int, clients: int, seconds: float) -> tuple[Counter[int], float]:
    env = {"PUBLISHER_MAX_QUEUED_QUERIES": str(queued)}
    with uvicorn_server("publisher.web.app:create_app", factory=True, env=env) as base:
        asyncio.run(hammer(base, 2, 1.0))  # warm-up: workers started, caches filled
        return asyncio.run(hammer(base, clients, seconds))


@dataclass
class BurstRow:
    """One admission policy under the burst: answers per status over the run."""

    label: str
    statuses: dict[int, int]
    seconds: float

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def ok(self) -> int:
        return self.statuses.get(200, 0)

    @property
    def ok_per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def run(clients: int = 16, seconds: float = 10.0) -> list[BurstRow]:
    """Refusing when busy (queue 0) against queueing (the default), side by side."""
    rows = []
    for label, queued in (("refuse when busy (queue 0)", 0), ("queue (default 64)", 64)):
        statuses, elapsed = measure(queued, clients, seconds)
        rows.append(BurstRow(label, dict(statuses), elapsed))
    return rows


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.burst")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    rows = run(args.clients, args.seconds)
    print(f"{args.clients} clients, `{QUERY}`, {args.seconds:g} s each")
    for row in rows:
        print(
            f"  {row.label:28} {row.total:7} answers  {row.ok:7} × 200  "
            f"{row.total - row.ok:6} other  {row.ok_per_second:8.0f} 200/s"
        )
    shares = [row.ok / max(row.total, 1) for row in rows]
    print(f"  share of 200: {shares[0]:.1%} → {shares[1]:.1%}")
    ratio = rows[1].ok_per_second / max(rows[0].ok_per_second, 1e-9)
    print(f"  200/s ratio (queue / refuse): {ratio:.2f}")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
