"""Load a dataset into a SPARQL 1.1 store, replacing its graphs as atomically as the store allows.

Staging graphs, counted, then one ``MOVE`` update for all; the steps and what each store guarantees
are in docs/design.md (loading into a store).
"""

from __future__ import annotations

import contextlib
import secrets
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from claimgraph.errors import EndpointError, LoadError
from claimgraph.sparql.engines import QueryResults
from claimgraph.sparql.lexer import values_block
from claimgraph.sparql.results import normalise_json_results
from claimgraph.sparql.transport import Credentials, Transport
from claimgraph.terms import Term

#: Every staging graph's IRI starts with this; the rest is ``RUN:N``.
STAGING_PREFIX = "urn:claimgraph:staging:"

#: What HTTP 401 means for a load (the store's own page adds nothing).

#: Called with the number of triples each finished request carried.
Progress = Callable[[int], None]


@dataclass(frozen=True)
class LoadResult:
    """What a load did.

    :ivar graphs: every graph loaded and its number of triples (as counted in the store afterwards).
    :ivar run_id: the id in the load's staging graph IRIs.
    """

    graphs: dict[str, int]
    run_id: str

    @property
    def triples(self) -> int:
        """Triples loaded, over all graphs."""
        return sum(self.graphs.values())


class _Store:
    """The three endpoints of one store, spoken to through one client."""

    def __init__(
        self,
        *,
        query: str,
        update: str,
        graph_store: str | None,
        client: Transport,
    ) -> None:
        self.query = query
        self.update = update
        self.graph_store = graph_store
        self.client = client

    def counts(self, graphs: Iterable[str]) -> dict[str, int]:
        """Triples in each of ``graphs`` that the store holds (looked up by name, not by scanning the store)."""
        values = values_block({"g": [ox.NamedNode(g) for g in graphs]})
        rows = self._select(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ {values} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g", name="triple count"
        )
        return {g.value: int(n.value) for g, n in rows if isinstance(g, ox.NamedNode) and isinstance(n, ox.Literal)}

    def staging_graphs(self) -> list[str]:
        """Every staging graph in the store, this load's and those of earlier loads."""
        rows = self._select(
            f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{STAGING_PREFIX}")) }}',
            name="staging graph listing",
        )
        return sorted(row[0].value for row in rows if isinstance(row[0], ox.NamedNode))

    def _select(self, text: str, *, name: str) -> tuple[tuple[Term | None, ...], ...]:
        answer = self.client.query(self.query, text, name=name, accept="application/sparql-results+json")
        try:
            return QueryResults.from_json(normalise_json_results(answer.body)).rows
        except (SyntaxError, ValueError) as error:
            raise EndpointError(self.query, f"answered with unreadable results: {error}") from None

    def run_update(self, text: str) -> None:
        self.client.update(self.update, text, name="SPARQL update")

    def upload(self, staging: str, batch: list[ox.Triple], *, first: bool) -> None:
        """Send one batch of a graph's triples into its staging graph (``first`` replaces it)."""
        ntriples = ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES)
        assert ntriples is not None  # no output given: serialize returns the bytes
        if self.graph_store is not None:
            self.client.send(
                self.graph_store,
                method="PUT" if first else "POST",
                body=ntriples,
                content_type="application/n-triples",
                params=urllib.parse.urlencode({"graph": staging}),
                name="graph upload",
            )
            return
        triples = ntriples.decode("utf-8")
        # Re-sending a batch after a lost answer adds nothing twice: a graph is a set of triples, and a
        # graph with blank nodes (not idempotent to insert) travels whole, after dropping its staging graph.
        drop = f"DROP SILENT GRAPH <{staging}> ;\n" if first else ""
        if any(_has_blank_node(t) for t in batch):
            self.run_update(f"{drop}INSERT {{ GRAPH <{staging}> {{\n{triples}}} }} WHERE {{}}")
        else:
            self.run_update(f"{drop}INSERT DATA {{ GRAPH <{staging}> {{\n{triples}}} }}")


def _has_blank_node(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def _batches(triples: list[ox.Triple], size: int) -> list[list[ox.Triple]]:
    if any(_has_blank_node(t) for t in triples):
        return [triples]
    return [triples[i : i + size] for i in range(0, len(triples), size)]


def new_run_id() -> str:
    """A staging run id: UTC time (sortable, for people) and a random part (unique)."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def load_quads(
    quads: Iterable[ox.Quad],
    *,
    endpoint: str,
    update_endpoint: str | None = None,
    store_endpoint: str | None = None,
    credentials: Credentials | None = None,
    batch_size: int = 1_000,
    timeout: float = 60.0,
    retries: int = 3,
    backoff: float = 0.5,
    progress: Progress | None = None,
    run_id: str | None = None,
) -> LoadResult:
    """Replace the store's copies of the named graphs in ``quads`` (see the module docstring).

    :param quads: what the store should hold, all in named graphs.
    :param endpoint: the SPARQL 1.1 query endpoint (counts).
    :param update_endpoint: the SPARQL 1.1 Update endpoint (default: ``endpoint``).
    :param store_endpoint: a Graph Store Protocol endpoint to upload with, instead of SPARQL Update.
    :param batch_size: triples per upload request (a graph with blank nodes goes whole).
    :param timeout: seconds to wait for each HTTP answer.
    :param retries: how often to retry a transient failure of one request.
    :param backoff: seconds before the first retry; doubled for each next one.
    :param progress: called with the number of triples of each finished upload request.
    :param run_id: the id in the staging graph IRIs (default: :func:`new_run_id`).
    :raises LoadError: if the dataset has default-graph triples, or a count in the store differs
        from what was sent; the target graphs are unchanged unless the message says otherwise.
    :raises EndpointError: if an endpoint fails; the target graphs are unchanged.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    update_endpoint = update_endpoint or endpoint
    graphs: dict[str, list[ox.Triple]] = {}
    in_default = 0
    for quad in quads:
        if isinstance(quad.graph_name, ox.NamedNode):
            graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
        else:
            in_default += 1
    if in_default:
        raise LoadError(endpoint, f"{in_default} triples are in the default graph; only named graphs are loaded")
    urls = [endpoint, update_endpoint, *([store_endpoint] if store_endpoint else [])]
    client = Transport(urls, credentials, timeout=timeout, retries=retries, backoff=backoff)
    store = _Store(query=endpoint, update=update_endpoint, graph_store=store_endpoint, client=client)
    run = run_id or new_run_id()
    targets = sorted(graphs)
    staging = {target: f"{STAGING_PREFIX}{run}:{n}" for n, target in enumerate(targets)}
    expected = {target: len(set(graphs[target])) for target in targets}

    stale = store.staging_graphs()
    if stale:
        store.run_update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in stale))
    for target in targets:
        for index, batch in enumerate(_batches(graphs[target], batch_size)):
            store.upload(staging[target], batch, first=index == 0)
            if progress is not None:
                progress(len(batch))

    staged = store.counts(staging.values())
    wrong = [t for t in targets if staged.get(staging[t], 0) != expected[t]]
    if wrong:
        _drop_quietly(store, staging.values())
        first = wrong[0]
        raise LoadError(
            endpoint,
            f"staging graph for <{first}> holds {staged.get(staging[first], 0)} triples, {expected[first]} were sent"
            f" ({len(wrong)} graphs differ); nothing replaced",
        )
    _swap(store, run, targets, staging, expected)
    counted = store.counts(targets)
    wrong = [t for t in targets if counted.get(t, 0) != expected[t]]
    if wrong:
        first = wrong[0]
        raise LoadError(
            endpoint,
            f"after the swap <{first}> holds {counted.get(first, 0)} triples, {expected[first]} were sent"
            f" ({len(wrong)} graphs differ)",
        )
    return LoadResult(graphs={t: counted[t] for t in targets}, run_id=run)


def _swap(store: _Store, run: str, targets: list[str], staging: dict[str, str], expected: dict[str, int]) -> None:
    """Move every staging graph onto its target in one update request, re-sent only when safe."""
    request = " ;\n".join(f"MOVE <{staging[t]}> TO <{t}>" for t in targets)
    attempt = 0
    while True:
        try:
            store.run_update(request)
            return
        except EndpointError as error:
            failure = error
        try:
            staged = store.counts(staging.values())
            counted = store.counts(targets)
        except EndpointError:
            raise failure from None
        if not any(staging[t] in staged for t in targets) and all(counted.get(t) == expected[t] for t in targets):
            return  # the swap went through; only its answer was lost
        if not all(staged.get(staging[t]) == expected[t] for t in targets):
            raise LoadError(
                store.update,
                f"the swap failed part-way ({failure.detail}): some graphs may hold the new content; run the load"
                f" again (staging graphs {STAGING_PREFIX}{run}:* are dropped by the next load)",
            ) from None
        if attempt >= store.client.retries:
            raise failure
        time.sleep(store.client.backoff * 2**attempt)
        attempt += 1


def _drop_quietly(store: _Store, graphs: Iterable[str]) -> None:
    """Drop this load's staging graphs if the store lets us; the next load drops them otherwise."""
    with contextlib.suppress(EndpointError):
        store.run_update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
