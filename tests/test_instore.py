"""Validation inside a real store (Oxigraph server), and when it fetches instead: same results as here."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from helpers.data import outcome
from helpers.servers import OxigraphServer, stored_quads

from claimgraph.io.dataset import Dataset, load_dataset
from claimgraph.namespaces import CG, DERIVED_GRAPH, GRAPH, ONTOLOGY_GRAPH, RDF
from claimgraph.project import bundled_data_dir
from claimgraph.stores import instore
from claimgraph.stores.instore import validate_endpoint
from claimgraph.stores.remote import fetch_dataset
from claimgraph.validation.api import validate
from claimgraph.validation.compiler import UnsupportedShapesError
from claimgraph.validation.render import report_context


@pytest.fixture
def fetches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The endpoints whose graphs are fetched from now on."""
    called: list[str] = []

    def recording(endpoint: str, **kwargs: Any) -> Dataset:
        called.append(endpoint)
        return fetch_dataset(endpoint, **kwargs)

    monkeypatch.setattr(instore, "fetch_dataset", recording)
    return called


def test_every_graph_of_a_loaded_store_is_validated_in_the_store_without_fetching(
    serve: Callable[[list[ox.Quad]], OxigraphServer], fetches: list[str]
) -> None:
    data = load_dataset()
    server = serve(stored_quads(data))
    report, dataset = validate_endpoint(server.url)
    assert dataset.remote is not None and not fetches
    local = validate(data)
    assert local.results and report.results == local.results
    assert report.counts == local.counts
    # junit's passing test cases: the nodes each shape checked, asked of the store
    here, there = (report_context(d, r, root=Path.cwd()).checks for d, r in ((data, local), (dataset, report)))
    assert there == here and sum(map(len, there.values())) > 100


@pytest.mark.parametrize(
    ("without", "options"),
    [
        ((), {"graphs": ["graph:actors"]}),
        ((ONTOLOGY_GRAPH,), {}),
        ((DERIVED_GRAPH,), {}),
        ((), {"engine": "reference"}),
        ((), {"fetch": True}),
    ],
    ids=["graphs-chosen", "no-ontology", "no-catalog", "reference-engine", "fetch-asked"],
)
def test_the_graphs_are_fetched_where_the_store_cannot_give_what_a_fetch_gives(
    serve: Callable[[list[ox.Quad]], OxigraphServer],
    fetches: list[str],
    without: tuple[str, ...],
    options: dict[str, Any],
) -> None:
    """Chosen graphs; a store without the ontology (a fetch checks with the local one) or without a
    load's catalog; the reference engine, which needs the data here; a fetch asked for."""
    server = serve(stored_quads(load_dataset(), without=without))
    report, dataset = validate_endpoint(server.url, **options)
    assert dataset.remote is None and fetches
    graphs, engine = options.get("graphs"), options.get("engine", "auto")
    expected = validate(fetch_dataset(server.url, graphs=graphs), engine=engine)
    assert outcome(report) == outcome(expected) and report.counts == expected.counts
    if graphs is None:
        assert outcome(report) == outcome(validate(load_dataset()))


def shapes_root(tmp_path: Path, shape: str) -> Path:
    """A copy of the bundled data whose shapes also have ``shape`` (Turtle, the shapes' prefixes)."""
    root = tmp_path / "data"
    shutil.copytree(bundled_data_dir() / "ontology", root / "ontology")
    shutil.copytree(bundled_data_dir() / "graph", root / "graph")
    shapes = root / "ontology" / "shapes.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8") + shape, encoding="utf-8")
    return root


@pytest.mark.parametrize("engine", ["auto", "fast"])
def test_a_shape_without_message_is_validated_on_the_fetched_data(
    tmp_path: Path, serve: Callable[[list[ox.Quad]], OxigraphServer], fetches: list[str], engine: str
) -> None:
    """pySHACL's generic message describes nodes from the data: fetched, as before, with either engine."""
    root = shapes_root(
        tmp_path, "<https://example.org/no-claimant> a sh:PropertyShape ; sh:targetClass cg:Claim ;"
        " sh:path cg:claimant ; sh:maxCount 0 .\n"
    )
    data = load_dataset(root)
    server = serve(stored_quads(data))
    report, dataset = validate_endpoint(server.url, root=root, engine=engine)
    assert dataset.remote is None and fetches
    assert report.results == validate(fetch_dataset(server.url, root=root), engine=engine).results
    assert outcome(report) == outcome(validate(data, engine=engine))
    assert any(r.shape == "https://example.org/no-claimant" and r.message for r in report.results)


def test_a_shape_the_compiler_cannot_express_is_validated_by_pyshacl_on_the_fetched_data(
    tmp_path: Path, serve: Callable[[list[ox.Quad]], OxigraphServer], fetches: list[str]
) -> None:
    """With the fast engine it is an error naming the shape."""
    root = shapes_root(
        tmp_path, "<https://example.org/own-message> a sh:NodeShape ; sh:targetClass cg:Claim ;"
        ' sh:sparql [ a sh:SPARQLConstraint ; sh:message "own" ;'
        ' sh:select "SELECT $this WHERE { $this a ?t }" ] .\n'
    )
    data = load_dataset(root)
    server = serve(stored_quads(data))
    report, dataset = validate_endpoint(server.url, root=root)
    assert dataset.remote is None and fetches
    assert outcome(report) == outcome(validate(data))
    assert any(r.shape == "https://example.org/own-message" for r in report.results)
    with pytest.raises(UnsupportedShapesError, match="own-message"):
        validate_endpoint(server.url, root=root, engine="fast")


def test_a_result_on_a_blank_node_is_validated_on_the_fetched_data(
    serve: Callable[[list[ox.Quad]], OxigraphServer], fetches: list[str]
) -> None:
    """A query cannot name a store's blank node, so what the report says of it is fetched."""
    blank = ox.Quad(ox.BlankNode(), ox.NamedNode(RDF.type), ox.NamedNode(CG.Claim), ox.NamedNode(GRAPH.actors))
    server = serve([*stored_quads(load_dataset()), blank])
    report, dataset = validate_endpoint(server.url)
    assert dataset.remote is None and fetches
    assert report.on_blank_nodes()
    assert outcome(report) == outcome(validate(fetch_dataset(server.url)))
