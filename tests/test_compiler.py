"""The fast validation engine (shapes compiled to SPARQL) gives exactly pySHACL's results.

Compared field for field, as multisets of :class:`ValidationResult`: every shape test case of
tests/resources/shapes (violating and conforming), the bundled graph and mutations of it, a synthetic
corpus with every kind of violation, and a shapes graph of its own that uses every constraint
component the compiler supports on awkward values (ill-typed literals, language tags, duplicates
across named graphs, blank nodes) — plus components it does not support, which pySHACL validates.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml
from helpers.shape_cases import build

from claimgraph.io.dataset import Dataset, load_dataset
from claimgraph.namespaces import ANCHOR, CLAIM, DOC, SH, XSD, sparql_prefixes
from claimgraph.project import bundled_data_dir
from claimgraph.synth import MINIMUM_CLAIMS, generate
from claimgraph.terms import to_rdflib
from claimgraph.validation.api import ValidationResult, validate
from claimgraph.validation.compiler import COMPONENTS, SUPPORTED, Unsupported, UnsupportedShapesError, compile_shapes
from claimgraph.validation.compiler.base import datatype_is, same_term
from claimgraph.validation.compiler.sparql_based import PerFocusCheck
from claimgraph.validation.reference import core_components

RESOURCES = Path(__file__).resolve().parent / "resources" / "shapes"
REPO = Path(__file__).resolve().parents[1]


def assert_same(dataset: Dataset, *, delegated: set[str] | None = None) -> list[ValidationResult]:
    """The default engine and pySHACL agree; ``delegated``: the shapes the fast engine must leave to pySHACL."""
    report = validate(dataset)
    assert report.engine == "fast"
    if delegated is not None:
        assert set(report.delegated) == delegated, report.delegated
    fast = report.results
    reference = validate(dataset, engine="pyshacl").results
    a, b = Counter(fast), Counter(reference)
    assert a == b, f"fast only: {list((a - b).elements())}\npySHACL only: {list((b - a).elements())}"
    assert fast == reference, "same results, but not in the same order"
    return fast


# ---------------------------------------------------------------------------------------------------
# Every shape test case
# ---------------------------------------------------------------------------------------------------


def _cases() -> list[Any]:
    params = []
    for entry in yaml.safe_load((RESOURCES / "cases.yaml").read_text(encoding="utf-8")):
        for variant in entry["violating"]:
            params.append(
                pytest.param(
                    variant["update"],
                    variant.get("archive", {}),
                    variant.get("refresh_archive", False),
                    id=f"{entry['shape']}/{variant['name']}",
                )
            )
        params.append(pytest.param(entry.get("conforming", ""), {}, False, id=f"{entry['shape']}/conforming"))
    return params


@pytest.mark.parametrize(("update", "archive", "refresh"), _cases())
def test_shape_case(tmp_path: Path, update: str, archive: dict[str, Any], refresh: bool) -> None:
    dataset = build(tmp_path, update, archive=archive, refresh=refresh)
    assert_same(dataset)


def test_the_bundled_shapes_compile_entirely_into_one_query_per_constraint() -> None:
    compiled = compile_shapes(to_rdflib(load_dataset().shape_quads()))
    assert compiled.fallback == {}
    # every SHACL-SPARQL constraint joined to its focus nodes, none run once per node
    assert not [c for c in compiled.checks if isinstance(c, PerFocusCheck)]


# ---------------------------------------------------------------------------------------------------
# The bundled graph and mutations of it
# ---------------------------------------------------------------------------------------------------

_CLAIM = CLAIM.term("intelligence-community-putin-wants-more")
_ANCHOR = ANCHOR.term("intelligence-community-putin-wants-more")
_ANON = CLAIM.term("anonymous-source-review-late-september")
_DOC = DOC.term("optimism-vs-intelligence")

MUTATIONS = {
    "none": "",
    "claim-without-claimant": f"DELETE WHERE {{ GRAPH ?g {{ <{_CLAIM}> cg:claimant ?o }} }}",
    "claim-without-evidence": f"DELETE WHERE {{ GRAPH ?g {{ <{_CLAIM}> cg:evidence ?o }} }}",
    "two-stances": f"INSERT DATA {{ GRAPH <{_DOC}> {{ <{_CLAIM}> cg:stance cg:Denies }} }}",
    "altered-quote": f"""DELETE {{ GRAPH ?g {{ ?s oa:exact ?e }} }} INSERT {{ GRAPH ?g {{ ?s oa:exact ?x }} }}
        WHERE {{ GRAPH ?g {{ <{_ANCHOR}> oa:hasSelector ?s . ?s oa:exact ?e }}
                 BIND(REPLACE(?e, "more", "mere") AS ?x) }}""",
    "shifted-offsets": f"""DELETE {{ GRAPH ?g {{ ?s oa:start ?a ; oa:end ?b }} }}
        INSERT {{ GRAPH ?g {{ ?s oa:start ?a1 ; oa:end ?b1 }} }}
        WHERE {{ GRAPH ?g {{ <{_ANCHOR}> oa:hasSelector ?s . ?s oa:start ?a ; oa:end ?b }}
                 BIND(STRDT(STR(?a + 1), xsd:nonNegativeInteger) AS ?a1)
                 BIND(STRDT(STR(?b + 1), xsd:nonNegativeInteger) AS ?b1) }}""",
    "anonymous-without-intermediary": f"""DELETE {{ GRAPH ?g {{ ?e cg:relay ?s }} }}
        WHERE {{ GRAPH ?g {{ <{_ANON}> cg:evidence ?e . ?e cg:relay ?s }} }}""",
    "everything-dated-wrongly": """DELETE { GRAPH ?g { ?c cg:notStated dcterms:date } }
        INSERT { GRAPH ?g { ?c dcterms:date "2025-13-01"^^xsd:date } }
        WHERE { GRAPH ?g { ?c a cg:Claim ; cg:notStated dcterms:date } }""",
    "text-removed": "DROP GRAPH graph:archive",
}


@pytest.mark.parametrize("update", list(MUTATIONS.values()), ids=list(MUTATIONS))
def test_bundled_graph_and_mutations(update: str) -> None:
    dataset = load_dataset()
    if update:
        dataset.store.update(sparql_prefixes() + update)
    results = assert_same(dataset, delegated=set())
    if update:
        assert any(r.severity.value == "Violation" for r in results)


# ---------------------------------------------------------------------------------------------------
# A synthetic corpus with every kind of violation
# ---------------------------------------------------------------------------------------------------


def test_synthetic_corpus_with_every_kind_of_violation(tmp_path: Path) -> None:
    manifest = generate(tmp_path, claims=MINIMUM_CLAIMS, seed=7)
    dataset = load_dataset(tmp_path)
    results = assert_same(dataset, delegated=set())
    assert sorted((r.severity.value, r.shape, r.focus) for r in results) == manifest.expected_results


# ---------------------------------------------------------------------------------------------------
# Every supported component, on awkward values; unsupported ones left to pySHACL
# ---------------------------------------------------------------------------------------------------

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .

<https://w3id.org/claimgraph/shapes> a owl:Ontology ;
    sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .

ex:int a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:int ; sh:datatype xsd:integer ; sh:message "int"@en .
ex:range a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:int ; sh:minInclusive 1 ; sh:message "min" .
ex:range2 a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:int ; sh:maxExclusive 100 ; sh:message "max" .
ex:date a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:date ; sh:datatype xsd:date ; sh:message "date" .
ex:dec a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:dec ; sh:datatype xsd:decimal ;
    sh:maxInclusive 1.5 ; sh:message "dec" .
ex:str a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:name ; sh:datatype xsd:string ;
    sh:message "str" .
ex:len a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:name ; sh:minLength 2 ; sh:message "minlen" .
ex:len2 a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:name ; sh:maxLength 5 ; sh:message "maxlen" .
ex:pattern a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:name ; sh:pattern "^[a-z]" ; sh:flags "i" ;
    sh:message "pattern" .
ex:lang a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:label ; sh:languageIn ( "en" "fr" ) ;
    sh:message "lang" .
ex:langdt a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:label ; sh:datatype rdf:langString ;
    sh:message "langString" .
ex:kind a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:link ; sh:nodeKind sh:IRI ; sh:message "kind" .
ex:class a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:link ; sh:class ex:Thing ; sh:message "class" .
ex:in a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:colour ; sh:in ( ex:Red ex:Green "blue" 3 ) ;
    sh:message "in" .
ex:has a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:colour ; sh:hasValue ex:Red ; sh:message "has" .
ex:lt a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:start ; sh:lessThan ex:end ; sh:message "lt" .
ex:dis a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:link ; sh:disjoint ex:other ; sh:message "dis" .
ex:selfdis a sh:NodeShape ; sh:targetClass ex:Thing ; sh:disjoint ex:link ; sh:message "selfdis" .
ex:card a sh:PropertyShape ; sh:targetSubjectsOf ex:int ; sh:path ex:int ; sh:minCount 1 ; sh:maxCount 1 ;
    sh:message "card" .
ex:card3 a sh:PropertyShape ; sh:targetObjectsOf ex:link ; sh:path ex:name ; sh:minCount 2 ; sh:message "card3" .
ex:inv a sh:PropertyShape ; sh:targetNode ex:b, ex:nowhere ; sh:path [ sh:inversePath ex:link ] ; sh:maxCount 1 ;
    sh:message "inv" .
ex:xone a sh:NodeShape ; sh:targetClass ex:Thing ; sh:xone ( ex:HasInt ex:HasDate ) ; sh:message "xone" .
ex:HasInt a sh:PropertyShape ; sh:path ex:int ; sh:minCount 1 .
ex:HasDate a sh:PropertyShape ; sh:path ex:date ; sh:minCount 1 .
ex:or a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:int ; sh:or ( ex:IntLit ex:DecLit ) ; sh:message "or" .
ex:IntLit a sh:NodeShape ; sh:datatype xsd:integer .
ex:DecLit a sh:NodeShape ; sh:datatype xsd:decimal .
ex:not a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:link ; sh:not ex:Small ; sh:message "not" .
ex:Small a sh:NodeShape ; sh:property [ sh:path ex:int ; sh:maxInclusive 5 ; sh:minCount 1 ] .
ex:and a sh:NodeShape ; sh:targetClass ex:Thing ; sh:message "and" ;
    sh:and ( ex:HasInt [ a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:maxCount 2 ] ] ) .
ex:node a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:link ; sh:node ex:Named ; sh:message "node" .
ex:Named a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
ex:q a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:link ; sh:qualifiedValueShape [ sh:class ex:Special ] ;
    sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 ; sh:message "q" .
ex:warn a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:name ; sh:minCount 1 ; sh:severity sh:Warning ;
    sh:message "warn" .
ex:deact a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:int ; sh:minCount 5 ; sh:deactivated true ;
    sh:message "deactivated" .
ex:nodedt a sh:NodeShape ; sh:targetObjectsOf ex:date ; sh:datatype xsd:date ; sh:message "nodedt" .
ex:nested a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property ex:nestedprop ; sh:message "nested" .
ex:nestedprop a sh:PropertyShape ; sh:path ex:colour ; sh:maxCount 2 ; sh:message "nestedprop" .
ex:sparql a sh:NodeShape ; sh:targetClass ex:Thing ; sh:message "sparql" ;
    sh:sparql [ a sh:SPARQLConstraint ; sh:prefixes <https://w3id.org/claimgraph/shapes> ;
        sh:select '''SELECT $this ?value WHERE {
            $this ex:link ?value . FILTER NOT EXISTS { ?value ex:name ?n . ?n ex:x ?y } }''' ] .
ex:sparqlpath a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:int ; sh:message "sparql path" ;
    sh:sparql [ a sh:SPARQLConstraint ;
        sh:select "SELECT $this ?value WHERE { $this $PATH ?value . FILTER(isNumeric(?value) && ?value > 50) }" ] .
ex:sparqlnovalue a sh:NodeShape ; sh:targetClass ex:Thing ; sh:message "sparql no value" ;
    sh:sparql [ a sh:SPARQLConstraint ; sh:select "SELECT $this WHERE { $this <http://example.org/start> ?s }" ] .
"""

UNSUPPORTED = """
ex:equals a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:start ; sh:equals ex:end ; sh:message "eq" .
ex:closed a sh:NodeShape ; sh:targetClass ex:Special ; sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
    sh:property [ sh:path ex:int ] , [ sh:path ex:name ] .
ex:unique a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:label ; sh:uniqueLang true .
ex:atmost a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:start ; sh:lessThanOrEquals ex:end .
ex:ownmessage a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:sparql [ a sh:SPARQLConstraint ; sh:message "own" ;
                sh:select "SELECT $this WHERE { $this <http://example.org/start> ?s }" ] .
ex:nomessage a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:name ; sh:maxCount 1 .
ex:limited a sh:NodeShape ; sh:targetClass ex:Thing ; sh:message "limited" ;
    sh:sparql [ a sh:SPARQLConstraint ; sh:select "SELECT $this WHERE { $this a ?t } LIMIT 1" ] .
"""

DATA = """
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .

ex:g {
    ex:SubThing rdfs:subClassOf ex:Thing .
    ex:a a ex:Thing ; ex:int 7, "0"^^xsd:positiveInteger ; ex:date "2025-02-30"^^xsd:date ; ex:dec 1.25 ;
        ex:name "Ab", "abcdef", "x"@en ; ex:label "hi"@en, "hallo"@de, "plain", "hello"@en-GB ;
        ex:link ex:b, ex:c, "lit" ; ex:colour ex:Red, "blue", 3, ex:Blue, "blue"@en ;
        ex:start 5 ; ex:end 3 ; ex:other ex:c .
    ex:b a ex:Thing, ex:Special ; ex:int "abc"^^xsd:integer, 200 ; ex:name "Bo" ; ex:link ex:b ;
        ex:start "2025-01-01"^^xsd:date ; ex:end "2024-01-01"^^xsd:date, "2026-01-01"^^xsd:date .
    ex:c a ex:Thing ; ex:date "2025-01-05"^^xsd:date, "2025-01-06T00:00:00Z"^^xsd:dateTime ;
        ex:int "1_000"^^xsd:integer ; ex:dec "2"^^xsd:decimal, "x"^^xsd:decimal ; ex:name " b", ex:NotAString ;
        ex:start "a" ; ex:end "b" ; ex:link ex:d .
    ex:d a ex:SubThing ; ex:int 0, 1 ; ex:name "é"@fr ; ex:link ex:a ; ex:colour ex:Red .
    ex:e a ex:Thing ; ex:int 3.5 ; ex:date "2025"^^xsd:gYear ; ex:name "" ; ex:label "x"@fr ; ex:colour ex:Red .
    ex:f a ex:Thing ; ex:date "2024-12-31"^^xsd:date ; ex:colour ex:Red .
}

ex:g2 {
    ex:a ex:int 7 ; ex:link ex:b ; ex:colour ex:Red .
    ex:f ex:label "one"@en, "two"@EN .
    ex:b ex:name "Bo" .
}
"""


def _custom(tmp_path: Path, shapes: str) -> Dataset:
    root = tmp_path / "data"
    (root / "ontology").mkdir(parents=True)
    (root / "graph").mkdir()
    shutil.copy(bundled_data_dir() / "ontology" / "claimgraph.ttl", root / "ontology")
    (root / "ontology" / "shapes.ttl").write_text(shapes, encoding="utf-8")
    (root / "graph" / "data.trig").write_text(DATA, encoding="utf-8")
    return load_dataset(root)


def test_every_supported_component_on_awkward_values(tmp_path: Path) -> None:
    dataset = _custom(tmp_path, SHAPES)
    compiled = compile_shapes(to_rdflib(dataset.shape_quads()))
    assert compiled.fallback == {}
    # Its SPARQL constraint compares ex:int values, among them "abc"^^xsd:integer and "1_000"^^xsd:integer,
    # which rdflib and Oxigraph value differently: pySHACL validates that shape.
    results = assert_same(dataset, delegated={"http://example.org/sparqlpath"})
    fired = {r.message for r in results}
    expected = {
        "int",
        "min",
        "max",
        "date",
        "dec",
        "str",
        "minlen",
        "maxlen",
        "pattern",
        "lang",
        "langString",
        "kind",
        "class",
        "in",
        "has",
        "lt",
        "dis",
        "selfdis",
        "card",
        "card3",
        "inv",
        "xone",
        "or",
        "not",
        "and",
        "node",
        "q",
        "warn",
        "nodedt",
        "nestedprop",
        "sparql",
        "sparql path",
        "sparql no value",
    }
    assert expected <= fired, f"never fired: {sorted(expected - fired)}"


def test_unsupported_shapes_are_validated_by_pyshacl(tmp_path: Path) -> None:
    dataset = _custom(tmp_path, SHAPES + UNSUPPORTED)
    compiled = compile_shapes(to_rdflib(dataset.shape_quads()))
    assert set(compiled.fallback) == {"http://example.org/ownmessage"}
    auto = validate(dataset).results
    reference = validate(dataset, engine="pyshacl").results
    assert Counter(auto) == Counter(reference)
    found = {r.shape.removeprefix("http://example.org/") for r in auto}
    assert {"equals", "closed", "unique", "atmost", "nomessage", "ownmessage"} <= found
    # a SPARQL constraint with LIMIT runs once per focus node, pre-bound, as pySHACL runs it
    assert "http://example.org/limited" in {r.shape for r in auto}
    assert [c for c in compiled.checks if isinstance(c, PerFocusCheck)]
    with pytest.raises(UnsupportedShapesError, match="sh:message on a SPARQL constraint"):
        validate(dataset, engine="fast")


def test_a_shape_without_message_gets_pyshacls_generic_message(tmp_path: Path) -> None:
    dataset = _custom(tmp_path, SHAPES + UNSUPPORTED)
    compiled = compile_shapes(to_rdflib(dataset.shape_quads()))
    assert "http://example.org/nomessage" not in compiled.fallback
    results = [r for r in assert_same(dataset) if r.shape == "http://example.org/nomessage"]
    assert results and all(r.message for r in results)


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown validation engine"):
        validate(load_dataset(), engine="jena")


def test_report_graph_of_the_fast_engine_lists_every_result(tmp_path: Path) -> None:
    import rdflib

    generate(tmp_path, claims=MINIMUM_CLAIMS, seed=3)
    report = validate(load_dataset(tmp_path))
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    graph = report.graph
    assert len(list(graph.objects(None, sh.result))) == len(report.results)
    assert (None, sh.conforms, rdflib.Literal(False)) in graph


def test_each_parameter_belongs_to_the_component_pyshacl_gives_it() -> None:
    # The same partition of parameters into components as pySHACL's, and the same component names
    # (pySHACL calls its SHACL-SPARQL class SPARQLBasedConstraint; the component is sh:SPARQLConstraintComponent).
    theirs = {
        p: name.replace("SPARQLBasedConstraint", "SPARQLConstraintComponent") for p, name in core_components().items()
    }
    ours = {p: cls.iri().removeprefix(SH) for p, cls in COMPONENTS.items()}
    assert {p: theirs[p] for p in ours if p in theirs} == {p: c for p, c in ours.items() if p in theirs}
    assert set(ours) - set(theirs) == {SH + "flags"}  # pySHACL's pattern component reads sh:flags itself
    assert set(theirs) - set(ours) == set()  # every core parameter has its component


def test_supported_lists_exactly_the_parameters_of_the_registered_components() -> None:
    assert {SH + local for local in SUPPORTED} == set(COMPONENTS)
    assert "qualifiedMinCount" in SUPPORTED and "flags" in SUPPORTED


def test_a_parameter_no_component_handles_sends_its_shape_to_pyshacl_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import rdflib

    from claimgraph.validation.compiler import core

    # every core parameter has a component today: take one away, as a pySHACL upgrade could add one
    monkeypatch.delitem(core.COMPONENTS, SH + "equals")
    shapes = rdflib.Graph().parse(
        data=f"""@prefix sh: <{SH}> . @prefix ex: <http://example.org/> .
        ex:s a sh:NodeShape ; sh:targetClass ex:C ; sh:message "m" ; sh:property [ sh:path ex:p ; sh:equals ex:o ] .""",
        format="turtle",
    )
    compiled = compile_shapes(shapes)
    assert compiled.checks == []
    (reason,) = compiled.fallback.values()
    assert "sh:equals on " in reason


def test_min_and_max_count_of_one_shape_share_one_query() -> None:
    import rdflib

    shapes = rdflib.Graph().parse(
        data=f"""@prefix sh: <{SH}> . @prefix ex: <http://example.org/> .
        ex:s a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:p ; sh:minCount 1 ; sh:maxCount 2 ;
            sh:datatype <http://www.w3.org/2001/XMLSchema#string> ; sh:message "m" .""",
        format="turtle",
    )
    compiled = compile_shapes(shapes)
    assert compiled.fallback == {}
    assert [type(c).__name__ for c in compiled.checks] == ["CountCheck", "ValueCheck"]


def _run_fast(shapes_ttl: str, data_ttl: str) -> list[ValidationResult]:
    import pyoxigraph as ox
    import rdflib

    store = ox.Store()
    store.load(data_ttl.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("http://example.org/g"))
    compiled = compile_shapes(rdflib.Graph().parse(data=shapes_ttl, format="turtle"))
    return [f.result for f in compiled.run(store)]


def test_a_custom_severity_is_kept_and_does_not_fail() -> None:
    from claimgraph.validation.results import Severity

    shapes = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
    ex:s a sh:NodeShape ; sh:targetNode ex:a ; sh:severity ex:MySeverity ; sh:class ex:C ."""
    (result,) = _run_fast(shapes, "<http://example.org/a> <http://example.org/p> 1 .")
    assert result.severity.iri == "http://example.org/MySeverity"
    assert result.severity not in (Severity.VIOLATION, Severity.WARNING, Severity.INFO)
    assert result.severity.curie == "<http://example.org/MySeverity>"


def test_this_in_a_nested_filter_is_pre_bound_in_the_text_once_per_focus_node() -> None:
    import rdflib

    shapes = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
    ex:s a sh:NodeShape ; sh:targetNode ex:a, ex:b ; sh:message "m" ;
        sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o . { FILTER(bound($this)) } }" ] ."""
    compiled = compile_shapes(rdflib.Graph().parse(data=shapes, format="turtle"))
    assert compiled.fallback == {}
    assert [type(c).__name__ for c in compiled.checks] == ["PerFocusCheck"]
    # joined, the nested filter would see $this unbound and find nothing; pre-bound, it holds
    found = _run_fast(shapes, "<http://example.org/a> <http://example.org/p> 1 .")
    assert [r.focus for r in found] == ["http://example.org/a"]


# ---------------------------------------------------------------------------------------------------
# The analyses of SHACL-SPARQL texts, remembered between runs
# ---------------------------------------------------------------------------------------------------


def test_sparql_analyses_restored_from_a_snapshot_need_no_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    from claimgraph.validation.compiler import analyses, sparql_based

    shapes = to_rdflib(load_dataset().shape_quads())
    monkeypatch.setattr(analyses, "_TABLE", {})
    first = compile_shapes(shapes)
    with pytest.raises(Unsupported, match="not a SELECT query"):
        sparql_based._check_prebinding("ASK { ?s ?p ?o }")
    saved = analyses.snapshot()

    parsed: list[str] = []
    monkeypatch.setattr(analyses, "_TABLE", {})
    monkeypatch.setattr(sparql_based, "_prepare", parsed.append)
    analyses.restore(saved)
    again = compile_shapes(shapes)
    assert any(isinstance(c, sparql_based.SparqlCheck) for c in first.checks)
    assert [c.text for c in again.checks if isinstance(c, sparql_based.SparqlCheck)] == [
        c.text for c in first.checks if isinstance(c, sparql_based.SparqlCheck)
    ]
    assert again.fallback == first.fallback
    with pytest.raises(Unsupported, match="not a SELECT query"):  # a refusal is remembered too
        sparql_based._check_prebinding("ASK { ?s ?p ?o }")
    assert parsed == []


def test_sparql_analyses_of_other_code_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from claimgraph.validation.compiler import analyses

    monkeypatch.setattr(analyses, "_TABLE", {})
    analyses.restore(json.dumps({"code": "another", "outcomes": {"k": "v"}}))
    analyses.restore("not json")
    assert json.loads(analyses.snapshot())["outcomes"] == {}


_TERMS = [
    ox.NamedNode("https://example.org/a"),
    ox.Literal("https://example.org/a"),
    ox.Literal("a"),
    ox.Literal("a", language="en"),
    ox.Literal("a", language="de"),
    ox.Literal("a", datatype=ox.NamedNode("https://example.org/dt")),
    ox.Literal("5", datatype=ox.NamedNode(XSD.integer)),
    ox.Literal("05", datatype=ox.NamedNode(XSD.integer)),
    ox.Literal("2025-02-30", datatype=ox.NamedNode(XSD.date)),
    ox.Literal('say "a"\n', language="en"),
]


@pytest.mark.parametrize("term", _TERMS, ids=str)
def test_term_tests_written_without_sameterm_agree_with_sameterm(term: ox.NamedNode | ox.Literal) -> None:
    """The compiler's forms of sameTerm and DATATYPE(…) = (which Virtuoso 7.2 reads right) say what those say."""
    store = ox.Store()
    subject = ox.NamedNode("https://example.org/s")
    store.extend(ox.Quad(subject, ox.NamedNode(f"https://example.org/p{i}"), t) for i, t in enumerate(_TERMS))
    store.add(ox.Quad(subject, ox.NamedNode("https://example.org/b"), ox.BlankNode()))
    query = (
        f"SELECT ?v ?same ?ours ?typed ?ours_typed WHERE {{ ?s ?p ?v "
        f"BIND(sameTerm(?v, {term}) AS ?same) BIND({same_term('?v', term)} AS ?ours) "
        f"BIND(isLiteral(?v) && DATATYPE(?v) = {datatype_of(term)} AS ?typed) "
        f"BIND({datatype_is('?v', datatype_of(term)[1:-1])} AS ?ours_typed) }}"
    )
    rows = list(store.query(query))
    assert len(rows) == len(_TERMS) + 1
    for row in rows:
        assert row["ours"] == row["same"], row["v"]
        assert row["ours_typed"] == row["typed"], row["v"]
    assert any(row["ours"] == ox.Literal(True) for row in rows)


def datatype_of(term: ox.NamedNode | ox.Literal) -> str:
    return str(term.datatype) if isinstance(term, ox.Literal) else f"<{XSD.string}>"
