"""The health check, for load balancers and `make run` smoke checks."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from publisher.web.state import state_of

router = APIRouter()


@router.get("/health")
async def health(request: Request) -> JSONResponse:
    """The dataset is loaded, and which version. Counting may ask a remote store or scan a big
    one, so it runs on a worker thread: the event loop never waits on it."""
    dataset = state_of(request).dataset
    triples = await anyio.to_thread.run_sync(lambda: dataset.triple_count)
    return JSONResponse({"status": "ok", "version": dataset.version, "triples": triples})
