"""The rules every command follows (cli_options): which data root, what ``-`` means, which export format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result
from helpers.servers import OxigraphServer, stored_quads

from claimgraph.cli import main
from claimgraph.io.dataset import load_dataset
from claimgraph.io.export import serialize
from claimgraph.project import bundled_data_dir, find_data_root, resolve_data_root
from claimgraph.synth import MINIMUM_CLAIMS

ARTICLE = Path(__file__).parent / "resources" / "authoring" / "kremlin-nato.txt"
GRAPH_ONLY = "Data: . (found from the current directory), with the bundled ontology, shapes and queries."


def run(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin)


@pytest.fixture
def graph_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A claims repository holding only graph/ (a copy of the bundled one); the working directory."""
    root = tmp_path / "claims"
    shutil.copytree(bundled_data_dir() / "graph", root / "graph")
    monkeypatch.chdir(root)
    return root


# --- the data root ---------------------------------------------------------------------------------


def test_the_root_is_found_from_the_current_directory_upward(graph_only: Path) -> None:
    inner = graph_only / "graph" / "archive"
    assert find_data_root(inner) == graph_only
    assert find_data_root(Path(".")) == Path(".")
    assert resolve_data_root(None).how == "found"
    assert resolve_data_root(Path("elsewhere")).how == "named"


def test_from_inside_graph_the_commands_write_into_the_root_not_a_new_graph_dir(
    graph_only: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(graph_only / "graph")
    result = run("add-source", str(ARTICLE), "--slug", "kremlin-nato")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "Data: .. (found from the current directory), with the bundled ontology, shapes and queries."
    )
    assert (graph_only / "graph" / "kremlin-nato.trig").is_file()
    assert not (graph_only / "graph" / "graph").exists()
    validated = run("validate", "--allow-warnings")
    assert validated.exit_code == 0, validated.output
    assert "2 archived documents" in validated.output


@pytest.mark.parametrize(
    "command",
    [
        ["validate", "--allow-warnings"],
        ["contradictions", "--format", "json"],
        ["queries"],
        ["query", "claims"],
        ["network"],
        ["export", "-o", "out.trig"],
        ["report", "-o", "site"],
    ],
)
def test_a_root_with_only_graph_uses_the_bundled_ontology_and_says_so(graph_only: Path, command: list[str]) -> None:
    named = GRAPH_ONLY.replace(" (found from the current directory)", "")
    for args, first in ((command, GRAPH_ONLY), ([*command, "--data", "."], named)):
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert result.stderr.splitlines()[0] == first


def test_a_named_root_with_its_own_ontology_or_the_checkout_itself_goes_without_saying(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("validate", "--allow-warnings", "--data", str(data_copy)).stderr == ""
    monkeypatch.chdir(bundled_data_dir())
    assert run("validate", "--allow-warnings").stderr == ""


def test_with_no_root_reading_uses_the_bundled_data_and_writing_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    read = run("validate", "--allow-warnings")
    assert read.exit_code == 0
    assert read.stderr.splitlines()[0] == "Data: the bundled data (no graph/ in the current directory or above)."
    before = sorted(tmp_path.rglob("*"))
    for command in (["add-source", str(ARTICLE)], ["add-actor", "actor:x", "--type", "person", "--label", "X"]):
        written = run(*command)
        assert written.exit_code == 2
        assert written.output.splitlines() == [
            "Error: no data root: no graph/ in the current directory or above; pass --data DIR (its graph/ is"
            " created if need be) or run where graph/ is"
        ]
    assert sorted(tmp_path.rglob("*")) == before
    named = run("add-source", str(ARTICLE), "--data", ".")
    assert named.exit_code == 0, named.output
    assert (tmp_path / "graph" / "kremlin-nato.trig").is_file()


# --- "-": standard input or output ------------------------------------------------------------------


def test_dash_reads_standard_input_where_a_text_is_read(graph_only: Path) -> None:
    result = run("locate", "-", "Peskov told reporters", "--format", "json", stdin=ARTICLE.read_bytes())
    assert result.exit_code == 0, result.output
    located = json.loads(result.stdout)
    assert (located["file"], located["exact"]) == ("-", "Peskov told reporters")


def test_dash_writes_standard_output_where_a_file_is_written(graph_only: Path) -> None:
    result = run("export", "-o", "-", "--format", "nq")
    assert result.exit_code == 0
    assert result.stdout.encode("utf-8") == serialize(load_dataset(graph_only), "nq")
    assert not (graph_only / "-").exists()


@pytest.mark.parametrize(
    ("command", "error"),
    [
        (["report", "-o", "-"], "'-' is standard output, which cannot hold the directory written here: name one"),
        (
            ["synth", "--claims", str(MINIMUM_CLAIMS), "-o", "-"],
            "'-' is standard output, which cannot hold the directory written here: name one",
        ),
        (["validate", "-"], "'-' is standard input, which has no file name to tell its RDF syntax by: name files"),
        (
            [
                "add-claim",
                "-",
                "--quote",
                "x",
                "--claimant",
                "actor:nato",
                "--proposition",
                "prop:putin-wants-more",
                "--stance",
                "affirms",
                "--kind",
                "assessment",
            ],
            "-: standard input cannot be written to: name the document's TriG file",
        ),
    ],
)
def test_dash_is_refused_where_it_cannot_mean_a_stream(graph_only: Path, command: list[str], error: str) -> None:
    result = run(*command)
    assert result.exit_code == 2
    assert error in result.output
    assert not (graph_only / "-").exists()
    assert "Traceback" not in result.output


# --- export: the format from the suffix -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("out.nq", "nq"),
        ("out.ttl", "turtle"),
        ("out.jsonld", "jsonld"),
        ("out.rdf", "xml"),
        ("out.nt", "nt"),
        ("out.trig", "trig"),
    ],
)
def test_export_takes_its_format_from_the_suffix(graph_only: Path, name: str, fmt: str) -> None:
    result = run("export", "-o", name)
    assert result.exit_code == 0, result.output
    assert (graph_only / name).read_bytes() == serialize(load_dataset(graph_only), fmt)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["-o", "guess.nq", "--format", "trig"],
            "guess.nq: cannot write: the suffix .nq means nq, not trig (drop --format, or name the file with its"
            " format's suffix)",
        ),
        (
            ["-o", "guess.txt"],
            "guess.txt: cannot write: no export format has the suffix .txt"
            " (known: .trig, .nq, .ttl, .nt, .jsonld, .rdf, .xml, .owl)",
        ),
    ],
)
def test_export_refuses_a_suffix_that_says_another_or_no_format(graph_only: Path, args: list[str], error: str) -> None:
    result = run("export", *args)
    assert result.exit_code == 2
    assert result.output.splitlines()[1:] == [f"Error: {error}"]
    assert not list(graph_only.glob("guess*"))


def test_an_explicit_format_may_write_a_file_without_a_format_suffix(graph_only: Path) -> None:
    assert run("export", "--format", "nt", "-o", "dump.txt").exit_code == 0
    assert len(list(ox.parse(path=graph_only / "dump.txt", format=ox.RdfFormat.N_TRIPLES))) > 1000


def test_export_takes_an_endpoint_as_every_command_that_reads_data_where_it_makes_sense(tmp_path: Path) -> None:
    dataset = load_dataset()
    server = OxigraphServer(tmp_path, stored_quads(dataset))
    try:
        result = run("export", "--endpoint", server.url, "--format", "nq")
    finally:
        server.stop()
    assert result.exit_code == 0, result.output
    assert result.stdout.encode("utf-8") == serialize(dataset, "nq")
    for command in ("validate", "query", "contradictions", "network", "report", "export"):
        assert "--endpoint" in run(command, "--help").output, command
