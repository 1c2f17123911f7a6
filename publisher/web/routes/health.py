"""The health check, for load balancers and `make run` smoke checks."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from publisher.web.state import state_of

router = APIRouter()


@router.get("/health")
async def health(request: Request) -> JSONResponse:
    """The dataset is loaded, and which version."""
    dataset = state_of(request).dataset
    return JSONResponse(
        {"status": "ok", "version": dataset.version, "triples": dataset.triple_count}
    )
