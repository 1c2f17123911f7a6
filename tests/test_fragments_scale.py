"""A fragment page reads O(page) quads however big the store: no scan to select it, none to
count it. Measured without a clock: a store wrapper counts the quads pulled from its iterators,
on a generated store of 100,000 triples (a scan would pull tens of thousands)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from publisher.config import Settings
from publisher.dataset import Dataset, GraphName, ReadStore, Sources, Subject, Term
from publisher.fragments.pattern import Pattern
from publisher.fragments.select import COUNT_CAP, Figures, select_page
from publisher.stores import open_dataset
from publisher.vocab import RDF

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench/ is beside the package
from bench.synthetic import BASE, write_ntriples  # noqa: E402

TRIPLES = 100_000
PAGE = 100
THING = BASE + "id/thing/"
TYPE = ox.NamedNode(RDF + "type")
CLASS = ox.NamedNode(BASE + "def/Class3")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


@dataclass
class Counting:
    """A ReadStore that counts the quads its `quads_for_pattern` iterators yield."""

    store: ReadStore
    pulled: int = 0

    def quads_for_pattern(
        self,
        subject: Subject | None,
        predicate: ox.NamedNode | None,
        object: Term | None,  # noqa: A002 - pyoxigraph's name
        graph_name: GraphName | None = None,
    ) -> Iterator[ox.Quad]:
        for quad in self.store.quads_for_pattern(subject, predicate, object, graph_name):
            self.pulled += 1
            yield quad

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    path = write_ntriples(tmp_path_factory.mktemp("scale") / "data.nt", TRIPLES)
    settings = Settings(base_iri=BASE, data=[str(path)], ontology=[], shapes=[])
    return open_dataset(settings, Sources((path,), (), ()))


@pytest.fixture(scope="module")
def figures(big: Dataset) -> Figures:
    return Figures.of(big)


def pulled_for(big: Dataset, figures: Figures, pattern: Pattern, number: int = 1) -> int:
    counting = Counting(big.store)
    page = select_page(replace(big, store=counting), figures, pattern, number, PAGE)
    assert len(page.quads) <= PAGE
    return counting.pulled


@pytest.mark.parametrize(
    ("name", "pattern", "exact_total"),
    [
        ("every quad", Pattern(), TRIPLES),
        ("a bound predicate", Pattern(predicate=LABEL), TRIPLES // 4),
        ("instances of a class", Pattern(predicate=TYPE, object=CLASS), None),
        ("a bound subject", Pattern(subject=ox.NamedNode(THING + "123")), 4),
        ("a bound subject and predicate", Pattern(ox.NamedNode(THING + "9"), LABEL), 1),
    ],
)
def test_a_first_page_pulls_at_most_one_quad_past_the_page(
    big: Dataset, figures: Figures, name: str, pattern: Pattern, exact_total: int | None
) -> None:
    assert pulled_for(big, figures, pattern) <= PAGE + 1, name
    page = select_page(big, figures, pattern, 1, PAGE)
    assert page.count.exact
    if exact_total is not None:
        assert page.count.value == exact_total


def test_the_class_count_comes_from_the_catalog(big: Dataset, figures: Figures) -> None:
    page = select_page(big, figures, Pattern(predicate=TYPE, object=CLASS), 1, PAGE)
    instances = sum(1 for _ in big.store.quads_for_pattern(None, TYPE, CLASS))
    assert instances > 10 * PAGE
    assert page.count.value == instances and page.count.exact


def test_a_pattern_without_a_figure_is_counted_to_the_cap_and_marked_an_estimate(
    big: Dataset, figures: Figures
) -> None:
    pattern = Pattern(object=CLASS)  # no catalog figure for `?s ?p <class>`
    assert pulled_for(big, figures, pattern) <= PAGE + COUNT_CAP
    page = select_page(big, figures, pattern, 1, PAGE)
    assert not page.count.exact
    assert page.count.value == PAGE + COUNT_CAP
    assert page.has_next


def test_a_later_page_reads_up_to_its_end_only(big: Dataset, figures: Figures) -> None:
    """Oxigraph cannot seek, so page n reads the n - 1 before it: O(n × page), not O(store)."""
    assert pulled_for(big, figures, Pattern(predicate=LABEL), number=3) <= 3 * PAGE + 1


def test_a_page_past_a_known_end_reads_nothing(big: Dataset, figures: Figures) -> None:
    """page=99999999 of the empty pattern would otherwise read the whole store first."""
    assert pulled_for(big, figures, Pattern(), number=99_999_999) == 0
    assert pulled_for(big, figures, Pattern(predicate=LABEL), number=99_999_999) == 0


def test_the_union_graph_reads_one_lookup_per_match(big: Dataset, figures: Figures) -> None:
    """Each triple of the union is checked by a lookup of itself (is this its first graph?):
    two quads read per match, and nothing remembered."""
    assert pulled_for(big, figures, Pattern(predicate=LABEL, union=True)) <= 2 * (PAGE + 1)
