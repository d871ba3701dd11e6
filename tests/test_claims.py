"""add-claim and add-nonresponse (authoring.claims): what they write into a document's graph, and every
refusal (exit 2, the closest candidates named, no file changed)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from claimgraph.authoring import Relay, add_actor, add_claim, add_source
from claimgraph.cli import main
from claimgraph.errors import AuthoringCheckError, UnknownTermError
from claimgraph.io.dataset import load_dataset
from claimgraph.namespaces import ANCHOR, CG, CLAIM, DCTERMS, EVIDENCE, NONRESPONSE, OA, RDF, RELAY, XSD, expand
from claimgraph.validation.api import Severity, validate

ARTICLE = Path(__file__).parent / "resources" / "authoring" / "kremlin-nato.txt"
TEXT = ARTICLE.read_text(encoding="utf-8")
DOC = "graph/kremlin-nato.trig"
NO_THREAT = "Kremlin spokesman Dmitry Peskov said on Monday that Russia poses no threat to Europe"
ANONYMOUS = (
    "A European security official, speaking on condition of anonymity, told Reuters that Moscow\u2019s war is part"
    " of a longer-term effort to restore influence over territories once controlled by the Soviet Union"
)


@pytest.fixture
def article(data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bundled data with the test article archived and its two new actors; the working directory."""
    add_source(ARTICLE, data_dir=data_copy, title="Kremlin dismisses talk of a threat to NATO", slug="kremlin-nato")
    add_actor("actor:dmitry-peskov", data_dir=data_copy, type="person", label="Dmitry Peskov")
    add_actor(
        "actor:european-security-official",
        data_dir=data_copy,
        type="anonymous",
        label="European security official",
        description="A European security official",
        source_count=1,
    )
    monkeypatch.chdir(data_copy)
    return data_copy


def files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def statements(root: Path, subject: str) -> set[tuple[str, str]]:
    node = ox.NamedNode(expand(subject) or subject)
    return {(q.predicate.value, str(q.object)) for q in load_dataset(root).store.quads_for_pattern(node, None, None)}


def violations(root: Path) -> list[tuple[str, str]]:
    report = validate(load_dataset(root))
    return [(r.shape, r.focus) for r in report.results if r.severity is Severity.VIOLATION]


PESKOV = ["--claimant", "actor:dmitry-peskov", "--stance", "affirms", "--kind", "public-statement"]
CLAIM_ARGS = ["add-claim", DOC, *PESKOV, "--proposition", "prop:russia-poses-no-threat-to-europe"]


def test_a_claim_is_written_whole_into_its_document_and_validates(article: Path) -> None:
    result = run(
        *CLAIM_ARGS,
        "--quote",
        NO_THREAT,
        "--channel",
        "public",
        "--date",
        "2025-12",
        "--mention",
        "Kremlin spokesman Dmitry Peskov",
    )
    assert result.exit_code == 0, result.output
    name = "dmitry-peskov-russia-poses-no-threat-to-europe"
    start = TEXT.index(NO_THREAT)
    assert result.output.splitlines()[-1] == (
        f"Added claim:{name} to {DOC} (graph doc:kremlin-nato), anchored at code points {start} to"
        f" {start + len(NO_THREAT)}."
    )
    claim = statements(article, f"claim:{name}")
    assert (CG.claimant, f"<{expand('actor:dmitry-peskov')}>") in claim
    assert (CG.stance, f"<{CG.Affirms}>") in claim
    assert (CG.channel, f"<{CG.PublicChannel}>") in claim
    assert (DCTERMS.date, f'"2025-12"^^<{XSD.gYearMonth}>') in claim
    evidence = statements(article, f"evidence:{name}")
    assert (CG.quoteMode, f"<{CG.Paraphrase}>") in evidence
    assert (CG.claimantMention, '"Kremlin spokesman Dmitry Peskov"@en') in evidence
    assert (OA.exact, f'"{NO_THREAT}"') in statements(article, f"anchor:{name}-quote")
    assert (OA.start, f'"{start}"^^<{XSD.integer}>') in statements(article, f"anchor:{name}-position")
    assert violations(article) == []


def test_relays_are_written_in_order_with_their_act_report_and_basis(article: Path) -> None:
    written = add_claim(
        Path(DOC),
        data_dir=article,
        quote=ANONYMOUS,
        claimant="actor:european-security-official",
        proposition="prop:war-aims-to-restore-soviet-era-influence",
        stance="cg:Affirms",
        kind="assessment",
        relays=[Relay("actor:reuters", "told-to"), "actor:reuters reported-by doc:reuters-reporting contextual"],
        name="official",
    )
    assert written.nodes[:4] == [CLAIM.official, EVIDENCE.official, RELAY.term("official-1"), RELAY.term("official-2")]
    first, second = statements(article, "relay:official-1"), statements(article, "relay:official-2")
    assert (CG.relayAct, f"<{CG.ToldTo}>") in first
    assert (CG.attributionBasis, f"<{CG.ExplicitAttribution}>") in first
    assert (CG.relayOrder, f'"2"^^<{XSD.integer}>') in second
    assert (CG.viaSource, f"<{expand('doc:reuters-reporting')}>") in second
    assert (CG.attributionBasis, f"<{CG.ContextualAttribution}>") in second
    assert [w.shape for w in written.warnings] == [expand("cgsh:Claim-singleAnonymousSource")]
    assert violations(article) == []


def test_the_document_may_be_named_by_its_archived_text_and_the_occurrence_chosen(article: Path) -> None:
    result = run(
        "add-claim",
        "graph/archive/kremlin-nato.txt",
        *PESKOV,
        "--proposition",
        "prop:russia-poses-no-threat-to-europe",
        "--quote",
        "Peskov",
        "--occurrence",
        "2",
        "--name",
        "second",
    )
    assert result.exit_code == 0, result.output
    second = [m.start() for m in re.finditer("Peskov", TEXT)][1]
    assert (OA.start, f'"{second}"^^<{XSD.integer}>') in statements(article, "anchor:second-position")


def test_a_default_name_in_use_gets_the_next_free_suffix(article: Path) -> None:
    first = add_claim(
        Path(DOC),
        data_dir=article,
        quote=NO_THREAT,
        claimant="actor:dmitry-peskov",
        proposition="prop:russia-poses-no-threat-to-europe",
        stance="affirms",
        kind="public-statement",
    )
    again = add_claim(
        Path(DOC),
        data_dir=article,
        quote=NO_THREAT,
        claimant="actor:dmitry-peskov",
        proposition="prop:russia-poses-no-threat-to-europe",
        stance="affirms",
        kind="public-statement",
    )
    assert again.nodes[0] == first.nodes[0] + "-2"
    assert violations(article) == []


def test_the_unnamed_author_speaks_in_the_author_s_voice_by_default(article: Path) -> None:
    add_actor("actor:kremlin-nato-author", data_dir=article, type="unnamed-author", label="Unnamed author")
    written = add_claim(
        Path(DOC),
        data_dir=article,
        quote="His words run counter to Western assessments",
        claimant="actor:kremlin-nato-author",
        proposition="prop:russia-poses-no-threat-to-europe",
        stance="denies",
        kind="report-of-fact",
        name="author",
    )
    assert (CG.quoteMode, f"<{CG.AuthorVoice}>") in statements(article, "evidence:author")
    assert written.written


def test_a_dry_run_prints_the_turtle_and_writes_nothing(article: Path) -> None:
    before = files(article)
    result = run(*CLAIM_ARGS, "--quote", NO_THREAT, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == f"# Dry run: would add to {DOC} (graph doc:kremlin-nato):"
    assert (
        "    claim:dmitry-peskov-russia-poses-no-threat-to-europe\n        a              cg:Claim ;" in result.output
    )
    assert files(article) == before


def test_a_non_response_is_written_in_the_author_s_voice(article: Path) -> None:
    quote = "NATO did not respond to a request for comment on the remarks"
    result = run("add-nonresponse", DOC, "--respondent", "actor:nato", "--quote", quote, "--topic", "the remarks")
    assert result.exit_code == 0, result.output
    node = statements(article, "nonresponse:nato-no-comment")
    assert (RDF.type, f"<{CG.NonResponse}>") in node
    assert (CG.respondent, f"<{expand('actor:nato')}>") in node
    assert (CG.topicText, '"the remarks"@en') in node
    assert (CG.notStated, f"<{DCTERMS.date}>") in node
    assert (CG.quoteMode, f"<{CG.AuthorVoice}>") in statements(article, "evidence:nato-no-comment")
    assert NONRESPONSE.term("nato-no-comment") and ANCHOR.term("nato-no-comment")
    assert violations(article) == []


SUGGESTED = "not defined as a cg:{cls} in the data; did you mean {iri}?"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        pytest.param(
            ["--claimant", "actor:dmitry-peskow", "--proposition", "prop:russia-poses-no-threat-to-europe"],
            f"{DOC}: --claimant 'actor:dmitry-peskow': " + SUGGESTED.format(cls="Agent", iri="actor:dmitry-peskov"),
            id="unknown-claimant",
        ),
        pytest.param(
            ["--claimant", "actor:dmitry-peskov", "--proposition", "prop:russia-poses-no-threat-to-europa"],
            f"{DOC}: --proposition 'prop:russia-poses-no-threat-to-europa': "
            + SUGGESTED.format(cls="Proposition", iri="prop:russia-poses-no-threat-to-europe"),
            id="unknown-proposition",
        ),
        pytest.param(
            ["--claimant", "actor:nobody-at-all", "--proposition", "prop:russia-poses-no-threat-to-europe"],
            f"{DOC}: --claimant 'actor:nobody-at-all': not defined as a cg:Agent in the data"
            " (claimgraph add-actor defines one)",
            id="unknown-claimant-far-from-any",
        ),
        pytest.param(
            ["--claimant", "prop:putin-wants-more", "--proposition", "prop:russia-poses-no-threat-to-europe"],
            f"{DOC}: --claimant 'prop:putin-wants-more': prop:putin-wants-more is a cg:Proposition, not a cg:Agent",
            id="claimant-of-another-class",
        ),
        pytest.param(
            [
                "--claimant",
                "actor:dmitry-peskov",
                "--proposition",
                "prop:russia-poses-no-threat-to-europe",
                "--stance",
                "afirms",
            ],
            f"{DOC}: --stance 'afirms': not a concept of cg:StanceScheme (known: affirms, denies, uncertain);"
            " did you mean affirms?",
            id="bad-stance",
        ),
        pytest.param(
            [
                "--claimant",
                "actor:dmitry-peskov",
                "--proposition",
                "prop:russia-poses-no-threat-to-europe",
                "--kind",
                "opinion",
            ],
            f"{DOC}: --kind 'opinion': not a concept of cg:ClaimKindScheme (known: assessment, denial,"
            " position-or-demand, proposal-claim, public-statement, report-of-fact)",
            id="bad-kind",
        ),
        pytest.param(
            [
                "--claimant",
                "actor:dmitry-peskov",
                "--proposition",
                "prop:russia-poses-no-threat-to-europe",
                "--channel",
                "cg:PrivateChanel",
            ],
            f"{DOC}: --channel 'cg:PrivateChanel': not a concept of cg:ChannelScheme (known: private, public)",
            id="bad-channel",
        ),
        pytest.param(
            [
                "--claimant",
                "actor:dmitry-peskov",
                "--proposition",
                "prop:russia-poses-no-threat-to-europe",
                "--relay",
                "actor:reuters toldto",
            ],
            f"{DOC}: --relay 'toldto': not a concept of cg:RelayActScheme (known: relayed-by, reported-by, told-to);"
            " did you mean told-to?",
            id="bad-relay-act",
        ),
        pytest.param(
            [
                "--claimant",
                "actor:dmitry-peskov",
                "--proposition",
                "prop:russia-poses-no-threat-to-europe",
                "--relay",
                "actor:reuters told-to doc:kremlin-nato",
            ],
            f"{DOC}: --relay 'doc:kremlin-nato': doc:kremlin-nato is a cg:NewsArticle, not a cg:CitedSource",
            id="relay-via-not-a-cited-source",
        ),
        pytest.param(
            [
                "--claimant",
                "actor:dmitry-peskov",
                "--proposition",
                "prop:russia-poses-no-threat-to-europe",
                "--relay",
                "actor:reuters",
            ],
            f"{DOC}: --relay 'actor:reuters': expected 'AGENT ACT [DOC] [contextual]', e.g. 'actor:reuters told-to'",
            id="relay-without-act",
        ),
        pytest.param(
            [
                "--claimant",
                "actor:european-security-official",
                "--proposition",
                "prop:russia-poses-no-threat-to-europe",
                "--relay",
                "actor:european-security-official relayed-by",
            ],
            f"{DOC}: --relay 'actor:european-security-official relayed-by': the claimant"
            " actor:european-security-official is an anonymous source: name who passed the claim on with a relay"
            " step whose agent is named (the outlet the source spoke to, say), not anonymous nor an unnamed author",
            id="anonymous-without-named-intermediary",
        ),
        pytest.param(
            [
                "--claimant",
                "actor:dmitry-peskov",
                "--proposition",
                "prop:russia-poses-no-threat-to-europe",
                "--date",
                "Monday",
            ],
            f"{DOC}: --date 'Monday': expected YYYY-MM-DD, YYYY-MM or YYYY, as precise as the text gives",
            id="bad-date",
        ),
        pytest.param(
            [
                "--claimant",
                "actor:dmitry-peskov",
                "--proposition",
                "prop:russia-poses-no-threat-to-europe",
                "--name",
                "moscow-russia-no-threat-to-europe",
            ],
            f"graph/optimism-vs-intelligence.trig: already uses <{CLAIM.term('moscow-russia-no-threat-to-europe')}>:"
            " choose another --name",
            id="name-in-use",
        ),
        pytest.param(
            [
                "--claimant",
                "actor:dmitry-peskov",
                "--proposition",
                "prop:russia-poses-no-threat-to-europe",
                "--mention",
                "Dmitri Peskov",
            ],
            "graph/archive/kremlin-nato.txt: 'Dmitri Peskov' is not in the text",
            id="mention-not-in-text",
        ),
    ],
)
def test_refusals_name_the_closest_and_change_nothing(article: Path, args: list[str], error: str) -> None:
    before = files(article)
    defaults = {"--stance": "affirms", "--kind": "public-statement"}
    given = dict(zip(args[::2], args[1::2], strict=False))
    extra = [x for k, v in defaults.items() if k not in given for x in (k, v)]
    result = run("add-claim", DOC, *args, *extra, "--quote", NO_THREAT)
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[1:] == [f"Error: {error}"]
    assert files(article) == before


@pytest.mark.parametrize(
    ("quote", "error"),
    [
        pytest.param(
            "Russia poses no threat to NATO",
            "'Russia poses no threat to NATO' is not in the text; its first 26 code points are at code point 148:"
            " at code point 174 the text has 'E' (U+0045 LATIN CAPITAL LETTER E) where the quote has 'N' (U+004E"
            " LATIN CAPITAL LETTER N)",
            id="not-in-text",
        ),
        pytest.param(
            "Peskov",
            "'Peskov' occurs 2 times (at code points 121, 239): add words to make it unique, or pass --occurrence N"
            " (1 to 2)",
            id="ambiguous",
        ),
    ],
)
def test_a_quote_not_in_the_text_exactly_once_is_refused_and_nothing_changes(
    article: Path, quote: str, error: str
) -> None:
    before = files(article)
    for command in (
        [*CLAIM_ARGS, "--quote", quote],
        ["add-nonresponse", DOC, "--respondent", "actor:nato", "--quote", quote],
    ):
        result = run(*command)
        assert result.exit_code == 2, result.output
        assert result.output.splitlines()[1:] == [f"Error: graph/archive/kremlin-nato.txt: {error}"]
    assert files(article) == before


@pytest.mark.parametrize(
    ("doc_file", "error"),
    [
        ("-", "-: standard input cannot be written to: name the document's TriG file"),
        (
            "graph/actors.trig",
            "graph/actors.trig: is not the TriG file of an archived document (a graph named by its"
            " cg:SourceDocument) nor its text",
        ),
        ("elsewhere.trig", "elsewhere.trig: is not a file of the data in graph"),
    ],
)
def test_the_document_must_be_an_archived_document_of_the_data(article: Path, doc_file: str, error: str) -> None:
    (article / "elsewhere.trig").write_text("", encoding="utf-8")
    before = files(article)
    result = run(
        "add-claim", doc_file, *PESKOV[:2], *PESKOV[2:], "--proposition", "prop:putin-wants-more", "--quote", "x"
    )
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[1:] == [f"Error: {error}"]
    assert files(article) == before


def test_the_library_errors_carry_the_candidates(article: Path) -> None:
    with pytest.raises(UnknownTermError) as caught:
        add_claim(
            Path(DOC),
            data_dir=article,
            quote=NO_THREAT,
            claimant="actor:dmitry-peskow",
            proposition="prop:putin-wants-more",
            stance="affirms",
            kind="assessment",
        )
    assert (caught.value.field, caught.value.candidates) == ("claimant", ["actor:dmitry-peskov"])
    assert "--" not in str(caught.value)  # the library speaks of data, not of options


def test_what_would_not_validate_is_refused_with_the_shape_s_message(article: Path) -> None:
    """A rule of the data's own shapes that no option check knows of still guards the write."""
    shapes = article / "ontology" / "shapes.ttl"
    shapes.write_text(
        shapes.read_text(encoding="utf-8")
        + """
cgsh:Claim-datedHere a sh:PropertyShape ;
    sh:targetClass cg:Claim ;
    sh:path dcterms:date ;
    sh:minCount 1 ;
    sh:message "In this repository every claim states its date."@en .
""",
        encoding="utf-8",
    )
    before = files(article)
    with pytest.raises(AuthoringCheckError) as caught:
        add_claim(
            Path(DOC),
            data_dir=article,
            quote=NO_THREAT,
            claimant="actor:dmitry-peskov",
            proposition="prop:putin-wants-more",
            stance="affirms",
            kind="assessment",
            name="undated",
        )
    assert caught.value.problems == [
        "claim:undated dcterms:date: In this repository every claim states its date. [cgsh:Claim-datedHere]"
    ]
    assert files(article) == before
    result = run(*CLAIM_ARGS, "--quote", NO_THREAT, "--name", "undated")
    assert result.exit_code == 2
    assert result.output.splitlines()[1] == (
        f"Error: {DOC}: would not validate, so nothing was written: claim:undated dcterms:date: In this repository"
        " every claim states its date. [cgsh:Claim-datedHere]"
    )
    dated = add_claim(
        Path(DOC),
        data_dir=article,
        quote=NO_THREAT,
        claimant="actor:dmitry-peskov",
        proposition="prop:putin-wants-more",
        stance="affirms",
        kind="assessment",
        date="2025",
    )
    assert dated.written
