"""Contradictions: each kind on its fixtures, one entry per pair with every kind and each reason's chain, the
exact set a reader sees in the seed article, and the report in every format."""

from __future__ import annotations

import csv
import io
import json
import re
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from claimgraph.cli import main
from claimgraph.errors import QueryNotFoundError, UnknownKindError
from claimgraph.io.dataset import load_dataset
from claimgraph.namespaces import CG, CLAIM, curie
from claimgraph.queries.contradictions import (
    Contradiction,
    _pairs,
    contradiction_queries,
    find_contradictions,
    pairs_query,
)
from claimgraph.queries.explain import explain_claims
from claimgraph.queries.files import KIND_ORDER, Query, run_query
from claimgraph.queries.reasons import RULES
from claimgraph.sparql.engines import EmbeddedEngine
from claimgraph.synth import claims_for_triples, generate

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "queries"
FIXTURES = REPO / "tests" / "resources" / "queries"


@cache
def bundled() -> list[Contradiction]:
    return find_contradictions(EmbeddedEngine(load_dataset()), QUERIES)


def on_fixture(kind: str, case: str) -> list[Contradiction]:
    dataset = load_dataset(REPO, paths=[FIXTURES / "base.trig", FIXTURES / f"{kind}-{case}.trig"])
    return find_contradictions(EmbeddedEngine(dataset), QUERIES, [kind])


def pairs(found: list[Contradiction]) -> list[tuple[str, str, str]]:
    return [(c.kind, curie(c.sides[0].claim), curie(c.sides[1].claim)) for c in found]


def chain(contradiction: Contradiction, kind: str) -> list[tuple[str, str, str]]:
    """The chain of the (only) reason ``kind`` gives, as CURIE triples."""
    (reason,) = [r for r in contradiction.reasons if r.kind == kind]
    return [(curie(link.subject), curie(link.relation), curie(link.object)) for link in reason.chain]


def line_of(path: Path, text: str, after: str = "") -> int:
    """The 1-based line of the first ``text`` in ``path`` (after the first line holding ``after``)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line)
    return next(i for i, line in enumerate(lines) if i >= start and text in line) + 1


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


# --- Each kind: a graph where it must find exactly these pairs, and near misses --------------------

FOUND = {
    "direct-opposition": [
        ("claim:do-affirm-b", "claim:do-deny-a"),
        ("claim:do-affirm-c", "claim:do-deny-a"),
    ],
    "incompatible-propositions": [
        ("claim:ip-affirms-q1", "claim:ip-affirms-q2"),
        ("claim:ip-affirms-r1", "claim:ip-affirms-r3"),
    ],
    "denied-consequence": [
        ("claim:dc-b-demands-north", "claim:dc-a-refuses-concessions"),
        ("claim:dc-b-demands-north", "claim:dc-intel-denies-weakening"),
    ],
    "public-line-vs-intelligence": [
        ("claim:pl-envoy-public", "claim:pl-analysts-assessment"),
        ("claim:pl-leaders-public", "claim:pl-intel-assessment"),
    ],
    "incompatible-positions": [
        ("claim:pos-a-refuses", "claim:pos-b-claims-city"),
        ("claim:pos-a-refuses", "claim:pos-b-demands-north"),
        ("claim:pos-b-no-ceasefire", "claim:pos-c-ceasefire"),
    ],
    "position-against-proposal": [
        ("claim:pa-b-proposes-settlement", "claim:pa-intel-ceasefire-fails"),
        ("claim:pa-diplomats-plan-on-table", "claim:pa-b-rejects-foreign-troops"),
        ("claim:pa-diplomats-plan-on-table", "claim:pa-gov-b-no-soldiers"),
    ],
    "reversal": [("claim:rev-b-affirms", "claim:rev-a-denies")],
    "support-based-tension": [
        ("claim:st-b-exercises", "claim:st-intel-sees-buildup"),
        ("claim:st-b-no-attack-intent", "claim:st-analysts-restore-empire"),
        ("claim:st-b-no-attack-intent", "claim:st-intel-denies-no-threat"),
    ],
}


def test_every_kind_has_fixtures() -> None:
    assert set(FOUND) == set(KIND_ORDER)
    for kind in KIND_ORDER:
        assert (FIXTURES / f"{kind}-found.trig").is_file()
        assert (FIXTURES / f"{kind}-none.trig").is_file()


@pytest.mark.parametrize("kind", KIND_ORDER)
def test_kind_finds_exactly_the_expected_pairs(kind: str) -> None:
    assert pairs(on_fixture(kind, "found")) == [(kind, a, b) for a, b in FOUND[kind]]


@pytest.mark.parametrize("kind", KIND_ORDER)
def test_kind_finds_nothing_in_near_misses(kind: str) -> None:
    assert on_fixture(kind, "none") == []


def test_incompatible_propositions_say_whether_the_conflict_is_declared_or_carried_through_entailment() -> None:
    found = {curie(c.sides[0].claim): c for c in on_fixture("incompatible-propositions", "found")}
    declared, entailed = found["claim:ip-affirms-q1"], found["claim:ip-affirms-r1"]
    assert [(r.text, r.confidence) for r in declared.reasons] == [
        ("affirmed propositions declared contradictory", "declared")
    ]
    assert chain(declared, "incompatible-propositions") == [("prop:q1", "cg:contradicts", "prop:q2")]
    # A affirms R1, R1 entails R2, R3 (declared) contradicts R2, B affirms R3.
    assert [(r.text, r.confidence) for r in entailed.reasons] == [
        ("affirmed propositions entail propositions declared contradictory", "entailed")
    ]
    assert chain(entailed, "incompatible-propositions") == [
        ("prop:r1", "cg:entails", "prop:r2"),
        ("prop:r3", "cg:contradicts", "prop:r2"),
    ]


def test_incompatible_positions_give_every_reason_for_one_pair() -> None:
    found = {
        (curie(c.sides[0].claim), curie(c.sides[1].claim)): c for c in on_fixture("incompatible-positions", "found")
    }
    north = found[("claim:pos-a-refuses", "claim:pos-b-demands-north")]
    assert [(r.text, r.confidence) for r in north.reasons] == [
        ("one side affirms what entails the proposition the other denies", "entailed"),
        ("opposite stances on overlapping territory of one side's state", "entailed"),
    ]
    city = found[("claim:pos-a-refuses", "claim:pos-b-claims-city")]
    assert [r.text for r in city.reasons] == ["opposite stances on overlapping territory of one side's state"]
    # A's leader refuses concessions about A's land; B claims North City, within North of A, within A.
    assert chain(city, "incompatible-positions") == [
        ("prop:concede", "cg:about", "place:land-a"),
        ("place:north-a", "cg:placePartOf", "place:land-a"),
        ("place:north-city", "cg:placePartOf", "place:north-a"),
        ("prop:north-city-belongs-to-b", "cg:about", "place:north-city"),
        ("actor:state-a", "cg:territory", "place:land-a"),
    ]


def test_denied_consequence_holds_for_any_kinds_through_a_chain_and_across_documents() -> None:
    near, far = on_fixture("denied-consequence", "found")
    assert [s.claim_kind for s in near.sides] == ["position-or-demand", "public-statement"]
    assert [s.stance for s in far.sides] == ["affirms", "denies"]  # the affirming side first
    assert chain(far, "denied-consequence") == [
        ("prop:dc-cede-north", "cg:entails", "prop:dc-concede"),
        ("prop:dc-concede", "cg:entails", "prop:dc-weaken"),
    ]
    assert (near.spans_documents, far.spans_documents) == (False, True)
    assert near.confidence == far.confidence == "entailed"


def test_support_based_tension_is_its_own_lower_confidence_kind() -> None:
    found = on_fixture("support-based-tension", "found")
    assert {c.confidence for c in found} == {"support-based"}
    assert {k for c in found for k in c.kinds} == {"support-based-tension"}
    exercises, empire, no_threat = found
    # Support, then entailment: still support-based.
    assert chain(exercises, "support-based-tension") == [
        ("prop:st-exercises", "cg:supports", "prop:st-calm"),
        ("prop:st-calm", "cg:entails", "prop:st-no-buildup"),
    ]
    # Support against what contradicts the supported proposition.
    assert chain(empire, "support-based-tension") == [
        ("prop:st-no-attack-intent", "cg:supports", "prop:st-no-threat"),
        ("prop:st-restore-empire", "cg:contradicts", "prop:st-no-threat"),
    ]
    assert [r.text for r in no_threat.reasons] == ["one side affirms what supports the proposition the other denies"]
    assert no_threat.spans_documents


def test_positions_against_proposals_follow_components_entailment_and_contradiction() -> None:
    settlement, troops, soldiers = on_fixture("position-against-proposal", "found")
    assert chain(settlement, "position-against-proposal") == [
        ("prop:pa-settlement-proposed", "cg:about", "proposal:pa-settlement"),
        ("proposal:pa-settlement", "cg:component", "proposal:pa-elections-plan"),
        ("proposal:pa-elections-plan", "cg:requires", "prop:pa-elections"),
        ("prop:pa-elections", "cg:entails", "prop:pa-ceasefire-holds"),
    ]
    assert settlement.confidence == "entailed"
    assert chain(troops, "position-against-proposal") == [
        ("prop:pa-plans-under-discussion", "cg:tabledProposal", "proposal:pa-peacekeeping"),
        ("proposal:pa-peacekeeping", "cg:requires", "prop:pa-foreign-troops"),
    ]
    assert troops.confidence == "declared"
    (requirement,) = [link for r in troops.reasons for link in r.chain if link.relation == CG.requires]
    assert requirement.note == "textual marker: peacekeepers are foreign troops."
    assert chain(soldiers, "position-against-proposal")[-1] == (
        "prop:pa-no-foreign-soldiers",
        "cg:contradicts",
        "prop:pa-foreign-troops",
    )


def test_every_reason_of_the_bundled_queries_has_a_rule() -> None:
    """So that every reason the bundled queries give gets its chain and confidence."""
    texts = {
        text
        for query in contradiction_queries(QUERIES).values()
        for bind in re.findall(r"BIND\((.*?) AS \?reason\)", query.text, re.S)
        for text in re.findall(r'"([^"]+)"', bind)
    }
    assert len(texts) == len(RULES)
    assert texts == set(RULES)


def test_public_line_puts_the_public_statement_first() -> None:
    for contradiction in on_fixture("public-line-vs-intelligence", "found"):
        assert [s.claim_kind for s in contradiction.sides] == ["public-statement", "assessment"]


def test_reversal_puts_the_earlier_claim_first() -> None:
    (reversal,) = on_fixture("reversal", "found")
    assert [s.date for s in reversal.sides] == ["2022-03-01", "2024-05"]
    assert [s.stance for s in reversal.sides] == ["affirms", "denies"]


def test_sides_explain_claimant_affiliations_and_the_chain_of_sources() -> None:
    dataset = load_dataset(REPO, paths=[FIXTURES / "base.trig", FIXTURES / "claim-provenance.trig"])
    (side,) = explain_claims(EmbeddedEngine(dataset), [CLAIM.term("pv-chain")]).values()
    assert side.claimant_label == "Anonymous official"
    assert side.sources == ("Leader B", "Wire Service", "Wire report", "Article one")
    (trail,) = side.evidence
    assert [(s.order, curie(s.agent), s.act) for s in trail.relay] == [
        (1, "actor:leader-b", "relayed-by"),
        (2, "actor:wire", "told-to"),
    ]
    assert (trail.quote, trail.quote_mode) == ("the talks will fail", "paraphrase")
    envoy = explain_claims(
        EmbeddedEngine(
            load_dataset(REPO, paths=[FIXTURES / "base.trig", FIXTURES / "public-line-vs-intelligence-found.trig"])
        ),
        [CLAIM.term("pl-envoy-public")],
    )[CLAIM.term("pl-envoy-public")]
    assert envoy.claimant_affiliations == ("Government of A", "Leader A", "State A")


def test_unknown_kind_is_a_typed_error_listing_the_kinds() -> None:
    with pytest.raises(UnknownKindError) as caught:
        find_contradictions(EmbeddedEngine(load_dataset()), QUERIES, ["reversals"])
    assert caught.value.known == list(KIND_ORDER)


# --- The bundled article: exactly what a careful reader sees ----------------------------------------

PROPOSITIONS = REPO / "graph" / "propositions.trig"
EVENTS = REPO / "graph" / "events.trig"

#: The contradictions in the seed article (docs/queries.md), each pair once: its kinds (the strongest
#: first) and claim IRIs, sides in report order.
ARTICLE = [
    # "U.S. intelligence assessments also reject Moscow's claims that Russia poses no threat to Europe."
    (("direct-opposition",), "claim:moscow-russia-no-threat-to-europe", "claim:us-intel-rejects-no-threat"),
    # "Analysts instead view the war as part of a longer-term effort to restore influence …"
    (
        ("incompatible-propositions",),
        "claim:analysts-war-restores-soviet-influence",
        "claim:moscow-russia-no-threat-to-europe",
    ),
    # "Those conclusions stand in sharp contrast to public statements by … Trump and his envoys …": also
    # Washington's public line against its own intelligence, one pair.
    (
        ("incompatible-propositions", "public-line-vs-intelligence"),
        "claim:trump-envoys-moscow-seeks-end-of-war",
        "claim:us-intel-putin-ambitions-beyond-settlement",
    ),
    # Trump presses Kyiv to withdraw from Donetsk (a territorial concession); Zelensky rejects concessions.
    (
        ("denied-consequence", "incompatible-positions"),
        "claim:trump-presses-kyiv-withdraw-donetsk",
        "claim:zelensky-rejects-territorial-concessions",
    ),
    # Russia claims the occupied regions as Russian territory; Zelensky rejects any territorial concessions.
    (
        ("incompatible-positions",),
        "claim:russia-claims-occupied-regions",
        "claim:zelensky-rejects-territorial-concessions",
    ),
    # European-led security deployments are under discussion; Putin "has repeatedly opposed the presence of
    # foreign troops in Ukraine, casting further doubt on the viability of proposed guarantees".
    (
        ("position-against-proposal",),
        "claim:diplomats-proposals-under-discussion",
        "claim:putin-opposes-foreign-troops",
    ),
    # "Those conclusions" (plural): the analysts' view that Putin's objectives are unchanged supports the
    # assessment that contrasts with the public statements.
    (
        ("support-based-tension",),
        "claim:analysts-putin-objectives-consistent",
        "claim:trump-envoys-moscow-seeks-end-of-war",
    ),
    # "Putin wants more" restates that assessment.
    (
        ("support-based-tension",),
        "claim:intelligence-community-putin-wants-more",
        "claim:trump-envoys-moscow-seeks-end-of-war",
    ),
]


def kinds_and_pairs(found: list[Contradiction]) -> list[tuple[tuple[str, ...], str, str]]:
    return [(c.kinds, curie(c.sides[0].claim), curie(c.sides[1].claim)) for c in found]


def test_bundled_article_contradictions_are_exactly_what_a_reader_sees() -> None:
    assert kinds_and_pairs(bundled()) == ARTICLE
    assert [c.kind for c in bundled()] == [kinds[0] for kinds, _, _ in ARTICLE]


def test_each_pair_of_claims_is_listed_once() -> None:
    pairs_found = [frozenset(s.claim for s in c.sides) for c in bundled()]
    assert len(pairs_found) == len(set(pairs_found))


def test_bundled_article_has_no_reversal_and_no_outsider_territory_pair() -> None:
    found = kinds_and_pairs(bundled())
    assert not [p for p in found if "reversal" in p[0]]
    # Trump's Donetsk demand and Putin's opposition to foreign troops both concern Ukraine, but neither
    # side is Ukraine's and the propositions do not conflict; Putin's opposition is against the proposal.
    assert [p[0] for p in found if "claim:putin-opposes-foreign-troops" in p] == [("position-against-proposal",)]


def test_bundled_declared_contradiction_names_its_relation_where_declared_and_its_marker() -> None:
    public_line = next(c for c in bundled() if "public-line-vs-intelligence" in c.kinds)
    assert {r.kind for r in public_line.reasons} == {"incompatible-propositions", "public-line-vs-intelligence"}
    for reason in public_line.reasons:
        assert (reason.text, reason.confidence) == ("affirmed propositions declared contradictory", "declared")
        (link,) = reason.chain
        assert (curie(link.subject), curie(link.relation), curie(link.object)) == (
            "prop:putin-ambitions-beyond-limited-settlement",
            "cg:contradicts",
            "prop:moscow-seeks-end-of-war",
        )
        assert (link.subject_label, link.object_label) == (
            "Putin's ambitions extend well beyond a limited settlement in Ukraine",
            "Moscow is seeking an end to the war",
        )
        assert (link.file, link.line) == (
            "graph/propositions.trig",
            line_of(PROPOSITIONS, "cg:contradicts prop:moscow-seeks-end-of-war"),
        )
        assert link.note == (
            'textual marker: "Those conclusions stand in sharp contrast to public statements by U.S. President '
            'Donald Trump and his envoys, who have said Moscow is seeking an end to the war."'
        )


def test_bundled_foreign_troops_are_against_the_proposed_deployments() -> None:
    against = next(c for c in bundled() if c.kind == "position-against-proposal")
    assert chain(against, "position-against-proposal") == [
        ("prop:security-proposals-under-discussion", "cg:tabledProposal", "proposal:european-led-security-deployments"),
        ("proposal:european-led-security-deployments", "cg:requires", "prop:foreign-troops-in-ukraine-acceptable"),
    ]
    requirement = against.reasons[0].chain[1]
    assert (requirement.file, requirement.line) == (
        "graph/events.trig",
        line_of(EVENTS, "cg:requires  prop:foreign-troops-in-ukraine-acceptable"),
    )
    assert requirement.note is not None
    assert "casting further doubt on the viability of proposed guarantees" in requirement.note
    assert (against.confidence, against.spans_documents) == ("declared", False)


def test_a_second_article_sets_a_supporting_claim_against_the_first_articles(tmp_path: Path) -> None:
    """The issue's case: the Kremlin says Russia intends no attack on NATO, which supports "Russia poses
    no threat to Europe", which U.S. intelligence rejects and the analysts' view contradicts."""
    dataset = load_dataset(REPO, paths=[REPO / "graph", FIXTURES / "second-article.trig"])
    found = [
        c
        for c in find_contradictions(EmbeddedEngine(dataset), QUERIES)
        if "kremlin" in c.sides[0].claim + c.sides[1].claim
    ]
    assert kinds_and_pairs(found) == [
        (
            ("support-based-tension",),
            "claim:kremlin-no-intention-to-attack-nato",
            "claim:analysts-war-restores-soviet-influence",
        ),
        (("support-based-tension",), "claim:kremlin-no-intention-to-attack-nato", "claim:us-intel-rejects-no-threat"),
    ]
    assert all(c.spans_documents and c.confidence == "support-based" for c in found)


def test_bundled_sides_carry_the_design_contract_fields() -> None:
    for contradiction in bundled():
        document = contradiction.to_json()
        assert set(document) == {"kind", "kinds", "confidence", "spans_documents", "reasons", "sides"}
        assert document["kind"] == document["kinds"][0]
        assert document["confidence"] in ("declared", "entailed", "support-based")
        for reason in document["reasons"]:
            assert set(reason) == {"kind", "reason", "confidence", "chain"}
            assert reason["kind"] in document["kinds"]
            for link in reason["chain"]:
                assert set(link) == {
                    "subject",
                    "subject_label",
                    "relation",
                    "object",
                    "object_label",
                    "file",
                    "line",
                    "note",
                }
                assert link["file"] and isinstance(link["line"], int)
        assert len(document["sides"]) == 2
        for side in document["sides"]:
            assert {
                "claim",
                "claimant",
                "claimant_label",
                "proposition",
                "proposition_label",
                "stance",
                "sources",
            } <= set(side)
            assert side["sources"], side["claim"]


def test_bundled_direct_opposition_explains_both_sides() -> None:
    opposition = bundled()[0].to_json()
    moscow, intelligence = opposition["sides"]
    assert moscow["claimant"] == "https://w3id.org/claimgraph/id/actor/russian-government"
    assert moscow["claimant_label"] == "Government of Russia"
    assert moscow["claimant_affiliations"] == ["Russia"]
    assert moscow["proposition_label"] == intelligence["proposition_label"] == "Russia poses no threat to Europe"
    assert (moscow["stance"], intelligence["stance"]) == ("affirms", "denies")
    assert (moscow["claim_kind"], intelligence["claim_kind"]) == ("public-statement", "assessment")
    assert intelligence["claimant_label"] == "U.S. intelligence agencies"
    assert intelligence["claimant_affiliations"] == ["United States"]
    assert moscow["sources"] == [
        "News article: 'The gap between political optimism and intelligence analysis is becoming harder to ignore.'"
    ]
    assert moscow["evidence"][0]["quote"] == "Moscow\u2019s claims that Russia poses no threat to Europe"
    assert opposition["reasons"] == [
        {
            "kind": "direct-opposition",
            "reason": "opposite stances on the same proposition",
            "confidence": "declared",
            "chain": [],
        }
    ]


def test_bundled_public_line_side_shows_reuters_and_the_us_government() -> None:
    public_line = next(c for c in bundled() if "public-line-vs-intelligence" in c.kinds)
    public, assessment = public_line.sides
    assert public.claimant_label == "Donald Trump and his envoys"
    assert "Government of the United States" in public.claimant_affiliations
    assert assessment.sources[:2] == ("Reuters", "Reporting by Reuters (cited)")
    assert assessment.evidence[0].relay[0].act == "reported-by"


# --- The contradictions command ---------------------------------------------------------------------


def test_contradictions_json_is_the_design_contract() -> None:
    result = cli("contradictions", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert [
        (tuple(c["kinds"]), curie(c["sides"][0]["claim"]), curie(c["sides"][1]["claim"])) for c in document
    ] == ARTICLE
    assert document == [c.to_json() for c in bundled()]


def test_contradictions_kind_option_selects_kinds() -> None:
    result = cli(
        "contradictions", "--kind", "incompatible-positions", "--kind", "direct-opposition", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert [c["kind"] for c in found] == ["direct-opposition", "incompatible-positions", "incompatible-positions"]
    # Only the kinds asked for: the Donetsk pair is found by incompatible positions alone here.
    assert {k for c in found for k in c["kinds"]} == {"direct-opposition", "incompatible-positions"}


def test_contradictions_unknown_kind_is_one_line_error_exit_2() -> None:
    result = cli("contradictions", "--kind", "reversals")
    assert result.exit_code == 2
    assert result.output == f"Error: unknown contradiction kind 'reversals' (known: {', '.join(KIND_ORDER)})\n"


def test_contradictions_csv_has_one_row_per_pair_with_both_sides() -> None:
    result = cli("contradictions", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8"), newline="")))
    assert [(tuple(r["kinds"].split("; ")), curie(r["claim_1"]), curie(r["claim_2"])) for r in rows] == ARTICLE
    first = rows[0]
    assert (first["claimant_label_1"], first["stance_1"]) == ("Government of Russia", "affirms")
    assert (first["claimant_label_2"], first["stance_2"]) == ("U.S. intelligence agencies", "denies")
    assert (first["reasons"], first["confidence"], first["spans_documents"]) == (
        "opposite stances on the same proposition",
        "declared",
        "false",
    )
    line = line_of(PROPOSITIONS, "cg:contradicts prop:moscow-seeks-end-of-war")
    assert rows[2]["chains"] == (
        "prop:putin-ambitions-beyond-limited-settlement cg:contradicts prop:moscow-seeks-end-of-war"
        f" (graph/propositions.trig:{line})"
    )


def test_contradictions_table_shows_kinds_sides_provenance_and_reasons() -> None:
    result = cli("contradictions")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        "8 contradictions (direct opposition 1, incompatible propositions 2, denied consequence 1, "
        "incompatible positions 1, position against proposal 1, support based tension 2)"
    )
    assert lines[2] == "[1] direct opposition (declared, in one document)"
    assert lines[3] == "  A  Government of Russia (Russia) AFFIRMS \u201cRussia poses no threat to Europe\u201d"
    assert lines[4] == (
        "     claim:moscow-russia-no-threat-to-europe \u00b7 public statement \u00b7 via doc:optimism-vs-intelligence"
    )
    assert (
        lines[5]
        == "  B  U.S. intelligence agencies (United States) DENIES \u201cRussia poses no threat to Europe\u201d"
    )
    assert lines[7] == "  why opposite stances on the same proposition [direct opposition: declared]"
    assert (
        "     claim:us-intel-putin-ambitions-beyond-settlement \u00b7 assessment \u00b7 "
        "via Reuters [doc:reuters-reporting] \u2192 doc:optimism-vs-intelligence"
    ) in lines
    third = lines.index("[3] incompatible propositions + public line vs intelligence (declared, in one document)")
    line = line_of(PROPOSITIONS, "cg:contradicts prop:moscow-seeks-end-of-war")
    assert lines[third + 5 : third + 8] == [
        "  why affirmed propositions declared contradictory"
        " [incompatible propositions, public line vs intelligence: declared]",
        "      prop:putin-ambitions-beyond-limited-settlement cg:contradicts prop:moscow-seeks-end-of-war"
        f" (graph/propositions.trig:{line})",
        '        textual marker: "Those conclusions stand in sharp contrast to public statements by U.S. President'
        ' Donald Trump and his envoys, who have said Moscow is seeking an end to the war."',
    ]


def test_contradictions_table_on_a_graph_without_any() -> None:
    dataset_dir = REPO
    result = cli("contradictions", "--data", str(dataset_dir), "--kind", "reversal")
    assert result.exit_code == 0
    assert result.output == "No contradictions found.\n"


def test_a_query_directory_without_contradiction_queries_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "claims.rq").write_text("SELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(QueryNotFoundError) as caught:
        find_contradictions(EmbeddedEngine(load_dataset()), tmp_path)
    assert str(caught.value) == f"no query named 'contradictions-KIND' in {tmp_path} (known: claims)"


def test_many_claims_are_explained_in_several_values_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = EmbeddedEngine(load_dataset())
    claims = sorted({s.claim for c in bundled() for s in c.sides})
    in_one_block = explain_claims(engine, claims)
    monkeypatch.setattr("claimgraph.sparql.lexer.MAX_VALUES", 3)
    assert len(claims) > 3 and explain_claims(engine, claims) == in_one_block


def test_a_control_share_is_not_a_position_on_territory() -> None:
    dataset = load_dataset(REPO, paths=[FIXTURES / "base.trig", FIXTURES / "incompatible-positions-control-none.trig"])
    assert find_contradictions(EmbeddedEngine(dataset), QUERIES, ["incompatible-positions"]) == []


def whole_query_pairs(engine: EmbeddedEngine, query: Query) -> dict[tuple[str, str], set[str]]:
    """The pairs and reasons read from a contradiction query's full result (explanation columns and all)."""
    found: dict[tuple[str, str], set[str]] = {}
    for row in run_query(engine, query):
        reasons = found.setdefault((row["claim1"].value, row["claim2"].value), set())
        reasons.update(r for r in row["reasons"].value.split("; ") if r)
    return found


@pytest.mark.parametrize("graph", ["bundled", "synthetic"])
def test_the_pairs_subquery_finds_what_the_whole_query_finds(graph: str, tmp_path: Path) -> None:
    if graph == "synthetic":
        generate(tmp_path, claims=claims_for_triples(20_000), seed=5)
        engine = EmbeddedEngine(load_dataset(tmp_path))
    else:
        engine = EmbeddedEngine(load_dataset())
    for kind, query in contradiction_queries(QUERIES).items():
        assert pairs_query(query) != query.text, kind
        expected = whole_query_pairs(engine, query)
        assert expected or graph == "bundled", kind  # the synthetic corpus plants every kind
        assert {pair: set(texts) for pair, texts in _pairs(engine, query).items()} == expected, kind


def test_a_contradiction_query_without_a_pairs_subquery_runs_whole(tmp_path: Path) -> None:
    text = (QUERIES / "contradictions-direct-opposition.rq").read_text(encoding="utf-8")
    # The same query with its pairs sub-select no longer first in the WHERE group.
    opening = "WHERE {\n  {\n    # The pairs"
    moved = text.replace(opening, opening.replace("WHERE {", "WHERE {\n  ?claim1 cg:stance ?any_stance ."), 1)
    assert moved != text
    (tmp_path / "contradictions-direct-opposition.rq").write_text(moved, encoding="utf-8")
    query = contradiction_queries(tmp_path)["direct-opposition"]
    assert pairs_query(query) == moved
    mine = find_contradictions(EmbeddedEngine(load_dataset()), tmp_path)
    assert [c.to_json() for c in mine] == [c.to_json() for c in bundled() if c.kind == "direct-opposition"]
