"""The command line: formats, outputs, errors and exit codes (its reference in docs/: test_docs.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
import rdflib
from click.testing import CliRunner

from claimgraph.cli import main

REPO = Path(__file__).resolve().parents[1]

COMMANDS = sorted(main.commands)


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def help_text(command: str | None) -> str:
    args = [command, "--help"] if command else ["--help"]
    result = run(*args)
    assert result.exit_code == 0
    return result.output


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_help_has_an_example(command: str | None) -> None:
    assert "Example:" in help_text(command)


def test_validate_bundled_graph_passes_with_warnings_allowed() -> None:
    result = run("validate", "--allow-warnings")
    assert result.exit_code == 0, result.output
    assert re.match(r"Checked \d+ claims, \d+ actors, 1 archived document, 3 cited sources", result.output)
    assert "Provenance passes: 0 violations" in result.output


def test_validate_fails_on_warnings_unless_allowed() -> None:
    result = run("validate", "--format", "json")
    report = json.loads(result.output)
    assert report["violations"] == 0
    assert report["warnings"] >= 1
    assert result.exit_code == 1
    assert report["conforms"] is False


def test_validate_json_counts_what_was_checked() -> None:
    report = json.loads(run("validate", "--format", "json", "--allow-warnings").output)
    assert report["conforms"] is True
    counts = report["counts"]
    assert counts["documents"] == 1
    assert counts["cited_sources"] == 3
    assert counts["non_responses"] == 3
    assert counts["claims"] >= 20
    assert {r["severity"] for r in report["results"]} <= {"Warning", "Info"}


def test_validate_turtle_is_a_shacl_report() -> None:
    result = run("validate", "--format", "turtle", "--allow-warnings")
    graph = rdflib.Graph().parse(data=result.output, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert len(list(graph.subjects(rdflib.RDF.type, sh.ValidationReport))) == 1


def test_validate_writes_output_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    result = run("validate", "--format", "json", "-o", str(target), "--allow-warnings")
    assert result.exit_code == 0
    assert result.output == ""
    assert json.loads(target.read_text(encoding="utf-8"))["conforms"] is True
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_unwritable_output_is_one_line_error_and_nothing_written(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "report.json"
    result = CliRunner().invoke(main, ["validate", "-o", str(target)])
    assert result.exit_code == 2
    assert result.output.splitlines() == [f"Error: {target}: cannot write: No such file or directory"]
    assert not target.parent.exists()


def test_malformed_input_is_one_line_error_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.trig"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:g { ex:a ex:b }\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(bad)])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: {bad}:2:")
    assert "Traceback" not in result.output


def test_unknown_format_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["validate", "--format", "yaml"])
    assert result.exit_code == 2
    assert "Invalid value for '-f' / '--format'" in result.output
