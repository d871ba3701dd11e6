"""Any RDF files against any SHACL shapes: a dataset of the files alone, its shapes kept apart.

What ``claimgraph validate --shapes`` reads: nothing of claimgraph's own comes in (no ontology, no
archive graph), and the quads are kept as the files write them beside the store, for the reference
engine and for the values the reports show (the store canonicalises numbers, booleans and times).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from claimgraph.errors import InputError
from claimgraph.io.dataset import Dataset, expand_paths, load_file, parse_file, refuse_federated
from claimgraph.namespaces import SHAPES_GRAPH

__all__ = ["load_files"]


def load_files(paths: Sequence[Path], *, shapes: Sequence[Path]) -> Dataset:
    """Load RDF files, and SHACL shapes from other files kept apart from them, as SHACL keeps the shapes
    graph and the data graph (a file given as both is read as both).

    :param paths: data files or directories (every RDF file below them).
    :param shapes: files or directories of shapes; all of them make one shapes graph.
    :raises InputError: if a file cannot be read or parsed, naming file and line, or no shapes file is given.
    :raises DuplicateGraphError: if two data files define the same named graph.

    Relative IRIs resolve against each file's own ``file:`` IRI, as RDF resolves them against the
    document's address (claimgraph's own data refuses them: its IRIs must not depend on a checkout).
    """
    shape_files = expand_paths(shapes)
    if not shape_files:
        raise InputError(Path(*shapes[:1]) if shapes else Path("."), "no RDF file of shapes in it")
    dataset = Dataset(store=ox.Store(), root=Path.cwd(), written=[])
    for path in expand_paths(paths):
        dataset.written.extend(load_file(dataset, path, base_iri=_base(path)))  # type: ignore[union-attr]
    graph = ox.NamedNode(SHAPES_GRAPH)
    dataset.shapes, dataset.shapes_written = ox.Store(), []
    for path in shape_files:
        quads = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in parse_file(path, base_iri=_base(path))]
        dataset.shapes.extend(quads)
        dataset.shapes_written.extend(quads)
        refuse_federated(dataset.shapes, path)
    dataset.shape_sources = shape_files
    return dataset


def _base(path: Path) -> str:
    return path.resolve().as_uri()
