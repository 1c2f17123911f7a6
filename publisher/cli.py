"""The `publisher` command: each subcommand turns flags into Settings and calls the domain."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from publisher.cli_options import (
    BaseIriOpt,
    DataOpt,
    LanguageOpt,
    LicenseOpt,
    OntologyOpt,
    ReportFormat,
    ShapesOpt,
    SkipValidationOpt,
    SourceBaseOpt,
    SourcesArg,
    StoreOpt,
    TitleOpt,
    build_settings,
    say,
)
from publisher.cli_process import (
    NO_SHAPES,
    SKIPPED,
    checked,
    exit_on_sigterm,
    interrupt_on_sigterm,
    port_is_free,
    require_shapes,
    run_reporting_errors,
    validate_store,
    with_shapes,
)
from publisher.config import Settings

__all__ = ["app", "build_settings"]

if TYPE_CHECKING:
    from publisher.dataset import Sources

app = typer.Typer(
    help="Publish an RDF dataset as linked data: validate it, serve it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.command()
def validate(
    sources: SourcesArg = None,
    data: DataOpt = None,
    ontology: OntologyOpt = None,
    shapes: ShapesOpt = None,
    base_iri: BaseIriOpt = None,
    source_base: SourceBaseOpt = None,
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
    language: LanguageOpt = None,
) -> None:
    """Validate ontology + data against the SHACL shapes; exit 1 on any violation, 0 (and
    nothing to validate) without shapes. The sources are parsed either way."""

    def action() -> int:
        from publisher.stores import open_dataset
        from publisher.validation import has_shapes, validate_dataset

        notes: list[str] = []
        settings = build_settings(
            sources,
            notes=notes,
            data=data,
            ontology=ontology,
            shapes=shapes,
            base_iri=base_iri,
            source_base=source_base,
            store=store,
            title=title,
            license=license,
            languages=language,
        )
        dataset = with_shapes(open_dataset(settings), shapes)
        if not has_shapes(dataset):
            say(notes)
            typer.echo(NO_SHAPES, err=report_format is ReportFormat.turtle)
            return 0
        if dataset.capabilities.keeps_report:
            report = validate_store(dataset, shapes)
        else:
            report = validate_dataset(dataset)
        say(notes)  # after the sources and shapes are read: an error stays one line
        if report_format is ReportFormat.turtle:
            sys.stdout.write(report.to_turtle())
        else:
            typer.echo(report.to_text(), err=not report.conforms)
        return 0 if report.conforms else 1

    run_reporting_errors(action)


@app.command()
def serve(
    sources: SourcesArg = None,
    data: DataOpt = None,
    ontology: OntologyOpt = None,
    shapes: ShapesOpt = None,
    base_iri: BaseIriOpt = None,
    source_base: SourceBaseOpt = None,
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
    language: LanguageOpt = None,
) -> None:
    """Validate, then serve the dataset over HTTP; refuse to start on an invalid graph.

    A store (--store) was validated when it was loaded and is served as it is; sources without
    shapes are served without a validation report."""

    def action() -> int:
        from publisher.stores import open_dataset, parses_sources
        from publisher.validation import has_shapes
        from publisher.web.server import run

        notes: list[str] = []
        settings = build_settings(
            sources,
            notes=notes,
            data=data,
            ontology=ontology,
            shapes=shapes,
            base_iri=base_iri,
            source_base=source_base,
            public_origin=public_origin,
            host=host,
            port=port,
            store=store,
            workers=workers,
            skip_validation=skip_validation or None,
            title=title,
            license=license,
            languages=language,
        )
        port_is_free(settings.host, settings.port)
        parsed = parses_sources(settings)  # else loaded (and validated) ahead
        dataset = open_dataset(settings)  # with several workers: to fail early, then dropped
        say(notes)  # once the sources are read
        if not parsed:
            if dataset.capabilities.keeps_report and not has_shapes(dataset):
                typer.echo(f"{NO_SHAPES}: {settings.store} was loaded without shapes", err=True)
            elif dataset.capabilities.keeps_report and dataset.report is None:
                typer.echo(f"warning: {settings.store} was loaded with --skip-validation", err=True)
        elif settings.skip_validation:
            typer.echo(SKIPPED, err=True)
        elif not has_shapes(dataset):
            typer.echo(f"{NO_SHAPES}: serving without a validation report", err=True)
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
    sources: SourcesArg = None,
    data: DataOpt = None,
    ontology: OntologyOpt = None,
    shapes: ShapesOpt = None,
    base_iri: BaseIriOpt = None,
    source_base: SourceBaseOpt = None,
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
    live_search: Annotated[
        str | None,
        typer.Option(
            help="The search page of a live server (https://data.example.org/search): "
            "/search of the export, which cannot search, links to it."
        ),
    ] = None,
    live_fragments: Annotated[
        str | None,
        typer.Option(
            help="The Triple Pattern Fragments of a live server "
            "(https://data.example.org/fragments): /fragments of the export, which has "
            "none, links to it."
        ),
    ] = None,
    title: TitleOpt = None,
    license: LicenseOpt = None,
    language: LanguageOpt = None,
) -> None:
    """Validate, then write every document, dump and description as files, with an nginx
    configuration that answers as `publisher serve` does (`export OUT SOURCE...`)."""

    def action() -> int:
        from urllib.parse import urlsplit

        from publisher.export.build import export_site
        from publisher.stores import open_dataset
        from publisher.validation import has_shapes

        notes: list[str] = []
        settings = build_settings(
            sources,
            notes=notes,
            data=data,
            ontology=ontology,
            shapes=shapes,
            base_iri=base_iri,
            source_base=source_base,
            public_origin=public_origin,
            title=title,
            license=license,
            languages=language,
        )
        dataset = open_dataset(settings)
        report = None
        say(notes)
        if not has_shapes(dataset):
            typer.echo(f"{NO_SHAPES}: exporting without a validation report", err=True)
        else:
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
            live_search=live_search,
            live_fragments=live_fragments,
        )
        typer.echo(
            f"wrote {summary.files:,} files ({summary.bytes / 1e6:.1f} MB, "
            f"{summary.things:,} {'document' if summary.things == 1 else 'documents'}) "
            f"for {summary.origin} into {summary.out}"
        )
        for path in summary.skipped:
            typer.echo(f"warning: not exported (no safe file name): {path}", err=True)
        typer.echo(f"serve it: nginx -p STATE_DIR -c {summary.out / 'nginx.conf'} -e stderr")
        return 0

    run_reporting_errors(action)


@app.command()
def load(
    sources: SourcesArg = None,
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
    data: DataOpt = None,
    ontology: OntologyOpt = None,
    shapes: ShapesOpt = None,
    base_iri: BaseIriOpt = None,
    source_base: SourceBaseOpt = None,
    skip_validation: SkipValidationOpt = False,
) -> None:
    """Load the sources into a store once, so that `serve --store` starts without parsing
    (N-Triples and N-Quads load fastest). The namespace, given or inferred, is stored with it."""

    def action() -> int:
        from publisher.dataset import Sources
        from publisher.stores import is_remote

        if (into is None) == (store is None):
            raise typer.BadParameter("give exactly one of --into DIR and --store URL")
        target = str(into) if into is not None else str(store)
        if store is not None and not is_remote(store):
            raise typer.BadParameter("--store takes a SPARQL server URL; use --into DIR")
        notes: list[str] = []
        settings = build_settings(
            sources,
            loading=True,
            notes=notes,
            data=data,
            ontology=ontology,
            shapes=shapes,
            base_iri=base_iri,
            source_base=source_base,
            skip_validation=skip_validation or None,
            remote_gsp=gsp,
        )
        require_shapes(settings)
        if settings.skip_validation:
            typer.echo(SKIPPED, err=True)
        say(notes)  # the namespace stored with the store
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
