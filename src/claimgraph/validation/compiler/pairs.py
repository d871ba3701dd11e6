"""Property pair components: sh:disjoint and sh:lessThan, value nodes against another property's values."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING

from claimgraph.namespaces import XSD
from claimgraph.validation.compiler.base import (
    INTEGER_CANONICAL,
    Check,
    ConstraintComponent,
    Hit,
    OxTerm,
    Rows,
    Scope,
    Unsupported,
    ValueCheck,
    ValueColumn,
)

if TYPE_CHECKING:
    from claimgraph.validation.reference import Shape

__all__ = ["DisjointComponent", "LessThanComponent"]


class PairComponent(ConstraintComponent):
    def others(self) -> Iterator[str]:
        import rdflib

        for other in self.values:
            if not isinstance(other, rdflib.URIRef):
                raise Unsupported(f"sh:{self.parameters[0]} with a non-IRI")
            yield str(other)

    def conditions(self, var: str, path: str | None) -> Iterator[str]:
        kind = "node" if path is None else "property"
        raise Unsupported(f"property pair constraints in a nested {kind} shape")


def _columns(scope: Scope) -> tuple[str, str, str]:
    """The pattern binding ``?v`` (none for a node shape), the value's variable and its projection."""
    if scope.path is None:
        return "", "?this", "(?this AS ?v)"
    return f"?this {scope.path} ?v .", "?v", "?v"


class DisjointComponent(PairComponent, parameters=("disjoint",)):
    """sh:disjoint."""

    def checks(self, scope: Scope) -> Iterator[Check]:
        values, value, projected = _columns(scope)
        column = ValueColumn.FOCUS if scope.path is None else ValueColumn.VALUE
        for other in self.others():
            query = f"SELECT DISTINCT ?this {projected} WHERE {{ {scope.focus} {values} ?this <{other}> {value} . }}"
            yield ValueCheck(self.shape, scope.path_iri, self.iri(), functools.partial(str, query), column)


class LessThanCheck(Check):
    """Pairs of (value, other value) not surely ordered, each judged by pySHACL's own comparison."""

    def __init__(self, shape: Shape, path: str | None, query: str, component: str) -> None:
        super().__init__(shape, path)
        self.text = query
        self.component = component

    def query(self) -> str:
        return self.text

    def hits(self, rows: Rows) -> Iterator[Hit]:
        from claimgraph.terms import to_rdflib_term
        from claimgraph.validation.reference import fails_less_than

        for row in rows:
            focus, value, other = row["this"], row["v"], row["c"]
            if not (isinstance(focus, OxTerm) and isinstance(value, OxTerm) and isinstance(other, OxTerm)):
                raise ValueError("RDF-star triple terms are not supported")
            if fails_less_than(
                self.shape, "lessThan", to_rdflib_term(focus), to_rdflib_term(value), to_rdflib_term(other)
            ):
                yield Hit(focus, self.path, value, self.component)


class LessThanComponent(PairComponent, parameters=("lessThan",)):
    """sh:lessThan."""

    def checks(self, scope: Scope) -> Iterator[Check]:
        values, value, projected = _columns(scope)
        # Pairs that surely hold (canonical integers) are left out of the rows.
        sure = (
            f"(isLiteral({value}) && isLiteral(?c) && datatype({value}) = <{XSD.integer}> "
            f'&& datatype(?c) = <{XSD.integer}> && REGEX(STR({value}), "{INTEGER_CANONICAL}") '
            f'&& REGEX(STR(?c), "{INTEGER_CANONICAL}") && {value} < ?c)'
        )
        for other in self.others():
            query = (
                f"SELECT ?this {projected} ?c WHERE {{ {scope.focus} {values} ?this <{other}> ?c . FILTER(!{sure}) }}"
            )
            yield LessThanCheck(self.shape, scope.path_iri, query, self.iri())
