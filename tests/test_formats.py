"""JUnit XML and SARIF 2.1.0 reports: schema-valid, and each result at the file and line of its focus node."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result
from junitparser import Failure, JUnitXml, TestCase

from claimgraph.cli import main
from claimgraph.io.dataset import load_dataset
from claimgraph.io.positions import SourcePosition
from claimgraph.namespaces import ACTOR, ANCHOR, CGSH, CLAIM, curie
from claimgraph.project import bundled_data_dir
from claimgraph.validation.api import Counts, Severity, ValidationReport, ValidationResult, validate
from claimgraph.validation.render import RENDERERS, ReportContext, render_junit, render_sarif, report_context

SCHEMA = Path(__file__).parent / "resources" / "sarif" / "sarif-2.1.0-rtm.5.json"
DOC_FILE = "graph/optimism-vs-intelligence.trig"
ACTORS_FILE = "graph/actors.trig"
CLAIM_IRI = CLAIM.term("us-intel-negotiation-assumptions-misaligned")
ANCHOR_IRI = ANCHOR.term("intelligence-community-putin-wants-more")
REUTERS = ACTOR.term("reuters")


@cache
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def assert_valid_sarif(document: dict[str, Any]) -> None:
    errors = sorted(sarif_validator().iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in ``path`` (which must contain it)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    """1-based line of the first line of ``path`` that equals ``text`` once stripped."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() == text:
            return number
    raise AssertionError(f"{text!r} is not a line of {path}")


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the bundled data, hand-edited as in a pull request; the working directory is its root.

    - claim:us-intel-negotiation-assumptions-misaligned loses its claimant (a violation);
    - actor:reuters loses its label (a violation, in another file);
    - the quote of anchor:intelligence-community-putin-wants-more is altered (a violation).
    """
    root = tmp_path_factory.mktemp("broken") / "data"
    for part in ("ontology", "graph"):
        shutil.copytree(bundled_data_dir() / part, root / part)
    doc, actors = root / DOC_FILE, root / ACTORS_FILE
    edit(doc, "        cg:claimant    actor:us-intelligence-agencies ;\n", "")
    reuters = '        a          cg:NewsOutlet ;\n        rdfs:label "Reuters"@en .\n'
    edit(actors, reuters, "        a          cg:NewsOutlet .\n")
    edit(
        doc,
        '"The intelligence community has always said that Putin wants more,"',
        '"The intelligence community said that Putin wants more,"',
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        yield root


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


_RUNS: dict[tuple[str, ...], Result] = {}


def validated(root: Path, *args: str) -> Result:
    """``claimgraph validate --data . ARGS`` in ``root`` (the working directory), run once per arguments."""
    key = (str(root), *args)
    if key not in _RUNS:
        assert Path.cwd() == root
        _RUNS[key] = run("validate", "--data", ".", *args)
    return _RUNS[key]


def expected_lines(root: Path) -> dict[str, tuple[str, int]]:
    return {
        CLAIM_IRI: (DOC_FILE, line_of(root / DOC_FILE, curie(CLAIM_IRI))),
        REUTERS: (ACTORS_FILE, line_of(root / ACTORS_FILE, curie(REUTERS))),
        ANCHOR_IRI: (DOC_FILE, line_of(root / DOC_FILE, curie(ANCHOR_IRI))),
    }


# --- SARIF ---------------------------------------------------------------------------------------


def test_sarif_places_each_violation_at_its_focus_node_line(broken: Path) -> None:
    result = validated(broken, "--format", "sarif", "--allow-warnings")
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert_valid_sarif(document)
    (sarif_run,) = document["runs"]
    errors = {}
    for r in sarif_run["results"]:
        if r["level"] != "error":
            continue
        location = r["locations"][0]
        physical = location["physicalLocation"]
        focus = location["logicalLocations"][0]["fullyQualifiedName"]
        errors[(r["ruleId"], focus)] = (physical["artifactLocation"]["uri"], physical["region"]["startLine"])
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    lines = expected_lines(broken)
    assert errors == {
        ("cgsh:Claim-claimant", CLAIM_IRI): lines[CLAIM_IRI],
        ("cgsh:Agent-label", REUTERS): lines[REUTERS],
        ("cgsh:TextAnchor-exactInArchivedText", ANCHOR_IRI): lines[ANCHOR_IRI],
    }
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == broken.resolve().as_uri() + "/"


def test_sarif_rules_are_the_shapes_with_their_messages_and_levels(broken: Path) -> None:
    document = json.loads(validated(broken, "--format", "sarif").output)
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == "claimgraph"
    assert driver["informationUri"] == "https://w3id.org/claimgraph/ontology"
    rules = {rule["id"]: rule for rule in driver["rules"]}
    claimant = rules["cgsh:Claim-claimant"]
    assert claimant["shortDescription"]["text"] == "A claim needs exactly one claimant (cg:claimant), a cg:Agent."
    assert claimant["fullDescription"]["text"].startswith(claimant["shortDescription"]["text"][:-1] + ": the person")
    assert claimant["defaultConfiguration"]["level"] == "error"
    assert rules["cgsh:Claim-singleAnonymousSource"]["defaultConfiguration"]["level"] == "warning"
    assert rules["cgsh:Claim-dateNotStated"]["defaultConfiguration"]["level"] == "note"
    levels = {(r["ruleId"], r["level"]) for r in document["runs"][0]["results"]}
    assert ("cgsh:Claim-singleAnonymousSource", "warning") in levels
    assert ("cgsh:Claim-dateNotStated", "note") in levels
    for r in document["runs"][0]["results"]:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]


def test_sarif_message_names_the_focus_node_and_path(broken: Path) -> None:
    document = json.loads(validated(broken, "--format", "sarif").output)
    texts = [r["message"]["text"] for r in document["runs"][0]["results"] if r["ruleId"] == "cgsh:Claim-claimant"]
    assert len(texts) == 1
    assert texts[0].startswith("claim:us-intel-negotiation-assumptions-misaligned cg:claimant: A claim needs exactly")


def test_sarif_of_data_outside_the_working_directory_uses_absolute_uris(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    document = json.loads(run("validate", "--data", str(data_copy), "--format", "sarif").output)
    assert_valid_sarif(document)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
    assert uris == {(data_copy / DOC_FILE).resolve().as_uri()}


def test_sarif_of_a_passing_graph_is_valid_and_says_it_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(bundled_data_dir())
    result = run("validate", "--format", "sarif", "--allow-warnings")
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert_valid_sarif(document)
    (sarif_run,) = document["runs"]
    assert sarif_run["properties"]["conforms"] is True
    assert sarif_run["invocations"] == [{"executionSuccessful": True, "exitCode": 0}]
    assert {r["level"] for r in sarif_run["results"]} == {"warning", "note"}


def test_sarif_after_a_sparql_mutation_lands_on_the_rewritten_file(
    mutate: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    claim = CLAIM.term("intelligence-community-putin-wants-more")
    root = mutate(f"DELETE WHERE {{ GRAPH ?g {{ <{claim}> cg:proposition ?o }} }}")
    monkeypatch.chdir(root)
    document = json.loads(run("validate", "--data", ".", "--format", "sarif").output)
    assert_valid_sarif(document)
    (found,) = [r for r in document["runs"][0]["results"] if r["level"] == "error"]
    physical = found["locations"][0]["physicalLocation"]
    assert found["ruleId"] == "cgsh:Claim-proposition"
    assert physical["artifactLocation"]["uri"] == DOC_FILE
    line = (root / DOC_FILE).read_text(encoding="utf-8").splitlines()[physical["region"]["startLine"] - 1]
    assert line.lstrip().startswith(curie(claim) + " ")


# --- JUnit ---------------------------------------------------------------------------------------


def junit(root: Path, *args: str) -> tuple[Result, JUnitXml]:
    result = validated(root, "--format", "junit", *args)
    return result, JUnitXml.fromstring(result.output.encode("utf-8"))


def cases(xml: JUnitXml) -> list[tuple[str, TestCase]]:
    return [(suite.name, case) for suite in xml for case in suite]


def test_junit_has_a_suite_per_shape_and_a_failing_case_per_violation(broken: Path) -> None:
    result, xml = junit(broken, "--allow-warnings")
    assert result.exit_code == 1
    failing = {}
    for suite_name, case in cases(xml):
        assert case.classname == suite_name
        for outcome in case.result:
            if isinstance(outcome, Failure):
                failing[(suite_name, case.name)] = (case._elem.get("file"), int(case._elem.get("line")), outcome.type)
    lines = expected_lines(broken)
    assert failing == {
        ("cgsh:Claim-claimant", curie(CLAIM_IRI)): (*lines[CLAIM_IRI], "sh:Violation"),
        ("cgsh:Agent-label", curie(REUTERS)): (*lines[REUTERS], "sh:Violation"),
        ("cgsh:TextAnchor-exactInArchivedText", curie(ANCHOR_IRI)): (*lines[ANCHOR_IRI], "sh:Violation"),
    }
    assert xml.failures == 3
    assert xml.errors == 0


def test_junit_counts_passing_checks_so_totals_mean_something(broken: Path) -> None:
    _, xml = junit(broken, "--allow-warnings")
    dataset = load_dataset(broken)
    claims = dataset.count("https://w3id.org/claimgraph/ontology#Claim")
    suites = {suite.name: suite for suite in xml}
    claimant = suites["cgsh:Claim-claimant"]
    assert (claimant.tests, claimant.failures) == (claims, 1)
    passing = [case for case in claimant if case.is_passed]
    assert len(passing) == claims - 1
    assert all(case._elem.get("file") == DOC_FILE for case in claimant)
    assert xml.tests == sum(suite.tests for suite in xml)
    assert xml.tests > 500


def test_junit_warnings_fail_unless_allowed_and_infos_never_fail(broken: Path) -> None:
    _, strict = junit(broken)
    _, lenient = junit(broken, "--allow-warnings")
    warning_suite = "cgsh:Claim-singleAnonymousSource"
    strict_suites = {s.name: s for s in strict}
    lenient_suites = {s.name: s for s in lenient}
    assert strict_suites[warning_suite].failures == 1
    assert lenient_suites[warning_suite].failures == 0
    (allowed,) = [c for c in lenient_suites[warning_suite] if c.system_out]
    assert allowed.is_passed and allowed.system_out.startswith("WARNING: ")
    for xml in (strict, lenient):
        infos = {s.name: s for s in xml}["cgsh:Claim-dateNotStated"]
        assert infos.failures == 0
        assert infos.tests >= 20
        assert all(case.is_passed and (case.system_out or "").startswith("INFO: ") for case in infos)
    assert strict.failures == lenient.failures + 1


def test_junit_of_the_bundled_graph_fails_only_on_its_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(bundled_data_dir())
    result = run("validate", "--format", "junit")
    xml = JUnitXml.fromstring(result.output.encode("utf-8"))
    assert result.exit_code == 1
    assert xml.failures == 1
    (failure,) = [(name, case) for name, case in cases(xml) if not case.is_passed]
    assert failure[0] == "cgsh:Claim-singleAnonymousSource"
    assert failure[1]._elem.get("file") == DOC_FILE


# --- Renderers without a dataset, and odd values -------------------------------------------------


def synthetic_report(*results: ValidationResult) -> ValidationReport:
    return ValidationReport(results=list(results), counts=Counts(0, 0, 0, 0, 0, 0))


def result(severity: Severity, focus: str, *, value: str | None = None) -> ValidationResult:
    return ValidationResult(
        severity=severity,
        shape=CGSH.term("Claim-claimant"),
        focus=focus,
        path="https://w3id.org/claimgraph/ontology#claimant",
        value=value,
        component="http://www.w3.org/ns/shacl#MinCountConstraintComponent",
        message="A claim needs a claimant.",
    )


def test_renderers_work_without_context_and_escape_what_xml_cannot_carry(tmp_path: Path) -> None:
    odd = 'bell \x07 <tag> & "quotes" \ufffe'
    report = synthetic_report(
        result(Severity.VIOLATION, CLAIM.term("x"), value=odd),
        result(Severity.VIOLATION, CLAIM.term("x"), value="second"),
    )
    xml = JUnitXml.fromstring(render_junit(report, allow_warnings=False).encode("utf-8"))
    names = sorted(case.name for _, case in cases(xml))
    assert len(names) == 2 and len(set(names)) == 2  # two results on one node: two distinct cases
    assert xml.failures == 2
    document = json.loads(render_sarif(report, allow_warnings=False))
    assert_valid_sarif(document)
    assert "physicalLocation" not in document["runs"][0]["results"][0]["locations"][0]


def test_context_positions_are_relative_to_its_root(tmp_path: Path) -> None:
    report = synthetic_report(result(Severity.WARNING, CLAIM.term("x")))
    context = ReportContext(
        root=tmp_path, positions={CLAIM.term("x"): SourcePosition(tmp_path / "graph" / "a b.trig", 7, 5)}
    )
    document = json.loads(render_sarif(report, allow_warnings=True, context=context))
    assert_valid_sarif(document)
    physical = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert physical == {
        "artifactLocation": {"uri": "graph/a%20b.trig", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 7, "startColumn": 5},
    }
    xml = JUnitXml.fromstring(render_junit(report, allow_warnings=True, context=context).encode("utf-8"))
    ((_, case),) = cases(xml)
    assert (case._elem.get("file"), case._elem.get("line")) == ("graph/a b.trig", "7")
    assert case.is_passed  # an allowed warning


def test_every_renderer_accepts_the_same_arguments() -> None:
    dataset = load_dataset()
    report = validate(dataset)
    context = report_context(dataset, report, root=Path.cwd())
    for fmt, render in RENDERERS.items():
        assert render(report, allow_warnings=True, context=context), fmt


@pytest.fixture
def misspelt_claimant(data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, int]:
    """The bundled data with one claimant IRI misspelt in the text of its file; the line it is on."""
    path = data_copy / "graph" / "optimism-vs-intelligence.trig"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines, 1) if "cg:claimant" in text and "us-intelligence-agencies" in text)
    lines[line - 1] = lines[line - 1].replace("us-intelligence-agencies", "us-inteligence-agencies")
    path.write_text("".join(lines), encoding="utf-8")
    monkeypatch.chdir(data_copy)
    return data_copy, line


def test_text_output_names_the_file_and_line_of_the_offending_statement(misspelt_claimant: tuple[Path, int]) -> None:
    _, line = misspelt_claimant
    result = CliRunner().invoke(main, ["validate", "--data", "."])
    assert result.exit_code == 1
    violation, undefined = [text for text in result.stdout.splitlines() if "VIOLATION" in text]
    # the claimant's own line, not the claim's first line; the unknown value is named
    assert violation.startswith(f"graph/optimism-vs-intelligence.trig:{line}: VIOLATION claim:")
    assert " cg:claimant = actor:us-inteligence-agencies: " in violation
    assert violation.endswith("[cgsh:Claim-claimant]")
    # and it is defined nowhere: the closest defined actor is suggested
    assert undefined.startswith(f"graph/optimism-vs-intelligence.trig:{line}: VIOLATION ")
    assert undefined.endswith(" Did you mean actor:us-intelligence-agencies? [cgsh:Reference-defined]")


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit"])
def test_every_ci_format_places_the_result_on_the_offending_line(misspelt_claimant: tuple[Path, int], fmt: str) -> None:
    _, line = misspelt_claimant
    result = CliRunner().invoke(main, ["validate", "--data", ".", "--format", fmt, "--allow-warnings"])
    assert result.exit_code == 1
    place = ("graph/optimism-vs-intelligence.trig", line)
    if fmt == "json":
        found = [r for r in json.loads(result.stdout)["results"] if r["severity"] == "Violation"]
        assert [(r["file"], r["line"]) for r in found] == [place, place]
        assert [r["suggestion"] for r in found] == [None, ACTOR.term("us-intelligence-agencies")]
    elif fmt == "sarif":
        found = [r for r in json.loads(result.stdout)["runs"][0]["results"] if r["level"] == "error"]
        physical = [r["locations"][0]["physicalLocation"] for r in found]
        assert [(p["artifactLocation"]["uri"], p["region"]["startLine"]) for p in physical] == [place, place]
    else:
        failing = [case for suite in JUnitXml.fromstring(result.stdout) for case in suite if not case.is_passed]
        assert [(case._elem.get("file"), case._elem.get("line")) for case in failing] == [
            (place[0], str(line)),
            (place[0], str(line)),
        ]
