"""pySHACL, the reference engine: the only module that imports it.

Two uses: the plain pySHACL run (:func:`validate_graph`, the ``"pyshacl"`` engine), and the pySHACL
internals the compiled engine leans on to stay exactly pySHACL's — its shape parser
(:class:`pyshacl.shapes_graph.ShapesGraph`), its constraint components (looked up in
``CONSTRAINT_PARAMETERS_MAP`` and run on single values with a ``SHACLExecutor``), its SHACL-SPARQL
constraints (``SPARQLBasedConstraint``), its ``sh:lessThan`` comparison (``_compare_lt``) and its
``ReportableRuntimeError``. Each sits behind a small typed function here, so a pySHACL upgrade that
moves one fails in ``tests/test_reference.py``, naming it, rather than deep in a validation run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from claimgraph.errors import ShapesError
from claimgraph.namespaces import SH

if TYPE_CHECKING:
    import rdflib
    from rdflib.term import Node

__all__ = [
    "PINNED",
    "ReferenceResult",
    "Shape",
    "ShapesIndex",
    "SparqlConstraint",
    "clone_blank_node",
    "core_components",
    "fails_less_than",
    "generic_messages",
    "is_constraint_parameter",
    "prepared_queries",
    "read_shapes",
    "refusals",
    "run_shapes",
    "sparql_constraints",
    "sparql_path",
    "validate_graph",
    "value_judge",
]

#: The pySHACL versions ``pyproject.toml`` pins (lowest included, highest excluded).
PINNED = ((0, 30), (0, 41))


class Shape(Protocol):
    """What the compiler reads of a pySHACL ``Shape``."""

    @property
    def node(self) -> Node: ...

    @property
    def deactivated(self) -> bool: ...

    @property
    def is_property_shape(self) -> bool: ...

    @property
    def severity(self) -> Node: ...

    def path(self) -> Node: ...

    def target(self) -> tuple[Sequence[Node], Sequence[Node], Sequence[Node], Sequence[Node], Sequence[Node]]: ...


class SparqlConstraint(Protocol):
    """What the compiler reads of a pySHACL ``SPARQLConstraintComponent`` helper (one sh:sparql)."""

    @property
    def node(self) -> Node: ...

    @property
    def deactivated(self) -> bool: ...

    @property
    def messages(self) -> Sequence[Node]: ...

    def pre_bind_variables(self, focus: Node | None) -> tuple[dict[str, Node], str]: ...



@dataclass
class ShapesIndex:
    """pySHACL's reading of a shapes graph: its shapes, and whether it declares SPARQL-based components."""

    shapes: list[Shape]
    custom_constraints: bool


@contextmanager
def prepared_queries() -> Iterator[None]:
    """While it lasts, rdflib parses each distinct query text once, not once per call.

    pySHACL runs a SHACL-SPARQL constraint as one query per focus node, passing the query as text, and
    rdflib parses the text again each time: about 85% of a reference run on the bundled shapes. Inside
    this context the parsed and translated query is kept per text (with its base and namespaces) and
    reused, which rdflib supports (it is what ``prepareQuery`` gives); the cache ends with the context.
    """
    from rdflib.plugins.sparql import processor
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    plain = processor.SPARQLProcessor.query
    cache: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], object] = {}

    def query(
        self: object,
        text: object,
        initBindings: object = None,
        initNs: Mapping[str, object] | None = None,
        base: str | None = None,
        DEBUG: bool = False,
    ) -> object:
        if isinstance(text, str):
            key = (text, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            if key not in cache:
                cache[key] = translateQuery(parseQuery(text), base, initNs)
            text = cache[key]
        return plain(self, text, initBindings, initNs, base, DEBUG)  # type: ignore[arg-type]

    processor.SPARQLProcessor.query = query  # type: ignore[assignment,method-assign]
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = plain  # type: ignore[method-assign]


@contextmanager
def refusals(*, any_error: bool = True) -> Iterator[None]:
    """pySHACL refusing the shapes as a one-line :class:`ShapesError`: a malformed shape or constraint
    (its ``ReportableRuntimeError``), and with ``any_error`` any other error of a pySHACL run (a
    SPARQL constraint rdflib cannot read raises whatever rdflib raises)."""
    from pyshacl.errors import ReportableRuntimeError

    try:
        yield
    except ReportableRuntimeError as error:
        raise ShapesError(" ".join(str(error.message).split())) from None
    except ShapesError:
        raise
    except Exception as error:
        if not any_error:
            raise
        raise ShapesError(" ".join(f"{type(error).__name__}: {error}".split())) from None


def validate_graph(data: rdflib.Graph, shapes: rdflib.Graph) -> rdflib.Graph:
    """pySHACL's report graph for ``data`` against ``shapes`` (no inference, every severity).

    :raises ShapesError: if pySHACL refuses the shapes.
    """
    import pyshacl
    import rdflib

    with prepared_queries(), refusals():
        _, report_graph, _ = pyshacl.validate(
            data,
            shacl_graph=shapes,
            inference="none",
            abort_on_first=False,
            allow_warnings=False,
            allow_infos=False,
            meta_shacl=False,
            advanced=False,
        )
    if isinstance(report_graph, Exception):  # pySHACL returns a ValidationFailure rather than raising it
        raise ShapesError(" ".join(str(report_graph).split()))
    assert isinstance(report_graph, rdflib.Graph)
    return report_graph


def clone_blank_node(source: rdflib.Graph, node: Node, target: rdflib.Graph) -> Node:
    """A copy in ``target`` of blank node ``node`` of ``source`` with the triples describing it, as
    pySHACL copies blank nodes into its reports (``rdfutil.clone_blank_node``)."""
    import rdflib
    from pyshacl.rdfutil.clone import clone_blank_node as clone

    assert isinstance(node, rdflib.BNode)
    copied: Node = clone(source, node, target)
    return copied


def sparql_path(graph: rdflib.Graph, node: Node) -> str:
    """The SHACL property path ``node`` of ``graph`` in SPARQL's syntax, as pySHACL writes it."""
    from pyshacl.helper.path_helper import shacl_path_to_sparql_path
    from pyshacl.shapes_graph import ShapesGraph

    with refusals():
        return str(shacl_path_to_sparql_path(ShapesGraph(graph), node))


def read_shapes(graph: rdflib.Graph) -> ShapesIndex:
    """The shapes of ``graph`` as pySHACL's ``ShapesGraph`` parses them."""
    from pyshacl.shapes_graph import ShapesGraph

    sg = ShapesGraph(graph)
    return ShapesIndex(shapes=list(sg.shapes), custom_constraints=bool(sg.custom_constraints))


def is_constraint_parameter(iri: str) -> bool:
    """Is ``iri`` a parameter of one of pySHACL's core constraint components?"""
    import rdflib
    from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP

    return rdflib.URIRef(iri) in CONSTRAINT_PARAMETERS_MAP


def core_components() -> dict[str, str]:
    """pySHACL's map of core constraint parameters: each parameter's IRI -> the name of its component class."""
    from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP

    return {str(parameter): component.__name__ for parameter, component in CONSTRAINT_PARAMETERS_MAP.items()}


def _component(shape: Shape, local: str) -> object:
    import rdflib
    from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP

    return CONSTRAINT_PARAMETERS_MAP[rdflib.URIRef(SH + local)](shape)  # type: ignore[arg-type]


def value_judge(shape: Shape, local: str) -> Callable[[list[Node]], set[Node]]:
    """pySHACL's component of sh:``local`` on ``shape``, run on each value as its own focus node.

    The function returned takes rdflib values and returns those the component rejects.
    """
    import rdflib
    from pyshacl.pytypes import SHACLExecutor

    component = _component(shape, local)
    executor = SHACLExecutor()
    empty = rdflib.Graph()
    focus_node = rdflib.URIRef(SH + "focusNode")

    def judge(values: list[Node]) -> set[Node]:
        if not values:
            return set()
        _, reports = component.evaluate(executor, empty, {v: {v} for v in values}, [])  # type: ignore[attr-defined]
        rejected: set[Node] = set()
        for _, node, triples in reports:
            for s, p, o in triples:
                if s == node and p == focus_node:
                    rejected.add(o[1] if isinstance(o, tuple) else o)
        return rejected

    return judge


def generic_messages(shape: Shape, local: str) -> Callable[[rdflib.Graph, Node, Node | None], list[Node]]:
    """pySHACL's own default messages (``make_generic_messages``) of the component of sh:``local`` on ``shape``.

    The function returned takes the data graph (pySHACL describes nodes from it, blank nodes by their
    triples, IRIs with its prefixes), the focus node and the value node.
    """
    component = _component(shape, local)

    def messages(data: rdflib.Graph, focus: Node, value: Node | None) -> list[Node]:
        return list(component.make_generic_messages(data, focus, value))  # type: ignore[attr-defined]

    return messages


def fails_less_than(shape: Shape, local: str, focus: Node, value: Node, other: Node) -> bool:
    """pySHACL's own sh:lessThan (or sh:lessThanOrEquals) comparison of one pair of values.

    :raises pyshacl.errors.ReportableRuntimeError: for a blank node, as pySHACL does.
    """
    import rdflib
    from pyshacl.errors import ReportableRuntimeError

    if isinstance(value, rdflib.BNode) or isinstance(other, rdflib.BNode):
        raise ReportableRuntimeError("Cannot use sh:lessThan to compare a BlankNode.")
    component = _component(shape, local)
    compare = component._compare_ltoe if local == "lessThanOrEquals" else component._compare_lt  # type: ignore[attr-defined]
    failing, _ = compare({value}, {other}, rdflib.Graph(), focus)
    return bool(failing)


def sparql_constraints(shape: Shape) -> list[SparqlConstraint]:
    """The SHACL-SPARQL constraints (sh:sparql) of ``shape``, as pySHACL reads them."""
    from pyshacl.constraints.sparql.sparql_based_constraints import SPARQLBasedConstraint

    return list(SPARQLBasedConstraint(shape).sparql_constraints)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ReferenceResult:
    """One result of pySHACL's own validation of a shape, as rdflib terms."""

    severity: Node
    shape: Node
    focus: Node
    path: Node | None
    value: Node | None
    component: Node
    message: Node | None


_FIELDS = {
    SH + "sourceShape": "shape",
    SH + "focusNode": "focus",
    SH + "value": "value",
    SH + "resultPath": "path",
    SH + "sourceConstraintComponent": "component",
    SH + "resultSeverity": "severity",
    SH + "resultMessage": "message",
}


def run_shapes(shapes: Sequence[Shape], data: rdflib.Graph) -> Iterator[ReferenceResult]:
    """Validate ``data`` against each of ``shapes`` with pySHACL itself, shape by shape."""
    from pyshacl.pytypes import SHACLExecutor

    executor = SHACLExecutor()
    for shape in shapes:
        with prepared_queries(), refusals():
            _, reports = shape.validate(executor, data)  # type: ignore[attr-defined]
        for _, result, triples in reports:
            found: dict[str, Node] = {}
            for s, p, o in triples:
                if s == result and str(p) in _FIELDS:
                    found.setdefault(_FIELDS[str(p)], o[1] if isinstance(o, tuple) else o)
            yield ReferenceResult(
                severity=found["severity"],
                shape=found["shape"],
                focus=found["focus"],
                path=found.get("path"),
                value=found.get("value"),
                component=found["component"],
                message=found.get("message"),
            )
