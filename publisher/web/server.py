"""Run the HTTP server: one process serving a dataset already loaded, or N uvicorn workers.

Workers are separate processes (uvicorn's supervisor spawns them), each building its own app
with `create_app()`, which reads `Settings()` from the environment: the parent puts its
settings there as `PUBLISHER_*` variables first. What each worker then holds depends on the
store: in memory, its own parsed copy of the sources; on disk, a read-only handle on the one
shared store (the graph lives once, in the page cache); remote, an HTTP client.

Both ways run uvicorn with the connection limits of publisher.web.limits (header and body
timeouts, keep-alive, connections, trusted proxies): they travel on its Config, which uvicorn
hands to each worker.
"""

from __future__ import annotations

import os

import uvicorn
from uvicorn.supervisors import Multiprocess

from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.web.app import create_app
from publisher.web.limits import LimitedConfig, server_config

APP_FACTORY = "publisher.web.app:create_app"
# uvicorn kills a worker that does not answer its health check within this many seconds (5 by
# default). A worker's first request indexes the whole dataset (things, JSON-LD context) and can
# starve the thread that answers for well over 5 s on big data (12 s at 1M triples on disk),
# which would then get the worker killed and restarted, forever.
WORKER_HEALTHCHECK_TIMEOUT = 120
STARTUP_FAILURE = 3
"""The exit status `uvicorn.run` gives a server that did not start."""


def run(settings: Settings, dataset: Dataset | None = None) -> None:
    """Serve until interrupted; with several workers, `dataset` must be None (each loads)."""
    if settings.workers == 1:
        server = uvicorn.Server(server_config(settings, create_app(settings, dataset)))
        server.run()
        if not server.started:  # the port was taken, the app failed to start…
            raise SystemExit(STARTUP_FAILURE)
        return
    if dataset is not None:
        raise ValueError("with several workers each process opens the dataset itself")
    for name in [name for name in os.environ if name.startswith("PUBLISHER_")]:
        del os.environ[name]
    os.environ.update(settings.environment())
    config = server_config(
        settings,
        APP_FACTORY,
        factory=True,
        workers=settings.workers,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_TIMEOUT,
    )
    supervise(config)


def supervise(config: LimitedConfig) -> None:
    """What `uvicorn.run` does with several workers, with our Config (it would build its own):
    bind once, then spawn the workers, each of which gets `config` (limits included)."""
    Multiprocess(config, sockets=[config.bind_socket()]).run()
