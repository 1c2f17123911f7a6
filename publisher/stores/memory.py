"""The sources parsed into an in-memory Oxigraph store: the default, and the smallest setup."""

from __future__ import annotations

import pyoxigraph as ox

from publisher.config import Settings
from publisher.dataset import Dataset, Sources, declared_modified, newest_file_time
from publisher.sources import fingerprint, load_data, load_ontology


def load_into_memory(settings: Settings, sources: Sources | None = None) -> Dataset:
    """Parse the ontology and data files into a fresh in-memory store."""
    sources = sources or Sources.from_settings(settings)
    store = ox.Store()
    for path in sources.ontology:
        load_ontology(path, store, sources.base_for(path))
    for path in sources.data:
        load_data(path, store, sources.base_for(path))
    return Dataset(
        store=store,
        base_iri=settings.base_iri,
        version=fingerprint(sources.content),
        modified=declared_modified(store) or newest_file_time(sources.content),
        sources=sources,
    )
