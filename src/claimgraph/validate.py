"""Validate a dataset's provenance against the SHACL shapes, over the union of its named graphs.

pySHACL is the reference engine. It validates one graph, so the union of the named graphs (minus the
shapes) is handed to it as a single rdflib graph: links across graphs — a claim in a document's graph,
its claimant in the actor registry — then resolve as they must.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .namespaces import CG, SH

if TYPE_CHECKING:
    import rdflib

    from .dataset import Dataset


class Severity(StrEnum):
    """SHACL severities, most severe first."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"


_RANK = {Severity.VIOLATION: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, order=True)
class ValidationResult:
    """One SHACL result, with terms as IRIs or literal lexical forms."""

    severity: Severity
    shape: str
    focus: str
    path: str | None
    value: str | None
    component: str
    message: str

    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (_RANK[self.severity], self.shape, self.focus, self.path or "", self.value or "")


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
    :ivar graph: the SHACL validation report as RDF (``sh:ValidationReport``).
    """

    results: list[ValidationResult]
    counts: Counts
    graph: rdflib.Graph = field(repr=False)

    @property
    def conforms(self) -> bool:
        """No violation and no warning (infos never fail)."""
        return self.passes(allow_warnings=False)

    def passes(self, *, allow_warnings: bool) -> bool:
        """Whether the data passes: violations always fail, warnings unless allowed."""
        failing = {Severity.VIOLATION} if allow_warnings else {Severity.VIOLATION, Severity.WARNING}
        return not any(r.severity in failing for r in self.results)

    def tally(self) -> Counter[Severity]:
        """Number of results per severity."""
        return Counter(r.severity for r in self.results)


def validate(dataset: Dataset) -> ValidationReport:
    """Validate ``dataset`` against its shapes graph.

    :param dataset: a loaded dataset; its shapes graph supplies the shapes.
    :returns: the report; inspect :attr:`ValidationReport.conforms`.
    """
    import pyshacl
    import rdflib

    data = _to_rdflib(dataset.data_quads())
    shapes = _to_rdflib(dataset.shape_quads())
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
    assert isinstance(report_graph, rdflib.Graph)
    results = sorted(_results(report_graph), key=ValidationResult.sort_key)
    return ValidationReport(results=results, counts=_counts(dataset), graph=report_graph)


def _to_rdflib(quads: Iterable[ox.Quad]) -> rdflib.Graph:
    import rdflib

    graph = rdflib.Graph()
    # Term conversion is cached: the same IRIs recur on most triples.
    cache: dict[ox.NamedNode | ox.BlankNode | ox.Literal, rdflib.term.Node] = {}

    def term(t: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> rdflib.term.Node:
        if isinstance(t, ox.Triple):
            raise TypeError("RDF-star triples are not supported")
        converted = cache.get(t)
        if converted is None:
            converted = _term(t)
            cache[t] = converted
        return converted

    graph.addN((term(q.subject), term(q.predicate), term(q.object), graph) for q in quads)
    return graph


def _term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    import rdflib

    if isinstance(t, ox.NamedNode):
        return rdflib.URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return rdflib.BNode(t.value)
    if t.language:
        return rdflib.Literal(t.value, lang=t.language)
    datatype = t.datatype.value
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        return rdflib.Literal(t.value)
    return rdflib.Literal(t.value, datatype=rdflib.URIRef(datatype))


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
            severity=Severity(str(severity).removeprefix(SH)),
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
        triples=sum(1 for _ in dataset.data_quads()),
    )
