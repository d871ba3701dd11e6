"""Remote validation against a real Oxigraph server (and Virtuoso where a store's limits matter): same
verdict and same focus nodes as validating locally."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from helpers.data import outcome
from helpers.servers import OxigraphServer, VirtuosoServer, free_port, store_server, stored_quads

from claimgraph.cli import main
from claimgraph.errors import EndpointError, GraphNotFoundError, RowCapError
from claimgraph.io.dataset import Dataset, load_dataset
from claimgraph.io.derived import catalog
from claimgraph.namespaces import (
    ARCHIVE_GRAPH,
    CG,
    CGSH,
    CLAIM,
    DERIVED_GRAPH,
    GRAPH,
    ONTOLOGY_GRAPH,
    RDF,
    SHAPES_GRAPH,
)
from claimgraph.stores.remote import expand_graph_name, fetch_dataset
from claimgraph.terms import Term
from claimgraph.validation.api import validate


@pytest.fixture(scope="module")
def bundled_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    server = OxigraphServer(tmp_path_factory.mktemp("bundled"), stored_quads(load_dataset()))
    yield server
    server.stop()


def test_remote_validation_of_the_bundled_data_equals_local(bundled_server: OxigraphServer) -> None:
    local = validate(load_dataset())
    remote = validate(fetch_dataset(bundled_server.url))
    assert outcome(remote) == outcome(local)
    assert remote.counts == local.counts
    assert local.results  # the bundled graph has a warning and infos: the comparison is not vacuous


def test_remote_validation_of_a_mutated_graph_equals_local(
    mutate: Callable[[str], Path], serve: Callable[[list[ox.Quad]], OxigraphServer]
) -> None:
    claim = CLAIM.term("intelligence-community-putin-wants-more")
    quote = "anchor:us-intel-putin-ambitions-beyond-settlement-quote"
    root = mutate(
        f"""DELETE WHERE {{ GRAPH ?g {{ <{claim}> cg:claimant ?c }} }} ;
        DELETE {{ GRAPH ?g {{ {quote} oa:exact ?e }} }} INSERT {{ GRAPH ?g {{ {quote} oa:exact "not the quote" }} }}
        WHERE {{ GRAPH ?g {{ {quote} oa:exact ?e }} }}"""
    )
    dataset = load_dataset(root)
    server = serve(stored_quads(dataset))
    local, remote = validate(dataset), validate(fetch_dataset(server.url, root=root))
    assert outcome(remote) == outcome(local)
    violations = {(shape, focus) for severity, shape, focus, _, _ in outcome(local)[2] if severity == "Violation"}
    assert (CGSH.term("Claim-claimant"), claim) in violations
    assert len({focus for _, focus in violations}) == 2


@pytest.mark.parametrize(
    "update",
    [
        # a class, a predicate and a claimant IRI misspelt; the same archived text under a second document
        "DELETE { GRAPH ?g { ?c a cg:Claim } } INSERT { GRAPH ?g { ?c a cg:Claimm } }"
        " WHERE { GRAPH ?g { ?c a cg:Claim } FILTER (?c = claim:intelligence-community-putin-wants-more) }",
        "DELETE { GRAPH ?g { ?s cg:relayAgent ?a } } INSERT { GRAPH ?g { ?s cg:relayAgentt ?a } }"
        " WHERE { GRAPH ?g { ?s cg:relayAgent ?a } FILTER (?a = actor:reuters) }",
        "DELETE { GRAPH ?g { ?c cg:claimant actor:us-intelligence-agencies } }"
        " INSERT { GRAPH ?g { ?c cg:claimant actor:us-inteligence-agencies } }"
        " WHERE { GRAPH ?g { ?c cg:claimant actor:us-intelligence-agencies } }",
        "INSERT { GRAPH doc:optimism-vs-intelligence { doc:the-article-again ?p ?o } }"
        " WHERE { GRAPH doc:optimism-vs-intelligence { doc:optimism-vs-intelligence ?p ?o } }",
    ],
    ids=["class", "predicate", "reference", "archived-twice"],
)
def test_the_vocabulary_reference_and_archive_checks_give_the_same_results_in_a_store(
    mutate: Callable[[str], Path], serve: Callable[[list[ox.Quad]], OxigraphServer], update: str
) -> None:
    root = mutate(update)
    dataset = load_dataset(root)
    local, remote = validate(dataset), validate(fetch_dataset(serve(stored_quads(dataset)).url, root=root))
    assert outcome(remote) == outcome(local)
    shapes = {shape.rpartition("#")[2] for severity, shape, *_ in outcome(local)[2] if severity == "Violation"}
    assert shapes & {"Vocabulary-class", "Vocabulary-property", "Reference-defined", "SourceDocument-uniqueArchive"}


def test_remote_validation_of_chosen_graphs_equals_local_validation_of_their_files(
    bundled_server: OxigraphServer,
) -> None:
    from claimgraph.project import bundled_data_dir

    local = validate(load_dataset(paths=[bundled_data_dir() / "graph" / "actors.trig"]))
    remote_dataset = fetch_dataset(bundled_server.url, graphs=["graph:actors"])
    assert set(remote_dataset.graphs()) == {GRAPH.actors, ONTOLOGY_GRAPH, SHAPES_GRAPH, ARCHIVE_GRAPH, DERIVED_GRAPH}
    assert outcome(validate(remote_dataset)) == outcome(local)


def test_a_store_without_archived_texts_fails_the_text_checks(
    data_copy: Path, serve: Callable[[list[ox.Quad]], OxigraphServer]
) -> None:
    dataset = load_dataset(data_copy)
    server = serve(stored_quads(dataset, without=(ARCHIVE_GRAPH,)))
    report = validate(fetch_dataset(server.url))
    shapes = {r.shape for r in report.results if r.severity.value == "Violation"}
    assert CGSH.term("SourceDocument-text") in shapes


def test_a_store_without_the_ontology_is_checked_with_the_local_one(
    data_copy: Path, serve: Callable[[list[ox.Quad]], OxigraphServer]
) -> None:
    dataset = load_dataset(data_copy)
    server = serve(stored_quads(dataset, without=(ONTOLOGY_GRAPH,)))
    remote = fetch_dataset(server.url, root=data_copy)
    assert ONTOLOGY_GRAPH in remote.graphs()
    assert outcome(validate(remote)) == outcome(validate(dataset))


def test_a_catalogued_graph_the_store_lacks_is_skipped_unless_asked_for(
    data_copy: Path, serve: Callable[[list[ox.Quad]], OxigraphServer]
) -> None:
    dataset = load_dataset(data_copy)
    server = serve(stored_quads(dataset, without=(ONTOLOGY_GRAPH,)))  # its catalog still names the ontology
    chosen = fetch_dataset(server.url, graphs=["graph:actors"], root=data_copy)
    ontology = ox.NamedNode(ONTOLOGY_GRAPH)
    local = {q for q in dataset.store if q.graph_name == ontology}
    assert {q for q in chosen.store if q.graph_name == ontology} == local
    with pytest.raises(GraphNotFoundError) as caught:
        fetch_dataset(server.url, graphs=[ONTOLOGY_GRAPH], root=data_copy)
    assert caught.value.graph == ONTOLOGY_GRAPH
    assert ONTOLOGY_GRAPH not in caught.value.known and GRAPH.actors in caught.value.known


@pytest.mark.parametrize("store", ["oxigraph", pytest.param("virtuoso", marks=pytest.mark.virtuoso)])
@pytest.mark.parametrize("catalogued", [True, False], ids=["catalog", "no-catalog"])
def test_a_store_of_more_graphs_than_a_query_may_list_is_fetched_whole(
    tmp_path: Path, store: str, catalogued: bool
) -> None:
    """Virtuoso 7.2 refuses a VALUES block of 8,000 graphs (a 10M corpus has 32,474): the fetch names
    them by the catalog, or reads every graph and keeps the data graphs."""
    data = _one_claim_per_graph(8_200)
    with store_server(store, tmp_path, list(data) + (catalog(data) if catalogued else [])) as server:
        fetched = fetch_dataset(server.url)
    assert _fetched_claims(fetched) == set(data)


@pytest.mark.parametrize("store", ["oxigraph", pytest.param("virtuoso", marks=pytest.mark.virtuoso)])
def test_more_graphs_asked_for_than_a_query_may_list_are_fetched_and_no_others(tmp_path: Path, store: str) -> None:
    """5,000 graphs asked for by name, of 8,200: more than one VALUES block names (Virtuoso 7.2 refuses
    6,000), so they are read with every graph and kept."""
    data = _one_claim_per_graph(8_200)
    asked = {f"urn:x:g{i}" for i in range(5_000)}
    with store_server(store, tmp_path, list(data) + catalog(data)) as server:
        fetched = fetch_dataset(server.url, graphs=sorted(asked))
    assert _fetched_claims(fetched) == {q for q in data if q.graph_name.value in asked}


def _one_claim_per_graph(count: int) -> ox.Store:
    """``count`` graphs ``urn:x:g<i>``, each typing one claim."""
    a, claim = ox.NamedNode(RDF.type), ox.NamedNode(CG.Claim)
    data = ox.Store()
    data.extend(ox.Quad(ox.NamedNode(CLAIM.term(f"c{i}")), a, claim, ox.NamedNode(f"urn:x:g{i}")) for i in range(count))
    return data


def _fetched_claims(fetched: Dataset) -> set[ox.Quad]:
    return {q for q in fetched.store if q.graph_name.value.startswith("urn:x:")}


@pytest.mark.virtuoso
def test_a_store_that_caps_the_answer_is_fetched_in_groups_of_graphs(tmp_path: Path) -> None:
    """Virtuoso answers at most 1,048,576 rows over HTTP (a 10M corpus has ten times that): here a cap
    of 2,000 rows for 2,626 triples in 8 graphs, the largest 1,042; a blank node keeps its triples."""
    dataset = load_dataset()
    s, p, q = (ox.NamedNode(f"urn:x:{name}") for name in "spq")
    node, graph = ox.BlankNode(), ox.NamedNode(GRAPH.actors)
    dataset.store.extend([ox.Quad(s, p, node, graph), ox.Quad(node, q, ox.Literal("v"), graph)])
    with VirtuosoServer(tmp_path / "capped", stored_quads(dataset), max_rows=2_000) as server:
        fetched = fetch_dataset(server.url)
    assert outcome(validate(fetched)) == outcome(validate(dataset))
    (inner,) = fetched.store.quads_for_pattern(s, p, None, graph)
    assert isinstance(inner.object, ox.BlankNode)
    assert [t.object for t in fetched.store.quads_for_pattern(inner.object, q, None, graph)] == [ox.Literal("v")]
    with VirtuosoServer(tmp_path / "small", stored_quads(dataset), max_rows=1_000) as server, pytest.raises(
        RowCapError
    ) as caught:
        fetch_dataset(server.url)
    assert caught.value.cap == 1_000


def test_cli_remote_validation_prints_what_local_validation_prints(bundled_server: OxigraphServer) -> None:
    runner = CliRunner()
    local = runner.invoke(main, ["validate", "--format", "json"])
    remote = runner.invoke(main, ["validate", "--endpoint", bundled_server.url, "--format", "json"])
    expected = json.loads(local.output)
    # the same results, but the data in a store has no files, so no result names a file and line
    assert all("file" in r and "line" in r for r in expected["results"])
    for result in expected["results"]:
        del result["file"], result["line"]
    assert (remote.exit_code, json.loads(remote.output)) == (local.exit_code, expected)
    allowed = runner.invoke(main, ["validate", "--endpoint", bundled_server.url, "--allow-warnings"])
    assert allowed.exit_code == 0


def test_cli_remote_sarif_names_focus_nodes_without_files(bundled_server: OxigraphServer) -> None:
    result = CliRunner().invoke(main, ["validate", "--endpoint", bundled_server.url, "--format", "sarif"])
    document = json.loads(result.output)
    (warning,) = [r for r in document["runs"][0]["results"] if r["level"] == "warning"]
    assert warning["locations"] == [
        {
            "logicalLocations": [
                {
                    "name": "claim:anonymous-source-review-late-september",
                    "fullyQualifiedName": CLAIM.term("anonymous-source-review-late-september"),
                    "kind": "resource",
                }
            ]
        }
    ]


def test_unknown_graph_is_one_line_naming_the_endpoint_exit_2(bundled_server: OxigraphServer) -> None:
    result = CliRunner().invoke(main, ["validate", "--endpoint", bundled_server.url, "--graph", "graph:nope"])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"Error: endpoint {bundled_server.url}: no named graph <{GRAPH.nope}> (it holds: "
        + ", ".join(f"<{g}>" for g in sorted(load_dataset().graphs()) if g != SHAPES_GRAPH)
        + ")"
    ]


def test_unreachable_endpoint_is_one_line_exit_2() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    result = CliRunner().invoke(main, ["validate", "--endpoint", url])
    assert result.exit_code == 2
    assert result.output.splitlines() == [f"Error: endpoint {url}: cannot connect: Connection refused"]


def test_wrong_endpoint_path_is_one_line_exit_2(bundled_server: OxigraphServer) -> None:
    url = bundled_server.url.replace("/query", "/nothing-here")
    result = CliRunner().invoke(main, ["validate", "--endpoint", url])
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line.startswith(f"Error: endpoint {url}: ")


def test_endpoint_excludes_paths_and_graph_and_fetch_need_endpoint() -> None:
    runner = CliRunner()
    both = runner.invoke(main, ["validate", "graph", "--endpoint", "http://127.0.0.1:9/query"])
    assert both.exit_code == 2
    expected = "Error: PATHS and --endpoint exclude each other: the data comes from the endpoint."
    assert both.output.splitlines()[-1] == expected
    for option in (["--graph", "graph:actors"], ["--fetch"]):
        alone = runner.invoke(main, ["validate", *option])
        assert alone.exit_code == 2
        assert alone.output.splitlines()[-1] == "Error: --graph and --fetch need --endpoint."


def test_a_store_that_caps_results_is_an_error_not_a_partial_check(
    bundled_server: OxigraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimgraph.sparql.engines import RemoteEngine

    original = RemoteEngine.solutions

    def capped(self: RemoteEngine, query: str, **kwargs: str) -> Iterator[tuple[Term | None, ...]]:
        # A store that stops after 1,000 rows without saying so (no X-SPARQL-MaxRows header).
        return itertools.islice(original(self, query, **kwargs), 1000)

    monkeypatch.setattr(RemoteEngine, "solutions", capped)
    with pytest.raises(EndpointError, match=r"returned 1000 of the \d+ triples in \d+ graphs: it caps result rows"):
        fetch_dataset(bundled_server.url)


def test_graph_names_are_iris_or_curies(bundled_server: OxigraphServer) -> None:
    assert expand_graph_name("graph:actors") == GRAPH.actors
    assert expand_graph_name(GRAPH.actors) == GRAPH.actors
    assert expand_graph_name("urn:x:y") == "urn:x:y"
    with pytest.raises(GraphNotFoundError) as caught:
        fetch_dataset(bundled_server.url, graphs=["urn:x:y"])
    assert caught.value.graph == "urn:x:y"
    assert GRAPH.actors in caught.value.known
