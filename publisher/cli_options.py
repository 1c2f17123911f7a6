"""The options several `publisher` subcommands share, declared once (typer reads the
annotations: flag name, help text, the environment variable it overrides), and how they become
one `Settings`: which sources a run publishes, and the namespace of sources that do not say it."""

from __future__ import annotations

import os
from enum import StrEnum
from typing import Annotated, Any

import typer

from publisher.config import Settings

SourcesArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Data files, folders or globs, published alone: any RDF syntax (Turtle, TriG, "
        "N-Triples, N-Quads, N3, RDF/XML, JSON-LD), gzipped or not. None at all, and no "
        "--data, --ontology or --shapes: the embedded dataset.",
        metavar="SOURCE",
        show_default=False,
    ),
]
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
    str | None,
    typer.Option(
        "--base-iri",
        help="Canonical namespace of the dataset. Default for your own sources: the most "
        "common namespace of their subjects (said on stderr). Env: PUBLISHER_BASE_IRI.",
    ),
]
SourceBaseOpt = Annotated[
    str | None,
    typer.Option(
        "--source-base",
        help="Base IRI of the relative IRIs (<>, <#i>) of every source. Default: the namespace "
        "plus each file's name without extensions (card.n3 → NAMESPACEcard). "
        "Env: PUBLISHER_SOURCE_BASE.",
    ),
]
LanguageOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--language",
        help="A language the dataset is in (repeatable; a BCP 47 tag: ar, en, pt-BR), instead "
        "of the dcterms:language its data states. Env: PUBLISHER_LANGUAGES.",
    ),
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


# --- flags → Settings --------------------------------------------------------------------------

SOURCE_SETTINGS = ("data", "ontology", "shapes")


def _in_environment(name: str) -> bool:
    return f"PUBLISHER_{name.upper()}" in os.environ


def build_settings(
    sources: list[str] | None = None,
    *,
    loading: bool = False,
    notes: list[str] | None = None,
    **overrides: Any,
) -> Settings:
    """Environment first, then every flag the user actually gave.

    A run that names any source (SOURCE…, --data, --ontology, --shapes or their variables)
    publishes what it names and nothing else: the embedded dataset's data, ontology and shapes
    come only with a run that names none. Such a run, without --base-iri, serves the namespace
    its subjects suggest (`infer_base_iri`), and says so: on stderr now, or appended to `notes`
    for the command to say once the sources have been read (an error then stays one line).
    `loading` (`publisher load`) says the sources are parsed although a store is named."""
    given = {key: value for key, value in overrides.items() if value is not None}
    if sources:
        given["data"] = [*sources, *given.get("data", [])]
    own = any(name in given or _in_environment(name) for name in SOURCE_SETTINGS)
    if own:
        for name in SOURCE_SETTINGS:
            if name not in given and not _in_environment(name):
                given[name] = []
    if "base_iri" in given or _in_environment("base_iri"):
        return Settings(**given)
    store = given.get("store", os.environ.get("PUBLISHER_STORE"))
    if store:
        loaded = _loaded_base_iri(Settings(**given))
        if loaded is not None:
            return Settings(**given, base_iri=loaded)
    if own and (loading or _parses_sources(Settings(**given))):
        given["base_iri"], note = infer_base_iri(Settings(**given))
        if notes is None:
            typer.echo(note, err=True)
        else:
            notes.append(note)
    return Settings(**given)


def say(notes: list[str]) -> None:
    """What `build_settings` chose and the user should know (the inferred namespace)."""
    for note in notes:
        typer.echo(note, err=True)


def _loaded_base_iri(settings: Settings) -> str | None:
    """The base IRI a store was loaded for, so `serve --store DIR|URL` needs no more flags."""
    from publisher.stores import stored_base_iri

    return stored_base_iri(settings)


def _parses_sources(settings: Settings) -> bool:
    from publisher.stores import parses_sources

    return parses_sources(settings)


def infer_base_iri(settings: Settings) -> tuple[str, str]:
    """The namespace of the settings' sources and a line saying how it was chosen: the most
    common one of the subject IRIs at the start of each file, else (every subject relative or
    blank) the server's own origin, where relative IRIs then land."""
    from publisher.sources import SAMPLE_QUADS, discover, infer_namespace

    paths = discover([*settings.ontology, *settings.data])
    found = infer_namespace(paths, source_base=settings.source_base)
    if found.namespace is None:
        return settings.origin, (
            f"namespace: {settings.origin} (no subject IRI in the sources names one: the "
            "server's own address; --base-iri to choose)"
        )
    share = f"{found.subjects:,}"
    if found.sampled > found.subjects:
        share += f" of {found.sampled:,}"
    return found.namespace, (
        f"namespace: {found.namespace} (inferred from {share} subject IRIs in the first "
        f"{SAMPLE_QUADS:,} statements of each file; --base-iri to choose)"
    )
