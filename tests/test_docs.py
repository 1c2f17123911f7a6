"""The documentation stays true: the generated examples match the data, and links resolve."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from publisher.config import Settings

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", ROOT / "CHANGELOG.md", *(ROOT / "docs").rglob("*.md")])
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
HTML_ID = re.compile(r"""\b(?:id|name)=["']([^"']+)["']""")


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("examples_doc", ROOT / "scripts/examples_doc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def prose(text: str) -> str:
    """The Markdown without code, where a bracketed thing is not a link."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = text.replace("`", "").lower()
    return "".join(c for c in text if c.isalnum() or c in " -_").replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    found: set[str] = set(HTML_ID.findall(text))
    seen: dict[str, int] = {}
    for heading in HEADING.findall(text):
        base = slug(heading)
        count = seen.get(base, 0)
        found.add(base if count == 0 else f"{base}-{count}")
        seen[base] = count + 1
    return found


def relative_links(page: Path) -> list[str]:
    links = LINK.findall(prose(page.read_text(encoding="utf-8")))
    return [link for link in links if not re.match(r"^[a-z][a-z0-9+.-]*:", link)]


def test_examples_doc_is_what_the_generator_writes_now() -> None:
    expected = load_generator().render()
    current = (ROOT / "docs" / "examples.md").read_text(encoding="utf-8")
    assert current == expected, "docs/examples.md is out of date: run `make docs`"


def test_the_docs_index_lists_every_page_in_docs() -> None:
    index = ROOT / "docs" / "README.md"
    listed = {(index.parent / link.split("#")[0]).resolve() for link in relative_links(index)}
    pages = {p.resolve() for p in (ROOT / "docs").rglob("*.md") if p != index}
    assert pages - listed == set()


@pytest.mark.parametrize(
    "page", [p for p in PAGES if p.exists()], ids=lambda p: str(p.relative_to(ROOT))
)
def test_every_relative_link_resolves(page: Path) -> None:
    broken = []
    for link in relative_links(page):
        path, _, fragment = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            broken.append(f"{link}: no such file")
        elif fragment and target.suffix == ".md" and fragment not in anchors(target):
            broken.append(f"{link}: no heading #{fragment}")
    assert broken == [], f"{page.relative_to(ROOT)}: " + "; ".join(broken)


def test_every_setting_the_docs_name_exists() -> None:
    known = {f"PUBLISHER_{name.upper()}" for name in Settings.model_fields}
    named = {
        (page.relative_to(ROOT).as_posix(), variable)
        for page in PAGES
        if page.exists()
        for variable in re.findall(r"PUBLISHER_[A-Z_]*[A-Z]", page.read_text(encoding="utf-8"))
    }
    assert sorted(pair for pair in named if pair[1] not in known) == []
