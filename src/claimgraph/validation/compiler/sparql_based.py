"""SHACL-SPARQL constraints (sh:sparql), run as written with ``$this`` joined to the shape's focus nodes.

One query instead of one per focus node is pre-binding only if ``$this`` is bound by a triple pattern
of the query's top-level group and the query neither slices (LIMIT/OFFSET) nor aggregates (duplicates
in the union would change a COUNT); rdflib's SPARQL parser checks that before the query is trusted.
Rows are made distinct over every projected variable, as pySHACL deduplicates them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from claimgraph.errors import QuerySyntaxError
from claimgraph.namespaces import XSD
from claimgraph.sparql.lexer import TokenKind, prebind, scan, tokens
from claimgraph.validation.compiler.analyses import remembered
from claimgraph.validation.compiler.base import (
    Check,
    ConstraintComponent,
    Hit,
    OxTerm,
    Rows,
    Scope,
    Target,
    Unsupported,
    declared_prefixes,
    ox_term,
    select,
    text,
)

if TYPE_CHECKING:
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.plugins.sparql.sparql import Query

    from claimgraph.validation.reference import Shape

__all__ = ["RISKY_LITERAL", "PerFocusCheck", "SparqlCheck", "SparqlComponent"]


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

    def hits(self, rows: Rows) -> Iterator[Hit]:
        for row in rows:
            focus = row["this"]
            assert isinstance(focus, OxTerm)
            value = row["value"] if "value" in self.projected else None
            path = row["path"] if "path" in self.projected else None
            if value is None and not self.shape.is_property_shape:
                value = focus
            assert value is None or isinstance(value, OxTerm)
            assert path is None or isinstance(path, OxTerm)
            yield Hit(focus, text(path) or self.path, value, SparqlComponent.iri())


class PerFocusCheck(SparqlCheck):
    """A SHACL-SPARQL SELECT that only pre-binding gets right: run once per focus node, ``$this``
    replaced by the node in the query's text (:func:`~claimgraph.sparql.lexer.prebind`)."""

    def __init__(
        self,
        shape: Shape,
        path: str | None,
        query: str,
        projected: tuple[str, ...],
        substitutions: dict[str, OxTerm],
        predicates: frozenset[str] | None,
        focus_query: str,
    ) -> None:
        super().__init__(shape, path, query, projected, substitutions, predicates)
        self.focus_query = focus_query

    def solutions(self, target: Target, expand: Callable[[str], str]) -> Iterator[Mapping[str, object]]:
        seen: set[tuple[object, ...]] = set()
        for focus_row in select(target, expand(self.focus_query)):
            focus = focus_row["this"]
            if not isinstance(focus, ox.NamedNode | ox.Literal):
                raise Unsupported("a blank node focus node cannot be pre-bound in a query's text")
            try:
                rows = select(target, prebind(self.text, "this", focus), self.substitutions())
            except SyntaxError as error:
                raise Unsupported(f"the query pre-bound is not SPARQL Oxigraph reads: {error}") from None
            for row in rows:
                found = tuple(row[v] for v in self.projected)
                if found not in seen:  # as pySHACL, each distinct row once
                    seen.add(found)
                    yield dict(zip(self.projected, found, strict=True))


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
            declared = declared_prefixes(self.context.shapes.graph, constraint)
            prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(declared.items())) + prologue
            projected, predicates, mode = _check_prebinding(prologue + body)
            if "failure" in projected:
                raise Unsupported("?failure in a SPARQL constraint")
            names = " ".join(f"?{v}" for v in projected)
            substitutions = {"currentShape": ox_term(self.shape.node)} if "currentShape" in bindings else {}
            path = str(self.shape.path()) if self.shape.is_property_shape else None
            if mode == PER_FOCUS:
                focus = f"SELECT DISTINCT ?this WHERE {{ {scope.focus} }}"
                yield PerFocusCheck(self.shape, path, prologue + body, projected, substitutions, predicates, focus)
                continue
            if mode == JOIN:
                # The query binds $this itself, and its rows are the violations: testing each row's
                # $this for membership costs less than building and joining every focus node
                # (10M triples: 34 s -> 21 s over the bundled shapes' constraints).
                body = _rewrite_not_exists(prologue, body)
                text = f"{prologue}\nSELECT DISTINCT {names} WHERE {{ {{ {body} }} FILTER EXISTS {scope.members} }}"
            else:
                # $this only in the top-level group's filters: in that group, after the focus pattern,
                # they see it bound, as pre-binding has it.
                text = f"{prologue}\nSELECT DISTINCT {names} WHERE {{ {scope.focus} {_where_group(body)} }}"
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


@remembered(str, str)
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


#: How a SHACL-SPARQL SELECT runs: joined to the focus nodes, its group inlined after the focus
#: pattern (``$this`` only in the top-level group's filters), or once per focus node, pre-bound.
JOIN, INLINE, PER_FOCUS = "join", "inline", "per focus"


def _encode_prebinding(found: tuple[tuple[str, ...], frozenset[str] | None, str]) -> Any:
    projected, predicates, mode = found
    return [list(projected), None if predicates is None else sorted(predicates), mode]


def _decode_prebinding(saved: Any) -> tuple[tuple[str, ...], frozenset[str] | None, str]:
    projected, predicates, mode = saved
    return tuple(projected), None if predicates is None else frozenset(predicates), str(mode)


@remembered(_encode_prebinding, _decode_prebinding)
def _check_prebinding(query: str) -> tuple[tuple[str, ...], frozenset[str] | None, str]:
    """Projected variables and predicates of a SHACL-SPARQL SELECT, and how it runs (:data:`JOIN`,
    :data:`INLINE` or :data:`PER_FOCUS`).

    One query for every focus node is pre-binding only where ``$this`` is bound by a triple pattern
    of the top-level group or used by that group's filters alone, and the query neither slices nor
    aggregates (duplicates in the union would change a COUNT) nor nests a sub-select using
    ``$this``; any other query runs once per focus node, ``$this`` pre-bound in its text.

    The predicates are the IRIs the query's triple patterns and paths use (None: a variable or
    negated property set can match any predicate).

    :raises Unsupported: for a query that is not a SELECT projecting ``$this``, or that holds what
        SHACL forbids pre-binding with (VALUES, MINUS, SERVICE, a BIND to ``$this``).
    """
    algebra = _prepare(query).algebra
    if algebra.name != "SelectQuery":
        raise Unsupported("not a SELECT query")
    projected = tuple(str(v) for v in dict.get(algebra, "PV", ()))  # CompValue.get takes other arguments
    if "this" not in projected:
        raise Unsupported("$this is not projected")
    per_focus = False
    for node in _algebra_nodes(algebra):
        if node.name in ("values", "Minus", "ServiceGraphPattern"):
            raise Unsupported(f"{node.name} in a SPARQL constraint")
        if node.name == "Extend" and str(node.get("var")) == "this":
            raise Unsupported("BIND to $this")
        per_focus |= node.name in ("Slice", "Group", "AggregateJoin", "ToMultiSet")
    bound = "this" in _mandatory(algebra)
    per_focus |= _used_in_nested_expression(query)
    if per_focus or not _joinable(algebra) or (not bound and _modified(algebra)):
        return projected, _predicates(algebra), PER_FOCUS
    return projected, _predicates(algebra), JOIN if bound else INLINE


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


def _used_in_nested_expression(query: str) -> bool:
    """Is ``$this`` used in an expression (a FILTER or BIND) of a group nested in the WHERE group,
    outside an EXISTS? There a joined ``$this`` is unbound where a pre-bound one is bound, and
    rdflib's algebra, which merges a nested group's filters into the enclosing one, does not show it.
    (Inside EXISTS the solution's bindings are substituted, as pre-binding would have them.)"""
    depth = parens = 0
    exists: list[int] = []  # depths of the groups opened by EXISTS
    after_exists = False
    for token in tokens(query):
        char = query[token.at]
        if token.kind is TokenKind.OPEN:
            depth += 1
            if after_exists:
                exists.append(depth)
            after_exists = False
        elif token.kind is TokenKind.CLOSE:
            if exists and exists[-1] == depth:
                exists.pop()
            depth -= 1
        elif token.kind is TokenKind.WORD:
            after_exists = token.text == "EXISTS"
        elif char in "()":
            parens += 1 if char == "(" else -1
        elif char in "?$" and depth >= 2 and parens > 0 and not exists and _is_this(query, token.at):
            return True
    return False


def _is_this(query: str, at: int) -> bool:
    """Is the variable token at ``at`` ``$this`` (or ``?this``)?"""
    return query[at + 1 : at + 5] == "this" and not _NAME_GOES_ON.match(query, at + 5)


_NAME_GOES_ON = re.compile(r"[A-Za-z0-9_]")


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
