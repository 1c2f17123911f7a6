"""The dataset's home page and the health check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from publisher.discovery.dumps import DUMPS_PATH
from publisher.pages.render import render_home_page
from publisher.web.routes.pages import html_page

router = APIRouter()


@router.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
async def home_page(request: Request) -> Response:
    """What the dataset is, its counts, its main resources, and where to get the data."""
    state = request.app.state

    def render(lang: str) -> str:
        dumps = [
            {"name": f.kind.label, "url": f"/{DUMPS_PATH}{f.name}", "media_type": f.media_type}
            for f in state.published.dumps(state.dataset, state.urls).files
        ]
        return render_home_page(state.dataset, state.urls, lang, dumps)

    return await html_page(request, "home", render)


@router.get("/health")
async def health(request: Request) -> JSONResponse:
    """For load balancers and `make run` smoke checks: the dataset is loaded and which version."""
    dataset = request.app.state.dataset
    return JSONResponse(
        {"status": "ok", "version": dataset.version, "triples": dataset.triple_count}
    )
