"""The repository root and rewriting a copy of the bundled data through SPARQL Update."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from claimgraph.io.dataset import load_dataset
from claimgraph.namespaces import PREFIXES, sparql_prefixes

REPO = Path(__file__).resolve().parents[2]


def rewrite(root: Path, update: str) -> None:
    """Apply a SPARQL Update to the data under ``root`` and write every graph file back.

    Mutating through SPARQL and re-serialising keeps tests independent of how the files are laid out.
    """
    dataset = load_dataset(root)
    dataset.store.update(sparql_prefixes() + update)
    graph_dir = (root / "graph").resolve()
    by_file: dict[Path, list[ox.Quad]] = {}
    for graph, path in dataset.sources.items():
        if path.resolve().is_relative_to(graph_dir):
            by_file.setdefault(path, []).extend(dataset.store.quads_for_pattern(None, None, None, graph))
    for path, quads in by_file.items():
        path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=dict(PREFIXES)))
