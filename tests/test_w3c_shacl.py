"""The W3C SHACL test suite (core and SHACL-SPARQL ``sht:Validate`` tests) through the command line.

The suite comes from the installed pySHACL version's sdist (``make test`` fetches it into
``tests/.w3c-shacl/``, see ``tests/helpers/fetch_w3c_shacl.py``); it is never committed here. Without
it these tests skip, or fail when ``CI`` is set.

Each entry runs as a user runs a general SHACL validation, ``claimgraph validate --shapes SHAPES
--engine E --format turtle DATA``, and the Turtle report is parsed and compared with the expected one:

- ``reference``: ``--engine reference``, pySHACL on the data as the file writes it;
- ``fast``: ``--engine fast``, the compiled shapes alone. The engine either gives the expected
  results, or *declines* (exit 2, naming each shape it cannot express exactly, with the reason), and
  then ``--engine auto`` (fast + delegation to pySHACL) must give them. A wrong answer fails. Where the
  fast engine answers, its messages must also be pySHACL's, result for result.

An expected ``sht:Failure`` is exit code 2 with a one-line error. Results are compared as multisets of
(focus, path, value, severity, shape, component); blank nodes by their structure, which the report
copies in (:mod:`helpers.w3c`). The expected outcomes below are explicit: every decline with its
reason, every test pySHACL itself gets wrong.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import rdflib
from click.testing import CliRunner
from helpers.w3c import SH, SUITE, SUMMARY, Entry, Outcome, entries, key

from claimgraph.cli import main

pytestmark = pytest.mark.w3c

#: Tests pySHACL itself gets wrong (xfail, strict), with why.
REFERENCE_WRONG: dict[str, str] = {
    "core/property/uniqueLang-002": 'rdflib reads sh:uniqueLang "1"^^xsd:boolean as true: duplicates are reported',
    "sparql/node/prefixes-001": "pySHACL does not follow owl:imports to the sh:declare of sh:prefixes (SHACL 5.2.1)",
    "sparql/pre-binding/shapesGraph-001": "pySHACL does not pre-bind $shapesGraph (its own ALLOWABLE_FAILURES)",
}

#: Tests the fast engine declines, strict, with a substring of the reason given.
DECLINED: dict[str, str] = {
    "core/complex/shacl-shacl": "shapes nested too deep (recursive?)",
    "core/node/qualified-001": "sh:qualifiedValueShapesDisjoint",
    "core/property/datatype-ill-formed": "sh:datatype <http://www.w3.org/2001/XMLSchema#byte>: an Oxigraph store",
    "core/property/qualifiedMinCountDisjoint-001": "sh:qualifiedValueShapesDisjoint",
    "core/property/qualifiedValueShapesDisjoint-001": "sh:qualifiedValueShapesDisjoint",
    "sparql/component/optional-001": "SPARQL-based constraint components",
    "sparql/component/nodeValidator-001": "SPARQL-based constraint components",
    "sparql/component/propertyValidator-select-001": "SPARQL-based constraint components",
    "sparql/component/validator-001": "SPARQL-based constraint components",
    "sparql/node/sparql-001": "sh:message on a SPARQL constraint (several messages per result)",
    "sparql/node/sparql-002": "sh:message on a SPARQL constraint (several messages per result)",
    "sparql/node/sparql-003": "sh:message on a SPARQL constraint (several messages per result)",
    "sparql/pre-binding/pre-binding-001": "sh:message on a SPARQL constraint (several messages per result)",
    "sparql/pre-binding/shapesGraph-001": "sh:message on a SPARQL constraint (several messages per result)",
    "sparql/pre-binding/unsupported-sparql-006": "SPARQL-based constraint components",
    "sparql/property/sparql-001": "sh:message on a SPARQL constraint (several messages per result)",
}

#: Tests the fast engine (strict, or auto after declining) gets wrong (xfail, strict), with why.
FAST_WRONG: dict[str, str] = {
    # declined, so pySHACL's wrong answer is the auto engine's
    **{test: why for test, why in REFERENCE_WRONG.items() if test in DECLINED},
    # both engines read the shapes through rdflib
    "core/property/uniqueLang-002": REFERENCE_WRONG["core/property/uniqueLang-002"],
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


def run(entry: Entry, engine: str) -> Outcome:
    """``claimgraph validate --shapes`` on the entry with ``engine``, its Turtle report read back."""
    args = ["validate", "--shapes", str(entry.shapes), "--engine", engine, "--format", "turtle", str(entry.data)]
    result = CliRunner().invoke(main, args)
    if result.exit_code == 2:
        (line,) = result.stderr.splitlines()  # one line, no traceback
        assert line.startswith("Error: "), line
        if "cannot compile" in line:
            return Outcome(declined={"": line})
        return Outcome(failure=line)
    assert result.exit_code in (0, 1), result.output
    report = rdflib.Graph().parse(data=result.stdout, format="turtle")
    (node,) = report.subjects(rdflib.RDF.type, SH.ValidationReport)
    outcome = Outcome()
    for r in report.objects(node, SH.result):
        k = key(report, r, [report])
        outcome.results[k] += 1
        outcome.messages[(k, tuple(sorted(str(m) for m in report.objects(r, SH.resultMessage))))] += 1
    conforms = report.value(node, SH.conforms)
    assert conforms is not None and conforms.toPython() == (not outcome.results)
    failing = {SH.Violation, SH.Warning} & set(report.objects(None, SH.resultSeverity))
    assert result.exit_code == (1 if failing else 0), "exit 1 exactly when a violation or warning is reported"
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
    _assert_expected(entry, run(entry, "reference"))
    _record("reference", entry, "passed")


@pytest.mark.parametrize("entry", _params("fast"))
def test_fast(entry: Entry) -> None:
    _record("fast", entry, "xfailed" if entry.id in FAST_WRONG else "failed")
    strict = run(entry, "fast")
    if strict.declined:
        (reasons,) = strict.declined.values()
        assert entry.id in DECLINED, f"declined, unexpectedly: {reasons}"
        assert DECLINED[entry.id] in reasons, reasons
        _assert_expected(entry, run(entry, "auto"))
        _record("fast", entry, f"declined: {reasons.removeprefix('Error: ')}")
        return
    assert entry.id not in DECLINED, "expected to be declined"
    _assert_expected(entry, strict)
    if not entry.failure_expected and entry.id not in FAST_WRONG and entry.id not in REFERENCE_WRONG:
        reference = run(entry, "reference")
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
