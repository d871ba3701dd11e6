"""The repository root, rewriting a copy of the bundled data through SPARQL Update, and what results
are compared by."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox

from claimgraph.io.dataset import load_dataset
from claimgraph.namespaces import PREFIXES, sparql_prefixes
from claimgraph.validation.api import ValidationReport

REPO = Path(__file__).resolve().parents[2]

Outcome = tuple[bool, bool, set[tuple[str, str, str, str | None, str | None]]]


def outcome(report: ValidationReport) -> Outcome:
    """A validation's verdicts (with and without warnings allowed) and its results, without positions
    (data fetched from a store has no files)."""
    results = {(r.severity.value, r.shape, r.focus, r.path, r.value) for r in report.results}
    return report.passes(allow_warnings=False), report.passes(allow_warnings=True), results


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


def without_positions(contradictions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The JSON of contradictions with the chains' file and line blanked, as an endpoint gives them
    (a store holds no files to place a statement in)."""
    for contradiction in contradictions:
        for reason in contradiction["reasons"]:
            for link in reason["chain"]:
                link.update(file=None, line=None)
    return contradictions
