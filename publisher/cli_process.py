"""How the `publisher` command meets the process: errors a person can fix as one line and an
exit status, SIGTERM as a clean stop, and a port checked before anything is opened."""

from __future__ import annotations

import contextlib
import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError

from publisher.errors import PublisherError


def fail(message: str, status: int) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(status)


@contextmanager
def interrupt_on_sigterm() -> Iterator[None]:
    """SIGTERM as SIGINT: the `finally` blocks run (a load removes its staging folder)."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (an embedding program): leave its handler alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def exit_on_sigterm() -> None:
    """SIGTERM is how a service is stopped: uvicorn finishes the requests in flight, then
    raises the signal again once it has restored this handler, which makes it a clean exit
    (0) rather than a death by signal (the same before the server has started)."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    with contextlib.suppress(ValueError):  # not the main thread: leave the handler alone
        signal.signal(signal.SIGTERM, stop)


def port_is_free(host: str, port: int) -> None:
    """Fail before opening the dataset rather than after (uvicorn would start the app, then
    fail to bind and shut it down again)."""
    if port == 0:
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        fail(f"cannot listen on {host}:{port}: {error.strerror or error}", 2)
        return
    family, kind, _, _, address = infos[0]
    with socket.socket(family, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            fail(f"cannot listen on {host}:{port}: {error.strerror or error}", 2)


def run_reporting_errors(action: Callable[[], int]) -> None:
    """Turn the errors a person can fix into one line and an exit status, never a traceback."""
    try:
        status = action()
    except PublisherError as error:  # RDF syntax errors, missing files, store faults …
        fail(str(error), 2)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        fail(f"invalid setting: {problems}", 2)
    else:
        raise typer.Exit(status)
