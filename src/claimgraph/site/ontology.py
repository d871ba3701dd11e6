"""The ontology and shapes, documented from the dataset's own graphs for the report's ontology page.

Every class, property and shape is read from the ontology and shapes graphs (pyLODE is not used: a page
built from the same store needs no network and no second parser). Terms come out as small pieces of
safe markup (CURIEs in ``<code>``, literals escaped, RDF lists and nested blank nodes inline), which
the ``ontology.html`` template lays out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from markupsafe import Markup, escape

from claimgraph.namespaces import CG, CGSH, ONTOLOGY_GRAPH, OWL, RDF, RDFS, SH, SHAPES_GRAPH, curie

if TYPE_CHECKING:
    from claimgraph.io.dataset import Dataset

__all__ = ["Section", "ontology_sections", "term_markup"]


@dataclass(frozen=True)
class Section:
    """A table of the ontology page: its anchor, heading, column names and rows (anchor id, cells)."""

    id: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, list[Markup]]]


def _code(iri: str) -> Markup:
    return Markup("<code>{}</code>").format(curie(iri))


def term_markup(store: ox.Store, term: Any, graph: ox.NamedNode, depth: int = 0) -> Markup:
    """A term as short markup: IRIs as CURIEs, literals as text, blank nodes (lists, nested shapes) inline."""
    if isinstance(term, ox.NamedNode):
        return _code(term.value)
    if isinstance(term, ox.Literal):
        return Markup("<pre>{}</pre>").format(term.value) if "\n" in term.value else escape(term.value)
    if isinstance(term, ox.BlankNode) and depth < 4:
        quads = list(store.quads_for_pattern(term, None, None, graph))
        if any(q.predicate.value == RDF.first for q in quads):  # an RDF list
            items = []
            node: Any = term
            while isinstance(node, ox.BlankNode):
                head = list(store.quads_for_pattern(node, ox.NamedNode(RDF.first), None, graph))
                rest = list(store.quads_for_pattern(node, ox.NamedNode(RDF.rest), None, graph))
                if not head:
                    break
                items.append(term_markup(store, head[0].object, graph, depth + 1))
                node = rest[0].object if rest else None
            return Markup("( ") + Markup(" , ").join(items) + Markup(" )")
        inner = Markup("; ").join(
            _code(q.predicate.value) + Markup(" ") + term_markup(store, q.object, graph, depth + 1)
            for q in sorted(quads, key=lambda q: q.predicate.value)
        )
        return Markup("[ ") + inner + Markup(" ]")
    return escape(str(term))


def anchor_id(iri: str) -> str:
    return "t-" + re.sub(r"[^A-Za-z0-9_-]", "-", curie(iri))


def ontology_sections(dataset: Dataset) -> list[Section]:
    """The classes, properties and shapes of the dataset's ontology and shapes graphs, one table each."""
    store = dataset.store
    ontology = ox.NamedNode(ONTOLOGY_GRAPH)
    shapes = ox.NamedNode(SHAPES_GRAPH)

    def values(subject: ox.NamedNode, predicate: str, graph: ox.NamedNode) -> list[Any]:
        return [q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None, graph)]

    def typed(types: Iterable[str], graph: ox.NamedNode, namespace: str) -> list[ox.NamedNode]:
        found = {
            q.subject
            for t in types
            for q in store.quads_for_pattern(None, ox.NamedNode(RDF.type), ox.NamedNode(t), graph)
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(namespace)
        }
        return sorted(found, key=lambda n: n.value)

    def cell(subject: ox.NamedNode, predicate: str, graph: ox.NamedNode) -> Markup:
        return Markup(", ").join(term_markup(store, v, graph) for v in values(subject, predicate, graph))

    classes = typed([OWL + "Class"], ontology, CG)
    properties = typed([OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty"], ontology, CG)
    shape_nodes = typed([SH.NodeShape, SH.PropertyShape], shapes, CGSH)
    shown = {RDF.type, RDFS + "label", RDFS + "comment", SH.message, SH.severity}

    def constraints(shape: ox.NamedNode) -> Markup:
        quads = sorted(
            store.quads_for_pattern(shape, None, None, shapes), key=lambda q: (q.predicate.value, str(q.object))
        )
        return Markup("<br>").join(
            _code(q.predicate.value) + Markup(" ") + term_markup(store, q.object, shapes)
            for q in quads
            if q.predicate.value not in shown
        )

    return [
        Section(
            "classes",
            f"Classes ({len(classes)})",
            ("Class", "Label", "Comment", "Subclass of"),
            [
                (
                    anchor_id(c.value),
                    [
                        _code(c.value),
                        cell(c, RDFS + "label", ontology),
                        cell(c, RDFS + "comment", ontology),
                        cell(c, RDFS + "subClassOf", ontology),
                    ],
                )
                for c in classes
            ],
        ),
        Section(
            "properties",
            f"Properties ({len(properties)})",
            ("Property", "Label", "Comment", "Domain", "Range", "Subproperty of"),
            [
                (
                    anchor_id(p.value),
                    [
                        _code(p.value),
                        cell(p, RDFS + "label", ontology),
                        cell(p, RDFS + "comment", ontology),
                        cell(p, RDFS + "domain", ontology),
                        cell(p, RDFS + "range", ontology),
                        cell(p, RDFS + "subPropertyOf", ontology),
                    ],
                )
                for p in properties
            ],
        ),
        Section(
            "shapes",
            f"Shapes ({len(shape_nodes)})",
            ("Shape", "Message / comment", "Severity", "Constraints"),
            [
                (
                    anchor_id(s.value),
                    [
                        _code(s.value),
                        cell(s, SH.message, shapes) or cell(s, RDFS + "comment", shapes),
                        cell(s, SH.severity, shapes) or Markup("<code>sh:Violation</code>"),
                        constraints(s),
                    ],
                )
                for s in shape_nodes
            ],
        ),
    ]
