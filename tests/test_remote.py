"""Remote validation against a real Oxigraph server: same verdict and same focus nodes as validating locally."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from claimgraph.cli import main
from claimgraph.dataset import Dataset, load_dataset
from claimgraph.errors import EndpointError, GraphNotFoundError
from claimgraph.namespaces import ARCHIVE_GRAPH, CGSH, CLAIM, GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH
from claimgraph.remote import expand_graph_name, fetch_dataset
from claimgraph.validate import ValidationReport, validate

Outcome = tuple[bool, bool, set[tuple[str, str, str, str | None, str | None]]]


def oxigraph_binary() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if found is None:
        pytest.skip("the oxigraph server binary (PyPI package 'oxigraph') is not installed")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """An Oxigraph server on a database loaded from a dataset's quads (the shapes graph left out)."""

    def __init__(self, directory: Path, quads: list[ox.Quad]) -> None:
        binary = oxigraph_binary()
        dump = directory / "dump.nq"
        ox.serialize(quads, output=dump, format=ox.RdfFormat.N_QUADS)
        location = directory / "db"
        load = [binary, "load", "--location", str(location), "--file", str(dump)]
        subprocess.run(load, check=True, capture_output=True)
        self.port = free_port()
        self.process = subprocess.Popen(
            [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}/query"
        self._wait()

    def _wait(self, deadline: float = 20.0) -> None:
        stop = time.monotonic() + deadline
        while time.monotonic() < stop:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(self.url + "?query=ASK%7B%7D", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"oxigraph did not answer at {self.url}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def stored_quads(dataset: Dataset, *, without: tuple[str, ...] = ()) -> list[ox.Quad]:
    """What `claimgraph load` would put in a store: every graph but the shapes (and ``without``)."""
    skip = {ox.NamedNode(g) for g in (SHAPES_GRAPH, *without)}
    return [q for q in dataset.store if q.graph_name not in skip]


@pytest.fixture(scope="module")
def bundled_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(tmp_path_factory.mktemp("bundled"), stored_quads(load_dataset()))
    yield server
    server.stop()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[list[ox.Quad]], Server]]:
    started: list[Server] = []

    def start(quads: list[ox.Quad]) -> Server:
        directory = tmp_path / f"server-{len(started)}"
        directory.mkdir()
        started.append(Server(directory, quads))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def outcome(report: ValidationReport) -> Outcome:
    results = {(r.severity.value, r.shape, r.focus, r.path, r.value) for r in report.results}
    return report.passes(allow_warnings=False), report.passes(allow_warnings=True), results


def test_remote_validation_of_the_bundled_data_equals_local(bundled_server: Server) -> None:
    local = validate(load_dataset())
    remote = validate(fetch_dataset(bundled_server.url))
    assert outcome(remote) == outcome(local)
    assert remote.counts == local.counts
    assert local.results  # the bundled graph has a warning and infos: the comparison is not vacuous


def test_remote_validation_of_a_mutated_graph_equals_local(
    mutate: Callable[[str], Path], serve: Callable[[list[ox.Quad]], Server]
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


def test_remote_validation_of_chosen_graphs_equals_local_validation_of_their_files(bundled_server: Server) -> None:
    from claimgraph.dataset import bundled_data_dir

    local = validate(load_dataset(paths=[bundled_data_dir() / "graph" / "actors.trig"]))
    remote_dataset = fetch_dataset(bundled_server.url, graphs=["graph:actors"])
    assert set(remote_dataset.graphs()) == {GRAPH.actors, ONTOLOGY_GRAPH, SHAPES_GRAPH, ARCHIVE_GRAPH}
    assert outcome(validate(remote_dataset)) == outcome(local)


def test_a_store_without_archived_texts_fails_the_text_checks(
    data_copy: Path, serve: Callable[[list[ox.Quad]], Server]
) -> None:
    dataset = load_dataset(data_copy)
    server = serve(stored_quads(dataset, without=(ARCHIVE_GRAPH,)))
    report = validate(fetch_dataset(server.url))
    shapes = {r.shape for r in report.results if r.severity.value == "Violation"}
    assert CGSH.term("SourceDocument-text") in shapes


def test_a_store_without_the_ontology_is_checked_with_the_local_one(
    data_copy: Path, serve: Callable[[list[ox.Quad]], Server]
) -> None:
    dataset = load_dataset(data_copy)
    server = serve(stored_quads(dataset, without=(ONTOLOGY_GRAPH,)))
    remote = fetch_dataset(server.url, root=data_copy)
    assert ONTOLOGY_GRAPH in remote.graphs()
    assert outcome(validate(remote)) == outcome(validate(dataset))


def test_cli_remote_validation_prints_what_local_validation_prints(bundled_server: Server) -> None:
    runner = CliRunner()
    local = runner.invoke(main, ["validate", "--format", "json"])
    remote = runner.invoke(main, ["validate", "--endpoint", bundled_server.url, "--format", "json"])
    assert (remote.exit_code, json.loads(remote.output)) == (local.exit_code, json.loads(local.output))
    allowed = runner.invoke(main, ["validate", "--endpoint", bundled_server.url, "--allow-warnings"])
    assert allowed.exit_code == 0


def test_cli_remote_sarif_names_focus_nodes_without_files(bundled_server: Server) -> None:
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


def test_unknown_graph_is_one_line_naming_the_endpoint_exit_2(bundled_server: Server) -> None:
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


def test_wrong_endpoint_path_is_one_line_exit_2(bundled_server: Server) -> None:
    url = bundled_server.url.replace("/query", "/nothing-here")
    result = CliRunner().invoke(main, ["validate", "--endpoint", url])
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line.startswith(f"Error: endpoint {url}: ")


def test_endpoint_excludes_paths_and_graph_needs_endpoint() -> None:
    runner = CliRunner()
    both = runner.invoke(main, ["validate", "graph", "--endpoint", "http://127.0.0.1:9/query"])
    assert both.exit_code == 2
    expected = "Error: PATHS and --endpoint exclude each other: the data comes from the endpoint."
    assert both.output.splitlines()[-1] == expected
    alone = runner.invoke(main, ["validate", "--graph", "graph:actors"])
    assert alone.exit_code == 2
    assert alone.output.splitlines()[-1] == "Error: --graph needs --endpoint."


def test_a_store_that_caps_results_is_an_error_not_a_partial_check(
    bundled_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimgraph.stores import QueryResults, RemoteEngine

    original = RemoteEngine.select

    def capped(self: RemoteEngine, query: str, **kwargs: object) -> QueryResults:
        answer = original(self, query, **kwargs)  # type: ignore[arg-type]
        if kwargs.get("name") == "graph fetch":
            document = json.loads(answer.document)
            document["results"]["bindings"] = document["results"]["bindings"][:1000]
            return QueryResults.from_json(json.dumps(document).encode("utf-8"))
        return answer

    monkeypatch.setattr(RemoteEngine, "select", capped)
    with pytest.raises(EndpointError, match=r"returned 1000 of the \d+ triples in \d+ graphs: it caps result rows"):
        fetch_dataset(bundled_server.url)


def test_graph_names_are_iris_or_curies(bundled_server: Server) -> None:
    assert expand_graph_name("graph:actors") == GRAPH.actors
    assert expand_graph_name(GRAPH.actors) == GRAPH.actors
    assert expand_graph_name("urn:x:y") == "urn:x:y"
    with pytest.raises(GraphNotFoundError) as caught:
        fetch_dataset(bundled_server.url, graphs=["urn:x:y"])
    assert caught.value.graph == "urn:x:y"
    assert GRAPH.actors in caught.value.known
