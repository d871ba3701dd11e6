"""The ontology: parses cleanly, documents every term, and is consistent with the bundled graph."""

from __future__ import annotations

import warnings

import owlrl
import pyoxigraph as ox
import pytest
import rdflib

from claimgraph.io.dataset import load_dataset
from claimgraph.namespaces import CG, CLAIM
from claimgraph.project import bundled_data_dir
from claimgraph.terms import to_rdflib

ONTOLOGY = bundled_data_dir() / "ontology" / "claimgraph.ttl"


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return rdflib.Graph().parse(ONTOLOGY, format="turtle")


def owl_rl_errors(graph: rdflib.Graph) -> list[str]:
    closure = owlrl.OWLRL_Semantics(graph, False, False, False)
    closure.closure()
    closure.flush_stored_triples()
    return list(closure.error_messages)


def test_ontology_has_no_blank_nodes(ontology: rdflib.Graph) -> None:
    assert not any(isinstance(t, rdflib.BNode) for triple in ontology for t in triple)


def test_every_term_has_an_english_label_and_comment(ontology: rdflib.Graph) -> None:
    undocumented = ontology.query(
        """SELECT DISTINCT ?term WHERE {
             ?term a ?kind .
             FILTER(STRSTARTS(STR(?term), STR(cg:)))
             FILTER(NOT EXISTS { ?term rdfs:label ?l . FILTER(LANGMATCHES(LANG(?l), "en")) }
                    || NOT EXISTS { ?term rdfs:comment ?c . FILTER(LANGMATCHES(LANG(?c), "en")) })
           }""",
        initNs={"cg": rdflib.Namespace(CG), "rdfs": rdflib.RDFS},
    )
    assert [str(row[0]) for row in undocumented] == []  # type: ignore[index]


def test_every_cg_term_used_in_the_data_is_declared(ontology: rdflib.Graph) -> None:
    declared = {str(s) for s in ontology.subjects(rdflib.RDF.type, None) if str(s).startswith(CG)}
    data = load_dataset()
    used = {
        term.value
        for quad in data.data_quads()
        for term in (quad.predicate, quad.object)
        if isinstance(term, ox.NamedNode) and term.value.startswith(CG)
    }
    assert used - declared == set()


def test_ontology_with_bundled_graph_is_owl_rl_consistent() -> None:
    graph = to_rdflib(load_dataset().data_quads())
    assert owl_rl_errors(graph) == []


def test_a_claim_with_two_stances_is_owl_rl_inconsistent() -> None:
    graph = to_rdflib(load_dataset().data_quads())
    claim = rdflib.URIRef(CLAIM.term("trump-envoys-moscow-seeks-end-of-war"))
    graph.add((claim, rdflib.URIRef(CG.stance), rdflib.URIRef(CG.Denies)))
    assert owl_rl_errors(graph) != []
