"""SHACL validation compiled to SPARQL and run inside the embedded Oxigraph store.

pySHACL, the reference, evaluates every constraint once per focus node in Python, and its SHACL-SPARQL
constraints through rdflib's SPARQL engine: minutes at a million triples. This engine reads the same
shapes graph (generically: nothing here knows claimgraph's shapes), through pySHACL's own shape
parser, and turns every constraint of every shape that has targets into one SPARQL query that returns
all the results of that constraint at once, evaluated by Oxigraph over the union of the named graphs.
The results are pySHACL's, field for field (severity, shape, focus, path, value, component, message);
``tests/test_fastvalidate.py`` checks that on every shape test case, the bundled graph and its
mutations, and synthetic corpora with every kind of violation.

How exactness is kept where SPARQL and pySHACL (Python, rdflib terms) could judge differently:

- Counts (``sh:minCount``, ``sh:maxCount``, qualified counts) count distinct values: Oxigraph's union
  of named graphs repeats a triple stated in two graphs; rdflib's graph does not.
- Value checks that depend on a literal's lexical form (``sh:datatype``, ``sh:pattern``, ranges,
  lengths, ``sh:in`` with typed literals, ``sh:languageIn``) are split: a SPARQL test that is surely
  right for the plain cases (a canonical ``xsd:integer``, a simple string, a wrong datatype) and, for
  every other value the constraint can meet, pySHACL's own component code run in Python on that value.
  The values it rejects are handed back to the SPARQL queries as constants.
- A SHACL-SPARQL constraint runs as written, with ``$this`` left free and joined to the shape's
  targets (one query instead of one per focus node). That is pre-binding only if ``$this`` is bound by
  a triple pattern of the query's top-level group and the query neither slices (LIMIT/OFFSET) nor
  aggregates (duplicates in the union would change a COUNT); the query is checked for that, with
  rdflib's SPARQL parser, before it is trusted. Rows are made distinct over every projected variable,
  as pySHACL deduplicates them.

A shape that uses anything else — a constraint component not listed in :data:`SUPPORTED`, a
SPARQL-based constraint component, nested SPARQL constraints, recursive shapes, a shape without
``sh:message`` (pySHACL's generic messages are not reproduced) — is reported by :func:`compile_shapes`
and validated by pySHACL itself, on the whole data graph, shape by shape: nothing is skipped.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from claimgraph.errors import ClaimgraphError
from claimgraph.namespaces import RDF, RDFS, SH, XSD

if TYPE_CHECKING:
    import rdflib


__all__ = [
    "SUPPORTED",
    "CompiledShapes",
    "Finding",
    "Unsupported",
    "UnsupportedShapesError",
    "compile_shapes",
]

#: Constraint parameters the compiler handles (local names in sh:); any other parameter on a shape
#: sends that shape to pySHACL.
SUPPORTED = frozenset(
    {
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "minExclusive",
        "minInclusive",
        "maxExclusive",
        "maxInclusive",
        "minLength",
        "maxLength",
        "pattern",
        "flags",
        "languageIn",
        "in",
        "hasValue",
        "not",
        "and",
        "or",
        "xone",
        "node",
        "property",
        "qualifiedValueShape",
        "qualifiedMinCount",
        "qualifiedMaxCount",
        "qualifiedValueShapesDisjoint",
        "lessThan",
        "disjoint",
        "sparql",
    }
)

_TYPE = f"<{RDF.type}>"
_SUBCLASS = f"<{RDFS.subClassOf}>"
_XSD_STRING = f"<{XSD.string}>"
_LANG_STRING = f"<{RDF.langString}>"

# Lexical forms that rdflib surely parses to a value of the datatype pySHACL expects (conservative:
# anything else is judged in Python).
_CANONICAL = {
    XSD.integer: r"^-?(0|[1-9][0-9]{0,17})$",
    XSD.nonNegativeInteger: r"^(0|[1-9][0-9]{0,17})$",
    XSD.positiveInteger: r"^[1-9][0-9]{0,17}$",
    XSD.decimal: r"^-?(0|[1-9][0-9]{0,14})(\\.[0-9]{1,14})?$",
    XSD.date: r"^(19|20)[0-9][0-9]-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$",
    XSD.boolean: r"^(true|false)$",
}
_INTEGER_CANONICAL = _CANONICAL[XSD.integer]


class Unsupported(Exception):
    """A shape (or a shape it uses) the compiler cannot express exactly; pySHACL validates it."""


class UnsupportedShapesError(ClaimgraphError):
    """The fast engine alone was asked for, but some shapes need pySHACL.

    :param reasons: for each such shape (IRI), why the compiler cannot express it.
    """

    def __init__(self, reasons: dict[str, str]) -> None:
        listed = "; ".join(f"<{shape}>: {why}" for shape, why in sorted(reasons.items()))
        super().__init__(f"the fast validation engine cannot compile {len(reasons)} shape(s): {listed}")
        self.reasons = reasons


@dataclass(frozen=True)
class Finding:
    """One validation result, in the fields of :class:`claimgraph.validation.ValidationResult`."""

    severity: str  # IRI of sh:Violation, sh:Warning or sh:Info
    shape: str
    focus: str
    path: str | None
    value: str | None
    component: str
    message: str
    focus_term: Any = field(default=None, compare=False, repr=False)
    value_term: Any = field(default=None, compare=False, repr=False)
    message_term: Any = field(default=None, compare=False, repr=False)


def _nt(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """A term as SPARQL text (N-Triples form; blank nodes cannot be written, so they are refused)."""
    if isinstance(term, ox.BlankNode | ox.Triple):
        raise Unsupported("a blank node or triple term as a constant")
    return str(term)


def _text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str | None:
    """A term as pySHACL's report shows it: rdflib's string of the term (literals normalised by rdflib)."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        from claimgraph.terms import to_rdflib_term

        return str(to_rdflib_term(term))
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


# ---------------------------------------------------------------------------------------------------
# Shapes, as pySHACL reads them
# ---------------------------------------------------------------------------------------------------


class _Shapes:
    """pySHACL's view of the shapes graph, and conversions between rdflib and Oxigraph terms."""

    def __init__(self, graph: rdflib.Graph) -> None:
        from claimgraph.validation.reference import read_shapes

        self.graph = graph
        index = read_shapes(graph)
        self.custom_constraints = index.custom_constraints
        self.shapes: list[Any] = list(index.shapes)
        self.by_node = {s.node: s for s in self.shapes}

    def lookup(self, node: Any) -> Any:
        shape = self.by_node.get(node)
        if shape is None:
            raise Unsupported(f"{node} is used as a shape but pySHACL does not know it as one")
        return shape

    def objects(self, shape: Any, local: str) -> list[Any]:
        import rdflib

        return list(self.graph.objects(shape.node, rdflib.URIRef(SH + local)))

    def items(self, node: Any) -> list[Any]:
        return list(self.graph.items(node))


def _ox(term: Any) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as an Oxigraph term (as the store would hold it)."""
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


def _sparql_path(shapes: _Shapes, path: Any) -> str:
    """A SHACL property path as a SPARQL property path."""
    import rdflib

    if isinstance(path, rdflib.URIRef):
        return f"<{path}>"
    if not isinstance(path, rdflib.BNode):
        raise Unsupported(f"path {path!r}")
    g = shapes.graph
    first = g.value(path, rdflib.RDF.first)
    if first is not None:
        return "(" + "/".join(_sparql_path(shapes, p) for p in g.items(path)) + ")"
    for local, template in (
        ("inversePath", "^({})"),
        ("zeroOrMorePath", "({})*"),
        ("oneOrMorePath", "({})+"),
        ("zeroOrOnePath", "({})?"),
    ):
        inner = g.value(path, rdflib.URIRef(SH + local))
        if inner is not None:
            return template.format(_sparql_path(shapes, inner))
    alternatives = g.value(path, rdflib.URIRef(SH + "alternativePath"))
    if alternatives is not None:
        return "(" + "|".join(_sparql_path(shapes, p) for p in g.items(alternatives)) + ")"
    raise Unsupported(f"path {path!r}")


# ---------------------------------------------------------------------------------------------------
# Value checks judged partly in SPARQL, partly by pySHACL's component code
# ---------------------------------------------------------------------------------------------------


@dataclass
class _Atom:
    """A constraint component whose verdict on a value node depends on that value alone.

    ``sure_bad`` is a SPARQL expression true only of values the component surely rejects,
    ``sure_ok`` one true only of values it surely accepts; values that are neither are judged by
    ``judge`` (pySHACL's component), and those it rejects are listed in ``bad``.
    """

    key: tuple[Any, ...]
    sure_bad: Callable[[str], str]
    sure_ok: Callable[[str], str]
    judge: Callable[[list[Any]], set[Any]] | None  # rdflib values -> the rejected ones
    shape: Any
    populations: list[tuple[str, Callable[[], str]]] = field(default_factory=list)
    bad: list[ox.NamedNode | ox.BlankNode | ox.Literal] = field(default_factory=list)

    def ok(self, var: str) -> str:
        """SPARQL: the component accepts the value in ``var`` (exact once :attr:`bad` is known)."""
        test = f"!({self.sure_bad(var)})"
        if self.bad:
            test += " && !(" + " || ".join(f"sameTerm({var}, {_nt(t)})" for t in self.bad) + ")"
        return f"({test})"


def _sub(template: str, var: str) -> str:
    """``template`` with ``{0}`` replaced by the variable ``var`` (regexes keep their own braces)."""
    return template.replace("{0}", var)


def _false(_: str) -> str:
    return "false"


def _pyshacl_judge(component: Any) -> Callable[[list[Any]], set[Any]]:
    """The judge :func:`claimgraph.validation.reference.value_judge` made (pySHACL's component on each value)."""
    judge: Callable[[list[Any]], set[Any]] = component
    return judge


def _datatype_atom(shapes: _Shapes, shape: Any, datatype: Any, component: Any) -> _Atom:
    import rdflib
    import rdflib.term

    d = str(datatype)
    key = ("datatype", shape.node, d)
    judge = _pyshacl_judge(component)
    if d == XSD.string:
        exact = f"isLiteral({{0}}) && datatype({{0}}) = {_XSD_STRING}"
    elif d == RDF.langString:
        exact = f"isLiteral({{0}}) && datatype({{0}}) = {_LANG_STRING}"
    elif d == RDFS.Literal:
        exact = "isLiteral({0})"
    elif d == RDFS.Datatype:
        exact = f"isLiteral({{0}}) && datatype({{0}}) != {_XSD_STRING} && datatype({{0}}) != {_LANG_STRING}"
    else:
        exact = ""
    if exact:
        return _Atom(key, lambda v: f"!({_sub(exact, v)})", lambda v: _sub(exact, v), None, shape)
    known = set(rdflib.term.XSDToPython) | set(rdflib.term._check_well_formed_types)
    same_type = f"isLiteral({{0}}) && datatype({{0}}) = <{d}>"
    if rdflib.URIRef(d) not in known:  # rdflib never finds such a literal ill-typed
        return _Atom(key, lambda v: f"!({_sub(same_type, v)})", lambda v: _sub(same_type, v), None, shape)
    canonical = _CANONICAL.get(d)
    if canonical is None:
        return _Atom(key, lambda v: f"!({_sub(same_type, v)})", _false, judge, shape)
    return _Atom(
        key,
        lambda v: f"!({_sub(same_type, v)})",
        lambda v: f'({_sub(same_type, v)} && REGEX(STR({v}), "{canonical}"))',
        judge,
        shape,
    )


def _node_kind_atom(shape: Any, kind: Any) -> _Atom:
    tests = {
        "IRI": "isIRI({0})",
        "BlankNode": "isBlank({0})",
        "Literal": "isLiteral({0})",
        "BlankNodeOrIRI": "(isBlank({0}) || isIRI({0}))",
        "BlankNodeOrLiteral": "(isBlank({0}) || isLiteral({0}))",
        "IRIOrLiteral": "(isIRI({0}) || isLiteral({0}))",
    }
    local = str(kind).removeprefix(SH)
    if local not in tests or not str(kind).startswith(SH):
        raise Unsupported(f"sh:nodeKind {kind}")
    test = tests[local]
    return _Atom(("nodeKind", shape.node, local), lambda v: f"!{_sub(test, v)}", lambda v: _sub(test, v), None, shape)


def _in_atom(shapes: _Shapes, shape: Any, members: list[Any], component: Any) -> _Atom:
    import rdflib

    plain = [
        m for m in members if isinstance(m, rdflib.URIRef) or (isinstance(m, rdflib.Literal) and (m.datatype is None))
    ]
    blank = [m for m in members if isinstance(m, rdflib.BNode)]
    del blank  # a blank node of the shapes graph equals no data node

    def sure_ok(v: str) -> str:
        if not plain:
            return "false"
        return "(" + " || ".join(f"sameTerm({v}, {_nt(_ox(m))})" for m in plain) + ")"

    def sure_bad(v: str) -> str:
        simple = f"(isIRI({v}) || isBlank({v}) || datatype({v}) = {_XSD_STRING} || datatype({v}) = {_LANG_STRING})"
        return f"(!{sure_ok(v)} && {simple})"

    return _Atom(("in", shape.node), sure_bad, sure_ok, _pyshacl_judge(component), shape)


def _range_atom(shape: Any, local: str, bound: Any, component: Any) -> _Atom:
    import rdflib

    op = {"minInclusive": ">=", "minExclusive": ">", "maxInclusive": "<=", "maxExclusive": "<"}[local]
    numeric = (
        isinstance(bound, rdflib.Literal)
        and type(bound.value).__name__ in ("int", "Decimal")
        and not isinstance(bound.value, bool)
    )
    canonical = f'(isLiteral({{0}}) && datatype({{0}}) = <{XSD.integer}> && REGEX(STR({{0}}), "{_INTEGER_CANONICAL}"))'

    def sure_ok(v: str) -> str:
        if not numeric:
            return "false"
        return f"({_sub(canonical, v)} && {v} {op} {_nt(_ox(bound))})"

    def sure_bad(v: str) -> str:
        if not numeric:
            return f"!isLiteral({v})"
        return f"(!isLiteral({v}) || ({_sub(canonical, v)} && !({v} {op} {_nt(_ox(bound))})))"

    return _Atom((local, shape.node, str(bound)), sure_bad, sure_ok, _pyshacl_judge(component), shape)


def _length_atom(shape: Any, local: str, bound: Any, component: Any) -> _Atom:
    n = int(bound.value)
    op = ">=" if local == "minLength" else "<="
    stringish = (
        f"(isIRI({{0}}) || (isLiteral({{0}}) && (datatype({{0}}) = {_XSD_STRING} || datatype({{0}}) = {_LANG_STRING})))"
    )

    def sure_ok(v: str) -> str:
        if local == "minLength" and n == 0:
            return "true"
        return f"({_sub(stringish, v)} && STRLEN(STR({v})) {op} {n})"

    def sure_bad(v: str) -> str:
        if local == "minLength" and n == 0:
            return "false"
        return f"(isBlank({v}) || ({_sub(stringish, v)} && !(STRLEN(STR({v})) {op} {n})))"

    return _Atom((local, shape.node, n), sure_bad, sure_ok, _pyshacl_judge(component), shape)


def _python_atom(shape: Any, local: str, component: Any, *, sure_bad: Callable[[str], str]) -> _Atom:
    """A component judged in Python for every value but those ``sure_bad`` rejects (sh:pattern, sh:languageIn)."""
    return _Atom((local, shape.node), sure_bad, _false, _pyshacl_judge(component), shape)


# ---------------------------------------------------------------------------------------------------
# The compiler
# ---------------------------------------------------------------------------------------------------


@dataclass
class _Check:
    """One query whose rows are results of one constraint of one validating shape."""

    shape: Any
    component: str  # IRI of the constraint component
    build: Callable[[], str]  # the query text (built when run: it lists the values judged bad)
    value: str  # "value": the ?v column; "focus": the focus node; "none"
    path: str | None
    kind: str = "rows"  # rows | counts | qualified | lessThan | sparql | skip
    extra: dict[str, Any] = field(default_factory=dict)
    root: Any = None  # the validating shape whose validation produced this check


class _Compiler:
    def __init__(self, shapes: _Shapes) -> None:
        self.shapes = shapes
        self.atoms: dict[tuple[Any, ...], _Atom] = {}
        self.counter = 0
        self.parents: dict[Any, list[tuple[Any, str]]] = {}
        self.depth = 0
        self.classes: set[str] = set()
        self.subclasses: dict[str, list[str]] = {}
        self.markers: dict[str, Callable[[], str]] = {}

    def fresh(self, stem: str = "x") -> str:
        self.counter += 1
        return f"?_{stem}{self.counter}"

    # --- structure: which shapes reference which, and each shape's focus nodes as a pattern --------

    def params(self, shape: Any) -> dict[str, list[Any]]:
        import rdflib

        found: dict[str, list[Any]] = {}
        for p, o in self.shapes.graph.predicate_objects(shape.node):
            if not isinstance(p, rdflib.URIRef) or not str(p).startswith(SH):
                continue
            local = str(p).removeprefix(SH)
            found.setdefault(local, []).append(o)
        return found

    def referenced(self, shape: Any) -> list[tuple[Any, str]]:
        """Shapes this shape evaluates on its value nodes, with the parameter that names them."""
        params = self.params(shape)
        out: list[tuple[Any, str]] = []
        for local in ("node", "not", "property", "qualifiedValueShape"):
            for node in params.get(local, []):
                out.append((self.shapes.lookup(node), local))
        for local in ("and", "or", "xone"):
            for head in params.get(local, []):
                for node in self.shapes.items(head):
                    out.append((self.shapes.lookup(node), local))
        return out

    # Class membership follows rdfs:subClassOf* in the data. When the checks run, the subclasses of
    # each class are looked up once (:attr:`subclasses`) and listed in the queries: Oxigraph then
    # reads rdf:type by index instead of walking the hierarchy for every node.

    def instance_pattern(self, var: str, cls: str) -> str:
        """A pattern binding ``var`` to every instance of ``cls`` or of its subclasses."""
        self.classes.add(cls)
        found = self.subclasses.get(cls)
        if found is None:
            return f"{var} {_TYPE}/{_SUBCLASS}* {cls} ."
        t = self.fresh("t")
        return f"VALUES {t} {{ {' '.join(found)} }} {var} {_TYPE} {t} ."

    def instance_test(self, var: str, cls: str) -> str:
        """An expression: the node in ``var`` is an instance of ``cls`` or of its subclasses."""
        self.classes.add(cls)
        found = self.subclasses.get(cls)
        if found is None:
            return f"EXISTS {{ {var} {_TYPE}/{_SUBCLASS}* {cls} }}"
        t = self.fresh("t")
        return f"EXISTS {{ {var} {_TYPE} {t} . FILTER({t} IN ({', '.join(found)})) }}"

    def look_up_subclasses(self, store: ox.Store) -> None:
        self.subclasses = {}
        for cls in sorted(self.classes):
            rows = _select(store, f"SELECT DISTINCT ?c WHERE {{ ?c {_SUBCLASS}* {cls} }}")
            self.subclasses[cls] = sorted(
                {_nt(row[0]) for row in rows if not isinstance(row[0], ox.BlankNode | ox.Triple)}
            )
            if any(
                isinstance(row[0], ox.BlankNode)
                for row in _select(store, f"SELECT ?c WHERE {{ ?c {_SUBCLASS}* {cls} }}")
            ):
                del self.subclasses[cls]  # blank node classes cannot be listed: keep the path

    def build_parents(self, roots: Iterable[Any]) -> None:
        """Record, for every shape reachable from ``roots``, the shapes that evaluate it."""
        seen: set[Any] = set()
        stack = list(roots)
        while stack:
            shape = stack.pop()
            if shape.node in seen:
                continue
            seen.add(shape.node)
            try:
                children = self.referenced(shape)
            except Unsupported:
                continue
            for child, local in children:
                self.parents.setdefault(child.node, []).append((shape, local))
                stack.append(child)

    def targets(self, shape: Any, var: str) -> str:
        """A group pattern binding ``var`` to the shape's target nodes (empty string: none)."""
        branches: list[str] = []
        nodes, classes, implicit, objects_of, subjects_of = shape.target()
        nodes = list(nodes)
        if nodes:
            branches.append(f"VALUES {var} {{ {' '.join(_nt(_ox(n)) for n in nodes)} }}")
        for cls in [*classes, *implicit]:
            branches.append(self.instance_pattern(var, _nt(_ox(cls))))
        for p in subjects_of:
            branches.append(f"{var} {_nt(_ox(p))} {self.fresh('any')} .")
        for p in objects_of:
            branches.append(f"{self.fresh('any')} {_nt(_ox(p))} {var} .")
        if not branches:
            return ""
        return " UNION ".join(f"{{ {b} }}" for b in branches)

    def focus_pattern(self, shape: Any, var: str, depth: int = 0) -> str:
        """Every node ``shape`` may be evaluated on (targets, and value nodes of shapes using it)."""
        if depth > 20:
            raise Unsupported("shapes nested too deep")
        branches = []
        own = self.targets(shape, var)
        if own:
            branches.append(own)
        for parent, _ in self.parents.get(shape.node, []):
            branches.append(self.value_pattern(parent, var, depth + 1))
        if not branches:
            return "FILTER(false)"
        return " UNION ".join(f"{{ {b} }}" for b in branches)

    def value_pattern(self, shape: Any, var: str, depth: int = 0) -> str:
        if not shape.is_property_shape:
            return self.focus_pattern(shape, var, depth)
        focus = self.fresh("f")
        return (
            f"{{ {self.focus_pattern(shape, focus, depth)} }} {focus} {_sparql_path(self.shapes, shape.path())} {var} ."
        )

    # --- atoms ---------------------------------------------------------------------------------------

    def atom(self, shape: Any, local: str, value: Any) -> _Atom:
        from claimgraph.validation.reference import value_judge

        component = value_judge(shape, local)
        if local == "datatype":
            atom = _datatype_atom(self.shapes, shape, value, component)
        elif local == "nodeKind":
            atom = _node_kind_atom(shape, value)
        elif local == "in":
            atom = _in_atom(self.shapes, shape, self.shapes.items(value), component)
        elif local in ("minInclusive", "minExclusive", "maxInclusive", "maxExclusive"):
            atom = _range_atom(shape, local, value, component)
        elif local in ("minLength", "maxLength"):
            atom = _length_atom(shape, local, value, component)
        elif local == "pattern":
            atom = _python_atom(shape, local, component, sure_bad=lambda v: f"isBlank({v})")
        elif local == "languageIn":
            atom = _python_atom(shape, local, component, sure_bad=lambda v: f'(!isLiteral({v}) || LANG({v}) = "")')
        else:  # pragma: no cover - callers only pass the locals above
            raise Unsupported(local)
        found = self.atoms.get(atom.key)
        if found is not None:
            return found
        self.atoms[atom.key] = atom
        v = self.fresh("v")
        self.value_pattern(shape, v)  # raises Unsupported now rather than when run
        atom.populations.append((v, lambda: self.value_pattern(shape, v)))
        return atom

    # --- conformance of a value node to a (nested) shape, as a SPARQL expression ------------------

    def value_tests(self, shape: Any, params: dict[str, list[Any]]) -> list[tuple[str, Callable[[str], str]]]:
        """(component local name, test on one value node) for every value-node constraint of a shape."""
        single = {
            "datatype",
            "nodeKind",
            "in",
            "minLength",
            "maxLength",
            "pattern",
            "flags",
            "languageIn",
            "minInclusive",
            "minExclusive",
            "maxInclusive",
            "maxExclusive",
        }
        for local in single & set(params):
            if len(params[local]) > 1:
                raise Unsupported(f"several sh:{local} on {shape.node}")
        tests: list[tuple[str, Callable[[str], str]]] = []
        for local in (
            "datatype",
            "nodeKind",
            "in",
            "minInclusive",
            "minExclusive",
            "maxInclusive",
            "maxExclusive",
            "minLength",
            "maxLength",
            "pattern",
            "languageIn",
        ):
            if local in params:
                atom = self.atom(shape, local, params[local][0])
                tests.append((local, atom.ok))
        for cls in params.get("class", []):
            tests.append(("class", functools.partial(self.instance_test_of, _nt(_ox(cls)))))
        for local in ("node", "not"):
            for node in params.get(local, []):
                nested = self.shapes.lookup(node)
                tests.append((local, functools.partial(self.node_test if local == "node" else self.not_test, nested)))
        for local in ("and", "or", "xone"):
            for head in params.get(local, []):
                members = [self.shapes.lookup(n) for n in self.shapes.items(head)]
                if local != "xone":  # pySHACL takes the members of sh:and and sh:or as a set
                    members = list({m.node: m for m in members}.values())
                tests.append((local, functools.partial(self.list_test, local, members)))
        return tests

    def instance_test_of(self, cls: str, var: str) -> str:
        return self.instance_test(var, cls)

    def node_test(self, shape: Any, var: str) -> str:
        return self.conforms(shape, var)

    def not_test(self, shape: Any, var: str) -> str:
        return f"!({self.conforms(shape, var)})"

    def list_test(self, local: str, members: list[Any], var: str) -> str:
        if not members:
            return "true"
        if local == "and":
            return "(" + " && ".join(self.conforms(m, var) for m in members) + ")"
        if local == "or":
            return "(" + " || ".join(self.conforms(m, var) for m in members) + ")"
        return "(" + " + ".join(f"IF({self.conforms(m, var)}, 1, 0)" for m in members) + ") = 1"

    def conforms(self, shape: Any, var: str) -> str:
        """SPARQL expression: the node in ``var`` conforms to ``shape`` (as pySHACL judges it)."""
        self.depth += 1
        try:
            if self.depth > 12:
                raise Unsupported(f"shapes nested too deep (recursive?) at {shape.node}")
            return self._conforms(shape, var)
        finally:
            self.depth -= 1

    def _conforms(self, shape: Any, var: str) -> str:
        if shape.deactivated:
            return "true"
        params = self.params(shape)
        self.require_supported(shape, params, nested=True)
        parts: list[str] = []
        if not shape.is_property_shape:
            for _, test in self.value_tests(shape, params):
                parts.append(test(var))
            for h in params.get("hasValue", []):
                parts.append(f"sameTerm({var}, {_nt(_ox(h))})")
            for node in params.get("property", []):
                parts.append(self.conforms(self.shapes.lookup(node), var))
            if "minCount" in params or "maxCount" in params:
                raise Unsupported("sh:minCount/sh:maxCount on a node shape")
            if "lessThan" in params or "disjoint" in params:
                raise Unsupported("property pair constraints in a nested node shape")
            return "(" + " && ".join(parts) + ")" if parts else "true"
        path = _sparql_path(self.shapes, shape.path())
        for (n,) in [(int(c.value),) for c in params.get("minCount", [])]:
            if n > 0:
                parts.append(self.distinct_values_exist(var, path, n))
        for (m,) in [(int(c.value),) for c in params.get("maxCount", [])]:
            parts.append(f"!{self.distinct_values_exist(var, path, m + 1)}")
        for _, test in self.value_tests(shape, params):
            y = self.fresh("y")
            parts.append(f"NOT EXISTS {{ {var} {path} {y} . FILTER(!({test(y)})) }}")
        for h in params.get("hasValue", []):
            parts.append(f"EXISTS {{ {var} {path} {_nt(_ox(h))} }}")
        for node in params.get("property", []):
            y = self.fresh("y")
            parts.append(f"NOT EXISTS {{ {var} {path} {y} . FILTER(!({self.conforms(self.shapes.lookup(node), y)})) }}")
        if "qualifiedValueShape" in params:
            parts.extend(self.qualified_tests(shape, params, var, path))
        if "lessThan" in params or "disjoint" in params:
            raise Unsupported("property pair constraints in a nested property shape")
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def distinct_values_exist(self, var: str, path: str, n: int) -> str:
        if n > 3:
            raise Unsupported("cardinality above 3 in a nested shape")
        ys = [self.fresh("y") for _ in range(n)]
        triples = " ".join(f"{var} {path} {y} ." for y in ys)
        distinct = " && ".join(f"!sameTerm({a}, {b})" for i, a in enumerate(ys) for b in ys[i + 1 :])
        return f"EXISTS {{ {triples} {f'FILTER({distinct})' if distinct else ''} }}"

    def qualified_tests(self, shape: Any, params: dict[str, list[Any]], var: str, path: str) -> list[str]:
        qualified = self.qualified(shape, params)
        if qualified is None:
            return []
        nested, low, high = qualified

        def at_least(n: int) -> str:
            if n > 3:
                raise Unsupported("qualified count above 3 in a nested shape")
            ys = [self.fresh("y") for _ in range(n)]
            triples = " ".join(f"{var} {path} {y} . FILTER({self.conforms(nested, y)})" for y in ys)
            distinct = " && ".join(f"!sameTerm({a}, {b})" for i, a in enumerate(ys) for b in ys[i + 1 :])
            return f"EXISTS {{ {triples} {f'FILTER({distinct})' if distinct else ''} }}"

        out = []
        if high is not None:
            out.append(f"!{at_least(high + 1)}")
        if low is not None and low > 0:
            out.append(at_least(low))
        return out

    def qualified(self, shape: Any, params: dict[str, list[Any]]) -> tuple[Any, int | None, int | None] | None:
        values = params.get("qualifiedValueShape", [])
        if not values:
            return None
        if (
            len(values) > 1
            or len(params.get("qualifiedMinCount", [])) > 1
            or len(params.get("qualifiedMaxCount", [])) > 1
        ):
            raise Unsupported("several qualified value shapes")
        if any(getattr(d, "value", False) for d in params.get("qualifiedValueShapesDisjoint", [])):
            raise Unsupported("sh:qualifiedValueShapesDisjoint")
        low = [int(v.value) for v in params.get("qualifiedMinCount", [])]
        high = [int(v.value) for v in params.get("qualifiedMaxCount", [])]
        return self.shapes.lookup(values[0]), (low[0] if low else None), (high[0] if high else None)

    def require_supported(self, shape: Any, params: dict[str, list[Any]], *, nested: bool) -> None:
        from claimgraph.validation.reference import is_constraint_parameter

        for local in params:
            if is_constraint_parameter(SH + local) and local not in SUPPORTED:
                raise Unsupported(f"sh:{local} on {shape.node}")
        if nested and "sparql" in params:
            raise Unsupported("a SPARQL constraint in a nested shape")
        if self.shapes.custom_constraints:
            raise Unsupported("SPARQL-based constraint components")

    # --- the checks of a validating shape -----------------------------------------------------------

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

    def compile_root(self, shape: Any, targets: Callable[[], str]) -> list[_Check]:
        """The checks producing the results of ``shape`` on the nodes ``targets`` binds to ?this.

        Every query is built once here, to find what is unsupported (and to register the value checks
        it needs), and again when run, once the values judged in Python are known.
        """
        if shape.deactivated:
            return []
        params = self.params(shape)
        self.require_supported(shape, params, nested=False)
        messages = self.shapes.objects(shape, "message")
        if len(messages) != 1:
            raise Unsupported(f"{shape.node} has {len(messages)} sh:message (generic messages are pySHACL's own)")
        if len(self.shapes.objects(shape, "severity")) > 1:
            raise Unsupported(f"{shape.node} has several sh:severity")
        checks: list[_Check] = []
        focus = self.marker(lambda: f"{{ SELECT DISTINCT ?this WHERE {{ {targets()} }} }}")

        def add(local: str, build: Callable[[], str], value: str, path: str | None, **kw: Any) -> None:
            build()  # raises Unsupported now rather than when run
            checks.append(_Check(shape, _component(local), build, value, path, **kw))

        if not shape.is_property_shape:
            if "minCount" in params or "maxCount" in params:
                raise Unsupported("sh:minCount/sh:maxCount on a node shape (pySHACL refuses it)")
            for local, test in self.value_tests(shape, params):
                add(local, functools.partial(_node_query, focus, test), "focus", None)
            for h in params.get("hasValue", []):
                test = functools.partial(_same_term, _nt(_ox(h)))
                add("hasValue", functools.partial(_node_query, focus, test), "none", None)
            for local in ("lessThan", "disjoint"):
                for other in params.get(local, []):
                    checks.append(self.pair_check(shape, local, focus, None, other))
            for node in params.get("property", []):
                checks.extend(self.compile_root(self.shapes.lookup(node), targets))
            for sparql in params.get("sparql", []):
                checks.append(self.sparql_check(shape, sparql, focus))
            return checks
        path = _sparql_path(self.shapes, shape.path())
        path_iri = str(shape.path())  # a blank node's id for a complex path, as pySHACL reports it
        # sh:minCount and sh:maxCount: one query counting the distinct values of each focus node.
        bounds = [("minCount", int(c.value)) for c in params.get("minCount", []) if int(c.value) > 0]
        bounds += [("maxCount", int(c.value)) for c in params.get("maxCount", [])]
        if bounds:
            having = " || ".join(f"COUNT(DISTINCT ?v) {'<' if kind == 'minCount' else '>'} {n}" for kind, n in bounds)
            add(
                "minCount",
                lambda: (
                    f"SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v }} }} "
                    f"GROUP BY ?this HAVING ({having})"
                ),
                "none",
                path_iri,
                kind="counts",
                extra={"bounds": bounds},
            )
        for local, test in self.value_tests(shape, params):
            add(local, functools.partial(_value_query, focus, path, test), "value", path_iri)
        for h in params.get("hasValue", []):
            query = f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} {_nt(_ox(h))} }} }}"
            add("hasValue", functools.partial(str, query), "none", path_iri)
        qualified = self.qualified(shape, params)
        if qualified is not None:
            nested, low, high = qualified
            conditions = []
            if high is not None:
                conditions.append(f"COUNT(DISTINCT ?q) > {high}")
            if low is not None:
                conditions.append(f"COUNT(DISTINCT ?q) < {low}")
            if conditions:
                add(
                    "qualifiedValueShape",
                    lambda: (
                        f"SELECT ?this (COUNT(DISTINCT ?q) AS ?n) WHERE {{ {focus} "
                        f"OPTIONAL {{ ?this {path} ?q . FILTER({self.conforms(nested, '?q')}) }} }} "
                        f"GROUP BY ?this HAVING ({' || '.join(conditions)})"
                    ),
                    "none",
                    path_iri,
                    kind="qualified",
                    extra={"low": low, "high": high},
                )
        for local in ("lessThan", "disjoint"):
            for other in params.get(local, []):
                checks.append(self.pair_check(shape, local, focus, path, other))
        for node in params.get("property", []):
            owner = self.fresh("owner")
            checks.extend(
                self.compile_root(
                    self.shapes.lookup(node),
                    functools.partial(_through, targets, owner, path),
                )
            )
        for sparql in params.get("sparql", []):
            checks.append(self.sparql_check(shape, sparql, focus))
        return checks

    def pair_check(self, shape: Any, local: str, focus: str, path: str | None, other: Any) -> _Check:
        """sh:disjoint and sh:lessThan: value nodes against the focus node's values of another property."""
        import rdflib

        if not isinstance(other, rdflib.URIRef):
            raise Unsupported(f"sh:{local} with a non-IRI")
        values = "" if path is None else f"?this {path} ?v ."
        value = "?this" if path is None else "?v"
        projected = "(?this AS ?v)" if path is None else "?v"
        shape_path = None if path is None else str(shape.path())
        if local == "disjoint":
            query = f"SELECT DISTINCT ?this {projected} WHERE {{ {focus} {values} ?this <{other}> {value} . }}"
            return _Check(shape, _component(local), lambda: query, "value" if path else "focus", shape_path)
        # sh:lessThan: pairs that surely hold (canonical integers) are left out; every other pair is judged
        # by pySHACL's own comparison, one result per failing pair.
        sure = (
            f"(isLiteral({value}) && isLiteral(?c) && datatype({value}) = <{XSD.integer}> "
            f'&& datatype(?c) = <{XSD.integer}> && REGEX(STR({value}), "{_INTEGER_CANONICAL}") '
            f'&& REGEX(STR(?c), "{_INTEGER_CANONICAL}") && {value} < ?c)'
        )
        query = f"SELECT ?this {projected} ?c WHERE {{ {focus} {values} ?this <{other}> ?c . FILTER(!{sure}) }}"
        return _Check(
            shape,
            _component(local),
            lambda: query,
            "value",
            shape_path,
            kind="lessThan",
            extra={"component": shape},
        )

    def sparql_check(self, shape: Any, constraint: Any, focus: str) -> _Check:
        from claimgraph.validation.reference import sparql_constraints

        helpers = [h for h in sparql_constraints(shape) if h.node == constraint]
        if len(helpers) != 1:
            raise Unsupported("SPARQL constraint not found")
        helper = helpers[0]
        if helper.deactivated:
            return _Check(shape, _component("sparql"), lambda: "", "none", None, kind="skip")
        if helper.messages:
            raise Unsupported("sh:message on a SPARQL constraint (several messages per result)")
        if any("{?" in str(m) or "{$" in str(m) for m in self.shapes.objects(shape, "message")):
            raise Unsupported("a message template with variables")
        bindings, text = helper.pre_bind_variables(None)  # the focus node is joined, not bound
        if set(bindings) - {"this", "currentShape"}:
            raise Unsupported(f"pre-bound variables {sorted(bindings)}")
        prologue, body = _split_prologue(text)
        projected, predicates = _check_prebinding(helper.apply_prefixes(prologue + body))
        if "failure" in projected:
            raise Unsupported("?failure in a SPARQL constraint")
        names = " ".join(f"?{v}" for v in projected)
        body = _rewrite_not_exists(helper.apply_prefixes(prologue), body)
        query = f"{helper.apply_prefixes(prologue)}\nSELECT DISTINCT {names} WHERE {{ {focus} {{ {body} }} }}"
        substitutions = {"currentShape": _ox(shape.node)} if "currentShape" in bindings else {}
        path = str(shape.path()) if shape.is_property_shape else None
        return _Check(
            shape,
            _component("sparql"),
            lambda: query,
            "sparql",
            path,
            kind="sparql",
            extra={"projected": projected, "substitutions": substitutions, "predicates": predicates},
        )


def _through(targets: Callable[[], str], owner: str, path: str) -> str:
    """The value nodes, along ``path``, of the nodes ``targets`` binds to ?this (renamed ``owner``)."""
    return f"{{ {targets().replace('?this', owner)} }} {owner} {path} ?this ."


def _node_query(focus: str, test: Callable[[str], str]) -> str:
    """Focus nodes (of a node shape) that fail ``test``."""
    return f"SELECT ?this WHERE {{ {focus} FILTER(!({test('?this')})) }}"


def _value_query(focus: str, path: str, test: Callable[[str], str]) -> str:
    """Focus nodes and value nodes (of a property shape) that fail ``test``."""
    return f"SELECT DISTINCT ?this ?v WHERE {{ {focus} ?this {path} ?v . FILTER(!({test('?v')})) }}"


def _same_term(term: str, var: str) -> str:
    return f"sameTerm({var}, {term})"


def _component(local: str) -> str:
    """The constraint component IRI of a parameter (sh:minCount -> sh:MinCountConstraintComponent)."""
    names = {"sparql": "SPARQL", "qualifiedValueShape": "QualifiedValueShape"}
    name = names.get(local, local[0].upper() + local[1:])
    return f"{SH}{name}ConstraintComponent"


_PROLOGUE = re.compile(r"\A(\s*(#[^\n]*\n\s*)*((PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)+)", re.IGNORECASE)


def _split_prologue(text: str) -> tuple[str, str]:
    """Split the query's own PREFIX/BASE declarations (they cannot stay inside a subquery)."""
    match = _PROLOGUE.match(text)
    if match is None:
        return "", text
    return match.group(1), text[match.end() :]


_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(r"[A-Za-z_]+")


def _scan_braces(text: str) -> list[tuple[int, str]]:
    """Positions of braces and keywords of a SPARQL text, skipping strings, IRIs and comments."""
    tokens: list[tuple[int, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif ch in "\"'":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
        elif ch == "<" and (m := _IRIREF.match(text, i)) is not None:
            i = m.end()
        elif ch in "{}":
            tokens.append((i, ch))
            i += 1
        elif ch.isalpha() and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_?$:")):
            m = _WORD.match(text, i)
            assert m is not None
            tokens.append((i, m.group().upper()))
            i = m.end()
        else:
            i += 1
    return tokens


def _variables(algebra: Any) -> set[str]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if type(node).__name__ == "Variable":
            found.add(str(node))
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple | set):
            for item in node:
                walk(item)

    walk(algebra)
    return found


@functools.lru_cache(maxsize=256)
def _rewrite_not_exists(prologue: str, body: str) -> str:
    """Turn ``FILTER NOT EXISTS { P }`` of the top-level group into ``MINUS { P }`` where that is exact.

    Oxigraph evaluates a NOT EXISTS over several triple patterns by joining them afresh for every
    solution (minutes at a million triples); MINUS evaluates P once. The two agree when every
    variable P shares with the rest of the query is bound in every solution of the rest and is bound
    by a triple pattern of P's own top-level group (P's filters see nothing else from outside). The
    MINUS goes at the end of the group, where a FILTER applies.
    """
    while True:
        tokens = _scan_braces(body)
        opening = next((k for k, (_, t) in enumerate(tokens) if t == "{"), None)
        if opening is None:
            return body
        depth, target = 0, None
        for k in range(opening, len(tokens)):
            position, token = tokens[k]
            if token == "{":
                depth += 1
            elif token == "}":
                depth -= 1
                if depth == 0:
                    group_end = position
                    break
            elif (
                depth == 1
                and token == "FILTER"
                and k + 3 < len(tokens)
                and [t for _, t in tokens[k + 1 : k + 4]] == ["NOT", "EXISTS", "{"]
            ):
                inner = 0
                for j in range(k + 3, len(tokens)):
                    if tokens[j][1] == "{":
                        inner += 1
                    elif tokens[j][1] == "}":
                        inner -= 1
                        if inner == 0:
                            target = (position, tokens[k + 3][0], tokens[j][0])
                            break
        else:
            return body
        if target is None:
            return body
        start, p_open, p_close = target
        pattern = body[p_open + 1 : p_close]
        rest = body[:start] + body[p_close + 1 :]
        try:
            outer = _prepare(prologue + rest)
            inner = _prepare(prologue + "SELECT * WHERE {" + pattern + "}")
        except Unsupported:
            return body
        shared = _variables(inner.algebra["p"]) & _variables(outer.algebra["p"])
        if not shared or not shared <= _mandatory(outer.algebra) or not shared <= _mandatory(inner.algebra):
            return body
        group_end -= p_close + 1 - start
        body = rest[:group_end] + " MINUS {" + pattern + "} " + rest[group_end:]


def _prepare(query: str) -> Any:
    from rdflib.plugins.sparql import prepareQuery

    try:
        return prepareQuery(query)
    except Exception as error:
        raise Unsupported(f"query rdflib cannot parse: {error}") from None


def _mandatory(node: Any) -> set[str]:
    """Variables bound in every solution of an rdflib algebra pattern (a safe under-estimate)."""
    name = getattr(node, "name", "")
    if name == "BGP":
        return {str(t) for triple in node["triples"] for t in triple if type(t).__name__ == "Variable"}
    if name == "Join":
        return _mandatory(node["p1"]) | _mandatory(node["p2"])
    if name in ("LeftJoin", "Minus"):
        return _mandatory(node["p1"])
    if name in ("Filter", "Project", "Distinct", "Reduced", "OrderBy", "Extend", "Graph", "SelectQuery"):
        return _mandatory(node["p"])
    if name == "Union":
        return _mandatory(node["p1"]) & _mandatory(node["p2"])
    return set()


@functools.lru_cache(maxsize=256)
def _check_prebinding(query: str) -> tuple[tuple[str, ...], frozenset[str] | None]:
    """Projected variables and predicates of a SHACL-SPARQL SELECT that may run with ``$this`` free.

    The predicates are the IRIs the query's triple patterns and paths use (None: a variable or
    negated property set can match any predicate).

    :raises Unsupported: if ``$this`` is not bound by the query's top-level group, or the query slices
        or aggregates its solutions.
    """
    algebra = _prepare(query).algebra
    if algebra.name != "SelectQuery":
        raise Unsupported("not a SELECT query")
    projected = tuple(str(v) for v in algebra.get("PV", []))
    if "this" not in projected:
        raise Unsupported("$this is not projected")

    def walk(node: Any) -> Iterator[Any]:
        if isinstance(node, dict) and hasattr(node, "name"):
            yield node
        if isinstance(node, dict):
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list | tuple):
            for item in node:
                yield from walk(item)

    for node in walk(algebra):
        if node.name in ("Slice", "Group", "AggregateJoin", "ToMultiSet", "values", "Minus", "ServiceGraphPattern"):
            raise Unsupported(f"{node.name} in a SPARQL constraint")
        if node.name == "Extend" and str(node.get("var")) == "this":
            raise Unsupported("BIND to $this")
    if "this" not in _mandatory(algebra):
        raise Unsupported("$this is not bound by a triple pattern of the query's top-level group")
    return projected, _predicates(algebra)


def _predicates(algebra: Any) -> frozenset[str] | None:
    import rdflib
    from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath

    found: set[str] = set()

    def path(p: Any) -> bool:
        if isinstance(p, rdflib.URIRef):
            found.add(str(p))
            return True
        if isinstance(p, SequencePath | AlternativePath):
            return all(path(a) for a in p.args)
        if isinstance(p, InvPath):
            return path(p.arg)
        if isinstance(p, MulPath):
            return path(p.path)
        if isinstance(p, NegatedPath):
            return False
        return False  # a variable

    def walk(node: Any) -> bool:
        if isinstance(node, dict):
            if getattr(node, "name", "") == "BGP":
                return all(path(triple[1]) for triple in node["triples"])
            return all(walk(v) for v in node.values())
        if isinstance(node, list | tuple):
            return all(walk(v) for v in node)
        return True

    return frozenset(found) if walk(algebra) else None


# Literals whose value rdflib and Oxigraph may judge differently: typed literals Oxigraph does not
# accept as valid values of their (numeric, date/time, boolean) datatype, and typed literals of any
# datatype outside those two engines' common ground. A SHACL-SPARQL constraint whose triple patterns
# can meet one is validated by pySHACL, so that its results stay exactly pySHACL's.
_SAFE_CASTS = ("date", "dateTime", "time", "boolean", "duration", "dayTimeDuration", "yearMonthDuration")
_NUMERIC = ("integer", "decimal", "float", "double")
_RISKY = (
    'isLiteral(?o) && DATATYPE(?o) != <http://www.w3.org/2001/XMLSchema#string> && !LANGMATCHES(LANG(?o), "*") && !('
    + " || ".join(f"(DATATYPE(?o) = <{XSD}{t}> && isNumeric(?o))" for t in _NUMERIC)
    + " || "
    + " || ".join(
        f"(DATATYPE(?o) = <{XSD}{t}> && !COALESCE(<{XSD}{t}>(?o) != <{XSD}{t}>(?o), true))" for t in _SAFE_CASTS
    )
    + ")"
)


def _risky(store: ox.Store, predicates: frozenset[str] | None, cache: dict[str | None, bool]) -> bool:
    """Does any literal object of ``predicates`` (None: of any predicate) fall outside the common ground?"""
    keys: list[str | None] = [None] if predicates is None else list(sorted(predicates))
    for key in keys:
        if key not in cache:
            pattern = "?s ?p ?o" if key is None else f"?s <{key}> ?o"
            cache[key] = bool(list(_select(store, f"SELECT ?o WHERE {{ {pattern} FILTER({_RISKY}) }} LIMIT 1")))
        if cache[key]:
            return True
    return False


# ---------------------------------------------------------------------------------------------------
# Compiled shapes and running them
# ---------------------------------------------------------------------------------------------------


@dataclass
class CompiledShapes:
    """The checks of every validating shape the compiler could express, and the shapes it could not.

    :ivar fallback: validating shapes (their IRIs) left to pySHACL, with the reason.
    """

    checks: list[_Check]
    atoms: list[_Atom]
    fallback: dict[str, str]
    shapes: _Shapes
    compiler: _Compiler
    last_fallback: dict[str, str] = field(default_factory=dict)

    def run(self, store: ox.Store, *, data_graph: Callable[[], rdflib.Graph] | None = None) -> list[Finding]:
        """Validate the union of ``store``'s graphs; :attr:`fallback` shapes run in pySHACL on ``data_graph()``.

        :raises UnsupportedShapesError: if some shapes need pySHACL and ``data_graph`` is None.
        """
        self.compiler.look_up_subclasses(store)
        for atom in self.atoms:
            _judge_atom(store, atom)
        findings: dict[str, list[Finding]] = {}
        fallback = dict(self.fallback)
        risky: dict[str | None, bool] = {}
        for check in self.checks:
            root = str(check.root.node)
            if root in fallback:
                continue
            if check.kind == "sparql" and _risky(store, check.extra["predicates"], risky):
                fallback[root] = "its SPARQL constraint meets literals rdflib and Oxigraph may value differently"
                findings.pop(root, None)
                continue
            try:
                findings.setdefault(root, []).extend(_run_check(store, check, self.shapes, self.compiler))
            except Unsupported as reason:  # e.g. a blank node among the values judged bad
                fallback[root] = str(reason)
                findings.pop(root, None)
        self.last_fallback = fallback
        out = [f for root, found in findings.items() if root not in fallback for f in found]
        if fallback:
            if data_graph is None:
                raise UnsupportedShapesError(fallback)
            out.extend(_run_pyshacl([s for s in self.shapes.shapes if str(s.node) in fallback], data_graph()))
        return out


def compile_shapes(shapes_graph: rdflib.Graph) -> CompiledShapes:
    """Compile the validating shapes of ``shapes_graph`` (those with targets) into SPARQL checks."""
    shapes = _Shapes(shapes_graph)
    roots = [s for s in shapes.shapes if any(list(t) for t in s.target())]
    compiler = _Compiler(shapes)
    compiler.build_parents(roots)
    checks: list[_Check] = []
    fallback: dict[str, str] = {}
    for root in roots:
        try:
            compiler.targets(root, "?this")  # raises Unsupported now rather than when run
            found = compiler.compile_root(root, functools.partial(compiler.targets, root, "?this"))
            for check in found:
                check.root = root
            checks.extend(found)
        except Unsupported as reason:
            fallback[str(root.node)] = str(reason)
        except Exception as error:
            fallback[str(root.node)] = f"{type(error).__name__}: {error}"
    return CompiledShapes(
        checks=checks, atoms=list(compiler.atoms.values()), fallback=fallback, shapes=shapes, compiler=compiler
    )


# ---------------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------------


def _select(store: ox.Store, query: str, substitutions: dict[str, Any] | None = None) -> ox.QuerySolutions:
    subs = {ox.Variable(k): v for k, v in (substitutions or {}).items()} or None
    result = store.query(query, use_default_graph_as_union=True, substitutions=subs)
    assert isinstance(result, ox.QuerySolutions)
    return result


def _judge_atom(store: ox.Store, atom: _Atom) -> None:
    """Find the values the SPARQL tests cannot decide and let pySHACL's component judge them."""
    atom.bad = []
    if atom.judge is None:
        return
    from claimgraph.terms import to_rdflib_term

    uncertain: dict[Any, ox.NamedNode | ox.BlankNode | ox.Literal] = {}
    for var, pattern in atom.populations:
        query = (
            f"SELECT DISTINCT {var} WHERE {{ {pattern()} FILTER(!({atom.sure_ok(var)}) && !({atom.sure_bad(var)})) }}"
        )
        for row in _select(store, query):
            value = row[0]
            if isinstance(value, ox.NamedNode | ox.BlankNode | ox.Literal):
                uncertain.setdefault(to_rdflib_term(value), value)
    rejected = atom.judge(list(uncertain))
    atom.bad = [uncertain[v] for v in uncertain if v in rejected]


def _run_check(store: ox.Store, check: _Check, shapes: _Shapes, compiler: _Compiler) -> Iterator[Finding]:
    if check.kind == "skip":
        return
    shape = check.shape
    severity = str(shape.severity)
    message_term = shapes.objects(shape, "message")[0]
    message = str(message_term)
    node = str(shape.node)
    rows = _select(store, compiler.expand(check.build()), check.extra.get("substitutions"))

    def finding(focus: Any, path: str | None, value: Any, component: str = check.component) -> Finding:
        return Finding(
            severity,
            node,
            _text(focus) or "",
            path,
            _text(value),
            component,
            message,
            focus_term=focus,
            value_term=value,
            message_term=message_term,
        )

    if check.kind == "rows":
        for row in rows:
            focus = row["this"]
            value = {"focus": focus, "none": None}.get(check.value) if check.value != "value" else row["v"]
            yield finding(focus, check.path, value)
    elif check.kind == "counts":
        for row in rows:
            n = row["n"]
            assert isinstance(n, ox.Literal)
            count = int(n.value)
            for kind, bound in check.extra["bounds"]:
                if (count < bound) if kind == "minCount" else (count > bound):
                    yield finding(row["this"], check.path, None, _component(kind))
    elif check.kind == "qualified":
        low, high = check.extra["low"], check.extra["high"]
        for row in rows:
            n = row["n"]
            assert isinstance(n, ox.Literal)
            count = int(n.value)
            if high is not None and count > high:
                yield finding(row["this"], check.path, None, f"{SH}QualifiedMaxCountConstraintComponent")
            if low is not None and count < low:
                yield finding(row["this"], check.path, None, f"{SH}QualifiedMinCountConstraintComponent")
    elif check.kind == "lessThan":
        component = check.extra["component"]
        for row in rows:
            if _fails_less_than(component, row["this"], row["v"], row["c"]):
                yield finding(row["this"], check.path, row["v"])
    elif check.kind == "sparql":
        projected = check.extra["projected"]
        for row in rows:
            focus = row["this"]
            value = row["value"] if "value" in projected else None
            path = row["path"] if "path" in projected else None
            if value is None and not shape.is_property_shape:
                value = focus
            yield finding(focus, _text(path) or check.path, value)


def _fails_less_than(component: Any, focus: Any, value: Any, other: Any) -> bool:
    """pySHACL's own sh:lessThan comparison of one pair (the SPARQL test cleared the plain ones)."""

    from claimgraph.terms import to_rdflib_term

    if isinstance(value, ox.Triple) or isinstance(other, ox.Triple) or isinstance(focus, ox.Triple):
        raise ValueError("RDF-star triple terms are not supported")
    v, c = to_rdflib_term(value), to_rdflib_term(other)
    from claimgraph.validation.reference import fails_less_than

    return fails_less_than(component, "lessThan", to_rdflib_term(focus), v, c)


def _run_pyshacl(shapes: Sequence[Any], data: rdflib.Graph) -> Iterator[Finding]:
    """Validate ``shapes`` (pySHACL Shape objects) with pySHACL itself."""
    from claimgraph.validation.reference import run_shapes

    for found in run_shapes(shapes, data):
        yield Finding(
            focus_term=found.focus,
            value_term=found.value,
            message_term=found.message,
            severity=str(found.severity),
            shape=str(found.shape),
            focus=str(found.focus),
            path=None if found.path is None else str(found.path),
            value=None if found.value is None else str(found.value),
            component=str(found.component),
            message="" if found.message is None else str(found.message),
        )
