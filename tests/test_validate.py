"""Validation of the bundled graph, and mutations of it that must each be caught at the right node."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimgraph.cli import main
from claimgraph.io.dataset import load_dataset
from claimgraph.namespaces import ANCHOR, CGSH, CLAIM, DOC
from claimgraph.validation.api import Severity, validate

CLAIM_IRI = CLAIM.term("intelligence-community-putin-wants-more")
ANCHOR_IRI = ANCHOR.term("intelligence-community-putin-wants-more")
DOC_IRI = DOC.term("optimism-vs-intelligence")


def violations(root: Path) -> set[tuple[str, str]]:
    """Run ``claimgraph validate`` on ``root``: exit code 1 expected; (shape, focus) of each violation."""
    result = CliRunner().invoke(main, ["validate", "--data", str(root), "--format", "json", "--allow-warnings"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    return {(r["shape"], r["focus"]) for r in report["results"] if r["severity"] == "Violation"}


def test_bundled_graph_has_no_violations() -> None:
    report = validate(load_dataset())
    assert [r for r in report.results if r.severity is Severity.VIOLATION] == []
    assert report.passes(allow_warnings=True)


def test_bundled_graph_warns_only_about_its_single_anonymous_source() -> None:
    report = validate(load_dataset())
    warnings = {(r.shape, r.focus) for r in report.results if r.severity is Severity.WARNING}
    single = (CGSH.term("Claim-singleAnonymousSource"), CLAIM.term("anonymous-source-review-late-september"))
    assert warnings == {single}


@pytest.mark.parametrize(
    ("prop", "shape"),
    [
        ("cg:claimant", "Claim-claimant"),
        ("cg:proposition", "Claim-proposition"),
        ("cg:stance", "Claim-stance"),
        ("cg:evidence", "Claim-evidence"),
    ],
)
def test_claim_missing_a_part_of_its_provenance_is_rejected(
    mutate: Callable[[str], Path], prop: str, shape: str
) -> None:
    root = mutate(f"DELETE WHERE {{ GRAPH ?g {{ <{CLAIM_IRI}> {prop} ?o }} }}")
    assert violations(root) == {(CGSH.term(shape), CLAIM_IRI)}


def test_quote_altered_by_one_character_is_rejected_at_its_anchor(mutate: Callable[[str], Path]) -> None:
    root = mutate(
        f"""DELETE {{ GRAPH ?g {{ ?s oa:exact ?e }} }}
        INSERT {{ GRAPH ?g {{ ?s oa:exact ?altered }} }}
        WHERE {{ GRAPH ?g {{ <{ANCHOR_IRI}> oa:hasSelector ?s . ?s oa:exact ?e }}
                 BIND(REPLACE(?e, "wants more", "wants mere") AS ?altered) }}"""
    )
    assert violations(root) == {(CGSH.term("TextAnchor-exactInArchivedText"), ANCHOR_IRI)}


def test_shifted_offset_is_rejected_at_its_anchor(mutate: Callable[[str], Path]) -> None:
    root = mutate(
        f"""DELETE {{ GRAPH ?g {{ ?s oa:start ?start ; oa:end ?end }} }}
        INSERT {{ GRAPH ?g {{ ?s oa:start ?start1 ; oa:end ?end1 }} }}
        WHERE {{ GRAPH ?g {{ <{ANCHOR_IRI}> oa:hasSelector ?s . ?s oa:start ?start ; oa:end ?end }}
                 BIND(STRDT(STR(?start + 1), xsd:nonNegativeInteger) AS ?start1)
                 BIND(STRDT(STR(?end + 1), xsd:nonNegativeInteger) AS ?end1) }}"""
    )
    found = violations(root)
    assert (CGSH.term("TextAnchor-exactInArchivedText"), ANCHOR_IRI) in found
    assert {focus for _, focus in found} == {ANCHOR_IRI}


def test_archived_text_altered_by_one_byte_is_rejected_at_its_document(data_copy: Path) -> None:
    archived = data_copy / "graph" / "archive" / "optimism-vs-intelligence.txt"
    data = bytearray(archived.read_bytes())
    at = data.index(b"Others are reading now") + len(b"Others")  # page furniture: no quote spans it
    data[at] = ord("_")
    archived.write_bytes(bytes(data))
    assert violations(data_copy) == {(CGSH.term("SourceDocument-sha256MatchesText"), DOC_IRI)}


def test_missing_archived_text_is_rejected_at_its_document(data_copy: Path) -> None:
    (data_copy / "graph" / "archive" / "optimism-vs-intelligence.txt").unlink()
    assert (CGSH.term("SourceDocument-text"), DOC_IRI) in violations(data_copy)


def test_anonymous_claimant_without_named_intermediary_is_rejected(mutate: Callable[[str], Path]) -> None:
    claim = CLAIM.term("anonymous-source-review-late-september")
    root = mutate(
        f"""DELETE {{ GRAPH ?g {{ ?evidence cg:relay ?step }} }}
        WHERE {{ GRAPH ?g {{ <{claim}> cg:evidence ?evidence . ?evidence cg:relay ?step }} }}"""
    )
    assert (CGSH.term("Claim-anonymousClaimantRelayedByNamedAgent"), claim) in violations(root)
