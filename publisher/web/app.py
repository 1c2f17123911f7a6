"""The FastAPI application factory: settings in, app out; no state at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from publisher import __version__
from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.discovery.void import Published
from publisher.profile import Overrides
from publisher.stores import open_dataset
from publisher.urls import Urls
from publisher.web.api_docs import add_api_docs, unique_operation_ids
from publisher.web.compression import EtagSafeGZipMiddleware
from publisher.web.http import register_error_handlers
from publisher.web.refresh import NewVersionCheck
from publisher.web.response_headers import ResponseHeaders
from publisher.web.routes import (
    discovery,
    dumps,
    fragments,
    health,
    pages,
    reconcile,
    resources,
    search,
    sparql,
)
from publisher.web.state import STATE_ATTRIBUTE, AppState

OPENAPI_PATH = "/api/openapi.json"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def create_app(settings: Settings | None = None, dataset: Dataset | None = None) -> FastAPI:
    """Build the app; the dataset is loaded once (unless given) and shared through its
    `AppState` (publisher.web.state)."""
    settings = settings or Settings()
    state = AppState(
        settings=settings,
        urls=Urls(settings.base_iri, settings.origin),
        # dumps, VoID, reports per version; the profile with --title/--license/--language
        published=Published(settings.dump_dir, Overrides.from_settings(settings)),
        loaded=dataset,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if state.loaded is None:
            state.loaded = open_dataset(settings)
        state.prepare()  # dumps and the JSON-LD context, on background threads
        async with sparql.lifespan(app):  # the SPARQL worker pool lives as long as the app
            yield

    app = FastAPI(
        title="Linked-data publisher",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # add_api_docs: the same page, with its Content-Security-Policy
        redoc_url=None,
        openapi_url=OPENAPI_PATH,
        # Starlette's /dumps → /dumps/ redirect is built from the Host header: ours
        # (publisher.web.slashes, in the 404 handler) goes to the configured origin.
        redirect_slashes=False,
    )
    add_api_docs(app, OPENAPI_PATH)
    unique_operation_ids(app)
    setattr(app.state, STATE_ATTRIBUTE, state)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(resources.router)  # first: dereferencing is the hot path
    app.include_router(pages.router)
    app.include_router(health.router)
    app.include_router(dumps.router)
    app.include_router(discovery.router)
    app.include_router(sparql.router)
    app.include_router(fragments.router)
    app.include_router(search.router)
    app.include_router(reconcile.router)
    app.router.routes.append(resources.FALLBACK)  # last: any other IRI of the namespace
    register_error_handlers(app)
    app.add_middleware(EtagSafeGZipMiddleware, skip=(*resources.SELF_COMPRESSED, "/dumps/"))
    app.add_middleware(NewVersionCheck)  # a no-op unless the store can change while served
    app.add_middleware(ResponseHeaders)  # outermost: security headers, Retry-After on any 503
    return app
