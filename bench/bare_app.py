"""The ceiling for dereferencing: a bare FastAPI app answering fixed bytes from an async route."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import Response

BODY = Path(os.environ["BENCH_BODY_FILE"]).read_bytes()
MEDIA_TYPE = os.environ.get("BENCH_MEDIA_TYPE", "text/turtle; charset=utf-8")

app = FastAPI()


@app.get("/{path:path}")
async def fixed(path: str) -> Response:
    return Response(BODY, media_type=MEDIA_TYPE)
