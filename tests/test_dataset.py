"""The loader: graphs, archived texts, and errors that name file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from claimgraph.errors import DataDirectoryError, DuplicateGraphError, InputError
from claimgraph.io.dataset import load_dataset
from claimgraph.namespaces import ARCHIVE_GRAPH, CG, DOC, GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH
from claimgraph.project import bundled_data_dir

SEED_DOC = DOC.term("optimism-vs-intelligence")


def test_bundled_data_loads_into_named_graphs() -> None:
    dataset = load_dataset()
    graphs = set(dataset.graphs())
    assert {ONTOLOGY_GRAPH, SHAPES_GRAPH, ARCHIVE_GRAPH, SEED_DOC} <= graphs
    assert {GRAPH.actors, GRAPH.places, GRAPH.events, GRAPH.propositions} <= graphs
    assert not any(isinstance(q.graph_name, ox.DefaultGraph) for q in dataset.store)


def test_bundled_graph_has_no_blank_nodes() -> None:
    dataset = load_dataset()
    ontology_graphs = {ox.NamedNode(ONTOLOGY_GRAPH), ox.NamedNode(SHAPES_GRAPH)}
    blank = [
        q
        for q in dataset.store
        if q.graph_name not in ontology_graphs
        and (isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode))
    ]
    assert blank == []


def test_archived_text_is_loaded_verbatim(data_copy: Path) -> None:
    dataset = load_dataset(data_copy)
    (text,) = dataset.store.quads_for_pattern(ox.NamedNode(SEED_DOC), ox.NamedNode(CG.text), None, None)
    archived = (data_copy / "graph" / "archive" / "optimism-vs-intelligence.txt").read_text(encoding="utf-8")
    assert isinstance(text.object, ox.Literal)
    assert text.object.value == archived
    assert text.graph_name == ox.NamedNode(ARCHIVE_GRAPH)


def test_missing_archived_text_yields_no_text(data_copy: Path) -> None:
    (data_copy / "graph" / "archive" / "optimism-vs-intelligence.txt").unlink()
    dataset = load_dataset(data_copy)
    assert list(dataset.store.quads_for_pattern(None, ox.NamedNode(CG.text), None, None)) == []


def test_archive_path_outside_the_data_is_not_read(tmp_path: Path, data_copy: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not yours", encoding="utf-8")
    doc = data_copy / "graph" / "optimism-vs-intelligence.trig"
    doc.write_text(
        doc.read_text(encoding="utf-8").replace('"archive/optimism-vs-intelligence.txt"', '"../../secret.txt"'),
        encoding="utf-8",
    )
    dataset = load_dataset(data_copy)
    assert list(dataset.store.quads_for_pattern(None, ox.NamedNode(CG.text), None, None)) == []


def test_malformed_trig_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.trig"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:g {\n  ex:a ex:b "unterminated .\n}\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_dataset(paths=[bad])
    assert caught.value.path == bad
    assert caught.value.line == 3
    assert str(caught.value).startswith(f"{bad}:3:")


def test_undeclared_prefix_names_file_line_and_prefix(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\n\nfoo:a ex:b ex:c .\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_dataset(paths=[bad])
    assert str(caught.value) == f"{bad}:3:1: The prefix foo: has not been declared"


def test_same_named_graph_in_two_files_is_rejected(tmp_path: Path) -> None:
    body = "<http://example.org/g> { <http://example.org/a> <http://example.org/b> <http://example.org/c> . }\n"
    first, second = tmp_path / "a.trig", tmp_path / "b.trig"
    first.write_text(body, encoding="utf-8")
    second.write_text(body, encoding="utf-8")
    with pytest.raises(DuplicateGraphError) as caught:
        load_dataset(paths=[first, second])
    assert str(caught.value) == f"{second}: named graph <http://example.org/g> is already defined in {first}"


def test_unknown_extension_is_an_input_error(tmp_path: Path) -> None:
    odd = tmp_path / "claims.txt"
    odd.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown RDF file extension '\.txt'"):
        load_dataset(paths=[odd])


def test_data_directory_with_only_graph_uses_the_bundled_ontology_and_shapes(tmp_path: Path) -> None:
    shutil.copytree(bundled_data_dir() / "graph", tmp_path / "graph")
    dataset = load_dataset(tmp_path)
    assert dataset.root == tmp_path
    assert dataset.sources[ox.NamedNode(SHAPES_GRAPH)] == bundled_data_dir() / "ontology" / "shapes.ttl"
    assert len(dataset.store) == len(load_dataset().store)


def test_data_directory_with_an_empty_ontology_directory_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "ontology").mkdir()
    (tmp_path / "graph").mkdir()
    with pytest.raises(DataDirectoryError, match="no ontology or shapes in it"):
        load_dataset(tmp_path)


def test_data_directory_without_graph_or_that_does_not_exist_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(DataDirectoryError, match="no graph/ directory in it"):
        load_dataset(tmp_path)
    with pytest.raises(DataDirectoryError, match="no such directory"):
        load_dataset(tmp_path / "missing")


def test_data_directory_without_shapes_is_rejected(tmp_path: Path, data_copy: Path) -> None:
    (data_copy / "ontology" / "shapes.ttl").unlink()
    with pytest.raises(DataDirectoryError, match="no shapes"):
        load_dataset(data_copy)


def test_turtle_with_an_ontology_loads_into_its_graph(tmp_path: Path, data_copy: Path) -> None:
    extra = data_copy / "ontology" / "extra.ttl"
    extra.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "<http://example.org/ext> a owl:Ontology .\n"
        "<http://example.org/Thing> a owl:Class .\n",
        encoding="utf-8",
    )
    dataset = load_dataset(data_copy)
    assert "http://example.org/ext" in dataset.graphs()
    assert dataset.sources[ox.NamedNode("http://example.org/ext")] == extra


def test_paths_replace_the_bundled_graph(tmp_path: Path, data_copy: Path) -> None:
    only = tmp_path / "only"
    shutil.copytree(data_copy / "graph", only)
    (only / "optimism-vs-intelligence.trig").unlink()
    dataset = load_dataset(data_copy, paths=[only])
    assert SEED_DOC not in dataset.graphs()
    assert GRAPH.actors in dataset.graphs()
