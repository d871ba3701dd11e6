"""Reasons: the textual note of a link from its subject's comment, and chains rebuilt from declared relations."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimgraph.io.dataset import load_dataset
from claimgraph.namespaces import CG, PROP
from claimgraph.queries.reasons import Relations, chain_steps, note_for, rule_confidence
from claimgraph.sparql.engines import EmbeddedEngine

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "resources" / "derived" / "relations.trig"


def test_a_comment_with_one_segment_per_relation_gives_each_its_own_note() -> None:
    comment = (
        "Entails prop:b — textual marker: \u201cso\u201d. "
        f"Contradicts <{PROP.d}> — textual marker: \u201cinstead\u201d, in the next sentence."
    )
    assert note_for([comment], CG.entails, PROP.b) == "textual marker: \u201cso\u201d."
    assert note_for([comment], CG.contradicts, PROP.d) == "textual marker: \u201cinstead\u201d, in the next sentence."
    assert note_for([comment], CG.contradicts, PROP.b) is None  # a segment for another link only


def test_a_comment_without_segments_is_the_note_of_every_relation_but_not_of_other_links() -> None:
    comment = "The text groups both as \u201cThose conclusions\u201d."
    assert note_for([comment], CG.supports, PROP.b) == comment
    assert note_for([comment], CG.about, PROP.b) is None
    assert note_for([], CG.supports, PROP.b) is None


@pytest.fixture(scope="module")
def relations() -> Relations:
    return Relations(EmbeddedEngine(load_dataset(REPO, paths=[FIXTURE])))


def test_the_shortest_chain_through_a_declared_contradiction(relations: Relations) -> None:
    # a entails b entails c; d contradicts c: from a to d through c, the declared direction kept.
    assert relations.contradiction(PROP.a, PROP.d) == [
        (PROP.a, CG.entails, PROP.b),
        (PROP.b, CG.entails, PROP.c),
        (PROP.d, CG.contradicts, PROP.c),
    ]
    assert relations.contradiction(PROP.e, PROP.d) is None  # e only supports a


def test_support_chains_need_a_support_link(relations: Relations) -> None:
    assert relations.path(PROP.e, PROP.c, [CG.entails, CG.supports], via=CG.supports) == [
        (PROP.e, CG.supports, PROP.a),
        (PROP.a, CG.entails, PROP.b),
        (PROP.b, CG.entails, PROP.c),
    ]
    assert relations.path(PROP.a, PROP.c, [CG.entails, CG.supports], via=CG.supports) is None


def test_an_entailment_denied_by_side_one_is_listed_from_side_one(relations: Relations) -> None:
    steps = chain_steps("entailment", relations, PROP.c, PROP.b, False, {})
    assert steps == [(PROP.b, CG.entails, PROP.c)]


@pytest.mark.parametrize(
    ("rule", "steps", "confidence"),
    [
        ("same", [], "declared"),
        ("contradiction", [(PROP.d, CG.contradicts, PROP.c)], "declared"),
        ("contradiction", [(PROP.b, CG.entails, PROP.c), (PROP.d, CG.contradicts, PROP.c)], "entailed"),
        ("support", [(PROP.e, CG.supports, PROP.a)], "support-based"),
        ("proposal", [(PROP.x, CG.tabledProposal, PROP.y), (PROP.y, CG.requires, PROP.z)], "declared"),
        ("territory", None, "entailed"),
        ("contradiction", None, "entailed"),
    ],
)
def test_confidence_follows_the_links_of_the_chain(
    rule: str, steps: list[tuple[str, str, str]] | None, confidence: str
) -> None:
    assert rule_confidence(rule, "", steps) == confidence


def test_an_unknown_reason_has_no_confidence() -> None:
    assert rule_confidence(None, "my own reason", []) is None
