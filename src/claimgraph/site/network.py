"""Network analysis of a claimgraph dataset with networkx.

Three graphs, built from any :class:`~claimgraph.sparql.Engine` (embedded or remote) by SPARQL alone:

- :func:`actor_graph` — actors, claims, propositions and sources as a ``MultiDiGraph`` whose edges carry
  a ``relation`` (``asserts``, ``proposition``, ``found-in``, ``relayed-by``, ``via``, ``cites``,
  ``published-by``, ``contradicts``, ``supports``, ``affiliated-with``…);
- :func:`contradiction_graph` — actors joined by one edge per contradiction (``MultiGraph``, edge ``kind``),
  built from :func:`~claimgraph.queries.find_contradictions`;
- :func:`lineage_graph` — which document or report derives from which (``MultiDiGraph``, edges point
  from the derivative to its source): ``cites`` (``cg:cites``), ``relays`` (a relay chain: the document
  from the report furthest from the claimant, each report from the one nearer the claimant, by
  ``cg:viaSource``) and ``derived-from`` (``prov:wasDerivedFrom`` declared between documents).

Corroboration is counted by independent origins (docs/report.md says how). Every node and edge
attribute is a ``str``, ``int``, ``float`` or ``bool`` so GraphML and GEXF can hold it; nodes are
keyed by IRI.
"""

from __future__ import annotations

import io
import itertools
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from claimgraph.namespaces import CG, curie, sparql_prefixes
from claimgraph.runtime import collector_paused
from claimgraph.terms import concept_name

if TYPE_CHECKING:
    from claimgraph.queries.contradictions import Contradiction
    from claimgraph.sparql.engines import Engine

#: The graphs ``claimgraph network --view`` can build.
VIEWS = ("actors", "contradictions", "lineage")

#: File formats for a graph: GraphML and GEXF (Gephi, Cytoscape), node-link JSON (d3, Cytoscape.js).
GRAPH_FORMATS = ("graphml", "gexf", "json")

#: Node kinds in :func:`actor_graph`, with the class whose instances (or subclasses') they are.
NODE_KINDS: dict[str, str] = {
    "claim": CG.Claim,
    "proposition": CG.Proposition,
    "document": CG.SourceDocument,
    "cited-source": CG.CitedSource,
    "actor": CG.Agent,
}

_PREFIXES = sparql_prefixes()


def _rows(engine: Engine, query: str, name: str) -> list[dict[str, str]]:
    return engine.select(_PREFIXES + query, name=name).texts()


def labels(engine: Engine) -> dict[str, str]:
    """``rdfs:label`` of every labelled IRI (English or untagged preferred, then the smallest)."""
    best: dict[str, tuple[int, str]] = {}
    query = "SELECT ?x ?label (LANG(?label) AS ?lang) WHERE { ?x rdfs:label ?label FILTER(isIRI(?x)) }"
    for row in _rows(engine, query, "labels"):
        rank = (0 if row.get("lang", "") in ("en", "") else 1, row["label"])
        if row["x"] not in best or rank < best[row["x"]]:
            best[row["x"]] = rank
    return {iri: label for iri, (_, label) in best.items()}


def _add_node(graph: nx.MultiDiGraph | nx.MultiGraph, iri: str, kind: str, names: dict[str, str]) -> None:
    if iri not in graph:
        graph.add_node(iri, kind=kind, label=names.get(iri, curie(iri)), curie=curie(iri))


# --- (a) actors ↔ claims ↔ propositions ↔ sources ---------------------------------------------------------

_KINDS_QUERY = """SELECT DISTINCT ?x ?class WHERE {{
  VALUES ?class {{ {} }}
  ?c rdfs:subClassOf* ?class . ?x a ?c . FILTER(isIRI(?x))
}}""".format(" ".join(f"<{c}>" for c in NODE_KINDS.values()))

#: (relation, query selecting ?s ?o and optional edge attributes).
_ACTOR_EDGES: tuple[tuple[str, str], ...] = (
    (
        "asserts",
        "SELECT ?s ?o ?stance ?claim_kind WHERE { ?o cg:claimant ?s . "
        "OPTIONAL { ?o cg:stance ?stance } OPTIONAL { ?o cg:claimKind ?claim_kind } }",
    ),
    ("proposition", "SELECT ?s ?o ?stance WHERE { ?s cg:proposition ?o . OPTIONAL { ?s cg:stance ?stance } }"),
    ("found-in", "SELECT DISTINCT ?s ?o WHERE { ?s cg:evidence/cg:foundIn ?o }"),
    (
        "relayed-by",
        "SELECT DISTINCT ?s ?o ?order ?act WHERE { ?s cg:evidence/cg:relay ?step . ?step cg:relayAgent ?o . "
        "OPTIONAL { ?step cg:relayOrder ?order } OPTIONAL { ?step cg:relayAct ?act } }",
    ),
    ("via", "SELECT DISTINCT ?s ?o WHERE { ?s cg:evidence/cg:relay/cg:viaSource ?o }"),
    ("cites", "SELECT ?s ?o WHERE { ?s cg:cites ?o }"),
    ("published-by", "SELECT ?s ?o WHERE { ?s dcterms:publisher ?o FILTER(isIRI(?o)) }"),
    ("contradicts", "SELECT ?s ?o WHERE { ?s cg:contradicts ?o }"),
    ("supports", "SELECT ?s ?o WHERE { ?s cg:supports ?o }"),
    ("entails", "SELECT ?s ?o WHERE { ?s cg:entails ?o }"),
    (
        "affiliated-with",
        "SELECT ?s ?o ?via WHERE { VALUES ?via { cg:affiliatedWith cg:memberOf cg:partOf cg:governmentOf "
        "cg:representativeOf } ?s ?via ?o }",
    ),
)


@collector_paused()  # every label, node and edge of the data read at once
def actor_graph(engine: Engine) -> nx.MultiDiGraph:
    """Actors, claims, propositions, source documents and cited sources, with typed edges.

    Nodes: ``kind`` (one of :data:`NODE_KINDS`), ``label``, ``curie``. Edges are keyed by their
    ``relation``; ``asserts`` and ``proposition`` edges carry the claim's ``stance`` (``affirms``…),
    ``asserts`` its ``claim_kind``, ``relayed-by`` the step's ``order`` and ``act``, and
    ``affiliated-with`` the property it was read from (``via``).

    :raises QueryError: if the engine fails on a query.
    :raises EndpointError: if a remote endpoint fails.
    """
    names = labels(engine)
    graph = nx.MultiDiGraph(name="actors")
    by_class = {iri: kind for kind, iri in NODE_KINDS.items()}
    kinds: dict[str, str] = {}
    for row in _rows(engine, _KINDS_QUERY, "node kinds"):
        kind = by_class[row["class"]]
        # A node in two classes takes the first kind listed in NODE_KINDS.
        if row["x"] not in kinds or list(NODE_KINDS).index(kind) < list(NODE_KINDS).index(kinds[row["x"]]):
            kinds[row["x"]] = kind
    for iri in sorted(kinds):
        if kinds[iri] in ("claim", "actor"):
            _add_node(graph, iri, kinds[iri], names)
    for relation, query in _ACTOR_EDGES:
        for row in _rows(engine, query, relation):
            source, target = row["s"], row["o"]
            if source not in kinds or target not in kinds:
                continue
            _add_node(graph, source, kinds[source], names)
            _add_node(graph, target, kinds[target], names)
            attributes: dict[str, str | int] = {"relation": relation}
            for name in ("stance", "claim_kind", "act", "via"):
                if name in row:
                    attributes[name] = concept_name(row[name])
            if "order" in row:
                attributes["order"] = int(row["order"])
            key = relation + "".join(f":{concept_name(row[n])}" for n in ("via",) if n in row)
            if "order" in row:
                key += f":{row['order']}"
            graph.add_edge(source, target, key=key, **attributes)
    return graph


# --- (b) the contradiction network ---------------------------------------------------------------------


def contradiction_graph(contradictions: Sequence[Contradiction]) -> nx.MultiGraph:
    """Actors joined by one edge per contradiction between their claims.

    Nodes: ``label``, ``curie``, ``kind`` (``actor``). Edges, keyed ``KIND:N`` (N counts from 1 in the
    order given): ``kind`` (the strongest), ``kinds`` (every kind that found the pair, joined by ``; ``),
    ``confidence``, ``claims`` and ``propositions`` (the two sides, joined by `` | ``),
    ``propositions_labels`` and ``reasons``. A reversal is a self-loop.
    """
    graph = nx.MultiGraph(name="contradictions")
    for number, contradiction in enumerate(contradictions, start=1):
        first, second = contradiction.sides
        for side in contradiction.sides:
            if side.claimant not in graph:
                graph.add_node(side.claimant, kind="actor", label=side.claimant_label, curie=curie(side.claimant))
        graph.add_edge(
            first.claimant,
            second.claimant,
            key=f"{contradiction.kind}:{number}",
            kind=contradiction.kind,
            claims=f"{first.claim} | {second.claim}",
            propositions=f"{first.proposition} | {second.proposition}",
            proposition_labels=f"{first.proposition_label} | {second.proposition_label}",
            stances=f"{first.stance} | {second.stance}",
            kinds="; ".join(contradiction.kinds),
            confidence=contradiction.confidence or "",
            reasons="; ".join(dict.fromkeys(r.text for r in contradiction.reasons)),
        )
    return graph


@dataclass(frozen=True)
class ActorCentrality:
    """An actor's place in the contradiction network.

    :ivar degree: contradictions the actor is party to (a reversal counts twice, as a loop).
    :ivar betweenness: normalised betweenness centrality in the simple graph of who contradicts whom.
    """

    actor: str
    label: str
    degree: int
    opponents: int
    betweenness: float


def actor_centrality(graph: nx.MultiGraph) -> list[ActorCentrality]:
    """Actors of a contradiction graph, most central first (degree, then betweenness, then label)."""
    simple = nx.Graph(graph)
    simple.remove_edges_from(list(nx.selfloop_edges(simple)))
    betweenness: dict[str, float] = nx.betweenness_centrality(simple, normalized=True)
    ranked = [
        ActorCentrality(
            actor=node,
            label=str(data.get("label", node)),
            degree=int(graph.degree(node)),
            opponents=int(simple.degree(node)),
            betweenness=round(betweenness.get(node, 0.0), 6),
        )
        for node, data in graph.nodes(data=True)
    ]
    return sorted(ranked, key=lambda a: (-a.degree, -a.betweenness, a.label, a.actor))


@dataclass(frozen=True)
class ContestedProposition:
    """A proposition and the number of contradictions it is a side of."""

    proposition: str
    label: str
    contradictions: int
    kinds: tuple[str, ...]


def most_contradicted(contradictions: Sequence[Contradiction]) -> list[ContestedProposition]:
    """Propositions by the number of contradictions they take part in (once per contradiction)."""
    counts: Counter[str] = Counter()
    kinds: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for contradiction in contradictions:
        for proposition in {s.proposition for s in contradiction.sides}:
            counts[proposition] += 1
            kinds.setdefault(proposition, set()).update(contradiction.kinds)
        for side in contradiction.sides:
            names[side.proposition] = side.proposition_label
    ranked = [ContestedProposition(p, names[p], n, tuple(sorted(kinds[p]))) for p, n in counts.items()]
    return sorted(ranked, key=lambda c: (-c.contradictions, c.label, c.proposition))


# --- (c) source lineage, origins and circular sourcing ----------------------------------------------------

_DOCUMENTS_QUERY = """SELECT DISTINCT ?x ?class WHERE {
  VALUES ?class { cg:SourceDocument cg:CitedSource cg:Document }
  ?c rdfs:subClassOf* ?class . ?x a ?c . FILTER(isIRI(?x))
}"""

_CITES_QUERY = "SELECT ?s ?o WHERE { ?s cg:cites ?o }"

_DERIVED_QUERY = """SELECT ?s ?o WHERE {
  ?s prov:wasDerivedFrom ?o .
  FILTER EXISTS { ?s a/rdfs:subClassOf* cg:Document }
  FILTER EXISTS { ?o a/rdfs:subClassOf* cg:Document }
}"""

_EVIDENCE_QUERY = """SELECT ?claim ?claimant ?proposition ?stance ?evidence ?document ?order ?via WHERE {
  ?claim cg:evidence ?evidence ; cg:proposition ?proposition ; cg:stance ?stance ; cg:claimant ?claimant .
  ?evidence cg:foundIn ?document .
  OPTIONAL { ?evidence cg:relay ?step . ?step cg:viaSource ?via ; cg:relayOrder ?order }
}"""


@dataclass(frozen=True)
class EvidencePath:
    """One piece of evidence: the document it was read in and its reports, nearest the claimant first."""

    claim: str
    claimant: str
    proposition: str
    stance: str
    evidence: str
    document: str
    reports: tuple[str, ...]

    @property
    def start(self) -> str:
        """Where its origin is looked for: the report nearest the claimant, else the document."""
        return self.reports[0] if self.reports else self.document


@dataclass(frozen=True)
class Cycle:
    """Circular sourcing: documents or reports that derive from one another in a circle.

    :ivar nodes: the circle, starting from its smallest IRI; each derives from the next, the last from
        the first.
    :ivar relations: the relation of each step (``cites``, ``relays``, ``derived-from``).
    """

    nodes: tuple[str, ...]
    relations: tuple[str, ...]


@dataclass
class Lineage:
    """The source-lineage graph and what it says about independence.

    :ivar graph: derivative → source, edges keyed and labelled by ``relation``, with ``evidence_count``.
    :ivar evidence: every claim's evidence paths.
    :ivar cycles: circular sourcing found, over every edge of the graph.
    """

    graph: nx.MultiDiGraph
    evidence: list[EvidencePath] = field(default_factory=list)
    cycles: list[Cycle] = field(default_factory=list)

    def origins(self, node: str) -> frozenset[str]:
        """The independent origins behind ``node``: the ends of its ``derived-from`` chains.

        An origin is named by its IRI; a circle of reports deriving from one another is one origin,
        named by its members joined with `` + `` in sorted order.
        """
        derived = nx.DiGraph()
        derived.add_node(node)
        derived.add_edges_from(
            (u, v) for u, v, relation in self.graph.edges(data="relation") if relation == "derived-from"
        )
        reachable = nx.descendants(derived, node) | {node}
        sub = derived.subgraph(reachable)
        condensed = nx.condensation(sub)
        ends = [n for n in condensed if condensed.out_degree(n) == 0]
        return frozenset(" + ".join(sorted(condensed.nodes[n]["members"])) for n in ends)


def lineage_graph(engine: Engine) -> Lineage:
    """Build the source-lineage graph, the evidence paths, and detect circular sourcing.

    :raises QueryError: if the engine fails on a query.
    :raises EndpointError: if a remote endpoint fails.
    """
    names = labels(engine)
    graph = nx.MultiDiGraph(name="lineage")
    classes: dict[str, str] = {}
    for row in _rows(engine, _DOCUMENTS_QUERY, "documents"):
        if row["class"] == CG.CitedSource or row["x"] not in classes:
            classes[row["x"]] = "cited-source" if row["class"] == CG.CitedSource else "document"
    counts: Counter[tuple[str, str, str]] = Counter()

    def node(iri: str) -> None:
        _add_node(graph, iri, classes.get(iri, "document"), names)

    for row in _rows(engine, _CITES_QUERY, "cites"):
        counts[row["s"], row["o"], "cites"] += 0
    for row in _rows(engine, _DERIVED_QUERY, "derived from"):
        counts[row["s"], row["o"], "derived-from"] += 0
    steps: dict[str, list[tuple[int, str]]] = {}
    facts: dict[str, tuple[str, str, str, str, str]] = {}
    for row in _rows(engine, _EVIDENCE_QUERY, "evidence paths"):
        facts[row["evidence"]] = (row["claim"], row["claimant"], row["proposition"], row["stance"], row["document"])
        chain = steps.setdefault(row["evidence"], [])
        if "via" in row:
            chain.append((int(row["order"]), row["via"]))
    evidence: list[EvidencePath] = []
    for iri in sorted(facts):
        claim, claimant, proposition, stance, document = facts[iri]
        reports: tuple[str, ...] = tuple(dict.fromkeys(via for _, via in sorted(set(steps[iri]))))
        evidence.append(EvidencePath(claim, claimant, proposition, concept_name(stance), iri, document, reports))
        node(document)
        lineage_chain = [document, *reversed(reports)]
        for derivative, source in itertools.pairwise(lineage_chain):
            if derivative != source:
                counts[derivative, source, "relays"] += 1
    for (source, target, relation), count in sorted(counts.items()):
        node(source)
        node(target)
        graph.add_edge(source, target, key=relation, relation=relation, evidence_count=count)
    return Lineage(graph=graph, evidence=evidence, cycles=find_cycles(graph))


def find_cycles(graph: nx.MultiDiGraph) -> list[Cycle]:
    """Every elementary circle in the lineage graph (any relation), smallest IRI first, sorted."""
    relations: dict[tuple[str, str], set[str]] = {}
    for u, v, relation in graph.edges(data="relation"):
        relations.setdefault((u, v), set()).add(str(relation))
    simple = nx.DiGraph(list(relations))
    found: list[Cycle] = []
    for cycle in nx.simple_cycles(simple):
        turn = cycle.index(min(cycle))
        nodes = tuple(cycle[turn:] + cycle[:turn])
        steps = zip(nodes, (*nodes[1:], nodes[0]), strict=True)
        found.append(Cycle(nodes, tuple("/".join(sorted(relations[step])) for step in steps)))
    return sorted(found, key=lambda c: (len(c.nodes), c.nodes))


@dataclass(frozen=True)
class Corroboration:
    """How many independent origins stand behind a proposition asserted with a stance."""

    proposition: str
    stance: str
    claims: tuple[str, ...]
    claimants: tuple[str, ...]
    origins: tuple[str, ...]


def corroboration(lineage: Lineage) -> list[Corroboration]:
    """Independent origins per proposition and stance, most corroborated first."""
    groups: dict[tuple[str, str], list[EvidencePath]] = {}
    for path in lineage.evidence:
        groups.setdefault((path.proposition, path.stance), []).append(path)
    found = []
    for (proposition, stance), paths in groups.items():
        origins: set[str] = set()
        for path in paths:
            origins |= lineage.origins(path.start)
        found.append(
            Corroboration(
                proposition,
                stance,
                tuple(sorted({p.claim for p in paths})),
                tuple(sorted({p.claimant for p in paths})),
                tuple(sorted(origins)),
            )
        )
    return sorted(found, key=lambda c: (-len(c.origins), c.proposition, c.stance))


def single_origin_claims(lineage: Lineage) -> list[tuple[str, str]]:
    """Claims whose proposition, with their stance, rests on one independent origin: ``(claim, origin)``."""
    return sorted((claim, c.origins[0]) for c in corroboration(lineage) if len(c.origins) == 1 for claim in c.claims)


# --- Output -----------------------------------------------------------------------------------------------


def write_graph(graph: nx.Graph[Any], fmt: str) -> bytes:
    """``graph`` as GraphML, GEXF 1.2 or node-link JSON (``edges`` key), ready to write to a file.

    :raises ValueError: for an unknown format.
    """
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(graph, buffer, encoding="utf-8", prettyprint=True)
    elif fmt == "gexf":
        # GEXF edge ids are unique and carry the key ("SOURCE TARGET KEY": IRIs hold no spaces); the
        # reader drops multigraph keys when no two edges share their ends.
        keyed = graph.copy()
        if keyed.is_multigraph():
            for u, v, key, data in keyed.edges(keys=True, data=True):
                data["id"] = f"{u} {v} {key}"
        nx.write_gexf(keyed, buffer, encoding="utf-8", prettyprint=True, version="1.2draft")
    elif fmt == "json":
        data = nx.node_link_data(graph, edges="edges")
        buffer.write((json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
    else:
        raise ValueError(f"unknown graph format {fmt!r} (known: {', '.join(GRAPH_FORMATS)})")
    return buffer.getvalue()


def read_graph(path: Path, fmt: str) -> nx.Graph[Any]:
    """Read back a file :func:`write_graph` wrote (for tests and round trips)."""
    if fmt == "graphml":
        return nx.read_graphml(path, force_multigraph=True)
    if fmt == "gexf":
        return _multigraph(nx.read_gexf(path, version="1.2draft"))
    if fmt == "json":
        return nx.node_link_graph(json.loads(path.read_text("utf-8")), edges="edges")
    raise ValueError(f"unknown graph format {fmt!r} (known: {', '.join(GRAPH_FORMATS)})")


def _multigraph(graph: nx.Graph[Any]) -> nx.Graph[Any]:
    """A GEXF graph as the multigraph :func:`write_graph` wrote: the reader returns a simple graph when
    no two edges share their ends; the key is in the edge's GEXF id, which it returns as ``id``."""
    result: nx.Graph[Any] = nx.MultiDiGraph() if graph.is_directed() else nx.MultiGraph()
    result.graph.update(graph.graph)
    result.add_nodes_from(graph.nodes(data=True))
    edges = graph.edges(keys=True, data=True) if graph.is_multigraph() else graph.edges(data=True)
    for edge in edges:
        u, v, data = edge[0], edge[1], dict(edge[-1])
        edge_id = str(data.pop("id", ""))
        key = edge_id.removeprefix(f"{u} {v} ") if edge_id.startswith(f"{u} {v} ") else None
        if key is None and not graph.is_directed() and edge_id.startswith(f"{v} {u} "):
            key = edge_id.removeprefix(f"{v} {u} ")
        result.add_edge(u, v, key=key, **data)
    return result


def _label(graph: nx.Graph[Any], node: str) -> str:
    return str(graph.nodes[node].get("label", node)) if node in graph else curie(node)


def summary_actors(graph: nx.MultiDiGraph) -> str:
    """Text summary of the actor graph: nodes and edges by kind, actors by claims made."""
    kinds = Counter(str(k) for _, k in graph.nodes(data="kind"))
    relations = Counter(str(r) for _, _, r in graph.edges(data="relation"))
    lines = [f"Actor graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges"]
    lines.append("  nodes: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    lines.append("  edges: " + ", ".join(f"{k} {n}" for k, n in sorted(relations.items())))
    claims = Counter(u for u, _, r in graph.edges(data="relation") if r == "asserts")
    lines.append("")
    lines.append("Actors by claims made:")
    for actor, n in sorted(claims.items(), key=lambda item: (-item[1], _label(graph, item[0]))):
        lines.append(f"  {n:3d}  {_label(graph, actor)} ({curie(actor)})")
    return "\n".join(lines) + "\n"


def summary_contradictions(graph: nx.MultiGraph, contradictions: Sequence[Contradiction]) -> str:
    """Text summary of the contradiction network: edges, actor centrality, most-contradicted propositions."""
    kinds = Counter(str(k) for _, _, k in graph.edges(data="kind"))
    lines = [
        f"Contradiction network: {graph.number_of_nodes()} actors, {graph.number_of_edges()} contradictions"
        + (" (" + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) + ")" if kinds else "")
    ]
    for u, v, kind in graph.edges(data="kind"):
        lines.append(f"  {_label(graph, u)} — {_label(graph, v)}: {kind}")
    lines += ["", "Actors by contradictions (degree), then betweenness:"]
    for a in actor_centrality(graph):
        lines.append(f"  {a.degree:3d}  {a.betweenness:.3f}  {a.label} ({curie(a.actor)})")
    lines += ["", "Most-contradicted propositions:"]
    for p in most_contradicted(contradictions):
        lines.append(f"  {p.contradictions:3d}  {p.label} ({curie(p.proposition)}; {', '.join(p.kinds)})")
    return "\n".join(lines) + "\n"


def summary_lineage(lineage: Lineage) -> str:
    """Text summary of the lineage graph: circular sourcing, independent origins, single-origin claims."""
    graph = lineage.graph
    relations = Counter(str(r) for _, _, r in graph.edges(data="relation"))
    lines = [f"Source lineage: {graph.number_of_nodes()} documents and reports, {graph.number_of_edges()} edges"]
    if relations:
        lines.append("  edges: " + ", ".join(f"{k} {n}" for k, n in sorted(relations.items())))
    for u, v, relation in graph.edges(data="relation"):
        lines.append(f"  {curie(u)} —{relation}→ {curie(v)}")
    lines.append("")
    if lineage.cycles:
        lines.append(f"Circular sourcing: {len(lineage.cycles)} circle{'s' if len(lineage.cycles) != 1 else ''}")
        for cycle in lineage.cycles:
            steps = [f"{curie(n)} —{r}→" for n, r in zip(cycle.nodes, cycle.relations, strict=True)]
            lines.append("  " + " ".join(steps) + f" {curie(cycle.nodes[0])}")
    else:
        lines.append("Circular sourcing: none")
    lines += ["", "Independent origins per proposition and stance:"]
    for c in corroboration(lineage):
        origins = "; ".join(_origin_label(lineage.graph, o) for o in c.origins)
        lines.append(f"  {len(c.origins):3d}  {curie(c.proposition)} ({c.stance}; {len(c.claims)} claims): {origins}")
    single = single_origin_claims(lineage)
    lines += ["", f"Claims resting on a single origin: {len(single)}"]
    for claim, origin in single:
        lines.append(f"  {curie(claim)} ← {_origin_label(lineage.graph, origin)}")
    return "\n".join(lines) + "\n"


def _origin_label(graph: nx.Graph[Any], origin: str) -> str:
    return " + ".join(curie(part) for part in origin.split(" + "))


def build_view(engine: Engine, view: str, queries_directory: Path) -> tuple[nx.Graph[Any], str]:
    """The graph of ``view`` (one of :data:`VIEWS`) and its text summary.

    :raises ValueError: for an unknown view.
    """
    if view == "actors":
        graph = actor_graph(engine)
        return graph, summary_actors(graph)
    if view == "contradictions":
        from claimgraph.queries.contradictions import find_contradictions

        found = find_contradictions(engine, queries_directory)
        network = contradiction_graph(found)
        return network, summary_contradictions(network, found)
    if view == "lineage":
        lineage = lineage_graph(engine)
        return lineage.graph, summary_lineage(lineage)
    raise ValueError(f"unknown view {view!r} (known: {', '.join(VIEWS)})")


def iter_nodes(graph: nx.Graph[Any], kind: str) -> Iterable[str]:
    """Nodes of ``graph`` whose ``kind`` is ``kind``, sorted."""
    return sorted(n for n, k in graph.nodes(data="kind") if k == kind)
