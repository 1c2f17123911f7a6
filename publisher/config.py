"""The one settings object: environment variables `PUBLISHER_*`, overridden by CLI flags."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default(folder: str) -> list[str]:
    return [str(PROJECT_ROOT / folder)]


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")

# A list read from the environment as `a.ttl,b.ttl` or as a JSON list (`_split_paths`), not
# JSON only, which is what pydantic-settings would otherwise insist on.
Paths = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    """Everything the publisher can be told; built once and passed down, never read globally."""

    model_config = SettingsConfigDict(env_prefix="PUBLISHER_", frozen=True, extra="forbid")

    base_iri: str = Field(
        "https://w3id.org/gcm-arab-review/",
        description="Canonical namespace of the dataset; IRIs in the data start with it.",
    )
    public_origin: str | None = Field(
        None,
        description="Origin the server is reached at (default http://HOST:PORT/). Canonical IRIs "
        "are rewritten to it in every response; it never comes from the Host header.",
    )
    source_base: str | None = Field(
        None,
        description="Base IRI every relative IRI of every source resolves against (`<>`, "
        "`<#i>`), instead of the namespace plus the file's name without extensions.",
    )
    data: Paths = Field(default_factory=lambda: _default("data"))
    ontology: Paths = Field(default_factory=lambda: _default("ontology"))
    shapes: Paths = Field(default_factory=lambda: _default("shapes"))
    store: str | None = Field(
        None,
        description="Where the published graph lives: unset = parse the sources into memory; a "
        "folder = an on-disk Oxigraph store written by `publisher load --into`; an http(s) URL = "
        "the query endpoint of a SPARQL 1.1 server.",
    )
    remote_gsp: str | None = Field(
        None,
        description="Graph Store Protocol endpoint `publisher load --store URL` writes to "
        "(default: guessed from the query URL for Oxigraph, Virtuoso and Fuseki).",
    )
    remote_user: str | None = Field(
        None, description="User for a SPARQL server that asks for one (Basic or Digest auth)."
    )
    remote_password: SecretStr | None = Field(
        None, description="Password of remote_user (prefer the environment to a flag)."
    )
    remote_timeout: float = Field(
        10.0, gt=0, description="Limit (s) on each request to a remote SPARQL server."
    )
    remote_check_interval: float = Field(
        5.0,
        ge=0,
        description="How often (s) a remote store's dataset version is checked for a new load.",
    )
    workers: int = Field(1, ge=1, description="Server processes (`publisher serve --workers`).")
    skip_validation: bool = Field(
        False, description="Serve or load without SHACL validation (large data); said in the log."
    )
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    dump_dir: str | None = Field(
        None, description="Where dumps are written once per version (default: a temp folder)."
    )
    cache_max_age: int = Field(3600, ge=0, description="Cache-Control max-age of documents (s).")
    default_language: str = Field("en", pattern="^(ar|en)$", description="HTML fallback language.")
    title: str | None = Field(
        None,
        description="Title of the dataset on its pages, VoID and DCAT, instead of the one its data "
        "states (dcterms:title on its void:/dcat:Dataset).",
    )
    license: str | None = Field(
        None,
        description="Licence IRI of the dataset instead of the dcterms:license its data states; "
        "`none` publishes no licence.",
    )
    languages: Paths = Field(
        default_factory=list,
        description="Languages the dataset is in (BCP 47 tags), instead of the dcterms:language "
        "its data states.",
    )
    query_timeout: float = Field(
        10.0, gt=0, description="Hard limit (s) on a SPARQL query, serialisation included."
    )
    max_results: int = Field(
        10_000, ge=1, description="Rows (or triples) a SPARQL result holds before it is cut."
    )
    max_query_length: int = Field(
        100_000, ge=1, description="Longest SPARQL query accepted, in bytes (413 beyond)."
    )
    max_concurrent_queries: int = Field(
        2, ge=1, description="SPARQL queries running at once; more wait in a queue."
    )
    max_queued_queries: int = Field(
        64, ge=0, description="SPARQL queries that may wait for a free slot; more get 503."
    )
    queue_timeout: float = Field(
        10.0, ge=0, description="Longest wait (s) of a queued SPARQL query before 503."
    )
    max_query_depth: int = Field(
        200,
        ge=1,
        description="Deepest nesting of groups, parentheses and subqueries a SPARQL query may "
        "have (400 beyond): deeper queries crash query engines (stack overflow).",
    )
    document_cache_bytes: int = Field(
        256 * 1024 * 1024,
        ge=0,
        description="Bytes of rendered documents and pages kept in memory (least recently used "
        "dropped first); 0 keeps none.",
    )
    header_timeout: float = Field(
        10.0, gt=0, description="Longest time (s) a client may take to send a request's headers."
    )
    body_timeout: float = Field(
        30.0, gt=0, description="Longest time (s) a client may take to send a request's body."
    )
    keep_alive_timeout: float = Field(
        5.0, gt=0, description="Idle time (s) after which a keep-alive connection is closed."
    )
    max_connections: int = Field(
        1024, ge=1, description="Open connections served at once per process; more get 503."
    )
    trusted_proxies: Paths = Field(
        default_factory=list,
        description="Addresses of reverse proxies whose X-Forwarded-For is believed in the "
        "access log (none by default); forwarded headers never change an IRI or a redirect.",
    )
    access_log: bool = Field(
        True,
        description="Write one line per request to stderr; turn it off behind a proxy that logs "
        "(it is about a quarter of the cost of a cached document).",
    )
    health_check_interval: float = Field(
        5.0,
        gt=0,
        description="How often (s) the store and the SPARQL workers are checked in the "
        "background for /health.",
    )
    fragment_page_size: int = Field(
        100,
        ge=1,
        le=10000,
        description="Triples (quads) per page of a Triple Pattern Fragment at /fragments.",
    )
    service_allowlist: Paths = Field(
        default_factory=list,
        description="SPARQL endpoints a query may call with SERVICE (none by default).",
    )

    @field_validator("base_iri", "public_origin")
    @classmethod
    def _ends_with_slash(cls, value: str | None) -> str | None:
        if value is not None and "#" in value:  # `…/ns/shacl#`: its terms are served by /shacl
            folder = value.split("#", 1)[0].rsplit("/", 1)[0] + "/"
            raise ValueError(f"{value!r} is a hash namespace: give its folder, {folder}")
        if value is not None and not value.endswith("/"):
            return value + "/"
        return value

    @field_validator(
        "data",
        "ontology",
        "shapes",
        "service_allowlist",
        "trusted_proxies",
        "languages",
        mode="before",
    )
    @classmethod
    def _split_paths(cls, value: object) -> object:
        """Accept `a.ttl,b.ttl` from an environment variable as well as a JSON list (which
        `publisher serve --workers` uses, so that paths may hold commas)."""
        if isinstance(value, str):
            if value.lstrip().startswith("["):
                return json.loads(value)
            return [part for part in value.split(",") if part]
        return value

    @field_validator("languages")
    @classmethod
    def _language_tags(cls, value: list[str]) -> list[str]:
        """BCP 47 tags, lower-cased as RDF literals compare them (`ar`, `en-GB` → `en-gb`)."""
        for tag in value:
            if not _LANGUAGE_TAG.fullmatch(tag):
                raise ValueError(f"{tag!r} is not a language tag (like ar, en or pt-BR)")
        return [tag.lower() for tag in value]

    @model_validator(mode="after")
    def _origin_is_http(self) -> Settings:
        for name in ("base_iri", "public_origin", "source_base"):
            value = getattr(self, name)
            if value is not None and not value.startswith(("http://", "https://")):
                raise ValueError(f"{name} must be an http(s) IRI, got {value!r}")
        return self

    @property
    def origin(self) -> str:
        """Where the server answers; the canonical namespace is rewritten to this."""
        return self.public_origin or f"http://{self.host}:{self.port}/"

    def environment(self) -> dict[str, str]:
        """These settings as `PUBLISHER_*` variables: how `serve --workers` hands them to the
        worker processes, which build their own Settings() from the environment. Unset
        (None) settings are left out; the caller removes them from the environment."""
        values: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, SecretStr):
                text = value.get_secret_value()
            elif isinstance(value, list | dict):
                text = json.dumps(value)
            elif isinstance(value, bool):
                text = "true" if value else "false"
            else:
                text = str(value)
            values[f"PUBLISHER_{name.upper()}"] = text
        return values
