"""The small fixture dataset exported and served by real nginx on a free loopback port: what
the tests of the export's own pages (/search, /fragments) share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from browser_support import free_port
from test_export_nginx import run_nginx, stop

from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.export.build import export_site
from publisher.stores import open_dataset

FIXTURES = Path(__file__).parent / "fixtures" / "dumps"


def fixture_settings_and_data() -> tuple[Settings, Dataset]:
    """Settings whose public origin is a free port (nginx listens there), and the dataset."""
    port = free_port()
    settings = Settings(
        base_iri="https://w3id.org/gcm-arab-review/",
        data=[str(FIXTURES / "data.trig")],
        ontology=[str(FIXTURES / "ontology.ttl")],
        shapes=[str(FIXTURES / "shapes.ttl")],
        public_origin=f"http://127.0.0.1:{port}/",
        port=port,
    )
    return settings, open_dataset(settings)


@contextmanager
def served_export(
    settings: Settings, dataset: Dataset, folder: Path, **options: str
) -> Iterator[str]:
    """Export into `folder` with `options` (e.g. `live_search=`), serve it with nginx, yield
    its origin; nginx is stopped however the block ends."""
    export_site(settings, dataset, folder / "out", **options)
    process = run_nginx(folder / "out" / "nginx.conf", folder / "state", settings.port)
    try:
        yield settings.origin
    finally:
        stop(process)
