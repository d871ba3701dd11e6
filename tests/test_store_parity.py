"""Remote queries equal embedded ones on real stores (issue 4 item 3).

Every canned query (parameters bound to values present in the data) and ``contradictions`` run through
:class:`RemoteEngine`, and the store's graphs are validated (fetched, and inside the store), against
Oxigraph (plain, and with ``--union-default-graph``) and a private Virtuoso, each loaded with the
bundled graph and with a synthetic graph of over 100k triples; the normalised results must equal the
embedded engine's: no query needs a property path (the closures are in graph:derived, loaded with the
rest), so no store's path evaluation can differ. One server per store and data set for the module; the
synthetic graph is generated once per session. Contradictions are also compared on a 1M-triple corpus
in Virtuoso: its loss of rows in joined DISTINCT sub-selects shows at that size, not at 100k.

Normalisation is limited to what SPARQL leaves open: row order, blank-node labels, and GROUP_CONCAT
values (their order is undefined, whether they keep a common language tag is disputed -
w3c/rdf-tests#280 says never, pyoxigraph 0.5 keeps it, Virtuoso drops it - and an empty group gives ""
on Virtuoso but no value on pyoxigraph 0.5), compared as sorted lexical parts.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox
import pytest
from helpers.data import outcome
from helpers.servers import OxigraphServer, VirtuosoServer, record_queries, store_server, stored_quads

from claimgraph.errors import DerivedGraphMissingError, EndpointError
from claimgraph.io.dataset import Dataset, load_dataset
from claimgraph.namespaces import CG, CGSH, CLAIM, DERIVED_GRAPH, ID, RDF, RDFS, SHAPES_GRAPH, XSD
from claimgraph.queries.contradictions import find_contradictions
from claimgraph.queries.files import KIND_ORDER, Query, canned_queries, run_query
from claimgraph.queries.reasons import describe_links
from claimgraph.sparql.engines import (
    _NOT_UNION_PROBE,
    CATALOG_QUERY,
    DATA_GRAPHS_QUERY,
    NAMED_GRAPHS_QUERY,
    EmbeddedEngine,
    QueryResults,
    RemoteEngine,
)
from claimgraph.stores.instore import validate_endpoint
from claimgraph.stores.remote import fetch_dataset
from claimgraph.synth import claims_for_triples, generate
from claimgraph.terms import Term, to_rdflib
from claimgraph.validation.api import validate
from claimgraph.validation.compiler import CompiledShapes, Finding, UnsupportedShapesError, compile_shapes
from claimgraph.validation.render import report_context

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "queries"
CANNED = canned_queries(QUERIES)
DERIVED = ox.NamedNode(DERIVED_GRAPH)
STORES = ["oxigraph", "oxigraph-union", pytest.param("virtuoso", marks=pytest.mark.virtuoso)]


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """A generated corpus of over 100k triples (one per test session)."""
    root = tmp_path_factory.mktemp("synthetic")
    generate(root, claims=claims_for_triples(100_000), seed=3)
    dataset = load_dataset(root)
    assert len(dataset.store) > 100_000
    return dataset


@cache
def bundled() -> Dataset:
    return load_dataset()


@pytest.fixture(scope="module", params=["bundled", "synthetic"])
def data(request: pytest.FixtureRequest) -> Dataset:
    if request.param == "bundled":
        return bundled()
    dataset: Dataset = request.getfixturevalue("synthetic")
    return dataset


class Endpoint(NamedTuple):
    store: str
    url: str


@pytest.fixture(scope="module", params=STORES)
def endpoint(
    request: pytest.FixtureRequest, data: Dataset, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Endpoint]:
    """A store holding ``data`` as a load would leave it (every graph but the shapes)."""
    directory = tmp_path_factory.mktemp(request.param)
    quads = stored_quads(data)
    server: OxigraphServer | VirtuosoServer
    if request.param == "virtuoso":
        server = VirtuosoServer(directory, quads)
    else:
        server = OxigraphServer(directory, quads, read_only=True, union_default_graph=request.param != "oxigraph")
    with server:
        yield Endpoint(request.param, server.url)


def arguments(dataset: Dataset, query: Query) -> dict[str, str]:
    """Parameter values that select something in ``dataset``: the examples on the bundled graph, else
    the first claim, the actor with most claims, the document with most evidence, the place with most parts."""
    if dataset is bundled():
        return {p.name: p.example for p in query.parameters if p.example is not None}
    engine = EmbeddedEngine(dataset)
    picks = {
        "claim": f"SELECT ?x WHERE {{ ?x <{CG.claimant}> ?a }} ORDER BY ?x LIMIT 1",
        "actor": f"SELECT ?x WHERE {{ ?c <{CG.claimant}> ?x }} GROUP BY ?x ORDER BY DESC(COUNT(?c)) ?x LIMIT 1",
        "source": f"SELECT ?x WHERE {{ ?e <{CG.foundIn}> ?x }} GROUP BY ?x ORDER BY DESC(COUNT(?e)) ?x LIMIT 1",
        "territory": f"SELECT ?x WHERE {{ ?p <{CG.placePartOf}> ?x }} GROUP BY ?x ORDER BY DESC(COUNT(?p)) ?x LIMIT 1",
    }
    chosen = {}
    for parameter in query.parameters:
        if parameter.name in picks:
            (row,) = engine.select(picks[parameter.name]).rows
            assert isinstance(row[0], ox.NamedNode)
            chosen[parameter.name] = row[0].value
        elif parameter.example is not None:
            chosen[parameter.name] = parameter.example
    return chosen


_GROUP_CONCAT = re.compile(r"GROUP_CONCAT\s*\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)\s*AS\s*\?(\w+)", re.I)


def normalised(results: QueryResults, query: str) -> list[str]:
    """Rows as sorted lines of N-Triples terms: blank nodes as ``_:b``, GROUP_CONCAT values as sorted
    lexical parts."""
    concatenated = set(_GROUP_CONCAT.findall(query))

    def text(variable: str, term: Term | None) -> str:
        if variable in concatenated:
            assert term is None or isinstance(term, ox.Literal)
            # An empty group: "" on Virtuoso (as the spec says), no value on pyoxigraph 0.5.
            parts = sorted(term.value.split("; ")) if term is not None and term.value else []
            return str(ox.Literal("; ".join(parts)))
        if term is None:
            return "-"
        return "_:b" if isinstance(term, ox.BlankNode) else str(term)

    return sorted(" ".join(text(v, t) for v, t in zip(results.variables, row, strict=True)) for row in results.rows)


def assert_same(remote: list[str], embedded: list[str], what: str) -> None:
    if remote != embedded:
        diff = list(difflib.unified_diff(embedded, remote, "embedded", "remote", lineterm="", n=0))
        shown = "\n".join(diff[:40]) + ("\n…" if len(diff) > 40 else "")
        pytest.fail(f"{what}: {len(remote)} rows remotely, {len(embedded)} embedded\n{shown}", pytrace=False)


@pytest.mark.parametrize("name", sorted(CANNED))
def test_every_canned_query_selects_rows_in_the_synthetic_graph(synthetic: Dataset, name: str) -> None:
    """So that equal results on it are not just two empty answers."""
    assert len(run_query(EmbeddedEngine(synthetic), CANNED[name], arguments(synthetic, CANNED[name]))) > 0


def test_graph_listing_is_the_catalogued_data_graphs_without_store_system_graphs(
    endpoint: Endpoint, data: Dataset
) -> None:
    stored = {q.graph_name.value for q in stored_quads(data) if isinstance(q.graph_name, ox.NamedNode)}
    # The catalog names the shapes graph too, which a load does not send: taken as it is, and empty.
    assert SHAPES_GRAPH not in stored
    assert RemoteEngine(endpoint.url).graphs == sorted(stored | {SHAPES_GRAPH})


def test_data_graphs_come_from_the_catalog_without_reading_every_quad(
    endpoint: Endpoint, data: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Virtuoso 7.2 the listing of every graph and the search for a triple missing from the default
    graph read every quad (at 1M triples, past its transaction timeout): the catalog spares both."""
    sent = record_queries(monkeypatch)
    remote = RemoteEngine(endpoint.url)
    remote.select("ASK { ?s ?p ?o }")  # the union probed too
    texts = [text for text, _ in sent]
    assert texts[0] == CATALOG_QUERY
    assert NAMED_GRAPHS_QUERY not in texts and _NOT_UNION_PROBE not in texts
    check = DATA_GRAPHS_QUERY.partition("VALUES_BLOCK")[0]
    assert not any(text.startswith(check) for text in texts)  # the catalogued graphs are not checked
    stored = {q.graph_name.value for q in stored_quads(data) if isinstance(q.graph_name, ox.NamedNode)}
    assert remote.graphs == sorted(stored | {SHAPES_GRAPH})


@pytest.mark.parametrize("name", sorted(CANNED))
def test_canned_query_gives_the_embedded_results(endpoint: Endpoint, data: Dataset, name: str) -> None:
    query = CANNED[name]
    given = arguments(data, query)
    embedded = run_query(EmbeddedEngine(data), query, given)
    remote = run_query(RemoteEngine(endpoint.url), query, given)
    assert remote.variables == embedded.variables
    assert_same(normalised(remote, query.text), normalised(embedded, query.text), f"{name} on {endpoint.store}")


def test_contradictions_are_the_embedded_ones(endpoint: Endpoint, data: Dataset) -> None:
    embedded = [c.to_json() for c in find_contradictions(EmbeddedEngine(data), QUERIES)]
    # The chains' statements located in the files the store was loaded from, as the embedded run does.
    remote = [c.to_json() for c in find_contradictions(RemoteEngine(endpoint.url), QUERIES, sources=data)]
    assert embedded, "the data has contradictions to compare"
    assert remote == embedded
    if data is not bundled():  # the synthetic corpus plants every kind
        assert {k for c in embedded for k in c["kinds"]} == set(KIND_ORDER)


@pytest.mark.virtuoso
def test_contradictions_at_a_million_triples_are_the_embedded_ones_on_virtuoso(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Virtuoso 7.2 drops rows of a join of two ``SELECT DISTINCT`` sub-selects at this size, not at
    100k (docs/stores.md): the territorial pairs must all come back."""
    root = tmp_path_factory.mktemp("million")
    generate(root, claims=claims_for_triples(1_000_000), seed=1)
    data = load_dataset(root)
    embedded = [c.to_json() for c in find_contradictions(EmbeddedEngine(data), QUERIES)]
    with VirtuosoServer(tmp_path_factory.mktemp("virtuoso-million"), stored_quads(data), buffers=100_000) as server:
        remote = [c.to_json() for c in find_contradictions(RemoteEngine(server.url), QUERIES, sources=data)]
    assert len(embedded) > 3_000
    assert len(remote) == len(embedded)
    assert remote == embedded


def test_chains_of_more_nodes_than_one_query_may_name_are_described_as_embedded(
    endpoint: Endpoint, data: Dataset
) -> None:
    """The chains' labels and notes are asked in blocks of nodes: at 10M one block was longer than
    Virtuoso 7.2 reads (SP031; it refuses 6,000 IRIs). Links between the data's own nodes (as a chain's
    are; a store may label vocabulary terms of its own), padded with unlabelled nodes."""
    declared = [
        (q.subject.value, q.predicate.value, q.object.value)
        for q in data.store.quads_for_pattern(None, None, None, None)
        if q.subject.value.startswith(ID) and q.object.value.startswith(ID) and q.graph_name != DERIVED
    ][:3_000]
    padding = [(f"https://example.org/n{i}", str(RDFS.seeAlso), f"https://example.org/n{i + 1}") for i in range(7_000)]
    chains = [declared, padding]
    local = describe_links(EmbeddedEngine(data), chains, None)
    remote = describe_links(RemoteEngine(endpoint.url), chains, None)
    assert any(link.subject_label != link.subject for link in local(declared)), "some nodes have labels"
    assert [remote(chain) for chain in chains] == [local(chain) for chain in chains]


def test_validation_of_the_store_is_the_embedded_one(endpoint: Endpoint, data: Dataset) -> None:
    local = validate(data)
    remote = validate(fetch_dataset(endpoint.url, root=data.root))
    assert local.results, "the data has results to compare"
    assert outcome(remote) == outcome(local)
    assert remote.counts == local.counts


def test_validation_inside_the_store_is_the_embedded_one(endpoint: Endpoint, data: Dataset) -> None:
    """``validate --endpoint`` on a loaded store runs the shapes there (no fetch): the same results,
    messages and suggestions, counts and junit's checked nodes as embedded; on Virtuoso, none of the
    rows its own graphs give."""
    local = validate(data)
    remote, dataset = validate_endpoint(endpoint.url, root=data.root)
    assert dataset.remote is not None, "validated inside the store"
    assert local.results and remote.results == local.results
    assert remote.counts == local.counts
    checked = [report_context(d, r, root=REPO).checks for d, r in ((data, local), (dataset, remote))]
    assert checked[1] == checked[0]


#: Shapes of every typed node, which on Virtuoso also meet its own system graphs (its default graph is
#: every graph): compared on the data's nodes.
EVERY_TYPED_NODE = {CGSH.term("Vocabulary-class"), CGSH.term("Vocabulary-property")}


@pytest.fixture(scope="module")
def compiled(data: Dataset) -> tuple[CompiledShapes, ox.Store]:
    """The bundled shapes compiled, and a store holding what a load sends of ``data``."""
    store = ox.Store()
    store.extend(stored_quads(data))
    return compile_shapes(to_rdflib(data.shape_quads())), store


def findings(found: list[Finding], keep: Callable[[Finding], bool]) -> list[tuple[str | None, ...]]:
    """Results as sorted tuples of their fields, blank nodes as ``_:b``."""

    def term(text: str | None, node: object) -> str | None:
        return "_:b" if isinstance(node, ox.BlankNode) else text

    return sorted(
        (
            f.result.severity.name,
            f.result.shape,
            term(f.result.focus, f.focus_term),
            f.result.path,
            term(f.result.value, f.value_term),
            f.result.component,
            f.result.message,
        )
        for f in found
        if keep(f)
    )


def test_compiled_shapes_run_in_the_store_find_the_embedded_results(
    endpoint: Endpoint, data: Dataset, compiled: tuple[CompiledShapes, ox.Store]
) -> None:
    """The fast validator's queries, values judged and checks, sent to the store, find what they find
    embedded: the compiler writes what real stores read right (docs/stores.md, "Validating inside the
    store"). Nothing is left to pySHACL on either side."""
    shapes, store = compiled
    ours = {t.value for q in store for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}

    def kept(finding: Finding) -> bool:
        shape = finding.result.shape
        return endpoint.store != "virtuoso" or shape not in EVERY_TYPED_NODE or finding.result.focus in ours

    embedded = findings(shapes.run(store), kept)
    assert not shapes.last_fallback
    remote = findings(shapes.run(RemoteEngine(endpoint.url)), kept)
    assert not shapes.last_fallback
    assert len({f[1] for f in embedded}) >= (1 if data is bundled() else 10), "results of many shapes to compare"
    assert_same([repr(f) for f in remote], [repr(f) for f in embedded], f"validation on {endpoint.store}")


@pytest.mark.parametrize("store", ["oxigraph", pytest.param("virtuoso", marks=pytest.mark.virtuoso)])
def test_a_misspelt_class_and_property_are_found_in_the_store_as_embedded(
    store: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The vocabulary checks find the data's own faults in the store, beside (on Virtuoso) the rows of
    the store's own graphs."""
    claim = ox.NamedNode(CLAIM.term("anonymous-source-review-late-september"))
    graph = next(q.graph_name for q in bundled().store.quads_for_pattern(claim, None, None, None))
    typos = [
        ox.Quad(claim, ox.NamedNode(str(RDF.type)), ox.NamedNode(CG.term("Claimm")), graph),
        ox.Quad(claim, ox.NamedNode(CG.term("claimantt")), ox.Literal("x"), graph),
    ]
    quads = [*stored_quads(bundled()), *typos]
    local = ox.Store()
    local.extend(quads)
    shapes = compile_shapes(to_rdflib(bundled().shape_quads()))
    vocabulary = EVERY_TYPED_NODE

    def found(target: ox.Store | RemoteEngine) -> list[tuple[str | None, ...]]:
        return findings(shapes.run(target), lambda f: f.result.shape in vocabulary)

    embedded = found(local)
    assert {(f[1], f[2]) for f in embedded} == {
        (CGSH.term("Vocabulary-class"), CG.term("Claimm")),
        (CGSH.term("Vocabulary-property"), claim.value),
    }
    directory = tmp_path_factory.mktemp(f"typos-{store}")
    with store_server(store, directory, quads) as server:
        remote = found(RemoteEngine(server.url))
    ours = {t.value for q in quads for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}
    assert [f for f in remote if f[2] in ours] == embedded
    if store == "oxigraph":
        assert remote == embedded


@pytest.mark.parametrize("store", ["oxigraph", pytest.param("virtuoso", marks=pytest.mark.virtuoso)])
def test_a_sparql_constraint_meeting_an_ill_typed_literal_is_left_to_pyshacl_in_the_store_as_embedded(
    store: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The checks' queries start before the store's literals are read: a constraint found to meet a
    literal rdflib and Oxigraph value differently is dropped with what its query gave, and the shape
    is named as it is embedded."""
    source = next(q.subject for q in bundled().store.quads_for_pattern(None, ox.NamedNode(CG.sourceCount), None))
    graph = next(q.graph_name for q in bundled().store.quads_for_pattern(source, None, None, None))
    # Virtuoso keeps an ill-typed date as written (an ill-typed integer it stores as 0)
    date = ox.Literal("2025-02-30", datatype=ox.NamedNode(str(XSD.date)))
    quads = [*stored_quads(bundled()), ox.Quad(source, ox.NamedNode(CG.sourceCount), date, graph)]
    local = ox.Store()
    local.extend(quads)
    shapes = compile_shapes(to_rdflib(bundled().shape_quads()))
    with pytest.raises(UnsupportedShapesError) as embedded:
        shapes.run(local)
    assert CGSH.term("Claim-singleAnonymousRelay") in embedded.value.reasons
    directory = tmp_path_factory.mktemp(f"ill-typed-{store}")
    with store_server(store, directory, quads) as server, pytest.raises(UnsupportedShapesError) as remote:
        shapes.run(RemoteEngine(server.url))
    assert remote.value.reasons == embedded.value.reasons


def test_without_the_derived_graph_a_store_is_refused_not_half_answered(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A store loaded by other means than claimgraph's, without graph:derived: an error naming it."""
    quads = stored_quads(bundled(), without=(DERIVED_GRAPH,))
    with OxigraphServer(tmp_path_factory.mktemp("underived"), quads, read_only=True) as server:
        engine = RemoteEngine(server.url)
        with pytest.raises(DerivedGraphMissingError) as caught:
            find_contradictions(engine, QUERIES)
        assert caught.value.graph == DERIVED_GRAPH
        with pytest.raises(DerivedGraphMissingError):
            run_query(engine, CANNED["claims"])
        assert len(run_query(engine, CANNED["corroboration"])) > 0  # reads no derived triple


# --- Row caps ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """Virtuoso with its stock kind of limit: at most 100 result rows."""
    with VirtuosoServer(tmp_path_factory.mktemp("capped"), stored_quads(bundled()), max_rows=100) as server:
        yield server


@pytest.mark.virtuoso
def test_results_cut_at_the_row_cap_are_an_error_not_partial(capped: VirtuosoServer) -> None:
    claims = CANNED["claims"]
    assert len(run_query(RemoteEngine(capped.url), claims, {})) == 26  # under the cap: whole
    everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    with pytest.raises(EndpointError) as caught:
        RemoteEngine(capped.url).select(everything, name="everything")
    assert str(caught.value) == (
        f"endpoint {capped.url}: cut everything at its row cap of 100 rows (X-SPARQL-MaxRows), so the results"
        " may be partial and none are used: raise the store's limit (Virtuoso: [SPARQL] ResultSetMaxRows)"
    )
