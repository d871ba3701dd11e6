"""Engines: query rewriting, term binding, result normalisation, and remote results equal to embedded ones.

The remote tests start a real Oxigraph server on loopback, loaded from an N-Quads dump of the bundled
dataset, once as it comes (default graph = only the real default graph) and once with
``--union-default-graph``; results must equal the embedded engine's either way.
"""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from helpers.data import without_positions
from helpers.servers import OxigraphServer, free_port, record_queries

from claimgraph.cli import main
from claimgraph.errors import EndpointError, QueryError, QuerySyntaxError
from claimgraph.io.dataset import Dataset, load_dataset
from claimgraph.io.derived import CATALOG_PREDICATES
from claimgraph.namespaces import ACTOR, CG, DOC, GRAPH, ONTOLOGY_GRAPH, XSD
from claimgraph.queries.files import canned_queries
from claimgraph.sparql.engines import (
    _NOT_UNION_PROBE,
    _UNION_OPTION,
    CATALOG_QUERY,
    NAMED_GRAPHS_QUERY,
    EmbeddedEngine,
    QueryResults,
    RemoteEngine,
)
from claimgraph.sparql.lexer import scan, values_block, values_blocks
from claimgraph.sparql.results import NormalisingReader, normalise_json_results
from claimgraph.terms import term_text

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "queries"
CANNED = canned_queries(QUERIES)


@cache
def bundled() -> Dataset:
    return load_dataset()


# --- Locating the WHERE group and rewriting queries -------------------------------------------------

TRICKY = """# a comment with WHERE { and FROM <x>
PREFIX ex: <http://example.org/WHERE/FROM#>
SELECT ?s (CONCAT("WHERE {", '}') AS ?text)
WHERE {
  ?s ex:WHERE ?o .
  FILTER(?o != \"\"\"FROM { }\"\"\")
  { SELECT ?s WHERE { ?s ?p ?q } }
}
"""


def test_scan_skips_comments_strings_iris_and_prefixed_names() -> None:
    shape = scan(TRICKY)
    assert shape.form == "SELECT"
    assert not shape.has_dataset
    assert TRICKY[shape.group_at - 6 : shape.group_at + 1] == "WHERE {"
    assert TRICKY[shape.group_at :].startswith("{\n  ?s ex:WHERE")


def test_scan_finds_the_where_group_of_construct_and_of_where_less_queries() -> None:
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert construct[scan(construct).group_at :] == "{ ?s ?p ?o }"
    ask = "ASK { ?s ?p ?o }"
    assert scan(ask).group_at == 4
    assert scan("SELECT * FROM <http://g> { ?s ?p ?o }").has_dataset


def test_scan_finds_a_sub_select_that_opens_the_where_group() -> None:
    text = (
        "PREFIX ex: <http://e/#>\nSELECT ?a WHERE {\n  # a { brace in a comment\n"
        '  { SELECT ?a WHERE { ?a ex:p "}" } }\n  ?a ex:q ?b\n}'
    )
    start, end = scan(text).leading_select or (0, 0)
    assert text[start:end] == ' SELECT ?a WHERE { ?a ex:p "}" } '
    assert text[: scan(text).form_at] == "PREFIX ex: <http://e/#>\n"
    assert scan("SELECT ?a WHERE { ?a ?p ?o { SELECT ?a WHERE { ?a ?p ?o } } }").leading_select is None
    assert scan("SELECT ?a WHERE { { ?a ?p ?o } }").leading_select is None

def test_scan_rejects_text_without_a_query() -> None:
    with pytest.raises(QuerySyntaxError, match="no SELECT, ASK, CONSTRUCT or DESCRIBE"):
        scan("# only a comment\n")


def test_values_insertion_keeps_the_query_valid() -> None:
    with_values = scan(TRICKY).insert_values(values_block({"s": [ox.NamedNode("http://example.org/a")]}))
    store = ox.Store()
    example = "http://example.org/"
    store.add(
        ox.Quad(
            ox.NamedNode(example + "a"),
            ox.NamedNode(example + "WHERE/FROM#WHERE"),
            ox.Literal("v"),
            ox.NamedNode(example + "g1"),
        )
    )
    answer = store.query(with_values, use_default_graph_as_union=True)
    assert isinstance(answer, ox.QuerySolutions)
    assert [s["s"] for s in answer] == [ox.NamedNode("http://example.org/a")]


@pytest.mark.parametrize(
    "hostile",
    [
        'x" } ; DROP ALL ; SELECT * { "',
        "line\nbreak \\ backslash 'single' \"double\" \t tab",
        "} UNION { ?s ?p ?o",
        "\u00e9\u4e2d\U0001f600",
    ],
)
def test_values_block_binds_any_text_as_one_literal(hostile: str) -> None:
    block = values_block({"x": [ox.Literal(hostile)]})
    answer = ox.Store().query(f"SELECT ?x WHERE {{ {block} }}")
    assert isinstance(answer, ox.QuerySolutions)
    assert [s["x"] for s in answer] == [ox.Literal(hostile)]


def test_values_block_refuses_blank_nodes_and_bad_variable_names() -> None:
    with pytest.raises(QueryError, match="only IRIs and literals"):
        values_block({"x": [ox.BlankNode("b")]})
    with pytest.raises(QueryError, match="invalid variable name"):
        values_block({"x }": [ox.Literal("1")]})


def test_values_block_with_several_variables_writes_rows() -> None:
    block = values_block(
        {"a": [ox.Literal("1"), ox.Literal("2")], "b": [ox.NamedNode("http://x/1"), ox.NamedNode("http://x/2")]}
    )
    assert block == 'VALUES (?a ?b) { ("1" <http://x/1>) ("2" <http://x/2>) }'


def test_values_blocks_split_the_terms_in_order_and_name_none_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    terms = [ox.NamedNode(f"http://x/{i}") for i in range(5)]
    assert values_blocks("x", terms, size=2) == [
        "VALUES ?x { <http://x/0> <http://x/1> }",
        "VALUES ?x { <http://x/2> <http://x/3> }",
        "VALUES ?x { <http://x/4> }",
    ]
    monkeypatch.setattr("claimgraph.sparql.lexer.MAX_VALUES", 4)  # the default size, read when called
    assert [b.count("<") for b in values_blocks("x", terms)] == [4, 1]
    assert values_blocks("x", []) == []


# --- Results ---------------------------------------------------------------------------------------


def test_virtuoso_json_is_normalised_to_w3c_terms() -> None:
    virtuoso = json.dumps(
        {
            "head": {"vars": ["n", "b", "s"]},
            "results": {
                "bindings": [
                    {
                        "n": {
                            "type": "typed-literal",
                            "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                            "value": "5",
                        },
                        "b": {"type": "bnode", "value": "nodeID://b10007"},
                        "s": {"type": "literal", "xml:lang": "en", "value": "Moscow"},
                    }
                ]
            },
        }
    ).encode()
    results = QueryResults.from_json(normalise_json_results(virtuoso))
    (row,) = results.dicts()
    assert row["n"] == ox.Literal("5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert row["b"] == ox.BlankNode("b10007")
    assert row["s"] == ox.Literal("Moscow", language="en")


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 20])
def test_streamed_virtuoso_json_is_normalised_across_any_chunk_boundary(chunk: int) -> None:
    # Virtuoso's own layout (type before value); a literal that mentions both patterns stays as it is.
    bindings = [
        '{ "n": { "type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "5" },'
        ' "b": { "type": "bnode", "value": "nodeID://b10007" },'
        ' "s": { "type": "literal", "value": "\\"nodeID://x\\" is \\"typed-literal\\" } {" } }',
        '{ "n": { "type": "literal", "value": "6" }, "b": { "type": "bnode", "value": "nodeID://b10007" },'
        ' "s": { "type": "uri", "value": "nodeID://iri" } }',
    ]
    document = ('{ "head": { "link": [], "vars": ["n", "b", "s"] },\n  "results": { "distinct": false, "ordered": true,'
                ' "bindings": [\n' + ",\n".join(bindings) + " ] } }").encode()
    reader = io.BufferedReader(NormalisingReader(io.BytesIO(document), chunk=chunk))
    solutions = ox.parse_query_results(reader, format=ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)
    rows = [tuple(row[v] for v in ("n", "b", "s")) for row in solutions]
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    assert rows == [
        (ox.Literal("5", datatype=integer), ox.BlankNode("b10007"), ox.Literal('"nodeID://x" is "typed-literal" } {')),
        (ox.Literal("6"), ox.BlankNode("b10007"), ox.NamedNode("nodeID://iri")),
    ]


def test_results_serialise_through_pyoxigraph_in_every_w3c_format() -> None:
    engine = EmbeddedEngine(bundled())
    results = engine.select(CANNED["non-responses"].text)
    native = bundled().store.query(CANNED["non-responses"].text, use_default_graph_as_union=True)
    assert isinstance(native, ox.QuerySolutions)
    assert results.serialize("csv") == native.serialize(format=ox.QueryResultsFormat.CSV)
    parsed = ox.parse_query_results(results.serialize("xml"), format=ox.QueryResultsFormat.XML)
    assert isinstance(parsed, ox.QuerySolutions)
    assert len(list(parsed)) == 3
    assert json.loads(results.serialize("json"))["head"]["vars"][0] == "non_response"


def test_result_texts_are_the_values_texts_as_term_text_gives_them() -> None:
    query = f"PREFIX xsd: <{XSD}>\n" + """SELECT ?iri ?label ?number ?node ?triple ?unbound WHERE {
        VALUES (?iri ?label ?number) { (<https://example.org/a> "Moscow"@en " 5"^^xsd:integer) }
        BIND(BNODE("b") AS ?node) BIND(TRIPLE(<https://example.org/a>, <https://example.org/p>, "x") AS ?triple)
    }"""
    results = EmbeddedEngine(bundled()).select(query)
    (row,) = results.texts()
    assert row["iri"] == "https://example.org/a"
    assert row["label"] == "Moscow"
    assert row["number"] == " 5"
    assert row["triple"] == '<https://example.org/a> <https://example.org/p> "x"'
    assert row["node"] and "unbound" not in row
    assert row == {variable: term_text(term) for variable, term in results.dicts()[0].items()}


def test_ask_results_carry_a_boolean() -> None:
    engine = EmbeddedEngine(bundled())
    assert engine.select(f"ASK {{ ?c <{CG.claimant}> <{ACTOR.russia}> }}").boolean is True


# --- The embedded engine ---------------------------------------------------------------------------


def test_embedded_engine_binds_parameters_as_terms() -> None:
    engine = EmbeddedEngine(bundled())
    query = f"SELECT ?who ?claim WHERE {{ ?claim <{CG.claimant}> ?who }}"
    results = engine.select(query, bindings={"who": ox.NamedNode(ACTOR.russia)})
    assert [r["claim"] for r in results] == [
        ox.NamedNode("https://w3id.org/claimgraph/id/claim/russia-claims-occupied-regions")
    ]


def test_embedded_engine_reports_syntax_errors_with_line_and_column() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        EmbeddedEngine(bundled()).select("SELECT * WHERE {\n  ?s ?p ?o\n  FILTER(\n}", name="q.rq")
    assert caught.value.path == Path("q.rq")
    assert caught.value.line == 4


def test_embedded_engine_explains_a_parameter_missing_from_the_projection() -> None:
    with pytest.raises(QueryError, match="a parameter must be named in the SELECT clause"):
        EmbeddedEngine(bundled()).select("SELECT ?s WHERE { ?s ?p ?x }", bindings={"x": ox.Literal("1")})


def test_engines_refuse_construct_queries() -> None:
    with pytest.raises(QueryError, match="only SELECT and ASK"):
        EmbeddedEngine(bundled()).select("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError, match="only SELECT and ASK"):
        RemoteEngine("http://127.0.0.1:9/query").select("CONSTRUCT WHERE { ?s ?p ?o }")


# --- A real Oxigraph server ------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["plain", "union-default-graph"])
def endpoint(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The query URL of a read-only server on the bundled dataset, in each default-graph mode."""
    directory = tmp_path_factory.mktemp("oxigraph")
    quads = list(bundled().store)
    with OxigraphServer(directory, quads, read_only=True, union_default_graph=request.param != "plain") as server:
        yield server.url


def test_remote_engine_sees_the_union_of_the_named_graphs(endpoint: str) -> None:
    remote = RemoteEngine(endpoint)
    assert remote.graphs == bundled().graphs()
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?c a <{CG.Claim}> }}"
    assert remote.select(count).rows == EmbeddedEngine(bundled()).select(count).rows


def test_remote_engine_takes_the_data_graphs_from_the_catalog_and_never_scans_the_store(
    endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = record_queries(monkeypatch)
    remote = RemoteEngine(endpoint)
    assert remote.graphs == bundled().graphs()
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?c a <{CG.Claim}> }}"
    assert remote.select(count).rows == EmbeddedEngine(bundled()).select(count).rows
    texts = [text for text, _ in sent]
    assert texts[0] == CATALOG_QUERY
    assert NAMED_GRAPHS_QUERY not in texts and _NOT_UNION_PROBE not in texts
    # The union seen through the store's default graph or Oxigraph's option, not by naming every graph.
    assert sent[-1] in ((count, ()), (count, _UNION_OPTION))


def test_remote_engine_without_a_catalog_lists_the_store_graphs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quads = [q for q in bundled().store if q.predicate.value not in CATALOG_PREDICATES]
    with OxigraphServer(tmp_path, quads, read_only=True) as server:
        sent = record_queries(monkeypatch)
        remote = RemoteEngine(server.url)
        assert remote.graphs == bundled().graphs()
        count = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?c a <{CG.Claim}> }}"
        assert remote.select(count).rows == EmbeddedEngine(bundled()).select(count).rows
    texts = [text for text, _ in sent]
    assert NAMED_GRAPHS_QUERY in texts and _NOT_UNION_PROBE in texts


def test_remote_engine_trusts_the_catalog_and_a_catalogued_graph_the_store_lacks_is_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ontology = ox.NamedNode(ONTOLOGY_GRAPH)
    with OxigraphServer(tmp_path, [q for q in bundled().store if q.graph_name != ontology], read_only=True) as server:
        sent = record_queries(monkeypatch)
        remote = RemoteEngine(server.url)
        assert remote.graphs == bundled().graphs()
        assert [text for text, _ in sent] == [CATALOG_QUERY]  # no check of which graphs the store holds
        # Named in the request's dataset too (as for a store whose default graph is not the union),
        # the absent graph is just empty.
        count = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?c a <{CG.Claim}> }}"
        expected = EmbeddedEngine(bundled()).select(count).rows
        assert remote.select(count).rows == expected
        assert RemoteEngine(server.url, graphs=remote.graphs).select(count).rows == expected
        classes = f"ASK {{ <{CG.Claim}> a ?kind }}"
        assert RemoteEngine(server.url, graphs=remote.graphs).select(classes).boolean is False


def test_remote_engine_given_graphs_sees_only_their_union(endpoint: str) -> None:
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?c a <{CG.Claim}> }}"
    article = RemoteEngine(endpoint, graphs=[DOC.term("optimism-vs-intelligence"), GRAPH.actors]).select(count)
    assert article.dicts() == [{"n": ox.Literal("26", datatype=ox.NamedNode(XSD.integer))}]
    actors_only = RemoteEngine(endpoint, graphs=[GRAPH.actors]).select(count)
    assert actors_only.dicts() == [{"n": ox.Literal("0", datatype=ox.NamedNode(XSD.integer))}]


def test_contradictions_command_through_endpoint_equals_embedded(endpoint: str) -> None:
    runner = CliRunner()
    remote = runner.invoke(main, ["contradictions", "--format", "json", "--endpoint", endpoint])
    embedded = runner.invoke(main, ["contradictions", "--format", "json"])
    assert remote.exit_code == 0, remote.output
    assert json.loads(remote.output) == without_positions(json.loads(embedded.output))


def test_query_command_through_endpoint_equals_embedded_csv(endpoint: str) -> None:
    args = ["query", "claim-provenance", "-p", "claim=claim:intelligence-community-putin-wants-more", "--format", "csv"]
    runner = CliRunner()
    remote = runner.invoke(main, [*args, "--endpoint", endpoint])
    assert remote.exit_code == 0, remote.output
    assert remote.stdout_bytes == runner.invoke(main, args).stdout_bytes


def test_remote_parameters_travel_as_escaped_terms(endpoint: str) -> None:
    hostile = 'x" } UNION { ?s ?p ?o } #'
    query = "SELECT ?text WHERE { BIND(STRLEN(?text) AS ?n) }"
    results = RemoteEngine(endpoint).select(query, bindings={"text": ox.Literal(hostile)})
    assert results.dicts() == [{"text": ox.Literal(hostile)}]


def test_remote_syntax_error_is_an_endpoint_error_naming_the_endpoint(endpoint: str) -> None:
    with pytest.raises(EndpointError) as caught:
        RemoteEngine(endpoint).select("SELECT * WHERE { ?s ?p }", name="bad.rq")
    assert caught.value.endpoint == endpoint
    assert str(caught.value).startswith(f"endpoint {endpoint}: rejected bad.rq: error at ")


def test_wrong_endpoint_path_is_an_endpoint_error(endpoint: str) -> None:
    wrong = endpoint.replace("/query", "/nowhere")
    with pytest.raises(EndpointError) as caught:
        RemoteEngine(wrong, graphs=[]).select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert str(caught.value) == f"endpoint {wrong}: not found (HTTP 404): POST /nowhere is not supported by this server"


def test_unreachable_endpoint_is_one_line_error_exit_2() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    result = CliRunner().invoke(main, ["contradictions", "--endpoint", url])
    assert result.exit_code == 2
    assert result.output == f"Error: endpoint {url}: cannot connect: Connection refused\n"


def test_silent_endpoint_times_out() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        url = f"http://127.0.0.1:{server.getsockname()[1]}/query"
        accepted: list[socket.socket] = []
        thread = threading.Thread(target=lambda: accepted.append(server.accept()[0]), daemon=True)
        thread.start()
        started = time.monotonic()
        with pytest.raises(EndpointError, match="timed out"):
            RemoteEngine(url, timeout=1, graphs=[]).select("ASK {}")
        assert time.monotonic() - started < 10
        for connection in accepted:
            connection.close()
