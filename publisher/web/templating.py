"""The Jinja2 environment shared by every HTML route."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "pages" / "templates"

templates = Jinja2Templates(directory=TEMPLATES_DIR)
