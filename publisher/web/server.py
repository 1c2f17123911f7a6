"""Run the HTTP server: one process serving a dataset already loaded, or N uvicorn workers.

Workers are separate processes (uvicorn's supervisor spawns them), each building its own app
with `create_app()`, which reads `Settings()` from the environment: the parent puts its
settings there as `PUBLISHER_*` variables first. What each worker then holds depends on the
store: in memory, its own parsed copy of the sources; on disk, a read-only handle on the one
shared store (the graph lives once, in the page cache); remote, an HTTP client.
"""

from __future__ import annotations

import os

import uvicorn

from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.web.app import create_app

APP_FACTORY = "publisher.web.app:create_app"


def run(settings: Settings, dataset: Dataset | None = None) -> None:
    """Serve until interrupted; with several workers, `dataset` must be None (each loads)."""
    if settings.workers == 1:
        uvicorn.run(create_app(settings, dataset), host=settings.host, port=settings.port)
        return
    if dataset is not None:
        raise ValueError("with several workers each process opens the dataset itself")
    for name in [name for name in os.environ if name.startswith("PUBLISHER_")]:
        del os.environ[name]
    os.environ.update(settings.environment())
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        workers=settings.workers,
        host=settings.host,
        port=settings.port,
    )
