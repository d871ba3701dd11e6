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


# ---------------------------------------------------------------------------------------------------
# What a CI must not let through, as a user meets it: each a text edit of a copy of the bundled graph,
# reported in text output at the line of the statement at fault (tests/test_suggest.py: misspelt terms)
# ---------------------------------------------------------------------------------------------------

ARTICLE = "graph/optimism-vs-intelligence.trig"
NATO_OFFICIAL = """
    actor:nato-official
        a              cg:AnonymousSource ;
        rdfs:label     "NATO official"@en ;
        cg:description "a NATO official, speaking on condition of anonymity"@en ;
        cg:sourceCount "1"^^xsd:nonNegativeInteger .
"""


def _edit(root: Path, name: str, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` once in ``root/name``; the line ``old`` started on."""
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def _text_results(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[str]]:
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["validate", "--data", "."])
    return result.exit_code, result.stdout.splitlines()


def test_a_named_groups_claim_relayed_only_by_an_anonymous_official_is_warned_of(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _edit(data_copy, "graph/actors.trig", "\n    actor:jared-kushner\n", NATO_OFFICIAL + "\n    actor:jared-kushner\n")
    agent = "cg:relayAgent       actor:mike-quigley ;"
    line = _edit(data_copy, ARTICLE, agent, agent.replace("actor:mike-quigley", "actor:nato-official"))
    code, lines = _text_results(data_copy, monkeypatch)
    assert code == 1  # warnings fail the run unless allowed
    (found,) = [t for t in lines if t.endswith("[cgsh:Claim-singleAnonymousRelay]")]
    # at the relay step naming the official: the statement the claim rests on
    assert found.startswith(f"{ARTICLE}:{line}: WARNING   claim:intelligence-community-putin-wants-more = ")
    assert " = actor:nato-official: " in found


def test_the_articles_unnamed_author_is_not_the_named_intermediary_of_an_anonymous_claim(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    step = "relay:anonymous-source-review-late-september-1\n"
    text = (data_copy / ARTICLE).read_text(encoding="utf-8")
    old = text[text.index(step) :]
    old = old[: old.index(" .\n")]
    _edit(data_copy, ARTICLE, old, old.replace("actor:reuters", "actor:optimism-vs-intelligence-author"))
    code, lines = _text_results(data_copy, monkeypatch)
    assert code == 1
    (found,) = [t for t in lines if t.endswith("[cgsh:Claim-anonymousClaimantRelayedByNamedAgent]")]
    evidence_line = text[: text.index("cg:evidence    evidence:anonymous-source-review-late-september")].count("\n") + 1
    assert found.startswith(f"{ARTICLE}:{evidence_line}: ")  # the claim's evidence statement
    claim, evidence = "claim:anonymous-source-review-late-september", "evidence:anonymous-source-review-late-september"
    assert f" VIOLATION {claim} = {evidence}: " in found
    assert "cg:UnnamedAuthor" in found  # the message says what does not count, and what would


def test_the_same_article_archived_twice_is_reported_naming_both_documents(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = (data_copy / ARTICLE).read_text(encoding="utf-8")
    head = article[: article.index("doc:optimism-vs-intelligence {")]
    body = article[article.index("    doc:optimism-vs-intelligence\n") :]
    body = body[: body.index(" .\n") + 3].replace("doc:optimism-vs-intelligence", "doc:the-article-again", 1)
    (data_copy / "graph" / "the-article-again.trig").write_text(
        f"{head}doc:the-article-again {{\n{body}}}\n", encoding="utf-8"
    )
    code, lines = _text_results(data_copy, monkeypatch)
    assert code == 1
    (found,) = [t for t in lines if t.endswith("[cgsh:SourceDocument-uniqueArchive]")]
    # on the document whose IRI sorts first, naming the other, where the other is written
    assert found.startswith(
        "graph/the-article-again.trig:33: VIOLATION doc:optimism-vs-intelligence = doc:the-article-again: "
    )


def test_a_missing_semicolon_is_an_error_naming_the_line_before(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = _edit(data_copy, ARTICLE, "cg:claimKind   cg:Assessment ;", "cg:claimKind   cg:Assessment")
    monkeypatch.chdir(data_copy)
    result = CliRunner().invoke(main, ["validate", "--data", "."])
    assert result.exit_code == 2
    (error,) = result.stderr.splitlines()
    assert error.startswith(f"Error: {ARTICLE}:{line + 1}:")
    assert error.endswith(f"(line {line} ends with no ';', ',' or '.': is one missing there?)")
