"""The `publisher` command: each subcommand turns flags into Settings and calls the domain."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from publisher.config import Settings
from publisher.errors import PublisherError, RdfSyntaxError

app = typer.Typer(
    help="Publish an RDF dataset as linked data: validate it, serve it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

DataOpt = Annotated[
    list[str] | None,
    typer.Option("--data", help="Data file, folder or glob (repeatable). Env: PUBLISHER_DATA."),
]
OntologyOpt = Annotated[
    list[str] | None,
    typer.Option("--ontology", help="Ontology file, folder or glob (repeatable)."),
]
ShapesOpt = Annotated[
    list[str] | None,
    typer.Option("--shapes", help="SHACL shapes file, folder or glob (repeatable)."),
]
BaseIriOpt = Annotated[
    str | None, typer.Option("--base-iri", help="Canonical namespace of the dataset.")
]


class ReportFormat(StrEnum):
    text = "text"
    turtle = "turtle"


def build_settings(**overrides: Any) -> Settings:
    """Environment first, then every flag the user actually gave."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)


def fail(message: str, status: int) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(status)


def run_reporting_errors(action: Callable[[], int]) -> None:
    """Turn the errors a person can fix into one line and an exit status, never a traceback."""
    try:
        status = action()
    except RdfSyntaxError as error:
        fail(str(error), 2)
    except PublisherError as error:
        fail(str(error), 2)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        fail(f"invalid setting: {problems}", 2)
    else:
        raise typer.Exit(status)


@app.command()
def validate(
    data: DataOpt = None,
    ontology: OntologyOpt = None,
    shapes: ShapesOpt = None,
    base_iri: BaseIriOpt = None,
    report_format: Annotated[
        ReportFormat, typer.Option("--format", help="text: one line per problem; turtle: RDF.")
    ] = ReportFormat.text,
) -> None:
    """Validate ontology + data against the SHACL shapes; exit 1 on any violation."""

    def action() -> int:
        from publisher.dataset import load_dataset
        from publisher.validation import validate_dataset

        settings = build_settings(data=data, ontology=ontology, shapes=shapes, base_iri=base_iri)
        report = validate_dataset(load_dataset(settings))
        if report_format is ReportFormat.turtle:
            sys.stdout.write(report.to_turtle())
        else:
            typer.echo(report.to_text(), err=not report.conforms)
        return 0 if report.conforms else 1

    run_reporting_errors(action)


@app.command()
def serve(
    data: DataOpt = None,
    ontology: OntologyOpt = None,
    shapes: ShapesOpt = None,
    base_iri: BaseIriOpt = None,
    public_origin: Annotated[
        str | None, typer.Option(help="Origin clients reach the server at.")
    ] = None,
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Validate, then serve the dataset over HTTP; refuse to start on an invalid graph."""

    def action() -> int:
        import uvicorn

        from publisher.dataset import load_dataset
        from publisher.validation import validate_dataset
        from publisher.web.app import create_app

        settings = build_settings(
            data=data,
            ontology=ontology,
            shapes=shapes,
            base_iri=base_iri,
            public_origin=public_origin,
            host=host,
            port=port,
        )
        dataset = load_dataset(settings)
        report = validate_dataset(dataset)
        if not report.conforms:
            typer.echo(report.to_text(), err=True)
            typer.echo("error: the dataset does not conform to its shapes; not serving.", err=True)
            return 1
        uvicorn.run(create_app(settings, dataset), host=settings.host, port=settings.port)
        return 0

    run_reporting_errors(action)


@app.command()
def export(
    out: Annotated[
        Path,
        typer.Argument(help="Folder to write; created, or replaced if it holds an earlier export."),
    ],
    data: DataOpt = None,
    ontology: OntologyOpt = None,
    shapes: ShapesOpt = None,
    base_iri: BaseIriOpt = None,
    public_origin: Annotated[
        str | None,
        typer.Option(
            help="Origin the export will be served at: every IRI and link is written "
            "for it. Default: http://127.0.0.1:8000/."
        ),
    ] = None,
    listen: Annotated[
        str | None,
        typer.Option(
            help="nginx `listen` value. Default: 127.0.0.1:8000, or the port of "
            "--public-origin on every interface."
        ),
    ] = None,
    root: Annotated[
        str | None,
        typer.Option(
            help="Document root written in site.conf, if the site/ folder is moved "
            "there. Default: OUT/site."
        ),
    ] = None,
    sparql_endpoint: Annotated[
        str | None,
        typer.Option(
            help="A live SPARQL endpoint: /sparql of the export redirects queries "
            "to it (307). Without it, queries get 501: a static copy has no endpoint."
        ),
    ] = None,
) -> None:
    """Validate, then write every document, dump and description as files, with an nginx
    configuration that answers as `publisher serve` does."""

    def action() -> int:
        from urllib.parse import urlsplit

        from publisher.dataset import load_dataset
        from publisher.validation import validate_dataset
        from publisher.web.export import export_site

        settings = build_settings(
            data=data,
            ontology=ontology,
            shapes=shapes,
            base_iri=base_iri,
            public_origin=public_origin,
        )
        dataset = load_dataset(settings)
        report = validate_dataset(dataset)
        if not report.conforms:
            typer.echo(report.to_text(), err=True)
            typer.echo(
                "error: the dataset does not conform to its shapes; not exporting.", err=True
            )
            return 1
        if listen is None and settings.public_origin is not None:
            split = urlsplit(settings.public_origin)
            default_listen = str(split.port or (443 if split.scheme == "https" else 80))
        else:
            default_listen = None
        summary = export_site(
            settings,
            dataset,
            out,
            report=report,
            listen=listen or default_listen,
            root=root,
            sparql_endpoint=sparql_endpoint,
        )
        typer.echo(
            f"wrote {summary.files} files ({summary.bytes / 1e6:.1f} MB, {summary.things} things) "
            f"for {summary.origin} into {summary.out}"
        )
        for path in summary.skipped:
            typer.echo(f"warning: not exported (no safe file name): {path}", err=True)
        typer.echo(f"serve it: nginx -p STATE_DIR -c {summary.out / 'nginx.conf'} -e stderr")
        return 0

    run_reporting_errors(action)
