"""A static HTML site about a dataset: ``claimgraph report -o DIR``.

Pages: an overview (what was validated, counts, the verdict), the contradictions with both sides and how
each reached us, the network pictures and measures, one page per actor and per source document (the
archived text with every claim's anchor highlighted), and documentation of the ontology and the shapes
generated from the dataset's own graphs by SPARQL (pyLODE is not used: it is not installed, and a page
built from the same store needs no network and no second parser).

Everything is plain HTML and CSS written with :func:`html.escape`, no script at all, no external
resource: the site works from ``file://``. The pictures are inline SVG drawn here from networkx layouts
with a fixed seed, so a build is reproducible. The site is built in a temporary directory beside the
target and renamed into place, so a reader never sees half a site.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import pyoxigraph as ox

from claimgraph.errors import OutputError
from claimgraph.namespaces import CG, CGSH, ONTOLOGY_GRAPH, OWL, RDF, RDFS, SH, SHAPES_GRAPH, curie, sparql_prefixes
from claimgraph.site.network import (
    Lineage,
    actor_centrality,
    actor_graph,
    contradiction_graph,
    corroboration,
    labels,
    lineage_graph,
    most_contradicted,
    single_origin_claims,
)

if TYPE_CHECKING:
    from claimgraph.io.dataset import Dataset
    from claimgraph.queries.contradictions import Contradiction
    from claimgraph.queries.explain import Side
    from claimgraph.sparql.engines import Engine
    from claimgraph.validation.api import ValidationReport

#: The file that marks a directory as a report this module wrote (and may therefore replace).
MARKER = ".claimgraph-report"

#: Colours of contradiction kinds and lineage relations in the pictures.
PALETTE = ("#c0392b", "#2471a3", "#7d3c98", "#d68910", "#138d75", "#566573", "#a04000")

_CSS = """
:root { --ink: #1c2833; --muted: #5d6d7e; --line: #d5d8dc; --accent: #2471a3; --mark: #fdebd0; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, sans-serif; color: var(--ink); margin: 0; background: #fbfcfc; }
header { background: var(--ink); color: #fff; padding: .6rem 1.5rem; }
header a { color: #fff; margin-right: 1.2rem; text-decoration: none; }
header a.brand { font-weight: 700; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f2f3f4; }
.verdict { padding: .8rem 1rem; border-radius: 6px; font-weight: 600; }
.verdict.pass { background: #d4efdf; } .verdict.warn { background: #fcf3cf; } .verdict.fail { background: #fadbd8; }
.cards { display: flex; flex-wrap: wrap; gap: .8rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .6rem 1rem; min-width: 9rem; }
.card b { display: block; font-size: 1.5rem; }
.contradiction { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 1rem 0;
  padding: .5rem 1rem; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.side { border-left: 4px solid var(--accent); padding-left: .8rem; }
.side.b { border-color: #c0392b; }
.stance { font-variant: small-caps; font-weight: 700; }
.muted, .iri { color: var(--muted); font-size: .85rem; }
.chain { font-size: .9rem; }
blockquote { margin: .3rem 0; padding-left: .7rem; border-left: 3px solid var(--line); font-style: italic; }
.article { white-space: pre-wrap; background: #fff; border: 1px solid var(--line); padding: 1rem;
  font-family: Georgia, serif; }
mark { background: var(--mark); border-bottom: 2px solid #d68910; }
mark.overlap { background: #f5cba7; }
figure { margin: 1rem 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
figcaption { padding: .4rem 1rem; color: var(--muted); font-size: .9rem; }
svg text { font: 11px system-ui, sans-serif; fill: var(--ink); }
.legend span { display: inline-block; margin-right: 1rem; font-size: .85rem; }
.legend i { display: inline-block; width: 1.4rem; height: .25rem; vertical-align: middle; margin-right: .3rem; }
pre { background: #f4f6f6; padding: .5rem; overflow-x: auto; font-size: .8rem; }
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def slug(iri: str) -> str:
    """A file name for ``iri``: its last segment, lower-case, safe, with a short hash for uniqueness."""
    tail = re.split(r"[/#]", iri.rstrip("/#"))[-1] or "node"
    clean = re.sub(r"[^a-z0-9-]+", "-", tail.lower()).strip("-")[:60] or "node"
    return f"{clean}-{hashlib.sha256(iri.encode('utf-8')).hexdigest()[:6]}"


# --- Collected facts -------------------------------------------------------------------------------------


@dataclass
class Anchor:
    """Where a claim's evidence sits in an archived text (code points, end exclusive)."""

    claim: str
    evidence: str
    document: str
    start: int
    end: int

    @property
    def element_id(self) -> str:
        return "anchor-" + slug(self.evidence)


@dataclass
class Site:
    """What the pages are made of."""

    report: ValidationReport
    names: dict[str, str]
    contradictions: list[Contradiction]
    sides: dict[str, Side]
    actors: nx.MultiDiGraph
    lineage: Lineage
    documents: dict[str, dict[str, Any]]
    anchors: list[Anchor]
    texts: dict[str, str]
    validated: list[str] = field(default_factory=list)

    def name(self, iri: str) -> str:
        return self.names.get(iri, curie(iri))


def _rows(engine: Engine, query: str, name: str) -> list[dict[str, str]]:
    answer = engine.select(sparql_prefixes() + query, name=name)
    return [{k: (str(v) if isinstance(v, ox.Triple) else v.value) for k, v in r.items()} for r in answer.dicts()]


def collect(dataset: Dataset, engine: Engine, queries_directory: Path, report: ValidationReport) -> Site:
    """Gather everything the pages show, by SPARQL through ``engine`` (and the validation report)."""
    from claimgraph.queries.contradictions import find_contradictions
    from claimgraph.queries.explain import explain_claims

    names = labels(engine)
    found = find_contradictions(engine, queries_directory)
    claim_rows = _rows(engine, "SELECT DISTINCT ?claim WHERE { ?claim cg:claimant ?x }", "claims")
    claims = sorted(r["claim"] for r in claim_rows)
    sides = explain_claims(engine, claims)
    documents: dict[str, dict[str, Any]] = {}
    doc_query = """SELECT ?doc ?class ?p ?o WHERE {
      VALUES ?class { cg:SourceDocument cg:CitedSource }
      ?c rdfs:subClassOf* ?class . ?doc a ?c .
      OPTIONAL { VALUES ?p { dcterms:title dcterms:publisher dcterms:date cg:notStated cg:cites cg:sha256
                             cg:charLength cg:archivePath rdfs:comment } ?doc ?p ?o }
    }"""
    for row in _rows(engine, doc_query, "documents"):
        entry = documents.setdefault(row["doc"], {"kind": "cited-source", "props": defaultdict(list)})
        if row["class"] == CG.SourceDocument:
            entry["kind"] = "document"
        if "p" in row and row["o"] not in entry["props"][row["p"]]:
            entry["props"][row["p"]].append(row["o"])
    texts = {r["doc"]: r["text"] for r in _rows(engine, "SELECT ?doc ?text WHERE { ?doc cg:text ?text }", "texts")}
    anchor_query = """SELECT ?claim ?evidence ?doc ?start ?end WHERE {
      ?claim cg:evidence ?evidence . ?evidence cg:foundIn ?doc ; cg:anchor/oa:hasSelector ?s .
      ?s oa:start ?start ; oa:end ?end .
    }"""
    anchors = []
    for row in _rows(engine, anchor_query, "anchors"):
        try:
            anchors.append(Anchor(row["claim"], row["evidence"], row["doc"], int(row["start"]), int(row["end"])))
        except ValueError:
            continue
    return Site(
        report=report,
        names=names,
        contradictions=found,
        sides=sides,
        actors=actor_graph(engine),
        lineage=lineage_graph(engine),
        documents=documents,
        anchors=sorted(anchors, key=lambda a: (a.document, a.start, a.end, a.evidence)),
        texts=texts,
        validated=[str(p) for p in dataset.files],
    )


# --- Pictures --------------------------------------------------------------------------------------------


def spring_positions(graph: nx.Graph[Any], *, seed: int = 7, iterations: int = 300) -> dict[Any, tuple[float, float]]:
    """A Fruchterman-Reingold force-directed layout, in pure Python (networkx's own needs numpy).

    Deterministic for a given ``seed``: nodes start at seeded random points (in sorted order) and the
    temperature cools linearly. Disconnected parts are held together by a weak pull to the centre.
    """
    import random

    nodes = sorted(graph.nodes, key=str)
    if not nodes:
        return {}
    rng = random.Random(seed)
    pos = {n: [rng.random(), rng.random()] for n in nodes}
    k = math.sqrt(1.0 / len(nodes))
    edges = [(u, v) for u, v in graph.edges() if u != v]
    temperature = 0.1
    for step in range(iterations):
        shift = {n: [0.0, 0.0] for n in nodes}
        for i, u in enumerate(nodes):
            for v in nodes[i + 1 :]:
                dx, dy = pos[u][0] - pos[v][0], pos[u][1] - pos[v][1]
                distance = max(math.hypot(dx, dy), 1e-4)
                force = k * k / distance
                shift[u][0] += dx / distance * force
                shift[u][1] += dy / distance * force
                shift[v][0] -= dx / distance * force
                shift[v][1] -= dy / distance * force
        for u, v in edges:
            dx, dy = pos[u][0] - pos[v][0], pos[u][1] - pos[v][1]
            distance = max(math.hypot(dx, dy), 1e-4)
            force = distance * distance / k
            shift[u][0] -= dx / distance * force
            shift[u][1] -= dy / distance * force
            shift[v][0] += dx / distance * force
            shift[v][1] += dy / distance * force
        for n in nodes:
            shift[n][0] += (0.5 - pos[n][0]) * k * 0.5
            shift[n][1] += (0.5 - pos[n][1]) * k * 0.5
            length = max(math.hypot(*shift[n]), 1e-9)
            limit = min(length, temperature)
            pos[n][0] += shift[n][0] / length * limit
            pos[n][1] += shift[n][1] / length * limit
        temperature = 0.1 * (1 - (step + 1) / (iterations + 1))
    return {n: (p[0], p[1]) for n, p in pos.items()}


def svg_network(
    graph: nx.Graph[Any],
    *,
    edge_attribute: str,
    href: dict[str, str],
    width: int = 900,
    height: int = 520,
    title: str = "",
) -> str:
    """An inline SVG of ``graph``: spring layout (seed 7), nodes sized by degree, edges coloured by
    ``edge_attribute`` (parallel edges bow apart), every node and edge with a ``<title>`` tooltip and
    nodes linked to ``href[node]`` where given."""
    if graph.number_of_nodes() == 0:
        return '<p class="muted">Nothing to draw.</p>'
    positions = spring_positions(nx.Graph(graph), seed=7)
    margin = 70
    xs = [float(p[0]) for p in positions.values()]
    ys = [float(p[1]) for p in positions.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0

    def at(node: Any) -> tuple[float, float]:
        # Wide side margins: labels are centred under their node and may be 34 characters long.
        x, y = positions[node]
        return (
            2 * margin + (float(x) - min(xs)) / span_x * (width - 4 * margin),
            margin / 2 + (float(y) - min(ys)) / span_y * (height - margin),
        )

    values = sorted({str(v) for *_, v in graph.edges(data=edge_attribute, default="")})
    colours = {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(values)}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{_e(title)}">',
        "<defs>",
        *(
            f'<marker id="arrow-{i}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colours[v]}"/></marker>'
            for i, v in enumerate(values)
        ),
        "</defs>",
    ]
    seen: dict[frozenset[Any], int] = defaultdict(int)
    edges = graph.edges(data=True, keys=True) if graph.is_multigraph() else graph.edges(data=True)
    for edge in edges:
        u, v, data = edge[0], edge[1], edge[-1]
        value = str(data.get(edge_attribute, ""))
        (x1, y1), (x2, y2) = at(u), at(v)
        pair = frozenset((u, v))
        index = seen[pair]
        seen[pair] += 1
        tooltip = f"{graph.nodes[u].get('label', u)} → {graph.nodes[v].get('label', v)}: {value}"
        marker = f' marker-end="url(#arrow-{values.index(value)})"' if graph.is_directed() else ""
        if u == v:
            path = f"M{x1:.1f},{y1:.1f} c -40,-50 40,-50 0,0"
        else:
            bend = (index - 0.0) * 22.0 * (1 if index % 2 == 0 else -1)
            mx, my = (x1 + x2) / 2, (y1 + y2) / 2
            length = math.hypot(x2 - x1, y2 - y1) or 1.0
            cx, cy = mx - (y2 - y1) / length * bend, my + (x2 - x1) / length * bend
            if graph.is_directed():  # stop at the target's rim
                x2, y2 = (
                    x2 - (x2 - cx) / (math.hypot(x2 - cx, y2 - cy) or 1) * 9,
                    y2 - (y2 - cy) / (math.hypot(x2 - cx, y2 - cy) or 1) * 9,
                )
            path = f"M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}"
        parts.append(
            f'<path d="{path}" fill="none" stroke="{colours[value]}" stroke-width="2" stroke-opacity=".8"{marker}>'
            f"<title>{_e(tooltip)}</title></path>"
        )
    for node, data in sorted(graph.nodes(data=True), key=lambda item: str(item[0])):
        x, y = at(node)
        radius = 6 + 2.5 * math.sqrt(graph.degree(node))
        label = str(data.get("label", node))
        short = label if len(label) <= 34 else label[:33] + "…"
        circle = (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="#fff" stroke="#1c2833" stroke-width="1.5">'
            f"<title>{_e(label)} ({_e(curie(str(node)))})</title></circle>"
            f'<text x="{x:.1f}" y="{y + radius + 12:.1f}" text-anchor="middle">{_e(short)}</text>'
        )
        target = href.get(str(node))
        parts.append(f'<a href="{_e(target)}">{circle}</a>' if target else circle)
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{c}"></i>{_e(v)}</span>' for v, c in colours.items())
    return "".join(parts) + f'<div class="legend">{legend}</div>'


# --- Pages -----------------------------------------------------------------------------------------------


def _page(title: str, body: str, *, depth: int = 0) -> str:
    root = "../" * depth
    nav = "".join(
        f'<a href="{root}{href}">{_e(text)}</a>'
        for href, text in (
            ("contradictions.html", "Contradictions"),
            ("network.html", "Network"),
            ("actors.html", "Actors"),
            ("documents.html", "Sources"),
            ("ontology.html", "Ontology & shapes"),
        )
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{_e(title)} · claimgraph</title><link rel="stylesheet" href="{root}style.css"></head>'
        f'<body><header><a class="brand" href="{root}index.html">claimgraph</a>{nav}</header>'
        f"<main><h1>{_e(title)}</h1>{body}</main></body></html>\n"
    )


class _Links:
    """Relative links between pages, from a page at ``depth``."""

    def __init__(self, site: Site, depth: int) -> None:
        self.site = site
        self.root = "../" * depth

    def actor(self, iri: str) -> str:
        if iri in self.site.actors and self.site.actors.nodes[iri].get("kind") == "actor":
            return f'<a href="{self.root}actors/{slug(iri)}.html">{_e(self.site.name(iri))}</a>'
        return _e(self.site.name(iri))

    def document(self, iri: str, fragment: str = "") -> str:
        if iri in self.site.documents:
            target = f"{self.root}documents/{slug(iri)}.html" + (f"#{fragment}" if fragment else "")
            return f'<a href="{target}">{_e(self.site.name(iri))}</a>'
        return _e(self.site.name(iri))


def _anchor_for(site: Site, evidence: str) -> Anchor | None:
    return next((a for a in site.anchors if a.evidence == evidence), None)


def _side_html(site: Site, side: Side, links: _Links, css: str) -> str:
    lines = [
        f'<div class="side {css}"><div>{links.actor(side.claimant)} '
        f'<span class="stance">{_e(side.stance)}</span></div>',
        f"<div>“{_e(side.proposition_label)}”</div>",
        f'<div class="muted">{_e(curie(side.claim))}'
        + (f" · {_e((side.claim_kind or '').replace('-', ' '))}" if side.claim_kind else "")
        + (f" · {_e(side.date)}" if side.date else " · date not stated")
        + "</div>",
    ]
    if side.claimant_affiliations:
        lines.append(f'<div class="muted">affiliated with {_e(", ".join(side.claimant_affiliations))}</div>')
    for trail in side.evidence:
        anchor = _anchor_for(site, trail.evidence)
        steps = [
            links.actor(s.agent)
            + (f" ({_e(s.act.replace('-', ' '))})" if s.act else "")
            + (f" in {links.document(s.via)}" if s.via else "")
            for s in trail.relay
        ]
        document = links.document(trail.document, anchor.element_id if anchor else "")
        chain = " → ".join([links.actor(side.claimant), *steps, document])
        lines.append(f'<div class="chain">Provenance: {chain}</div>')
        if trail.quote:
            lines.append(f"<blockquote>{_e(trail.quote)}</blockquote>")
    lines.append("</div>")
    return "".join(lines)


def _contradiction_html(site: Site, number: int, contradiction: Contradiction, links: _Links) -> str:
    first, second = contradiction.sides
    kinds = " + ".join(k.replace("-", " ") for k in contradiction.kinds)
    scope = "across documents" if contradiction.spans_documents else "in one document"
    reasons = []
    for text, chain, found_by, confidence in contradiction.distinct_reasons():
        steps = "".join(
            f"<li>{_e(link.subject_label)} <b>{_e(curie(link.relation))}</b> {_e(link.object_label)}"
            + (f' <span class="muted">({_e(link.file)}:{link.line})</span>' if link.file else "")
            + (f"<blockquote>{_e(link.note)}</blockquote>" if link.note else "")
            + "</li>"
            for link in chain
        )
        by = ", ".join(k.replace("-", " ") for k in found_by)
        reasons.append(
            f'<li>{_e(text)} <span class="muted">[{_e(by)}: {_e(confidence or "unknown")}]</span>'
            + (f"<ol>{steps}</ol>" if steps else "")
            + "</li>"
        )
    return (
        f'<section class="contradiction" id="c{number}"><h2>{number}. {_e(kinds)}: '
        f"{_e(first.claimant_label)} vs {_e(second.claimant_label)}</h2>"
        f'<p class="muted">{_e(contradiction.confidence or "confidence unknown")}, {scope}</p>'
        f'<ul class="reasons">{"".join(reasons)}</ul><div class="sides">'
        + _side_html(site, first, links, "a")
        + _side_html(site, second, links, "b")
        + "</div></section>"
    )


def _verdict(report: ValidationReport) -> tuple[str, str]:
    from claimgraph.validation.results import Severity

    tally = report.tally()
    violations, warnings = tally.get(Severity.VIOLATION, 0), tally.get(Severity.WARNING, 0)
    if violations:
        return "fail", f"Fails validation: {violations} violation(s), {warnings} warning(s)."
    if warnings:
        return "warn", f"Passes validation with {warnings} warning(s) (no violation)."
    return "pass", "Passes validation: every claim is attributed, sourced and anchored in its archived text."


def page_index(site: Site) -> str:
    css, verdict = _verdict(site.report)
    counts = site.report.counts
    cards = [
        ("claims", counts.claims),
        ("actors", counts.actors),
        ("archived documents", counts.documents),
        ("cited sources", counts.cited_sources),
        ("non-responses", counts.non_responses),
        ("triples", counts.triples),
        ("contradictions", len(site.contradictions)),
        ("circular sourcing", len(site.lineage.cycles)),
    ]
    body = [
        f'<p class="verdict {css}">{_e(verdict)}</p>',
        '<div class="cards">' + "".join(f"<div class='card'><b>{n}</b>{_e(t)}</div>" for t, n in cards) + "</div>",
        "<h2>What was validated</h2>",
        f"<p>The union of all named graphs, against the SHACL shapes ({_e(site.report.engine)} engine), "
        f"from {len(site.validated)} file(s):</p><ul>"
        + "".join(f"<li><code>{_e(Path(p).name)}</code></li>" for p in site.validated)
        + "</ul>",
    ]
    links = _Links(site, 0)
    body.append(f"<h2>Contradictions ({len(site.contradictions)})</h2><ol>")
    for number, c in enumerate(site.contradictions, start=1):
        a, b = c.sides
        body.append(
            f'<li><a href="contradictions.html#c{number}">{_e(c.kind.replace("-", " "))}</a>: '
            f"{links.actor(a.claimant)} {_e(a.stance)} “{_e(a.proposition_label)}” — "
            f"{links.actor(b.claimant)} {_e(b.stance)} “{_e(b.proposition_label)}”</li>"
        )
    body.append("</ol>")
    if site.report.results:
        rows = "".join(
            f"<tr><td>{_e(r.severity)}</td><td>{_e(curie(r.focus))}</td><td>{_e(curie(r.shape))}</td>"
            f"<td>{_e(r.message)}</td></tr>"
            for r in site.report.results
        )
        body.append(
            f"<h2>Validation results</h2><details><summary>{len(site.report.results)} result(s): "
            + _e(", ".join(f"{n} {str(sev).lower()}" for sev, n in sorted(site.report.tally().items())))
            + "</summary><table><tr><th>Severity</th><th>Focus</th><th>Shape</th>"
            f"<th>Message</th></tr>{rows}</table></details>"
        )
    return _page("Overview", "".join(body))


def page_contradictions(site: Site) -> str:
    links = _Links(site, 0)
    if not site.contradictions:
        return _page("Contradictions", "<p>No contradictions found.</p>")
    body = "".join(_contradiction_html(site, n, c, links) for n, c in enumerate(site.contradictions, start=1))
    return _page("Contradictions", f"<p>{len(site.contradictions)} contradictions, each with both sides.</p>" + body)


def page_network(site: Site) -> str:
    network = contradiction_graph(site.contradictions)
    actor_links = {n: f"actors/{slug(n)}.html" for n in network}
    lineage = site.lineage.graph
    doc_links = {n: f"documents/{slug(n)}.html" for n in lineage if n in site.documents}
    body = [
        "<h2>Contradiction network</h2>",
        "<figure>"
        + svg_network(network, edge_attribute="kind", href=actor_links, title="Contradiction network")
        + "<figcaption>Actors joined by one edge per contradiction, coloured by kind.</figcaption></figure>",
        "<h2>Actors by contradictions and betweenness</h2><table><tr><th>Actor</th><th>Contradictions</th>"
        "<th>Opponents</th><th>Betweenness</th></tr>",
    ]
    links = _Links(site, 0)
    for a in actor_centrality(network):
        body.append(
            f"<tr><td>{links.actor(a.actor)}</td><td>{a.degree}</td><td>{a.opponents}</td>"
            f"<td>{a.betweenness:.3f}</td></tr>"
        )
    body.append(
        "</table><h2>Most-contradicted propositions</h2><table><tr><th>Proposition</th><th>Contradictions</th>"
        "<th>Kinds</th></tr>"
    )
    for p in most_contradicted(site.contradictions):
        body.append(f"<tr><td>{_e(p.label)}</td><td>{p.contradictions}</td><td>{_e(', '.join(p.kinds))}</td></tr>")
    body += [
        "</table><h2>Source lineage</h2><figure>"
        + svg_network(lineage, edge_attribute="relation", href=doc_links, title="Source lineage")
        + "<figcaption>Which document or report derives from which (arrows point to the source).</figcaption>"
        "</figure>",
        "<h2>Circular sourcing</h2>",
    ]
    if site.lineage.cycles:
        body.append("<ul>")
        for cycle in site.lineage.cycles:
            pairs = zip(cycle.nodes, cycle.relations, strict=True)
            steps = " ".join(f"{links.document(n)} —{_e(r)}→" for n, r in pairs)
            body.append(f"<li>{steps} {links.document(cycle.nodes[0])}</li>")
        body.append("</ul>")
    else:
        body.append("<p>None found.</p>")
    body.append(
        "<h2>Independent origins</h2><table><tr><th>Proposition</th><th>Stance</th><th>Claims</th><th>Origins</th></tr>"
    )
    for c in corroboration(site.lineage):
        origins = "; ".join(" + ".join(site.name(part) for part in o.split(" + ")) for o in c.origins)
        body.append(
            f"<tr><td>{_e(site.name(c.proposition))}</td><td>{_e(c.stance)}</td><td>{len(c.claims)}</td>"
            f"<td>{len(c.origins)}: {_e(origins)}</td></tr>"
        )
    body.append(f"</table><p>{len(single_origin_claims(site.lineage))} claim(s) rest on a single origin.</p>")
    return _page("Network", "".join(body))


def _actor_nodes(site: Site) -> list[str]:
    return sorted((n for n, k in site.actors.nodes(data="kind") if k == "actor"), key=lambda n: (site.name(n), n))


def page_actors(site: Site) -> str:
    links = _Links(site, 0)
    claims: defaultdict[str, int] = defaultdict(int)
    for u, _, r in site.actors.edges(data="relation"):
        if r == "asserts":
            claims[u] += 1
    rows = "".join(
        f"<tr><td>{links.actor(n)}</td><td class='iri'>{_e(curie(n))}</td><td>{claims[n]}</td></tr>"
        for n in _actor_nodes(site)
    )
    return _page("Actors", f"<table><tr><th>Actor</th><th>IRI</th><th>Claims</th></tr>{rows}</table>")


def page_actor(site: Site, actor: str) -> str:
    links = _Links(site, 1)
    graph = site.actors
    body = [f'<p class="iri">{_e(actor)}</p>']
    out = [(v, d) for _, v, d in graph.out_edges(actor, data=True)]
    inn = [(u, d) for u, _, d in graph.in_edges(actor, data=True)]
    affiliations = sorted({v for v, d in out if d.get("relation") == "affiliated-with"})
    members = sorted({u for u, d in inn if d.get("relation") == "affiliated-with"})
    if affiliations:
        body.append("<p>Affiliated with: " + ", ".join(links.actor(a) for a in affiliations) + "</p>")
    if members:
        body.append("<p>Affiliated to it: " + ", ".join(links.actor(m) for m in members) + "</p>")
    asserted = sorted({v for v, d in out if d.get("relation") == "asserts"})
    body.append(f"<h2>Claims made ({len(asserted)})</h2>")
    if asserted:
        body.append("<table><tr><th>Claim</th><th>Stance</th><th>Proposition</th><th>Read in</th></tr>")
        for claim in asserted:
            side = site.sides.get(claim)
            if side is None:
                continue
            where = ", ".join(
                links.document(t.document, a.element_id if (a := _anchor_for(site, t.evidence)) else "")
                for t in side.evidence
            )
            body.append(
                f"<tr><td>{_e(site.name(claim))}</td><td class='stance'>{_e(side.stance)}</td>"
                f"<td>{_e(side.proposition_label)}</td><td>{where}</td></tr>"
            )
        body.append("</table>")
    relayed = sorted({u for u, d in inn if d.get("relation") == "relayed-by"})
    if relayed:
        body.append(f"<h2>Claims it passed on ({len(relayed)})</h2><ul>")
        body += [f"<li>{_e(site.name(c))}</li>" for c in relayed]
        body.append("</ul>")
    mine = [(n, c) for n, c in enumerate(site.contradictions, start=1) if actor in {s.claimant for s in c.sides}]
    body.append(f"<h2>Contradictions ({len(mine)})</h2>")
    body += [_contradiction_html(site, n, c, links) for n, c in mine]
    return _page(site.name(actor), "".join(body), depth=1)


def page_documents(site: Site) -> str:
    links = _Links(site, 0)
    rows = "".join(
        f"<tr><td>{links.document(d)}</td><td>{_e(site.documents[d]['kind'])}</td>"
        f"<td>{sum(1 for a in site.anchors if a.document == d)}</td></tr>"
        for d in sorted(site.documents, key=lambda d: (site.documents[d]["kind"], site.name(d)))
    )
    return _page("Sources", f"<table><tr><th>Source</th><th>Kind</th><th>Anchored claims</th></tr>{rows}</table>")


def highlight(text: str, anchors: Sequence[Anchor], names: dict[str, str]) -> str:
    """``text`` as escaped HTML with each anchor's span (code points) in a ``<mark>``.

    Overlapping anchors split into segments; a segment covered by several is marked ``overlap``. Each
    anchor's start carries an empty element with its id, for links from the other pages.
    """
    valid = [a for a in anchors if 0 <= a.start < a.end <= len(text)]
    points = sorted({0, len(text), *(a.start for a in valid), *(a.end for a in valid)})
    starts: dict[int, list[Anchor]] = defaultdict(list)
    for a in valid:
        starts[a.start].append(a)
    parts: list[str] = []
    for begin, stop in itertools.pairwise(points):
        parts += [f'<span id="{_e(a.element_id)}"></span>' for a in starts.get(begin, [])]
        chunk = _e(text[begin:stop])
        cover = [a for a in valid if a.start <= begin and stop <= a.end]
        if cover:
            title = "; ".join(names.get(a.claim, curie(a.claim)) for a in cover)
            css = ' class="overlap"' if len(cover) > 1 else ""
            parts.append(f'<mark{css} title="{_e(title)}">{chunk}</mark>')
        else:
            parts.append(chunk)
    return "".join(parts)


def page_document(site: Site, document: str) -> str:
    links = _Links(site, 1)
    entry = site.documents[document]
    props: dict[str, list[str]] = entry["props"]
    body = [f'<p class="iri">{_e(document)} · {_e(entry["kind"])}</p><table>']
    for prop in sorted(props):
        values = props[prop]
        shown = ", ".join(
            links.actor(v) if prop.endswith("publisher") else links.document(v) if v in site.documents else _e(curie(v))
            for v in values
        )
        body.append(f"<tr><th>{_e(curie(prop))}</th><td>{shown}</td></tr>")
    body.append("</table>")
    derived = (
        [(v, r) for _, v, r in site.lineage.graph.out_edges(document, data="relation")]
        if (document in site.lineage.graph)
        else []
    )
    sources = (
        [(u, r) for u, _, r in site.lineage.graph.in_edges(document, data="relation")]
        if (document in site.lineage.graph)
        else []
    )
    if derived:
        body.append("<p>Derives from: " + ", ".join(f"{links.document(v)} ({_e(r)})" for v, r in derived) + "</p>")
    if sources:
        body.append("<p>Used by: " + ", ".join(f"{links.document(u)} ({_e(r)})" for u, r in sources) + "</p>")
    anchors = [a for a in site.anchors if a.document == document]
    if anchors:
        body.append(f"<h2>Claims read here ({len(anchors)})</h2><ol>")
        for a in anchors:
            side = site.sides.get(a.claim)
            who = links.actor(side.claimant) if side else ""
            what = f" <span class='stance'>{_e(side.stance)}</span> “{_e(side.proposition_label)}”" if side else ""
            body.append(f'<li><a href="#{_e(a.element_id)}">{_e(site.name(a.claim))}</a>: {who}{what}</li>')
        body.append("</ol>")
    text = site.texts.get(document)
    if text is not None:
        body.append("<h2>Archived text</h2><p class='muted'>Highlighted: the anchors of the claims read here.</p>")
        body.append(f'<div class="article">{highlight(text, anchors, site.names)}</div>')
    return _page(site.name(document), "".join(body), depth=1)


# --- Ontology and shapes ---------------------------------------------------------------------------------


def _term_text(store: ox.Store, term: Any, graph: ox.NamedNode, depth: int = 0) -> str:
    """A term as short HTML: IRIs as CURIEs, literals as text, blank nodes (lists, nested shapes) inline."""
    if isinstance(term, ox.NamedNode):
        return f"<code>{_e(curie(term.value))}</code>"
    if isinstance(term, ox.Literal):
        text = term.value
        return f"<pre>{_e(text)}</pre>" if "\n" in text else _e(text)
    if isinstance(term, ox.BlankNode) and depth < 4:
        quads = list(store.quads_for_pattern(term, None, None, graph))
        first = [q.object for q in quads if q.predicate.value.endswith("#first")]
        if first:  # an RDF list
            items = []
            node: Any = term
            while isinstance(node, ox.BlankNode):
                head = list(store.quads_for_pattern(node, ox.NamedNode(RDF_FIRST), None, graph))
                rest = list(store.quads_for_pattern(node, ox.NamedNode(RDF_REST), None, graph))
                if not head:
                    break
                items.append(_term_text(store, head[0].object, graph, depth + 1))
                node = rest[0].object if rest else None
            return "( " + " , ".join(items) + " )"
        inner = "; ".join(
            f"<code>{_e(curie(q.predicate.value))}</code> {_term_text(store, q.object, graph, depth + 1)}"
            for q in sorted(quads, key=lambda q: q.predicate.value)
        )
        return f"[ {inner} ]"
    return _e(str(term))


RDF_FIRST = RDF.first
RDF_REST = RDF.rest
_RDFS = RDFS
_OWL = OWL
_TYPE = RDF.type


def page_ontology(dataset: Dataset) -> str:
    """Every class, property and shape of the ontology and shapes graphs, from their triples."""
    store = dataset.store
    body = [
        "<p>Generated from the ontology and shapes graphs of the data (not written by hand). "
        '<a href="#classes">Classes</a> · <a href="#properties">Properties</a> · <a href="#shapes">Shapes</a></p>'
    ]
    ontology = ox.NamedNode(ONTOLOGY_GRAPH)
    shapes = ox.NamedNode(SHAPES_GRAPH)

    def values(subject: ox.NamedNode, predicate: str, graph: ox.NamedNode) -> list[Any]:
        return [q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None, graph)]

    def typed(types: Iterable[str], graph: ox.NamedNode, namespace: str) -> list[ox.NamedNode]:
        found = {
            q.subject
            for t in types
            for q in store.quads_for_pattern(None, ox.NamedNode(_TYPE), ox.NamedNode(t), graph)
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(namespace)
        }
        return sorted(found, key=lambda n: n.value)

    def cell(subject: ox.NamedNode, predicate: str, graph: ox.NamedNode) -> str:
        return ", ".join(_term_text(store, v, graph) for v in values(subject, predicate, graph))

    def anchor_id(iri: str) -> str:
        return "t-" + re.sub(r"[^A-Za-z0-9_-]", "-", curie(iri))

    classes = typed([_OWL + "Class"], ontology, CG)
    body.append(
        f'<h2 id="classes">Classes ({len(classes)})</h2><table><tr><th>Class</th><th>Label</th>'
        "<th>Comment</th><th>Subclass of</th></tr>"
    )
    for c in classes:
        body.append(
            f'<tr id="{anchor_id(c.value)}"><td><code>{_e(curie(c.value))}</code></td>'
            f"<td>{cell(c, _RDFS + 'label', ontology)}</td><td>{cell(c, _RDFS + 'comment', ontology)}</td>"
            f"<td>{cell(c, _RDFS + 'subClassOf', ontology)}</td></tr>"
        )
    body.append("</table>")
    properties = typed([_OWL + "ObjectProperty", _OWL + "DatatypeProperty", _OWL + "AnnotationProperty"], ontology, CG)
    body.append(
        f'<h2 id="properties">Properties ({len(properties)})</h2><table><tr><th>Property</th>'
        "<th>Label</th><th>Comment</th><th>Domain</th><th>Range</th><th>Subproperty of</th></tr>"
    )
    for p in properties:
        body.append(
            f'<tr id="{anchor_id(p.value)}"><td><code>{_e(curie(p.value))}</code></td>'
            f"<td>{cell(p, _RDFS + 'label', ontology)}</td><td>{cell(p, _RDFS + 'comment', ontology)}</td>"
            f"<td>{cell(p, _RDFS + 'domain', ontology)}</td><td>{cell(p, _RDFS + 'range', ontology)}</td>"
            f"<td>{cell(p, _RDFS + 'subPropertyOf', ontology)}</td></tr>"
        )
    body.append("</table>")
    shape_nodes = typed([SH.NodeShape, SH.PropertyShape], shapes, CGSH)
    shown = {_TYPE, _RDFS + "label", _RDFS + "comment", SH.message, SH.severity}
    body.append(
        f'<h2 id="shapes">Shapes ({len(shape_nodes)})</h2><table><tr><th>Shape</th><th>Message / comment</th>'
        "<th>Severity</th><th>Constraints</th></tr>"
    )
    for s in shape_nodes:
        constraints = "<br>".join(
            f"<code>{_e(curie(q.predicate.value))}</code> {_term_text(store, q.object, shapes)}"
            for q in sorted(
                store.quads_for_pattern(s, None, None, shapes), key=lambda q: (q.predicate.value, str(q.object))
            )
            if q.predicate.value not in shown
        )
        message = cell(s, SH.message, shapes) or cell(s, _RDFS + "comment", shapes)
        severity = cell(s, SH.severity, shapes) or "<code>sh:Violation</code>"
        body.append(
            f'<tr id="{anchor_id(s.value)}"><td><code>{_e(curie(s.value))}</code></td><td>{message}</td>'
            f"<td>{severity}</td><td>{constraints}</td></tr>"
        )
    body.append("</table>")
    return _page("Ontology & shapes", "".join(body))


# --- Building the site -----------------------------------------------------------------------------------


def render(site: Site, dataset: Dataset) -> dict[str, str]:
    """Every page of the site by relative path."""
    pages = {
        "style.css": _CSS.lstrip(),
        "index.html": page_index(site),
        "contradictions.html": page_contradictions(site),
        "network.html": page_network(site),
        "actors.html": page_actors(site),
        "documents.html": page_documents(site),
        "ontology.html": page_ontology(dataset),
        MARKER: "Written by `claimgraph report`; the next report may replace this directory.\n",
    }
    for actor in _actor_nodes(site):
        pages[f"actors/{slug(actor)}.html"] = page_actor(site, actor)
    for document in site.documents:
        pages[f"documents/{slug(document)}.html"] = page_document(site, document)
    return pages


def build_report(dataset: Dataset, out: Path, *, queries_directory: Path, engine: Engine | None = None) -> list[str]:
    """Validate ``dataset``, analyse it and write the site to ``out`` atomically; return the pages.

    The site is written to a temporary directory beside ``out`` and renamed into place; a previous
    report there is replaced (the old one stays complete until the rename).

    :raises OutputError: if ``out`` exists and is not a previous report, or cannot be written.
    """
    from claimgraph.sparql.engines import EmbeddedEngine
    from claimgraph.validation.api import validate

    replaceable = out.is_dir() and ((out / MARKER).is_file() or not any(out.iterdir()))
    if out.exists() and not replaceable:
        raise OutputError(out, "exists and is not a claimgraph report: not replaced (choose an empty or new directory)")
    report = validate(dataset)
    site = collect(dataset, engine or EmbeddedEngine(dataset), queries_directory, report)
    pages = render(site, dataset)
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    except OSError as error:
        raise OutputError(out, error.strerror or str(error)) from None
    old: Path | None = None
    try:
        for relative, content in pages.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        os.chmod(staging, 0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
            os.replace(out, old / "site")
        os.replace(staging, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and not out.exists() and (old / "site").exists():
            os.replace(old / "site", out)  # put the previous report back
        raise OutputError(out, error.strerror or str(error)) from None
    return sorted(pages)
