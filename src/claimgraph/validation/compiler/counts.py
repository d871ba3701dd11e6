"""Cardinality and value presence: sh:minCount, sh:maxCount, sh:hasValue and sh:uniqueLang.

Counts are of distinct values: Oxigraph's union of named graphs repeats a triple stated in two
graphs, rdflib's graph does not.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import pyoxigraph as ox

from claimgraph.validation.compiler.base import (
    Check,
    ConstraintComponent,
    Context,
    Hit,
    OxTerm,
    Params,
    Rows,
    Scope,
    Unsupported,
    ValueCheck,
    ValueColumn,
    nt,
    ox_term,
    same_term,
)

if TYPE_CHECKING:
    from claimgraph.validation.reference import Shape

__all__ = ["CountCheck", "HasValueComponent", "MaxCountComponent", "MinCountComponent", "UniqueLangComponent"]


@dataclass(frozen=True)
class Bound:
    """One cardinality bound: at least (``minimum``) or at most ``n`` distinct values."""

    component: str
    minimum: bool
    n: int

    def having(self) -> str:
        return f"COUNT(DISTINCT ?v) {'<' if self.minimum else '>'} {self.n}"

    def fails(self, count: int) -> bool:
        return count < self.n if self.minimum else count > self.n


class CountCheck(Check):
    """Focus nodes whose count of distinct values breaks a bound: one query for all bounds of a shape."""

    def __init__(self, shape: Shape, scope: Scope, bounds: list[Bound]) -> None:
        super().__init__(shape, scope.path_iri)
        self.scope = scope
        self.bounds = bounds

    def query(self) -> str:
        focus, path = self.scope.focus, self.scope.path
        # The focus nodes without a value by MINUS, not as the empty groups of an OPTIONAL: Virtuoso 7.2
        # loses most of those at 10M triples (it kept 122 of the 325 claims without a claimant).
        without = f"SELECT ?this (0 AS ?n) WHERE {{ {focus} MINUS {{ ?this {path} ?v }} }}"
        if all(b.minimum and b.n == 1 for b in self.bounds):  # "at least one": no node's values counted
            return without
        having = " || ".join(b.having() for b in self.bounds)
        counted = (
            f"SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {focus} ?this {path} ?v }}"
            f" GROUP BY ?this HAVING ({having})"
        )
        if not any(b.fails(0) for b in self.bounds):
            return counted
        return f"SELECT ?this ?n WHERE {{ {{ {without} }} UNION {{ {counted} }} }}"

    def combine(self, other: Check) -> bool:
        if isinstance(other, CountCheck) and other.shape is self.shape and other.scope == self.scope:
            self.bounds.extend(other.bounds)
            return True
        return False

    def hits(self, rows: Rows) -> Iterator[Hit]:
        for row in rows:
            n, focus = row["n"], row["this"]
            assert isinstance(n, ox.Literal) and isinstance(focus, OxTerm)
            count = int(n.value)
            for bound in self.bounds:
                if bound.fails(count):
                    yield Hit(focus, self.path, None, bound.component)


class CountComponent(ConstraintComponent):
    minimum: ClassVar[bool]

    def __init_subclass__(cls, *, minimum: bool = True, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)  # type: ignore[arg-type]
        cls.minimum = minimum

    def __init__(self, context: Context, shape: Shape, params: Params) -> None:
        super().__init__(context, shape, params)
        self.counts = [int(c.value) for c in self.values]  # type: ignore[attr-defined]

    def bounds(self) -> list[Bound]:
        # sh:minCount 0 holds of every node
        return [Bound(self.iri(), self.minimum, n) for n in self.counts if n > 0 or not self.minimum]

    def checks(self, scope: Scope) -> Iterator[Check]:
        if scope.path is None:
            raise Unsupported("sh:minCount/sh:maxCount on a node shape (pySHACL refuses it)")
        bounds = self.bounds()
        if bounds:
            yield CountCheck(self.shape, scope, bounds)

    def conditions(self, var: str, path: str | None) -> Iterator[str]:
        if path is None:
            raise Unsupported("sh:minCount/sh:maxCount on a node shape")
        for bound in self.bounds():
            if bound.minimum:
                yield self.distinct_values_exist(var, path, bound.n)
            else:
                yield f"!{self.distinct_values_exist(var, path, bound.n + 1)}"

    def distinct_values_exist(self, var: str, path: str, n: int) -> str:
        if n > 3:
            raise Unsupported("cardinality above 3 in a nested shape")
        ys = [self.context.fresh("y") for _ in range(n)]
        triples = " ".join(f"{var} {path} {y} ." for y in ys)
        distinct = " && ".join(f"!sameTerm({a}, {b})" for i, a in enumerate(ys) for b in ys[i + 1 :])
        return f"EXISTS {{ {triples} {f'FILTER({distinct})' if distinct else ''} }}"


class MinCountComponent(CountComponent, parameters=("minCount",), minimum=True):
    """sh:minCount."""


class MaxCountComponent(CountComponent, parameters=("maxCount",), minimum=False):
    """sh:maxCount."""


class HasValueComponent(ConstraintComponent, parameters=("hasValue",)):
    """sh:hasValue."""

    def checks(self, scope: Scope) -> Iterator[Check]:
        for value in self.values:
            term = ox_term(value)
            if scope.path is None:
                query = f"SELECT ?this WHERE {{ {scope.focus} FILTER(!{same_term('?this', term)}) }}"
            else:
                query = f"SELECT ?this WHERE {{ {scope.focus} FILTER NOT EXISTS {{ ?this {scope.path} {nt(term)} }} }}"
            yield ValueCheck(self.shape, scope.path_iri, self.iri(), functools.partial(str, query), ValueColumn.NONE)

    def conditions(self, var: str, path: str | None) -> Iterator[str]:
        for value in self.values:
            yield same_term(var, ox_term(value)) if path is None else f"EXISTS {{ {var} {path} {nt(ox_term(value))} }}"


class UniqueLangComponent(ConstraintComponent, parameters=("uniqueLang",)):
    """sh:uniqueLang: one result per language tag (compared without case) that two value nodes share.

    The value is read as pySHACL reads it, through rdflib, which makes ``"1"^^xsd:boolean`` true (the
    W3C test uniqueLang-002 expects it not to be). A node shape's one value node has no other to
    share a tag with.
    """

    single = True

    def _unique(self) -> bool:
        import rdflib

        value = self.values[0] if self.values else None
        if not isinstance(value, rdflib.Literal) or not isinstance(value.value, bool):
            raise Unsupported("sh:uniqueLang without a boolean")  # pySHACL refuses the shape
        return value.value

    def checks(self, scope: Scope) -> Iterator[Check]:
        if not self._unique() or scope.path is None:
            return
        language = "LCASE(LANG(?v))"
        query = (
            f"SELECT ?this WHERE {{ {scope.focus} ?this {scope.path} ?v . FILTER (LANG(?v) != \"\") }}"
            f" GROUP BY ?this {language} HAVING (COUNT(DISTINCT ?v) > 1)"
        )
        yield ValueCheck(self.shape, scope.path_iri, self.iri(), functools.partial(str, query), ValueColumn.NONE)

    def conditions(self, var: str, path: str | None) -> Iterator[str]:
        if not self._unique() or path is None:
            return
        a, b = self.context.fresh("v"), self.context.fresh("v")
        yield (
            f"NOT EXISTS {{ {var} {path} {a} . {var} {path} {b} . FILTER (!sameTerm({a}, {b}) "
            f'&& LANG({a}) != "" && LCASE(LANG({a})) = LCASE(LANG({b}))) }}'
        )
