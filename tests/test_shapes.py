"""The SHACL shapes of ontology/shapes.ttl, one conforming and one or more violating examples per shape.

Every example starts from the base fixture (tests/resources/shapes/base/), a minimal dataset that
produces no result at all, and applies a SPARQL Update from tests/resources/shapes/cases.yaml (and, for
the archived-text cases, a changed copy of the archived file). A violating example must produce results
from exactly its shape, on the expected focus node, with the expected severity and constraint
components; a conforming example must produce no result. Every validating shape must have a case, so a
new shape without a test fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from helpers.shape_cases import BASE_TEXT, SEVERITIES, Case, Variant, build, expand, load_cases
from rdflib.collection import Collection

from claimgraph.namespaces import CG, CGSH, PREFIXES, SH, SHAPES_GRAPH
from claimgraph.validation.api import ValidationResult, validate

REPO = Path(__file__).resolve().parents[1]
SHAPES_FILE = REPO / "ontology" / "shapes.ttl"
RESOURCES = Path(__file__).resolve().parent / "resources" / "shapes"

SHN = rdflib.Namespace(SH)
#: Predicates whose subject is a shape, and predicates whose object (or list members) are shapes.
SHAPE_SUBJECT_PREDICATES = (SHN.path, SHN.targetClass, SHN.targetNode, SHN.targetSubjectsOf, SHN.targetObjectsOf)
TARGET_PREDICATES = (SHN.targetClass, SHN.targetNode, SHN.targetSubjectsOf, SHN.targetObjectsOf, SHN.target)
SHAPE_OBJECT_PREDICATES = (SHN.property, SHN.node, SHN["not"], SHN.qualifiedValueShape)
SHAPE_LIST_PREDICATES = (SHN["or"], SHN["and"], SHN.xone)


# ---------------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------------


CASES = load_cases()
VIOLATING = [
    pytest.param(case, variant, id=f"{case.shape}/{variant.name}") for case in CASES for variant in case.violating
]
CONFORMING = [pytest.param(case, id=case.shape) for case in CASES]


# ---------------------------------------------------------------------------------------------------
# Building and validating an example
# ---------------------------------------------------------------------------------------------------


def describe(results: list[ValidationResult]) -> str:
    return "\n".join(
        f"  {r.severity.value} {r.shape} focus={r.focus} path={r.path} value={r.value} [{r.component}]" for r in results
    )


@pytest.fixture(scope="module")
def shapes_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_FILE, format="turtle")


def validating_shapes(graph: rdflib.Graph) -> set[rdflib.term.Node]:
    """Shapes that can appear as sh:sourceShape: those with a target of their own."""
    return {s for p in TARGET_PREDICATES for s in graph.subjects(p, None)}


def all_shapes(graph: rdflib.Graph) -> set[rdflib.term.Node]:
    """Every node used as a shape in ``graph``."""
    shapes = {s for p in SHAPE_SUBJECT_PREDICATES for s in graph.subjects(p, None)}
    for kind in (SHN.NodeShape, SHN.PropertyShape):
        shapes |= set(graph.subjects(rdflib.RDF.type, kind))
    shapes |= {o for p in SHAPE_OBJECT_PREDICATES for o in graph.objects(None, p)}
    for p in SHAPE_LIST_PREDICATES:
        for head in graph.objects(None, p):
            shapes |= set(Collection(graph, head))
    return shapes


# ---------------------------------------------------------------------------------------------------
# The examples
# ---------------------------------------------------------------------------------------------------


def test_base_fixture_produces_no_result(tmp_path: Path) -> None:
    report = validate(build(tmp_path))
    assert report.results == [], "the base fixture must be clean:\n" + describe(report.results)
    assert report.conforms


@pytest.mark.parametrize(("case", "variant"), VIOLATING)
def test_violating_example_fires_exactly_its_shape(
    tmp_path: Path, shapes_graph: rdflib.Graph, case: Case, variant: Variant
) -> None:
    dataset = build(tmp_path, variant.update, archive=variant.archive, refresh=variant.refresh_archive)
    results = validate(dataset).results
    shown = describe(results)

    assert results, f"{case.shape}/{variant.name} produced no result"
    assert {r.shape for r in results} == {case.shape_iri}, "results from other shapes:\n" + shown
    assert {r.focus for r in results} == {expand(variant.focus or case.focus)}, "unexpected focus nodes:\n" + shown
    assert {r.severity.value for r in results} == {case.severity}, "unexpected severity:\n" + shown
    assert {r.component for r in results} == variant.components, "unexpected constraint components:\n" + shown
    message = str(shapes_graph.value(rdflib.URIRef(case.shape_iri), SHN.message))
    assert {r.message for r in results} == {message}, "results must carry the shape's sh:message:\n" + shown


@pytest.mark.parametrize("case", CONFORMING)
def test_conforming_example_produces_no_result(tmp_path: Path, shapes_graph: rdflib.Graph, case: Case) -> None:
    dataset = build(tmp_path, case.conforming)
    results = validate(dataset).results
    assert results == [], f"{case.shape}: the conforming example must be clean:\n" + describe(results)

    # The example must exercise the shape: its focus node is one of the shape's targets.
    shape = rdflib.URIRef(case.shape_iri)
    focus = expand(case.focus)
    patterns = [f"<{focus}> rdf:type/rdfs:subClassOf* <{c}>" for c in shapes_graph.objects(shape, SHN.targetClass)]
    patterns += [f"<{focus}> <{p}> ?o" for p in shapes_graph.objects(shape, SHN.targetSubjectsOf)]
    patterns += [f"?s <{p}> <{focus}>" for p in shapes_graph.objects(shape, SHN.targetObjectsOf)]
    assert patterns, f"{case.shape} has no target"
    union = " UNION ".join(f"{{ {p} }}" for p in patterns)
    assert dataset.select(f"SELECT * WHERE {{ {union} }} LIMIT 1"), (
        f"{case.focus} is not a target of {case.shape} in the conforming example"
    )


def test_every_object_property_is_a_target_of_reference_defined(shapes_graph: rdflib.Graph) -> None:
    # Those whose values a shape restricts to a list of concepts (sh:in) are checked there instead; those
    # the loader derives (cg:derivedInto) link only nodes whose asserted links are checked already.
    ontology = rdflib.Graph().parse(REPO / "ontology" / "claimgraph.ttl")
    derived = set(ontology.subjects(rdflib.URIRef(CG.derivedInto), None))
    properties = set(ontology.subjects(rdflib.RDF.type, rdflib.OWL.ObjectProperty)) - derived
    listed = {p for s in shapes_graph.subjects(SHN["in"], None) for p in shapes_graph.objects(s, SHN.path)}
    targets = set(shapes_graph.objects(rdflib.URIRef(CGSH.term("Reference-defined")), SHN.targetObjectsOf))
    assert targets == properties - listed


def test_quote_offsets_counted_in_utf8_bytes_are_rejected(tmp_path: Path) -> None:
    """Offsets are Unicode code points: UTF-8 byte offsets (shifted by the emoji and curly quote) fail."""
    text = BASE_TEXT.read_text(encoding="utf-8")
    start = text.index("The bridge is open again,")
    end = start + len("The bridge is open again,")
    byte_start, byte_end = len(text[:start].encode("utf-8")), len(text[:end].encode("utf-8"))
    assert (byte_start, byte_end) != (start, end)
    dataset = build(
        tmp_path,
        f"""
        DELETE {{ GRAPH doc:shapes-fixture {{ ?selector oa:start ?start ; oa:end ?end }} }}
        INSERT {{ GRAPH doc:shapes-fixture {{
            ?selector oa:start "{byte_start}"^^xsd:nonNegativeInteger ;
                      oa:end "{byte_end}"^^xsd:nonNegativeInteger }} }}
        WHERE {{ GRAPH doc:shapes-fixture {{
            BIND(anchor:shapes-fixture-minister-bridge-open-position AS ?selector)
            ?selector oa:start ?start ; oa:end ?end }} }}
        """,
    )
    results = validate(dataset).results
    assert {r.shape for r in results} == {
        CGSH.term("TextAnchor-exactInArchivedText"),
        CGSH.term("TextAnchor-prefixInArchivedText"),
        CGSH.term("TextAnchor-suffixInArchivedText"),
    }, describe(results)


# ---------------------------------------------------------------------------------------------------
# The shapes file itself
# ---------------------------------------------------------------------------------------------------


def test_every_shape_has_a_case(shapes_graph: rdflib.Graph) -> None:
    with_message = {str(s) for s in shapes_graph.subjects(SHN.message, None)}
    cased = [case.shape_iri for case in CASES]
    assert len(cased) == len(set(cased)), "a shape has more than one case"
    assert sorted(with_message - set(cased)) == [], "shapes without a case in cases.yaml"
    assert sorted(set(cased) - with_message) == [], "cases for shapes that do not exist (or have no sh:message)"


def test_every_validating_shape_is_an_iri_with_a_message_in_english(shapes_graph: rdflib.Graph) -> None:
    for shape in all_shapes(shapes_graph):
        assert isinstance(shape, rdflib.URIRef) and shape.startswith(CGSH), f"shape {shape!r} is not a cgsh: IRI"
    validating = validating_shapes(shapes_graph)
    assert validating == set(shapes_graph.subjects(SHN.message, None))
    for shape in validating:
        messages = list(shapes_graph.objects(shape, SHN.message))
        assert len(messages) == 1, f"{shape} needs exactly one sh:message"
        message = messages[0]
        assert isinstance(message, rdflib.Literal) and message.language == "en", f"{shape}: sh:message must be @en"


def test_helper_shapes_never_report_on_their_own(shapes_graph: rdflib.Graph) -> None:
    """A shape without a target is used only inside another shape's logic, so it cannot be a sh:sourceShape."""
    validating = validating_shapes(shapes_graph)
    for helper in all_shapes(shapes_graph) - validating:
        assert (helper, SHN.message, None) not in shapes_graph, f"{helper}: a helper's sh:message would never show"
        assert (helper, rdflib.RDFS.comment, None) in shapes_graph, f"{helper}: say what the helper is for"
        for referrer in shapes_graph.subjects(SHN.property, helper):
            assert referrer not in validating, f"{helper} would report as the source shape of {referrer}"
        assert (None, SHN.node, helper) not in shapes_graph, f"{helper}: sh:node results would name the helper"


def test_severities_are_declared_only_for_the_weak_but_legal_cases(shapes_graph: rdflib.Graph) -> None:
    declared = {str(s): str(o).removeprefix(SH) for s, o in shapes_graph.subject_objects(SHN.severity)}
    assert set(declared.values()) <= SEVERITIES - {"Violation"}, "sh:Violation is the default: leave it out"
    expected = {case.shape_iri: case.severity for case in CASES if case.severity != "Violation"}
    assert declared == expected
    assert expected == {
        CGSH.term("Claim-dateNotStated"): "Info",
        CGSH.term("Claim-singleAnonymousSource"): "Warning",
        CGSH.term("Claim-singleAnonymousRelay"): "Warning",
    }


def test_sparql_constraints_state_their_intent_and_declare_their_prefixes(shapes_graph: rdflib.Graph) -> None:
    shapes_iri = rdflib.URIRef(SHAPES_GRAPH)
    assert (shapes_iri, rdflib.RDF.type, rdflib.OWL.Ontology) in shapes_graph
    assert (shapes_iri, rdflib.OWL.imports, rdflib.URIRef(PREFIXES["cg"].rstrip("#"))) in shapes_graph
    declared = {
        str(shapes_graph.value(d, SHN.prefix)): str(shapes_graph.value(d, SHN.namespace))
        for d in shapes_graph.objects(shapes_iri, SHN.declare)
    }
    assert all(PREFIXES.get(prefix) == namespace for prefix, namespace in declared.items()), declared

    constraints = list(shapes_graph.subject_objects(SHN.sparql))
    assert constraints, "no SHACL-SPARQL constraint found"
    for shape, constraint in constraints:
        assert (constraint, rdflib.RDF.type, SHN.SPARQLConstraint) in shapes_graph, shape
        assert shapes_graph.value(constraint, SHN.prefixes) == shapes_iri, f"{shape}: sh:prefixes the shapes graph"
        query = str(shapes_graph.value(constraint, SHN.select))
        assert query.lstrip().startswith("# Intent:"), f"{shape}: open the query with '# Intent: …'"
        body = "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))
        used = set(re.findall(r"(?<![\w?$<])([a-z][\w-]*):\w", body))
        assert used <= set(declared), f"{shape}: undeclared prefixes {sorted(used - set(declared))}"
