"""The W3C SHACL test suite (core and SHACL-SPARQL ``sht:Validate`` tests) against both engines.

The suite comes from the installed pySHACL version's sdist (``make test`` fetches it into
``tests/.w3c-shacl/``, see ``tests/helpers/fetch_w3c_shacl.py``); it is never committed here. Without
it these tests skip, or fail when ``CI`` is set.

Each entry runs on:

- ``reference``: pySHACL (``validation.reference.validate_graph``) on the files as rdflib parses them;
- ``fast``: the compiled shapes on an Oxigraph store loaded from the data file, strict (no
  delegation). The engine either gives the expected results, or *declines* (a shape it cannot
  express exactly, with the reason), and then the auto engine (fast + delegation to pySHACL) must
  give them. A wrong answer fails. Where the fast engine answers, its messages must also be
  pySHACL's, result for result.

Results are compared as multisets of (focus, path, value, severity, shape, component); blank nodes by
their structure (:mod:`helpers.w3c`). The expected outcomes below are explicit: every decline with
its reason, every test pySHACL itself gets wrong.
"""

from __future__ import annotations

import os
from collections import Counter

import pyoxigraph as ox
import pytest
import rdflib
from helpers.w3c import SH, SUITE, SUMMARY, Entry, Outcome, describe, entries, key

from claimgraph.terms import to_rdflib, to_rdflib_term
from claimgraph.validation.compiler import UnsupportedShapesError, compile_shapes
from claimgraph.validation.reference import validate_graph

pytestmark = pytest.mark.w3c

#: Tests pySHACL itself gets wrong (xfail, strict), with why.
REFERENCE_WRONG: dict[str, str] = {
    "core/property/uniqueLang-002": 'pySHACL reads sh:uniqueLang "1"^^xsd:boolean as true and reports duplicates',
    "sparql/pre-binding/shapesGraph-001": "pySHACL does not pre-bind $shapesGraph (its own ALLOWABLE_FAILURES)",
}

#: Tests the fast engine declines, strict, with a substring of the reason given.
DECLINED: dict[str, str] = {
    "core/complex/personexample": "sh:closed",
    "core/complex/shacl-shacl": "sh:closed",
    "core/node/closed-001": "sh:closed",
    "core/node/closed-002": "sh:closed",
    "core/node/equals-001": "sh:equals",
    "core/node/qualified-001": "sh:qualifiedValueShapesDisjoint",
    "core/property/equals-001": "sh:equals",
    "core/property/lessThanOrEquals-001": "sh:lessThanOrEquals",
    "core/property/qualifiedMinCountDisjoint-001": "sh:qualifiedValueShapesDisjoint",
    "core/property/qualifiedValueShapesDisjoint-001": "sh:qualifiedValueShapesDisjoint",
    "core/property/uniqueLang-001": "sh:uniqueLang",
    "core/property/uniqueLang-002": "sh:uniqueLang",
    "sparql/component/optional-001": "SPARQL-based constraint components",
    "sparql/component/nodeValidator-001": "SPARQL-based constraint components",
    "sparql/component/propertyValidator-select-001": "SPARQL-based constraint components",
    "sparql/component/validator-001": "SPARQL-based constraint components",
    "sparql/node/prefixes-001": "query rdflib cannot parse: Unknown namespace prefix : ex",
    "sparql/node/sparql-001": "sh:message on a SPARQL constraint (several messages per result)",
    "sparql/node/sparql-002": "sh:message on a SPARQL constraint (several messages per result)",
    "sparql/node/sparql-003": "sh:message on a SPARQL constraint (several messages per result)",
    "sparql/pre-binding/pre-binding-001": "sh:message on a SPARQL constraint (several messages per result)",
    "sparql/pre-binding/pre-binding-002": "$this is not bound by a triple pattern of the query's top-level group",
    "sparql/pre-binding/pre-binding-003": "$this is not bound by a triple pattern of the query's top-level group",
    "sparql/pre-binding/pre-binding-004": "$this is not bound by a triple pattern of the query's top-level group",
    "sparql/pre-binding/pre-binding-005": "$this is used outside the triple patterns and filters",
    "sparql/pre-binding/pre-binding-006": "Using 'SELECT *' in a nested SELECT query",
    "sparql/pre-binding/pre-binding-007": "ToMultiSet in a SPARQL constraint",
    "sparql/pre-binding/shapesGraph-001": "sh:message on a SPARQL constraint (several messages per result)",
    "sparql/pre-binding/unsupported-sparql-001": "must not contain a MINUS clause",
    "sparql/pre-binding/unsupported-sparql-002": "must not contain a VALUES clause",
    "sparql/pre-binding/unsupported-sparql-003": "must not contain a federated query (SERVICE)",
    "sparql/pre-binding/unsupported-sparql-004": "All potentially pre-bound variables must be selected",
    "sparql/pre-binding/unsupported-sparql-005": "Cannot use AS to re-bind potentially pre-bound variables",
    "sparql/pre-binding/unsupported-sparql-006": "SPARQL-based constraint components",
    "sparql/property/sparql-001": "sh:message on a SPARQL constraint (several messages per result)",
}

#: Tests the fast engine (strict, or auto after declining) gets wrong (xfail, strict), with why.
FAST_WRONG: dict[str, str] = {
    **REFERENCE_WRONG,  # declined, so pySHACL's wrong answer is the auto engine's
    "core/node/maxExclusive-001": 'Oxigraph stores "4.0"^^xsd:decimal as "4": the value is reported as "4"',
    "core/node/minExclusive-001": 'Oxigraph stores "4.0"^^xsd:decimal as "4": the value is reported as "4"',
    "core/property/datatype-ill-formed": 'Oxigraph stores "300"^^xsd:byte as "300"^^xsd:integer (reported so)',
    "core/property/property-001": "a nested property shape's focus nodes are made distinct (one result, two expected)",
    "sparql/node/prefixes-001": "delegated shape by shape, pySHACL's SPARQL constraint misses the sh:declare prefixes",
}

ENTRIES = entries() if (SUITE / "manifest.ttl").is_file() else []


def _params(engine: str) -> list[object]:
    params = []
    for entry in ENTRIES:
        marks = []
        wrong = REFERENCE_WRONG if engine == "reference" else FAST_WRONG
        if entry.id in wrong:
            marks.append(pytest.mark.xfail(reason=wrong[entry.id], strict=True))
        params.append(pytest.param(entry, id=entry.id, marks=marks))
    return params


def _graph(path: object) -> rdflib.Graph:
    from pathlib import Path

    assert isinstance(path, Path)
    return rdflib.Graph().parse(path, format="turtle", publicID=path.as_uri())


def run_reference(entry: Entry, data: rdflib.Graph | None = None, shapes: rdflib.Graph | None = None) -> Outcome:
    """pySHACL on the files as rdflib parses them (or on ``data``, ``shapes``)."""
    data = _graph(entry.data) if data is None else data
    shapes = _graph(entry.shapes) if shapes is None else shapes
    try:
        report = validate_graph(data, shapes)
    except Exception as error:  # pySHACL refusing the shapes: sht:Failure
        return Outcome(failure=f"{type(error).__name__}: {error}")
    outcome = Outcome()
    graphs = [report, shapes, data]
    for r in report.objects(None, SH.result):
        k = key(report, r, graphs)
        outcome.results[k] += 1
        outcome.messages[(k, tuple(sorted(str(m) for m in report.objects(r, SH.resultMessage))))] += 1
    return outcome


def _store(entry: Entry) -> ox.Store:
    store = ox.Store()
    store.load(
        path=str(entry.data),
        format=ox.RdfFormat.TURTLE,
        base_iri=entry.data.as_uri(),
        to_graph=ox.NamedNode(entry.data.as_uri()),
    )
    return store


def run_fast(
    entry: Entry, *, strict: bool, store: ox.Store | None = None, shapes: rdflib.Graph | None = None
) -> Outcome:
    store = _store(entry) if store is None else store
    shapes = _graph(entry.shapes) if shapes is None else shapes
    data = to_rdflib(store)
    try:
        compiled = compile_shapes(shapes)
        findings = compiled.run(store, data_graph=None if strict else (lambda: data))
    except UnsupportedShapesError as declined:
        return Outcome(declined=declined.reasons)
    except Exception as error:
        return Outcome(failure=f"{type(error).__name__}: {error}")
    outcome = Outcome()
    graphs = [shapes, data]

    def shapes_term(text: str | None) -> rdflib.term.Node | None:
        if text is None:
            return None
        blank = rdflib.BNode(text)
        return blank if (blank, None, None) in shapes else rdflib.URIRef(text)

    def term(found: object) -> rdflib.term.Node | None:
        if isinstance(found, ox.NamedNode | ox.BlankNode | ox.Literal):
            return to_rdflib_term(found)
        assert found is None or isinstance(found, rdflib.term.Node)
        return found

    for f in findings:
        r = f.result
        k = (
            describe(term(f.focus_term), graphs),
            describe(shapes_term(r.path), graphs),
            describe(term(f.value_term), graphs),
            rdflib.URIRef(r.severity.iri).n3(),
            describe(shapes_term(r.shape), graphs),
            rdflib.URIRef(r.component).n3(),
        )
        outcome.results[k] += 1
        outcome.messages[(k, (r.message,) if r.message else ())] += 1
    return outcome


def _assert_expected(entry: Entry, outcome: Outcome) -> None:
    if entry.failure_expected:
        assert outcome.failure is not None, "sht:Failure expected, the engine validated"
        return
    assert outcome.failure is None, outcome.failure
    conforms, expected = entry.expected()
    got = outcome.results
    assert conforms == (not got), f"conforms: expected {conforms}"
    assert got == expected, (
        f"unexpected: {list((got - expected).elements())}\nmissing: {list((expected - got).elements())}"
    )


def _record(engine: str, entry: Entry, outcome: str) -> None:
    SUMMARY.setdefault(engine, {})[entry.id] = outcome


@pytest.mark.parametrize("entry", _params("reference"))
def test_reference(entry: Entry) -> None:
    _record("reference", entry, "xfailed" if entry.id in REFERENCE_WRONG else "failed")
    _assert_expected(entry, run_reference(entry))
    _record("reference", entry, "passed")


@pytest.mark.parametrize("entry", _params("fast"))
def test_fast(entry: Entry) -> None:
    _record("fast", entry, "xfailed" if entry.id in FAST_WRONG else "failed")
    store, shapes = _store(entry), _graph(entry.shapes)
    strict = run_fast(entry, strict=True, store=store, shapes=shapes)
    if strict.declined:
        reasons = "; ".join(f"{shape}: {why}" for shape, why in sorted(strict.declined.items()))
        assert entry.id in DECLINED, f"declined, unexpectedly: {reasons}"
        assert DECLINED[entry.id] in reasons, reasons
        _assert_expected(entry, run_fast(entry, strict=False))
        _record("fast", entry, f"declined: {reasons}")
        return
    assert entry.id not in DECLINED, "expected to be declined"
    _assert_expected(entry, strict)
    if not entry.failure_expected and entry.id not in FAST_WRONG:
        # pySHACL on the same graphs as validate(engine="pyshacl") gives it: the data as the store holds it
        reference = run_reference(entry, data=to_rdflib(store), shapes=shapes)
        assert strict.messages == reference.messages, (
            f"fast only: {list((strict.messages - reference.messages).elements())}\n"
            f"pySHACL only: {list((reference.messages - strict.messages).elements())}"
        )
    _record("fast", entry, "passed")


def test_the_suite_is_there() -> None:
    """Fails in CI without the suite (``make test`` fetches it); skips elsewhere."""
    if not ENTRIES:
        message = f"the W3C SHACL test suite is missing from {SUITE} (run `make w3c-suite`)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    ids = [e.id for e in ENTRIES]
    assert len(ids) == len(set(ids))
    assert set(DECLINED) <= set(ids) and set(FAST_WRONG) <= set(ids)
    counts = Counter(e.id.split("/")[0] for e in ENTRIES)
    assert counts == Counter({"core": counts["core"], "sparql": counts["sparql"]})
