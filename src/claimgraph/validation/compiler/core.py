"""The compiler: the map from each sh: parameter to its component, and what the components share —
focus nodes as patterns, class membership, conformance to a nested shape, value tests judged in Python.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox

from claimgraph.namespaces import SH
from claimgraph.validation.compiler.base import (
    SUBCLASS,
    TYPE,
    Check,
    ConstraintComponent,
    Judged,
    Scope,
    ShapesView,
    Target,
    Unsupported,
    nt,
    ox_term,
    select,
    sparql_path,
    subclasses,
)
from claimgraph.validation.compiler.closed import ClosedComponent
from claimgraph.validation.compiler.counts import (
    HasValueComponent,
    MaxCountComponent,
    MinCountComponent,
    UniqueLangComponent,
)
from claimgraph.validation.compiler.logical import (
    AndComponent,
    NodeComponent,
    NotComponent,
    OrComponent,
    PropertyComponent,
    QualifiedValueShapeComponent,
    XoneComponent,
)
from claimgraph.validation.compiler.pairs import (
    DisjointComponent,
    EqualsComponent,
    LessThanComponent,
    LessThanOrEqualsComponent,
)
from claimgraph.validation.compiler.sparql_based import SparqlComponent
from claimgraph.validation.compiler.values import VALUE_COMPONENTS

if TYPE_CHECKING:
    from claimgraph.validation.reference import Shape

__all__ = ["COMPONENTS", "PARAMETER_OF", "SUPPORTED", "Compiler", "select"]

#: Every component the compiler has, in the order a shape's conditions are joined.
COMPONENT_CLASSES: tuple[type[ConstraintComponent], ...] = (
    MinCountComponent,
    MaxCountComponent,
    *VALUE_COMPONENTS,
    NodeComponent,
    NotComponent,
    AndComponent,
    OrComponent,
    XoneComponent,
    HasValueComponent,
    PropertyComponent,
    QualifiedValueShapeComponent,
    LessThanComponent,
    LessThanOrEqualsComponent,
    EqualsComponent,
    DisjointComponent,
    UniqueLangComponent,
    ClosedComponent,
    SparqlComponent,
)
#: Each constraint parameter (its sh: IRI) -> the component it belongs to.
COMPONENTS: dict[str, type[ConstraintComponent]] = {
    parameter: cls for cls in COMPONENT_CLASSES for parameter in cls.constraint_parameters()
}
#: Each component's IRI -> the sh: parameter (local name) that selects it.
PARAMETER_OF: dict[str, str] = {cls.iri(): cls.parameters[0] for cls in COMPONENT_CLASSES} | {
    f"{SH}Qualified{bound}CountConstraintComponent": "qualifiedValueShape" for bound in ("Min", "Max")
}
#: Constraint parameters the compiler handles (local names in sh:); any other parameter on a shape
#: sends that shape to pySHACL.
SUPPORTED = frozenset(parameter.removeprefix(SH) for parameter in COMPONENTS)


# The variables _through (logical) binds to the owners of a nested property shape's focus nodes.
_OWNER = re.compile(r"\?_owner[0-9]+")


class Compiler:
    """Compiles shapes into checks; what the components ask of it is :class:`~.base.Context`."""

    def __init__(self, shapes: ShapesView) -> None:
        self.shapes = shapes
        self.judges: dict[tuple[object, ...], Judged] = {}
        self.counter = 0
        self.parents: dict[object, list[Shape]] = {}
        self.depth = 0
        self.classes: set[str] = set()
        self.subclasses: dict[str, list[str]] = {}
        self.markers: dict[str, Callable[[], str]] = {}

    def fresh(self, stem: str = "x") -> str:
        self.counter += 1
        return f"?_{stem}{self.counter}"

    def components(self, shape: Shape) -> list[ConstraintComponent]:
        """The components of ``shape``, in :data:`COMPONENT_CLASSES` order.

        :raises Unsupported: for a constraint parameter no component here handles.
        """
        from claimgraph.validation.reference import is_constraint_parameter

        params = self.shapes.params(shape)
        for local in sorted(params):  # sorted: the same parameter named every run
            if is_constraint_parameter(SH + local) and SH + local not in COMPONENTS:
                raise Unsupported(f"sh:{local} on {shape.node}")
        if self.shapes.custom_constraints:
            raise Unsupported("SPARQL-based constraint components")
        present = {COMPONENTS[SH + local] for local in params if SH + local in COMPONENTS}
        return [cls(self, shape, params) for cls in COMPONENT_CLASSES if cls in present]

    # --- structure: which shapes use which, and each shape's focus nodes as a pattern ----------------

    def build_parents(self, roots: Iterable[Shape]) -> None:
        """Record, for every shape reachable from ``roots``, the shapes that evaluate it."""
        seen: set[object] = set()
        stack = list(roots)
        while stack:
            shape = stack.pop()
            if shape.node in seen:
                continue
            seen.add(shape.node)
            params = self.shapes.params(shape)
            try:
                children = [
                    child
                    for cls in COMPONENT_CLASSES
                    if cls.parameters[0] in params
                    for child in cls.shapes_used(self.shapes, params)
                ]
            except Unsupported:
                continue
            for child in children:
                self.parents.setdefault(child.node, []).append(shape)
                stack.append(child)

    # Class membership follows rdfs:subClassOf* in the data. When the checks run, the subclasses of
    # each class are looked up once (:attr:`subclasses`) and listed in the queries: Oxigraph then
    # reads rdf:type by index instead of walking the hierarchy for every node.

    def instance_pattern(self, var: str, cls: str) -> str:
        """A pattern binding ``var`` to every instance of ``cls`` or of its subclasses."""
        found = self._subclasses(cls)
        if found is None:
            return f"{var} {TYPE}/{SUBCLASS}* {cls} ."
        t = self.fresh("t")
        return f"VALUES {t} {{ {' '.join(found)} }} {var} {TYPE} {t} ."

    def instance_test(self, var: str, cls: str) -> str:
        found = self._subclasses(cls)
        if found is None:
            return f"EXISTS {{ {var} {TYPE}/{SUBCLASS}* {cls} }}"
        t = self.fresh("t")
        return f"EXISTS {{ {var} {TYPE} {t} . FILTER({t} IN ({', '.join(found)})) }}"

    def _subclasses(self, cls: str) -> list[str] | None:
        """``cls`` and its subclasses, once looked up (None before, or where a blank node is among them)."""
        self.classes.add(cls)
        return self.subclasses.get(cls)

    def look_up_subclasses(self, target: Target) -> None:
        self.subclasses = {}
        for cls in sorted(self.classes):
            found = subclasses(functools.partial(select, target), cls)
            if found is not None:  # else a blank node class: the path stays
                self.subclasses[cls] = sorted({nt(c) for c in found if isinstance(c, ox.NamedNode | ox.Literal)})

    def targets(self, shape: Shape, var: str) -> str:
        """A group pattern binding ``var`` to the shape's target nodes (empty string: none)."""
        branches: list[str] = []
        nodes, classes, implicit, objects_of, subjects_of = (list(t) for t in shape.target())
        if nodes:
            branches.append(f"VALUES {var} {{ {' '.join(nt(ox_term(n)) for n in nodes)} }}")
        for cls in [*classes, *implicit]:
            branches.append(self.instance_pattern(var, nt(ox_term(cls))))
        for p in subjects_of:
            branches.append(f"{var} {nt(ox_term(p))} {self.fresh('any')} .")
        for p in objects_of:
            branches.append(f"{self.fresh('any')} {nt(ox_term(p))} {var} .")
        return " UNION ".join(f"{{ {b} }}" for b in branches)

    def focus_pattern(self, shape: Shape, var: str, depth: int = 0) -> str:
        """Every node ``shape`` may be evaluated on (targets, and value nodes of shapes using it)."""
        if depth > 20:
            raise Unsupported("shapes nested too deep")
        branches = []
        own = self.targets(shape, var)
        if own:
            branches.append(own)
        for parent in self.parents.get(shape.node, []):
            branches.append(self.value_pattern(parent, var, depth + 1))
        if not branches:
            return "FILTER(false)"
        return " UNION ".join(f"{{ {b} }}" for b in branches)

    def value_pattern(self, shape: Shape, var: str, depth: int = 0) -> str:
        """Every value node of ``shape`` (its focus nodes, or their values along its path)."""
        if not shape.is_property_shape:
            return self.focus_pattern(shape, var, depth)
        focus = self.fresh("f")
        path = sparql_path(self.shapes, shape.path())
        return f"{{ {self.focus_pattern(shape, focus, depth)} }} {focus} {path} {var} ."

    def judged(self, judge: Judged) -> Judged:
        found = self.judges.get(judge.key)
        if found is not None:
            return found
        self.judges[judge.key] = judge
        v = self.fresh("v")
        self.value_pattern(judge.shape, v)  # raises Unsupported now rather than when run
        judge.populations.append((v, lambda: self.value_pattern(judge.shape, v)))
        return judge

    # --- conformance of a value node to a nested shape, as a SPARQL expression -----------------------

    def conforms(self, shape: Shape, var: str) -> str:
        """SPARQL expression: the node in ``var`` conforms to ``shape`` (as pySHACL judges it)."""
        self.depth += 1
        try:
            if self.depth > 12:
                raise Unsupported(f"shapes nested too deep (recursive?) at {shape.node}")
            if shape.deactivated:
                return "true"
            path = sparql_path(self.shapes, shape.path()) if shape.is_property_shape else None
            parts = [c for component in self.components(shape) for c in component.conditions(var, path)]
            return "(" + " && ".join(parts) + ")" if parts else "true"
        finally:
            self.depth -= 1

    # --- the checks of a validating shape ------------------------------------------------------------

    def marker(self, build: Callable[[], str]) -> str:
        """A placeholder for a pattern built when the checks run (it lists subclasses found then)."""
        text = f"%%FOCUS{len(self.markers)}%%"
        self.markers[text] = build
        return text

    def expand(self, query: str) -> str:
        """``query`` with its placeholders replaced by the patterns they stand for."""
        while "%%FOCUS" in query:
            for text, build in self.markers.items():
                if text in query:
                    query = query.replace(text, build())
        return query

    def compile_root(self, shape: Shape, targets: Callable[[], str]) -> list[Check]:
        """The checks producing the results of ``shape`` on the nodes ``targets`` binds to ?this.

        Every query is built once here, to find what is unsupported (and to register the value tests
        it needs), and again when run, once the values judged in Python are known.
        """
        if shape.deactivated:
            return []
        components = self.components(shape)
        messages = self.shapes.objects(shape, "message")
        if len(messages) > 1:
            raise Unsupported(f"{shape.node} has {len(messages)} sh:message (pySHACL gives a result several messages)")
        if len(self.shapes.objects(shape, "severity")) > 1:
            raise Unsupported(f"{shape.node} has several sh:severity")
        focus = self.marker(lambda: f"{{ SELECT DISTINCT ?this WHERE {{ {targets()} }} }}")
        if shape.is_property_shape:
            path: str | None = sparql_path(self.shapes, shape.path())
            path_iri: str | None = str(shape.path())  # a blank node's id for a complex path, as pySHACL reports it
        else:
            path = path_iri = None
        scope = Scope(focus, path, path_iri, targets, members=self.marker(lambda: f"{{ {targets()} }}"))
        checks: list[Check] = []
        for component in components:
            for check in component.checks(scope):
                if not any(earlier.combine(check) for earlier in checks):
                    checks.append(check)
        owners = sorted(set(_OWNER.findall(targets())))
        if owners:  # reached through values of a property shape: once per chain of owners
            chain = " ".join(owners)

            def multiplicity() -> str:
                distinct = f"SELECT DISTINCT ?this {chain} WHERE {{ {targets()} }}"
                return f"SELECT ?this (COUNT(*) AS ?n) WHERE {{ {distinct} }} GROUP BY ?this"

            for check in checks:
                check.multiplicity = multiplicity
        return checks
