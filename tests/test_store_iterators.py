"""A pyoxigraph iterator must be dropped on the thread that made it. One bound to a local name
outlives its loop: if the function then raises, the exception carries the frame (and the
iterator) to the event loop's thread, which drops it there, and pyoxigraph reports "QuadIter is
unsendable, but is being dropped on another thread" (a CI run failed on it). So the package
consumes `quads_for_pattern` where it calls it, never through a local name."""

from __future__ import annotations

import ast
import gc
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import anyio
import pyoxigraph as ox
import pytest
from fastapi.concurrency import run_in_threadpool

PACKAGE = Path(__file__).resolve().parent.parent / "publisher"
STREAMED = {"stores/remote/push.py"}
"""Where a store is streamed on purpose (the `load` command, one thread, no request)."""


def bound_iterators() -> Iterator[str]:
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in STREAMED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                function = node.value.func
                if isinstance(function, ast.Attribute) and function.attr == "quads_for_pattern":
                    yield f"{relative}:{node.lineno}"


def test_no_store_iterator_is_bound_to_a_local_name() -> None:
    assert list(bound_iterators()) == []


def test_the_mechanism_the_rule_prevents(monkeypatch: pytest.MonkeyPatch) -> None:
    """Consumed where made, nothing is reported; made on one thread and dropped on another, the
    store raises "unsendable" from the garbage collector."""
    seen: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(repr(u.exc_value)))
    store = ox.Store()
    node = ox.NamedNode("http://example.org/a")
    store.add(ox.Quad(node, node, node))

    def consumed() -> None:
        assert {q.subject for q in store.quads_for_pattern(None, None, None)}
        raise KeyError("after the loop")

    async def run(function: object) -> None:
        with pytest.raises(KeyError):
            await run_in_threadpool(function)  # type: ignore[arg-type]

    anyio.run(run, consumed)
    gc.collect()
    assert seen == []
    # What a bound iterator risks, made deterministic: made on a worker thread, dropped on
    # another (when a worker's frame dies is up to the thread pool, which is the danger).
    held: list[object] = []
    worker = threading.Thread(target=lambda: held.append(store.quads_for_pattern(None, None, None)))
    worker.start()
    worker.join()
    held.clear()
    gc.collect()
    assert any("unsendable" in message for message in seen)
