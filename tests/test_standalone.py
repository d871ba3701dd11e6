"""Any RDF files against any SHACL shapes (``validate --shapes``): the files alone, the shapes apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from claimgraph.cli import main
from claimgraph.io.standalone import load_files
from claimgraph.namespaces import SHAPES_GRAPH
from claimgraph.validation.api import validate

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
EX = "http://example.org/"

SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:property [ sh:path ex:age ; sh:maxCount 1 ; sh:maxExclusive 150 ] ;
    sh:property [ sh:path ( ex:knows ex:name ) ; sh:minCount 1 ] .
"""
DATA = """@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:alice a ex:Person ; ex:age "150.0"^^xsd:decimal ; ex:knows ex:bob .
ex:bob a ex:Person ; ex:knows <#carol> .
<#carol> ex:name "Carol" .
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    shapes, data = tmp_path / "shapes.ttl", tmp_path / "people.ttl"
    shapes.write_text(SHAPES, encoding="utf-8")
    data.write_text(DATA, encoding="utf-8")
    return shapes, data


def test_the_shapes_are_kept_apart_from_the_data(files: tuple[Path, Path]) -> None:
    shapes, data = files
    dataset = load_files([data], shapes=[shapes])
    assert dataset.data_triples() == 6
    assert not any(q.graph_name.value == SHAPES_GRAPH for q in dataset.store if hasattr(q.graph_name, "value"))
    assert sum(1 for _ in dataset.shape_quads()) > 0
    assert dataset.shapes_files() == (shapes,)


@pytest.mark.parametrize("engine", ["auto", "fast", "reference"])
def test_every_engine_gives_the_same_results_and_relative_iris_resolve_against_the_file(
    files: tuple[Path, Path], engine: str
) -> None:
    shapes, data = files
    report = validate(load_files([data], shapes=[shapes]), engine=engine)
    found = sorted((r.focus, r.component.rpartition("#")[2], r.value) for r in report.results)
    # alice's age, as her file writes it; alice knows bob, who has no name; bob knows carol, who does
    assert found == [
        (EX + "alice", "MaxExclusiveConstraintComponent", "150.0"),
        (EX + "alice", "MinCountConstraintComponent", None),
    ]


def test_text_output_places_results_and_shows_blank_paths_as_sparql(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    shapes, data = files
    monkeypatch.chdir(data.parent)
    result = CliRunner().invoke(main, ["validate", "--shapes", shapes.name, data.name])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:2] == ["Checked 6 triples against shapes.ttl.", "Data FAILS: 2 violations, 0 warnings, 0 infos."]
    path = "<http://example.org/knows> / <http://example.org/name>"
    assert f"people.ttl:2: VIOLATION {EX}alice {path}: Less than 1 values" in "\n".join(lines)
    assert lines[-1].endswith(f"[property shape on {path}]") or lines[-2].endswith(f"[property shape on {path}]")


def test_the_turtle_report_copies_blank_shapes_and_paths_with_their_triples(files: tuple[Path, Path]) -> None:
    shapes, data = files
    result = CliRunner().invoke(main, ["validate", "--shapes", str(shapes), str(data), "--format", "turtle"])
    assert result.exit_code == 1
    report = rdflib.Graph().parse(data=result.stdout, format="turtle")
    (found,) = report.subjects(SH.sourceConstraintComponent, SH.MinCountConstraintComponent)
    path = report.value(found, SH.resultPath)
    assert isinstance(path, rdflib.BNode)
    assert list(report.items(path)) == [rdflib.URIRef(EX + "knows"), rdflib.URIRef(EX + "name")]
    shape = report.value(found, SH.sourceShape)
    assert isinstance(shape, rdflib.BNode) and report.value(shape, SH.minCount) == rdflib.Literal(1)


def test_a_shape_the_fast_engine_cannot_judge_on_the_store_is_an_error_naming_it(tmp_path: Path) -> None:
    shapes = tmp_path / "s.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        'ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:v ; sh:datatype xsd:byte ] .\nex:a ex:v "30"^^xsd:byte .\n',
        encoding="utf-8",
    )
    fast = CliRunner().invoke(main, ["validate", "--shapes", str(shapes), "--engine", "fast", str(shapes)])
    assert fast.exit_code == 2
    (line,) = fast.stderr.splitlines()
    assert line.startswith("Error: the fast validation engine cannot compile 1 shape(s): <http://example.org/S>: ")
    assert "sh:datatype <http://www.w3.org/2001/XMLSchema#byte>: an Oxigraph store keeps" in line
    # the other engines judge the byte as written: valid
    for engine in ("auto", "reference"):
        result = CliRunner().invoke(main, ["validate", "--shapes", str(shapes), "--engine", engine, str(shapes)])
        assert result.exit_code == 0, result.output


def test_shapes_pyshacl_refuses_are_a_one_line_error_on_every_engine(tmp_path: Path) -> None:
    shapes = tmp_path / "s.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
        'ex:S sh:targetNode ex:a ;\n'
        '    sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o MINUS { $this a ?t } }" ] .\n',
        encoding="utf-8",
    )
    for engine in ("auto", "fast", "reference"):
        result = CliRunner().invoke(main, ["validate", "--shapes", str(shapes), "--engine", engine, str(shapes)])
        assert result.exit_code == 2, (engine, result.output)
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"Error: {shapes}: the shapes are not valid SHACL: "), line
        assert "MINUS" in line


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--shapes", "{shapes}"], "--shapes needs the data files to validate"),
        (["--shapes", "{shapes}", "--data", "{dir}", "{data}"], "not with --data"),
    ],
)
def test_shapes_without_data_or_with_the_data_directory_is_a_usage_error(
    files: tuple[Path, Path], args: list[str], says: str
) -> None:
    shapes, data = files
    filled = [a.format(shapes=shapes, data=data, dir=data.parent) for a in args]
    result = CliRunner().invoke(main, ["validate", *filled])
    assert result.exit_code == 2
    assert says in result.stderr


def test_json_carries_file_and_line_of_each_result(files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    shapes, data = files
    monkeypatch.chdir(data.parent)
    result = CliRunner().invoke(main, ["validate", "--shapes", shapes.name, data.name, "--format", "json"])
    report = json.loads(result.stdout)
    assert {(r["file"], r["line"]) for r in report["results"]} == {("people.ttl", 2)}
