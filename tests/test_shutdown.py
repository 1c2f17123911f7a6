"""Stopping: SIGTERM lets the requests in flight finish and the server exit 0 within a few
seconds; SIGTERM during `publisher load` removes its staging folder, as Ctrl-C does."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "load"
THINGS = FIXTURES / "things.nt.gz"
BASE = "https://data.example.org/things/"
# About a second of work on the 300 fixture triples (300 x 300 x 60 rows counted).
SLOW_QUERY = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . "
    "{ SELECT ?g WHERE { ?g ?h ?i } LIMIT 60 } }"
)
EXIT_WITHIN = 10.0  # seconds from SIGTERM to exit once the slow query has answered


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_listening(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(url + "health", timeout=5).status_code < 500:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(30)


def test_sigterm_lets_requests_in_flight_finish(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "publisher", "serve", "--data", str(THINGS),
               "--base-iri", BASE, "--skip-validation", "--port", str(port)]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_listening(process, url, log)
        answers: list[httpx.Response] = []

        def slow() -> None:
            answers.append(
                httpx.post(
                    url + "sparql",
                    data={"query": SLOW_QUERY},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=60,
                )
            )

        query = threading.Thread(target=slow)
        query.start()
        time.sleep(0.3)  # the query is running in a worker
        assert query.is_alive(), "the query answered before the signal: make it slower"
        process.send_signal(signal.SIGTERM)
        query.join(60)
        assert answers and answers[0].status_code == 200, answers and answers[0].text
        assert int(answers[0].json()["results"]["bindings"][0]["n"]["value"]) == 300 * 300 * 60
        assert process.wait(EXIT_WITHIN) == 0, log.read_text()
        assert "Traceback" not in log.read_text()
    finally:
        stop(process)


def big_ntriples(path: Path, lines: int) -> Path:
    with path.open("w") as out:
        for n in range(lines):
            out.write(f'<{BASE}id/x{n // 10}> <{BASE}def/p{n % 10}> "value {n} of many" .\n')
    return path


def test_sigterm_during_load_removes_its_staging_folder(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    first = subprocess.run(
        [
            sys.executable,
            "-m",
            "publisher",
            "load",
            str(THINGS),
            "--into",
            str(folder),
            "--base-iri",
            BASE,
            "--skip-validation",
        ],  # fmt: skip
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    before = sorted(p.name for p in folder.iterdir())
    metadata = (folder / "publisher-store.json").read_bytes()
    source = big_ntriples(tmp_path / "big.nt", 1_500_000)
    command = [sys.executable, "-m", "publisher", "load", str(source), "--into", str(folder),
               "--base-iri", BASE, "--skip-validation"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not any(p.name.startswith(".loading-") for p in folder.iterdir()):
            assert process.poll() is None and time.monotonic() < deadline, "the load ended early"
            time.sleep(0.05)
        time.sleep(0.5)  # the store is being written
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode != 0
        assert b"Traceback" not in stderr, stderr
    finally:
        stop(process)
    assert sorted(p.name for p in folder.iterdir()) == before
    assert (folder / "publisher-store.json").read_bytes() == metadata
