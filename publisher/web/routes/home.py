"""The dataset's home page and the health check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from publisher.web.templating import templates

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def home_page(request: Request) -> HTMLResponse:
    dataset = request.app.state.dataset
    return templates.TemplateResponse(
        request, "home.html", {"dataset": dataset, "settings": request.app.state.settings}
    )


@router.get("/health")
async def health(request: Request) -> JSONResponse:
    """For load balancers and `make run` smoke checks: the dataset is loaded and which version."""
    dataset = request.app.state.dataset
    return JSONResponse(
        {"status": "ok", "version": dataset.version, "triples": dataset.triple_count}
    )
