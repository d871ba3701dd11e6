"""Geometry of the report's pictures, from networkx layouts; the templates draw it as inline SVG.

- :func:`network_picture`: a force-directed picture of a graph (``networkx.spring_layout``, seeded, so
  a build is reproducible), nodes sized by degree, edges told apart by colour *and* dash pattern, so
  the picture reads without colour too.
- :func:`provenance_picture`: a claim's provenance chain as a layered diagram (claimant → each relay
  step with its act → cited source → archived document), one layer per step of the chain, laid out by
  ``networkx.multipartite_layout``; each node has a shape and a written role as well as a label.
- :func:`timeline_picture`: dated claims on an axis.

Only numbers and strings come out of here: escaping is the templates' business (autoescape).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import textwrap
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

from claimgraph.namespaces import curie

if TYPE_CHECKING:
    from claimgraph.queries.explain import EvidenceTrail, Side

__all__ = [
    "ROLES",
    "STYLES",
    "ChainEdge",
    "ChainNode",
    "EdgeStyle",
    "NetworkPicture",
    "PictureEdge",
    "PictureNode",
    "ProvenancePicture",
    "Timeline",
    "TimelineMark",
    "network_picture",
    "provenance_picture",
    "spring_positions",
    "timeline_picture",
]


@dataclass(frozen=True)
class EdgeStyle:
    """How one kind of edge is drawn: a colour and a dash pattern (empty: solid), told apart by both."""

    colour: str
    dash: str


#: Edge styles in the order kinds are met: colour-blind-safe colours (Okabe-Ito) with distinct dashes.
STYLES = (
    EdgeStyle("#b03a2e", ""),
    EdgeStyle("#0b5394", "8 4"),
    EdgeStyle("#6c3483", "2 3"),
    EdgeStyle("#8a5a00", "10 3 2 3"),
    EdgeStyle("#0e6655", "4 4"),
    EdgeStyle("#424949", "12 4 2 4 2 4"),
    EdgeStyle("#7e5109", "1 5"),
)


@dataclass(frozen=True)
class PictureNode:
    key: str
    x: float
    y: float
    radius: float
    label: str
    short: str
    title: str
    href: str | None


@dataclass(frozen=True)
class PictureEdge:
    path: str
    value: str
    style: int
    title: str
    directed: bool


@dataclass(frozen=True)
class NetworkPicture:
    """A laid-out graph: nodes, edges (as SVG path data) and the legend (value → style index); ``key``
    tells apart the ids of two pictures in one page."""

    key: str
    title: str
    width: int
    height: int
    nodes: list[PictureNode]
    edges: list[PictureEdge]
    legend: list[tuple[str, EdgeStyle, int]]

    @property
    def styles(self) -> tuple[EdgeStyle, ...]:
        return STYLES


def spring_positions(graph: nx.Graph[Any], *, seed: int = 7, columns: int = 3) -> dict[Any, tuple[float, float]]:
    """Positions in the unit square: networkx's Fruchterman-Reingold layout (fixed seed, nodes in sorted
    order, so the same graph gives the same picture on every build) of each connected part, the parts
    packed in a grid of at most ``columns`` columns, largest first (one layout of them all pushes the parts
    to the corners and piles each part's nodes together)."""
    simple: nx.Graph[Any] = nx.Graph()
    simple.add_nodes_from(sorted(graph.nodes, key=str))
    simple.add_edges_from((u, v) for u, v in graph.edges() if u != v)
    parts = sorted(
        (sorted(part, key=str) for part in nx.connected_components(simple)), key=lambda p: (-len(p), str(p[0]))
    )
    if not parts:
        return {}
    columns = min(columns, len(parts))
    rows = math.ceil(len(parts) / columns)
    positions: dict[Any, tuple[float, float]] = {}
    for index, part in enumerate(parts):
        row, column = divmod(index, columns)
        if len(part) == 1:
            local = {part[0]: (0.0, 0.0)}
        else:
            # A graph of its own, nodes in sorted order: a subgraph view iterates its nodes as a set,
            # in an order that changes with the hash seed.
            alone: nx.Graph[Any] = nx.Graph()
            alone.add_nodes_from(part)
            alone.add_edges_from(sorted(simple.subgraph(part).edges(), key=lambda e: (str(e[0]), str(e[1]))))
            laid = nx.spring_layout(alone, seed=seed, iterations=200)
            local = {n: (float(p[0]), float(p[1])) for n, p in laid.items()}
        for node, (x, y) in local.items():  # spring_layout scales to [-1, 1]; a cell keeps a margin
            positions[node] = ((column + 0.5 + 0.4 * x) / columns, (row + 0.5 + 0.4 * y) / rows)
    return positions


def network_picture(
    graph: nx.Graph[Any],
    *,
    edge_attribute: str,
    href: Mapping[str, str],
    title: str,
    narrow: bool = False,
) -> NetworkPicture:
    """``graph`` laid out for a picture: parallel edges bow apart, directed edges stop at the target's rim,
    every node and edge with a tooltip text, nodes linked to ``href[node]`` where given.

    :param narrow: for a phone: 400 units wide, the connected parts one under another (a wide picture
        shrunk to a phone's width would shrink its labels to a few pixels).
    """
    nodes_count = max(graph.number_of_nodes(), 1)
    if narrow:
        width = 400
        parts = max(nx.number_connected_components(nx.Graph(graph)), 1) if graph.number_of_nodes() else 1
        height = 60 + 240 * parts
        positions = spring_positions(graph, columns=1)
    else:
        width = 900
        height = max(360, min(620, 90 * math.ceil(math.sqrt(nodes_count)) + 160))
        positions = spring_positions(graph)
    margin = 70

    def at(node: Any) -> tuple[float, float]:
        # Wide side margins: labels (up to 34 characters) are centred under their node.
        x, y = positions[node]
        return (1.7 * margin + x * (width - 3.4 * margin), margin / 2 + y * (height - margin))

    values = sorted({str(v) for *_, v in graph.edges(data=edge_attribute, default="")})
    style = {v: i % len(STYLES) for i, v in enumerate(values)}
    seen: dict[frozenset[Any], int] = defaultdict(int)
    edges: list[PictureEdge] = []
    data_edges = graph.edges(data=True, keys=True) if graph.is_multigraph() else graph.edges(data=True)
    for edge in data_edges:
        u, v, data = edge[0], edge[1], edge[-1]
        value = str(data.get(edge_attribute, ""))
        (x1, y1), (x2, y2) = at(u), at(v)
        pair = frozenset((u, v))
        index = seen[pair]
        seen[pair] += 1
        if u == v:
            path = f"M{x1:.1f},{y1:.1f} c -40,-50 40,-50 0,0"
        else:
            bend = index * 22.0 * (1 if index % 2 == 0 else -1)
            mx, my = (x1 + x2) / 2, (y1 + y2) / 2
            length = math.hypot(x2 - x1, y2 - y1) or 1.0
            cx, cy = mx - (y2 - y1) / length * bend, my + (x2 - x1) / length * bend
            if graph.is_directed():  # stop at the target's rim
                rim = math.hypot(x2 - cx, y2 - cy) or 1.0
                x2, y2 = x2 - (x2 - cx) / rim * 9, y2 - (y2 - cy) / rim * 9
            path = f"M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}"
        label_u, label_v = graph.nodes[u].get("label", u), graph.nodes[v].get("label", v)
        edges.append(PictureEdge(path, value, style[value], f"{label_u} → {label_v}: {value}", graph.is_directed()))
    nodes = []
    for node, data in sorted(graph.nodes(data=True), key=lambda item: str(item[0])):
        x, y = at(node)
        label = str(data.get("label", node))
        nodes.append(
            PictureNode(
                key=str(node),
                x=x,
                y=y,
                radius=6 + 2.5 * math.sqrt(graph.degree(node)),
                label=label,
                short=label if len(label) <= 34 else label[:33] + "…",
                title=f"{label} ({curie(str(node))})",
                href=href.get(str(node)),
            )
        )
    legend = [(v, STYLES[style[v]], style[v]) for v in values]
    key = ("narrow-" if narrow else "wide-") + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40]
    return NetworkPicture(key, title, width, height, nodes, edges, legend)


# --- Provenance chains -----------------------------------------------------------------------------------

#: Roles of the nodes of a provenance chain, as written in the diagram.
ROLES = {
    "claimant": "Claimant",
    "relay": "Relay",
    "source": "Cited source",
    "document": "Archived document",
}

_BOX_WIDTH = 300
_COLUMN = 320
_ROW = 104
_WRAP = 34


@dataclass(frozen=True)
class ChainNode:
    """A box of a provenance diagram: its role (shape and written tag), its text lines and its link."""

    key: str
    role: str
    tag: str
    lines: tuple[str, ...]
    x: float
    y: float
    width: float
    height: float
    href: str | None
    title: str


@dataclass(frozen=True)
class ChainEdge:
    x1: float
    y1: float
    x2: float
    y2: float
    label: str
    title: str


@dataclass(frozen=True)
class ProvenancePicture:
    """A claim's provenance chains as one layered diagram (layers top to bottom)."""

    title: str
    description: str
    width: int
    height: int
    nodes: list[ChainNode]
    edges: list[ChainEdge] = field(default_factory=list)


def _chain_graph(side: Side) -> nx.DiGraph:
    """The chain of each evidence trail as a graph: nodes keyed by (layer, IRI), so a document or an
    agent met at the same step of two trails is one box, and the claimant is shared by every trail."""
    graph = nx.DiGraph()

    def node(layer: int, iri: str, role: str, tag: str, label: str) -> tuple[int, str]:
        key = (layer, iri)
        if key not in graph:
            graph.add_node(key, layer=layer, iri=iri, role=role, tag=tag, label=label)
        return key

    for trail in side.evidence:
        previous = node(0, side.claimant, "claimant", ROLES["claimant"], side.claimant_label)
        layer = 0
        for step in sorted(trail.relay, key=lambda s: s.order):
            layer += 1
            act = (step.act or "passed on").replace("-", " ")
            here = node(layer, step.agent, "relay", f"{ROLES['relay']} {step.order}", step.agent_label)
            graph.add_edge(previous, here, label=act)
            previous = here
            if step.via:
                layer += 1
                source = node(layer, step.via, "source", ROLES["source"], step.via_label or curie(step.via))
                graph.add_edge(previous, source, label="in")
                previous = source
        layer += 1
        document = node(layer, trail.document, "document", ROLES["document"], trail.document_label)
        graph.add_edge(previous, document, label="read in" if layer == 1 else "cited in")
    return graph


def _trail_words(side: Side, trail: EvidenceTrail) -> str:
    """One evidence trail in words, claimant first: what the diagram's description reads out."""
    words = [f"claimant {side.claimant_label}"]
    for step in sorted(trail.relay, key=lambda s: s.order):
        words.append(f"{(step.act or 'passed on by').replace('-', ' ')} {step.agent_label}")
        if step.via:
            words.append(f"in cited source {step.via_label or curie(step.via)}")
    words.append(f"read in archived document {trail.document_label}")
    return " → ".join(words)


def provenance_picture(side: Side, href: Callable[[str], str | None]) -> ProvenancePicture:
    """The provenance diagram of the claim ``side`` explains; a box links to ``href(iri)`` unless ``None``."""
    graph = _chain_graph(side)
    # Layers as lists in the order the trails were met: networkx groups a node attribute into sets,
    # whose order varies with the hash seed, and a build must not.
    by_layer: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for key in graph:
        by_layer[key[0]].append(key)
    positions = nx.multipartite_layout(graph, subset_key=dict(by_layer), align="horizontal") if len(graph) > 1 else {}
    columns: dict[tuple[int, str], int] = {}
    for layer in sorted({k[0] for k in graph}):
        members = sorted((k for k in graph if k[0] == layer), key=lambda k: float(positions[k][0]) if positions else 0)
        for index, key in enumerate(members):
            columns[key] = index
    width_columns = max(columns.values(), default=0) + 1
    width = _COLUMN * width_columns
    layers = max((k[0] for k in graph), default=0) + 1
    nodes: list[ChainNode] = []
    boxes: dict[tuple[int, str], ChainNode] = {}
    for key, data in sorted(graph.nodes(data=True)):
        lines = tuple(textwrap.wrap(data["label"], _WRAP, max_lines=3, placeholder=" …")) or ("",)
        height = 30 + 17 * len(lines)
        box = ChainNode(
            key=f"{key[0]}-{data['iri']}",
            role=data["role"],
            tag=data["tag"].upper(),
            lines=lines,
            x=(_COLUMN - _BOX_WIDTH) / 2 + columns[key] * _COLUMN,
            y=10 + key[0] * _ROW,
            width=_BOX_WIDTH,
            height=height,
            href=href(data["iri"]),
            title=f"{data['tag']}: {data['label']} ({curie(data['iri'])})",
        )
        nodes.append(box)
        boxes[key] = box
    edges = []
    for u, v, label in graph.edges(data="label"):
        a, b = boxes[u], boxes[v]
        edges.append(
            ChainEdge(
                x1=a.x + a.width / 2,
                y1=a.y + a.height,
                x2=b.x + b.width / 2,
                y2=b.y - 3,
                label=label,
                title=f"{graph.nodes[u]['label']} → {label} → {graph.nodes[v]['label']}",
            )
        )
    read = sorted({t.document_label for t in side.evidence})
    documents = "; ".join(read) if len(read) < 3 else f"{len(read)} archived documents"
    steps = "; ".join(_trail_words(side, trail) for trail in side.evidence)
    return ProvenancePicture(
        title=f"How the claim reached us: from {side.claimant_label} to {documents}",
        description=steps,
        width=width,
        height=10 + layers * _ROW,
        nodes=nodes,
        edges=edges,
    )


# --- Timeline --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineMark:
    x: float
    date: str
    claims: tuple[str, ...]


@dataclass(frozen=True)
class Timeline:
    """Dated claims on an axis: marks at their dates (several claims of a date share one), the axis's
    first and last date; ``undated`` counts the claims whose date the text does not give."""

    width: int
    marks: list[TimelineMark]
    start: str
    end: str
    undated: int


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        try:
            return dt.date(int(text[:4]), 1, 1) if text[:4].isdigit() else None
        except ValueError:
            return None


def timeline_picture(sides: Sequence[Side], *, width: int = 900) -> Timeline:
    """The claims of ``sides`` that state a date (``dcterms:date``), placed on a linear time axis."""
    by_date: dict[str, list[str]] = defaultdict(list)
    undated = 0
    for side in sides:
        if side.date and _parse_date(side.date) is not None:
            by_date[side.date].append(side.claim)
        else:
            undated += 1
    if not by_date:
        return Timeline(width, [], "", "", undated)
    dates = {d: _parse_date(d) for d in by_date}
    first = min(d for d in dates.values() if d is not None)
    last = max(d for d in dates.values() if d is not None)
    span = (last - first).days or 1
    marks = [
        TimelineMark(
            x=40 + (width - 80) * (((day - first).days / span) if last != first else 0.5),
            date=text,
            claims=tuple(sorted(by_date[text])),
        )
        for text, day in sorted(dates.items(), key=lambda item: (item[1], item[0]))
        if day is not None
    ]
    return Timeline(width, marks, first.isoformat(), last.isoformat(), undated)
