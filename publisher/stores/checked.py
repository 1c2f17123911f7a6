"""An on-disk Oxigraph store whose read errors are `StoreDamaged` (a 503), not a 500.

RocksDB reports a damaged or vanished file only when a read reaches it, long after the store
opened: a file overwritten while served, a disk error, a version deleted under a server that
has not switched yet. Every read the publisher makes goes through here; SELECT answers are read
to the end inside the guard (in Rust: serialised and parsed back), so a failure cannot escape
later, while a page iterates them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from publisher.dataset import GraphName, QueryAnswer, Subject, Term
from publisher.errors import StoreDamaged

log = logging.getLogger(__name__)

READ_ERRORS = (RuntimeError, OSError)
RETRY_AFTER = 5  # seconds: a new load of the folder is noticed within remote_check_interval


class CheckedStore:
    """A `ReadStore` over a read-only `pyoxigraph.Store`; other attributes pass through."""

    def __init__(self, store: ox.Store, location: str) -> None:
        self.store = store
        self.location = location

    def _damaged(self, error: BaseException) -> StoreDamaged:
        log.error("the store at %s failed to read: %s", self.location, error)
        return StoreDamaged(
            self.location,
            "its files on disk could not be read; the log says which, and loading it again "
            "repairs it",
            RETRY_AFTER,
        )

    def quads_for_pattern(
        self,
        subject: Subject | None,
        predicate: ox.NamedNode | None,
        object: Term | None,  # noqa: A002 - pyoxigraph's name
        graph_name: GraphName | None = None,
    ) -> Iterator[ox.Quad]:
        try:
            yield from self.store.quads_for_pattern(subject, predicate, object, graph_name)
        except READ_ERRORS as error:
            raise self._damaged(error) from None

    def query(
        self,
        query: str,
        *,
        use_default_graph_as_union: bool = False,
        substitutions: dict[ox.Variable, Term] | None = None,
    ) -> QueryAnswer:
        try:
            answer = self.store.query(
                query,
                use_default_graph_as_union=use_default_graph_as_union,
                substitutions=substitutions,
            )
            if not isinstance(answer, ox.QuerySolutions):
                return answer
            body = answer.serialize(format=ox.QueryResultsFormat.JSON)
        except READ_ERRORS as error:
            raise self._damaged(error) from None
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)

    def named_graphs(self) -> Iterator[ox.NamedNode | ox.BlankNode]:
        try:
            yield from self.store.named_graphs()
        except READ_ERRORS as error:
            raise self._damaged(error) from None

    def __len__(self) -> int:
        try:
            return len(self.store)
        except READ_ERRORS as error:
            raise self._damaged(error) from None

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.quads_for_pattern(None, None, None)

    def __getattr__(self, name: str) -> Any:
        """Writes and the rest of pyoxigraph's API, unguarded (a read-only store refuses
        writes with its own error)."""
        return getattr(self.store, name)
