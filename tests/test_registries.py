"""add-actor and add-proposition (authoring.registries), the values the ontology defines for them
(authoring.lookup), and writing in a file's own layout (authoring.turtle)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from claimgraph.authoring import add_actor, add_proposition, bundled_choices
from claimgraph.authoring.turtle import Block, TrigFile
from claimgraph.cli import main
from claimgraph.io.dataset import load_dataset
from claimgraph.namespaces import CG, GRAPH, RDF, RDFS, SKOS, XSD, expand
from claimgraph.project import bundled_data_dir
from claimgraph.validation.api import Severity, validate


def files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--data", str(root)])


def statements(root: Path, subject: str) -> set[tuple[str, str]]:
    node = ox.NamedNode(expand(subject) or subject)
    return {(q.predicate.value, str(q.object)) for q in load_dataset(root).store.quads_for_pattern(node, None, None)}


def violations(root: Path) -> list[tuple[str, str]]:
    return [(r.shape, r.focus) for r in validate(load_dataset(root)).results if r.severity is Severity.VIOLATION]


# --- values from the ontology ----------------------------------------------------------------------


def test_the_values_are_the_ontology_s_concepts_and_agent_classes() -> None:
    store = ox.Store()
    store.load(path=bundled_data_dir() / "ontology" / "claimgraph.ttl", format=ox.RdfFormat.TURTLE)
    schemes = {"stance": CG.StanceScheme, "kind": CG.ClaimKindScheme, "relay act": CG.RelayActScheme}
    for field, scheme in schemes.items():
        in_scheme = {
            q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(SKOS.inScheme), ox.NamedNode(scheme))
        }
        assert set(bundled_choices(field).names.values()) == in_scheme
    agents = set(bundled_choices("type").names.values())
    assert {CG.Person, CG.NewsOutlet, CG.AnonymousSource, CG.Committee, CG.UnnamedAuthor} <= agents
    assert CG.Agent not in agents


@pytest.mark.parametrize(
    ("field", "spellings", "iri"),
    [
        (
            "kind",
            ["cg:PositionOrDemand", "position-or-demand", CG.PositionOrDemand, "Position-Or-Demand"],
            CG.PositionOrDemand,
        ),
        ("channel", ["public", "public-channel", "cg:PublicChannel"], CG.PublicChannel),
        ("mode", ["direct", "direct-quote", "author-voice", "authors-voice"], None),
        ("type", ["outlet", "news-outlet", "cg:NewsOutlet"], CG.NewsOutlet),
        ("type", ["anonymous", "anonymous-source"], CG.AnonymousSource),
        ("relay act", ["told-to", "cg:ToldTo"], CG.ToldTo),
    ],
)
def test_a_value_is_its_curie_its_kebab_name_its_label_or_a_word_of_one_alone(
    field: str, spellings: list[str], iri: str | None
) -> None:
    resolved = {bundled_choices(field).resolve(s, path=Path("x")) for s in spellings}
    assert resolved == {iri} if iri else len(resolved) == 2


def test_a_class_the_data_s_ontology_adds_is_a_type(data_copy: Path) -> None:
    extra = data_copy / "ontology" / "claimgraph.ttl"
    extra.write_text(
        extra.read_text(encoding="utf-8")
        + '\ncg:ThinkTank a owl:Class ; rdfs:label "Think tank"@en ; rdfs:subClassOf cg:Organization .\n',
        encoding="utf-8",
    )
    written = add_actor("actor:some-institute", data_dir=data_copy, type="think-tank", label="Some Institute")
    assert (RDF.type, f"<{CG.term('ThinkTank')}>") in statements(data_copy, "actor:some-institute")
    assert written.written
    assert violations(data_copy) == []


# --- add-actor -------------------------------------------------------------------------------------


def test_an_actor_is_appended_to_the_actors_registry_in_its_layout(data_copy: Path) -> None:
    before = (data_copy / "graph" / "actors.trig").read_text(encoding="utf-8")
    result = run(
        data_copy,
        "add-actor",
        "actor:dmitry-peskov",
        "--type",
        "person",
        "--label",
        "Dmitry Peskov",
        "--affiliated-with",
        "actor:russian-government",
        "--description",
        "Kremlin spokesman",
    )
    assert result.exit_code == 0, result.output
    actors = data_copy / "graph" / "actors.trig"
    assert result.output == f"Added actor:dmitry-peskov to {actors} (graph graph:actors).\n"
    after = actors.read_text(encoding="utf-8")
    assert after == before.removesuffix("}\n") + (
        "    actor:dmitry-peskov\n"
        "        a                 cg:Person ;\n"
        '        rdfs:label        "Dmitry Peskov"@en ;\n'
        "        cg:affiliatedWith actor:russian-government ;\n"
        '        rdfs:comment      "Kremlin spokesman"@en .\n'
        "\n}\n"
    )
    assert violations(data_copy) == []


def test_an_anonymous_source_gets_its_description_and_count(data_copy: Path) -> None:
    add_actor("actor:officials", data_dir=data_copy, type="anonymous", label="Officials", description="officials")
    officials = statements(data_copy, "actor:officials")
    assert (CG.description, '"officials"@en') in officials
    assert (CG.notStated, f"<{CG.sourceCount}>") in officials
    add_actor("actor:one", data_dir=data_copy, type="anonymous", label="One", description="a source", source_count=1)
    assert (CG.sourceCount, f'"1"^^<{XSD.integer}>') in statements(data_copy, "actor:one")
    assert violations(data_copy) == []


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["actor:reuters", "--type", "outlet", "--label", "Reuters"],
            f"{{actors}}: already uses <{expand('actor:reuters')}>: choose another IRI",
        ),
        (
            ["actor:x", "--type", "persn", "--label", "X"],
            "{actors}: --type 'persn': not a subclass of cg:Agent (known: agency, alliance, anonymous-source,"
            " committee, diplomatic-mission, government, group, legislature, news-outlet, organization, person,"
            " political-party, state, unnamed-author); did you mean person?",
        ),
        (
            ["actor:x", "--type", "person", "--label", "X", "--affiliated-with", "actor:russian-governmant"],
            "{actors}: --affiliated-with 'actor:russian-governmant': not defined as a cg:Agent in the data;"
            " did you mean actor:russian-government, actor:ukrainian-government or actor:us-government?",
        ),
        (
            ["actor:x", "--type", "anonymous", "--label", "X"],
            "{actors}: --description: an anonymous source (cg:AnonymousSource) needs one: how the text describes it",
        ),
        (
            ["actor:x", "--type", "person", "--label", "X", "--source-count", "2"],
            "{actors}: --source-count '2': only an anonymous source has a source count, not a cg:Person",
        ),
        (
            ["actr:x", "--type", "person", "--label", "X"],
            "{actors}: IRI 'actr:x': unknown prefix 'actr' (known: "
            + ", ".join(
                [
                    "cg",
                    "cgsh",
                    "actor",
                    "claim",
                    "prop",
                    "doc",
                    "place",
                    "event",
                    "proposal",
                    "evidence",
                    "anchor",
                    "relay",
                    "nonresponse",
                    "role",
                    "graph",
                    "prov",
                    "schema",
                    "oa",
                    "dcterms",
                    "skos",
                    "owl",
                    "rdf",
                    "rdfs",
                    "void",
                    "xsd",
                    "sh",
                ]
            )
            + ")",
        ),
        (
            ["actor:x", "--type", "person", "--label", " "],
            "{actors}: --label ' ': give the words (it may not be empty)",
        ),
    ],
)
def test_add_actor_refusals_change_nothing(data_copy: Path, args: list[str], error: str) -> None:
    before = files(data_copy)
    result = run(data_copy, "add-actor", *args)
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == ["Error: " + error.format(actors=data_copy / "graph" / "actors.trig")]
    assert files(data_copy) == before


def test_a_registry_file_that_is_missing_is_created(tmp_path: Path) -> None:
    """A fresh repository: graph/ only, with the bundled ontology."""
    (tmp_path / "graph").mkdir()
    add_actor("actor:reuters", data_dir=tmp_path, type="outlet", label="Reuters")
    text = (tmp_path / "graph" / "actors.trig").read_text(encoding="utf-8")
    assert text.startswith("# claimgraph registry: actors")
    assert "graph:actors {\n\n    actor:reuters\n        a          cg:NewsOutlet ;\n" in text
    dataset = load_dataset(tmp_path)
    assert dataset.sources[ox.NamedNode(GRAPH.actors)] == tmp_path / "graph" / "actors.trig"
    assert violations(tmp_path) == []


# --- add-proposition -------------------------------------------------------------------------------


def test_a_proposition_keeps_its_relations_and_the_marker_that_justifies_them(data_copy: Path) -> None:
    result = run(
        data_copy,
        "add-proposition",
        "prop:russia-has-no-intention-to-attack-nato",
        "--label",
        "Russia has no intention of attacking any NATO country",
        "--about",
        "actor:nato",
        "--contradicts",
        "prop:war-aims-to-restore-soviet-era-influence",
        "--supports",
        "prop:russia-poses-no-threat-to-europe",
        "--note",
        "\u201crun counter to\u201d",
    )
    assert result.exit_code == 0, result.output
    prop = statements(data_copy, "prop:russia-has-no-intention-to-attack-nato")
    assert (CG.contradicts, f"<{expand('prop:war-aims-to-restore-soviet-era-influence')}>") in prop
    assert (CG.supports, f"<{expand('prop:russia-poses-no-threat-to-europe')}>") in prop
    assert (
        RDFS.comment,
        '"Contradicts prop:war-aims-to-restore-soviet-era-influence; supports'
        ' prop:russia-poses-no-threat-to-europe \u2014 textual marker: \u201crun counter to\u201d"@en',
    ) in prop
    assert violations(data_copy) == []


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["--contradicts", "prop:putin-wants-more"],
            "--note: a relation between propositions needs the textual marker that justifies it",
        ),
        (
            ["--note", "because"],
            "--note 'because': a note justifies a relation: declare one (contradicts, supports, entails) or leave the"
            " note out",
        ),
        (
            ["--entails", "prop:putin-wants-mor", "--note", "x"],
            "--entails 'prop:putin-wants-mor': not defined as a cg:Proposition in the data; did you mean"
            " prop:putin-wants-more?",
        ),
        (
            ["--supports", "actor:nato", "--note", "x"],
            "--supports 'actor:nato': actor:nato is a cg:Alliance, not a cg:Proposition",
        ),
        (
            ["--about", "place:ukrain"],
            "--about 'place:ukrain': not defined in the data; did you mean place:ukraine or actor:ukraine?",
        ),
    ],
)
def test_add_proposition_refusals_change_nothing(data_copy: Path, args: list[str], error: str) -> None:
    before = files(data_copy)
    result = run(data_copy, "add-proposition", "prop:new", "--label", "New", *args)
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [f"Error: {data_copy / 'graph' / 'propositions.trig'}: {error}"]
    assert files(data_copy) == before


# --- writing in a file's own layout ----------------------------------------------------------------


def test_a_file_s_indentation_and_prefixes_are_kept_and_a_missing_prefix_declared(tmp_path: Path) -> None:
    text = (
        "# mine\n"
        "PREFIX g: <https://w3id.org/claimgraph/id/graph/>\n"
        "PREFIX cg: <https://w3id.org/claimgraph/ontology#>\n"
        "\n"
        "g:mine {\n"
        "  <x:a>\n"
        "    a cg:Thing .\n"
        "}\n"
        "\n"
        "g:other {\n"
        "}\n"
    )
    block = Block(ox.NamedNode(expand("actor:b") or "")).add(RDF.type, ox.NamedNode(CG.Person))
    block.add(RDFS.label, ox.Literal('B "quoted"\nline', language="en"))
    new, written = TrigFile(tmp_path / "f.trig", text).insert(GRAPH.mine, [block])
    assert new == (
        "# mine\n"
        "PREFIX g: <https://w3id.org/claimgraph/id/graph/>\n"
        "PREFIX cg: <https://w3id.org/claimgraph/ontology#>\n"
        "PREFIX actor: <https://w3id.org/claimgraph/id/actor/>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "\n"
        "g:mine {\n"
        "  <x:a>\n"
        "    a cg:Thing .\n"
        "\n"
        "  actor:b\n"
        "    a          cg:Person ;\n"
        '    rdfs:label "B \\"quoted\\"\\nline"@en .\n'
        "\n"
        "}\n"
        "\n"
        "g:other {\n"
        "}\n"
    )
    assert written.startswith("  actor:b\n")
    quads = set(ox.parse(new.encode(), format=ox.RdfFormat.TRIG))
    assert set(ox.parse(text.encode(), format=ox.RdfFormat.TRIG)) | set(block.quads(ox.NamedNode(GRAPH.mine))) == quads


def test_a_file_whose_graph_block_cannot_be_found_is_refused(data_copy: Path) -> None:
    odd = data_copy / "graph" / "actors.trig"
    text = odd.read_text(encoding="utf-8").replace("graph:actors {\n", "graph:actors {   # the registry\n")
    odd.write_text(text, encoding="utf-8")
    before = files(data_copy)
    result = run(data_copy, "add-actor", "actor:x", "--type", "person", "--label", "X")
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"Error: {odd}: no block for graph <{GRAPH.actors}> found (a line 'LABEL {{' and a line '}}')"
    ]
    assert files(data_copy) == before


def test_a_graph_only_repository_copy_is_written_in_the_bundled_layout(tmp_path: Path) -> None:
    shutil.copytree(bundled_data_dir() / "graph", tmp_path / "graph")
    add_proposition("prop:new", data_dir=tmp_path, label="New", about=["actor:nato"])
    text = (tmp_path / "graph" / "propositions.trig").read_text(encoding="utf-8")
    assert text.endswith(
        '    prop:new\n        a          cg:Proposition ;\n        rdfs:label "New"@en ;\n'
        "        cg:about   actor:nato .\n\n}\n"
    )
    assert violations(tmp_path) == []
