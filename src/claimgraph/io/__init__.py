"""Reading and writing data: the loader and its guards, source positions, export, atomic writes.

Owns everything that touches the data directory's files: :func:`load_dataset` (one Oxigraph store,
one named graph per document, the archived texts in ``graph:archive``), :func:`load_files` (any RDF
files, with SHACL shapes kept apart), :class:`SourcePosition`
(file:line of a node or triple), :func:`serialize` (deterministic export), :func:`write_atomic`, and in
:mod:`claimgraph.io.reading` the checks and one-line errors of reading a file.
May import the base modules and :mod:`claimgraph.sparql` (its lexer refuses federated shapes).
"""

from claimgraph.io.atomic import write_atomic
from claimgraph.io.dataset import Dataset, data_files, load_dataset
from claimgraph.io.export import dataset_quads, serialize
from claimgraph.io.positions import SourcePosition
from claimgraph.io.standalone import load_files

__all__ = [
    "Dataset",
    "SourcePosition",
    "data_files",
    "dataset_quads",
    "load_dataset",
    "load_files",
    "serialize",
    "write_atomic",
]
