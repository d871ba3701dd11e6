"""Validate data already in a SPARQL store: its named graphs are fetched, read-only, into a fresh dataset.

The store is only queried (SPARQL 1.1 SELECT through :class:`~claimgraph.sparql.RemoteEngine`, so
errors are :class:`~claimgraph.errors.EndpointError` naming the endpoint). What is fetched:

- every named graph of the store, or the ``graphs`` asked for plus the ontology graph and the archive
  graph (``graph:archive``, whose ``cg:text`` triples are the archived texts the anchors and hashes
  are checked against) where the store holds them;
- never the store's shapes graph: the shapes come from the local data directory (``--data``, or the
  bundled ontology), as does the ontology when the store has none;
- the derived graph (``graph:derived``) is computed again from what was fetched, as a load computes it.

Then the dataset is validated locally, exactly as a dataset loaded from files: same shapes, same
union of graphs, so the same verdict and focus nodes as validating the same data locally.

All triples come in one SELECT (blank nodes keep their identity within one result set) where the
store answers it whole, else in one per group of graphs (:func:`_fetch`); they are read as they
arrive into the dataset's store (never held whole as results), and are counted per graph (while they
are fetched, when every graph is): a store that silently caps result rows or cuts its answer short
is reported as an error instead of validating part of the data.

The query names its graphs without listing every one when every graph is fetched: by joining the
load's catalog where the store has it, else by reading every named graph and keeping the data graphs
(Virtuoso 7.2's SPARQL compiler refuses a ``VALUES`` block of 8,000 graphs; a 10M-triple corpus has
32,474). Only graphs asked for by name are listed in the query, as many as one ``VALUES`` block
may name (:data:`~claimgraph.sparql.lexer.MAX_VALUES`); a longer list is read as every graph is, and
the graphs asked for are kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from claimgraph.errors import EndpointError, GraphNotFoundError, RowCapError
from claimgraph.io.dataset import Dataset, load_dataset
from claimgraph.namespaces import ARCHIVE_GRAPH, ONTOLOGY_GRAPH, PREFIXES, SHAPES_GRAPH
from claimgraph.sparql.engines import CATALOG_PATTERN, GRAPHS_PER_QUERY, RemoteEngine
from claimgraph.sparql.lexer import values_blocks

_CURIE = re.compile(r"([A-Za-z][\w\-]*):([^/#:\s]*)\Z")


def expand_graph_name(name: str) -> str:
    """A graph given as an IRI or as a CURIE with the shared prefixes (``graph:actors``)."""
    match = _CURIE.match(name)
    if match and match.group(1) in PREFIXES:
        return PREFIXES[match.group(1)] + match.group(2)
    return name


def fetch_dataset(
    endpoint: str,
    *,
    graphs: Sequence[str] | None = None,
    root: Path | None = None,
    timeout: float = 60.0,
) -> Dataset:
    """Read named graphs of a SPARQL endpoint into a dataset with the local ontology and shapes.

    :param endpoint: the SPARQL 1.1 query endpoint, e.g. ``http://127.0.0.1:7878/query``.
    :param graphs: the graphs to check (IRIs or CURIEs); ``None`` for every named graph.
    :param root: the data directory supplying the shapes (default: the bundled data).
    :param timeout: seconds to wait for each answer.
    :raises EndpointError: if the endpoint cannot be reached, fails, or returns fewer triples than it
        holds.
    :raises GraphNotFoundError: if a graph asked for is not in the store.
    """
    # graphs=[]: queries go as written (they name their graphs themselves).
    engine = RemoteEngine(endpoint, timeout=timeout, graphs=[])
    # The data graphs (the load's catalog, or the store's graphs using the vocabulary): never the store's
    # own system graphs. A catalogued graph the store lacks (the shapes: a load does not send them) is
    # found empty and skipped.
    lister = RemoteEngine(endpoint, timeout=timeout)
    available = lister.graphs
    every = _every_graph(lister)
    store = ox.Store()
    if graphs is None:
        # Counted while fetched: the store works on both at once (Virtuoso 7.2, 1M triples: the count
        # takes 18 s, the fetch about 42 s).
        with ThreadPoolExecutor(max_workers=1) as pool:
            counting = pool.submit(_counts, engine, every)
            fetched = _fetch(engine, store, every, counting.result)
            counts = counting.result()
    else:
        asked = {expand_graph_name(name) for name in graphs}
        extras = {g for g in (ONTOLOGY_GRAPH, ARCHIVE_GRAPH) if g in available}
        chosen = _listed(sorted((asked | extras) - {SHAPES_GRAPH}))
        counts = _counts(engine, chosen)
        # A graph asked for must be in the store (the shapes graph, never fetched, at least in its catalog).
        for iri in sorted(asked - set(counts)):
            if iri != SHAPES_GRAPH or iri not in available:
                raise GraphNotFoundError(engine.endpoint, iri, sorted(_counts(engine, every)))
        fetched = _fetch(engine, store, chosen, lambda: counts)
    if fetched != sum(counts.values()):
        raise EndpointError(
            engine.endpoint,
            f"returned {fetched} of the {sum(counts.values())} triples in {len(counts)} graphs: it caps result"
            " rows (Virtuoso: raise [SPARQL] ResultSetMaxRows) — nothing was validated",
        )
    local = load_dataset(root, paths=[])
    present = {ox.NamedNode(g) for g in counts}
    store.extend(q for q in local.store if q.graph_name not in present)
    sources = {g: p for g, p in local.sources.items() if g not in present}
    dataset = Dataset(store=store, root=local.root, sources=sources)
    dataset.refresh_derived()  # from what was fetched, whether or not the store holds it
    return dataset


class _Graphs(NamedTuple):
    """Which graphs a fetch reads: those ``pattern`` binds to ``?g``, of which those in ``keep``
    (``None``: all of them)."""

    pattern: str
    keep: frozenset[str] | None = None

    @property
    def none(self) -> bool:
        return self.keep is not None and not self.keep

    def kept(self, graph: ox.NamedNode) -> bool:
        return self.keep is None or graph.value in self.keep


def _every_graph(lister: RemoteEngine) -> _Graphs:
    """Every data graph of the store but the shapes: the catalog's, else the store's named graphs that
    hold data (the store's own system graphs are read too, and dropped: a few thousand triples)."""
    if lister.catalogued:
        return _Graphs(f"{CATALOG_PATTERN} FILTER(?g != <{SHAPES_GRAPH}>)")
    return _Graphs("", frozenset(lister.graphs) - {SHAPES_GRAPH})


def _listed(graphs: Sequence[str]) -> _Graphs:
    if not graphs:
        return _Graphs("", frozenset())
    blocks = values_blocks("g", [ox.NamedNode(g) for g in graphs])
    # In one answer either way: graphs read in several would split a blank node they share.
    return _Graphs(blocks[0]) if len(blocks) == 1 else _Graphs("", frozenset(graphs))


def _counts(engine: RemoteEngine, graphs: _Graphs) -> dict[str, int]:
    """The triples the store holds in each of ``graphs``: a graph it lacks has no entry."""
    if graphs.none:
        return {}
    counted = engine.select(
        f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ {graphs.pattern} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g",
        name="triple count",
    )
    return {
        g.value: int(n.value)
        for g, n in counted.rows
        if isinstance(g, ox.NamedNode) and isinstance(n, ox.Literal) and int(n.value) > 0 and graphs.kept(g)
    }


def _fetch(
    engine: RemoteEngine, store: ox.Store, graphs: _Graphs, counts: Callable[[], dict[str, int]]
) -> int:
    """The triples of ``graphs``, streamed into ``store`` as quads; how many were read.

    In one answer where the store gives one; where it caps the answer (Virtuoso sends at most 1,048,576
    rows over HTTP, whatever its ``ResultSetMaxRows``), in answers of groups of graphs, each of at most
    half the cap by ``counts`` (the triples per graph) and
    :data:`~claimgraph.sparql.engines.GRAPHS_PER_QUERY` graphs. A blank node's label names it only
    within one answer, so each group's are its own: a blank node in graphs of two groups becomes one
    node per group.

    In SPARQL JSON, though Virtuoso 7.2 writes a million rows as XML in 25 s against 41 s: pyoxigraph's
    XML results parser trims the white space at a literal's ends (oxigraph issue 1881), and the exact
    reader of other answers (:func:`~claimgraph.sparql.results.xml_results_to_json`) is Python's.

    :raises RowCapError: if one graph alone has more triples than the store's cap.
    """
    if graphs.none:
        return 0
    try:
        return _fetch_answer(engine, store, graphs)
    except RowCapError as capped:  # raised before any row is read
        if capped.cap < 2:
            raise
        groups = _groups(sorted(counts().items()), capped.cap // 2)
        return sum(_fetch_answer(engine, store, _listed(group), blank=f"g{n}x") for n, group in enumerate(groups))


def _groups(sizes: Sequence[tuple[str, int]], rows: int) -> Iterator[list[str]]:
    """The graphs in groups of at most ``rows`` triples (a larger graph alone) and
    :data:`~claimgraph.sparql.engines.GRAPHS_PER_QUERY` graphs."""
    group: list[str] = []
    held = 0
    for graph, size in sizes:
        if group and (held + size > rows or len(group) == GRAPHS_PER_QUERY):
            yield group
            group, held = [], 0
        group.append(graph)
        held += size
    if group:
        yield group


def _fetch_answer(engine: RemoteEngine, store: ox.Store, graphs: _Graphs, *, blank: str = "") -> int:
    """The triples of ``graphs`` in one answer, into ``store``; blank nodes' labels prefixed by ``blank``."""
    fetched = 0

    def quads() -> Iterator[ox.Quad]:
        nonlocal fetched
        for g, s, p, o in engine.solutions(
            f"SELECT ?g ?s ?p ?o WHERE {{ {graphs.pattern} GRAPH ?g {{ ?s ?p ?o }} }}", name="graph fetch"
        ):
            if isinstance(g, ox.NamedNode) and not graphs.kept(g):
                continue
            if not (
                isinstance(g, ox.NamedNode)
                and isinstance(s, ox.NamedNode | ox.BlankNode)
                and isinstance(p, ox.NamedNode)
                and isinstance(o, ox.NamedNode | ox.BlankNode | ox.Literal)
            ):
                raise EndpointError(
                    engine.endpoint, f"answered the graph fetch with an unexpected row ({g} {s} {p} {o})"
                )
            if blank and isinstance(s, ox.BlankNode):
                s = ox.BlankNode(blank + s.value)
            if blank and isinstance(o, ox.BlankNode):
                o = ox.BlankNode(blank + o.value)
            fetched += 1
            yield ox.Quad(s, p, o, g)

    store.extend(quads())
    return fetched
