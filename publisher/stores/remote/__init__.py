"""A SPARQL 1.1 server as the store (`--store http://…`): Oxigraph server, Virtuoso, Fuseki, ….

- `open_remote_dataset(settings) -> Dataset`: the dataset on the server; its `store` is a
  `RemoteStore`, which answers the read API of `pyoxigraph.Store` over HTTP (`store`).
- `refresh_dataset(dataset, settings) -> Dataset | None`: a new `Dataset` when a `publisher
  load` has put another version on the server since (the web layer checks now and then).
- `push_to_remote(dataset, settings) -> PushReport`: `publisher load --store URL` (`push`).
- `RemoteQueryRunner`: the SPARQL endpoint's queries, forwarded to the server (`runner`).
- `SparqlClient`: requests with a time limit and credentials; every way of not answering is
  `StoreUnavailable`, a 503 with Retry-After on the web (`client`).

How the dataset sits on the server is `layout`; what is written differently for a server than
for Oxigraph in memory (skolem IRIs, Virtuoso's literals, graph lists, paging) is `dialect`;
`reader` reads SPARQL XML results as they arrive.
"""

from publisher.stores.remote.client import SparqlClient
from publisher.stores.remote.push import PushReport, push_to_remote
from publisher.stores.remote.runner import RemoteQueryRunner
from publisher.stores.remote.store import open_remote_dataset, refresh_dataset

__all__ = [
    "PushReport",
    "RemoteQueryRunner",
    "SparqlClient",
    "open_remote_dataset",
    "push_to_remote",
    "refresh_dataset",
]
