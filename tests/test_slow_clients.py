"""Clients that hold connections: `publisher serve` on a loopback port, one process and two workers.

Slow-loris clients send their headers (or body) one byte at a time: every such connection must be
closed within the header (body) timeout plus a margin, while a normal request is still served.
Also: an idle keep-alive connection is closed, connections over `max_connections` get 503 with
Retry-After at once, a 100 KB request line gets 414 and 100 KB of headers 431, and a client that
disconnects mid-body leaves no traceback in the log. Timeouts are set short (1 s) so the bounds
asserted are generous ones.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from ld_support import BASE, FIXTURES
from sparql_support import free_socket

TIMEOUT = 1.0  # header_timeout, body_timeout and keep_alive_timeout of the servers under test
MARGIN = 6.0  # on top of a timeout: scheduling on a busy machine, never a measurement
MAX_CONNECTIONS = 60
SLOW_CLIENTS = 40
STARTUP_LIMIT = 120.0


@dataclass(frozen=True)
class Server:
    port: int
    workers: int
    log: Path

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


@pytest.fixture(scope="module", params=[1, 2], ids=["one-process", "two-workers"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    workers: int = request.param
    with free_socket() as sock:
        port = sock.getsockname()[1]
    log = tmp_path_factory.mktemp("slow") / "serve.log"
    command = [sys.executable, "-m", "publisher", "serve", "--skip-validation"]
    command += ["--data", str(FIXTURES / "data.trig"), "--ontology", str(FIXTURES / "ontology.ttl")]
    command += ["--base-iri", BASE, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUBLISHER_")}
    env |= {
        "PUBLISHER_HEADER_TIMEOUT": str(TIMEOUT),
        "PUBLISHER_BODY_TIMEOUT": str(TIMEOUT),
        "PUBLISHER_KEEP_ALIVE_TIMEOUT": str(TIMEOUT),
        "PUBLISHER_MAX_CONNECTIONS": str(MAX_CONNECTIONS),
    }
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_until_up(Server(port, workers, log), process)
        yield Server(port, workers, log)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(server: Server, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited:\n{server.log.read_text(errors='replace')}")
        text = server.log.read_text(errors="replace")
        if text.count("Application startup complete") >= server.workers:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(server.origin + "health", timeout=2).status_code == 200:
                    return
        time.sleep(0.2)
    pytest.fail(f"no answer from /health:\n{server.log.read_text(errors='replace')}")


@contextlib.contextmanager
def connections(port: int, count: int, first: bytes) -> Iterator[list[socket.socket]]:
    """`count` connections that have sent `first`; all closed on the way out."""
    opened: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            opened.append(sock)
            if first:
                sock.sendall(first)
            sock.setblocking(False)
        yield opened
    finally:
        for sock in opened:
            sock.close()


def drip_until_closed(socks: list[socket.socket], limit: float) -> tuple[int, list[bytes]]:
    """Send one byte every 0.2 s on each open connection until the server has closed all of
    them or `limit` seconds pass: (connections still open, what each received)."""
    received = [b""] * len(socks)
    open_ = set(range(len(socks)))
    deadline = time.monotonic() + limit
    while open_ and time.monotonic() < deadline:
        for i in list(open_):
            try:
                data = socks[i].recv(4096)
            except BlockingIOError:
                with contextlib.suppress(BlockingIOError, OSError):
                    socks[i].send(b"a")
                continue
            except OSError:  # reset
                open_.discard(i)
                continue
            if data:
                received[i] += data
            else:
                open_.discard(i)
        time.sleep(0.2)
    return len(open_), received


HEADERS_NEVER_ENDING = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
BODY_NEVER_ENDING = (
    b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
    b"Content-Length: 100000\r\n\r\nSELECT"
)


def test_slow_headers_are_cut_and_others_still_served(server: Server) -> None:
    with connections(server.port, SLOW_CLIENTS, HEADERS_NEVER_ENDING) as socks:
        time.sleep(TIMEOUT / 4)
        assert httpx.get(server.origin + "health", timeout=10).status_code == 200
        still_open, received = drip_until_closed(socks, TIMEOUT + MARGIN)
    assert still_open == 0
    answers = [r for r in received if r]
    assert answers, "a client cut for slowness is told so (408)"
    assert all(r.startswith(b"HTTP/1.1 408 ") for r in answers)


def test_slow_bodies_are_cut_quietly(server: Server) -> None:
    with connections(server.port, SLOW_CLIENTS // 2, BODY_NEVER_ENDING) as socks:
        assert httpx.get(server.origin + "health", timeout=10).status_code == 200
        still_open, _ = drip_until_closed(socks, TIMEOUT + MARGIN)
    assert still_open == 0
    time.sleep(0.5)
    assert "Traceback" not in server.log.read_text(errors="replace")


def test_an_aborted_post_leaves_no_traceback(server: Server) -> None:
    before = server.log.read_text(errors="replace").count("\n")
    with connections(server.port, 1, BODY_NEVER_ENDING):
        time.sleep(0.3)  # the app is reading the body
    time.sleep(0.5)
    assert httpx.get(server.origin + "health", timeout=10).status_code == 200
    new = server.log.read_text(errors="replace").splitlines()[before:]
    assert "Traceback" not in "\n".join(new)
    assert len([line for line in new if "/sparql" in line]) <= 1


def test_an_idle_keep_alive_connection_is_closed(server: Server) -> None:
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with connections(server.port, 1, request) as socks:
        still_open, received = drip_until_closed_silently(socks[0], TIMEOUT + MARGIN)
    assert not still_open
    assert received.startswith(b"HTTP/1.1 200 ")


def drip_until_closed_silently(sock: socket.socket, limit: float) -> tuple[bool, bytes]:
    """Read without sending anything until the server closes: (still open, bytes read)."""
    received = b""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            data = sock.recv(4096)
        except BlockingIOError:
            time.sleep(0.1)
            continue
        if not data:
            return False, received
        received += data
    return True, received


@pytest.mark.parametrize(
    ("first", "status"),
    [
        (b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", b"414"),
        (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"b" * 100_000 + b"\r\n\r\n", b"431"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", b"400"),
    ],
    ids=["long-url", "long-headers", "malformed"],
)
def test_oversized_or_malformed_requests_are_refused(
    server: Server, first: bytes, status: bytes
) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        with contextlib.suppress(OSError):  # the server may close before reading it all
            sock.sendall(first)
        answer = b""
        with contextlib.suppress(OSError):
            while chunk := sock.recv(4096):
                answer += chunk
    assert answer.startswith(b"HTTP/1.1 " + status + b" "), answer[:200]
    assert b"x-content-type-options: nosniff" in answer.lower()


def test_connections_over_the_limit_get_503_at_once(server: Server) -> None:
    if server.workers > 1:
        pytest.skip("the limit is per process; which worker accepts a connection is the kernel's")
    extra = 10
    with connections(server.port, MAX_CONNECTIONS + extra, b"") as socks:
        time.sleep(1.0)
        refused = []
        for sock in socks:
            with contextlib.suppress(BlockingIOError):
                refused.append(sock.recv(4096))
    busy = [r for r in refused if r.startswith(b"HTTP/1.1 503 ")]
    assert len(busy) >= extra
    assert all(b"retry-after: " in r.lower() for r in busy)
    assert httpx.get(server.origin + "health", timeout=10).status_code == 200


def test_the_access_log_does_not_believe_x_forwarded_for(server: Server) -> None:
    """No trusted proxy is configured: the log names the socket's peer, not the header's."""
    response = httpx.get(
        server.origin + "health?forwarded-check", headers={"X-Forwarded-For": "203.0.113.9"}
    )
    assert response.status_code == 200
    time.sleep(0.3)
    lines = [
        line
        for line in server.log.read_text(errors="replace").splitlines()
        if "forwarded-check" in line
    ]
    assert lines and all("127.0.0.1" in line for line in lines)
    assert not any("203.0.113.9" in line for line in lines)
