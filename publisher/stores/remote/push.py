"""`publisher load --store URL`: write a validated dataset to a SPARQL server.

Each graph is replaced through the Graph Store Protocol in batches of N-Triples, blank nodes
skolemised (see `dialect`); the metadata graph (see `layout`) goes last, so readers keep the
previous version until the new one is complete.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.errors import PublisherError, StoreError
from publisher.stores.remote.client import N_TRIPLES, SparqlClient
from publisher.stores.remote.dialect import GENID_PATH, Graph, protect, skolem
from publisher.stores.remote.layout import (
    DEFAULT_GRAPH,
    METADATA_GRAPH,
    metadata_triples,
    read_layout,
)

PUSH_BATCH = 20_000
"""Triples sent in one Graph Store Protocol request by `push_to_remote`."""


@dataclass(frozen=True)
class PushReport:
    """What `push_to_remote` did, for the command's last line."""

    location: str
    version: str
    graphs: int
    triples: int
    removed: int
    seconds: float


def guess_gsp(query_url: str) -> str:
    """The Graph Store Protocol endpoint next to a query endpoint, for the servers whose
    layout is known: Oxigraph `/query` → `/store`; Virtuoso `/sparql` →
    `/sparql-graph-crud-auth`; Fuseki `/ds/query` or `/ds/sparql` → `/ds/data`; GraphDB
    `/repositories/r` → `/repositories/r/rdf-graphs/service`."""
    parts = urlsplit(query_url)
    path = parts.path.rstrip("/")
    if path == "/query":
        new = "/store"
    elif path == "/sparql":
        new = "/sparql-graph-crud-auth"
    elif path.endswith(("/query", "/sparql")) and path.count("/") >= 2:
        new = path.rsplit("/", 1)[0] + "/data"
    elif re.fullmatch(r"/repositories/[^/]+", path):
        new = path + "/rdf-graphs/service"
    else:
        raise PublisherError(
            f"cannot tell where the Graph Store Protocol endpoint of {query_url} is: "
            "give it with --gsp (PUBLISHER_REMOTE_GSP)"
        )
    return urlunsplit((parts.scheme, parts.netloc, new, "", ""))


def push_to_remote(
    dataset: Dataset,
    settings: Settings,
    *,
    progress: Callable[[int], None] | None = None,
) -> PushReport:
    """Write `dataset` (validated by the caller) to the SPARQL server `settings.store`.

    Each graph is replaced with the Graph Store Protocol (`settings.remote_gsp`, else
    `guess_gsp`): a PUT, then POSTs of `PUSH_BATCH` triples each, as N-Triples, blank nodes
    skolemised. Graphs an earlier load wrote and this dataset lacks are deleted. The metadata
    graph goes last, so a server being loaded keeps announcing the previous version until the
    new one is complete (readers may meanwhile see a mix: load into a second server and switch
    for a clean cut-over). `progress` is called with the number of triples sent so far."""
    started = time.monotonic()
    query_url = settings.store or ""
    client = SparqlClient.from_settings(settings, query_url)
    gsp = settings.remote_gsp or guess_gsp(query_url)
    client.http.timeout = httpx.Timeout(
        settings.remote_timeout, read=max(60.0, settings.remote_timeout)
    )
    try:
        previous = read_layout(client)
        genid = dataset.base_iri + GENID_PATH
        graphs: list[tuple[Graph, str]] = [
            (g, g.value) for g in sorted(dataset.store.named_graphs(), key=str)
            if isinstance(g, ox.NamedNode)
        ]  # fmt: skip
        if next(dataset.store.quads_for_pattern(None, None, None, ox.DefaultGraph()), None):
            graphs.append((ox.DefaultGraph(), DEFAULT_GRAPH))
        sent = 0
        for graph, target in graphs:
            quads = dataset.store.quads_for_pattern(None, None, None, graph)
            for index, batch in enumerate(_batches(quads, genid, client.virtuoso)):
                client.send(
                    "PUT" if index == 0 else "POST",
                    gsp,
                    params={"graph": target},
                    content=batch[0],
                    headers={"Content-Type": N_TRIPLES},
                )
                sent += batch[1]
                if progress is not None:
                    progress(sent)
        written = {target for _, target in graphs}
        stale = sorted(set(previous.graphs or ()) - written) if previous else []
        for target in [*stale, METADATA_GRAPH]:
            _delete_graph(client, gsp, target)
        metadata = metadata_triples(dataset, [t for _, t in graphs], genid, sent, client.virtuoso)
        client.send(
            "PUT",
            gsp,
            params={"graph": METADATA_GRAPH},
            content=ox.serialize(metadata, format=ox.RdfFormat.N_TRIPLES),
            headers={"Content-Type": N_TRIPLES},
        )
    finally:
        client.close()
    return PushReport(
        client.location,
        dataset.version,
        len(graphs),
        sent,
        len(stale),
        time.monotonic() - started,
    )


def _batches(quads: Iterable[ox.Quad], genid: str, lexical: bool) -> Iterator[tuple[bytes, int]]:
    """N-Triples bodies of at most PUSH_BATCH triples, blank nodes skolemised, literals
    protected from Virtuoso's rewriting when `lexical`."""
    batch: list[ox.Triple] = []
    for quad in quads:
        obj = quad.object
        if lexical and isinstance(obj, ox.Literal):
            quad = ox.Quad(quad.subject, quad.predicate, protect(obj), quad.graph_name)
        batch.append(
            ox.Triple(skolem(quad.subject, genid), quad.predicate, skolem(quad.object, genid))
        )
        if len(batch) == PUSH_BATCH:
            yield ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) or b"", len(batch)
            batch = []
    if batch:
        yield ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) or b"", len(batch)


def _delete_graph(client: SparqlClient, gsp: str, graph: str) -> None:
    try:
        client.send("DELETE", gsp, params={"graph": graph})
    except StoreError as error:
        if error.status != 404:
            raise
