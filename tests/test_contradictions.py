"""Contradictions: each kind on its fixtures, the exact set a reader sees in the seed article, the report."""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from claimgraph.cli import main
from claimgraph.errors import QueryNotFoundError, UnknownKindError
from claimgraph.io.dataset import load_dataset
from claimgraph.namespaces import CLAIM, curie
from claimgraph.queries.contradictions import (
    Contradiction,
    _pairs,
    contradiction_queries,
    explain_claims,
    find_contradictions,
    pairs_query,
)
from claimgraph.queries.files import KIND_ORDER, Query, run_query
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
    "public-line-vs-intelligence": [
        ("claim:pl-envoy-public", "claim:pl-analysts-assessment"),
        ("claim:pl-leaders-public", "claim:pl-intel-assessment"),
    ],
    "incompatible-positions": [
        ("claim:pos-a-refuses", "claim:pos-b-claims-city"),
        ("claim:pos-a-refuses", "claim:pos-b-demands-north"),
        ("claim:pos-b-no-ceasefire", "claim:pos-c-ceasefire"),
    ],
    "reversal": [("claim:rev-b-affirms", "claim:rev-a-denies")],
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


def test_incompatible_propositions_say_whether_the_conflict_is_declared_or_entailed() -> None:
    reasons = {curie(c.sides[0].claim): c.reasons for c in on_fixture("incompatible-propositions", "found")}
    assert reasons == {
        "claim:ip-affirms-q1": ("affirmed propositions declared contradictory",),
        "claim:ip-affirms-r1": ("affirmed propositions entail propositions declared contradictory",),
    }


def test_incompatible_positions_give_every_reason_for_one_pair() -> None:
    found = {
        (curie(c.sides[0].claim), curie(c.sides[1].claim)): c.reasons
        for c in on_fixture("incompatible-positions", "found")
    }
    assert found[("claim:pos-a-refuses", "claim:pos-b-demands-north")] == (
        "one side affirms what entails the proposition the other denies",
        "opposite stances on overlapping territory of one side's state",
    )
    assert found[("claim:pos-a-refuses", "claim:pos-b-claims-city")] == (
        "opposite stances on overlapping territory of one side's state",
    )


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

#: The contradictions in the seed article (docs/model.md), by kind and claim IRIs, sides in report order.
ARTICLE = [
    # "U.S. intelligence assessments also reject Moscow's claims that Russia poses no threat to Europe."
    ("direct-opposition", "claim:moscow-russia-no-threat-to-europe", "claim:us-intel-rejects-no-threat"),
    # "Analysts instead view the war as part of a longer-term effort to restore influence …"
    (
        "incompatible-propositions",
        "claim:analysts-war-restores-soviet-influence",
        "claim:moscow-russia-no-threat-to-europe",
    ),
    # "Those conclusions stand in sharp contrast to public statements by … Trump and his envoys …"
    (
        "incompatible-propositions",
        "claim:trump-envoys-moscow-seeks-end-of-war",
        "claim:us-intel-putin-ambitions-beyond-settlement",
    ),
    # The same pair, seen as Washington's public line against its own intelligence.
    (
        "public-line-vs-intelligence",
        "claim:trump-envoys-moscow-seeks-end-of-war",
        "claim:us-intel-putin-ambitions-beyond-settlement",
    ),
    # Russia claims the occupied regions as Russian territory; Zelensky rejects any territorial concessions.
    (
        "incompatible-positions",
        "claim:russia-claims-occupied-regions",
        "claim:zelensky-rejects-territorial-concessions",
    ),
    # Trump presses Kyiv to withdraw from Donetsk (a territorial concession); Zelensky rejects concessions.
    (
        "incompatible-positions",
        "claim:trump-presses-kyiv-withdraw-donetsk",
        "claim:zelensky-rejects-territorial-concessions",
    ),
]


def test_bundled_article_contradictions_are_exactly_what_a_reader_sees() -> None:
    assert pairs(bundled()) == ARTICLE


def test_bundled_article_has_no_reversal_and_no_outsider_territory_pair() -> None:
    found = pairs(bundled())
    assert not [p for p in found if p[0] == "reversal"]
    # Trump's Donetsk demand and Putin's opposition to foreign troops both concern Ukraine, but neither
    # side is Ukraine's and the propositions do not conflict.
    assert not [p for p in found if "claim:putin-opposes-foreign-troops" in p]


def test_bundled_sides_carry_the_design_contract_fields() -> None:
    for contradiction in bundled():
        document = contradiction.to_json()
        assert set(document) >= {"kind", "sides"}
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


def test_bundled_public_line_side_shows_reuters_and_the_us_government() -> None:
    public_line = next(c for c in bundled() if c.kind == "public-line-vs-intelligence")
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
    assert [(c["kind"], curie(c["sides"][0]["claim"]), curie(c["sides"][1]["claim"])) for c in document] == ARTICLE
    assert document == [c.to_json() for c in bundled()]


def test_contradictions_kind_option_selects_kinds() -> None:
    result = cli(
        "contradictions", "--kind", "incompatible-positions", "--kind", "direct-opposition", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    assert [c["kind"] for c in json.loads(result.output)] == [
        "direct-opposition",
        "incompatible-positions",
        "incompatible-positions",
    ]


def test_contradictions_unknown_kind_is_one_line_error_exit_2() -> None:
    result = cli("contradictions", "--kind", "reversals")
    assert result.exit_code == 2
    assert result.output == f"Error: unknown contradiction kind 'reversals' (known: {', '.join(KIND_ORDER)})\n"


def test_contradictions_csv_has_one_row_per_pair_with_both_sides() -> None:
    result = cli("contradictions", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8"), newline="")))
    assert [(r["kind"], curie(r["claim_1"]), curie(r["claim_2"])) for r in rows] == ARTICLE
    first = rows[0]
    assert (first["claimant_label_1"], first["stance_1"]) == ("Government of Russia", "affirms")
    assert (first["claimant_label_2"], first["stance_2"]) == ("U.S. intelligence agencies", "denies")
    assert first["reasons"] == "opposite stances on the same proposition"


def test_contradictions_table_shows_kind_sides_and_provenance() -> None:
    result = cli("contradictions")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        "6 contradictions (direct opposition 1, incompatible propositions 2, public line vs intelligence 1, "
        "incompatible positions 2)"
    )
    assert lines[2] == "[1] direct opposition: opposite stances on the same proposition"
    assert lines[3] == "  A  Government of Russia (Russia) AFFIRMS \u201cRussia poses no threat to Europe\u201d"
    assert lines[4] == (
        "     claim:moscow-russia-no-threat-to-europe \u00b7 public statement \u00b7 via doc:optimism-vs-intelligence"
    )
    assert (
        lines[5]
        == "  B  U.S. intelligence agencies (United States) DENIES \u201cRussia poses no threat to Europe\u201d"
    )
    assert (
        "     claim:us-intel-putin-ambitions-beyond-settlement \u00b7 assessment \u00b7 "
        "via Reuters [doc:reuters-reporting] \u2192 doc:optimism-vs-intelligence"
    ) in lines


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
    monkeypatch.setattr("claimgraph.queries.contradictions.MAX_VALUES", 3)
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
        assert _pairs(engine, query) == expected, kind


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
