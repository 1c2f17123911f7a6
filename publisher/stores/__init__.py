"""The one place that knows the backends: it opens a store, starts its query runner, notices
its new versions and loads data into it.

A backend is one row of `BACKENDS`: how it recognises a `settings.store` location and how it
opens, runs queries, refreshes and loads. The rest of the code sees a `Dataset` whose store
answers `ReadStore`, a `QueryRunner`, and `Dataset.capabilities`.

| `--store`            | backend                                       | module           |
| -------------------- | --------------------------------------------- | ---------------- |
| (none)               | the sources parsed into Oxigraph in memory    | `memory`         |
| `http(s)://…`        | a SPARQL 1.1 server                           | `remote`         |
| `rdflib:`            | the sources parsed into an rdflib Dataset     | `rdflib_store`   |
| any other text       | a folder written by `publisher load --into`   | `disk`           |
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from publisher.config import Settings
from publisher.dataset import Dataset, QueryRunner, Sources
from publisher.errors import PublisherError
from publisher.report import ValidationReport

CurrentDataset = Callable[[], Dataset]
RunnerStarter = Callable[[Dataset, Settings, str, CurrentDataset], Awaitable[QueryRunner]]


@dataclass(frozen=True)
class Loaded:
    """What `load` did: the report (None: validation skipped) and whether the target now
    holds the data (not when it does not conform: the target is left as it was)."""

    target: str
    report: ValidationReport | None
    written: bool
    summary: str  # one line for the command's output


Loader = Callable[[Settings, Sources, str], Loaded]


@dataclass(frozen=True)
class Backend:
    name: str
    recognises: Callable[[str | None], bool]
    open: Callable[[Settings, Sources | None], Dataset]
    start_runner: RunnerStarter
    refresh: Callable[[Dataset, Settings], Dataset | None] | None = None
    load: Loader | None = None
    stored_base_iri: Callable[[Settings], str | None] | None = None


class NotALoadTarget(PublisherError):
    """`publisher load` was pointed at a store that is not written ahead (memory, rdflib)."""

    def __init__(self, target: str, backend: str) -> None:
        super().__init__(target, backend)
        self.target, self.backend = target, backend

    def __str__(self) -> str:
        return (
            f"{self.target}: a {self.backend} store is not loaded ahead; "
            "load into a folder or a SPARQL server"
        )


# --- the backends ----------------------------------------------------------------------------


def is_remote(location: str | None) -> bool:
    """An http(s) URL names a SPARQL server."""
    return location is not None and location.startswith(("http://", "https://"))


def _open_memory(settings: Settings, sources: Sources | None) -> Dataset:
    from publisher.stores.memory import load_into_memory

    return load_into_memory(settings, sources)


def _open_disk(settings: Settings, sources: Sources | None) -> Dataset:
    from publisher.stores.disk import open_disk_dataset

    return open_disk_dataset(settings)


def _open_remote(settings: Settings, sources: Sources | None) -> Dataset:
    """The server's dataset; if the server does not answer, a stand-in that answers 503 until
    it does (the publisher starts anyway and recovers without a restart)."""
    from publisher.errors import StoreUnavailable
    from publisher.stores.remote import open_remote_dataset
    from publisher.stores.remote.store import waiting_dataset

    try:
        return open_remote_dataset(settings)
    except StoreUnavailable as error:
        return waiting_dataset(settings, error)


def _open_rdflib(settings: Settings, sources: Sources | None) -> Dataset:
    from publisher.stores.rdflib_store import open_rdflib_dataset

    return open_rdflib_dataset(settings, sources)


async def _start_pool(
    dataset: Dataset, settings: Settings, origin: str, current: CurrentDataset
) -> QueryRunner:
    """Worker processes over Oxigraph: each loads a dump of the in-memory store."""
    return await _pool(dataset, settings, origin)


async def _start_disk_pool(
    dataset: Dataset, settings: Settings, origin: str, current: CurrentDataset
) -> QueryRunner:
    """Worker processes that each open the on-disk store read-only, and move to a new version
    of the folder with the dataset (`FollowingPool.switch`)."""
    from publisher.stores.following import FollowingPool

    async def start(fresh: Dataset) -> QueryRunner:
        return await _pool(fresh, settings, origin)

    return FollowingPool(await start(dataset), dataset.capabilities.shared_path, start)


async def _pool(dataset: Dataset, settings: Settings, origin: str) -> QueryRunner:
    from publisher.sparql.engine import QueryPool

    shared = dataset.capabilities.shared_path
    store = dataset.store
    if shared is None and not isinstance(store, ox.Store):
        raise TypeError(f"the worker pool needs an Oxigraph store, not {type(store).__name__}")
    return await QueryPool.start(
        store,  # type: ignore[arg-type]  # unread when shared
        size=settings.max_concurrent_queries,
        timeout=settings.query_timeout,
        base_iri=settings.base_iri,
        origin=origin,
        isolate_network=not settings.service_allowlist,
        read_only=str(shared) if shared is not None else None,
        queue_limit=settings.max_queued_queries,
        queue_wait=settings.queue_timeout,
    )


async def _start_remote(
    dataset: Dataset, settings: Settings, origin: str, current: CurrentDataset
) -> QueryRunner:
    """Queries forwarded to the server; `current` follows the versions it serves."""
    from publisher.stores.remote import RemoteQueryRunner

    return RemoteQueryRunner(
        lambda: current().store,
        size=settings.max_concurrent_queries,
        timeout=settings.query_timeout,
        base_iri=settings.base_iri,
        origin=origin,
        queue_limit=settings.max_queued_queries,
        queue_wait=settings.queue_timeout,
    )


async def _start_rdflib(
    dataset: Dataset, settings: Settings, origin: str, current: CurrentDataset
) -> QueryRunner:
    from publisher.stores.rdflib_store import RdflibQueryRunner

    return RdflibQueryRunner(current, settings, origin)


def _refresh_remote(dataset: Dataset, settings: Settings) -> Dataset | None:
    from publisher.stores.remote import refresh_dataset

    return refresh_dataset(dataset, settings)


def _refresh_disk(dataset: Dataset, settings: Settings) -> Dataset | None:
    from publisher.stores.disk import refresh_disk_dataset

    return refresh_disk_dataset(dataset, settings)


def _disk_base_iri(settings: Settings) -> str | None:
    from publisher.stores.disk import StoreFolderError, read_metadata

    assert settings.store is not None
    try:
        return read_metadata(Path(settings.store)).base_iri
    except StoreFolderError:
        return None  # opening the store reports it


def _remote_base_iri(settings: Settings) -> str | None:
    from publisher.stores.remote import SparqlClient
    from publisher.stores.remote.layout import read_layout

    try:
        layout = read_layout(SparqlClient.from_settings(settings))
    except PublisherError:
        return None  # opening the store reports it
    return layout.base_iri if layout is not None else None


def _load_disk(settings: Settings, sources: Sources, target: str) -> Loaded:
    from publisher.stores.disk_load import load_folder
    from publisher.stores.progress import progress_reporter

    folder = Path(target)
    with progress_reporter(sys.stderr) as report_to:
        result = load_folder(
            settings, sources, folder, validator=_validator(settings), report_to=report_to
        )
    meta = result.metadata
    rate = meta.quads / result.load_seconds if result.load_seconds else 0.0
    checked = (
        f"validated in {result.seconds - result.load_seconds:.1f} s"
        if result.report is not None
        else "NOT validated (--skip-validation)"
    )
    summary = (
        f"loaded {meta.quads:,} quads from {len(sources.content)} files in "
        f"{result.load_seconds:.1f} s ({rate:,.0f} quads/s), {checked}; version {meta.version}"
    )
    return Loaded(target, result.report, result.committed, summary)


def _load_remote(settings: Settings, sources: Sources, target: str) -> Loaded:
    """Parse into memory, validate, then replace the dataset on the SPARQL server."""
    from publisher.stores.memory import load_into_memory
    from publisher.stores.remote import push_to_remote

    settings = settings.model_copy(update={"store": target})
    dataset = load_into_memory(settings, sources)
    validator = _validator(settings)
    report = validator(dataset) if validator is not None else None
    if report is not None and not report.conforms:
        return Loaded(target, report, False, "")
    print(f"pushing {dataset.triple_count:,} quads to {target}", file=sys.stderr)
    done = push_to_remote(dataset, settings)
    summary = (
        f"pushed {done.triples:,} triples in {done.graphs} graphs to {done.location} in "
        f"{done.seconds:.1f} s ({done.removed} stale graphs removed); version {done.version}"
    )
    return Loaded(target, report, True, summary)


BACKENDS: tuple[Backend, ...] = (
    Backend("memory", lambda store: store is None, _open_memory, _start_pool),
    Backend(
        "remote",
        is_remote,
        _open_remote,
        _start_remote,
        refresh=_refresh_remote,
        load=_load_remote,
        stored_base_iri=_remote_base_iri,
    ),
    Backend(
        "rdflib",
        lambda store: store is not None and store.startswith("rdflib:"),
        _open_rdflib,
        _start_rdflib,
    ),
    Backend(
        "disk",
        lambda store: store is not None,
        _open_disk,
        _start_disk_pool,
        refresh=_refresh_disk,
        load=_load_disk,
        stored_base_iri=_disk_base_iri,
    ),
)


def backend_for(location: str | None) -> Backend:
    """The first backend that recognises the location (`disk` takes whatever is left)."""
    return next(b for b in BACKENDS if b.recognises(location))


# --- what the rest of the code calls ---------------------------------------------------------


def open_dataset(settings: Settings, sources: Sources | None = None) -> Dataset:
    """The dataset `settings.store` names, parsed from the sources or opened where it lives,
    with its catalog: the one `publisher load` wrote beside an on-disk store, else built now,
    before anything is served (decision 0010)."""
    return with_catalog(backend_for(settings.store).open(settings, sources))


def with_catalog(dataset: Dataset) -> Dataset:
    """`dataset` with its catalog opened (on disk, written by the load) or built in memory."""
    from publisher.catalog import CATALOG_FILE, Catalog, CatalogError, build_catalog

    if dataset.catalog is not None:
        return dataset
    shared = dataset.capabilities.shared_path
    written = shared.parent / CATALOG_FILE if shared is not None else None
    if written is not None and written.is_file():
        try:
            return dataclasses.replace(dataset, catalog=Catalog.open(written))
        except CatalogError as error:  # written by another release: still served, slower
            print(f"warning: {error}; building it now", file=sys.stderr)
    # Parsed at start, remote, or a store loaded before catalogs existed: built now.
    from publisher.errors import StoreUnavailable

    try:
        catalog = build_catalog(dataset.store, dataset.base_iri)
    except StoreUnavailable:  # a remote store that does not answer yet: the version that
        return dataset  # `refresh` brings when it does is catalogued then
    return dataclasses.replace(dataset, catalog=catalog)


async def start_query_runner(
    dataset: Dataset, settings: Settings, origin: str, current: CurrentDataset
) -> QueryRunner:
    """The SPARQL endpoint's runner for the dataset; `current()` is the dataset being served
    (a store that changes hands new versions to the runner through it)."""
    return await backend_for(settings.store).start_runner(dataset, settings, origin, current)


def refresh(dataset: Dataset, settings: Settings) -> Dataset | None:
    """A new version of a store that changes (`capabilities.changes`), else None. Raises a
    PublisherError when the store does not answer or its new version is damaged (keep
    serving the old one)."""
    backend = backend_for(settings.store)
    if not dataset.capabilities.changes or backend.refresh is None:
        return None
    fresh = backend.refresh(dataset, settings)
    if fresh is None and dataset.catalog is None:  # the same version, not catalogued yet (a
        catalogued = with_catalog(dataset)  # remote store that did not answer every query)
        return catalogued if catalogued.catalog is not None else None
    return None if fresh is None else with_catalog(fresh)


def parses_sources(settings: Settings) -> bool:
    """Whether opening the store parses the sources now (so they are validated before
    serving), rather than opening a store loaded ahead."""
    return backend_for(settings.store).load is None


def stored_base_iri(settings: Settings) -> str | None:
    """The base IRI the store was loaded for, so that `serve --store` needs no more flags."""
    backend = backend_for(settings.store)
    return backend.stored_base_iri(settings) if backend.stored_base_iri is not None else None


def load(settings: Settings, sources: Sources, target: str) -> Loaded:
    """Write the sources to `target` (a store folder or a SPARQL server URL), validated once
    against the shapes unless `settings.skip_validation`; a non-conforming dataset is not
    written."""
    backend = backend_for(target)
    if backend.load is None:
        raise NotALoadTarget(target, backend.name)
    return backend.load(settings, sources, target)


def _validator(settings: Settings) -> Callable[[Dataset], ValidationReport] | None:
    if settings.skip_validation:
        return None
    from publisher.validation import validate_dataset

    return lambda dataset: validate_dataset(dataset, fresh=True)
