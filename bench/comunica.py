"""Comunica, the linked-data client, in one Node process asked one query at a time: what the
fragments benchmark (bench/fragments.py) and its tests (tests/test_fragments_*.py) query
`/fragments` with. Comunica comes from `npm ci --prefix tests/comunica`."""

from __future__ import annotations

import json
import select
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from subprocess import PIPE
from typing import Any

COMUNICA = (
    Path(__file__).resolve().parents[1] / "tests/comunica/node_modules/@comunica/query-sparql"
)
RUNNER = r"""
// One engine; a JSON line {source, query} in, a JSON line out: rows as SPARQL JSON terms,
// requests made, wall ms. Comunica's HTTP cache is emptied before each query.
const readline = require('readline');
const { QueryEngine } = require(process.argv[1]);
const XSD_STRING = 'http://www.w3.org/2001/XMLSchema#string';
function term(t) {
  if (t.termType === 'NamedNode') return { type: 'uri', value: t.value };
  if (t.termType === 'BlankNode') return { type: 'bnode', value: t.value };
  const found = { type: 'literal', value: t.value };
  if (t.language) found['xml:lang'] = t.language;
  else if (t.datatype.value !== XSD_STRING) found.datatype = t.datatype.value;
  return found;
}
(async () => {
  const engine = new QueryEngine();
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const { source, query } = JSON.parse(line);
    let requests = 0;
    const fetching = (url, init) => { requests += 1; return fetch(url, init); };
    await engine.invalidateHttpCache();
    const started = process.hrtime.bigint();
    let answer;
    try {
      const stream = await engine.queryBindings(query, { sources: [source], fetch: fetching });
      const rows = (await stream.toArray()).map(
        (b) => Object.fromEntries([...b].map(([v, t]) => [v.value, term(t)])));
      answer = { rows };
    } catch (error) {
      answer = { error: String((error && error.message) || error) };
    }
    answer.requests = requests;
    answer.ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(JSON.stringify(answer) + '\n');
  }
})();
"""

Row = dict[str, dict[str, str]]


@dataclass
class Answer:
    """One answer: its rows (SPARQL JSON terms), HTTP requests made, wall ms, error if any."""

    rows: list[Row]
    requests: int
    ms: float
    error: str = ""


class Comunica:
    """One Node process running Comunica, asked one query at a time (Node starts once); a
    context manager that ends the process."""

    def __init__(self, module: Path = COMUNICA, timeout: float = 600.0) -> None:
        self.timeout = timeout
        self.process = subprocess.Popen(
            ["node", "-e", RUNNER, str(module)], stdin=PIPE, stdout=PIPE, text=True
        )

    def ask(self, source: str, query: str) -> Answer:
        """Comunica's answer to `query` with `source` (the fragments' URL) its only source."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"source": source, "query": query}) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], self.timeout)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.process.kill()
            raise RuntimeError(f"Comunica gave no answer within {self.timeout:.0f} s: {query}")
        found: dict[str, Any] = json.loads(line)
        return Answer(found.get("rows", []), found["requests"], found["ms"], found.get("error", ""))

    def __enter__(self) -> Comunica:
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()  # the runner's loop ends, and Node with it
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(30)
        self.process.stdout.close()


def comunica_missing(module: Path = COMUNICA) -> str:
    """Why Comunica cannot run here, or "" when it can."""
    if shutil.which("node") is None:
        return "Node.js is not installed"
    if not module.exists():
        return "Comunica is not installed: npm ci --prefix tests/comunica"
    return ""
