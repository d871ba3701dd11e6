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

All triples come in one SELECT (blank nodes keep their identity within one result set), read as
they arrive into the dataset's store (never held whole as results), and are counted first per graph:
a store that silently caps result rows (Virtuoso's ``ResultSetMaxRows``) is reported as an error
instead of validating part of the data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox

from claimgraph.errors import EndpointError, GraphNotFoundError
from claimgraph.io.dataset import Dataset, load_dataset
from claimgraph.namespaces import ARCHIVE_GRAPH, ONTOLOGY_GRAPH, PREFIXES, SHAPES_GRAPH
from claimgraph.sparql.engines import RemoteEngine
from claimgraph.sparql.lexer import values_block

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
    # The store's data graphs (those using the claimgraph vocabulary): never its own system graphs.
    available = RemoteEngine(endpoint, timeout=timeout).graphs
    if graphs is None:
        wanted = [g for g in available if g != SHAPES_GRAPH]
    else:
        wanted = []
        for name in graphs:
            iri = expand_graph_name(name)
            if iri not in available:
                raise GraphNotFoundError(engine.endpoint, iri, available)
            if iri != SHAPES_GRAPH:
                wanted.append(iri)
        wanted.extend(g for g in (ONTOLOGY_GRAPH, ARCHIVE_GRAPH) if g in available)
        wanted = sorted(set(wanted))

    local = load_dataset(root, paths=[])
    store = ox.Store()
    fetched = {ox.NamedNode(g) for g in wanted}
    store.extend(q for q in local.store if q.graph_name not in fetched)
    sources = {g: p for g, p in local.sources.items() if g not in fetched}
    if wanted:
        store.extend(_fetch(engine, wanted, values_block({"g": [ox.NamedNode(g) for g in wanted]})))
    for graph in fetched:
        store.add_graph(graph)  # graphs the store holds but that are empty here stay declared
    dataset = Dataset(store=store, root=local.root, sources=sources)
    dataset.refresh_derived()  # from what was fetched, whether or not the store holds it
    return dataset


def _fetch(engine: RemoteEngine, wanted: list[str], values: str) -> Iterator[ox.Quad]:
    """The triples of ``wanted`` as quads, streamed; the total checked against the store's own count."""
    counted = engine.select(
        f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ {values} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g", name="triple count"
    )
    expected = sum(int(row[1].value) for row in counted.rows if isinstance(row[1], ox.Literal))
    fetched = 0
    for g, s, p, o in engine.solutions(
        f"SELECT ?g ?s ?p ?o WHERE {{ {values} GRAPH ?g {{ ?s ?p ?o }} }}", name="graph fetch"
    ):
        if not (
            isinstance(g, ox.NamedNode)
            and isinstance(s, ox.NamedNode | ox.BlankNode)
            and isinstance(p, ox.NamedNode)
            and isinstance(o, ox.NamedNode | ox.BlankNode | ox.Literal)
        ):
            raise EndpointError(engine.endpoint, f"answered the graph fetch with an unexpected row ({g} {s} {p} {o})")
        fetched += 1
        yield ox.Quad(s, p, o, g)
    if fetched != expected:
        raise EndpointError(
            engine.endpoint,
            f"returned {fetched} of the {expected} triples in {len(wanted)} graphs: it caps result rows"
            " (Virtuoso: raise [SPARQL] ResultSetMaxRows) — nothing was validated",
        )
