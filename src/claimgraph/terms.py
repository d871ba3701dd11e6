"""RDF terms as claimgraph handles them: the term type both engines return.

A base module (namespaces, pyoxigraph, and rdflib where a graph is handed to pySHACL), imported by every layer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

import pyoxigraph as ox

from claimgraph.namespaces import CG, curie

if TYPE_CHECKING:
    import rdflib

__all__ = ["Term", "blank_closure", "concept_name", "term_text", "to_rdflib", "to_rdflib_term"]

#: An RDF term as both engines return it.
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def term_text(term: Term) -> str:
    """A term's text: an IRI, a blank node's label or a literal's lexical form (a quoted triple as N-Triples)."""
    return str(term) if isinstance(term, ox.Triple) else term.value


@lru_cache(maxsize=1024)  # a few concepts, asked for on every row of large results
def concept_name(iri: str) -> str:
    """A vocabulary concept as a short kebab-case word: ``cg:PublicStatement`` → ``public-statement``;
    an IRI outside the ``cg:`` namespace as its CURIE."""
    if iri.startswith(CG):
        return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", iri[len(CG) :]).lower()
    return curie(iri)


def to_rdflib(quads: Iterable[ox.Quad]) -> rdflib.Graph:
    """An rdflib graph of ``quads`` (graph names dropped), for pySHACL and shapes parsing."""
    import rdflib

    graph = rdflib.Graph()
    # Term conversion is cached: the same IRIs recur on most triples.
    cache: dict[ox.NamedNode | ox.BlankNode | ox.Literal, rdflib.term.Node] = {}

    def term(t: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> rdflib.term.Node:
        if isinstance(t, ox.Triple):
            raise TypeError("RDF-star triples are not supported")
        converted = cache.get(t)
        if converted is None:
            converted = to_rdflib_term(t)
            cache[t] = converted
        return converted

    graph.addN((term(q.subject), term(q.predicate), term(q.object), graph) for q in quads)
    return graph


def to_rdflib_term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    """The rdflib term of a pyoxigraph term (``xsd:string`` literals plain, as RDF 1.1 has them)."""
    import rdflib

    if isinstance(t, ox.NamedNode):
        return rdflib.URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return rdflib.BNode(t.value)
    if t.language:
        return rdflib.Literal(t.value, lang=t.language)
    datatype = t.datatype.value
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        return rdflib.Literal(t.value)
    return rdflib.Literal(t.value, datatype=rdflib.URIRef(datatype))


def blank_closure(store: ox.Store, node: ox.BlankNode) -> list[ox.Quad]:
    """The quads of ``node`` and of every blank node they reach: what describes a blank node."""
    quads: list[ox.Quad] = []
    seen: set[ox.BlankNode] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for quad in store.quads_for_pattern(current, None, None):
            quads.append(quad)
            if isinstance(quad.object, ox.BlankNode):
                stack.append(quad.object)
    return quads
