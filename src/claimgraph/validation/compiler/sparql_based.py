"""SHACL-SPARQL constraints (sh:sparql), run as written with ``$this`` joined to the shape's focus nodes.

One query instead of one per focus node is pre-binding only if ``$this`` is bound by a triple pattern
of the query's top-level group and the query neither slices (LIMIT/OFFSET) nor aggregates (duplicates
in the union would change a COUNT); rdflib's SPARQL parser checks that before the query is trusted.
Rows are made distinct over every projected variable, as pySHACL deduplicates them.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pyoxigraph as ox

from claimgraph.errors import QuerySyntaxError
from claimgraph.namespaces import XSD
from claimgraph.sparql.lexer import TokenKind, scan, tokens
from claimgraph.validation.compiler.base import (
    Check,
    ConstraintComponent,
    Hit,
    OxTerm,
    Scope,
    Unsupported,
    ox_term,
    text,
)

if TYPE_CHECKING:
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.plugins.sparql.sparql import Query

    from claimgraph.validation.reference import Shape

__all__ = ["RISKY_LITERAL", "SparqlCheck", "SparqlComponent"]


class SparqlCheck(Check):
    """The rows of a SHACL-SPARQL SELECT: ``?this``, and ``?value`` / ``?path`` where projected."""

    def __init__(
        self,
        shape: Shape,
        path: str | None,
        query: str,
        projected: tuple[str, ...],
        substitutions: dict[str, OxTerm],
        predicates: frozenset[str] | None,
    ) -> None:
        super().__init__(shape, path)
        self.text = query
        self.projected = projected
        self._substitutions = substitutions
        self._predicates = predicates

    def query(self) -> str:
        return self.text

    def substitutions(self) -> dict[str, OxTerm]:
        return self._substitutions

    def predicates(self) -> frozenset[str] | None:
        return self._predicates

    def hits(self, rows: ox.QuerySolutions) -> Iterator[Hit]:
        for row in rows:
            focus = row["this"]
            assert isinstance(focus, OxTerm)
            value = row["value"] if "value" in self.projected else None
            path = row["path"] if "path" in self.projected else None
            if value is None and not self.shape.is_property_shape:
                value = focus
            assert value is None or isinstance(value, OxTerm)
            yield Hit(focus, text(path) or self.path, value, SparqlComponent.iri())


class SparqlComponent(ConstraintComponent, parameters=("sparql",), name="SPARQL"):
    """sh:sparql."""

    def checks(self, scope: Scope) -> Iterator[Check]:
        from claimgraph.validation.reference import sparql_constraints

        found = sparql_constraints(self.shape)
        for constraint in self.values:
            helpers = [h for h in found if h.node == constraint]
            if len(helpers) != 1:
                raise Unsupported("SPARQL constraint not found")
            helper = helpers[0]
            if helper.deactivated:
                continue
            if helper.messages:
                raise Unsupported("sh:message on a SPARQL constraint (several messages per result)")
            if any("{?" in str(m) or "{$" in str(m) for m in self.context.shapes.objects(self.shape, "message")):
                raise Unsupported("a message template with variables")
            bindings, query = helper.pre_bind_variables(None)  # the focus node is joined, not bound
            if set(bindings) - {"this", "currentShape"}:
                raise Unsupported(f"pre-bound variables {sorted(bindings)}")
            prologue, body = _split_prologue(query)
            projected, predicates, bound = _check_prebinding(helper.apply_prefixes(prologue + body))
            if "failure" in projected:
                raise Unsupported("?failure in a SPARQL constraint")
            names = " ".join(f"?{v}" for v in projected)
            prologue = helper.apply_prefixes(prologue)
            if bound:
                body = _rewrite_not_exists(prologue, body)
                text = f"{prologue}\nSELECT DISTINCT {names} WHERE {{ {scope.focus} {{ {body} }} }}"
            else:
                # $this only in the top-level group's filters: in that group, after the focus pattern,
                # they see it bound, as pre-binding has it.
                text = f"{prologue}\nSELECT DISTINCT {names} WHERE {{ {scope.focus} {_where_group(body)} }}"
            substitutions = {"currentShape": ox_term(self.shape.node)} if "currentShape" in bindings else {}
            path = str(self.shape.path()) if self.shape.is_property_shape else None
            yield SparqlCheck(self.shape, path, text, projected, substitutions, predicates)

    def conditions(self, var: str, path: str | None) -> Iterator[str]:
        raise Unsupported("a SPARQL constraint in a nested shape")


def _split_prologue(query: str) -> tuple[str, str]:
    """Split the query's own PREFIX/BASE declarations (they cannot stay inside a subquery)."""
    try:
        at = scan(query).form_at
    except QuerySyntaxError:  # not a query: rdflib's parser says why
        return "", query
    return query[:at], query[at:]


def _variables(node: object) -> set[str]:
    from rdflib.term import Variable

    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Variable):
            found.add(str(item))
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set):
            stack.extend(item)
    return found


@functools.lru_cache(maxsize=256)
def _rewrite_not_exists(prologue: str, body: str) -> str:
    """Turn ``FILTER NOT EXISTS { P }`` of the top-level group into ``MINUS { P }`` where that is exact.

    Oxigraph evaluates a NOT EXISTS over several triple patterns by joining them afresh for every
    solution (minutes at a million triples); MINUS evaluates P once. The two agree when every
    variable P shares with the rest of the query is bound in every solution of the rest and is bound
    by a triple pattern of P's own top-level group (P's filters see nothing else from outside). The
    MINUS goes where the FILTER stood when what precedes it binds every shared variable (what follows
    cannot change them, and a FILTER written after it then runs on fewer rows: Oxigraph pushes a
    group's filters below a MINUS at its end); otherwise at the end of the group, where a FILTER applies.
    """
    while True:
        found = [t for t in tokens(body) if t.kind is not TokenKind.OTHER]
        opening = next((k for k, t in enumerate(found) if t.kind is TokenKind.OPEN), None)
        if opening is None:
            return body
        depth, target = 0, None
        for k in range(opening, len(found)):
            token = found[k]
            if token.kind is TokenKind.OPEN:
                depth += 1
            elif token.kind is TokenKind.CLOSE:
                depth -= 1
                if depth == 0:
                    group_end = token.at
                    break
            elif (
                depth == 1
                and token.text == "FILTER"
                and k + 3 < len(found)
                and [t.text for t in found[k + 1 : k + 3]] == ["NOT", "EXISTS"]
                and found[k + 3].kind is TokenKind.OPEN
            ):
                nesting = 0
                for j in range(k + 3, len(found)):
                    if found[j].kind is TokenKind.OPEN:
                        nesting += 1
                    elif found[j].kind is TokenKind.CLOSE:
                        nesting -= 1
                        if nesting == 0:
                            target = (token.at, found[k + 3].at, found[j].at)
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
        try:
            before = _mandatory(_prepare(prologue + body[:start] + "}").algebra)
        except Unsupported:
            before = set()
        if shared <= before:
            body = rest[:start] + " MINUS {" + pattern + "} " + rest[start:]
        else:
            group_end -= p_close + 1 - start
            body = rest[:group_end] + " MINUS {" + pattern + "} " + rest[group_end:]


def _prepare(query: str) -> Query:
    from rdflib.plugins.sparql import prepareQuery

    try:
        return prepareQuery(query)
    except Exception as error:
        raise Unsupported(f"query rdflib cannot parse: {error}") from None


def _mandatory(node: CompValue) -> set[str]:
    """Variables bound in every solution of an rdflib algebra pattern (a safe under-estimate)."""
    from rdflib.term import Variable

    name = getattr(node, "name", "")
    if name == "BGP":
        return {str(t) for triple in node["triples"] for t in triple if isinstance(t, Variable)}
    if name == "Join":
        return _mandatory(node["p1"]) | _mandatory(node["p2"])
    if name in ("LeftJoin", "Minus"):
        return _mandatory(node["p1"])
    if name in ("Filter", "Project", "Distinct", "Reduced", "OrderBy", "Extend", "Graph", "SelectQuery"):
        return _mandatory(node["p"])
    if name == "Union":
        return _mandatory(node["p1"]) & _mandatory(node["p2"])
    if name == "ToMultiSet":  # a sub-select binds what its own pattern binds, of what it projects
        return _mandatory(node["p"]) & {str(v) for v in dict.get(node["p"], "PV", ())}
    return set()


def _algebra_nodes(node: object) -> Iterator[CompValue]:
    """The algebra's nodes, but not those inside a sub-select that does not use ``$this``: pre-binding
    never reaches into one, so it runs the same joined or pre-bound, whatever it holds."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name == "ToMultiSet" and "this" not in _variables(node):
            return
        yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _algebra_nodes(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _algebra_nodes(item)


@functools.lru_cache(maxsize=256)
def _check_prebinding(query: str) -> tuple[tuple[str, ...], frozenset[str] | None, bool]:
    """Projected variables and predicates of a SHACL-SPARQL SELECT that may run with ``$this`` free,
    and whether the top-level group binds ``$this`` (else only its filters use it: see ``checks``).

    The predicates are the IRIs the query's triple patterns and paths use (None: a variable or
    negated property set can match any predicate).

    :raises Unsupported: if ``$this`` is not bound by the query's top-level group, or the query slices
        or aggregates its solutions.
    """
    algebra = _prepare(query).algebra
    if algebra.name != "SelectQuery":
        raise Unsupported("not a SELECT query")
    projected = tuple(str(v) for v in dict.get(algebra, "PV", ()))  # CompValue.get takes other arguments
    if "this" not in projected:
        raise Unsupported("$this is not projected")
    for node in _algebra_nodes(algebra):
        if node.name in ("Slice", "Group", "AggregateJoin", "ToMultiSet", "values", "Minus", "ServiceGraphPattern"):
            raise Unsupported(f"{node.name} in a SPARQL constraint")
        if node.name == "Extend" and str(node.get("var")) == "this":
            raise Unsupported("BIND to $this")
    if not _joinable(algebra):
        raise Unsupported("$this is used outside the triple patterns and filters of the top-level group")
    bound = "this" in _mandatory(algebra)
    if not bound and _modified(algebra):
        raise Unsupported("$this is not bound by a triple pattern of the query's top-level group")
    return projected, _predicates(algebra), bound


def _modified(algebra: CompValue) -> bool:
    """Does the SELECT do more than project (DISTINCT, ORDER BY …), so its group cannot be inlined?"""
    node = algebra["p"]
    return getattr(node, "name", "") != "Project" or getattr(node["p"], "name", "") != "Filter"


def _where_group(body: str) -> str:
    """What the group of a SELECT's WHERE clause holds, without its braces (the query ends with it:
    nothing modifies it)."""
    found = [t for t in tokens(body) if t.kind is not TokenKind.OTHER]
    opening = next(k for k, t in enumerate(found) if t.kind is TokenKind.OPEN)
    depth = 0
    for token in found[opening:]:
        depth += {TokenKind.OPEN: 1, TokenKind.CLOSE: -1}.get(token.kind, 0)
        if depth == 0:
            return body[found[opening].at + 1 : token.at]
    raise Unsupported("unbalanced braces in a SPARQL constraint")


def _joinable(node: CompValue) -> bool:
    """Is running the query with ``$this`` free, then joining, the same as pre-binding it?

    Only if ``$this`` occurs in triple patterns of the top-level group (where joining is pre-binding)
    and in that group's own filters (they see ``$this`` bound either way); anywhere else — a filter of
    a nested group, BIND, OPTIONAL, UNION, a subquery — it would be unbound where pySHACL has it
    bound (``FILTER(bound($this))`` in a nested group holds only when pre-bound).
    """
    name = getattr(node, "name", "")
    if name in ("SelectQuery", "Project", "Distinct", "Reduced", "Filter"):
        return _joinable(node["p"])
    return _group(node)


def _group(node: CompValue) -> bool:
    name = getattr(node, "name", "")
    if name == "BGP":
        return True
    if name == "Join":
        return _group(node["p1"]) and _group(node["p2"])
    if name == "Extend":  # a BIND of the group: it sees $this bound either way once the group binds it
        return _group(node["p"]) and ("this" in _mandatory(node["p"]) or "this" not in _variables(node["expr"]))
    if name == "LeftJoin":
        return (
            _group(node["p1"]) and "this" not in _variables(node["p2"]) and "this" not in _variables(node.get("expr"))
        )
    return "this" not in _variables(node)


def _predicates(algebra: CompValue) -> frozenset[str] | None:
    """The predicates of the query's triple patterns and paths whose literal objects can reach its result.

    None: any predicate's can (a variable or negated property set in predicate position). A triple
    pattern with a variable predicate is left out when its object cannot be a literal that matters:
    a variable used nowhere else, or one a top-level FILTER requires to be an IRI or blank node.
    """
    import rdflib
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
    from rdflib.term import Variable

    found: set[str] = set()
    counts = _occurrences(algebra)
    never_literal = _never_literal(algebra)

    def path(p: object) -> bool:
        if isinstance(p, rdflib.URIRef):
            found.add(str(p))
            return True
        if isinstance(p, SequencePath | AlternativePath):
            return all(path(a) for a in p.args)
        if isinstance(p, InvPath):
            return path(p.arg)
        if isinstance(p, MulPath):
            return path(p.path)
        return False  # a variable or a negated property set

    def harmless(triple: tuple[object, object, object]) -> bool:
        obj = triple[2]
        return (
            isinstance(triple[1], Variable)
            and isinstance(obj, Variable)
            and (counts[str(obj)] == 1 or str(obj) in never_literal)
        )

    def walk(node: object) -> bool:
        if isinstance(node, dict):
            if getattr(node, "name", "") == "BGP":
                return all(harmless(triple) or path(triple[1]) for triple in node["triples"])
            return all(walk(v) for v in node.values())
        if isinstance(node, list | tuple):
            return all(walk(v) for v in node)
        return True

    return frozenset(found) if walk(algebra) else None


def _occurrences(algebra: CompValue) -> Counter[str]:
    """How often each variable is written in the query (projection, patterns, expressions)."""
    from rdflib.term import Variable

    counts: Counter[str] = Counter()
    stack: list[object] = [algebra]
    while stack:
        item = stack.pop()
        if isinstance(item, Variable):
            counts[str(item)] += 1
        elif isinstance(item, dict):  # rdflib's cached "_vars" sets are not occurrences
            stack.extend(value for key, value in item.items() if not str(key).startswith("_"))
        elif isinstance(item, list | tuple | set):
            stack.extend(item)
    return counts


def _never_literal(algebra: CompValue) -> set[str]:
    """Variables a FILTER requires to be IRIs or blank nodes in every solution of the query's
    top-level group: filters of that group, of the groups it joins and of the sub-selects it joins."""
    from rdflib.term import Variable

    found: set[str] = set()
    aliases: dict[str, str] = {}  # BIND (?v AS ?alias)
    stack: list[object] = [dict.get(algebra, "p")]
    while stack:
        node = stack.pop()
        name = getattr(node, "name", "")
        if name == "Join":
            stack.extend([node["p1"], node["p2"]])  # type: ignore[index]
            continue
        if name not in ("Project", "Distinct", "Reduced", "Filter", "OrderBy", "Extend", "ToMultiSet"):
            continue
        assert isinstance(node, dict)
        if name == "Extend" and isinstance(node["expr"], Variable):
            aliases[str(node["var"])] = str(node["expr"])
        if name == "Filter":
            conjuncts = [node["expr"]]
            while conjuncts:
                expr = conjuncts.pop()
                kind = getattr(expr, "name", "")
                if kind == "ConditionalAndExpression":
                    conjuncts.extend([expr["expr"], *expr["other"]])
                elif kind in ("Builtin_isIRI", "Builtin_isURI", "Builtin_isBLANK") and isinstance(
                    expr["arg"], Variable
                ):
                    found.add(str(expr["arg"]))
        stack.append(node["p"])
    return found | {aliases[name] for name in found if name in aliases}


# Literals whose value rdflib and Oxigraph may judge differently: typed literals Oxigraph does not
# accept as valid values of their (numeric, date/time, boolean) datatype, and typed literals of any
# datatype outside those two engines' common ground. A SHACL-SPARQL constraint whose triple patterns
# can meet one is validated by pySHACL, so that its results stay exactly pySHACL's.
_SAFE_CASTS = ("date", "dateTime", "time", "boolean", "duration", "dayTimeDuration", "yearMonthDuration")
_NUMERIC = ("integer", "decimal", "float", "double")
#: A SPARQL condition on ``?o``: a literal outside the two engines' common ground.
RISKY_LITERAL = (
    'isLiteral(?o) && DATATYPE(?o) != <http://www.w3.org/2001/XMLSchema#string> && !LANGMATCHES(LANG(?o), "*") && !('
    + " || ".join(f"(DATATYPE(?o) = <{XSD}{t}> && isNumeric(?o))" for t in _NUMERIC)
    + " || "
    + " || ".join(
        f"(DATATYPE(?o) = <{XSD}{t}> && !COALESCE(<{XSD}{t}>(?o) != <{XSD}{t}>(?o), true))" for t in _SAFE_CASTS
    )
    + ")"
)
