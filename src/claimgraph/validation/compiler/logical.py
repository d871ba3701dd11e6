"""Logical and shape-based components: sh:node, sh:not, sh:and, sh:or, sh:xone, sh:property and
sh:qualifiedValueShape, whose verdict is another shape's conformance (:meth:`~.base.Context.conforms`)."""

from __future__ import annotations

import functools
from abc import abstractmethod
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

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
    ShapesView,
    Unsupported,
    ValueComponent,
    component_iri,
)

if TYPE_CHECKING:
    from claimgraph.validation.reference import Shape

__all__ = [
    "AndComponent",
    "NodeComponent",
    "NotComponent",
    "OrComponent",
    "PropertyComponent",
    "QualifiedValueShapeComponent",
    "XoneComponent",
]


class NodeComponent(ValueComponent, parameters=("node",)):
    """sh:node."""

    @classmethod
    def shapes_used(cls, shapes: ShapesView, params: Params) -> list[Shape]:
        return [shapes.lookup(n) for n in params.get(cls.parameters[0], [])]

    def tests(self) -> Iterator[Callable[[str], str]]:
        for nested in self.shapes_used(self.context.shapes, self.params):
            yield functools.partial(self.context.conforms, nested)


class NotComponent(NodeComponent, parameters=("not",)):
    """sh:not."""

    def tests(self) -> Iterator[Callable[[str], str]]:
        for nested in self.shapes_used(self.context.shapes, self.params):
            yield functools.partial(_negated, self.context, nested)


def _negated(context: Context, shape: Shape, var: str) -> str:
    return f"!({context.conforms(shape, var)})"


class ListComponent(ValueComponent):
    """sh:and, sh:or and sh:xone: each value is an RDF list of shapes, their verdicts combined."""

    @classmethod
    def shapes_used(cls, shapes: ShapesView, params: Params) -> list[Shape]:
        return [shape for head in params.get(cls.parameters[0], []) for shape in shapes.shape_list(head)]

    def tests(self) -> Iterator[Callable[[str], str]]:
        for head in self.values:
            members = self.context.shapes.shape_list(head)
            yield functools.partial(self.combine, self.members(members))

    def members(self, shapes: list[Shape]) -> list[Shape]:
        # pySHACL takes the members of sh:and and sh:or as a set
        return list({m.node: m for m in shapes}.values())

    def combine(self, members: list[Shape], var: str) -> str:
        if not members:
            return "true"
        return self.verdict([self.context.conforms(m, var) for m in members])

    @abstractmethod
    def verdict(self, conforms: list[str]) -> str:
        """One expression from the members' conformance expressions."""


class AndComponent(ListComponent, parameters=("and",)):
    """sh:and: every member."""

    def verdict(self, conforms: list[str]) -> str:
        return "(" + " && ".join(conforms) + ")"


class OrComponent(ListComponent, parameters=("or",)):
    """sh:or: some member."""

    def verdict(self, conforms: list[str]) -> str:
        return "(" + " || ".join(conforms) + ")"


class XoneComponent(ListComponent, parameters=("xone",)):
    """sh:xone: exactly one member."""

    def members(self, shapes: list[Shape]) -> list[Shape]:
        return shapes  # a member listed twice counts twice

    def verdict(self, conforms: list[str]) -> str:
        return "(" + " + ".join(f"IF({c}, 1, 0)" for c in conforms) + ") = 1"


class PropertyComponent(NodeComponent, parameters=("property",)):
    """sh:property: at the top, the property shape's own checks on this shape's value nodes."""

    def checks(self, scope: Scope) -> Iterator[Check]:
        for nested in self.shapes_used(self.context.shapes, self.params):
            if scope.path is None:
                targets = scope.targets
            else:
                targets = functools.partial(_through, scope.targets, self.context.fresh("owner"), scope.path)
            yield from self.context.compile_root(nested, targets)


def _through(targets: Callable[[], str], owner: str, path: str) -> str:
    """The value nodes, along ``path``, of the nodes ``targets`` binds to ?this (renamed ``owner``)."""
    return f"{{ {targets().replace('?this', owner)} }} {owner} {path} ?this ."


class QualifiedCheck(Check):
    """Focus nodes with too few or too many value nodes conforming to the qualified value shape."""

    def __init__(self, shape: Shape, path: str | None, build: Callable[[], str], low: int | None, high: int | None):
        super().__init__(shape, path)
        self.build = build
        self.low = low
        self.high = high

    def query(self) -> str:
        return self.build()

    def hits(self, rows: Rows) -> Iterator[Hit]:
        for row in rows:
            n, focus = row["n"], row["this"]
            assert isinstance(n, ox.Literal) and isinstance(focus, OxTerm)
            count = int(n.value)
            if self.high is not None and count > self.high:
                yield Hit(focus, self.path, None, component_iri("QualifiedMaxCount"))
            if self.low is not None and count < self.low:
                yield Hit(focus, self.path, None, component_iri("QualifiedMinCount"))


class QualifiedValueShapeComponent(
    ConstraintComponent,
    parameters=("qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint"),
):
    """sh:qualifiedValueShape."""

    def __init__(self, context: Context, shape: Shape, params: Params) -> None:
        super().__init__(context, shape, params)
        if (
            len(self.values) > 1
            or len(params.get("qualifiedMinCount", [])) > 1
            or len(params.get("qualifiedMaxCount", [])) > 1
        ):
            raise Unsupported("several qualified value shapes")
        if any(getattr(d, "value", False) for d in params.get("qualifiedValueShapesDisjoint", [])):
            raise Unsupported("sh:qualifiedValueShapesDisjoint")
        low = [int(v.value) for v in params.get("qualifiedMinCount", [])]  # type: ignore[attr-defined]
        high = [int(v.value) for v in params.get("qualifiedMaxCount", [])]  # type: ignore[attr-defined]
        self.low = low[0] if low else None
        self.high = high[0] if high else None

    @classmethod
    def shapes_used(cls, shapes: ShapesView, params: Params) -> list[Shape]:
        return [shapes.lookup(n) for n in params.get(cls.parameters[0], [])]

    def nested(self) -> Shape:
        return self.context.shapes.lookup(self.values[0])

    def checks(self, scope: Scope) -> Iterator[Check]:
        if scope.path is None or not self.values:
            return
        conditions = []
        if self.high is not None:
            conditions.append(f"COUNT(DISTINCT ?q) > {self.high}")
        if self.low is not None:
            conditions.append(f"COUNT(DISTINCT ?q) < {self.low}")
        if not conditions:
            return
        nested, path = self.nested(), scope.path

        def build() -> str:
            return (
                f"SELECT ?this (COUNT(DISTINCT ?q) AS ?n) WHERE {{ {scope.focus} "
                f"OPTIONAL {{ ?this {path} ?q . FILTER({self.context.conforms(nested, '?q')}) }} }} "
                f"GROUP BY ?this HAVING ({' || '.join(conditions)})"
            )

        build()  # raises Unsupported now rather than when run
        yield QualifiedCheck(self.shape, scope.path_iri, build, self.low, self.high)

    def conditions(self, var: str, path: str | None) -> Iterator[str]:
        if path is None or not self.values:
            return
        nested = self.nested()

        def at_least(n: int) -> str:
            if n > 3:
                raise Unsupported("qualified count above 3 in a nested shape")
            ys = [self.context.fresh("y") for _ in range(n)]
            triples = " ".join(f"{var} {path} {y} . FILTER({self.context.conforms(nested, y)})" for y in ys)
            distinct = " && ".join(f"!sameTerm({a}, {b})" for i, a in enumerate(ys) for b in ys[i + 1 :])
            return f"EXISTS {{ {triples} {f'FILTER({distinct})' if distinct else ''} }}"

        if self.high is not None:
            yield f"!{at_least(self.high + 1)}"
        if self.low is not None and self.low > 0:
            yield at_least(self.low)
