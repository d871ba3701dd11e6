"""Validate a dataset's provenance against the SHACL shapes, over the union of its named graphs.

Two engines give the same results, field for field:

- ``"pyshacl"``, the reference: pySHACL validates one graph, so the union of the named graphs is
  handed to it as a single rdflib graph (links across graphs — a claim in a document's graph, its
  claimant in the actor registry — then resolve as they must).
- ``"fast"``: the shapes compiled to SPARQL and run by Oxigraph on the store itself, one query per
  constraint for all focus nodes at once (:mod:`claimgraph.validation.compiler`). Shapes it cannot compile
  are validated by pySHACL, shape by shape.

``"auto"`` (the default) is the fast engine. Both validate exactly what queries see: the union of all
named graphs of the store, the ontology and shapes graphs included (the shapes target no node of
their own graph), and the archive graph the loader derives.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Container, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from claimgraph.errors import ShapesError
from claimgraph.namespaces import CG, SH
from claimgraph.terms import blank_closure, to_rdflib, to_rdflib_term
from claimgraph.validation.results import Severity, ValidationResult

if TYPE_CHECKING:
    import rdflib

    from claimgraph.io.dataset import Dataset
    from claimgraph.validation.compiler.base import Finding


@dataclass(frozen=True)
class Counts:
    """What was checked, for the human summary."""

    claims: int
    actors: int
    documents: int
    cited_sources: int
    non_responses: int
    triples: int


@dataclass
class ValidationReport:
    """The outcome of validating a dataset.

    :ivar results: every SHACL result, most severe first.
    :ivar counts: what the dataset holds.
    :ivar engine: the engine that produced it (``"pyshacl"`` or ``"fast"``).
    :ivar delegated: with the fast engine, the shapes it left to pySHACL, each with the reason.
    """

    results: list[ValidationResult]
    counts: Counts
    report_graph: rdflib.Graph | None = field(default=None, repr=False)
    engine: str = "pyshacl"
    delegated: dict[str, str] = field(default_factory=dict)
    #: The shapes files of a validation against shapes of the user's (:func:`claimgraph.io.load_files`);
    #: empty for claimgraph's own shapes.
    shapes_files: tuple[str, ...] = ()
    _terms: list[tuple[object, object, object]] = field(default_factory=list, repr=False)
    # Where the report graph finds what describes a blank node: the shapes, and the data's store.
    _shapes: rdflib.Graph | None = field(default=None, repr=False)
    _store: ox.Store | None = field(default=None, repr=False)

    @property
    def graph(self) -> rdflib.Graph:
        """The SHACL validation report as RDF (``sh:ValidationReport``), built when first asked for.

        A blank node (a shape, a complex path, a focus or value node) is copied into the report with
        the triples that describe it, as pySHACL's report does.
        """
        if self.report_graph is None:
            self.report_graph = _report_graph(self.results, self._terms, self._shapes, self._store)
        return self.report_graph

    @property
    def conforms(self) -> bool:
        """No violation and no warning (infos never fail)."""
        return self.passes(allow_warnings=False)

    def passes(self, *, allow_warnings: bool) -> bool:
        """Whether the data passes: violations always fail, warnings unless allowed."""
        failing = {Severity.VIOLATION} if allow_warnings else {Severity.VIOLATION, Severity.WARNING}
        return not any(r.severity in failing for r in self.results)

    def on_blank_nodes(self) -> bool:
        """Whether a result's focus node or value is a blank node (of the fast engine's results)."""
        return any(isinstance(t, ox.BlankNode) for focus, value, _ in self._terms for t in (focus, value))

    def tally(self) -> Counter[Severity]:
        """Number of results per severity."""
        return Counter(r.severity for r in self.results)

    def restricted(self, focus_nodes: Container[str]) -> ValidationReport:
        """The report with only the results on ``focus_nodes`` (IRIs), as incremental validation gives it."""
        keep = [i for i, r in enumerate(self.results) if r.focus in focus_nodes]
        return dataclasses.replace(
            self,
            results=[self.results[i] for i in keep],
            report_graph=None,
            delegated=dict(self.delegated),
            _terms=[self._terms[i] for i in keep if i < len(self._terms)],
        )


#: Validation engines: see the module documentation; ``"reference"`` is ``"pyshacl"``.
ENGINES = ("auto", "fast", "pyshacl", "reference")


def validate(dataset: Dataset, *, engine: str = "auto", focus: Container[str] | None = None) -> ValidationReport:
    """Validate ``dataset`` against its shapes graph.

    :param dataset: a loaded dataset; its shapes graph supplies the shapes.
    :param engine: ``"auto"`` (default): shapes compiled to SPARQL and run by Oxigraph, pySHACL for
        any shape the compiler does not support; ``"fast"``: the compiled shapes only (raises if one
        is not supported); ``"reference"`` (or ``"pyshacl"``): pySHACL alone.
    :param focus: report only the results on these focus nodes (see :meth:`ValidationReport.restricted`).
    :returns: the report; inspect :attr:`ValidationReport.conforms`.
    :raises ValueError: for an unknown engine.
    :raises UnsupportedShapesError: with ``engine="fast"``, or for data that stays in a store
        (:attr:`Dataset.remote`), if a shape needs pySHACL.
    :raises ShapesError: if the shapes are not valid SHACL.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r} (known: {', '.join(ENGINES)})")
    from claimgraph.validation.suggest import with_suggestions

    try:
        with _quiet_rdflib():
            if engine in ("pyshacl", "reference"):
                report = _validate_pyshacl(dataset)
            else:
                report = _validate_fast(dataset, strict=engine == "fast")
    except ShapesError as error:  # name the files the shapes came from
        raise ShapesError(error.reason, paths=dataset.shapes_files()) from None
    report.shapes_files = tuple(str(p) for p in dataset.shape_sources)
    if focus is not None:
        report = report.restricted(focus)
    report.results = with_suggestions(dataset, report.results)
    return report


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """rdflib logs a traceback for every ill-typed literal it converts; validation reports them instead."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _validate_pyshacl(dataset: Dataset) -> ValidationReport:
    from claimgraph.validation.reference import validate_graph

    report_graph = validate_graph(dataset.reference_graph(), to_rdflib(dataset.shape_quads()))
    results = sorted(_results(report_graph), key=_order)
    return ValidationReport(results=results, counts=_counts(dataset), report_graph=report_graph)


def _validate_fast(dataset: Dataset, *, strict: bool) -> ValidationReport:
    from claimgraph.validation.compiler import UnsupportedShapesError, compile_shapes

    shapes = to_rdflib(dataset.shape_quads())
    compiled = compile_shapes(shapes)
    remote = dataset.remote  # the data stays in a store: pySHACL, which needs it here, cannot run
    if (strict or remote is not None) and compiled.fallback:
        raise UnsupportedShapesError(compiled.fallback)
    if remote is None:
        findings = compiled.run(dataset.store, data_graph=None if strict else dataset.reference_graph)
    else:
        findings = compiled.run(remote)
        # A store's default graph may be more than its data graphs (Virtuoso's has its own system graphs).
        held = remote.held(f.result.focus for f in findings if isinstance(f.focus_term, ox.NamedNode))
        findings = [f for f in findings if not isinstance(f.focus_term, ox.NamedNode) or f.result.focus in held]
    if dataset.written is not None:
        findings = [_as_written(dataset, f) for f in findings]
    findings.sort(key=lambda f: _order(f.result))
    return ValidationReport(
        results=[f.result for f in findings],
        counts=_counts(dataset),
        engine="fast",
        delegated=dict(compiled.last_fallback),
        _terms=[(f.focus_term, f.value_term, f.message_term) for f in findings],
        _shapes=shapes,
        _store=dataset.store if remote is None else None,
    )


def _as_written(dataset: Dataset, finding: Finding) -> Finding:
    """``finding`` with its value as the file wrote it, where the store keeps it in another form."""
    value, path, focus = finding.value_term, finding.result.path, finding.focus_term
    if not isinstance(value, ox.Literal) or path is None or not isinstance(focus, ox.NamedNode | ox.BlankNode):
        return finding
    written = dataset.written_literal(focus, path, value)
    if written == value:
        return finding
    result = dataclasses.replace(finding.result, value=str(to_rdflib_term(written)))
    return dataclasses.replace(finding, result=result, value_term=written)


def _order(result: ValidationResult) -> tuple[tuple[int, str, str, str, str], str, str]:
    """Most severe first, then by shape, focus, path and value (component and message break ties)."""
    return (result.sort_key(), result.component, result.message)


def _results(report: rdflib.Graph) -> Iterable[ValidationResult]:
    import rdflib

    sh = rdflib.Namespace(SH)

    def text(node: rdflib.term.Node | None) -> str | None:
        return None if node is None else str(node)

    # Count results linked from the report: nested sh:node failures add ValidationResult nodes
    # under sh:detail that are not results of their own.
    for node in report.objects(None, sh.result):
        severity = report.value(node, sh.resultSeverity)
        yield ValidationResult(
            severity=Severity.of(severity),
            shape=str(report.value(node, sh.sourceShape)),
            focus=str(report.value(node, sh.focusNode)),
            path=text(report.value(node, sh.resultPath)),
            value=text(report.value(node, sh.value)),
            component=str(report.value(node, sh.sourceConstraintComponent)),
            message=str(report.value(node, sh.resultMessage) or ""),
        )


def _counts(dataset: Dataset) -> Counts:
    return Counts(
        claims=dataset.count(CG.Claim),
        actors=dataset.count(CG.Agent),
        documents=dataset.count(CG.SourceDocument),
        cited_sources=dataset.count(CG.CitedSource),
        non_responses=dataset.count(CG.NonResponse),
        triples=dataset.data_triples(),
    )


def _report_graph(
    results: list[ValidationResult],
    terms: list[tuple[object, object, object]],
    shapes: rdflib.Graph | None,
    store: ox.Store | None,
) -> rdflib.Graph:
    """A SHACL validation report graph for ``results`` (RDF terms from ``terms`` where known).

    Shapes and paths given as blank nodes of ``shapes``, and blank focus or value nodes of ``store``,
    are copied in with the triples that describe them.
    """
    import rdflib

    from claimgraph.validation.reference import clone_blank_node

    sh = rdflib.Namespace(SH)
    graph = rdflib.Graph()
    graph.bind("sh", sh)
    report = rdflib.BNode()
    graph.add((report, rdflib.RDF.type, sh.ValidationReport))
    graph.add((report, sh.conforms, rdflib.Literal(not results)))

    def node(term: object, text: str | None, *, iri: bool) -> rdflib.term.Node | None:
        if isinstance(term, ox.BlankNode) and store is not None:
            return clone_blank_node(to_rdflib(blank_closure(store, term)), to_rdflib_term(term), graph)
        if isinstance(term, rdflib.term.Node):
            return term
        if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
            return to_rdflib_term(term)
        if text is None:
            return None
        return rdflib.URIRef(text) if iri else rdflib.Literal(text)

    def shape_node(text: str) -> rdflib.term.Node:
        blank = rdflib.BNode(text)
        if shapes is not None and (blank, None, None) in shapes:
            return clone_blank_node(shapes, blank, graph)
        return rdflib.URIRef(text)

    for i, result in enumerate(results):
        focus_term, value_term, message_term = terms[i] if i < len(terms) else (None, None, None)
        r = rdflib.BNode()
        graph.add((report, sh.result, r))
        graph.add((r, rdflib.RDF.type, sh.ValidationResult))
        graph.add((r, sh.resultSeverity, rdflib.URIRef(result.severity.iri)))
        graph.add((r, sh.sourceShape, shape_node(result.shape)))
        graph.add((r, sh.sourceConstraintComponent, rdflib.URIRef(result.component)))
        focus = node(focus_term, result.focus, iri=True)
        assert focus is not None
        graph.add((r, sh.focusNode, focus))
        if result.path is not None:
            graph.add((r, sh.resultPath, shape_node(result.path)))
        value = node(value_term, result.value, iri=False)
        if value is not None:
            graph.add((r, sh.value, value))
        message = node(message_term, result.message or None, iri=False)
        if message is not None:  # a SPARQL constraint without sh:message gives none
            graph.add((r, sh.resultMessage, message))
    return graph
