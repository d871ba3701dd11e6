"""Validate the data a SPARQL store holds where it is: the compiled shapes run as queries in the store.

:func:`validate_endpoint` validates in the store whenever that gives what a fetch would
(:func:`~claimgraph.stores.remote.fetch_dataset`, then validation here), unless asked to fetch, and
fetches otherwise:

- every graph is validated (graphs chosen by name are a union the store cannot be asked for cheaply:
  a long list of graphs is refused by Virtuoso 7.2);
- the store was filled by ``claimgraph load``: its catalog names the data graphs, and it holds the
  ontology graph (a fetch uses the store's ontology, and the local one only where the store has none);
- the engine is not the reference one, and every shape runs as SPARQL alone: pySHACL (for a shape the
  compiler cannot express, or the generic message of a shape without ``sh:message``) needs the data here;
- no result lands on a blank node: a query cannot name a store's blank node, so the triples that
  describe it (which the report graph copies) can only be fetched.

In the store, the default graph is the union of its graphs, as every canned query sees it; a result
whose focus node no data graph holds (Virtuoso's default graph has its own system graphs too) is
dropped. The counts, the suggestions and junit's list of checked nodes are asked of the store; the
shapes, their messages and their files come from the local data directory, as with a fetch. The
store's own derived graph is used as it was loaded: no shape reads its relations.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from claimgraph.io.dataset import Dataset, load_dataset
from claimgraph.namespaces import ONTOLOGY_GRAPH, SHAPES_GRAPH
from claimgraph.sparql.engines import RemoteEngine
from claimgraph.stores.remote import fetch_dataset
from claimgraph.validation.api import ValidationReport, validate
from claimgraph.validation.compiler import UnsupportedShapesError

__all__ = ["stored_dataset", "validate_endpoint"]


def validate_endpoint(
    endpoint: str,
    *,
    graphs: Sequence[str] | None = None,
    root: Path | None = None,
    timeout: float = 60.0,
    engine: str = "auto",
    fetch: bool = False,
) -> tuple[ValidationReport, Dataset]:
    """Validate the named graphs of a SPARQL endpoint: in the store where it can, else fetched here.

    :param endpoint: the SPARQL 1.1 query endpoint.
    :param graphs: the graphs to check (IRIs or CURIEs); ``None`` for every data graph.
    :param root: the data directory supplying the shapes (default: the bundled data).
    :param timeout: seconds to wait for each answer.
    :param engine: as :func:`~claimgraph.validation.validate`.
    :param fetch: fetch the graphs even where they could be validated in the store (faster where the
        store reads out its triples fast and runs queries slower than Oxigraph here, e.g. Oxigraph
        server; the data is then held here whole).
    :returns: the report, and the dataset it was made from (for :func:`~claimgraph.validation.report_context`).
    :raises EndpointError: if the endpoint cannot be reached or fails.
    :raises GraphNotFoundError: if a graph asked for is not in the store.
    :raises UnsupportedShapesError: with ``engine="fast"``, if a shape needs pySHACL.
    """
    if not fetch and not graphs and engine in ("auto", "fast"):
        stored = stored_dataset(endpoint, root=root, timeout=timeout)
        if stored is not None:
            try:
                report = validate(stored, engine=engine)
            except UnsupportedShapesError:
                pass  # pySHACL needs the data here (the fast engine too, for a shape without sh:message)
            else:
                if not report.on_blank_nodes():
                    return report, stored
    fetched = fetch_dataset(endpoint, graphs=graphs, root=root, timeout=timeout)
    return validate(fetched, engine=engine), fetched


def stored_dataset(endpoint: str, *, root: Path | None = None, timeout: float = 60.0) -> Dataset | None:
    """The data of ``endpoint`` as a dataset that stays in the store (:attr:`Dataset.remote`), with the
    local shapes; ``None`` if the store has no catalog of a load or no ontology graph.

    :raises EndpointError: if the endpoint cannot be reached or fails.
    """
    remote = RemoteEngine(endpoint, timeout=timeout)
    if not remote.catalogued:
        return None
    has_ontology = remote.select(f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}", name="ontology lookup")
    if not has_ontology.boolean:
        return None
    local = load_dataset(root, paths=[])
    shapes = ox.NamedNode(SHAPES_GRAPH)
    store = ox.Store()
    store.extend(local.store.quads_for_pattern(None, None, None, shapes))
    sources = {g: p for g, p in local.sources.items() if g == shapes}
    return Dataset(store=store, root=local.root, sources=sources, remote=remote)
