"""Value type, range, string and list components: each judges one value node on its own.

SPARQL and pySHACL (Python, rdflib terms) could judge a literal differently where the verdict
depends on its lexical form, so these tests are split (:class:`~.base.Judged`): a SPARQL test surely
right for the plain cases (a canonical ``xsd:integer``, a simple string, a wrong datatype) and, for
every other value the constraint can meet, pySHACL's own component run on that value. The values it
rejects are handed back to the queries as constants.
"""

from __future__ import annotations

import functools
from abc import abstractmethod
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, ClassVar

from claimgraph.namespaces import RDF, RDFS, SH, XSD
from claimgraph.validation.compiler.base import (
    INTEGER_CANONICAL,
    XSD_STRING,
    Context,
    Judged,
    Params,
    Unsupported,
    ValueComponent,
    datatype_is,
    nt,
    ox_term,
    same_term,
    sub,
)

if TYPE_CHECKING:
    from rdflib.term import Node

    from claimgraph.validation.reference import Shape

__all__ = [
    "VALUE_COMPONENTS",
    "ClassComponent",
    "DatatypeComponent",
    "InComponent",
    "LanguageInComponent",
    "MaxExclusiveComponent",
    "MaxInclusiveComponent",
    "MaxLengthComponent",
    "MinExclusiveComponent",
    "MinInclusiveComponent",
    "MinLengthComponent",
    "NodeKindComponent",
    "PatternComponent",
]

# Lexical forms that rdflib surely parses to a value of the datatype pySHACL expects (conservative:
# anything else is judged in Python).
_CANONICAL = {
    XSD.integer: INTEGER_CANONICAL,
    XSD.nonNegativeInteger: r"^(0|[1-9][0-9]{0,17})$",
    XSD.positiveInteger: r"^[1-9][0-9]{0,17}$",
    XSD.decimal: r"^-?(0|[1-9][0-9]{0,14})(\\.[0-9]{1,14})?$",
    XSD.date: r"^(19|20)[0-9][0-9]-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$",
    XSD.boolean: r"^(true|false)$",
}


# Datatypes an Oxigraph store does not keep: it stores their valid values as the type on the right.
_DERIVED_INTEGERS = (
    "byte short int long unsignedByte unsignedShort unsignedInt unsignedLong"
    " nonNegativeInteger positiveInteger nonPositiveInteger negativeInteger"
)
REWRITTEN = {XSD.term(name): XSD.integer for name in _DERIVED_INTEGERS.split()} | {XSD.dateTimeStamp: XSD.dateTime}


def _false(_: str) -> str:
    return "false"


def _exact(template: str) -> Callable[[str], str]:
    return functools.partial(sub, template)


class JudgedComponent(ValueComponent):
    """A value component whose verdict on some literals is pySHACL's (see the module docstring)."""

    single = True

    def __init__(self, context: Context, shape: Shape, params: Params) -> None:
        from claimgraph.validation.reference import value_judge

        super().__init__(context, shape, params)
        # pySHACL's component also checks the parameter's values, as it would when it validates.
        self.judge = value_judge(shape, self.parameters[0])

    def tests(self) -> Iterator[Callable[[str], str]]:
        for value in self.values:
            yield self.test(value)

    @abstractmethod
    def test(self, value: Node) -> Callable[[str], str]:
        """The test of one value node, for the parameter's value ``value``."""

    def judged(
        self, key: object, sure_bad: Callable[[str], str], sure_ok: Callable[[str], str]
    ) -> Callable[[str], str]:
        found = self.context.judged(
            Judged((self.name, self.shape.node, key), self.shape, sure_bad, sure_ok, self.judge)
        )
        return found.ok


class DatatypeComponent(JudgedComponent, parameters=("datatype",)):
    """sh:datatype."""

    def test(self, value: Node) -> Callable[[str], str]:
        import rdflib
        import rdflib.term

        d = str(value)
        if d in REWRITTEN and not self._beside_canonical(d):
            raise Unsupported(
                f"sh:datatype <{d}>: an Oxigraph store keeps its valid values as <{REWRITTEN[d]}>, "
                "so the store cannot tell them from values written so"
            )
        exact = {
            XSD.string: datatype_is("{0}", XSD.string),
            RDF.langString: datatype_is("{0}", RDF.langString),
            RDFS.Literal: "isLiteral({0})",
            RDFS.Datatype: f'isLiteral({{0}}) && LANG({{0}}) = "" && DATATYPE({{0}}) != {XSD_STRING}',
        }.get(d)
        if exact is not None:
            return _exact(f"({exact})")
        same_type = datatype_is("{0}", d)
        known = set(rdflib.term.XSDToPython) | set(rdflib.term._check_well_formed_types)
        if rdflib.URIRef(d) not in known:  # rdflib never finds such a literal ill-typed
            return _exact(f"({same_type})")
        canonical = _CANONICAL.get(d)
        sure_bad = _exact(f"!({same_type})")
        if canonical is None:
            return self.judged(d, sure_bad, _false)
        return self.judged(d, sure_bad, _exact(f'({same_type} && REGEX(STR({{0}}), "{canonical}"))'))


    def _beside_canonical(self, datatype: str) -> bool:
        """Is the shape an alternative of an sh:or that also admits the type the store rewrites
        ``datatype`` to? Then the store's form passes either way, as the value as written would."""
        import rdflib

        graph = self.context.shapes.graph
        canonical = rdflib.URIRef(REWRITTEN[datatype])
        for cell in graph.subjects(rdflib.RDF.first, self.shape.node):
            head = cell
            while (before := graph.value(predicate=rdflib.RDF.rest, object=head)) is not None:
                head = before
            if (None, rdflib.URIRef(SH + "or"), head) in graph and any(
                (member, rdflib.URIRef(SH + "datatype"), canonical) in graph for member in graph.items(head)
            ):
                return True
        return False


class NodeKindComponent(JudgedComponent, parameters=("nodeKind",)):
    _TESTS: ClassVar[dict[str, str]] = {
        "IRI": "isIRI({0})",
        "BlankNode": "isBlank({0})",
        "Literal": "isLiteral({0})",
        "BlankNodeOrIRI": "(isBlank({0}) || isIRI({0}))",
        "BlankNodeOrLiteral": "(isBlank({0}) || isLiteral({0}))",
        "IRIOrLiteral": "(isIRI({0}) || isLiteral({0}))",
    }

    def test(self, value: Node) -> Callable[[str], str]:
        local = str(value).removeprefix(SH)
        if local not in self._TESTS or not str(value).startswith(SH):
            raise Unsupported(f"sh:nodeKind {value}")
        return _exact(self._TESTS[local])


class InComponent(JudgedComponent, parameters=("in",)):
    """sh:in."""

    def test(self, value: Node) -> Callable[[str], str]:
        import rdflib

        # IRIs and simple literals compare as terms; a blank node of the shapes graph equals no data
        # node; typed literals are judged by pySHACL (it compares values).
        plain = [
            ox_term(m)
            for m in self.context.shapes.items(value)
            if isinstance(m, rdflib.URIRef) or (isinstance(m, rdflib.Literal) and m.datatype is None)
        ]

        def sure_ok(v: str) -> str:
            if not plain:
                return "false"
            return "(" + " || ".join(same_term(v, m) for m in plain) + ")"

        def sure_bad(v: str) -> str:
            simple = f"(isIRI({v}) || isBlank({v}) || {datatype_is(v, XSD.string)} || {datatype_is(v, RDF.langString)})"
            return f"(!{sure_ok(v)} && {simple})"

        return self.judged(None, sure_bad, sure_ok)


class RangeComponent(JudgedComponent):
    """sh:minInclusive and its kin: canonical integers compared in SPARQL, the rest by pySHACL."""

    operator: ClassVar[str]

    def __init_subclass__(cls, *, operator: str = "", **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)  # type: ignore[arg-type]
        cls.operator = operator

    def test(self, value: Node) -> Callable[[str], str]:
        import rdflib

        numeric = (
            isinstance(value, rdflib.Literal)
            and type(value.value).__name__ in ("int", "Decimal")
            and not isinstance(value.value, bool)
        )
        op = self.operator
        canonical = (
            f'({datatype_is("{0}", XSD.integer)} && REGEX(STR({{0}}), "{INTEGER_CANONICAL}"))'
        )
        bound = nt(ox_term(value)) if numeric else ""

        def sure_ok(v: str) -> str:
            if not numeric:
                return "false"
            return f"({sub(canonical, v)} && {v} {op} {bound})"

        def sure_bad(v: str) -> str:
            if not numeric:
                return f"!isLiteral({v})"
            return f"(!isLiteral({v}) || ({sub(canonical, v)} && !({v} {op} {bound})))"

        return self.judged(str(value), sure_bad, sure_ok)


class MinInclusiveComponent(RangeComponent, parameters=("minInclusive",), operator=">="):
    """sh:minInclusive."""


class MinExclusiveComponent(RangeComponent, parameters=("minExclusive",), operator=">"):
    """sh:minExclusive."""


class MaxInclusiveComponent(RangeComponent, parameters=("maxInclusive",), operator="<="):
    """sh:maxInclusive."""


class MaxExclusiveComponent(RangeComponent, parameters=("maxExclusive",), operator="<"):
    """sh:maxExclusive."""


class LengthComponent(JudgedComponent):
    """sh:minLength and sh:maxLength: lengths of IRIs and strings in SPARQL, the rest by pySHACL."""

    operator: ClassVar[str]

    def __init_subclass__(cls, *, operator: str = "", **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)  # type: ignore[arg-type]
        cls.operator = operator

    def test(self, value: Node) -> Callable[[str], str]:
        import rdflib

        if not isinstance(value, rdflib.Literal):
            raise Unsupported(f"sh:{self.parameters[0]} {value}")
        n = int(value.value)
        op = self.operator
        string = f"({datatype_is('{0}', XSD.string)} || {datatype_is('{0}', RDF.langString)})"
        stringish = f"(isIRI({{0}}) || (isLiteral({{0}}) && {string}))"
        vacuous = op == ">=" and n == 0

        def sure_ok(v: str) -> str:
            if vacuous:
                return "true"
            return f"({sub(stringish, v)} && STRLEN(STR({v})) {op} {n})"

        def sure_bad(v: str) -> str:
            if vacuous:
                return "false"
            return f"(isBlank({v}) || ({sub(stringish, v)} && !(STRLEN(STR({v})) {op} {n})))"

        return self.judged(n, sure_bad, sure_ok)


class MinLengthComponent(LengthComponent, parameters=("minLength",), operator=">="):
    """sh:minLength."""


class MaxLengthComponent(LengthComponent, parameters=("maxLength",), operator="<="):
    """sh:maxLength."""


class PatternComponent(JudgedComponent, parameters=("pattern", "flags")):
    """sh:pattern (with sh:flags): regular expressions are XPath's, so every literal is judged by pySHACL."""

    def __init__(self, context: Context, shape: Shape, params: Params) -> None:
        super().__init__(context, shape, params)
        if len(params.get("flags", [])) > 1:
            raise Unsupported(f"several sh:flags on {shape.node}")

    def test(self, value: Node) -> Callable[[str], str]:
        return self.judged(None, _exact("isBlank({0})"), _false)


class LanguageInComponent(JudgedComponent, parameters=("languageIn",)):
    """sh:languageIn."""

    def test(self, value: Node) -> Callable[[str], str]:
        return self.judged(None, _exact('(!isLiteral({0}) || LANG({0}) = "")'), _false)


class ClassComponent(ValueComponent, parameters=("class",)):
    """sh:class: an instance of the class or of its subclasses (rdfs:subClassOf* in the data)."""

    def tests(self) -> Iterator[Callable[[str], str]]:
        for cls in self.values:
            yield functools.partial(_instance_test, self.context, nt(ox_term(cls)))


def _instance_test(context: Context, cls: str, var: str) -> str:
    return context.instance_test(var, cls)


#: In the order their tests are joined (cheap tests on the value first).
VALUE_COMPONENTS: tuple[type[ValueComponent], ...] = (
    DatatypeComponent,
    NodeKindComponent,
    InComponent,
    MinInclusiveComponent,
    MinExclusiveComponent,
    MaxInclusiveComponent,
    MaxExclusiveComponent,
    MinLengthComponent,
    MaxLengthComponent,
    PatternComponent,
    LanguageInComponent,
    ClassComponent,
)
