"""Compiling a shapes graph and running its checks on a store; the shapes the compiler cannot express
are validated by pySHACL on the whole data graph, shape by shape, so nothing is skipped."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import pyoxigraph as ox

from claimgraph.errors import ShapesError
from claimgraph.namespaces import XSD
from claimgraph.terms import blank_closure, to_rdflib_term
from claimgraph.validation.compiler.base import (
    Check,
    Finding,
    Hit,
    Judged,
    OxTerm,
    Row,
    Rows,
    ShapesView,
    Target,
    Unsupported,
    UnsupportedShapesError,
    select,
    severity,
    text,
)
from claimgraph.validation.compiler.core import PARAMETER_OF, Compiler
from claimgraph.validation.compiler.sparql_based import RISKY_LITERAL
from claimgraph.validation.results import ValidationResult

if TYPE_CHECKING:
    import rdflib
    from rdflib.term import Node

    from claimgraph.validation.reference import Shape

__all__ = ["CompiledShapes", "compile_shapes"]


@dataclass
class CompiledShapes:
    """The checks of every validating shape the compiler could express, and the shapes it could not.

    :ivar fallback: validating shapes (their IRIs) left to pySHACL, with the reason.
    :ivar last_fallback: those of the last :meth:`run`, which may add shapes whose checks met data
        the compiled queries cannot judge exactly.
    """

    checks: list[Check]
    fallback: dict[str, str]
    shapes: ShapesView
    compiler: Compiler
    last_fallback: dict[str, str] = field(default_factory=dict)

    def run(self, store: Target, *, data_graph: Callable[[], rdflib.Graph] | None = None) -> list[Finding]:
        """Validate the union of ``store``'s graphs; :attr:`fallback` shapes run in pySHACL on ``data_graph()``.

        ``store`` may be an engine over a store elsewhere: then the queries run there, and a shape whose
        results need pySHACL's generic message (it has no sh:message) goes to ``data_graph()`` too.

        The queries run on as many threads as there are processors: Oxigraph evaluates a query without
        holding Python's lock. They are queued at once, so that no thread waits for a phase to end: the
        judged values first (the checks' queries name those rejected, so each check waits for them),
        then the typed literals the risky tests read, then every check. A check found risky is dropped
        with its rows, or with the error a store gave on its literals. Results come in check order
        whatever the order the queries finish in.

        :raises UnsupportedShapesError: if some shapes need pySHACL and ``data_graph`` is None.
        """
        self.compiler.look_up_subclasses(store)
        fallback = dict(self.fallback)
        findings: dict[str, list[Finding]] = {}
        wanted = [c for c in self.checks if str(c.root.node) not in fallback]
        with ThreadPoolExecutor(max_workers=_workers()) as pool:
            try:
                judging = [pool.submit(_judge_values, store, judge) for judge in self.compiler.judges.values()]
                keys = sorted({k for c in wanted for k in _keys(c.predicates())}, key=lambda k: k or "")
                literals = pool.submit(_typed_literals, store, keys)
                running = [(check, pool.submit(self._solutions, store, check, judging)) for check in wanted]
                for judged in judging:
                    judged.result()  # a judge's error, raised once rather than by every check
                risky = {key: _risky(literals.result(), key) for key in keys}
                for check in wanted:
                    if any(risky[k] for k in _keys(check.predicates())):
                        fallback[str(check.root.node)] = (
                            "its SPARQL constraint meets literals rdflib and Oxigraph may value differently"
                        )
                for check, future in running:
                    root = str(check.root.node)
                    if root in fallback:
                        continue
                    try:
                        rows, times = future.result()
                        findings.setdefault(root, []).extend(self._findings(store, check, rows, times))
                    except Unsupported as reason:  # e.g. a blank node among the values judged bad
                        fallback[root] = str(reason)
                        findings.pop(root, None)
            except BaseException:
                pool.shutdown(cancel_futures=True)  # the queries not started yet
                raise
        self.last_fallback = fallback
        out = [f for root, found in findings.items() if root not in fallback for f in found]
        if fallback:
            if data_graph is None:
                raise UnsupportedShapesError(fallback)
            out.extend(_run_pyshacl([s for s in self.shapes.shapes if str(s.node) in fallback], data_graph()))
        return out

    def _solutions(
        self, store: Target, check: Check, judging: Sequence[Future[None]]
    ) -> tuple[list[Row], dict[object, int]]:
        """The rows of ``check``, and how many times each focus node's results count (see
        :attr:`Check.multiplicity`); on a worker thread, once the values are judged."""
        for judged in judging:
            judged.result()
        rows = list(check.solutions(store, self.compiler.expand))
        times: dict[object, int] = {}
        if check.multiplicity is not None:
            for row in select(store, self.compiler.expand(check.multiplicity())):
                n = row["n"]
                assert isinstance(n, ox.Literal)
                times[row["this"]] = int(n.value)
        return rows, times

    def _findings(self, store: Target, check: Check, rows: Rows, times: dict[object, int]) -> Iterator[Finding]:
        shape = check.shape
        messages = self.shapes.objects(shape, "message")
        generic: _GenericMessages | None = None
        for hit in check.hits(rows):
            if messages:
                message_term: object = messages[0]
            else:
                generic = generic or _GenericMessages(store, shape)
                message_term = generic.message(hit)
            result = ValidationResult(
                severity=severity(shape.severity),
                shape=str(shape.node),
                focus=text(hit.focus) or "",
                path=hit.path,
                value=text(hit.value),
                component=hit.component,
                message="" if message_term is None else str(message_term),
            )
            finding = Finding(result, focus_term=hit.focus, value_term=hit.value, message_term=message_term)
            for _ in range(times.get(hit.focus, 1)):
                yield finding


def _workers() -> int:
    """The processors this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _keys(predicates: frozenset[str] | None) -> list[str | None]:
    """The keys :func:`_risky` is asked about for a check reading ``predicates`` (None: any)."""
    keys: list[str | None] = [None] if predicates is None else [*sorted(predicates)]
    return keys


class _GenericMessages:
    """pySHACL's default message of a result, for a shape without sh:message.

    pySHACL describes the focus and value nodes from the data graph: IRIs with the prefixes of an
    rdflib graph made from the store (:func:`claimgraph.terms.to_rdflib`), blank nodes by their triples,
    which are copied from the store.
    """

    graphs: ClassVar[dict[int, rdflib.Graph]] = {}

    def __init__(self, store: Target, shape: Shape) -> None:
        import rdflib

        if not isinstance(store, ox.Store):
            raise Unsupported("pySHACL's message of a shape without sh:message describes nodes from the data")
        self.store = store
        self.shape = shape
        self.by_component: dict[str, Callable[[rdflib.Graph, Node, Node | None], list[Node]]] = {}
        # One graph per store, kept: pySHACL caches the text of a blank node by its graph's id().
        self.data = self.graphs.setdefault(id(store), rdflib.Graph())
        self.copied: set[ox.BlankNode] = set()

    def message(self, hit: Hit) -> Node | None:
        from claimgraph.validation.reference import generic_messages

        make = self.by_component.get(hit.component)
        if make is None:
            make = self.by_component[hit.component] = generic_messages(self.shape, PARAMETER_OF[hit.component])
        for term in (hit.focus, hit.value):
            if isinstance(term, ox.BlankNode):
                self._copy(term)
        value = None if hit.value is None else to_rdflib_term(hit.value)
        found = make(self.data, to_rdflib_term(hit.focus), value)
        if len(found) > 1:
            raise Unsupported(f"pySHACL gives {self.shape.node}'s results several messages")
        return found[0] if found else None

    def _copy(self, node: ox.BlankNode) -> None:
        """Copy the triples of ``node``, and of the blank nodes they reach, into the message graph."""
        if node in self.copied:
            return
        self.copied.add(node)
        for quad in blank_closure(self.store, node):
            if isinstance(quad.object, ox.Triple) or isinstance(quad.subject, ox.Triple):
                raise Unsupported("RDF-star triple terms")
            self.data.add((to_rdflib_term(quad.subject), to_rdflib_term(quad.predicate), to_rdflib_term(quad.object)))


def compile_shapes(shapes_graph: rdflib.Graph) -> CompiledShapes:
    """Compile the validating shapes of ``shapes_graph`` (those with targets) into SPARQL checks.

    :raises ShapesError: if pySHACL, whose reading of the shapes the compiler follows, refuses them.
    """
    from claimgraph.validation.reference import refusals

    shapes = ShapesView(shapes_graph)
    roots = [s for s in shapes.shapes if any(list(t) for t in s.target())]
    compiler = Compiler(shapes)
    compiler.build_parents(roots)
    checks: list[Check] = []
    fallback: dict[str, str] = {}
    for root in roots:
        try:
            with refusals(any_error=False):  # pySHACL refusing a shape: the shapes are not valid SHACL
                compiler.targets(root, "?this")  # raises Unsupported now rather than when run
                found = compiler.compile_root(root, functools.partial(compiler.targets, root, "?this"))
            for check in found:
                check.root = root
            checks.extend(found)
        except Unsupported as reason:
            fallback[str(root.node)] = str(reason)
        except ShapesError:
            raise
        except Exception as error:  # pySHACL failing otherwise on a shape: its own run reports that
            fallback[str(root.node)] = " ".join(f"{type(error).__name__}: {error}".split())
    return CompiledShapes(checks=checks, fallback=fallback, shapes=shapes, compiler=compiler)


def _judge_values(store: Target, judge: Judged) -> None:
    """Find the values the SPARQL tests cannot decide and let pySHACL's component judge them."""
    uncertain: dict[Node, OxTerm] = {}
    for var, pattern in judge.populations:
        query = (
            f"SELECT DISTINCT {var} WHERE {{ {pattern()} FILTER(!({judge.sure_ok(var)}) && !({judge.sure_bad(var)})) }}"
        )
        for row in select(store, query):
            value = row[var.lstrip("?")]
            if isinstance(value, OxTerm):
                uncertain.setdefault(to_rdflib_term(value), value)
    rejected = judge.judge(list(uncertain))
    judge.bad = [uncertain[v] for v in uncertain if v in rejected]


def _typed_literals(target: Target, keys: Sequence[str | None]) -> ox.Store:
    """``target`` itself if it is a local store, else a store here of the distinct typed literals (not
    strings) of the predicates ``keys`` (None: any) and those predicates: :func:`_risky`'s casts fail on
    some stores' ill-typed literals, and Virtuoso 7.2 then stops the whole query. A store reads the
    predicates' index entries faster than all its triples (1M triples, Oxigraph server: 2.2 s
    against 4.5 s)."""
    if isinstance(target, ox.Store):
        return target
    literals = ox.Store()
    if not keys:
        return literals
    subject = ox.BlankNode()
    some = "" if None in keys else f"VALUES ?p {{ {' '.join(f'<{k}>' for k in keys)} }} "
    query = (
        f"SELECT DISTINCT ?p ?o WHERE {{ {some}?s ?p ?o "
        f'FILTER (isLiteral(?o) && LANG(?o) = "" && DATATYPE(?o) != <{XSD.string}>) }}'
    )
    for row in select(target, query):
        predicate, value = row["p"], row["o"]
        assert isinstance(predicate, ox.NamedNode) and isinstance(value, ox.Literal)
        literals.add(ox.Quad(subject, predicate, value))
    return literals


def _risky(store: ox.Store, key: str | None) -> bool:
    """Does any literal object of predicate ``key`` (None: of any predicate) fall outside the common ground?"""
    pattern = "?s ?p ?o" if key is None else f"?s <{key}> ?o"
    return bool(list(select(store, f"SELECT ?o WHERE {{ {pattern} FILTER({RISKY_LITERAL}) }} LIMIT 1")))


def _run_pyshacl(shapes: Sequence[Shape], data: rdflib.Graph) -> Iterator[Finding]:
    """Validate ``shapes`` (pySHACL Shape objects) with pySHACL itself."""
    from claimgraph.validation.reference import run_shapes

    for found in run_shapes(shapes, data):
        result = ValidationResult(
            severity=severity(found.severity),
            shape=str(found.shape),
            focus=str(found.focus),
            path=None if found.path is None else str(found.path),
            value=None if found.value is None else str(found.value),
            component=str(found.component),
            message="" if found.message is None else str(found.message),
        )
        yield Finding(result, focus_term=found.focus, value_term=found.value, message_term=found.message)
