"""Canned queries: headers, typed parameters, each query on its fixtures, and the query commands."""

from __future__ import annotations

import csv
import io
import json
import re
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib.paths
from click.testing import CliRunner, Result
from rdflib.plugins.sparql import prepareQuery

from claimgraph.cli import main
from claimgraph.errors import QueryHeaderError, QueryNotFoundError, QueryParameterError
from claimgraph.io.dataset import load_dataset
from claimgraph.namespaces import ACTOR, CG, CLAIM, DOC, PLACE, PROP, RDFS, XSD, curie
from claimgraph.queries.files import (
    KIND_ORDER,
    PARAMETER_TYPES,
    Query,
    bind_parameters,
    canned_queries,
    load_query,
    parse_assignments,
    parse_query,
    parse_term,
    resolve_query,
    run_query,
)
from claimgraph.sparql.engines import EmbeddedEngine, QueryResults
from claimgraph.terms import Term

REPO = Path(__file__).resolve().parents[1]

QUERIES = REPO / "queries"
FIXTURES = REPO / "tests" / "resources" / "queries"
QUERY_FILES = sorted(QUERIES.glob("*.rq"))


@cache
def bundled_engine() -> EmbeddedEngine:
    return EmbeddedEngine(load_dataset())


def fixture_engine(*names: str) -> EmbeddedEngine:
    """The ontology of the repository with the fixture registry and the named case files."""
    return EmbeddedEngine(load_dataset(REPO, paths=[FIXTURES / "base.trig", *(FIXTURES / n for n in names)]))


def canned(name: str) -> Query:
    return load_query(QUERIES / f"{name}.rq")


def run_on(fixture: str, name: str, **params: str) -> QueryResults:
    return run_query(fixture_engine(fixture), canned(name), params)


def value(term: Term | None) -> str:
    """The IRI, blank node id or lexical form of a bound term."""
    assert isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal), term
    return term.value


def column(results: QueryResults, name: str) -> list[str]:
    return [curie(value(row[name])) if isinstance(row[name], ox.NamedNode) else value(row[name]) for row in results]


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


# --- Every query file ----------------------------------------------------------------------------


def test_there_is_a_query_for_each_required_use() -> None:
    names = {p.stem for p in QUERY_FILES}
    assert {f"contradictions-{k}" for k in KIND_ORDER} <= names
    assert {
        "corroboration",
        "anonymous-only",
        "single-source",
        "non-responses",
        "claim-provenance",
        "territory-positions",
        "claims-by-actor",
        "claims-by-source",
        "claims-in-date-range",
    } <= names


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_file_has_a_complete_header(path: Path) -> None:
    query = load_query(path)
    assert query.summary
    assert query.description
    assert query.tags
    assert ("contradiction" in query.tags) == path.stem.startswith("contradictions-")
    for parameter in query.parameters:
        assert parameter.description
        assert parameter.example is not None, f"{parameter.name} needs an example to test and document with"


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_file_is_standalone_sparql(path: Path) -> None:
    """Parses as it stands (own PREFIXes) on a bare store, so any SPARQL 1.1 endpoint can take it."""
    text = path.read_text(encoding="utf-8")
    query = load_query(path)
    substitutions: dict[ox.Variable, Term] = {
        ox.Variable(p.name): parse_term(p.type, p.example or "") for p in query.parameters
    }
    answer = ox.Store().query(text, substitutions=substitutions or None)
    assert isinstance(answer, ox.QuerySolutions)
    assert [v.value for v in answer.variables]


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_file_runs_on_the_bundled_graph(path: Path) -> None:
    query = load_query(path)
    examples = {p.name: p.example for p in query.parameters if p.example is not None}
    results = run_query(bundled_engine(), query, examples)
    assert results.variables
    for parameter in query.parameters:
        assert parameter.name in results.variables, "a parameter must be projected (SEP-0007 substitution)"


def test_every_query_but_the_date_range_finds_rows_on_the_bundled_graph() -> None:
    # The article states no claim date, so only the date-range and reversal queries are empty.
    empty = {
        q.name
        for q in canned_queries(QUERIES).values()
        if not run_query(bundled_engine(), q, {p.name: p.example for p in q.parameters if p.example}).rows
    }
    assert empty == {"claims-in-date-range", "contradictions-reversal"}


def property_paths(text: str) -> list[str]:
    """The property paths (sequences, alternatives, inverses, ``*``, ``+``, ``?``) of a query, as rdflib parses it."""
    found: list[str] = []
    seen: set[int] = set()

    def walk(node: object) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, rdflib.paths.Path):
            found.append(node.n3())
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple | set):
            for value in node:
                walk(value)

    walk(prepareQuery(text).algebra)
    return found


def test_a_property_path_is_seen() -> None:
    text = "PREFIX cg: <urn:x#> SELECT * WHERE { ?a cg:b/cg:c ?d OPTIONAL { ?a (cg:e|cg:f)* ?g } }"
    assert property_paths(text) == ["<urn:x#b>/<urn:x#c>", "(<urn:x#e>|<urn:x#f>)*"]


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_file_has_no_property_path(path: Path) -> None:
    """Closures are read from graph:derived: Virtuoso 7.2 loses rows on p* paths whose ends are bound
    elsewhere (openlink/virtuoso-opensource#704, #460), and a triple pattern means the same everywhere."""
    assert property_paths(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_a_query_reading_the_derived_graph_is_tagged_so(path: Path) -> None:
    """The tag makes a run on an endpoint without the derived graph an error, not fewer rows."""
    text = path.read_text(encoding="utf-8")
    reads = "cg:derived" in text or "rdfs:subClassOf" in text
    assert reads == ("derived" in load_query(path).tags)


# --- Headers -------------------------------------------------------------------------------------

GOOD_HEADER = """#+ summary: Claims by one actor
#+ description: >-
#+   Long text,
#+   folded.
#+ tags: [actors, test]
#+ parameters:
#+   actor:
#+     type: iri
#+     description: The actor
#+     example: actor:russia
#+   since:
#+     type: date
#+     required: false
SELECT ?actor ?since ?claim WHERE { ?claim <https://w3id.org/claimgraph/ontology#claimant> ?actor }
"""


def header_error(text: str, tmp_path: Path) -> QueryHeaderError:
    path = tmp_path / "q.rq"
    with pytest.raises(QueryHeaderError) as caught:
        parse_query(text, path=path)
    return caught.value


def test_header_is_parsed_into_summary_description_tags_and_typed_parameters(tmp_path: Path) -> None:
    query = parse_query(GOOD_HEADER, path=tmp_path / "by-actor.rq")
    assert query.name == "by-actor"
    assert query.summary == "Claims by one actor"
    assert query.description == "Long text, folded."
    assert query.tags == ("actors", "test")
    actor, since = query.parameters
    assert (actor.name, actor.type, actor.required, actor.example) == ("actor", "iri", True, "actor:russia")
    assert (since.name, since.type, since.required, since.default) == ("since", "date", False, None)


def test_file_without_header_is_a_query_without_metadata(tmp_path: Path) -> None:
    query = parse_query("SELECT * WHERE { ?s ?p ?o }\n", path=tmp_path / "plain.rq")
    assert (query.summary, query.tags, query.parameters) == ("", (), ())


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("#+ summary: [unclosed\nSELECT * {}\n", 1, "malformed header:"),
        ("#+ summary: x\n#+   bad: indent\nSELECT * {}\n", 2, "malformed header:"),
        ("#+ summary: x\n#+ colour: red\nSELECT * {}\n", 2, "unknown header key 'colour'"),
        ("#+ description: no summary\nSELECT * {}\n", 1, "the header has no summary"),
        ("#+ summary: ''\nSELECT * {}\n", 1, "summary must be non-empty text"),
        ("#+ summary: x\n#+ tags: just-one\nSELECT * {}\n", 2, "tags must be a list of names"),
        ("#+ summary: x\n#+ summary: y\nSELECT * {}\n", 2, "duplicate key 'summary'"),
        ("#+ - a list\nSELECT * {}\n", 1, "the header must be a mapping"),
        (
            "#+ summary: x\n#+ parameters:\n#+   who:\n#+     type: person\nSELECT ?who {}\n",
            4,
            "parameter 'who': unknown type 'person' (expected one of: " + ", ".join(PARAMETER_TYPES) + ")",
        ),
        ("#+ summary: x\n#+ parameters:\n#+   who:\n#+     description: d\nSELECT ?who {}\n", 4, "has no type"),
        ("#+ summary: x\n#+ parameters:\n#+   who: {type: iri}\nSELECT ?s {}\n", 3, "does not occur in the query"),
        ("#+ summary: x\n#+ parameters:\n#+   who: {type: iri, colour: red}\nSELECT ?who {}\n", 3, "unknown key"),
        ("#+ summary: x\n#+ parameters:\n#+   n: {type: integer, example: ten}\nSELECT ?n {}\n", 3, "example 'ten'"),
        (
            "#+ summary: x\n#+ parameters:\n#+   n:\n#+     type: integer\n#+     default: 3\n#+     required: true\n"
            "SELECT ?n {}\n",
            6,
            "a required parameter has no default",
        ),
        ("#+ summary: x\nSELECT * {}\n#+ tags: [late]\n", 3, "'#+' lines must open the file"),
    ],
)
def test_malformed_header_names_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    error = header_error(text, tmp_path)
    assert error.path == tmp_path / "q.rq"
    assert error.line == line
    assert message in error.message
    assert str(error).startswith(f"{tmp_path / 'q.rq'}:{line}: ")


def test_malformed_header_in_a_query_directory_is_reported_by_the_cli(tmp_path: Path) -> None:
    directory = tmp_path / "queries"
    directory.mkdir()
    (directory / "broken.rq").write_text("#+ summary: x\n#+ tags: [a\nSELECT * {}\n", encoding="utf-8")
    (tmp_path / "ontology").mkdir()
    result = cli("queries", "--data", str(tmp_path))
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {directory / 'broken.rq'}:2: malformed header:")
    assert len(result.output.splitlines()) == 1


# --- Parameters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ptype", "raw", "term"),
    [
        ("iri", "actor:russia", ox.NamedNode(ACTOR.russia)),
        ("iri", "https://example.org/x", ox.NamedNode("https://example.org/x")),
        ("iri", "<urn:x:y>", ox.NamedNode("urn:x:y")),
        ("iri", " place:ukraine ", ox.NamedNode(PLACE.ukraine)),
        ("string", 'say "hi"\n', ox.Literal('say "hi"\n')),
        ("integer", "+007", ox.Literal("7", datatype=ox.NamedNode(XSD.integer))),
        ("decimal", "0.25", ox.Literal("0.25", datatype=ox.NamedNode(XSD.decimal))),
        ("boolean", "TRUE", ox.Literal("true", datatype=ox.NamedNode(XSD.boolean))),
        ("date", "2024-02-29", ox.Literal("2024-02-29", datatype=ox.NamedNode(XSD.date))),
        ("year", "2022", ox.Literal("2022", datatype=ox.NamedNode(XSD.gYear))),
        ("year-month", "2022-09", ox.Literal("2022-09", datatype=ox.NamedNode(XSD.gYearMonth))),
    ],
)
def test_parameter_text_becomes_a_typed_rdf_term(ptype: str, raw: str, term: ox.NamedNode | ox.Literal) -> None:
    assert parse_term(ptype, raw) == term


@pytest.mark.parametrize(
    ("ptype", "raw", "expected"),
    [
        ("iri", "not an iri", PARAMETER_TYPES["iri"]),
        ("iri", "actr:russia", "unknown prefix actr:"),
        ("iri", "<http://x/ y>", PARAMETER_TYPES["iri"]),
        ("iri", '<http://x/"> . }', PARAMETER_TYPES["iri"]),
        ("integer", "1.5", PARAMETER_TYPES["integer"]),
        ("date", "2023-02-29", "no such day"),
        ("date", "29/02/2024", PARAMETER_TYPES["date"]),
        ("year-month", "2022-13", PARAMETER_TYPES["year-month"]),
        ("boolean", "yes", PARAMETER_TYPES["boolean"]),
    ],
)
def test_ill_typed_parameter_text_is_rejected(ptype: str, raw: str, expected: str) -> None:
    with pytest.raises(ValueError, match=re.escape(expected)):
        parse_term(ptype, raw)


def test_parameters_are_bound_and_checked_against_the_header() -> None:
    query = canned("claims-in-date-range")
    assert bind_parameters(query, {"since": "2022-01-01"}) == {
        "since": ox.Literal("2022-01-01", datatype=ox.NamedNode(XSD.date))
    }
    with pytest.raises(QueryParameterError) as caught:
        bind_parameters(query, {"from": "2022-01-01"})
    assert str(caught.value) == "query claims-in-date-range: parameter 'from': unknown; this query takes: since, until"
    with pytest.raises(QueryParameterError) as caught:
        bind_parameters(query, {"until": "soon"})
    assert str(caught.value) == "query claims-in-date-range: parameter 'until': 'soon' is not a date YYYY-MM-DD"


def test_missing_required_parameter_says_how_to_give_it() -> None:
    with pytest.raises(QueryParameterError) as caught:
        bind_parameters(canned("claim-provenance"), {})
    assert str(caught.value) == (
        "query claim-provenance: parameter 'claim': missing; give --param claim=VALUE, " + PARAMETER_TYPES["iri"]
    )


def test_assignments_split_at_the_first_equals_sign() -> None:
    query = canned("claims")
    assert parse_assignments(query, ["a=b=c", "d="]) == {"a": "b=c", "d": ""}
    with pytest.raises(QueryParameterError, match="expected NAME=VALUE"):
        parse_assignments(query, ["novalue"])
    with pytest.raises(QueryParameterError, match="given twice"):
        parse_assignments(query, ["a=1", "a=2"])


def test_query_is_found_by_name_or_path_and_unknown_names_list_the_known(tmp_path: Path) -> None:
    assert resolve_query("claims", QUERIES).name == "claims"
    own = tmp_path / "mine.rq"
    own.write_text("SELECT * WHERE { ?s ?p ?o } LIMIT 1\n", encoding="utf-8")
    assert resolve_query(str(own), QUERIES).path == own
    with pytest.raises(QueryNotFoundError) as caught:
        resolve_query("claimz", QUERIES)
    assert caught.value.known == sorted(p.stem for p in QUERY_FILES)


# --- Each canned query on its fixtures -----------------------------------------------------------


def test_corroboration_counts_two_independent_reports_as_two_origins() -> None:
    (row,) = run_on("independent-origins.trig", "corroboration")
    assert curie(value(row["proposition"])) == "prop:co-independent"
    assert (value(row["claims"]), value(row["claimants"]), value(row["origins"])) == ("2", "2", "2")
    assert sorted(value(row["origin_labels"]).split("; ")) == ["Other report", "Wire report"]


def test_corroboration_counts_copies_of_one_report_as_one_origin() -> None:
    (row,) = run_on("copies-of-one-report.trig", "corroboration")
    assert curie(value(row["proposition"])) == "prop:co-copied"
    assert (value(row["claims"]), value(row["claimants"]), value(row["origins"])) == ("2", "1", "1")
    # The second copy passed through a further report, but the one nearest the claimant is the origin.
    assert value(row["origin_labels"]) == "Wire report"


def test_single_source_finds_claims_whose_copies_share_one_origin() -> None:
    results = run_on("copies-of-one-report.trig", "single-source")
    assert column(results, "claim") == ["claim:cc-one", "claim:cc-two"]
    assert set(column(results, "origin")) == {"doc:wire-report"}


def test_single_source_skips_independently_reported_claims() -> None:
    assert run_on("independent-origins.trig", "single-source").rows == ()


def test_anonymous_only_finds_anonymous_claimants_and_anonymous_only_chains() -> None:
    results = run_on("anonymous-only-found.trig", "anonymous-only")
    assert column(results, "claim") == ["claim:an-anonymous-claimant", "claim:an-anonymous-relay"]
    assert set(column(results, "anonymous_sources")) == {"an official familiar with the talks"}


def test_anonymous_only_skips_claims_with_a_named_path() -> None:
    assert run_on("anonymous-only-none.trig", "anonymous-only").rows == ()


def test_non_responses_are_listed_with_topic_and_passage() -> None:
    (row,) = run_on("non-responses-found.trig", "non-responses")
    assert curie(value(row["respondent"])) == "actor:intel-a"
    assert value(row["topic"]) == "the report"
    assert curie(value(row["document"])) == "doc:article-one"
    assert value(row["quote"]) == "Intelligence A did not comment"


def test_a_denial_is_not_a_non_response() -> None:
    assert run_on("non-responses-none.trig", "non-responses").rows == ()


def test_claim_provenance_walks_from_claimant_through_relays_to_the_document() -> None:
    results = run_on("claim-provenance.trig", "claim-provenance", claim="claim:pv-chain")
    chain = [(value(r["step"]) if "step" in r else None, value(r["role"]), curie(value(r["agent"]))) for r in results]
    assert chain == [
        ("0", "claimant", "actor:anon-official"),
        ("1", "relay", "actor:leader-b"),
        ("2", "relay", "actor:wire"),
        (None, "document", "doc:article-one"),
    ]
    claimant, first, second, document = results.dicts()
    assert (claimant["act"], value(claimant["text"])) == (ox.NamedNode(CG.Affirms), "PV one")
    assert first["act"] == ox.NamedNode(CG.RelayedBy) and "via" not in first
    assert (second["act"], second["via"]) == (ox.NamedNode(CG.ToldTo), ox.NamedNode(DOC.term("wire-report")))
    assert (value(document["text"]), value(document["start"]), value(document["end"])) == (
        "the talks will fail",
        "100",
        "119",
    )


def test_claim_provenance_of_an_unknown_claim_is_empty() -> None:
    assert run_on("claim-provenance.trig", "claim-provenance", claim="claim:no-such-claim").rows == ()


def test_territory_positions_include_claims_about_its_parts() -> None:
    results = run_on("territory-positions.trig", "territory-positions", territory="place:land-a")
    assert sorted(column(results, "claim")) == ["claim:tp-a-land", "claim:tp-b-city", "claim:tp-expert-control"]
    assert set(column(results, "territory")) == {"place:land-a"}


def test_territory_positions_do_not_count_the_whole_as_each_part() -> None:
    assert run_on("territory-positions.trig", "territory-positions", territory="place:south-a").rows == ()


def test_claims_by_actor_include_representatives_and_groups_naming_it() -> None:
    results = run_on("claims-by-actor.trig", "claims-by-actor", actor="actor:leader-a")
    assert sorted(zip(column(results, "relation"), column(results, "claim"), strict=True)) == [
        ("affiliated", "claim:ca-envoy"),
        ("group member", "claim:ca-group"),
        ("self", "claim:ca-leader"),
    ]


def test_claims_by_actor_follow_affiliations_transitively_and_nothing_else() -> None:
    results = run_on("claims-by-actor.trig", "claims-by-actor", actor="actor:gov-a")
    assert sorted(column(results, "claim")) == ["claim:ca-envoy", "claim:ca-group", "claim:ca-leader"]
    assert run_on("claims-by-actor.trig", "claims-by-actor", actor="actor:independent-expert").rows == ()


def test_claims_by_source_follow_relays_and_publishers() -> None:
    wire = run_on("claims-by-source.trig", "claims-by-source", source="actor:wire")
    assert column(wire, "claim") == ["claim:cs-via-wire"]
    assert sorted(value(wire.dicts()[0]["how"]).split("; ")) == ["published by", "relayed by"]
    paper_two = run_on("claims-by-source.trig", "claims-by-source", source="actor:paper-two")
    assert column(paper_two, "claim") == ["claim:cs-via-paper-one"]
    assert value(paper_two.dicts()[0]["how"]) == "published by"
    article_two = run_on("claims-by-source.trig", "claims-by-source", source="doc:article-two")
    assert column(article_two, "claim") == ["claim:cs-read-in-two"]


def test_a_claim_about_an_outlet_did_not_come_through_it() -> None:
    results = run_on("claims-by-source.trig", "claims-by-source", source="actor:wire")
    assert "claim:cs-about-wire" not in column(results, "claim")


@pytest.mark.parametrize(
    ("params", "claims"),
    [
        ({}, ["claim:dr-day", "claim:dr-month", "claim:dr-year", "claim:dr-february"]),
        ({"since": "2022-01-01", "until": "2022-12-31"}, ["claim:dr-day", "claim:dr-month"]),
        ({"since": "2022-06-15"}, ["claim:dr-year", "claim:dr-february"]),
        ({"since": "2024-02-01", "until": "2024-02-28"}, []),
        ({"since": "2024-02-01", "until": "2024-02-29"}, ["claim:dr-february"]),
        ({"until": "2022-06-30"}, ["claim:dr-day", "claim:dr-month"]),
        ({"until": "2022-06-29"}, ["claim:dr-day"]),
        ({"since": "2022-03-02", "until": "2022-06-29"}, []),
    ],
)
def test_claims_in_date_range_keep_dates_wholly_inside(params: dict[str, str], claims: list[str]) -> None:
    assert column(run_on("claims-in-date-range.trig", "claims-in-date-range", **params), "claim") == claims


def test_claims_lists_claims_but_not_non_responses() -> None:
    assert column(run_on("non-responses-none.trig", "claims"), "claim") == ["claim:nr-intel-denies"]
    assert run_on("non-responses-found.trig", "claims").rows == ()


def test_bundled_graph_has_three_non_responses_and_two_anonymous_only_claims() -> None:
    non = run_query(bundled_engine(), canned("non-responses"))
    assert sorted(column(non, "respondent")) == ["actor:cia", "actor:odni", "actor:russian-embassy"]
    anonymous = run_query(bundled_engine(), canned("anonymous-only"))
    assert column(anonymous, "claim") == [
        "claim:anonymous-source-review-late-september",
        "claim:diplomats-proposals-under-discussion",
    ]


def test_bundled_quigley_quote_reached_us_through_quigley_then_reuters() -> None:
    results = run_query(
        bundled_engine(), canned("claim-provenance"), {"claim": "claim:intelligence-community-putin-wants-more"}
    )
    assert [curie(value(r["agent"])) for r in results] == [
        "actor:us-intelligence-community",
        "actor:mike-quigley",
        "actor:reuters",
        "doc:optimism-vs-intelligence",
    ]


# --- The query commands --------------------------------------------------------------------------


def test_queries_command_lists_every_canned_query_with_its_summary() -> None:
    result = cli("queries")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["query", "summary"]
    listed = {line.split()[0]: line for line in lines[2:]}
    assert set(listed) == {p.stem for p in QUERY_FILES}
    assert canned("corroboration").summary in listed["corroboration"]
    assert "[--param claim=IRI]" in listed["claim-provenance"]
    assert "[--param since=DATE? --param until=DATE?]" in listed["claims-in-date-range"]


def test_queries_command_json_carries_the_headers() -> None:
    document = json.loads(cli("queries", "--format", "json").output)
    by_name = {q["name"]: q for q in document}
    (parameter,) = by_name["territory-positions"]["parameters"]
    assert parameter["name"] == "territory"
    assert parameter["type"] == "iri"
    assert parameter["required"] is True
    assert "contradiction" in by_name["contradictions-reversal"]["tags"]


def test_query_json_is_w3c_sparql_results_json() -> None:
    result = cli("query", "non-responses", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["head"]["vars"][:3] == ["non_response", "respondent", "respondent_label"]
    cia = next(b for b in document["results"]["bindings"] if b["respondent"]["value"] == ACTOR.cia)
    assert cia["respondent"] == {"type": "uri", "value": ACTOR.cia}
    assert cia["topic"] == {"type": "literal", "value": "the assessments", "xml:lang": "en"}


def test_query_csv_is_w3c_sparql_results_csv() -> None:
    result = cli("query", "claim-provenance", "--param", "claim=claim:us-intel-rejects-no-threat", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output, newline="")))
    assert [r["role"] for r in rows] == ["claimant", "document"]
    assert rows[0]["claim"] == CLAIM.term("us-intel-rejects-no-threat")
    assert rows[0]["agent"] == ACTOR.term("us-intelligence-agencies")
    assert rows[0]["act"] == CG.Denies
    assert rows[1]["text"] == (
        "U.S. intelligence assessments also reject Moscow\u2019s claims that Russia poses no threat to Europe"
    )
    assert result.stdout_bytes.count(b"\r\n") == 3  # W3C CSV: CRLF line ends (Result.output normalises them)


def test_query_tsv_is_w3c_sparql_results_tsv() -> None:
    result = cli("query", "territory-positions", "-p", "territory=place:crimea", "--format", "tsv")
    assert result.exit_code == 0, result.output
    header, *rows = result.output.rstrip("\n").split("\n")
    assert header.split("\t")[:3] == ["?territory", "?claimant", "?claimant_label"]
    parsed = ox.parse_query_results(result.output, format=ox.QueryResultsFormat.TSV)
    assert isinstance(parsed, ox.QuerySolutions)
    assert {s["claim"] for s in parsed} == {
        ox.NamedNode(CLAIM.term("russia-claims-occupied-regions")),
        ox.NamedNode(CLAIM.term("russia-occupies-a-fifth-of-ukraine")),
    }
    assert len(rows) == 2


def test_query_table_uses_curies_and_counts_rows() -> None:
    result = cli("query", "claims-by-actor", "--param", "actor=actor:us-government")
    assert result.exit_code == 0, result.output
    assert "actor:us-government" in result.output
    assert "claim:rubio-unsure-putin-seeks-compromise" in result.output
    assert "https://" not in result.output
    assert result.output.endswith("(3 rows)\n")


def test_query_runs_a_sparql_file(tmp_path: Path) -> None:
    own = tmp_path / "labels.rq"
    own.write_text(
        "#+ summary: A label\n#+ parameters:\n#+   x: {type: iri, example: actor:russia}\n"
        f"PREFIX rdfs: <{RDFS}>\nSELECT ?x ?label WHERE {{ ?x rdfs:label ?label }}\n",
        encoding="utf-8",
    )
    result = cli("query", str(own), "-p", "x=actor:russia", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == f"x,label\r\n{ACTOR.russia},Russia\r\n".encode()


def test_query_with_missing_parameter_is_one_line_error_exit_2() -> None:
    result = cli("query", "claim-provenance")
    assert result.exit_code == 2
    assert result.output == (
        "Error: query claim-provenance: parameter 'claim': missing; give --param claim=VALUE, "
        + PARAMETER_TYPES["iri"]
        + "\n"
    )


def test_query_with_ill_typed_parameter_is_one_line_error_exit_2() -> None:
    result = cli("query", "claims-in-date-range", "--param", "since=last week")
    assert result.exit_code == 2
    assert (
        result.output == "Error: query claims-in-date-range: parameter 'since': 'last week' is not a date YYYY-MM-DD\n"
    )


def test_query_with_unknown_parameter_is_one_line_error_exit_2() -> None:
    result = cli("query", "claims", "--param", "actor=actor:russia")
    assert result.exit_code == 2
    assert result.output == "Error: query claims: parameter 'actor': unknown; this query takes no parameters\n"


def test_query_param_without_equals_sign_is_one_line_error_exit_2() -> None:
    result = cli("query", "claims-by-actor", "--param", "actor")
    assert result.exit_code == 2
    assert result.output == "Error: query claims-by-actor: parameter 'actor': expected NAME=VALUE\n"


def test_unknown_query_is_one_line_error_exit_2() -> None:
    result = cli("query", "contradictionz")
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: no query named 'contradictionz' in {QUERIES} (known: anonymous-only, ")
    assert len(result.output.splitlines()) == 1


def test_query_file_with_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT * WHERE {\n  ?s ?p\n}\n", encoding="utf-8")
    result = cli("query", str(bad))
    assert result.exit_code == 2
    # Oxigraph reports where it stopped reading: after the incomplete triple pattern.
    assert re.fullmatch(rf"Error: {re.escape(str(bad))}:\d+:\d+: expected [^\n]+\n", result.output)


def test_query_output_file_gets_the_results(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    result = cli("query", "claims", "--format", "json", "-o", str(target))
    assert result.exit_code == 0
    assert result.output == ""
    assert len(json.loads(target.read_text(encoding="utf-8"))["results"]["bindings"]) == 26


def test_queries_command_needs_no_endpoint_and_query_command_offers_one() -> None:
    assert "--endpoint" not in cli("queries", "--help").output
    assert "--endpoint URL" in cli("query", "--help").output


def test_prop_namespace_is_what_queries_return() -> None:
    # Guard for the fixtures and CLAIMS.md: the bundled proposition the contradiction tests rely on.
    rows = run_query(bundled_engine(), canned("claims")).dicts()
    assert ox.NamedNode(PROP.term("russia-poses-no-threat-to-europe")) in {r["proposition"] for r in rows}


def test_data_directory_without_queries_uses_the_bundled_ones(tmp_path: Path) -> None:
    result = cli("queries", "--data", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert {line.split()[0] for line in result.stdout.splitlines()[2:]} == {p.stem for p in QUERY_FILES}
