"""Shared fixtures: a private copy of the bundled data that tests may mutate."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from claimgraph.dataset import bundled_data_dir, load_dataset
from claimgraph.namespaces import PREFIXES, sparql_prefixes

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the bundled ontology/ and graph/ in a temporary data directory."""
    root = tmp_path / "data"
    for part in ("ontology", "graph"):
        shutil.copytree(bundled_data_dir() / part, root / part)
    return root


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


@pytest.fixture
def mutate(data_copy: Path) -> Callable[[str], Path]:
    """Apply a SPARQL Update to the data copy; returns its root."""

    def apply(update: str) -> Path:
        rewrite(data_copy, update)
        return data_copy

    return apply
