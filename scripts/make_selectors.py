"""Compute the sentence passages of the source article and print them as TriG.

The article (data/source/article-ar.txt, NFC, no trailing newline) has one sentence per line,
except line 11, which holds two sentences split at its first ". ". Offsets are Unicode code
points, end exclusive, so that ``text[start:end] == exact`` (W3C Web Annotation
TextPositionSelector). The output is the default-graph description of id:passage/s01 … s13,
ready to paste into data/article.trig; ``--check FILE`` instead verifies that every selector
in FILE matches the article text.

Usage: python scripts/make_selectors.py [--check data/article.trig]
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "data" / "source" / "article-ar.txt"
SPLIT_LINE = 11  # the only line that holds two sentences
ID = "https://w3id.org/gcm-arab-review/id/"
OA = "http://www.w3.org/ns/oa#"


class Passage(NamedTuple):
    """One sentence of the article: its slug, line number and code-point span."""

    slug: str
    line: int
    start: int
    end: int


def read_article(path: Path = ARTICLE) -> str:
    """Return the article text, refusing anything that is not NFC or ends in a newline."""
    text = path.read_text(encoding="utf-8")
    if not unicodedata.is_normalized("NFC", text) or text.endswith("\n"):
        raise ValueError(f"{path} must be NFC with no trailing newline")
    return text


def passages(text: str) -> list[Passage]:
    """Split the article into its 13 sentences (line 11 split at its first '. ')."""
    spans: list[tuple[int, int, int]] = []
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if number == SPLIT_LINE:
            cut = line.index(". ") + 1  # keep the full stop, drop the space
            spans.append((number, offset, offset + cut))
            spans.append((number, offset + cut + 1, offset + len(line)))
        else:
            spans.append((number, offset, offset + len(line)))
        offset += len(line) + 1  # the newline belongs to no passage
    return [Passage(f"s{i:02d}", n, s, e) for i, (n, s, e) in enumerate(spans, start=1)]


def to_trig(text: str, items: list[Passage]) -> str:
    """Render the passages as TriG (default graph), with ar/en labels."""
    blocks = []
    for p in items:
        number = int(p.slug[1:])
        exact = text[p.start : p.end]
        if '"' in exact or "\\" in exact:
            raise ValueError(f"{p.slug}: text needs escaping")
        blocks.append(
            f"passage:{p.slug} a oa:SpecificResource ;\n"
            f'    rdfs:label "الجملة {number} من التقرير الإخباري"@ar ,\n'
            f'        "Sentence {number} of the news article (line {p.line})"@en ;\n'
            f"    oa:hasSource article:gcm-arab-regional-review-report ;\n"
            f"    oa:hasSelector [ a oa:TextQuoteSelector ;\n"
            f'            oa:exact "{exact}"@ar ] ,\n'
            f"        [ a oa:TextPositionSelector ;\n"
            f'            oa:start "{p.start}"^^xsd:integer ;\n'
            f'            oa:end "{p.end}"^^xsd:integer ] .\n'
        )
    return "\n".join(blocks)


def check(text: str, trig: Path) -> list[str]:
    """Return the problems found comparing the selectors in a TriG file with the article."""
    from rdflib import Dataset, Namespace, URIRef

    oa = Namespace(OA)
    ds = Dataset()
    ds.parse(trig, format="trig")
    problems = []
    for p in passages(text):
        node = URIRef(f"{ID}passage/{p.slug}")
        exacts = {str(o) for s in ds.objects(node, oa.hasSelector) for o in ds.objects(s, oa.exact)}
        starts = {int(o) for s in ds.objects(node, oa.hasSelector) for o in ds.objects(s, oa.start)}
        ends = {int(o) for s in ds.objects(node, oa.hasSelector) for o in ds.objects(s, oa.end)}
        if (exacts, starts, ends) != ({text[p.start : p.end]}, {p.start}, {p.end}):
            problems.append(f"{p.slug}: selectors do not match text[{p.start}:{p.end}]")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Print the passages, or check a TriG file against the article."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", type=Path, help="TriG file whose selectors to verify")
    args = parser.parse_args(argv)
    text = read_article()
    if args.check:
        problems = check(text, args.check)
        print("\n".join(problems) or f"{len(passages(text))} passages match")
        return 1 if problems else 0
    sys.stdout.write(to_trig(text, passages(text)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
