"""Source positions: where each subject is defined in Turtle / TriG / N-Quads, and focus nodes mapped to files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from claimgraph.io.dataset import load_dataset
from claimgraph.io.positions import SourcePosition, locate, relative_to, scan, scan_statements
from claimgraph.io.reading import FORMATS
from claimgraph.namespaces import ACTOR, CLAIM, DOC, GRAPH, PREFIXES, PROP, curie

EX = "http://example.org/"
REPO = Path(__file__).resolve().parents[1]


def lines_of(index_subjects: dict[str, list[tuple[int, int, str | None]]]) -> dict[str, list[int]]:
    return {iri: [line for line, _, _ in occurrences] for iri, occurrences in index_subjects.items()}


def subjects(text: str) -> dict[str, list[tuple[int, int, str | None]]]:
    index = scan(text)
    return {iri: [(o.line, o.column, o.graph) for o in found] for iri, found in index.subjects.items()}


def test_prefixed_names_and_full_iris_denote_the_same_subject() -> None:
    text = (
        "@prefix ex: <http://example.org/> .\n"  # 1
        "ex:a ex:p ex:b .\n"  # 2
        "<http://example.org/b> ex:p ex:a .\n"  # 3
        "  ex:c\n"  # 4
        "     ex:p ex:a .\n"  # 5
    )
    assert subjects(text) == {
        EX + "a": [(2, 1, None)],
        EX + "b": [(3, 1, None)],
        EX + "c": [(4, 3, None)],
    }


def test_objects_graph_labels_and_nested_nodes_are_not_subjects() -> None:
    text = (
        "@prefix ex: <http://example.org/> .\n"
        "ex:g {\n"  # 2: a graph label, not a subject
        "    ex:a ex:p ex:b , ex:c ;\n"  # 3
        "         ex:q [ ex:r ex:d ] ;\n"  # 4: ex:d inside a blank node
        "         ex:s ( ex:e ex:f ) .\n"  # 5: ex:e, ex:f in a collection
        "    ex:h ex:p ex:a\n"  # 6: last triple of the block, no final dot
        "}\n"
        "GRAPH ex:g2 { ex:i ex:p ex:j }\n"  # 8: SPARQL-style GRAPH keyword
        "{ ex:k ex:p ex:l . }\n"  # 9: default graph block
    )
    found = subjects(text)
    assert found == {
        EX + "a": [(3, 5, EX + "g")],
        EX + "h": [(6, 5, EX + "g")],
        EX + "i": [(8, 15, EX + "g2")],
        EX + "k": [(9, 3, None)],
    }


def test_strings_and_comments_that_look_like_triples_are_skipped() -> None:
    text = (
        "@prefix ex: <http://example.org/> .\n"
        "# ex:commented ex:p ex:q .\n"
        'ex:a ex:p """multi\n'
        "ex:fake ex:p ex:q .\n"
        '""" .\n'
        "ex:b ex:p 'one \\' quote. ex:fake2 ex:p ex:q .' , \"dot. {brace} #hash\"@en ;\n"
        "     ex:q 1.5, -2, 3e4, true .\n"
        "ex:c ex:p ex:d .\n"
    )
    assert lines_of(subjects(text)) == {EX + "a": [3], EX + "b": [6], EX + "c": [8]}


def test_sparql_style_prefix_base_and_relative_iris() -> None:
    text = (
        "PREFIX ex: <http://example.org/>\n"
        "BASE <http://example.org/base/>\n"
        "<rel> ex:p ex:o .\n"
        "@base <http://other.example/> .\n"
        "<x/y> ex:p ex:o .\n"
        "@prefix : <http://example.org/empty#> .\n"
        ":z ex:p ex:o .\n"
    )
    assert lines_of(subjects(text)) == {
        "http://example.org/base/rel": [3],
        "http://other.example/x/y": [5],
        "http://example.org/empty#z": [7],
    }


def test_local_name_escapes_dots_and_unicode_escapes_are_expanded() -> None:
    text = (
        "@prefix ex: <http://example.org/> .\n"
        "ex:a\\-b ex:p ex:o .\n"
        "ex:v1.2 ex:p ex:o.\n"  # a dot inside a local name, and one ending the statement
        "<http://example.org/\\u00e9t\\u00e9> ex:p ex:o .\n"
        "ex:été ex:p ex:o .\n"
    )
    assert lines_of(subjects(text)) == {EX + "a-b": [2], EX + "v1.2": [3], EX + "été": [4, 5]}


def test_every_subject_of_every_bundled_file_is_found_where_it_is_written() -> None:
    dataset = load_dataset()
    for path in dataset.files:
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        index = scan(text)
        parsed = ox.parse(path=path, format=FORMATS[path.suffix])
        expected = {q.subject.value for q in parsed if isinstance(q.subject, ox.NamedNode)}
        assert set(index.subjects) == expected, path
        for iri, occurrences in index.subjects.items():
            for occurrence in occurrences:
                at = lines[occurrence.line - 1][occurrence.column - 1 :]
                assert at.startswith((curie(iri), f"<{iri}>")), (path, iri, occurrence)


def test_files_rewritten_by_pyoxigraph_are_scanned_too(mutate: Callable[[str], Path]) -> None:
    root = mutate("DELETE DATA { }")
    dataset = load_dataset(root)
    claim = CLAIM.term("intelligence-community-putin-wants-more")
    position = locate(dataset, [claim])[claim]
    assert position.path == root / "graph" / "optimism-vs-intelligence.trig"
    assert position.line is not None
    line = position.path.read_text(encoding="utf-8").splitlines()[position.line - 1]
    assert line.strip().startswith(curie(claim) + " ")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def two_files(data_copy: Path) -> Path:
    """The bundled ontology with two small data files instead of graph/."""
    graph = data_copy / "graph"
    for old in graph.glob("*.trig"):
        old.unlink()
    prefixes = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
    write(
        graph / "actors.trig",
        prefixes + '\ngraph:actors {\n    actor:a a cg:Person ;\n        rdfs:label "A"@en .\n}\n',
    )
    write(
        graph / "doc.trig",
        prefixes
        + "\ndoc:d {\n"
        + "    claim:c a cg:Claim ;\n"
        + "        cg:claimant actor:a ;\n"
        + '        rdfs:label "C"@en .\n'
        + "    <https://w3id.org/claimgraph/id/claim/full> a cg:Claim ;\n"
        + "        cg:claimant actor:nobody .\n"
        + "}\n",
    )
    return data_copy


def test_locate_maps_nodes_to_the_file_defining_them(two_files: Path) -> None:
    dataset = load_dataset(two_files)
    graph = two_files / "graph"
    nodes = [
        ACTOR.term("a"),
        CLAIM.term("c"),
        CLAIM.term("full"),
        ACTOR.term("nobody"),  # only an object: its first mention
        DOC.term("d"),  # only a graph name: the graph label
        GRAPH.term("actors"),
        EX + "nowhere",  # not in the data
        "a literal value",
    ]
    offset = len(PREFIXES) + 2  # the prefix lines, a blank line, then the graph label
    assert locate(dataset, nodes) == {
        ACTOR.term("a"): SourcePosition(graph / "actors.trig", offset + 1, 5),
        CLAIM.term("c"): SourcePosition(graph / "doc.trig", offset + 1, 5),
        CLAIM.term("full"): SourcePosition(graph / "doc.trig", offset + 4, 5),
        ACTOR.term("nobody"): SourcePosition(graph / "doc.trig", offset + 5, 21),
        DOC.term("d"): SourcePosition(graph / "doc.trig", offset, 1),
        GRAPH.term("actors"): SourcePosition(graph / "actors.trig", offset, 1),
    }


def test_subject_in_several_files_maps_to_the_first_in_load_order(two_files: Path) -> None:
    prefixes = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
    write(two_files / "graph" / "more.trig", prefixes + 'graph:more {\n  actor:a rdfs:comment "again"@en .\n}\n')
    dataset = load_dataset(two_files)
    position = locate(dataset, [ACTOR.term("a")])[ACTOR.term("a")]
    assert position.path.name == "actors.trig"


def test_turtle_in_the_default_graph_and_unscanned_formats(tmp_path: Path, data_copy: Path) -> None:
    write(data_copy / "graph" / "extra.ttl", "@prefix ex: <http://example.org/> .\n\nex:t ex:p ex:o .\n")
    write(
        data_copy / "graph" / "extra.jsonld",
        '{"@id": "http://example.org/j", "http://example.org/p": {"@id": "http://example.org/o"}}',
    )
    dataset = load_dataset(data_copy)
    found = locate(dataset, [EX + "t", EX + "j"])
    assert found[EX + "t"] == SourcePosition(data_copy / "graph" / "extra.ttl", 3, 1)
    assert found[EX + "j"] == SourcePosition(data_copy / "graph" / "extra.jsonld")  # file only


def test_source_position_prints_like_a_compiler_and_paths_relative_to_a_root(tmp_path: Path) -> None:
    assert str(SourcePosition(Path("graph/x.trig"), 12, 5)) == "graph/x.trig:12:5"
    assert str(SourcePosition(Path("graph/x.trig"))) == "graph/x.trig"
    assert relative_to(tmp_path / "graph" / "x.trig", tmp_path) == Path("graph/x.trig")
    assert relative_to(Path("/elsewhere/x.trig"), tmp_path) is None


def test_scan_records_where_each_predicate_and_object_of_a_subject_stands() -> None:
    index = scan(
        "@prefix ex: <http://example.org/> .\n"
        "ex:a a ex:C ;\n"
        "    ex:p ex:b ,\n"
        "        ex:c ;\n"
        '    ex:q [ ex:r ex:d ] ; ex:s "x" .\n'
    )
    ex = "http://example.org/"
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    assert {key: o.line for key, o in index.statements.items()} == {
        (ex + "a", rdf_type): 2,
        (ex + "a", ex + "p"): 3,
        (ex + "a", ex + "q"): 5,
        (ex + "a", ex + "s"): 5,
    }
    # objects inside a nested blank node are not the subject's
    assert {key: o.line for key, o in index.values.items()} == {
        (ex + "a", rdf_type, ex + "C"): 2,
        (ex + "a", ex + "p", ex + "b"): 3,
        (ex + "a", ex + "p", ex + "c"): 4,
    }


def test_a_focused_scan_finds_the_statements_of_its_subjects_as_a_whole_scan_does() -> None:
    text = (REPO / "graph" / "propositions.trig").read_text(encoding="utf-8")
    subjects = [PROP.term("moscow-seeks-end-of-war"), PROP.term("putin-ambitions-beyond-limited-settlement")]
    whole, focused = scan(text), scan_statements(text, subjects)
    assert focused is not None
    assert focused.statements == {k: v for k, v in whole.statements.items() if k[0] in subjects}
    assert focused.values == {k: v for k, v in whole.values.items() if k[0] in subjects}


def test_a_focused_scan_gives_up_where_a_subject_or_the_prefixes_are_not_plain() -> None:
    text = (REPO / "graph" / "propositions.trig").read_text(encoding="utf-8")
    assert scan_statements(text, [PROP.term("no-such-proposition")]) is None
    # An object at the start of its line is no subject: place:ukraine is only ever an object here.
    assert scan_statements(text, ["https://w3id.org/claimgraph/id/place/ukraine"]) is None
    redefined = "@prefix p: <urn:a:> .\n@prefix p: <urn:b:> .\np:x p:y p:z .\n"
    assert scan_statements(redefined, ["urn:b:x"]) is None
