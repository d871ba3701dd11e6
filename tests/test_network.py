"""Network analysis on fixture graphs with known answers, file round trips, the bundled graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner

from claimgraph.cli import main
from claimgraph.io.dataset import load_dataset
from claimgraph.namespaces import ACTOR, CLAIM, DOC, PROP
from claimgraph.queries.contradictions import find_contradictions
from claimgraph.site.network import (
    GRAPH_FORMATS,
    VIEWS,
    actor_centrality,
    actor_graph,
    build_view,
    contradiction_graph,
    corroboration,
    lineage_graph,
    most_contradicted,
    read_graph,
    single_origin_claims,
    write_graph,
)
from claimgraph.sparql.engines import EmbeddedEngine

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "resources" / "network"
QUERIES = REPO / "queries"


def engine_for(name: str) -> EmbeddedEngine:
    return EmbeddedEngine(load_dataset(REPO, paths=[FIXTURES / name]))


@pytest.fixture(scope="module")
def bundled() -> EmbeddedEngine:
    return EmbeddedEngine(load_dataset(REPO))


def test_two_outlets_republishing_one_wire_report_are_one_origin() -> None:
    lineage = lineage_graph(engine_for("lineage.trig"))
    by_prop = {(c.proposition, c.stance): c for c in corroboration(lineage)}
    wire = by_prop[PROP.term("wire-story"), "affirms"]
    assert len(wire.claims) == 4
    # Papers One and Two via the wire report, Paper Three's report a declared copy of it: one origin;
    # Paper Four in its own voice: a second.
    assert wire.origins == (DOC.term("paper-four"), DOC.term("wire-report"))
    assert lineage.origins(DOC.term("paper-three-report")) == {DOC.term("wire-report")}


def test_circular_sourcing_is_one_origin_and_reported() -> None:
    lineage = lineage_graph(engine_for("lineage.trig"))
    assert [(c.nodes, c.relations) for c in lineage.cycles] == [
        ((DOC.term("report-x"), DOC.term("report-y")), ("derived-from", "derived-from"))
    ]
    echo = next(c for c in corroboration(lineage) if c.proposition == PROP.echo)
    assert echo.origins == (f"{DOC.term('report-x')} + {DOC.term('report-y')}",)
    assert single_origin_claims(lineage) == [
        (CLAIM.term("echo-x"), echo.origins[0]),
        (CLAIM.term("echo-y"), echo.origins[0]),
        (CLAIM.lonely, DOC.term("paper-one")),
    ]


def test_lineage_edges() -> None:
    graph = lineage_graph(engine_for("lineage.trig")).graph
    edges = {(u, v, k) for u, v, k in graph.edges(keys=True)}
    assert (DOC.term("paper-one"), DOC.term("wire-report"), "cites") in edges
    assert (DOC.term("paper-one"), DOC.term("wire-report"), "relays") in edges
    # Paper Two's chain: the document from the report furthest from the claimant, that from the nearer one.
    assert (DOC.term("paper-two"), DOC.term("paper-three-report"), "relays") in edges
    assert (DOC.term("paper-three-report"), DOC.term("wire-report"), "relays") in edges
    assert graph.nodes[DOC.term("wire-report")]["kind"] == "cited-source"
    assert graph.nodes[DOC.term("paper-two")]["kind"] == "document"


def test_centrality_order() -> None:
    found = find_contradictions(engine_for("centrality.trig"), QUERIES)
    assert {c.kind for c in found} == {"direct-opposition"}
    network = contradiction_graph(found)
    assert network.number_of_edges() == 4
    ranked = actor_centrality(network)
    assert [(a.actor, a.degree, a.betweenness) for a in ranked] == [
        (ACTOR.b, 3, pytest.approx(5 / 6, abs=1e-6)),
        (ACTOR.c, 2, pytest.approx(3 / 6, abs=1e-6)),
        (ACTOR.a, 1, 0.0),
        (ACTOR.d, 1, 0.0),
        (ACTOR.e, 1, 0.0),
    ]
    assert next((p.proposition, p.contradictions) for p in most_contradicted(found)) == (PROP.q2, 2)


def _edges(graph: Any) -> list[tuple[Any, ...]]:
    return sorted((u, v, k, tuple(sorted(d.items()))) for u, v, k, d in graph.edges(keys=True, data=True))


def _canonical(graph: Any) -> tuple[Any, ...]:
    """Nodes with attributes and edges with keys and attributes; undirected ends in a fixed order."""
    edges = _edges(graph)
    if not graph.is_directed():
        edges = sorted((*sorted((u, v)), k, d) for u, v, k, d in edges)
    return graph.is_directed(), dict(graph.nodes(data=True)), edges


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
@pytest.mark.parametrize("view", VIEWS)
def test_files_read_back_equal(bundled: EmbeddedEngine, tmp_path: Path, view: str, fmt: str) -> None:
    graph, _ = build_view(bundled, view, QUERIES)
    path = tmp_path / f"graph.{fmt}"
    path.write_bytes(write_graph(graph, fmt))
    again = read_graph(path, fmt)
    assert graph.number_of_nodes() > 0
    assert _canonical(again) == _canonical(graph)
    for _, data in graph.nodes(data=True):
        assert all(isinstance(v, str | int | float | bool) for v in data.values())


def test_fixture_lineage_graphml_round_trip(tmp_path: Path) -> None:
    graph = lineage_graph(engine_for("lineage.trig")).graph
    for fmt in ("graphml", "gexf"):
        path = tmp_path / f"lineage.{fmt}"
        path.write_bytes(write_graph(graph, fmt))
        assert _canonical(read_graph(path, fmt)) == _canonical(graph)
    # Gephi and Cytoscape read plain GraphML too: a plain networkx read sees the same nodes.
    assert set(nx.read_graphml(tmp_path / "lineage.graphml").nodes) == set(graph.nodes)


def test_bundled_actor_graph(bundled: EmbeddedEngine) -> None:
    graph = actor_graph(bundled)
    assert graph.nodes[ACTOR.term("us-intelligence-agencies")]["kind"] == "actor"
    assert graph.has_edge(ACTOR.term("us-intelligence-agencies"), CLAIM.term("us-intel-rejects-no-threat"), "asserts")
    edge = graph.edges[ACTOR.term("us-intelligence-agencies"), CLAIM.term("us-intel-rejects-no-threat"), "asserts"]
    assert edge["stance"] == "denies"
    assert graph.has_edge(
        CLAIM.term("us-intel-rejects-no-threat"), PROP.term("russia-poses-no-threat-to-europe"), "proposition"
    )
    assert graph.has_edge(DOC.term("optimism-vs-intelligence"), DOC.term("reuters-reporting"), "cites")
    assert graph.has_edge(CLAIM.term("us-intel-putin-ambitions-beyond-settlement"), ACTOR.reuters, "relayed-by:1")


def test_bundled_contradiction_network(bundled: EmbeddedEngine) -> None:
    network = contradiction_graph(find_contradictions(bundled, QUERIES))
    assert network.has_edge(ACTOR.term("russian-government"), ACTOR.term("us-intelligence-agencies"))
    strongest = {k for _, _, k in network.edges(data="kind")}
    found_by = {k for _, _, ks in network.edges(data="kinds") for k in ks.split("; ")}
    assert {"direct-opposition", "incompatible-positions", "position-against-proposal"} <= strongest
    assert (
        "public-line-vs-intelligence" in found_by - strongest
    )  # the pair is listed once, as incompatible propositions
    # Trump and his envoys: against U.S. intelligence's assessment, its analysts' and the intelligence community's.
    assert actor_centrality(network)[0].actor == ACTOR.term("trump-and-envoys")


def test_bundled_lineage(bundled: EmbeddedEngine) -> None:
    lineage = lineage_graph(bundled)
    assert lineage.cycles == []
    assert lineage.graph.has_edge(DOC.term("optimism-vs-intelligence"), DOC.term("reuters-reporting"), "relays")
    claims = dict(single_origin_claims(lineage))
    assert claims[CLAIM.term("trump-envoys-moscow-seeks-end-of-war")] == DOC.term("reuters-reporting")


def test_cli_text_and_files(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["network", "--view", "lineage", "--data", str(REPO)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Source lineage: ")
    assert "Circular sourcing: none" in result.output
    result = runner.invoke(main, ["network", "--view", "contradictions"])
    assert result.exit_code == 0, result.output
    assert "Actors by contradictions (degree), then betweenness:" in result.output
    out = tmp_path / "c.graphml"
    result = runner.invoke(main, ["network", "--view", "contradictions", "-f", "graphml", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert read_graph(out, "graphml").number_of_edges() >= 6
    result = runner.invoke(main, ["network", "--view", "nope"])
    assert result.exit_code == 2
    assert "Example:" in runner.invoke(main, ["network", "--help"]).output


def test_remote_engine_builds_the_same_graphs(tmp_path: Path, bundled: EmbeddedEngine) -> None:
    from helpers.servers import OxigraphServer, stored_quads

    from claimgraph.sparql.engines import RemoteEngine

    server = OxigraphServer(tmp_path, stored_quads(bundled.dataset))
    try:
        remote = RemoteEngine(server.url)
        for view in VIEWS:
            local_graph, local_text = build_view(bundled, view, QUERIES)
            remote_graph, remote_text = build_view(remote, view, QUERIES)
            assert _canonical(remote_graph) == _canonical(local_graph), view
            assert remote_text == local_text
    finally:
        server.stop()
