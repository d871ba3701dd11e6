"""Suggestions for misspelt terms: the closest candidate by edit distance, and on the results."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from claimgraph.cli import main
from claimgraph.namespaces import CG, SCHEMA
from claimgraph.validation.suggest import closest


def test_the_nearest_candidate_is_suggested_and_its_own_namespace_wins_a_tie() -> None:
    candidates = [CG.Claim, SCHEMA.Claim, CG.Evidence]
    assert closest(CG.Claimm, candidates) == CG.Claim
    assert closest(SCHEMA.Claimm, candidates) == SCHEMA.Claim


def test_nothing_is_suggested_for_a_term_too_far_from_every_candidate() -> None:
    assert closest(CG.Interview, [CG.Claim, CG.Evidence]) is None
    assert closest(CG.Claim, [CG.Claim]) is None  # the term itself is no suggestion


@pytest.mark.parametrize(
    ("old", "new", "shape", "named", "suggested"),
    [
        (
            "a              cg:Claim ;",
            "a              cg:Claimm ;",
            "cgsh:Vocabulary-class",
            "VIOLATION cg:Claimm",
            "cg:Claim",
        ),
        (
            "cg:relayAgent       actor:reuters",
            "cg:relayAgentt      actor:reuters",
            "cgsh:Vocabulary-property",
            " cg:relayAgentt = cg:relayAgentt:",
            "cg:relayAgent",
        ),
        (
            "cg:claimant    actor:us-intelligence-agencies ;",
            "cg:claimant    actor:us-inteligence-agencies ;",
            "cgsh:Reference-defined",
            "VIOLATION actor:us-inteligence-agencies rdf:type:",
            "actor:us-intelligence-agencies",
        ),
    ],
    ids=["class", "predicate", "reference"],
)
def test_a_misspelt_term_is_named_on_its_line_with_the_closest_declared_one(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, shape: str, named: str, suggested: str
) -> None:
    path = data_copy / "graph" / "optimism-vs-intelligence.trig"
    text = path.read_text(encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    monkeypatch.chdir(data_copy)
    result = CliRunner().invoke(main, ["validate", "--data", ".", "--allow-warnings"])
    assert result.exit_code == 1
    (found,) = [text for text in result.stdout.splitlines() if text.endswith(f"[{shape}]")]
    assert found.startswith(f"graph/optimism-vs-intelligence.trig:{line}: VIOLATION ")
    assert f" Did you mean {suggested}? " in found
    assert named in found
