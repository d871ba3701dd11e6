"""Archiving a source (add-source) and locating quotes (locate): authoring.sources, authoring.quotes."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from claimgraph.authoring import add_claim, add_source, find_quote, locate_quote, skeleton_trig, slugify
from claimgraph.cli import main
from claimgraph.errors import AmbiguousQuoteError, QuoteNotFoundError
from claimgraph.io.dataset import load_dataset
from claimgraph.namespaces import ANCHOR, CG, DCTERMS, DOC, PREFIXES, XSD
from claimgraph.project import bundled_data_dir
from claimgraph.validation.api import Severity, validate

RESOURCES = Path(__file__).parent / "resources" / "authoring"
ARTICLE = RESOURCES / "intelligence-doubts.txt"
SEED = bundled_data_dir() / "graph" / "archive" / "optimism-vs-intelligence.txt"
QUOTE = (
    "U.S. intelligence agencies continue to assess that Vladimir Putin\u2019s ambitions extend well beyond a "
    "limited settlement in Ukraine"
)
TITLE = "Intelligence doubts shadow Ukraine talks"
TITLE_IRI = DCTERMS.term("title")  # DCTERMS.title would be str.title
DATE_EXPECTED = "expected YYYY-MM-DD, YYYY-MM or YYYY, as precise as the text gives"
KNOWN = ", ".join(PREFIXES)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def violations(root: Path) -> list[tuple[str, str]]:
    report = validate(load_dataset(root))
    return [(r.shape, r.focus) for r in report.results if r.severity is Severity.VIOLATION]


def document_triples(graph_file: Path, document: str) -> dict[str, set[str]]:
    """The document's predicates and objects (N-Triples forms) in the skeleton."""
    found: dict[str, set[str]] = {}
    for quad in ox.parse(path=graph_file, format=ox.RdfFormat.TRIG):
        if quad.subject == ox.NamedNode(document):
            found.setdefault(quad.predicate.value, set()).add(str(quad.object))
    return found


# --- add-source ----------------------------------------------------------------------------------


def test_add_source_archives_the_text_and_writes_a_skeleton_that_validates(data_copy: Path) -> None:
    result = run("add-source", ARTICLE, "--title", TITLE, "--date", "2025-12-20", "--slug", "intelligence-doubts",
                 "--data", data_copy)
    assert result.exit_code == 0, result.output
    archive = data_copy / "graph" / "archive" / "intelligence-doubts.txt"
    graph_file = data_copy / "graph" / "intelligence-doubts.trig"
    data = ARTICLE.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    text = data.decode("utf-8")
    assert len(text) < len(data)  # curly apostrophes: code points, not bytes, are counted
    assert archive.read_bytes() == data
    assert result.output.splitlines() == [
        f"Archived {archive}: SHA-256 {digest}, {len(text)} code points.",
        f"Wrote {graph_file}: graph doc:intelligence-doubts",
        f'Next: claimgraph add-claim {graph_file} --quote "quoted words" --claimant … (see --help)',
    ]
    document = DOC.term("intelligence-doubts")
    triples = document_triples(graph_file, document)
    assert triples[CG.sha256] == {f'"{digest}"'}
    assert triples[CG.charLength] == {f'"{len(text)}"^^<{XSD.nonNegativeInteger}>'}
    assert triples[CG.archivePath] == {'"archive/intelligence-doubts.txt"'}
    assert triples[TITLE_IRI] == {f'"{TITLE}"@en'}
    assert triples[DCTERMS.date] == {f'"2025-12-20"^^<{XSD.date}>'}
    assert triples[CG.notStated] == {f"<{DCTERMS.publisher}>"}
    assert triples["http://www.w3.org/1999/02/22-rdf-syntax-ns#type"] == {f"<{CG.NewsArticle}>"}
    assert violations(data_copy) == []
    report = validate(load_dataset(data_copy))
    assert report.counts.documents == 2
    assert not [r for r in report.results if r.focus == document]


def test_skeleton_states_what_is_not_given_as_not_stated(data_copy: Path) -> None:
    added = add_source(ARTICLE, data_dir=data_copy)
    assert added.document == DOC.term("intelligence-doubts")  # from the file name
    triples = document_triples(added.graph_file, added.document)
    assert triples[CG.notStated] == {f"<{TITLE_IRI}>", f"<{DCTERMS.publisher}>", f"<{DCTERMS.date}>"}
    assert TITLE_IRI not in triples
    assert violations(data_copy) == []


def test_publisher_date_precision_and_awkward_titles(data_copy: Path) -> None:
    title = 'He said "no" \\ then\nleft'
    added = add_source(ARTICLE, data_dir=data_copy, title=title, publisher="actor:reuters", date="2025-12", slug="x1")
    triples = document_triples(added.graph_file, added.document)
    assert triples[DCTERMS.publisher] == {"<https://w3id.org/claimgraph/id/actor/reuters>"}
    assert triples[DCTERMS.date] == {f'"2025-12"^^<{XSD.gYearMonth}>'}
    assert triples[TITLE_IRI] == {str(ox.Literal(title, language="en"))}
    other = data_copy / "other.txt"  # another text: one text belongs to one document
    other.write_bytes(ARTICLE.read_bytes() + b"\nA later paragraph.\n")
    again = add_source(
        other, data_dir=data_copy, publisher="<https://w3id.org/claimgraph/id/actor/reuters>", date="2025", slug="x2"
    )
    assert document_triples(again.graph_file, again.document)[DCTERMS.date] == {f'"2025"^^<{XSD.gYear}>'}
    assert again.already_archived is False
    assert violations(data_copy) == []


def test_the_skeleton_names_the_commands_that_add_to_it_and_parses() -> None:
    text = skeleton_trig(slug="s", sha256="0" * 64, char_length=3, title=None, publisher=None, date=None)
    assert "claimgraph add-claim graph/s.trig" in text
    assert "claimgraph add-nonresponse graph/s.trig" in text
    quads = list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TRIG))
    assert {q.graph_name for q in quads} == {ox.NamedNode(DOC.term("s"))}
    assert len(quads) == 8  # type, label, path, hash, length, and title, publisher, date not stated


def test_a_text_from_standard_input_is_archived_under_its_slug(data_copy: Path) -> None:
    result = CliRunner().invoke(
        main, ["add-source", "-", "--slug", "piped", "--data", str(data_copy)], input=ARTICLE.read_bytes()
    )
    assert result.exit_code == 0, result.output
    assert (data_copy / "graph" / "archive" / "piped.txt").read_bytes() == ARTICLE.read_bytes()
    assert violations(data_copy) == []
    unnamed = CliRunner().invoke(main, ["add-source", "-", "--data", str(data_copy)], input=b"text")
    assert unnamed.exit_code == 2
    assert unnamed.output.splitlines() == [
        "Error: -: --slug: a text from standard input has no file name to name it by: give its title or a slug"
    ]


def test_identical_archive_is_reused_and_a_different_one_refused(data_copy: Path) -> None:
    archive = data_copy / "graph" / "archive" / "intelligence-doubts.txt"
    archive.write_bytes(ARTICLE.read_bytes())
    result = run("add-source", ARTICLE, "--data", data_copy)
    assert result.exit_code == 0
    assert result.output.startswith(f"Already archived (identical) {archive}: ")

    (data_copy / "graph" / "intelligence-doubts.trig").unlink()
    archive.write_bytes(b"another text")
    refused = run("add-source", ARTICLE, "--data", data_copy)
    assert refused.exit_code == 2
    assert refused.output.splitlines() == [
        f"Error: {archive}: already archived with different content than {ARTICLE}: not overwritten (use --slug)"
    ]
    assert archive.read_bytes() == b"another text"
    assert not (data_copy / "graph" / "intelligence-doubts.trig").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2025-13-01"], "--date '2025-13-01': " + DATE_EXPECTED),
        (["--date", "20 December"], "--date '20 December': " + DATE_EXPECTED),
        (["--slug", "Bad Slug"], "--slug 'Bad Slug': use lowercase letters, digits and single hyphens"),
        (
            ["--publisher", "actor:nobody"],
            "--publisher 'actor:nobody': not defined as a cg:Agent in the data (claimgraph add-actor defines one)",
        ),
        (
            ["--publisher", "actor:reuter"],
            "--publisher 'actor:reuter': not defined as a cg:Agent in the data; did you mean actor:reuters?",
        ),
        (
            ["--publisher", "prop:putin-wants-more"],
            "--publisher 'prop:putin-wants-more': prop:putin-wants-more is a cg:Proposition, not a cg:Agent",
        ),
        (["--publisher", "foo:bar"], "--publisher 'foo:bar': unknown prefix 'foo' (known: " + KNOWN + ")"),
        (["--publisher", "Reuters"], "--publisher 'Reuters': expected a CURIE such as actor:reuters or a full IRI"),
    ],
)
def test_malformed_options_are_one_line_errors_and_nothing_is_written(
    data_copy: Path, args: list[str], message: str
) -> None:
    before = sorted(p for p in (data_copy / "graph").rglob("*"))
    result = run("add-source", ARTICLE, "--data", data_copy, *args)
    assert result.exit_code == 2
    assert result.output.splitlines() == [f"Error: {ARTICLE}: " + message]
    assert sorted(p for p in (data_copy / "graph").rglob("*")) == before


def test_existing_graph_file_and_used_document_iri_are_refused(data_copy: Path) -> None:
    graph_file = data_copy / "graph" / "mine.trig"
    graph_file.write_text("# mine\n", encoding="utf-8")
    exists = run("add-source", ARTICLE, "--slug", "mine", "--data", data_copy)
    assert exists.exit_code == 2
    assert exists.output.splitlines() == [
        f"Error: {graph_file}: already exists: not overwritten (use --slug to choose another name)"
    ]
    assert graph_file.read_text(encoding="utf-8") == "# mine\n"
    assert not (data_copy / "graph" / "archive" / "mine.txt").exists()

    in_use = run("add-source", ARTICLE, "--slug", "reuters-reporting", "--data", data_copy)
    assert in_use.exit_code == 2
    assert in_use.output.splitlines() == [
        f"Error: {data_copy / 'graph' / 'optimism-vs-intelligence.trig'}: already uses"
        f" <{DOC.term('reuters-reporting')}>: choose another --slug"
    ]


def test_a_text_that_is_not_utf8_is_refused(data_copy: Path, tmp_path: Path) -> None:
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\u00e9".encode("latin-1"))
    result = run("add-source", latin, "--data", data_copy)
    assert result.exit_code == 2
    assert result.output.splitlines() == [f"Error: {latin}: not UTF-8 (byte 3): archive texts must be UTF-8"]


def test_slugs_are_readable_ascii() -> None:
    title = "Putin\u2019s ambitions: \u201cwell beyond\u201d \u2014 Kyiv & K\u00f6ln"
    assert slugify(title) == "putins-ambitions-well-beyond-kyiv-koln"
    assert slugify("a " * 30) == "a-a-a-a-a-a-a-a"
    assert slugify("\u2014") == ""


# --- locate --------------------------------------------------------------------------------------


def bundled_anchors() -> list[dict[str, str | int]]:
    rows = load_dataset().select(
        """SELECT ?anchor ?exact ?prefix ?suffix ?start ?end WHERE {
            ?anchor a cg:TextAnchor ; oa:hasSelector ?q , ?p .
            ?q a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix .
            ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
        } ORDER BY ?anchor"""
    )
    return [
        {k: int(v.value) if k in ("start", "end") else v.value for k, v in row.items()}  # type: ignore[union-attr]
        for row in rows
    ]


def test_locate_reproduces_every_anchor_of_the_bundled_graph() -> None:
    text = SEED.read_bytes().decode("utf-8")
    anchors = bundled_anchors()
    assert len(anchors) >= 25
    for anchor in anchors:
        exact = str(anchor["exact"])
        starts = [m.start() for m in re.finditer(re.escape(exact), text)]
        found = find_quote(text, exact, path=SEED, occurrence=starts.index(int(anchor["start"])) + 1)
        assert (found.exact, found.prefix, found.suffix, found.start, found.end) == (
            anchor["exact"],
            anchor["prefix"],
            anchor["suffix"],
            anchor["start"],
            anchor["end"],
        ), anchor["anchor"]


def test_locate_prints_turtle_that_matches_the_curated_selectors() -> None:
    name = "intelligence-community-putin-wants-more"
    quote = "The intelligence community has always said that Putin wants more,"
    result = run("locate", SEED, quote, "--anchor", name)
    assert result.exit_code == 0, result.output
    shown = SEED.relative_to(Path.cwd()) if SEED.is_relative_to(Path.cwd()) else SEED
    assert result.output.splitlines()[0] == f"    # {shown}: code points 2827 to 2892"
    prefixes = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
    printed = set(ox.parse(prefixes + result.output, format=ox.RdfFormat.TURTLE))
    selectors = (ox.NamedNode(ANCHOR.term(f"{name}-quote")), ox.NamedNode(ANCHOR.term(f"{name}-position")))
    label = "http://www.w3.org/2000/01/rdf-schema#label"

    def value(term: object) -> str:
        return str(getattr(term, "value", term))

    curated = {
        (q.subject, q.predicate, value(q.object))
        for q in load_dataset().store
        if q.subject in selectors and q.predicate.value != label
    }
    # The store keeps xsd:nonNegativeInteger values as xsd:integer: compare values, not datatypes.
    assert {(t.subject, t.predicate, value(t.object)) for t in printed} == curated


def test_locate_json_and_occurrences(tmp_path: Path) -> None:
    result = run("locate", ARTICLE, "Reuters", "--occurrence", "2", "--format", "json")
    assert result.exit_code == 0
    text = ARTICLE.read_bytes().decode("utf-8")
    second = text.index("Reuters", text.index("Reuters") + 1)
    assert json.loads(result.output) == {
        "file": str(ARTICLE),
        "exact": "Reuters",
        "prefix": text[second - 32 : second],
        "suffix": text[second + 7 :],
        "start": second,
        "end": second + 7,
        "occurrence": 2,
        "occurrences": 2,
    }
    assert len(text[second + 7 :]) < 32  # near the end of the text the suffix is shorter


def test_offsets_count_code_points_and_keep_crlf_line_ends(tmp_path: Path) -> None:
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes("\u201cOne\u201d\r\nsaid \U0001f600 two".encode())
    found = locate_quote(crlf, "two")
    assert (found.start, found.end, found.prefix) == (14, 17, "\u201cOne\u201d\r\nsaid \U0001f600 ")


@pytest.mark.parametrize(
    ("quote", "extra", "message"),
    [
        ("Kremlin", [], "'Kremlin' is not in the text"),
        (
            "Putin's ambitions",
            [],
            "\"Putin's ambitions\" is not in the text; with quotes, dashes and spaces normalised it matches code"
            " points 136 to 153, 'Putin\u2019s ambitions': at code point 141 the text has '\u2019' (U+2019 RIGHT"
            " SINGLE QUOTATION MARK) where the quote has \"'\" (U+0027 APOSTROPHE) (copy the text's own characters)",
        ),
        (
            # A long quote: the place they part is shown even where both are clipped in the message.
            QUOTE.replace("\u2019", "'"),
            [],
            "'U.S. intelligence agencies continue to assess that Vladimir\u2026' is not in the text; with quotes,"
            " dashes and spaces normalised it matches code points 76 to 204, '\u2026 to assess that Vladimir"
            " Putin\u2019s ambitions extend well beyon\u2026': at code point 141 the text has '\u2019' (U+2019 RIGHT"
            " SINGLE QUOTATION MARK) where the quote has \"'\" (U+0027 APOSTROPHE) (copy the text's own characters)",
        ),
        (
            "U.S. intelligence agencies continue to asses that",
            [],
            "'U.S. intelligence agencies continue to asses that' is not in the text; its first 44 code points are at"
            " code point 76: at code point 120 the text has 's' (U+0073 LATIN SMALL LETTER S) where the quote has"
            " ' ' (U+0020 SPACE)",
        ),
        (
            "Reuters",
            [],
            "'Reuters' occurs 2 times (at code points 232, 405): add words to make it unique, or pass"
            " --occurrence N (1 to 2)",
        ),
        (
            "Reuters",
            ["--occurrence", "3"],
            "'Reuters' occurs 2 times (at code points 232, 405): --occurrence 3 is out of range: pass 1 to 2",
        ),
        ("", [], "QUOTE: give the words to find"),
        ("Sources: Reuters.\nMore", [], "'Sources: Reuters.\\nMore' is not in the text; its first 18 code points are"
         " at code point 396: at code point 414 the text ends where the quote has 'M' (U+004D LATIN CAPITAL LETTER M)"),
    ],
)
def test_locate_errors_are_one_line_exit_2(quote: str, extra: list[str], message: str) -> None:
    result = run("locate", ARTICLE, quote, *extra)
    assert result.exit_code == 2
    assert result.output.splitlines() == [f"Error: {ARTICLE}: {message}"]


def test_locate_errors_carry_their_data() -> None:
    text = ARTICLE.read_bytes().decode("utf-8")
    with pytest.raises(AmbiguousQuoteError) as ambiguous:
        find_quote(text, "Reuters", path=ARTICLE)
    assert ambiguous.value.starts == [232, 405]
    with pytest.raises(QuoteNotFoundError) as missing:
        find_quote(text, "Trump  and his envoys", path=ARTICLE)  # two spaces: a near match
    assert missing.value.near is not None
    assert text[missing.value.near[0] : missing.value.near[1]] == "Trump and his envoys"


# --- A second article: a claim added by command is reported at its own line when broken ---------


def test_a_claim_added_by_command_and_broken_is_reported_at_its_line(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_source(ARTICLE, data_dir=data_copy, title=TITLE, slug="intelligence-doubts")
    graph_file = data_copy / "graph" / "intelligence-doubts.trig"
    written = add_claim(
        graph_file,
        data_dir=data_copy,
        quote=QUOTE,
        claimant="actor:us-intelligence-agencies",
        proposition="prop:putin-ambitions-beyond-limited-settlement",
        stance="affirms",
        kind="assessment",
        relays=["actor:reuters reported-by doc:reuters-reporting"],
        name="digest-putin-ambitions",
    )
    assert written.anchor == (76, 204)
    text = graph_file.read_text(encoding="utf-8")
    claimant = "        cg:claimant    actor:us-intelligence-agencies ;\n"
    assert claimant in text
    graph_file.write_text(text.replace(claimant, ""), encoding="utf-8")
    monkeypatch.chdir(data_copy)
    result = run("validate", "--data", ".", "--format", "sarif", "--allow-warnings")
    assert result.exit_code == 1
    (error,) = [r for r in json.loads(result.output)["runs"][0]["results"] if r["level"] == "error"]
    physical = error["locations"][0]["physicalLocation"]
    lines = graph_file.read_text(encoding="utf-8").splitlines()
    assert physical["artifactLocation"]["uri"] == "graph/intelligence-doubts.trig"
    assert lines[physical["region"]["startLine"] - 1] == "    claim:digest-putin-ambitions"
    assert error["ruleId"] == "cgsh:Claim-claimant"


def test_a_text_already_archived_for_another_document_is_refused(data_copy: Path) -> None:
    first = run("add-source", ARTICLE, "--data", data_copy, "--slug", "first")
    assert first.exit_code == 0, first.output
    before = sorted(p.name for p in (data_copy / "graph").rglob("*"))
    again = run("add-source", ARTICLE, "--data", data_copy, "--slug", "second")
    assert again.exit_code == 2
    (line,) = again.stderr.splitlines()
    assert "the same text (SHA-256 " in line
    assert "is already archived for <https://w3id.org/claimgraph/id/doc/first>" in line
    assert line.endswith("add what it says to that document's graph (claimgraph add-claim)")
    assert sorted(p.name for p in (data_copy / "graph").rglob("*")) == before
