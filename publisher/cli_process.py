"""How the `publisher` command meets the process: errors a person can fix as one line and an
exit status, SIGTERM as a clean stop, a port checked before anything is opened, and what the
commands say about validation (a report, no shapes, validation skipped)."""

from __future__ import annotations

import contextlib
import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from pydantic import ValidationError

from publisher.config import Settings
from publisher.errors import PublisherError

if TYPE_CHECKING:
    from publisher.dataset import Dataset
    from publisher.report import ValidationReport


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


# --- validation, as the commands say it -------------------------------------------------------

SKIPPED = "warning: --skip-validation: the data is not checked against any SHACL shapes"


def checked(dataset: Dataset, not_done: str) -> ValidationReport:
    """Validate; on violations print the report and say what was not done (serve, export, push)."""
    from publisher.validation import validate_dataset

    report = validate_dataset(dataset)
    if not report.conforms:
        typer.echo(report.to_text(), err=True)
        typer.echo(f"error: the dataset does not conform to its shapes; not {not_done}.", err=True)
    return report


NO_SHAPES = "no shapes: nothing to validate"


def require_shapes(settings: Settings) -> None:
    """Before a long load: validation needs shapes, or the flag that skips it (a store is
    written once and served as it is, so leaving it unchecked is said out loud)."""
    from publisher.sources import discover

    if not settings.skip_validation and not discover(settings.shapes):
        raise typer.BadParameter(
            "no SHACL shapes to validate against: give --shapes, or --skip-validation to "
            "load without validating",
            param_hint="--shapes",
        )


def with_shapes(dataset: Dataset, shapes: list[str] | None) -> Dataset:
    """A loaded store with `--shapes` to validate it against now instead of the recorded ones."""
    import dataclasses

    from publisher.sources import discover

    if not shapes or not dataset.capabilities.keeps_report:
        return dataset
    sources = dataclasses.replace(dataset.sources, shapes=tuple(discover(shapes)))
    return dataclasses.replace(dataset, sources=sources)


def validate_store(dataset: Dataset, shapes: list[str] | None) -> ValidationReport:
    """The report a store was loaded with, or a validation now against `shapes` (or the
    shapes files the load recorded, if they are still there)."""
    from publisher.validation import validate_dataset

    if not shapes and dataset.report is not None:
        typer.echo(f"(the report made when {dataset.location} was loaded)", err=True)
        return dataset.report
    return validate_dataset(dataset, fresh=True)
