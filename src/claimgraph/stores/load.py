"""Load a dataset into a SPARQL 1.1 store, replacing its graphs as atomically as the store allows.

Staging graphs, counted, then one ``MOVE`` update for all; the steps and what each store guarantees
are in docs/design.md (loading into a store), the ways in (:data:`METHODS`) in docs/stores.md.

The client's memory stays bounded whatever the dataset's size: the triples are read from the
dataset's store a batch at a time and each batch is sent (or written to a bulk-load file) before the
next is read.
"""

from __future__ import annotations

import contextlib
import itertools
import secrets
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pyoxigraph as ox

from claimgraph.errors import EndpointError, LoadError
from claimgraph.sparql.engines import QueryResults
from claimgraph.sparql.lexer import values_blocks
from claimgraph.sparql.results import normalise_json_results
from claimgraph.sparql.transport import Credentials, Transport
from claimgraph.stores.bulk import VirtuosoBulkLoader
from claimgraph.terms import Term

#: Every staging graph's IRI starts with this; the rest is ``RUN:N``.
STAGING_PREFIX = "urn:claimgraph:staging:"

#: Called with the number of triples each finished request (or bulk-loaded file) carried.
Progress = Callable[[int], None]

#: How triples reach the staging graphs:
#:
#: - ``update``: SPARQL 1.1 Update ``INSERT DATA`` requests, several graphs per request;
#: - ``graph-store``: SPARQL 1.1 Graph Store Protocol, ``PUT``/``POST`` of N-Triples per graph;
#: - ``dataset``: ``POST`` of N-Quads, many graphs per request, to a store endpoint that takes a
#:   dataset (Oxigraph ``/store``, Fuseki ``/ds/data``, RDF4J ``/statements``);
#: - ``oxigraph-bulk``: as ``dataset``, with Oxigraph's ``no_transaction`` parameter (its bulk loader);
#: - ``virtuoso-bulk``: N-Quads files loaded by Virtuoso's bulk loader on this machine.
METHODS = ("update", "graph-store", "dataset", "oxigraph-bulk", "virtuoso-bulk")
Method = Literal["update", "graph-store", "dataset", "oxigraph-bulk", "virtuoso-bulk"]

#: Triples per request (or bulk-load file) where the caller gives no batch size.
DEFAULT_BATCH_SIZES: dict[str, int] = {
    "update": 1_000,  # Virtuoso refuses updates that compile to more than 10,000 lines of SQL
    "graph-store": 1_000,
    "dataset": 100_000,
    "oxigraph-bulk": 100_000,
    "virtuoso-bulk": 1_000_000,
}

#: Graphs per swap request where the caller gives none (else all in one): Virtuoso 7.2 refuses one
#: update of about 1,000 MOVEs (SQ156, or SQ200 "Query too large"), and 500 graphs of a 1M corpus
#: (155,000 triples) in one request ran out of its transaction time (SR171).
DEFAULT_SWAP_BATCHES: dict[str, int] = {"virtuoso-bulk": 100}


@dataclass(frozen=True)
class LoadResult:
    """What a load did.

    :ivar graphs: every graph loaded and its number of triples (as counted in the store afterwards).
    :ivar run_id: the id in the load's staging graph IRIs.
    :ivar method: how the triples went in (one of :data:`METHODS`).
    :ivar swaps: update requests the swap took (1: every graph replaced at once; more: each graph
        replaced whole, but not all at once).
    :ivar seconds: where the time went: ``upload`` (into the staging graphs), ``count`` (both count
        checks) and ``swap`` (the ``MOVE`` request, in which the store copies every triple).
    """

    graphs: dict[str, int]
    run_id: str
    method: str = "update"
    swaps: int = 1
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def triples(self) -> int:
        """Triples loaded, over all graphs."""
        return sum(self.graphs.values())


@dataclass
class _Slice:
    """Triples of one graph bound for its staging graph; ``whole``: all of a graph with blank nodes."""

    target: str
    staging: str
    triples: list[ox.Triple]
    whole: bool
    first: bool


class _Store:
    """The endpoints of one store, spoken to through one client."""

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
        found: dict[str, int] = {}
        for values in values_blocks("g", [ox.NamedNode(g) for g in graphs]):
            rows = self._select(
                f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ {values} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g",
                name="triple count",
            )
            found.update(
                (g.value, int(n.value)) for g, n in rows if isinstance(g, ox.NamedNode) and isinstance(n, ox.Literal)
            )
        return found

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

    def put_graph(self, part: _Slice) -> None:
        """Send one graph's slice with the Graph Store Protocol (the first replaces the staging graph)."""
        assert self.graph_store is not None
        self.client.send(
            self.graph_store,
            method="PUT" if part.first else "POST",
            body=_serialize(part.triples, ox.RdfFormat.N_TRIPLES),
            content_type="application/n-triples",
            params=urllib.parse.urlencode({"graph": part.staging}),
            name="graph upload",
        )

    def post_dataset(self, parts: list[_Slice], *, bulk: bool) -> None:
        """Send slices of several graphs as one N-Quads document (``bulk``: Oxigraph's bulk loader)."""
        assert self.graph_store is not None
        self.client.send(
            self.graph_store,
            method="POST",
            body=_serialize(_staged_quads(parts), ox.RdfFormat.N_QUADS),
            content_type="application/n-quads",
            params="no_transaction" if bulk else "",
            name="dataset upload",
        )

    def insert(self, parts: list[_Slice]) -> None:
        """Send slices of several graphs as one SPARQL Update request.

        Re-sending a request after a lost answer adds nothing twice: a graph is a set of triples, and a
        graph with blank nodes (not idempotent to insert) travels whole, after dropping its staging graph.
        """
        blocks = [f"GRAPH <{p.staging}> {{\n{_serialize(p.triples, ox.RdfFormat.N_TRIPLES).decode()}}}" for p in parts]
        if len(parts) == 1 and parts[0].whole:
            self.run_update(f"DROP SILENT GRAPH <{parts[0].staging}> ;\nINSERT {{ {blocks[0]} }} WHERE {{}}")
        else:
            self.run_update("INSERT DATA {\n" + "\n".join(blocks) + "\n}")


def _serialize(statements: Iterable[ox.Triple] | Iterable[ox.Quad], rdf_format: ox.RdfFormat) -> bytes:
    written = ox.serialize(statements, format=rdf_format)
    assert written is not None  # no output given: serialize returns the bytes
    return written


def _staged_quads(parts: list[_Slice]) -> Iterator[ox.Quad]:
    for part in parts:
        graph = ox.NamedNode(part.staging)
        for t in part.triples:
            yield ox.Quad(t.subject, t.predicate, t.object, graph)


def _slices(store: ox.Store, targets: Sequence[str], staging: dict[str, str], size: int) -> Iterator[_Slice]:
    """Each graph's triples in slices of at most ``size``, a graph with blank nodes in one slice.

    Blank nodes are scoped to one request (or file): their graph cannot be split.
    """
    for target in targets:
        graph = ox.NamedNode(target)
        blank = store.query(
            f"ASK {{ GRAPH <{target}> {{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }} }}"
        )
        quads = store.quads_for_pattern(None, None, None, graph)
        if blank:
            yield _Slice(target, staging[target], [q.triple for q in quads], whole=True, first=True)
            continue
        for index in itertools.count():
            triples = [q.triple for q in itertools.islice(quads, size)]
            if not triples:
                break
            yield _Slice(target, staging[target], triples, whole=False, first=index == 0)


def _packed(slices: Iterator[_Slice], size: int) -> Iterator[list[_Slice]]:
    """Slices of several graphs gathered into requests of about ``size`` triples; a slice of a graph
    with blank nodes travels alone (re-sending it would not be idempotent)."""
    batch: list[_Slice] = []
    held = 0
    for part in slices:
        if part.whole:
            yield [part]
            continue
        if batch and held + len(part.triples) > size:
            yield batch
            batch, held = [], 0
        batch.append(part)
        held += len(part.triples)
    if batch:
        yield batch


def new_run_id() -> str:
    """A staging run id: UTC time (sortable, for people) and a random part (unique)."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def load_quads(quads: Iterable[ox.Quad], **options: Any) -> LoadResult:
    """:func:`load_store` of ``quads`` (gathered into an embedded store first, which drops repeats).

    :raises LoadError: if a quad is in the default graph, or as :func:`load_store` raises.
    """
    store = ox.Store()
    store.extend(quads)
    return load_store(store, **options)


def load_store(
    store: ox.Store,
    *,
    endpoint: str,
    graphs: Sequence[str] | None = None,
    update_endpoint: str | None = None,
    store_endpoint: str | None = None,
    credentials: Credentials | None = None,
    method: Method | None = None,
    batch_size: int | None = None,
    bulk_loader: VirtuosoBulkLoader | None = None,
    swap_batch: int | None = None,
    timeout: float = 60.0,
    retries: int = 3,
    backoff: float = 0.5,
    progress: Progress | None = None,
    run_id: str | None = None,
) -> LoadResult:
    """Replace the store's copies of the named graphs of ``store`` (see the module docstring).

    :param store: the dataset; only its named graphs are loaded, and its default graph must be empty.
    :param endpoint: the SPARQL 1.1 query endpoint (counts).
    :param graphs: the named graphs to load (default: all of ``store``'s).
    :param update_endpoint: the SPARQL 1.1 Update endpoint (default: ``endpoint``).
    :param store_endpoint: the Graph Store Protocol endpoint (``graph-store``, ``dataset``, ``oxigraph-bulk``).
    :param method: how the triples go in (:data:`METHODS`); default ``graph-store`` with a
        ``store_endpoint``, else ``update``.
    :param batch_size: triples per request or bulk-load file (default: :data:`DEFAULT_BATCH_SIZES`);
        a graph with blank nodes goes whole.
    :param bulk_loader: Virtuoso's bulk loader (``virtuoso-bulk``).
    :param swap_batch: graphs per swap request (default: :data:`DEFAULT_SWAP_BATCHES`, else all in
        one request, replaced at once); a store may refuse one request for thousands of graphs
        (Virtuoso 7.2 fails on about 1,000 MOVEs), and then each graph is still replaced whole, but
        not all at once.
    :param timeout: seconds to wait for each HTTP answer.
    :param retries: how often to retry a transient failure of one request.
    :param backoff: seconds before the first retry; doubled for each next one.
    :param progress: called with the number of triples of each finished request or bulk-loaded file.
    :param run_id: the id in the staging graph IRIs (default: :func:`new_run_id`).
    :raises LoadError: if the dataset has default-graph triples, a count in the store differs from
        what was sent, or the bulk loader fails; the target graphs are unchanged unless the message
        says otherwise.
    :raises EndpointError: if an endpoint fails; the target graphs are unchanged.
    """
    how: str = method or ("graph-store" if store_endpoint else "update")
    if how not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    if how in ("graph-store", "dataset", "oxigraph-bulk") and store_endpoint is None:
        raise ValueError(f"method {how} needs a store endpoint")
    if how == "virtuoso-bulk" and bulk_loader is None:
        raise ValueError("method virtuoso-bulk needs a bulk loader")
    size = DEFAULT_BATCH_SIZES[how] if batch_size is None else batch_size
    if size < 1 or (swap_batch is not None and swap_batch < 1):
        raise ValueError("batch_size and swap_batch must be at least 1")
    update_endpoint = update_endpoint or endpoint
    in_default = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    if in_default:
        raise LoadError(endpoint, f"{in_default} triples are in the default graph; only named graphs are loaded")
    names = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    if graphs is not None:
        names = sorted(set(names) & set(graphs))
    urls = [endpoint, update_endpoint, *([store_endpoint] if store_endpoint else [])]
    client = Transport(urls, credentials, timeout=timeout, retries=retries, backoff=backoff)
    remote = _Store(query=endpoint, update=update_endpoint, graph_store=store_endpoint, client=client)
    run = run_id or new_run_id()
    staging = {target: f"{STAGING_PREFIX}{run}:{n}" for n, target in enumerate(names)}

    clock = time.perf_counter()
    stale = remote.staging_graphs()
    if stale:
        remote.run_update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in stale))
    sent: dict[str, int] = {}

    def done(parts: list[_Slice]) -> None:
        for part in parts:
            sent[part.target] = sent.get(part.target, 0) + len(part.triples)
        if progress is not None:
            progress(sum(len(p.triples) for p in parts))

    slices = _slices(store, names, staging, size)
    if how == "graph-store":
        for part in slices:
            remote.put_graph(part)
            done([part])
    elif how == "virtuoso-bulk":
        assert bulk_loader is not None
        _bulk_load(bulk_loader, _packed(slices, size), run, done)
    else:
        for parts in _packed(slices, size):
            if how == "update":
                remote.insert(parts)
            elif parts[0].whole:
                remote.put_graph(parts[0])
            else:
                remote.post_dataset(parts, bulk=how == "oxigraph-bulk")
            done(parts)

    seconds = {"upload": time.perf_counter() - clock}
    clock = time.perf_counter()
    targets = [t for t in names if sent.get(t)]
    staged = remote.counts(staging[t] for t in targets)
    wrong = [t for t in targets if staged.get(staging[t], 0) != sent[t]]
    if wrong:
        _drop_quietly(remote, (staging[t] for t in targets))
        first = wrong[0]
        raise LoadError(
            endpoint,
            f"staging graph for <{first}> holds {staged.get(staging[first], 0)} triples, {sent[first]} were sent"
            f" ({len(wrong)} graphs differ); nothing replaced",
        )
    seconds["count"] = time.perf_counter() - clock
    clock = time.perf_counter()
    per_request = swap_batch or DEFAULT_SWAP_BATCHES.get(how) or len(targets) or 1
    swaps = _swap(remote, run, targets, staging, sent, per_request)
    seconds["swap"] = time.perf_counter() - clock
    clock = time.perf_counter()
    counted = remote.counts(targets)
    seconds["count"] += time.perf_counter() - clock
    wrong = [t for t in targets if counted.get(t, 0) != sent[t]]
    if wrong:
        first = wrong[0]
        raise LoadError(
            endpoint,
            f"after the swap <{first}> holds {counted.get(first, 0)} triples, {sent[first]} were sent"
            f" ({len(wrong)} graphs differ)",
        )
    return LoadResult(graphs={t: counted[t] for t in targets}, run_id=run, method=how, swaps=swaps, seconds=seconds)


def _bulk_load(
    loader: VirtuosoBulkLoader, batches: Iterator[list[_Slice]], run: str, done: Callable[[list[_Slice]], None]
) -> None:
    """Each batch as an N-Quads file in the loader's directory, loaded by Virtuoso's bulk loader, then
    one checkpoint (the loader writes without the transaction log)."""
    loader.directory.mkdir(parents=True, exist_ok=True)
    for number, parts in enumerate(batches):
        with tempfile.NamedTemporaryFile(
            dir=loader.directory, prefix=f"claimgraph-{run}-{number}-", suffix=".nq", delete=False
        ) as file:
            path = Path(file.name)
            ox.serialize(_staged_quads(parts), output=file, format=ox.RdfFormat.N_QUADS)
        path.chmod(0o644)  # the server may run as another user
        loader.load_file(path, graph=parts[0].staging)
        done(parts)
    loader.checkpoint()


def _swap(
    store: _Store, run: str, targets: list[str], staging: dict[str, str], expected: dict[str, int], per_request: int
) -> int:
    """Move every staging graph onto its target, ``per_request`` graphs per update request; the number
    of requests. In one request every graph is replaced at once; in several, each graph whole."""
    chunks = [targets[i : i + per_request] for i in range(0, len(targets), per_request)]
    for chunk in chunks:
        _swap_request(store, run, chunk, staging, expected)
    return len(chunks)


def _swap_request(
    store: _Store, run: str, targets: list[str], staging: dict[str, str], expected: dict[str, int]
) -> None:
    """One swap request, re-sent after a failure only if the store is untouched."""
    request = " ;\n".join(f"MOVE <{staging[t]}> TO <{t}>" for t in targets)
    attempt = 0
    while True:
        try:
            store.run_update(request)
            return
        except EndpointError as error:
            failure = error
        try:
            staged = store.counts(staging[t] for t in targets)
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
