"""serve: `claimgraph serve` runs as a real process; clients query it like any SPARQL 1.1 endpoint."""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.data import without_positions
from helpers.servers import free_port, oxigraph_binary

from claimgraph.cli import main
from claimgraph.io.dataset import Dataset, load_dataset
from claimgraph.io.export import dataset_quads
from claimgraph.queries.files import canned_queries
from claimgraph.sparql.engines import RemoteEngine

REPO = Path(__file__).resolve().parents[1]
CANNED = canned_queries(REPO / "queries")


@cache
def bundled() -> Dataset:
    return load_dataset()


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    scratch: Path

    def stop(self, signum: int) -> tuple[int, str]:
        """Send ``signum`` (to the process group for SIGINT, as a terminal's Ctrl-C does); exit status, stderr."""
        if signum == signal.SIGINT:
            os.killpg(self.process.pid, signum)
        else:
            self.process.send_signal(signum)
        try:
            _, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise
        return self.process.returncode, err


def start_serve(scratch: Path) -> Served:
    """`claimgraph serve` on a free port, its temporary files under ``scratch``; returns once it is ready."""
    oxigraph_binary()  # a missing server binary skips on a dev machine and fails in CI
    port = free_port()
    scratch.mkdir(exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "claimgraph", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(scratch)},
        start_new_session=True,  # its own process group, so a Ctrl-C can be sent to it alone
        # As a terminal starts a foreground command, Ctrl-C's action the default one: a child inherits
        # SIGINT ignored where the suite runs as a background job of a shell without job control.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stdout is not None
    with selectors.DefaultSelector() as ready:
        ready.register(process.stdout, selectors.EVENT_READ)
        line = process.stdout.readline() if ready.select(timeout=60) else ""
    if not line:
        os.killpg(process.pid, signal.SIGKILL)
        _, err = process.communicate()
        pytest.fail(f"claimgraph serve did not start: {err}")
    url = f"http://127.0.0.1:{port}/query"
    assert line == f"SPARQL 1.1 endpoint (read-only): {url}\n"
    return Served(process, url, scratch)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    server = start_serve(tmp_path_factory.mktemp("serve"))
    yield server
    server.stop(signal.SIGTERM)


def test_serve_holds_every_graph_but_the_shapes(served: Served) -> None:
    remote = RemoteEngine(served.url)
    held = remote.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    assert sorted(row[0].value for row in held) == sorted({q.graph_name.value for q in dataset_quads(bundled())})
    counted = remote.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    assert int(counted[0][0].value) == len(dataset_quads(bundled()))


def test_default_graph_is_the_union_of_the_named_graphs(served: Served) -> None:
    query = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    request = urllib.request.Request(f"{served.url}?query={query}", headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.read().decode().split() == ["n", str(len({q.triple for q in dataset_quads(bundled())}))]


def normalised(document: bytes) -> list[list[tuple[str, str]]]:
    """W3C JSON results as sorted rows; GROUP_CONCAT lists sorted (their order is not defined)."""
    rows = [
        sorted((name, "; ".join(sorted(term["value"].split("; ")))) for name, term in row.items())
        for row in json.loads(document)["results"]["bindings"]
    ]
    return sorted(rows)


@pytest.mark.parametrize("name", sorted(CANNED))
def test_every_canned_query_through_serve_equals_embedded(served: Served, name: str) -> None:
    params = [f"{p.name}={p.example}" for p in CANNED[name].parameters if p.example is not None]
    args = ["query", name, *(f"--param={p}" for p in params), "--format", "json"]
    runner = CliRunner()
    remote = runner.invoke(main, [*args, "--endpoint", served.url])
    embedded = runner.invoke(main, args)
    assert remote.exit_code == 0, remote.output
    assert embedded.exit_code == 0, embedded.output
    assert json.loads(remote.stdout_bytes)["head"] == json.loads(embedded.stdout_bytes)["head"]
    assert normalised(remote.stdout_bytes) == normalised(embedded.stdout_bytes)


def test_contradictions_through_serve_equal_embedded(served: Served) -> None:
    runner = CliRunner()
    remote = runner.invoke(main, ["contradictions", "--format", "json", "--endpoint", served.url])
    assert remote.exit_code == 0, remote.output
    found = json.loads(remote.output)
    embedded = json.loads(runner.invoke(main, ["contradictions", "--format", "json"]).output)
    assert found == without_positions(embedded)
    assert len(found) == 8


def post(url: str, body: bytes, content_type: str, method: str = "POST") -> int:
    request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return error.code


def test_updates_are_refused(served: Served) -> None:
    base = served.url.removesuffix("/query")
    triple = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> ."
    assert post(f"{base}/update", b"INSERT DATA { " + triple + b" }", "application/sparql-update") == 403
    assert post(f"{base}/update", b"DROP ALL", "application/sparql-update") == 403
    assert post(f"{base}/store?graph=http://example.org/g", triple, "application/n-triples", method="PUT") == 403
    counted = RemoteEngine(served.url).select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    assert int(counted[0][0].value) == len(dataset_quads(bundled()))


@pytest.mark.parametrize(
    "signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["sigterm", "ctrl-c", "terminal-closed"]
)
def test_stopping_serve_stops_the_server_and_removes_its_database(tmp_path: Path, signum: int) -> None:
    server = start_serve(tmp_path / "scratch")
    assert [p.name.startswith("claimgraph-serve-") for p in server.scratch.iterdir()] == [True]
    status, err = server.stop(signum)
    assert (status, err) == (0, "Stopped.\n")
    assert list(server.scratch.iterdir()) == []
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(server.url + "?query=ASK%7B%7D", timeout=5)


def test_port_in_use_is_one_line_error_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    oxigraph_binary()
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert result.output == f"Error: cannot serve on 127.0.0.1:{port}: address already in use\n"
    assert list(tmp_path.iterdir()) == []


def test_missing_server_binary_is_one_line_error_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2
    assert result.output == "Error: cannot serve: the oxigraph server binary is not installed (pip install oxigraph)\n"
