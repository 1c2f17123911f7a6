"""Helpers for the SPARQL endpoint tests: fixture settings, a real uvicorn on a loopback port,
and a TCP listener that records every connection (to prove a query fetched nothing)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from publisher.config import Settings
from publisher.dataset import Sources
from publisher.stores import open_dataset
from publisher.web.app import create_app

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SPARQL_DATA = FIXTURES / "sparql" / "data.trig"
W3C_DATA = FIXTURES / "w3c-protocol" / "w3c-protocol-graphs.trig"
BASE = "https://w3id.org/gcm-arab-review/"


def settings_for(data: Path, origin: str, **overrides: object) -> Settings:
    """Settings for one fixture file, no ontology, no shapes."""
    return Settings(
        base_iri=BASE, public_origin=origin, data=[str(data)], ontology=[], shapes=[], **overrides
    )


def app_for(settings: Settings) -> FastAPI:
    sources = Sources(tuple(Path(p) for p in settings.data), (), ())
    return create_app(settings, open_dataset(settings, sources))


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serve(make_app: Callable[[str], FastAPI]) -> Iterator[str]:
    """Run `make_app(origin)` under uvicorn on a free loopback port; yields the origin
    (`http://127.0.0.1:PORT/`), stops the server (and so the worker pool) afterwards."""
    sock = free_socket()
    origin = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    config = uvicorn.Config(make_app(origin), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield origin
    finally:
        server.should_exit = True
        thread.join(60)
        sock.close()


class Listener:
    """A TCP server on a loopback port that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = free_socket()
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.connections = 0
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


@contextmanager
def listener() -> Iterator[Listener]:
    watcher = Listener()
    try:
        yield watcher
    finally:
        watcher.close()
