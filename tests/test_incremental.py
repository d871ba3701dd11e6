"""Incremental validation: the same results as a full run on the affected nodes, the base's elsewhere.

Every comparison runs a full validation of the base and of the changed data, and checks both halves of
the guarantee (claimgraph.validation.incremental): the incremental results are exactly the full run's on the
affected nodes, and outside them the full run's results are the base's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from helpers.data import REPO, rewrite
from helpers.servers import missing
from helpers.shape_cases import BASE_TEXT, BASE_TRIG, Case, Variant, archived_bytes, load_cases

from claimgraph.cli import main
from claimgraph.io.dataset import data_files, load_dataset
from claimgraph.namespaces import CG, GRAPH, PLACE, PREFIXES, RDFS
from claimgraph.synth import generate
from claimgraph.terms import to_rdflib
from claimgraph.validation.api import ValidationReport, validate
from claimgraph.validation.incremental import (
    FullRunNeeded,
    IncrementalReport,
    Index,
    changes_named,
    changes_since,
    shape_reach,
    validate_changes,
)
from claimgraph.validation.incremental import index as index_module
from claimgraph.validation.incremental.index import INDEX_VERSION

CASES = load_cases()


def git(root: Path, *args: str) -> str:
    if shutil.which("git") is None:
        missing("git is not installed")
    done = subprocess.run(
        ["git", "-c", "user.email=test@example.org", "-c", "user.name=test", *args],
        cwd=root,
        capture_output=True,
        check=True,
        text=True,
    )
    return done.stdout


def commit(root: Path) -> None:
    """Make ``root`` a git repository whose HEAD is its present content."""
    if not (root / ".git").exists():
        git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "base")


def compare(root: Path, base: ValidationReport, rev: str = "HEAD") -> IncrementalReport:
    """Validate ``root`` incrementally since ``rev`` and check it against full runs of base and new data."""
    outcome = validate_changes(root, changes=changes_since(root, rev))
    assert outcome.affected is not None, outcome.full_run_reason
    full = validate(load_dataset(root))
    affected = outcome.affected
    assert sorted(outcome.report.results) == sorted(r for r in full.results if r.focus in affected)
    assert sorted(r for r in full.results if r.focus not in affected) == sorted(
        r for r in base.results if r.focus not in affected
    )
    if base.passes(allow_warnings=True):
        assert outcome.report.passes(allow_warnings=True) == full.passes(allow_warnings=True)
    if base.conforms:
        assert outcome.report.conforms == full.conforms
    return outcome


def iri(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local


@pytest.fixture(params=["whole", "sliced"])
def slicing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Files read whole, or every file that can be kept in slices so kept (as a large registry is)."""
    if request.param == "sliced":
        monkeypatch.setattr(index_module, "SLICE_BYTES", 0)
    return bool(request.param == "sliced")


# ---------------------------------------------------------------------------------------------------
# What the shapes read
# ---------------------------------------------------------------------------------------------------


def test_bundled_shapes_read_three_hops_along_the_relay_chain() -> None:
    reach = shape_reach(to_rdflib(load_dataset(paths=[]).shape_quads()))
    assert reach.depth == 3
    followed = {CG.claimant, CG.evidence, CG.relay, CG.relayAgent, CG.anchor, CG.foundIn, CG.proposition}
    assert followed | {CG.viaSource, PREFIXES["oa"] + "hasSelector", PREFIXES["oa"] + "hasSource"} <= reach.predicates
    # A cardinality on a path reads the focus node's own triples: its values are not followed.
    assert PREFIXES["rdfs"] + "label" not in reach.predicates
    assert CG.stance not in reach.predicates


SHAPES_HEAD = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:prefixes sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
"""


def sparql_shape(query: str) -> str:
    return f'ex:S sh:targetClass ex:C ; sh:sparql [ sh:prefixes ex:prefixes ; sh:select """{query}""" ] .'


@pytest.mark.parametrize(
    ("shape", "reason"),
    [
        ("ex:S sh:targetClass ex:C ; sh:path [ sh:inversePath ex:p ] ; sh:class ex:D .", "complex sh:path"),
        ("ex:S sh:target [ a ex:Target ] ; sh:path ex:q ; sh:minCount 1 .", "sh:target"),
        (sparql_shape("SELECT $this WHERE { ?x ex:p/ex:q $this }"), "reads ?x backwards along a path"),
        (sparql_shape("SELECT $this WHERE { ?x ex:p ?y }"), "reads ?x, not reached from $this"),
        (sparql_shape("SELECT $this WHERE { $this ex:p+ ?x . ?x ex:q ?y }"), "only IRIs and sequences"),
        (
            sparql_shape("SELECT $this WHERE { $this ?p ?x . ?x ex:q ?y }"),
            "reads ?x, reached by a variable predicate",
        ),
        ("ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:param ] .", "constraint component of their own"),
    ],
    ids=[
        "inverse-path",
        "sparql-target",
        "backwards-sparql-path",
        "unreached-sparql",
        "repeated-path",
        "variable-predicate-read",
        "component",
    ],
)
def test_shapes_reading_backwards_or_unboundedly_need_a_full_run(shape: str, reason: str) -> None:
    with pytest.raises(FullRunNeeded, match=re.escape(reason)):
        shape_reach(rdflib.Graph().parse(data=SHAPES_HEAD + shape, format="turtle"))


def test_a_sparql_constraint_joining_on_a_shared_value_reads_that_predicate_backwards() -> None:
    query = "SELECT $this ?value WHERE { $this ex:hash ?h . ?value ex:hash ?h . ?other ex:cites $this }"
    reach = shape_reach(rdflib.Graph().parse(data=SHAPES_HEAD + sparql_shape(query), format="turtle"))
    assert reach.inverse == {"http://example.org/hash", "http://example.org/cites"}
    assert reach.depth == 2  # the other node's hash: to the value, and back from it


def test_a_variable_predicate_and_the_declarations_it_reads_stay_on_the_focus_node() -> None:
    query = (
        "SELECT $this ?path WHERE { $this ?path ?object . FILTER NOT EXISTS { ?path a ?kind }"
        " OPTIONAL { ?ontology <http://rdfs.org/ns/void#vocabulary> ?v } }"
    )
    reach = shape_reach(rdflib.Graph().parse(data=SHAPES_HEAD + sparql_shape(query), format="turtle"))
    assert reach.depth == 0
    assert reach.predicates == frozenset()


def test_objects_of_a_target_predicate_are_focus_nodes() -> None:
    shape = "ex:S sh:targetObjectsOf ex:p, ex:r ; sh:path ex:q ; sh:minCount 1 ."
    reach = shape_reach(rdflib.Graph().parse(data=SHAPES_HEAD + shape, format="turtle"))
    assert reach.object_targets == {"http://example.org/p", "http://example.org/r"}
    assert reach.depth == 0


def test_sparql_depth_is_the_longest_chain_from_this() -> None:
    query = (
        "SELECT $this WHERE { $this ex:a ?x . FILTER NOT EXISTS { ?x ex:b/ex:c ?y ."
        " FILTER NOT EXISTS { ?y a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ex:K } } }"
    )
    reach = shape_reach(rdflib.Graph().parse(data=SHAPES_HEAD + sparql_shape(query), format="turtle"))
    assert reach.depth == 3  # ?y's type is read, three hops from $this
    assert reach.predicates == {"http://example.org/a", "http://example.org/b", "http://example.org/c"}


# ---------------------------------------------------------------------------------------------------
# Every violating example of every shape, as a change to a conforming base in git
# ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shapes_base_report(tmp_path_factory: pytest.TempPathFactory) -> ValidationReport:
    root = shapes_base(tmp_path_factory.mktemp("base"))
    return validate(load_dataset(root))


def shapes_base(root: Path) -> Path:
    """A data directory with the ontology and the shape tests' base fixture (no result at all)."""
    shutil.copytree(REPO / "ontology", root / "ontology")
    (root / "graph").mkdir()
    shutil.copy(BASE_TRIG, root / "graph" / "case.trig")
    shutil.copy(BASE_TEXT, root / "graph" / BASE_TEXT.name)
    return root


# One violating example per shape (the first): every shape, in a minute; tests/test_shapes.py runs the rest.
ONE_PER_SHAPE = [pytest.param(case, case.violating[0], id=f"{case.shape}/{case.violating[0].name}") for case in CASES]


@pytest.mark.parametrize(("case", "variant"), ONE_PER_SHAPE)
def test_shape_example_validated_incrementally_as_in_a_full_run(
    tmp_path: Path, shapes_base_report: ValidationReport, case: Case, variant: Variant
) -> None:
    root = shapes_base(tmp_path / "data")
    commit(root)
    text = archived_bytes(variant.archive)
    if text is None:
        (root / "graph" / BASE_TEXT.name).unlink()
    else:
        (root / "graph" / BASE_TEXT.name).write_bytes(text)
    rewrite(root, variant.update)
    outcome = compare(root, shapes_base_report)
    focus = iri(variant.focus or case.focus)
    assert focus in outcome.affected  # type: ignore[operator]
    assert any(r.focus == focus and r.shape.endswith(case.shape) for r in outcome.report.results)


# ---------------------------------------------------------------------------------------------------
# The bundled graph: changes in one file that reach nodes of others
# ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled_report() -> ValidationReport:
    return validate(load_dataset())


@pytest.mark.parametrize(
    "update",
    [
        # A relay agent of the article stops being an agent: registry change, claims three hops away.
        "DELETE WHERE { GRAPH graph:actors { actor:reuters a ?type } }",
        # A claimant becomes anonymous without a description: the claims' relay checks and warnings.
        "DELETE WHERE { GRAPH graph:actors { actor:mike-quigley a ?type } } ;"
        " INSERT DATA { GRAPH graph:actors { actor:mike-quigley a cg:AnonymousSource } }",
        # A proposition loses its type: every claim asserting it, in the article.
        "DELETE WHERE { GRAPH graph:propositions { prop:putin-wants-more a ?type } }",
        # Evidence loses its document; an anchor its source.
        "DELETE WHERE { GRAPH doc:optimism-vs-intelligence {"
        " evidence:intelligence-community-putin-wants-more cg:foundIn ?d } }",
        # A quote is changed.
        "DELETE WHERE { GRAPH doc:optimism-vs-intelligence {"
        " anchor:intelligence-community-putin-wants-more-quote oa:exact ?e } } ;"
        " INSERT DATA { GRAPH doc:optimism-vs-intelligence {"
        ' anchor:intelligence-community-putin-wants-more-quote oa:exact "The intelligence community" } }',
        # A place loses its type: defined nowhere, it is reported where events and propositions name it.
        "DELETE WHERE { GRAPH graph:places { place:donetsk a ?type } }",
    ],
    ids=["relay-agent-type", "claimant-anonymous", "proposition-type", "evidence-document", "quote", "place-type"],
)
def test_change_in_one_file_revalidates_what_other_files_state_about_it(
    data_copy: Path, bundled_report: ValidationReport, update: str, slicing: bool
) -> None:
    commit(data_copy)
    rewrite(data_copy, update)  # every graph file is written again: only the quads that differ count
    outcome = compare(data_copy, bundled_report)
    assert any(r.severity.value == "Violation" for r in outcome.report.results)


def test_one_registry_change_validates_only_what_reaches_it(data_copy: Path) -> None:
    rewrite(data_copy, "")  # the base as the rewrites below write it (integer datatypes as the store keeps them)
    commit(data_copy)
    base = validate(load_dataset(data_copy))
    rewrite(data_copy, "DELETE WHERE { GRAPH graph:actors { actor:reuters a ?type } }")
    outcome = compare(data_copy, base)
    affected = outcome.affected or frozenset()
    # The agent itself, the relay step naming it, the evidence of that step and the claim (3 hops).
    chain = ["actor:reuters", "relay:intelligence-community-putin-wants-more-2"]
    chain += ["evidence:intelligence-community-putin-wants-more", "claim:intelligence-community-putin-wants-more"]
    assert {iri(c) for c in chain} <= affected
    assert len(affected) < 60
    assert outcome.loaded_files < 5  # events.trig holds nothing the affected nodes read
    assert {r.shape.rpartition("#")[2] for r in outcome.report.results} >= {"RelayStep-relayAgent"}
    assert outcome.report.counts.claims == sum(1 for n in affected if n.startswith(iri("claim:")))
    assert outcome.report.counts.actors == 0  # actor:reuters, the only affected agent, is no longer typed one


def test_a_sliced_registry_is_read_only_for_the_nodes_validation_reads(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "SLICE_BYTES", 0)
    rewrite(data_copy, "")
    commit(data_copy)
    base = validate(load_dataset(data_copy))
    rewrite(data_copy, "DELETE WHERE { GRAPH graph:actors { actor:reuters a ?type } }")
    outcome = compare(data_copy, base)
    actors = ox.NamedNode(GRAPH.term("actors"))
    assert outcome.dataset.sources[actors] == data_copy / "graph" / "actors.trig"
    full = load_dataset(data_copy).store
    loaded = {q.subject for q in outcome.dataset.store.quads_for_pattern(None, None, None, actors)}
    every = {q.subject for q in full.quads_for_pattern(None, None, None, actors)}
    assert ox.NamedNode(iri("actor:reuters")) in loaded
    assert len(loaded) < len(every)
    for subject in loaded:  # each subject read has every statement the file makes about it
        assert set(outcome.dataset.store.quads_for_pattern(subject, None, None, actors)) == set(
            full.quads_for_pattern(subject, None, None, actors)
        )


def test_a_misspelt_reference_gets_the_full_runs_suggestion_from_a_sliced_registry(
    data_copy: Path, bundled_report: ValidationReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "SLICE_BYTES", 0)
    commit(data_copy)
    rewrite(
        data_copy,
        "DELETE DATA { GRAPH graph:events { proposal:withdrawal-from-donetsk cg:concerns place:donetsk } } ;"
        " INSERT DATA { GRAPH graph:events { proposal:withdrawal-from-donetsk cg:concerns place:donetsl } }",
    )
    outcome = compare(data_copy, bundled_report)
    assert iri("place:donetsk") not in {q.subject.value for q in outcome.dataset.store}  # not read
    (found,) = [r for r in outcome.report.results if r.focus == iri("place:donetsl")]
    full = validate(load_dataset(data_copy))
    assert [r.suggestion for r in full.results if r.focus == iri("place:donetsl")] == [iri("place:donetsk")]
    assert found.suggestion == iri("place:donetsk")


def test_changed_archived_text_revalidates_its_document_and_anchors(
    data_copy: Path, bundled_report: ValidationReport, slicing: bool
) -> None:
    # A registry the article does not use: every bundled file is read by its claims now (the proposals
    # its propositions table), so this one stands for what an incremental run leaves unread.
    (data_copy / "graph" / "unrelated.trig").write_text(
        f"<{GRAPH.term('unrelated-places')}> {{ <{PLACE.term('atlantis')}> a <{CG.Region}> ;"
        f' <{RDFS.label}> "Atlantis"@en . }}\n',
        encoding="utf-8",
    )
    commit(data_copy)
    text = data_copy / "graph" / "archive" / "optimism-vs-intelligence.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("Putin wants more", "Putin wants less"), encoding="utf-8")
    outcome = compare(data_copy, bundled_report)
    shapes = {r.shape.rpartition("#")[2] for r in outcome.report.results}
    assert {"SourceDocument-sha256MatchesText", "TextAnchor-exactInArchivedText"} <= shapes
    assert outcome.loaded_files < len(data_files(data_copy / "graph"))


def _archive_copy(data_copy: Path, slug: str) -> Path:
    """A second document, in a new file, archiving the article's text again (doc:SLUG)."""
    article = (data_copy / "graph" / "optimism-vs-intelligence.trig").read_text(encoding="utf-8")
    head = article[: article.index("doc:optimism-vs-intelligence {")]
    body = article[article.index("    doc:optimism-vs-intelligence\n") :]
    body = body[: body.index(" .\n") + 3].replace("doc:optimism-vs-intelligence", f"doc:{slug}", 1)
    path = data_copy / "graph" / f"{slug}.trig"
    path.write_text(f"{head}doc:{slug} {{\n{body}}}\n", encoding="utf-8")
    return path


def test_the_same_text_archived_again_in_a_new_file_is_reported_on_the_first_document(
    data_copy: Path, bundled_report: ValidationReport
) -> None:
    commit(data_copy)
    _archive_copy(data_copy, "zz-copy")
    outcome = compare(data_copy, bundled_report)
    # The result stands on the unchanged document (its IRI sorts first), read from the new file's hash.
    (found,) = [r for r in outcome.report.results if r.shape.endswith("SourceDocument-uniqueArchive")]
    assert (found.focus, found.value) == (iri("doc:optimism-vs-intelligence"), iri("doc:zz-copy"))


def test_a_duplicate_archive_removed_clears_the_result_on_the_other_document(data_copy: Path, slicing: bool) -> None:
    copy = _archive_copy(data_copy, "zz-copy")
    commit(data_copy)
    base = validate(load_dataset(data_copy))
    assert any(r.shape.endswith("SourceDocument-uniqueArchive") for r in base.results)
    copy.unlink()
    outcome = compare(data_copy, base)
    assert iri("doc:optimism-vs-intelligence") in outcome.affected  # type: ignore[operator]
    assert not any(r.shape.endswith("SourceDocument-uniqueArchive") for r in outcome.report.results)


def test_deleted_and_added_files(data_copy: Path, bundled_report: ValidationReport, slicing: bool) -> None:
    commit(data_copy)
    (data_copy / "graph" / "events.trig").unlink()
    moved = data_copy / "graph" / "propositions.trig"
    moved.rename(data_copy / "graph" / "registry-propositions.trig")
    outcome = compare(data_copy, bundled_report)
    # The propositions moved file: they, and the claims asserting them, are validated again.
    assert {iri("prop:putin-wants-more"), iri("claim:intelligence-community-putin-wants-more")} <= outcome.affected  # type: ignore[operator]


def test_unchanged_data_validates_nothing(data_copy: Path, bundled_report: ValidationReport) -> None:
    commit(data_copy)
    outcome = compare(data_copy, bundled_report)
    assert outcome.affected == frozenset()
    assert outcome.report.results == []
    assert outcome.loaded_files == 0
    assert outcome.report.counts.triples == 0


def test_ontology_change_validates_everything(data_copy: Path, bundled_report: ValidationReport) -> None:
    commit(data_copy)
    shapes = data_copy / "ontology" / "shapes.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    outcome = validate_changes(data_copy, changes=changes_since(data_copy, "HEAD"))
    assert outcome.affected is None
    assert outcome.full_run_reason == "the ontology or the shapes changed"
    assert sorted(outcome.report.results) == sorted(bundled_report.results)


def test_changes_since_an_older_commit(data_copy: Path, bundled_report: ValidationReport, slicing: bool) -> None:
    commit(data_copy)
    rewrite(data_copy, "DELETE WHERE { GRAPH graph:actors { actor:reuters a ?type } }")
    git(data_copy, "commit", "-q", "-am", "second")
    rewrite(data_copy, "DELETE WHERE { GRAPH graph:propositions { prop:putin-wants-more a ?type } }")
    outcome = compare(data_copy, bundled_report, rev="HEAD~1")
    assert iri("actor:reuters") in outcome.affected  # type: ignore[operator]
    assert iri("prop:putin-wants-more") in outcome.affected  # type: ignore[operator]


def test_changes_since_give_each_changed_file_its_committed_bytes(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "graph" / "sub").mkdir(parents=True)
    names = ["kept.trig", "with space.trig", "sub/deleted.trig", "line\nbreak.trig"]
    for name in names:
        (root / "graph" / name).write_bytes(f"# {name}\n".encode())
    commit(root)
    for name in names[:2] + names[3:]:
        (root / "graph" / name).write_bytes(b"# changed\n")
    (root / "graph" / "sub" / "deleted.trig").unlink()
    (root / "graph" / "new.trig").write_bytes(b"# new\n")
    changes = changes_since(root, "HEAD")
    expected = {(root / "graph" / n).resolve(): f"# {n}\n".encode() for n in names}
    expected[(root / "graph" / "new.trig").resolve()] = None
    assert sorted(changes.files) == sorted(expected)
    assert changes.old == expected


def test_named_files_outside_git_are_new(tmp_path: Path) -> None:
    root = shapes_base(tmp_path / "data")
    outcome = validate_changes(root, changes=changes_named(root, [root / "graph" / "case.trig"]))
    full = validate(load_dataset(root))
    assert outcome.affected is not None
    assert sorted(outcome.report.results) == sorted(r for r in full.results if r.focus in outcome.affected)
    assert len(outcome.affected) > 10


# ---------------------------------------------------------------------------------------------------
# A synthetic corpus with planted violations
# ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ValidationReport]:
    root = tmp_path_factory.mktemp("corpus") / "data"
    generate(root, claims=200, seed=7)
    return root, validate(load_dataset(root))


@pytest.mark.parametrize(
    "update",
    [
        "DELETE WHERE { GRAPH doc:article-000004 { ?anchor oa:exact ?e } }",
        "DELETE WHERE { GRAPH graph:actors { ?agent a cg:NewsOrganization } }",
        "DELETE WHERE { GRAPH graph:propositions { ?p cg:contradicts ?q } }",
    ],
    ids=["article-quotes", "registry-types", "proposition-links"],
)
def test_synthetic_corpus_with_planted_violations(
    tmp_path: Path, corpus: tuple[Path, ValidationReport], update: str, slicing: bool
) -> None:
    source, base = corpus
    root = tmp_path / "data"
    shutil.copytree(source, root)
    commit(root)
    rewrite(root, update)
    outcome = compare(root, base)
    assert outcome.affected
    assert base.results and not base.passes(allow_warnings=True)  # planted violations stay outside


# ---------------------------------------------------------------------------------------------------
# The index
# ---------------------------------------------------------------------------------------------------


def test_index_notices_changed_bytes_behind_unchanged_size_and_mtime(tmp_path: Path) -> None:
    root = shapes_base(tmp_path / "data")
    case = root / "graph" / "case.trig"
    index = Index(root)
    index.refresh({str(case.resolve()): str(case)})
    before = index.neighbours(
        {iri("claim:shapes-fixture-minister-bridge-open")}, frozenset({CG.claimant}), backwards=False
    )
    assert before == {iri("actor:shapes-fixture-minister")}
    stat = case.stat()
    text = case.read_text(encoding="utf-8")
    case.write_text(
        text.replace("actor:shapes-fixture-minister ;", "actor:shapes-fixture-ministea ;", 1), encoding="utf-8"
    )
    os.utime(case, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert case.stat().st_size == stat.st_size
    index.refresh({str(case.resolve()): str(case)})
    after = index.neighbours(
        {iri("claim:shapes-fixture-minister-bridge-open")}, frozenset({CG.claimant}), backwards=False
    )
    assert after == {iri("actor:shapes-fixture-ministea")}
    index.close()


def test_index_keeps_in_slices_only_large_files_whose_statements_stand_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "SLICE_BYTES", 200)
    root = tmp_path / "data"
    (root / "graph").mkdir(parents=True)
    node, other = iri("actor:a"), iri("actor:b")
    graph = f"<{GRAPH.term('g')}>"
    label = f" <{RDFS.label}> "
    texts = {
        "plain.trig": f'{graph} {{ <{node}>{label}"A"@en . <{other}>{label}"B"@en ; <{CG.memberOf}> <{node}> . }}',
        "blank.trig": f'<{GRAPH.term("h")}> {{ <{node}> <{CG.evidence}> [{label}"E" ] . }}',
        "default.ttl": f'<{node}>{label}"C" . <{other}>{label}"D" . # {"padding " * 20}',
        "small.trig": f'<{GRAPH.term("s")}> {{ <{node}>{label}"S" . }}',
    }
    files = {}
    for name, text in texts.items():
        path = root / "graph" / name
        path.write_text(text + "\n" + "# padding\n" * (0 if name == "small.trig" else 20), encoding="utf-8")
        files[str(path.resolve())] = str(path)
    index = Index(root)
    index.refresh(files)
    plain = str((root / "graph" / "plain.trig").resolve())
    assert index.flagged("sliced") == [plain]
    (statements,) = index.slices({node}).values()
    quads = set(ox.parse("".join(statements).encode(), format=ox.RdfFormat.N_QUADS))
    name, label_of = ox.NamedNode(GRAPH.term("g")), ox.NamedNode(RDFS.label)
    assert quads == {ox.Quad(ox.NamedNode(node), label_of, ox.Literal("A", language="en"), name)}
    assert set(index.slices({other})) == {plain}
    index.close()


def test_the_index_keeps_the_shapes_sparql_analyses_for_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimgraph.validation.compiler import analyses, sparql_based

    root = shapes_base(tmp_path / "data")
    monkeypatch.setattr(analyses, "_TABLE", {})
    first = validate_changes(root, changes=changes_named(root, [root / "graph" / "case.trig"]))
    monkeypatch.setattr(analyses, "_TABLE", {})  # a new process

    parsed: list[str] = []
    monkeypatch.setattr(sparql_based, "_prepare", parsed.append)
    again = validate_changes(root, changes=changes_named(root, [root / "graph" / "case.trig"]))
    assert again.report.results == first.report.results
    assert parsed == []
    assert again.report.delegated == first.report.delegated


def test_index_of_another_version_is_rebuilt(tmp_path: Path) -> None:
    root = shapes_base(tmp_path / "data")
    case = root / "graph" / "case.trig"
    index = Index(root)
    index.refresh({str(case.resolve()): str(case)})
    index.put("version", "0")
    index.close()
    reopened = Index(root)
    assert reopened.get("version") == INDEX_VERSION
    assert reopened.db.execute("SELECT COUNT(*) FROM files").fetchone() == (0,)
    reopened.close()
    assert (root / ".claimgraph" / ".gitignore").read_text(encoding="utf-8") == "*\n"


def test_damaged_index_is_rebuilt(tmp_path: Path) -> None:
    root = shapes_base(tmp_path / "data")
    (root / ".claimgraph").mkdir()
    (root / ".claimgraph" / "index.sqlite").write_bytes(b"not a database" * 100)
    case = root / "graph" / "case.trig"
    index = Index(root)
    index.refresh({str(case.resolve()): str(case)})
    assert index.files_stating({iri("claim:shapes-fixture-minister-bridge-open")}) == {str(case.resolve())}
    index.close()


# ---------------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------------


def test_cli_changed_since_head(data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rewrite(data_copy, "")
    commit(data_copy)
    rewrite(data_copy, "DELETE WHERE { GRAPH graph:actors { actor:reuters a ?type } }")
    monkeypatch.chdir(data_copy)
    result = CliRunner().invoke(main, ["validate", "--data", ".", "--changed-since", "HEAD", "--format", "json"])
    assert result.exit_code == 1
    summary = r"incremental validation: \d changed file\(s\), \d+ affected node\(s\), \d of 5 data file\(s\) loaded\n"
    assert re.fullmatch(summary, result.stderr)
    report = json.loads(result.stdout)
    assert report["violations"] > 0
    assert {r["focus"] for r in report["results"]} >= {iri("relay:intelligence-community-putin-wants-more-2")}


def test_cli_junit_counts_the_checks_of_the_affected_nodes(data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rewrite(data_copy, "")
    commit(data_copy)
    rewrite(data_copy, "DELETE WHERE { GRAPH graph:propositions { prop:putin-wants-more a ?type } }")
    monkeypatch.chdir(data_copy)
    result = CliRunner().invoke(main, ["validate", "--data", ".", "--changed-since", "HEAD", "--format", "junit"])
    assert result.exit_code == 1
    cases = ElementTree.fromstring(result.stdout).iter("testcase")
    checked = {iri(str(case.get("name"))) for case in cases}
    affected = validate_changes(data_copy, changes=changes_since(data_copy, "HEAD")).affected
    assert checked and affected is not None
    assert checked <= affected
    assert iri("claim:intelligence-community-putin-wants-more") in checked


def test_cli_changed_file(data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commit(data_copy)
    monkeypatch.chdir(data_copy)
    result = CliRunner().invoke(
        main, ["validate", "--data", ".", "--changed", "graph/events.trig", "--allow-warnings", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("incremental validation: 1 changed file(s), 0 affected node(s)")


def test_cli_bad_revision_is_one_line_error(data_copy: Path) -> None:
    commit(data_copy)
    result = CliRunner().invoke(main, ["validate", "--data", str(data_copy), "--changed-since", "no-such-rev"])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: git revision 'no-such-rev': fatal: ")
    assert "Traceback" not in result.output


def test_cli_outside_a_git_repository_is_one_line_error(tmp_path: Path) -> None:
    root = shapes_base(tmp_path / "data")
    result = CliRunner().invoke(main, ["validate", "--data", str(root), "--changed-since", "HEAD"])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: git revision 'HEAD': fatal: not a git repository")


def test_cli_new_file_redefining_a_graph_is_the_full_runs_error(data_copy: Path) -> None:
    commit(data_copy)
    shutil.copy(data_copy / "graph" / "actors.trig", data_copy / "graph" / "zz-actors-again.trig")
    full = CliRunner().invoke(main, ["validate", "--data", str(data_copy)])
    incremental = CliRunner().invoke(main, ["validate", "--data", str(data_copy), "--changed-since", "HEAD"])
    assert incremental.exit_code == full.exit_code == 2
    assert incremental.output == full.output
    assert "zz-actors-again.trig: named graph <https://w3id.org/claimgraph/id/graph/actors> is already defined in" in (
        incremental.output
    )


def test_cli_incremental_options_exclude_endpoint_and_each_other() -> None:
    result = CliRunner().invoke(main, ["validate", "--changed-since", "HEAD", "--changed", "x.trig"])
    assert result.exit_code == 2
    assert "--changed-since and --changed exclude each other" in result.output
    result = CliRunner().invoke(main, ["validate", "--changed-since", "HEAD", "--endpoint", "http://127.0.0.1:1/q"])
    assert result.exit_code == 2
    assert "need files, not --endpoint" in result.output
