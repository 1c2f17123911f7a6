"""Sources named once: every source a resource page cites gets a number, in the order the
page first shows it, and the page lists them under that number (title, evidence level, and a
link to the facts taken from it). A fact then cites "[3]" instead of repeating a long title on
every row, and its provenance is one click away, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from publisher.pages.resource_views import ResourcePage
from publisher.pages.values import PropertyGroup, Source, Value


def number_sources(page: ResourcePage) -> None:
    """Fill `page.citations` (the sources in order) and `page.cite` (source → its number)."""
    numbers: dict[Source, int] = {}
    for source in _sources(page):
        numbers.setdefault(source, len(numbers) + 1)
    page.cite = numbers
    page.citations = tuple(numbers)


def _sources(page: ResourcePage) -> Iterator[Source]:
    """The sources in the order the template shows them (summary, passage, sections, facts,
    incoming links); a fact set's own page names its one source apart and is not walked."""
    for row in page.summary:
        yield from _of_values(row.values)
    if page.passage is not None and page.passage.source is not None:
        yield page.passage.source
    for section in page.sections:
        for section_row in section.rows:
            yield from section_row.sources
    yield from _of_groups(page.facts)
    yield from _of_groups(page.incoming)


def _of_groups(groups: Iterable[PropertyGroup]) -> Iterator[Source]:
    for group in groups:
        yield from _of_values(group.values)


def _of_values(values: Iterable[Value]) -> Iterator[Source]:
    for value in values:
        yield from value.sources
