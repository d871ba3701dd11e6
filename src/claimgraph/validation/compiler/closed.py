"""sh:closed (with sh:ignoredProperties): a node has no property its shape does not name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from claimgraph.namespaces import RDF, RDFS, SH
from claimgraph.validation.compiler.base import Check, ConstraintComponent, Hit, OxTerm, Rows, Scope, Unsupported

if TYPE_CHECKING:
    from claimgraph.validation.reference import Shape

__all__ = ["ClosedComponent"]


class ClosedCheck(Check):
    """Each triple of a value node whose predicate the shape does not allow: its predicate is the
    result's path, its object the value; once per value node it belongs to, as pySHACL counts them."""

    def __init__(self, shape: Shape, query: str, component: str) -> None:
        super().__init__(shape, None)
        self.text = query
        self.component = component

    def query(self) -> str:
        return self.text

    def hits(self, rows: Rows) -> Iterator[Hit]:
        for row in rows:
            focus, predicate, value = row["this"], row["p"], row["o"]
            assert isinstance(focus, OxTerm) and isinstance(predicate, OxTerm) and isinstance(value, OxTerm)
            yield Hit(focus, predicate.value, value, self.component)


class ClosedComponent(ConstraintComponent, parameters=("closed", "ignoredProperties")):
    """sh:closed: only the predicates of the shape's sh:property paths (and sh:ignoredProperties), and
    ``rdf:type rdfs:Resource``, which pySHACL always allows."""

    def _closed(self) -> bool:
        import rdflib

        if len(self.values) != 1 or not isinstance(self.values[0], rdflib.Literal):
            raise Unsupported("sh:closed without exactly one boolean")  # pySHACL refuses the shape
        return bool(self.values[0].value)

    def _disallowed(self, p: str, o: str) -> str:
        """SPARQL: the triple ``p`` ``o`` of a value node is not allowed."""
        import rdflib

        shapes = self.context.shapes
        allowed: set[rdflib.URIRef] = set()
        for node in shapes.objects(self.shape, "property"):
            path = shapes.graph.value(node, rdflib.URIRef(SH + "path"))
            if isinstance(path, rdflib.URIRef):
                allowed.add(path)
        for head in self.params.get("ignoredProperties", []):
            allowed.update(i for i in shapes.items(head) if isinstance(i, rdflib.URIRef))
        listed = ", ".join(f"<{iri}>" for iri in sorted(allowed))
        test = f"!({p} = <{RDF.type}> && {o} = <{RDFS.Resource}>)"
        return f"({test} && {p} NOT IN ({listed}))" if listed else f"({test})"

    def checks(self, scope: Scope) -> Iterator[Check]:
        if not self._closed():
            return
        value = "?this" if scope.path is None else "?v"
        values = "" if scope.path is None else f"?this {scope.path} ?v ."
        projected = "?this ?p ?o" if scope.path is None else "?this ?v ?p ?o"
        query = (
            f"SELECT ?this ?p ?o WHERE {{ {{ SELECT DISTINCT {projected} WHERE {{ {scope.focus} {values} "
            f"{value} ?p ?o . FILTER {self._disallowed('?p', '?o')} }} }} }}"
        )
        yield ClosedCheck(self.shape, query, self.iri())

    def conditions(self, var: str, path: str | None) -> Iterator[str]:
        if not self._closed():
            return
        p, o = self.context.fresh("p"), self.context.fresh("o")
        if path is None:
            yield f"NOT EXISTS {{ {var} {p} {o} . FILTER {self._disallowed(p, o)} }}"
        else:
            v = self.context.fresh("v")
            yield f"NOT EXISTS {{ {var} {path} {v} . {v} {p} {o} . FILTER {self._disallowed(p, o)} }}"

