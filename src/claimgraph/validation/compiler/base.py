"""What every constraint component is built from: the shapes as pySHACL reads them, term and path text,
checks (one query and how its rows become results), and the :class:`ConstraintComponent` base class.

A component sees the compiler only through :class:`Context`, so the components import this module and
nothing of the compiler that assembles them.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, ClassVar, Protocol, TypeAlias

import pyoxigraph as ox

from claimgraph.errors import ClaimgraphError
from claimgraph.namespaces import RDF, RDFS, SH, XSD
from claimgraph.terms import to_rdflib_term
from claimgraph.validation.results import Severity, ValidationResult

if TYPE_CHECKING:
    import rdflib
    from rdflib.term import Node

    from claimgraph.sparql.engines import Engine
    from claimgraph.validation.reference import Shape

__all__ = [
    "Check",
    "ConstraintComponent",
    "Context",
    "Finding",
    "Hit",
    "OxTerm",
    "Params",
    "Row",
    "Rows",
    "Scope",
    "ShapesView",
    "Target",
    "Unsupported",
    "UnsupportedShapesError",
    "ValueCheck",
    "component_iri",
    "declared_prefixes",
    "nt",
    "ox_term",
    "select",
    "severity",
    "sparql_path",
    "subclasses",
    "text",
]

#: A term as the store holds it.
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


class Row(Protocol):
    """A solution of a check: a pyoxigraph ``QuerySolution``, or a mapping of variable names to terms."""

    def __getitem__(self, key: str, /) -> object: ...


#: The solutions of a check.
Rows = Iterable[Row]
#: The sh: parameters of one shape: local name -> the values it is given.
Params = Mapping[str, Sequence["Node"]]

TYPE = f"<{RDF.type}>"
SUBCLASS = f"<{RDFS.subClassOf}>"
XSD_STRING = f"<{XSD.string}>"
LANG_STRING = f"<{RDF.langString}>"
#: Lexical forms of xsd:integer that rdflib surely parses to the value SPARQL sees.
INTEGER_CANONICAL = r"^-?(0|[1-9][0-9]{0,17})$"


class Unsupported(Exception):
    """A shape (or a shape it uses) the compiler cannot express exactly; pySHACL validates it."""


class UnsupportedShapesError(ClaimgraphError):
    """The fast engine alone was asked for, but some shapes need pySHACL.

    :param reasons: for each such shape (IRI), why the compiler cannot express it.
    """

    def __init__(self, reasons: dict[str, str]) -> None:
        listed = "; ".join(f"<{shape}>: {' '.join(why.split())}" for shape, why in sorted(reasons.items()))
        super().__init__(f"the fast validation engine cannot compile {len(reasons)} shape(s): {listed}")
        self.reasons = reasons


@dataclass(frozen=True)
class Finding:
    """One validation result, with the RDF terms behind its text for the Turtle report.

    The terms are pyoxigraph's, or rdflib's for results of the reference engine.
    """

    result: ValidationResult
    focus_term: object = None
    value_term: object = None
    message_term: object = None


def severity(iri: object) -> Severity:
    """sh:Violation, sh:Warning, sh:Info or a custom severity (an IRI or rdflib term) as a :class:`Severity`."""
    return Severity.of(iri)


def component_iri(name: str) -> str:
    """``MinCount`` -> the IRI of sh:MinCountConstraintComponent."""
    return f"{SH}{name}ConstraintComponent"


def nt(term: OxTerm | ox.Triple) -> str:
    """A term as SPARQL text (N-Triples form; blank nodes cannot be written, so they are refused)."""
    if isinstance(term, ox.BlankNode | ox.Triple):
        raise Unsupported("a blank node or triple term as a constant")
    return str(term)


# The two tests below say in standard SPARQL what sameTerm and DATATYPE(…) = say, in a form real stores
# evaluate right: Virtuoso 7.2 evaluates sameTerm wrong under ||, finds an IRI = a string of its text,
# and takes DATATYPE of a language-tagged string for an error (SPARQL 1.0's rule), so the language is
# tested first (docs/stores.md, "Validating inside the store").


def same_term(var: str, term: OxTerm | ox.Triple) -> str:
    """SPARQL true exactly when ``var`` is ``term`` (an IRI or a literal), as ``sameTerm`` is."""
    if isinstance(term, ox.NamedNode):
        return f"(isIRI({var}) && STR({var}) = {nt(ox.Literal(term.value))})"
    if isinstance(term, ox.Literal):
        # STR of the constant, not its text: a store that keeps a value's canonical form (Oxigraph:
        # "05"^^xsd:integer as 5) reads the constant so too.
        lexical = f"STR({nt(term)})"
        if term.language:
            return f"(isLiteral({var}) && LANG({var}) = {nt(ox.Literal(term.language))} && STR({var}) = {lexical})"
        return f"({datatype_is(var, term.datatype.value)} && STR({var}) = {lexical})"
    return nt(term)  # a blank node or triple term: raises Unsupported


def datatype_is(var: str, datatype: str) -> str:
    """SPARQL true exactly when ``var`` is a literal of ``datatype``, false (not an error) for any other term."""
    if datatype == str(RDF.langString):
        return f'(isLiteral({var}) && LANG({var}) != "")'
    return f'(isLiteral({var}) && LANG({var}) = "" && DATATYPE({var}) = <{datatype}>)'


def text(term: OxTerm | ox.Triple | None) -> str | None:
    """A term as pySHACL's report shows it: rdflib's string of the term (literals normalised by rdflib)."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return str(to_rdflib_term(term))
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def ox_term(term: Node) -> OxTerm:
    """An rdflib term of the shapes graph as an Oxigraph term (as the store would hold it)."""
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise Unsupported(f"unexpected term {term!r}")


class ShapesView:
    """pySHACL's view of the shapes graph: its shapes, and each shape's sh: parameters."""

    def __init__(self, graph: rdflib.Graph) -> None:
        from claimgraph.validation.reference import read_shapes

        self.graph = graph
        index = read_shapes(graph)
        self.custom_constraints = index.custom_constraints
        self.shapes: list[Shape] = list(index.shapes)
        self.by_node = {s.node: s for s in self.shapes}

    def lookup(self, node: Node) -> Shape:
        shape = self.by_node.get(node)
        if shape is None:
            raise Unsupported(f"{node} is used as a shape but pySHACL does not know it as one")
        return shape

    def params(self, shape: Shape) -> dict[str, list[Node]]:
        import rdflib

        found: dict[str, list[Node]] = {}
        for p, o in self.graph.predicate_objects(shape.node):
            if isinstance(p, rdflib.URIRef) and str(p).startswith(SH):
                found.setdefault(str(p).removeprefix(SH), []).append(o)
        return found

    def objects(self, shape: Shape, local: str) -> list[Node]:
        import rdflib

        return list(self.graph.objects(shape.node, rdflib.URIRef(SH + local)))

    def items(self, node: Node) -> list[Node]:
        return list(self.graph.items(node))

    def shape_list(self, head: Node) -> list[Shape]:
        """The shapes of an RDF list (sh:and, sh:or, sh:xone)."""
        return [self.lookup(n) for n in self.items(head)]


def sparql_path(shapes: ShapesView, path: Node) -> str:
    """A SHACL property path as a SPARQL property path."""
    import rdflib

    if isinstance(path, rdflib.URIRef):
        return f"<{path}>"
    if not isinstance(path, rdflib.BNode):
        raise Unsupported(f"path {path!r}")
    g = shapes.graph
    if g.value(path, rdflib.RDF.first) is not None:
        return "(" + "/".join(sparql_path(shapes, p) for p in shapes.items(path)) + ")"
    for local, template in (
        ("inversePath", "^({})"),
        ("zeroOrMorePath", "({})*"),
        ("oneOrMorePath", "({})+"),
        ("zeroOrOnePath", "({})?"),
    ):
        inner = g.value(path, rdflib.URIRef(SH + local))
        if inner is not None:
            return template.format(sparql_path(shapes, inner))
    alternatives = g.value(path, rdflib.URIRef(SH + "alternativePath"))
    if alternatives is not None:
        return "(" + "|".join(sparql_path(shapes, p) for p in shapes.items(alternatives)) + ")"
    raise Unsupported(f"path {path!r}")


def sub(template: str, var: str) -> str:
    """``template`` with ``{0}`` replaced by the variable ``var`` (regexes keep their own braces)."""
    return template.replace("{0}", var)


# ---------------------------------------------------------------------------------------------------
# Checks: one query each, and how its rows become results
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One result a check found: focus node, reported path, value node and component."""

    focus: OxTerm
    path: str | None
    value: OxTerm | None
    component: str


#: Where checks run: an embedded store, or an engine (a store behind a SPARQL endpoint), whose default
#: graph is the union of the data graphs.
Target: TypeAlias = "ox.Store | Engine"


def select(
    target: Target, query: str, substitutions: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal] | None = None
) -> Rows:
    """The solutions of ``query`` over the union of ``target``'s graphs."""
    if not isinstance(target, ox.Store):
        return target.select(query, bindings=substitutions or None, name="a validation query")
    subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(k): v for k, v in (substitutions or {}).items()
    }
    result = target.query(query, use_default_graph_as_union=True, substitutions=subs or None)
    assert isinstance(result, ox.QuerySolutions)
    return result


def subclasses(rows_of: Callable[[str], Iterable[Row]], cls: str) -> list[object] | None:
    """The class ``cls`` (N-Triples) and its subclasses in the data, found by ``rows_of`` (a SELECT);
    None where a blank node is among them: a query cannot name it, so a ``*`` path must stay."""
    found = [row["c"] for row in rows_of(f"SELECT DISTINCT ?c WHERE {{ ?c {SUBCLASS}* {cls} }}")]
    return None if any(isinstance(c, ox.BlankNode) for c in found) else found


def declared_prefixes(graph: rdflib.Graph, node: Node) -> dict[str, str]:
    """The prefixes a SHACL-SPARQL constraint ``node`` declares: the ``sh:declare`` of its
    ``sh:prefixes``, and of every ontology those import (``owl:imports``, SHACL 5.2.1)."""
    import rdflib

    sh = rdflib.Namespace(SH)
    found: dict[str, str] = {}
    todo = list(graph.objects(node, sh.prefixes))
    seen: set[Node] = set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for declaration in graph.objects(current, sh.declare):
            prefix, namespace = graph.value(declaration, sh.prefix), graph.value(declaration, sh.namespace)
            if prefix is not None and namespace is not None:
                found.setdefault(str(prefix), str(namespace))
        todo.extend(graph.objects(current, rdflib.OWL.imports))
    return found


class Check(ABC):
    """One query whose rows are results of one constraint of one shape.

    The query text is built when the check runs (:meth:`query`): by then the compiler knows the
    subclasses of every class and the values judged in Python.
    """

    def __init__(self, shape: Shape, path: str | None) -> None:
        self.shape = shape
        self.path = path  # the reported sh:resultPath (a blank node's id for a complex path)
        self.root: Shape = shape  # the validating shape whose validation produced this check
        #: For a shape reached through the values of a property shape: a query counting, per focus
        #: node, the distinct chains of owners it is reached through. SHACL validates the node once
        #: per owner, so each of its results counts that many times.
        self.multiplicity: Callable[[], str] | None = None

    @abstractmethod
    def query(self) -> str:
        """The SPARQL text of the check (placeholders still to be expanded by the compiler)."""

    @abstractmethod
    def hits(self, rows: Rows) -> Iterator[Hit]:
        """The results in the rows of :meth:`query`."""

    def solutions(self, target: Target, expand: Callable[[str], str]) -> Rows:
        """The rows of the check on ``target`` (``expand`` fills in the compiler's placeholders)."""
        return select(target, expand(self.query()), self.substitutions())

    def combine(self, other: Check) -> bool:
        """Take ``other``'s work into this check's one query if it can (then ``other`` is dropped)."""
        return False

    def substitutions(self) -> dict[str, OxTerm]:
        """Variables the engine pre-binds (``$currentShape``)."""
        return {}

    def predicates(self) -> frozenset[str] | None:
        """The predicates whose literals the engines could value differently, if that matters here.

        An empty set (the default) means the check is exact whatever literals the data holds; None
        means any predicate may matter.
        """
        return frozenset()


class ValueColumn(Enum):
    """Which column of a :class:`ValueCheck`'s rows is the reported value node."""

    VALUE = "?v"
    FOCUS = "?this"
    NONE = ""


class ValueCheck(Check):
    """A check whose rows are ``?this`` (and ``?v``): one result per row, of one component."""

    def __init__(
        self, shape: Shape, path: str | None, component: str, build: Callable[[], str], value: ValueColumn
    ) -> None:
        super().__init__(shape, path)
        self.component = component
        self.build = build
        self.value = value

    def query(self) -> str:
        return self.build()

    def hits(self, rows: Rows) -> Iterator[Hit]:
        for row in rows:
            focus = row["this"]
            assert isinstance(focus, OxTerm)
            value = None
            if self.value is ValueColumn.FOCUS:
                value = focus
            elif self.value is ValueColumn.VALUE:
                found = row["v"]
                assert isinstance(found, OxTerm)
                value = found
            yield Hit(focus, self.path, value, self.component)


@dataclass(frozen=True)
class Scope:
    """Where a validating shape's constraints apply.

    :ivar focus: a group pattern binding ``?this`` to the shape's focus nodes (a placeholder the
        compiler expands when the checks run).
    :ivar path: the shape's SPARQL property path (None for a node shape).
    :ivar path_iri: the path as reported (the path IRI, or a blank node's id for a complex path).
    :ivar targets: builds the pattern binding ``?this`` to the nodes the shape is validated on.
    :ivar members: a group pattern true of the focus nodes (a placeholder, like :attr:`focus`), for a
        query whose own pattern binds ``?this`` to test membership with (``FILTER EXISTS``) rather
        than join with every focus node.
    """

    focus: str
    path: str | None
    path_iri: str | None
    targets: Callable[[], str]
    members: str = ""

    def node_query(self, test: Callable[[str], str]) -> str:
        """Focus nodes (of a node shape) that fail ``test``."""
        return f"SELECT ?this WHERE {{ {self.focus} FILTER(!({test('?this')})) }}"

    def value_query(self, test: Callable[[str], str]) -> str:
        """Focus nodes and value nodes (of a property shape) that fail ``test``."""
        return f"SELECT DISTINCT ?this ?v WHERE {{ {self.focus} ?this {self.path} ?v . FILTER(!({test('?v')})) }}"


class Context(Protocol):
    """What a component may ask of the compiler that assembles it."""

    shapes: ShapesView

    def fresh(self, stem: str) -> str:
        """A variable name used nowhere else."""

    def conforms(self, shape: Shape, var: str) -> str:
        """SPARQL expression: the node in ``var`` conforms to ``shape``."""

    def instance_test(self, var: str, cls: str) -> str:
        """SPARQL expression: the node in ``var`` is an instance of ``cls`` or of its subclasses."""

    def judged(self, judge: Judged) -> Judged:
        """Register a value test decided partly in Python (the same test once per shape and value)."""

    def compile_root(self, shape: Shape, targets: Callable[[], str]) -> list[Check]:
        """The checks of ``shape`` validated on the nodes ``targets`` binds to ``?this``."""


@dataclass
class Judged:
    """A value test that SPARQL decides for the plain values and pySHACL's component for the rest.

    ``sure_bad`` is a SPARQL expression true only of values the component surely rejects,
    ``sure_ok`` one true only of values it surely accepts; values that are neither are judged by
    ``judge`` (pySHACL's component on each value), and those it rejects are listed in ``bad``.
    """

    key: tuple[object, ...]
    shape: Shape
    sure_bad: Callable[[str], str]
    sure_ok: Callable[[str], str]
    judge: Callable[[list[Node]], set[Node]]
    #: (variable, pattern binding it to the values the test can meet)
    populations: list[tuple[str, Callable[[], str]]] = field(default_factory=list)
    bad: list[OxTerm] = field(default_factory=list)

    def ok(self, var: str) -> str:
        """SPARQL: the component accepts the value in ``var`` (exact once :attr:`bad` is known)."""
        test = f"!({self.sure_bad(var)})"
        if self.bad:
            test += " && !(" + " || ".join(same_term(var, t) for t in self.bad) + ")"
        return f"({test})"


# ---------------------------------------------------------------------------------------------------
# Constraint components
# ---------------------------------------------------------------------------------------------------


class ConstraintComponent(ABC):
    """One SHACL constraint component on one shape, with the values its parameters have there.

    Subclasses name their ``parameters`` in the class statement (sh: local names; the first selects
    the component, the others are optional, as sh:flags for sh:pattern) and, where it is not the
    first parameter capitalised, their ``name`` (the IRI is sh:{name}ConstraintComponent). A
    component either yields the checks of a validating shape (:meth:`checks`) or the SPARQL
    conditions a value node must meet when the shape is used inside another one (:meth:`conditions`).
    """

    parameters: ClassVar[tuple[str, ...]]
    name: ClassVar[str]
    #: Whether the first parameter may be given only once per shape.
    single: ClassVar[bool] = False

    def __init_subclass__(cls, *, parameters: tuple[str, ...] = (), name: str = "", **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if parameters:  # a component, not an intermediate base class
            cls.parameters = parameters
            cls.name = name or parameters[0][0].upper() + parameters[0][1:]

    def __init__(self, context: Context, shape: Shape, params: Params) -> None:
        self.context = context
        self.shape = shape
        self.values = list(params.get(self.parameters[0], []))
        self.params = params
        if self.single and len(self.values) > 1:
            raise Unsupported(f"several sh:{self.parameters[0]} on {shape.node}")

    @classmethod
    def constraint_parameters(cls) -> list[str]:
        """The IRIs of the component's parameters."""
        return [SH + local for local in cls.parameters]

    @classmethod
    def iri(cls) -> str:
        return component_iri(cls.name)

    @classmethod
    def shapes_used(cls, shapes: ShapesView, params: Params) -> list[Shape]:
        """The shapes this component evaluates on the value nodes (none but for shape-based ones)."""
        return []

    @abstractmethod
    def checks(self, scope: Scope) -> Iterator[Check]:
        """The checks that find this component's results on the shape's focus nodes."""

    @abstractmethod
    def conditions(self, var: str, path: str | None) -> Iterator[str]:
        """SPARQL expressions, all true iff the node in ``var`` meets the component.

        ``path`` is the SPARQL path of a property shape (its value nodes are reached from ``var``
        along it), None for a node shape (``var`` is the value node).
        """


class ValueComponent(ConstraintComponent):
    """A component that judges each value node on its own (sh:datatype, sh:class, sh:node …)."""

    @abstractmethod
    def tests(self) -> Iterator[Callable[[str], str]]:
        """For each value of the parameter, a SPARQL test of one value node (in the variable given)."""

    def checks(self, scope: Scope) -> Iterator[Check]:
        for test in self.tests():
            if scope.path is None:
                check = ValueCheck(
                    self.shape, None, self.iri(), functools.partial(scope.node_query, test), ValueColumn.FOCUS
                )
            else:
                check = ValueCheck(
                    self.shape,
                    scope.path_iri,
                    self.iri(),
                    functools.partial(scope.value_query, test),
                    ValueColumn.VALUE,
                )
            check.query()  # raises Unsupported now rather than when run
            yield check

    def conditions(self, var: str, path: str | None) -> Iterator[str]:
        for test in self.tests():
            if path is None:
                yield test(var)
            else:
                y = self.context.fresh("y")
                yield f"NOT EXISTS {{ {var} {path} {y} . FILTER(!({test(y)})) }}"
