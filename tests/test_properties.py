"""Properties that must hold for any input (hypothesis; modest example counts keep the suite fast).

- Binding a parameter never changes a query's structure: whatever the value, the bound query's
  SPARQL algebra is the algebra of the same query bound to a placeholder, with the value in its place.
- The validation verdict does not depend on triple order or on the serialization (TriG, N-Quads,
  JSON-LD) of the same data.
- Export, parse, export again: the same bytes, in every export format.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from claimgraph.io.dataset import Dataset, load_dataset
from claimgraph.io.export import EXPORT_FORMATS, serialize
from claimgraph.namespaces import XSD
from claimgraph.queries.files import parse_term
from claimgraph.sparql.engines import EmbeddedEngine
from claimgraph.sparql.lexer import scan, values_block
from claimgraph.validation.api import validate

# rdflib warns about every ill-typed boolean it reads; such literals are among the values bound on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:Parsing weird boolean:UserWarning")

REPO = Path(__file__).resolve().parents[1]
BASE = REPO / "tests" / "resources" / "shapes" / "base"
FIXTURE_GRAPH = ox.NamedNode("https://w3id.org/claimgraph/id/doc/shapes-fixture")

# Text with every kind of character SPARQL and N-Triples escape, and syntax a value might smuggle in.
SYNTAX = ['"', "'", "\\", "\n", "\r", "\t", "{", "}", ">", "<", "#", ";", ".", "?x", "$x", "^^", "@en", "\u0000", "é"]
texts = st.lists(st.one_of(st.sampled_from(SYNTAX), st.text(max_size=8)), max_size=8).map("".join)
iri_chars = st.text(alphabet=st.characters(exclude_characters='<>"{}|^`\\ ', exclude_categories=["Cc", "Cs"]))


def _is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


iris = iri_chars.map(lambda local: "http://example.org/" + local).filter(_is_iri)
languages = st.sampled_from(["en", "de", "en-GB", "uk", "zh-Hant-TW", "es-419"])
datatypes = st.sampled_from([XSD.string, XSD.integer, XSD.date, XSD.boolean, "http://example.org/type"])
terms = st.one_of(
    iris.map(ox.NamedNode),
    texts.map(ox.Literal),
    st.builds(lambda v, lang: ox.Literal(v, language=lang), texts, languages),
    st.builds(lambda v, dt: ox.Literal(v, datatype=ox.NamedNode(dt)), texts, datatypes),
)

QUERIES = [
    "SELECT ?value ?n WHERE { BIND(STRLEN(STR(?value)) AS ?n) }",
    "PREFIX cg: <https://w3id.org/claimgraph/ontology#>\n"
    "SELECT ?claim ?value WHERE { ?claim cg:claimant ?value . FILTER (?value != <http://example.org/x>) }",
    'SELECT ?value WHERE { { ?s ?p ?value } UNION { BIND("#}" AS ?other) } } ORDER BY ?value',
]
PLACEHOLDER = ox.NamedNode("http://example.org/placeholder")


def _bound(query: str, term: ox.NamedNode | ox.Literal) -> str:
    """The query as the remote engine sends it with ``?value`` bound to ``term``."""
    return scan(query).insert_values(values_block({"value": [term]}))


def _structure(node: Any, value: rdflib.term.Node) -> Any:
    """The algebra as nested tuples, with ``value`` (the bound term) replaced by a marker."""
    if isinstance(node, CompValue):
        return (node.name, tuple(sorted((k, _structure(v, value)) for k, v in node.items())))
    if isinstance(node, dict):
        return tuple(sorted((str(k), _structure(v, value)) for k, v in node.items()))
    if isinstance(node, list | tuple | set | frozenset):
        items = [_structure(v, value) for v in node]
        return tuple(items) if isinstance(node, list | tuple) else tuple(sorted(items, key=repr))
    if isinstance(node, rdflib.term.Node) and type(node) is type(value) and node == value:
        return "BOUND-VALUE"
    return repr(node)


def _rdflib_term(term: ox.NamedNode | ox.Literal) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language, normalize=False)
    if term.datatype.value == XSD.string:  # a simple literal: rdflib gives it no datatype
        return rdflib.Literal(term.value, normalize=False)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value), normalize=False)


def _algebra(query: str) -> Any:
    """rdflib's algebra of ``query``, literals as written (rdflib would otherwise rewrite ill-typed ones)."""
    normalize = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        return prepareQuery(query).algebra
    finally:
        rdflib.NORMALIZE_LITERALS = normalize


@pytest.mark.parametrize("query", QUERIES)
@settings(max_examples=60, deadline=None)
@given(term=terms)
def test_binding_a_parameter_never_changes_the_query_structure(query: str, term: ox.NamedNode | ox.Literal) -> None:
    bound = _algebra(_bound(query, term))
    placeholder = _algebra(_bound(query, PLACEHOLDER))
    assert _structure(bound, _rdflib_term(term)) == _structure(placeholder, rdflib.URIRef(PLACEHOLDER.value))


@pytest.fixture(scope="module")
def embedded() -> EmbeddedEngine:
    return EmbeddedEngine(load_dataset(paths=[BASE]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(term=terms)
def test_embedded_binding_returns_the_value_itself(embedded: EmbeddedEngine, term: ox.NamedNode | ox.Literal) -> None:
    results = embedded.select(QUERIES[0], bindings={"value": term})
    assert [row["value"] for row in results.dicts()] == [term]


@settings(max_examples=100, deadline=None)
@given(raw=st.one_of(texts, iri_chars.map(lambda s: "claim:" + s), iris.map(lambda s: f"<{s}>")))
def test_iri_parameter_text_is_one_iri_or_refused(raw: str) -> None:
    try:
        term = parse_term("iri", raw)
    except ValueError:
        return
    bound = _algebra(_bound(QUERIES[0], term))
    placeholder = _algebra(_bound(QUERIES[0], PLACEHOLDER))
    assert _structure(bound, rdflib.URIRef(term.value)) == _structure(placeholder, rdflib.URIRef(PLACEHOLDER.value))


# --- Validation verdicts ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_quads() -> list[ox.Quad]:
    """The data quads of the shapes' base fixture (no result at all when validated whole)."""
    return list(ox.parse(path=BASE / "base.trig", format=ox.RdfFormat.TRIG))


def _verdict(dataset: Dataset) -> tuple[bool, frozenset[tuple[str, str, str, str | None, str | None]]]:
    report = validate(dataset, engine="fast")
    return report.conforms, frozenset((r.severity.value, r.shape, r.focus, r.path, r.value) for r in report.results)


@pytest.fixture
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("verdicts")
    yield directory
    shutil.rmtree(directory)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_verdict_is_the_same_whatever_the_order_and_serialization(
    data: st.DataObject, fixture_quads: list[ox.Quad], workdir: Path
) -> None:
    # Dropping a few statements of the fixture's document breaks some shapes: verdicts vary.
    droppable = [i for i, q in enumerate(fixture_quads) if q.graph_name == FIXTURE_GRAPH]
    dropped = set(data.draw(st.lists(st.sampled_from(droppable), max_size=3), label="dropped"))
    kept = [q for i, q in enumerate(fixture_quads) if i not in dropped]
    verdicts = set()
    for fmt, suffix in ((ox.RdfFormat.TRIG, ".trig"), (ox.RdfFormat.N_QUADS, ".nq"), (ox.RdfFormat.JSON_LD, ".jsonld")):
        order = data.draw(st.randoms(use_true_random=False), label=f"order for {suffix}")
        shuffled = kept[:]
        order.shuffle(shuffled)
        directory = workdir / suffix[1:]
        directory.mkdir(exist_ok=True)
        shutil.copy(BASE / "base.txt", directory / "base.txt")
        written = ox.serialize(shuffled, format=fmt)
        assert written is not None
        (directory / f"data{suffix}").write_bytes(written)
        verdicts.add(_verdict(load_dataset(REPO, paths=[directory / f"data{suffix}"])))
    assert len(verdicts) == 1


# --- Export round trip ------------------------------------------------------------------------------

subjects = st.one_of(iris.map(ox.NamedNode), st.sampled_from(["b1", "b2", "b3"]).map(ox.BlankNode))
predicates = st.sampled_from(["http://example.org/p", "http://example.org/q", "http://schema.org/name"]).map(
    ox.NamedNode
)
graph_names = st.one_of(
    st.just(ox.DefaultGraph()),
    st.sampled_from(["g1", "g2"]).map(lambda g: ox.NamedNode("http://example.org/graph/" + g)),
)
quads = st.lists(
    st.builds(ox.Quad, subjects, predicates, st.one_of(subjects, terms), graph_names), min_size=1, max_size=12
)


# This property found that the union formats named blank nodes before dropping the graph names
# (regression test: test_export.py::test_union_formats_name_blank_nodes_from_the_union_alone).
@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
@settings(max_examples=40, deadline=None)
@given(generated=quads, seed=st.integers(0, 2**32 - 1))
def test_export_parse_export_is_identical(fmt: str, generated: list[ox.Quad], seed: int) -> None:
    random.Random(seed).shuffle(generated)
    first = serialize(generated, fmt)
    parsed = list(ox.parse(first, format=EXPORT_FORMATS[fmt]))
    assert serialize(parsed, fmt) == first
