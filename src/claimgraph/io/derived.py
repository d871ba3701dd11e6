"""The derived graph: the closures the canned queries read, computed from what the data states.

:func:`derive` reads the declared relations of a store and returns the triples of ``graph:derived``
(:data:`~claimgraph.namespaces.DERIVED_GRAPH`), so that no query needs a property path (Virtuoso 7.2
loses rows on ``p*`` paths whose ends are bound elsewhere; and a store without inference sees the same
rows as one with it). The rules, with the properties the ontology declares for them:

- ``rdfs:subClassOf``: the reflexive and transitive closure over the named classes, less the triples
  stated already (a store that returns a triple once per graph would count those twice);
- ``cg:derivedEntails``: the transitive closure of ``cg:entails``;
- ``cg:derivedContradicts``: ``X`` and ``Y`` where ``X`` entails (or is) ``X'``, ``Y`` entails (or is)
  ``Y'``, and ``X' cg:contradicts Y'`` is declared in either direction; both directions;
- ``cg:derivedSupports``: a chain of ``cg:supports`` and ``cg:entails`` with at least one
  ``cg:supports``, where ``X`` does not entail ``Y`` (support is kept apart from entailment);
- ``cg:derivedRequires``: what a proposal or any of its components (``cg:component``, at any depth)
  ``cg:requires``, and what that entails;
- ``cg:derivedWithin``: the reflexive and transitive closure of ``cg:placePartOf`` over the places;
- ``cg:derivedAffiliatedWith``: the transitive closure of ``cg:affiliatedWith`` and its subproperties;
- ``cg:derivedState``: the states an agent belongs to (itself if it is one).

It also holds the catalog of the dataset's named graphs (:func:`catalog`), so that a remote engine
learns which graphs hold the data from one lookup instead of listing every graph of the store (on
Virtuoso 7.2 any such listing reads every quad).

Only nodes of the declared domain and range are linked (propositions, proposals, places, agents,
states: instances of the class or of its subclasses), never a node with itself but where the rule is
reflexive: derived triples point only at typed nodes, so the shapes find nothing in them that they do
not find in the asserted data. A closure in Python over the few thousand relations of even a large
corpus costs less than the SPARQL updates that would compute it (docs/design.md, "The derived graph").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox

from claimgraph.namespaces import CG, DATASET, DERIVED_GRAPH, OWL, RDF, RDFS, SD

__all__ = ["CATALOG_PREDICATES", "DERIVED_PREDICATES", "catalog", "derive"]

#: The predicates the derived graph holds besides the ``rdfs:subClassOf`` closure.
DERIVED_PREDICATES = (
    CG.derivedEntails,
    CG.derivedContradicts,
    CG.derivedSupports,
    CG.derivedRequires,
    CG.derivedWithin,
    CG.derivedAffiliatedWith,
    CG.derivedState,
)

#: The predicates of the catalog (W3C SPARQL 1.1 Service Description).
CATALOG_PREDICATES = (SD.namedGraph, SD.name)

_TYPE = ox.NamedNode(RDF.type)
_SUBCLASS = ox.NamedNode(RDFS.subClassOf)
_GRAPH = ox.NamedNode(DERIVED_GRAPH)

Edges = dict[ox.NamedNode, set[ox.NamedNode]]


@dataclass
class _Asserted:
    """What the rules read from the store: class and property hierarchies, typed nodes, relations."""

    store: ox.Store

    def pairs(self, predicate: str) -> Iterator[tuple[ox.NamedNode, ox.NamedNode]]:
        for quad in self.store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
            if (
                isinstance(quad.subject, ox.NamedNode)
                and isinstance(quad.object, ox.NamedNode)
                and quad.graph_name != _GRAPH
            ):
                yield quad.subject, quad.object

    def edges(
        self, predicates: Iterable[str], nodes: set[ox.NamedNode], targets: set[ox.NamedNode] | None = None
    ) -> Edges:
        """``subject -> objects`` of ``predicates``, both ends in ``nodes`` (objects in ``targets`` if
        given), never a node to itself."""
        allowed = nodes if targets is None else targets
        found: Edges = {}
        for predicate in predicates:
            for subject, obj in self.pairs(predicate):
                if subject != obj and subject in nodes and obj in allowed:
                    found.setdefault(subject, set()).add(obj)
        return found

    def instances(self, classes: set[ox.NamedNode]) -> set[ox.NamedNode]:
        found: set[ox.NamedNode] = set()
        for cls in classes:
            found.update(
                q.subject
                for q in self.store.quads_for_pattern(None, _TYPE, cls, None)
                if isinstance(q.subject, ox.NamedNode)
            )
        return found


def _reach(edges: Edges, start: ox.NamedNode) -> set[ox.NamedNode]:
    """Every node reachable from ``start`` by one or more edges (``start`` itself only on a cycle)."""
    seen: set[ox.NamedNode] = set()
    frontier = list(edges.get(start, ()))
    while frontier:
        node = frontier.pop()
        if node not in seen:
            seen.add(node)
            frontier.extend(edges.get(node, ()))
    return seen


def _closure(edges: Edges, nodes: Iterable[ox.NamedNode]) -> dict[ox.NamedNode, set[ox.NamedNode]]:
    """For each of ``nodes``, what it reaches (itself excluded)."""
    return {node: _reach(edges, node) - {node} for node in nodes}


def _inverse(closure: dict[ox.NamedNode, set[ox.NamedNode]]) -> dict[ox.NamedNode, set[ox.NamedNode]]:
    inverse: dict[ox.NamedNode, set[ox.NamedNode]] = {}
    for node, reached in closure.items():
        for other in reached:
            inverse.setdefault(other, set()).add(node)
    return inverse


def _supported(entails: Edges, supports: Edges, start: ox.NamedNode) -> set[ox.NamedNode]:
    """What ``start`` reaches through entailment and support links with at least one support link."""
    seen: set[tuple[ox.NamedNode, bool]] = set()
    frontier = [(start, False)]
    while frontier:
        node, supported = frontier.pop()
        for nxt, by_support in [
            *((n, supported) for n in entails.get(node, ())),
            *((n, True) for n in supports.get(node, ())),
        ]:
            if (nxt, by_support) not in seen:
                seen.add((nxt, by_support))
                frontier.append((nxt, by_support))
    return {node for node, supported in seen if supported}


def catalog(store: ox.Store) -> list[ox.Quad]:
    """The catalog of the dataset's named graphs: every named graph of ``store`` and the derived graph
    itself. A store holds those a load sent (all but the shapes); a remote engine takes the catalogued
    names as they are (a graph the store lacks is empty to its queries) instead of listing the store.

    In the W3C SPARQL 1.1 Service Description vocabulary, the standard one for the named graphs of a
    dataset (VoID describes datasets but has no term for a named graph's name):
    ``<DATASET> sd:namedGraph <entry> . <entry> sd:name <graph>``. The entries are IRIs minted from the
    graph's name, not blank nodes (an export would then have to canonicalise the whole dataset) nor the
    graph's own IRI (a document's graph is named by the document, a typed node the shapes check); they
    are typed with nothing, so no shape targets them.
    """
    names = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    dataset, named_graph, name = ox.NamedNode(DATASET), ox.NamedNode(SD.namedGraph), ox.NamedNode(SD.name)
    quads: list[ox.Quad] = []
    for graph in sorted(names | {DERIVED_GRAPH}):
        entry = ox.NamedNode(f"{DATASET}/graph/{quote(graph, safe='')}")
        quads += [ox.Quad(dataset, named_graph, entry, _GRAPH), ox.Quad(entry, name, ox.NamedNode(graph), _GRAPH)]
    return quads


def derive(store: ox.Store) -> list[ox.Quad]:
    """The quads of the derived graph for the data in ``store``: the closures and the :func:`catalog`
    (its own derived graph, if it has one, is not read)."""
    asserted = _Asserted(store)
    derived: list[tuple[ox.NamedNode, str, ox.NamedNode]] = []

    # Classes: the closure of rdfs:subClassOf, reflexive on every named class.
    supers: Edges = {}
    for subject, obj in asserted.pairs(RDFS.subClassOf):
        supers.setdefault(subject, set()).add(obj)
    classes = set(supers) | {o for objs in supers.values() for o in objs}
    for kind in (OWL.Class, RDFS.Class):
        classes |= asserted.instances({ox.NamedNode(kind)})
    above = {cls: _reach(supers, cls) | {cls} for cls in classes}
    below = _inverse(above)
    stated = set(asserted.pairs(RDFS.subClassOf))
    derived_classes = [(c, d) for c, ds in above.items() for d in ds if (c, d) not in stated]

    def instances(cls: str) -> set[ox.NamedNode]:
        node = ox.NamedNode(cls)
        return asserted.instances(below.get(node, set()) | {node})

    propositions, proposals, places = instances(CG.Proposition), instances(CG.Proposal), instances(CG.Place)
    agents, states = instances(CG.Agent), instances(CG.State)

    # Propositions.
    entails_edges = asserted.edges([CG.entails], propositions)
    supports_edges = asserted.edges([CG.supports], propositions)
    entails = _closure(entails_edges, propositions)
    entailed_by = _inverse(entails)
    derived += [(p, CG.derivedEntails, q) for p, qs in entails.items() for q in qs]
    contradicting: set[tuple[ox.NamedNode, ox.NamedNode]] = set()
    for a, bs in asserted.edges([CG.contradicts], propositions).items():
        for b in bs:
            for x in entailed_by.get(a, set()) | {a}:
                for y in entailed_by.get(b, set()) | {b}:
                    if x != y:
                        contradicting |= {(x, y), (y, x)}
    derived += [(x, CG.derivedContradicts, y) for x, y in contradicting]
    for p in {*supports_edges, *entails_edges}:
        derived += [(p, CG.derivedSupports, q) for q in _supported(entails_edges, supports_edges, p) - entails[p] - {p}]

    # Proposals: what they and their components require, and what that entails.
    requires = asserted.edges([CG.requires], proposals, propositions)
    components = asserted.edges([CG.component], proposals)
    for proposal in proposals:
        needed: set[ox.NamedNode] = set()
        for part in _reach(components, proposal) | {proposal}:
            for p in requires.get(part, ()):
                needed |= {p} | entails[p]
        derived += [(proposal, CG.derivedRequires, p) for p in needed]

    # Places.
    part_of = asserted.edges([CG.placePartOf], places)
    derived += [(p, CG.derivedWithin, q) for p in places for q in _reach(part_of, p) | {p}]

    # Affiliation: cg:affiliatedWith and every subproperty the data's ontology declares.
    sub_properties: Edges = {}
    for subject, obj in asserted.pairs(RDFS.subPropertyOf):
        sub_properties.setdefault(obj, set()).add(subject)
    affiliation = _reach(sub_properties, ox.NamedNode(CG.affiliatedWith)) | {ox.NamedNode(CG.affiliatedWith)}
    affiliated = _closure(asserted.edges([p.value for p in affiliation], agents), agents)
    derived += [(a, CG.derivedAffiliatedWith, b) for a, bs in affiliated.items() for b in bs]
    derived += [(a, CG.derivedState, s) for a, bs in affiliated.items() for s in ((bs & states) | ({a} & states))]

    subclass = [ox.Quad(c, _SUBCLASS, d, _GRAPH) for c, d in derived_classes]
    names = {p: ox.NamedNode(p) for p in DERIVED_PREDICATES}
    return subclass + [ox.Quad(s, names[p], o, _GRAPH) for s, p, o in derived] + catalog(store)
