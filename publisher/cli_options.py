"""The options several `publisher` subcommands share, declared once (typer reads the
annotations: flag name, help text, the environment variable it overrides)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

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
StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Serve from a store instead of parsing the sources: a folder written by "
        "`publisher load --into`, a SPARQL 1.1 endpoint URL, or `rdflib:` (the sources "
        "parsed with rdflib, for small data). Env: PUBLISHER_STORE.",
    ),
]
TitleOpt = Annotated[
    str | None,
    typer.Option(
        "--title", help="Dataset title instead of the one its data states. Env: PUBLISHER_TITLE."
    ),
]
LicenseOpt = Annotated[
    str | None,
    typer.Option(
        "--license",
        help="Licence IRI instead of the one the data states; `none` publishes no licence. "
        "Env: PUBLISHER_LICENSE.",
    ),
]
SkipValidationOpt = Annotated[
    bool,
    typer.Option(
        "--skip-validation",
        help="Do not validate against the SHACL shapes (large data: validation holds every "
        "triple in memory). Said in the output.",
    ),
]


class ReportFormat(StrEnum):
    """How `publisher validate` writes its report."""

    text = "text"
    turtle = "turtle"
