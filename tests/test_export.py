"""export: every graph but the shapes, deterministic bytes, read back by pyoxigraph, rapper and rdflib."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import click
import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from claimgraph.cli import export as export_command
from claimgraph.cli import main
from claimgraph.io.dataset import Dataset, load_dataset
from claimgraph.io.derived import CATALOG_PREDICATES, DERIVED_PREDICATES
from claimgraph.io.export import EXPORT_FORMATS, canonical_quads, dataset_quads, serialize
from claimgraph.namespaces import ARCHIVE_GRAPH, DERIVED_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH

FORMATS = sorted(EXPORT_FORMATS)
TRIPLE_FORMATS = [f for f in FORMATS if not EXPORT_FORMATS[f].supports_datasets]
#: rapper's parser for each format; it has none for JSON-LD (rdflib reads that instead).
RAPPER_INPUT = {"trig": "trig", "nq": "nquads", "turtle": "turtle", "nt": "ntriples", "xml": "rdfxml"}


@cache
def bundled() -> Dataset:
    return load_dataset()


@cache
def exported(fmt: str) -> bytes:
    return serialize(bundled(), fmt)


def expected_quads() -> set[ox.Quad]:
    return set(dataset_quads(bundled()))


def expected_triples() -> set[ox.Triple]:
    return {q.triple for q in dataset_quads(bundled())}


def rapper() -> str:
    """Debian's `rapper` (raptor2-utils), an independent parser; in CI its absence fails the test."""
    found = shutil.which("rapper")
    if found is None:
        message = "rapper (Debian package raptor2-utils) is not installed"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


# --- What is exported -------------------------------------------------------------------------------


def test_dataset_quads_are_every_graph_but_the_shapes() -> None:
    graphs = {q.graph_name for q in dataset_quads(bundled())}
    assert ox.NamedNode(SHAPES_GRAPH) not in graphs
    assert {ox.NamedNode(ONTOLOGY_GRAPH), ox.NamedNode(ARCHIVE_GRAPH), ox.NamedNode(DERIVED_GRAPH)} <= graphs
    assert graphs == {ox.NamedNode(g) for g in bundled().graphs() if g != SHAPES_GRAPH}
    shapes = sum(1 for _ in bundled().shape_quads())
    assert len(dataset_quads(bundled())) == len(bundled().store) - shapes


@pytest.mark.parametrize("fmt", sorted(set(FORMATS) - set(TRIPLE_FORMATS)))
def test_graph_formats_read_back_to_the_same_quads(fmt: str) -> None:
    quads = set(ox.parse(exported(fmt), format=EXPORT_FORMATS[fmt]))
    assert quads == expected_quads()
    assert (
        ox.Quad(
            ox.NamedNode("https://w3id.org/claimgraph/id/doc/optimism-vs-intelligence"),
            ox.NamedNode("https://w3id.org/claimgraph/ontology#sha256"),
            ox.Literal("32a6e593a490866e2e21a2f779791c04cb4de4715fced0485b7685d0186f4c8b"),
            ox.NamedNode("https://w3id.org/claimgraph/id/doc/optimism-vs-intelligence"),
        )
        in quads
    )


@pytest.mark.parametrize("fmt", TRIPLE_FORMATS)
def test_triple_formats_read_back_to_the_union_of_the_graphs(fmt: str) -> None:
    triples = [q.triple for q in ox.parse(exported(fmt), format=EXPORT_FORMATS[fmt])]
    assert set(triples) == expected_triples()
    assert len(triples) == len(expected_triples())  # each triple once, however many graphs hold it


def test_trig_declares_the_shared_prefixes_and_writes_graphs_in_order() -> None:
    assert b"@prefix claim: <https://w3id.org/claimgraph/id/claim/> ." in exported("trig")
    graphs = list(dict.fromkeys(q.graph_name for q in ox.parse(exported("trig"), format=ox.RdfFormat.TRIG)))
    assert graphs == sorted(graphs, key=str)
    assert len(graphs) == len(bundled().graphs()) - 1  # each graph in one block


# --- Deterministic bytes ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_data_gives_the_same_bytes_in_separate_processes(fmt: str) -> None:
    def run() -> bytes:
        command = [sys.executable, "-m", "claimgraph", "export", "--format", fmt]
        return subprocess.run(command, check=True, capture_output=True).stdout

    first = run()
    assert first == run()
    assert first == exported(fmt)


def blank_node_quads(*, relabel: str, reverse: bool) -> list[ox.Quad]:
    """A small dataset with an RDF list and nested blank nodes in two graphs, labelled as asked."""
    ex = "http://example.org/"
    node = {name: ox.BlankNode(f"{relabel}{name}") for name in ("l1", "l2", "r", "s")}
    first, rest, nil = (
        ox.NamedNode(f"http://www.w3.org/1999/02/22-rdf-syntax-ns#{n}") for n in ("first", "rest", "nil")
    )
    g1, g2 = ox.NamedNode(ex + "g1"), ox.NamedNode(ex + "g2")
    quads = [
        ox.Quad(ox.NamedNode(ex + "a"), ox.NamedNode(ex + "list"), node["l1"], g1),
        ox.Quad(node["l1"], first, ox.Literal("one"), g1),
        ox.Quad(node["l1"], rest, node["l2"], g1),
        ox.Quad(node["l2"], first, ox.Literal("two", language="en"), g1),
        ox.Quad(node["l2"], rest, nil, g1),
        ox.Quad(ox.NamedNode(ex + "a"), ox.NamedNode(ex + "seen"), node["r"], g2),
        ox.Quad(node["r"], ox.NamedNode(ex + "by"), node["s"], g2),
        ox.Quad(node["s"], ox.NamedNode(ex + "name"), ox.Literal("someone"), g2),
        ox.Quad(node["s"], ox.NamedNode(ex + "name"), ox.Literal("someone"), g2),  # a repeat
    ]
    return quads[::-1] if reverse else quads


@pytest.mark.parametrize("fmt", FORMATS)
def test_blank_node_labels_and_quad_order_do_not_change_the_bytes(fmt: str) -> None:
    one = serialize(blank_node_quads(relabel="x", reverse=False), fmt)
    other = serialize(blank_node_quads(relabel="y", reverse=True), fmt)
    assert one == other
    assert b"c14n0" in one  # RDFC-1.0 labels
    expected = blank_node_quads(relabel="z", reverse=False)
    if not EXPORT_FORMATS[fmt].supports_datasets:
        expected = [ox.Quad(q.subject, q.predicate, q.object) for q in expected]
    assert isomorphic(ox.parse(one, format=EXPORT_FORMATS[fmt]), expected)


def isomorphic(one: Iterable[ox.Quad], other: Iterable[ox.Quad]) -> bool:
    left, right = ox.Dataset(one), ox.Dataset(other)
    left.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    right.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return left == right


@pytest.mark.parametrize("fmt", TRIPLE_FORMATS)
def test_union_formats_name_blank_nodes_from_the_union_alone(fmt: str) -> None:
    # Named before the graph names were dropped, _:b (named graph) took c14n0 and _:c c14n1; read back
    # as one graph, the same triples named the other way round: export, parse, export differed.
    ex = "http://example.org/"
    b, c, p = ox.BlankNode("b"), ox.BlankNode("c"), ox.NamedNode(ex + "p")
    quads = [
        ox.Quad(b, p, ox.Literal("x"), ox.NamedNode(ex + "g")),
        ox.Quad(ox.NamedNode(ex + "a"), p, c),
        ox.Quad(c, p, ox.Literal("y")),
    ]
    first = serialize(quads, fmt)
    assert serialize(ox.parse(first, format=EXPORT_FORMATS[fmt]), fmt) == first
    triples = {(str(t.subject), str(t.object)) for t in ox.parse(first, format=EXPORT_FORMATS[fmt])}
    assert triples == {(f"<{ex}a>", "_:c14n0"), ("_:c14n0", '"y"'), ("_:c14n1", '"x"')}


def test_quads_sort_by_graph_then_term_forms_even_where_one_form_starts_another() -> None:
    # serialize sorts lines as bytes: a literal whose form is the start of another's must sort as the term does.
    ex = "http://example.org/"
    s, p, g = ox.NamedNode(ex + "s"), ox.NamedNode(ex + "p"), ox.NamedNode(ex + "g")
    objects = [
        ox.Literal("a"),
        ox.Literal("a b"),
        ox.Literal("a", language="en"),
        ox.Literal("a", datatype=ox.NamedNode(ex + "t")),
        ox.Literal("a\tb"),
        ox.Literal("é"),
        ox.NamedNode(ex + "o"),
        ox.NamedNode(ex + "o2"),
    ]
    quads = [ox.Quad(s, p, o, g) for o in objects] + [ox.Quad(s, p, o) for o in objects]
    written = serialize(quads, "nq")
    parsed = list(ox.parse(written, format=ox.RdfFormat.N_QUADS))
    keys = [(_graph_key(q.graph_name), str(q.subject), str(q.predicate), str(q.object)) for q in parsed]
    assert keys == sorted(keys)
    assert len(parsed) == len(quads)


@pytest.mark.parametrize("fmt", ["nq", "turtle"])
def test_loaded_dataset_with_blank_nodes_exports_the_same_bytes_from_every_load(data_copy: Path, fmt: str) -> None:
    (data_copy / "graph" / "extra.trig").write_text(
        '@prefix ex: <http://example.org/> .\nex:g { ex:a ex:seen [ ex:by [ ex:name "someone" ] ] . }\n'
    )
    loaded = load_dataset(data_copy)
    first = serialize(loaded, fmt)
    assert first == serialize(load_dataset(data_copy), fmt)  # a new load, new blank-node labels
    assert b"c14n0" in first
    expected = dataset_quads(loaded)
    if not EXPORT_FORMATS[fmt].supports_datasets:
        expected = list({ox.Quad(q.subject, q.predicate, q.object) for q in expected})
    assert isomorphic(ox.parse(first, format=EXPORT_FORMATS[fmt]), expected)


def _graph_key(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
    return "" if isinstance(graph, ox.DefaultGraph) else str(graph)


def test_canonical_quads_drop_repeats_and_sort_by_graph_then_subject() -> None:
    quads = canonical_quads(blank_node_quads(relabel="x", reverse=True))
    assert len(quads) == 8
    keys = [(str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)) for q in quads]
    assert keys == sorted(keys)


# --- Independent parsers ----------------------------------------------------------------------------


@pytest.mark.rapper
@pytest.mark.parametrize("fmt", sorted(RAPPER_INPUT))
def test_every_export_parses_with_rapper(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"dataset.{fmt}"
    path.write_bytes(exported(fmt))
    checked = subprocess.run([rapper(), "-i", RAPPER_INPUT[fmt], "-c", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    counted = re.search(r"Parsing returned (\d+) triples", checked.stderr)
    assert counted is not None, checked.stderr
    expected = len(expected_triples()) if fmt in TRIPLE_FORMATS else len(expected_quads())
    assert int(counted.group(1)) == expected


def test_jsonld_export_parses_with_rdflib_keeping_the_named_graphs() -> None:
    parsed = rdflib.Dataset()
    parsed.parse(data=exported("jsonld"), format="json-ld")
    graphs = {str(g.identifier) for g in parsed.graphs() if len(g)}
    assert graphs == {g for g in bundled().graphs() if g != SHAPES_GRAPH}
    assert sum(1 for _ in parsed.quads((None, None, None, None))) == len(expected_quads())


# --- The command ------------------------------------------------------------------------------------


def test_export_command_offers_exactly_the_library_formats() -> None:
    (fmt_option,) = [p for p in export_command.params if p.name == "fmt"]
    assert isinstance(fmt_option.type, click.Choice)
    assert sorted(fmt_option.type.choices) == FORMATS


def test_export_command_writes_stdout_and_files_with_the_same_bytes(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "dataset.nq"
    written = runner.invoke(main, ["export", "-f", "nq", "-o", str(target)])
    assert written.exit_code == 0, written.output
    assert written.output == ""
    assert target.read_bytes() == exported("nq")
    for args in (["-o", "-"], []):
        printed = runner.invoke(main, ["export", "-f", "nq", *args])
        assert printed.exit_code == 0
        assert printed.stdout_bytes == exported("nq")
    assert runner.invoke(main, ["export"]).stdout_bytes == exported("trig")  # trig is the default


@pytest.mark.parametrize("fmt", ["trig", "turtle"])
def test_export_without_the_derived_graph_is_what_the_files_state(fmt: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "-f", fmt, "--no-derived"])
    assert result.exit_code == 0, result.output
    without = set(ox.parse(result.stdout_bytes, format=EXPORT_FORMATS[fmt]))
    derived = set(bundled().store.quads_for_pattern(None, None, None, ox.NamedNode(DERIVED_GRAPH)))
    if fmt == "trig":
        assert without == expected_quads() - derived
    else:  # the union: a derived triple that a file also states (none in the bundled data) stays
        assert {q.triple for q in without} == expected_triples() - {q.triple for q in derived}
    assert not any(q.predicate.value in DERIVED_PREDICATES for q in without)
    # Loaded again (the export holds the ontology: only the shapes come from ontology/), the data gives
    # back the same derived graph.
    (tmp_path / "ontology").mkdir()
    shutil.copy(bundled().root / "ontology" / "shapes.ttl", tmp_path / "ontology")
    (tmp_path / "graph").mkdir()
    (tmp_path / "graph" / f"asserted.{'trig' if fmt == 'trig' else 'ttl'}").write_bytes(result.stdout_bytes)
    reloaded = load_dataset(tmp_path)
    again = set(reloaded.store.quads_for_pattern(None, None, None, ox.NamedNode(DERIVED_GRAPH)))
    if fmt == "trig":
        assert again == derived
    else:  # the union came back as one graph: the catalog names that one; the closures are the same
        catalog = {q for q in derived | again if q.predicate.value in CATALOG_PREDICATES}
        assert again - catalog == derived - catalog


def test_export_command_reads_the_data_directory(data_copy: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--data", str(data_copy), "-f", "trig"])
    assert result.exit_code == 0
    assert result.stdout_bytes == exported("trig")


@pytest.mark.parametrize("parent", ["missing-directory", "a-file"])
def test_unwritable_output_is_one_line_error_and_creates_nothing(tmp_path: Path, parent: str) -> None:
    (tmp_path / "a-file").write_text("not a directory\n")
    target = tmp_path / parent / "dataset.trig"
    result = CliRunner().invoke(main, ["export", "-o", str(target)])
    assert result.exit_code == 2
    reason = "No such file or directory" if parent == "missing-directory" else "Not a directory"
    assert result.output == f"Error: {target}: cannot write: {reason}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
    assert (tmp_path / "a-file").read_text() == "not a directory\n"


def test_output_that_is_a_directory_is_refused_with_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert (
        result.output.splitlines()[-1]
        == f"Error: Invalid value for '-o' / '--output': File '{tmp_path}' is a directory."
    )
    assert list(tmp_path.iterdir()) == []


def test_bad_input_leaves_the_previous_export_untouched(data_copy: Path, tmp_path: Path) -> None:
    target = tmp_path / "dataset.trig"
    target.write_bytes(b"previous export\n")
    broken = data_copy / "graph" / "broken.trig"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:g {\n  ex:s ex:p .\n}\n")
    result = CliRunner().invoke(main, ["export", "--data", str(data_copy), "-o", str(target)])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {broken}:3:")
    assert len(result.output.splitlines()) == 1
    assert target.read_bytes() == b"previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "dataset.trig"]
