"""The `publisher` command: each subcommand turns flags into Settings and calls the domain."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from publisher.cli_options import (
    BaseIriOpt,
    DataOpt,
    LicenseOpt,
    OntologyOpt,
    ReportFormat,
    ShapesOpt,
    SkipValidationOpt,
    StoreOpt,
    TitleOpt,
)
from publisher.cli_process import (
    exit_on_sigterm,
    interrupt_on_sigterm,
    port_is_free,
    run_reporting_errors,
)
from publisher.config import Settings

if TYPE_CHECKING:
    from publisher.dataset import Dataset, Sources
    from publisher.report import ValidationReport

app = typer.Typer(
    help="Publish an RDF dataset as linked data: validate it, serve it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

SKIPPED = "warning: --skip-validation: the data is not checked against any SHACL shapes"


def build_settings(**overrides: Any) -> Settings:
    """Environment first, then every flag the user actually gave.

    Someone who names their own data (flag or PUBLISHER_DATA) gets no embedded ontology or shapes
    mixed in: those default to nothing unless named too."""
    given = {key: value for key, value in overrides.items() if value is not None}
    if "data" in given or "PUBLISHER_DATA" in os.environ:
        for name in ("ontology", "shapes"):
            if name not in given and f"PUBLISHER_{name.upper()}" not in os.environ:
                given[name] = []
    store = given.get("store", os.environ.get("PUBLISHER_STORE"))
    if store and "base_iri" not in given and "PUBLISHER_BASE_IRI" not in os.environ:
        loaded = _loaded_base_iri(Settings(**given))
        if loaded is not None:
            given["base_iri"] = loaded
    return Settings(**given)


def _loaded_base_iri(settings: Settings) -> str | None:
    """The base IRI a store was loaded for, so `serve --store DIR|URL` needs no more flags."""
    from publisher.stores import stored_base_iri

    return stored_base_iri(settings)


def checked(dataset: Dataset, not_done: str) -> ValidationReport:
    """Validate; on violations print the report and say what was not done (serve, export, push)."""
    from publisher.validation import validate_dataset

    report = validate_dataset(dataset)
    if not report.conforms:
        typer.echo(report.to_text(), err=True)
        typer.echo(f"error: the dataset does not conform to its shapes; not {not_done}.", err=True)
    return report


def require_shapes(settings: Settings) -> None:
    """Before a long parse or load: validation needs shapes, or the flag that skips it."""
    from publisher.sources import discover

    if not settings.skip_validation and not discover(settings.shapes):
        raise typer.BadParameter(
            "no SHACL shapes to validate against: give --shapes, or --skip-validation to "
            "publish without validating",
            param_hint="--shapes",
        )


@app.command()
def validate(
    data: DataOpt = None,
    ontology: OntologyOpt = None,
    shapes: ShapesOpt = None,
    base_iri: BaseIriOpt = None,
    report_format: Annotated[
        ReportFormat, typer.Option("--format", help="text: one line per problem; turtle: RDF.")
    ] = ReportFormat.text,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Validate a loaded store folder instead of the sources: its report from load "
            "time, or, after --skip-validation or with --shapes, a validation now.",
        ),
    ] = None,
    title: TitleOpt = None,
    license: LicenseOpt = None,
) -> None:
    """Validate ontology + data against the SHACL shapes; exit 1 on any violation."""

    def action() -> int:
        from publisher.stores import open_dataset
        from publisher.validation import validate_dataset

        settings = build_settings(
            data=data,
            ontology=ontology,
            shapes=shapes,
            base_iri=base_iri,
            store=store,
            title=title,
            license=license,
        )
        dataset = open_dataset(settings)
        if dataset.capabilities.keeps_report:
            report = _validate_store(dataset, shapes)
        else:
            report = validate_dataset(dataset)
        if report_format is ReportFormat.turtle:
            sys.stdout.write(report.to_turtle())
        else:
            typer.echo(report.to_text(), err=not report.conforms)
        return 0 if report.conforms else 1

    run_reporting_errors(action)


def _validate_store(dataset: Dataset, shapes: list[str] | None) -> ValidationReport:
    """The report a store was loaded with, or a validation now against `shapes` (or the
    shapes files the load recorded, if they are still there)."""
    import dataclasses

    from publisher.sources import discover
    from publisher.validation import validate_dataset

    if shapes:
        sources = dataclasses.replace(dataset.sources, shapes=tuple(discover(shapes)))
        dataset = dataclasses.replace(dataset, sources=sources)
    elif dataset.report is not None:
        typer.echo(f"(the report made when {dataset.location} was loaded)", err=True)
        return dataset.report
    return validate_dataset(dataset, fresh=True)


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
    store: StoreOpt = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Server processes. With --store DIR all of them read the one store; in "
            "memory each parses its own copy of the sources.",
        ),
    ] = None,
    skip_validation: SkipValidationOpt = False,
    title: TitleOpt = None,
    license: LicenseOpt = None,
) -> None:
    """Validate, then serve the dataset over HTTP; refuse to start on an invalid graph.

    A store (--store) was validated when it was loaded and is served as it is."""

    def action() -> int:
        from publisher.stores import open_dataset, parses_sources
        from publisher.web.server import run

        settings = build_settings(
            data=data,
            ontology=ontology,
            shapes=shapes,
            base_iri=base_iri,
            public_origin=public_origin,
            host=host,
            port=port,
            store=store,
            workers=workers,
            skip_validation=skip_validation or None,
            title=title,
            license=license,
        )
        port_is_free(settings.host, settings.port)
        parsed = parses_sources(settings)  # else loaded (and validated) ahead
        if parsed:
            require_shapes(settings)
        dataset = open_dataset(settings)  # with several workers: to fail early, then dropped
        if not parsed:
            if dataset.capabilities.keeps_report and dataset.report is None:
                typer.echo(f"warning: {settings.store} was loaded with --skip-validation", err=True)
        elif settings.skip_validation:
            typer.echo(SKIPPED, err=True)
        else:
            if not checked(dataset, "serving").conforms:
                return 1
        if settings.workers > 1:
            dataset = None  # type: ignore[assignment]  # each worker opens its own
        exit_on_sigterm()
        run(settings, dataset)
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
    title: TitleOpt = None,
    license: LicenseOpt = None,
) -> None:
    """Validate, then write every document, dump and description as files, with an nginx
    configuration that answers as `publisher serve` does."""

    def action() -> int:
        from urllib.parse import urlsplit

        from publisher.export.build import export_site
        from publisher.stores import open_dataset

        settings = build_settings(
            data=data,
            ontology=ontology,
            shapes=shapes,
            base_iri=base_iri,
            public_origin=public_origin,
            title=title,
            license=license,
        )
        dataset = open_dataset(settings)
        report = checked(dataset, "exporting")
        if not report.conforms:
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


@app.command()
def load(
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            help="Data files, folders or globs (default: the embedded dataset's data/). Any RDF "
            "syntax, gzipped or not; N-Triples and N-Quads load fastest.",
            show_default=False,
        ),
    ] = None,
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            help="Folder of the on-disk store to write; a store already there is replaced "
            "once the new one is complete (and conforms).",
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Push to a SPARQL 1.1 server instead: its query endpoint URL (each graph is "
            "replaced through the Graph Store Protocol).",
        ),
    ] = None,
    gsp: Annotated[
        str | None,
        typer.Option(
            "--gsp",
            help="With --store: the Graph Store Protocol endpoint, if it cannot be guessed "
            "from the query URL. Env: PUBLISHER_REMOTE_GSP.",
        ),
    ] = None,
    ontology: OntologyOpt = None,
    shapes: ShapesOpt = None,
    base_iri: BaseIriOpt = None,
    skip_validation: SkipValidationOpt = False,
) -> None:
    """Load the sources into a store once, so that `serve --store` starts without parsing."""

    def action() -> int:
        from publisher.dataset import Sources
        from publisher.stores import is_remote

        if (into is None) == (store is None):
            raise typer.BadParameter("give exactly one of --into DIR and --store URL")
        target = str(into) if into is not None else str(store)
        if store is not None and not is_remote(store):
            raise typer.BadParameter("--store takes a SPARQL server URL; use --into DIR")
        settings = build_settings(
            data=sources or None,
            ontology=ontology,
            shapes=shapes,
            base_iri=base_iri,
            skip_validation=skip_validation or None,
            remote_gsp=gsp,
        )
        require_shapes(settings)
        if settings.skip_validation:
            typer.echo(SKIPPED, err=True)
        with interrupt_on_sigterm():
            return _load(settings, Sources.from_settings(settings), target)

    run_reporting_errors(action)


def _load(settings: Settings, sources: Sources, target: str) -> int:
    """Validate once, then write to the store folder or push to the SPARQL server."""
    from publisher.stores import load

    size = sum(p.stat().st_size for p in sources.content) / 1e6
    typer.echo(f"loading {len(sources.content)} files ({size:,.1f} MB) into {target}", err=True)
    loaded = load(settings, sources, target)
    if not loaded.written and loaded.report is not None:
        typer.echo(loaded.report.to_text(), err=True)
        typer.echo(
            f"error: the dataset does not conform to its shapes; {target} is left as it was.",
            err=True,
        )
        return 1
    typer.echo(loaded.summary)
    typer.echo(f"serve it: publisher serve --store {target}")
    return 0
