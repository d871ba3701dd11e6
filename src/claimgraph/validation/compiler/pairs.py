"""Property pair components: sh:equals, sh:disjoint, sh:lessThan and sh:lessThanOrEquals, value nodes
against another property's values."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

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
    datatype_is,
)

if TYPE_CHECKING:
    from claimgraph.validation.reference import Shape

__all__ = ["DisjointComponent", "EqualsComponent", "LessThanComponent", "LessThanOrEqualsComponent"]


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


class EqualsComponent(PairComponent, parameters=("equals",)):
    """sh:equals: each value node the other property lacks, and each of its values the path lacks."""

    def checks(self, scope: Scope) -> Iterator[Check]:
        for other in self.others():
            if scope.path is None:  # the one value node is the focus node itself
                lacking = f"BIND (?this AS ?v) FILTER NOT EXISTS {{ ?this <{other}> ?this }}"
                extra = f"?this <{other}> ?v . FILTER (!sameTerm(?v, ?this))"
            else:
                lacking = f"?this {scope.path} ?v . FILTER NOT EXISTS {{ ?this <{other}> ?v }}"
                extra = f"?this <{other}> ?v . FILTER NOT EXISTS {{ ?this {scope.path} ?v }}"
            for pattern in (lacking, extra):
                query = f"SELECT DISTINCT ?this ?v WHERE {{ {scope.focus} {pattern} }}"
                build = functools.partial(str, query)
                yield ValueCheck(self.shape, scope.path_iri, self.iri(), build, ValueColumn.VALUE)


class LessThanCheck(Check):
    """Pairs of (value, other value) not surely ordered, each judged by pySHACL's own comparison."""

    def __init__(self, shape: Shape, path: str | None, query: str, component: str, local: str) -> None:
        super().__init__(shape, path)
        self.text = query
        self.component = component
        self.local = local

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
                self.shape, self.local, to_rdflib_term(focus), to_rdflib_term(value), to_rdflib_term(other)
            ):
                yield Hit(focus, self.path, value, self.component)


class LessThanComponent(PairComponent, parameters=("lessThan",)):
    """sh:lessThan."""

    operator: ClassVar[str] = "<"

    def checks(self, scope: Scope) -> Iterator[Check]:
        values, value, projected = _columns(scope)
        # Pairs that surely hold (canonical integers) are left out of the rows.
        sure = (
            f"({datatype_is(value, XSD.integer)} && {datatype_is('?c', XSD.integer)} "
            f'&& REGEX(STR({value}), "{INTEGER_CANONICAL}") '
            f'&& REGEX(STR(?c), "{INTEGER_CANONICAL}") && {value} {self.operator} ?c)'
        )
        for other in self.others():
            query = (
                f"SELECT ?this {projected} ?c WHERE {{ {scope.focus} {values} ?this <{other}> ?c . FILTER(!{sure}) }}"
            )
            yield LessThanCheck(self.shape, scope.path_iri, query, self.iri(), self.parameters[0])


class LessThanOrEqualsComponent(LessThanComponent, parameters=("lessThanOrEquals",)):
    """sh:lessThanOrEquals."""

    operator: ClassVar[str] = "<="
