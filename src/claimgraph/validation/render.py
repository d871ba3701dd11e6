"""Validation reports rendered for people and machines: text, JSON, JUnit XML, SARIF 2.1.0 and Turtle.

Every renderer takes the report, ``allow_warnings`` and an optional :class:`ReportContext`: what the
CI formats need beyond the SHACL results (where each focus node is defined, each shape's message and
severity, which focus nodes each shape checked). How each format maps the results is in
docs/validation-in-ci.md.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

import pyoxigraph as ox

from claimgraph.io.positions import SourcePosition, relative_to
from claimgraph.namespaces import SH, SHAPES_GRAPH, curie
from claimgraph.terms import term_text
from claimgraph.validation.api import ValidationReport
from claimgraph.validation.compiler.base import subclasses
from claimgraph.validation.results import Severity, ValidationResult

if TYPE_CHECKING:
    from claimgraph.io.dataset import Dataset

#: Where claimgraph's vocabulary lives: the SARIF tool's informationUri (no web page is claimed).
INFORMATION_URI = "https://w3id.org/claimgraph/ontology"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {Severity.VIOLATION: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
#: The uriBaseId under which SARIF artifact URIs are relative (the root of the report context).
SRCROOT = "%SRCROOT%"

_SEVERITIES = {s.value for s in Severity}


@dataclass(frozen=True)
class ShapeInfo:
    """A shape as the reports describe it: its message and severity (sh:Violation if none is stated)."""

    iri: str
    message: str
    severity: Severity


@dataclass(frozen=True)
class ReportContext:
    """What the formats know beyond the SHACL results: where things are written, and the shapes.

    :ivar root: file locations are written relative to this directory (the repository root in CI).
    :ivar positions: where each focus node is defined (junit's passing checks).
    :ivar shapes: every shape that can produce a result, by IRI.
    :ivar checks: for each shape, the focus nodes it checked (its targets).
    :ivar statements: where each result's statement (focus, path, value) is written, else its focus
        node's definition.
    :ivar labels: how to show a shape or a path given as a blank node (its label means nothing to a
        reader): a path in SPARQL's syntax, a shape by its own path or the shape it belongs to.
    """

    root: Path
    positions: Mapping[str, SourcePosition] = field(default_factory=dict)
    shapes: Mapping[str, ShapeInfo] = field(default_factory=dict)
    checks: Mapping[str, Sequence[str]] = field(default_factory=dict)
    statements: Mapping[tuple[str, str | None, str | None], SourcePosition] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)

    def name(self, term: str) -> str:
        """A shape or path as the reports show it: its label if it is a blank node, else its CURIE."""
        return self.labels.get(term) or curie(term)

    def position(self, result: ValidationResult) -> SourcePosition | None:
        """Where the result's statement is written, else where its focus node is defined."""
        return self.statements.get((result.focus, result.path, result.value)) or self.positions.get(result.focus)

    def file(self, position: SourcePosition | None) -> str | None:
        """The file of ``position`` relative to :attr:`root` (POSIX), else absolute; ``None`` if unknown."""
        if position is None:
            return None
        relative = _relative(position.path, self.root)
        return relative.as_posix() if relative is not None else position.path.resolve().as_posix()


@lru_cache(maxsize=4096)
def _relative(path: Path, root: Path) -> Path | None:
    return relative_to(path, root)


class Renderer(Protocol):
    """Renders a validation report; only ``cli validate`` calls these."""

    def __call__(
        self, report: ValidationReport, *, allow_warnings: bool, context: ReportContext | None = None
    ) -> str: ...


def report_context(
    dataset: Dataset, report: ValidationReport, *, root: Path, for_format: str = "junit"
) -> ReportContext:
    """Gather positions, shapes and checks for ``report`` from the dataset it was made from.

    :param dataset: the validated dataset (with its shapes graph and the files it came from).
    :param report: its validation report.
    :param root: the directory file paths are made relative to.
    :param for_format: the format it is for: only ``junit`` needs the checks that passed (and where
        their focus nodes are); ``text`` places only the results it lists one by one (not the infos).
    """
    from claimgraph.io.positions import Locator

    locator = Locator(dataset)  # each file is scanned once, for statements and nodes alike
    shapes = _shapes(dataset)
    checks = _checks(dataset) if for_format == "junit" else {}
    placed = [r for r in report.results if for_format != "text" or r.severity is not Severity.INFO]
    statements = {
        key: position
        for key in dict.fromkeys((r.focus, r.path, r.value) for r in placed)
        if (position := locator.locate_statement(*key)) is not None
    }
    positions = {
        focus: position
        for focus in dict.fromkeys(f for nodes in checks.values() for f in nodes)
        if (position := locator.locate(focus)) is not None
    }
    labels = _labels(dataset, report)
    return ReportContext(
        root=root, positions=positions, shapes=shapes, checks=checks, statements=statements, labels=labels
    )


def _labels(dataset: Dataset, report: ValidationReport) -> dict[str, str]:
    """Labels of the blank-node shapes and paths of ``report``'s results (see :attr:`ReportContext.labels`),
    described from the shapes graph, or the report graph where the reference engine copied them."""
    import rdflib

    from claimgraph.terms import to_rdflib
    from claimgraph.validation.reference import sparql_path

    blanks = {t for r in report.results for t in (r.shape, r.path) if t is not None and ":" not in t}
    if not blanks:
        return {}
    sh = rdflib.Namespace(SH)
    graphs = [to_rdflib(dataset.shape_quads())]
    if report.report_graph is not None:
        graphs.append(report.report_graph)
    labels: dict[str, str] = {}
    for text in sorted(blanks):
        node = rdflib.BNode(text)
        graph = next((g for g in graphs if (node, None, None) in g), None)
        if graph is None:
            continue
        path = graph.value(node, sh.path)
        if path is not None:  # a property shape: named by its path
            labels[text] = f"property shape on {sparql_path(graph, path)}"
        elif (
            (None, sh.path, node) in graph
            or (node, rdflib.RDF.first, None) in graph
            or any(
                (node, sh[k], None) in graph
                for k in ("inversePath", "alternativePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath")
            )
        ):
            labels[text] = sparql_path(graph, node)
        else:
            parent = next(iter(graph.subjects(None, node)), None)
            labels[text] = (
                f"node shape of {curie(str(parent))}" if isinstance(parent, rdflib.URIRef) else "node shape"
            )
    return labels


def _shapes(dataset: Dataset) -> dict[str, ShapeInfo]:
    rows = dataset.select_shapes(
        f"""SELECT ?shape ?message ?severity WHERE {{
            GRAPH <{SHAPES_GRAPH}> {{
                ?shape sh:message ?message .
                FILTER (isIRI(?shape))
                OPTIONAL {{ ?shape sh:severity ?severity }}
            }}
        }} ORDER BY ?shape DESC(LANGMATCHES(LANG(?message), "en")) ?message"""
    )
    shapes: dict[str, ShapeInfo] = {}
    for row in rows:
        iri = term_text(row["shape"])
        if iri in shapes:
            continue
        stated = row.get("severity")
        name = term_text(stated).removeprefix(SH) if stated is not None else ""
        severity = Severity(name) if name in _SEVERITIES else Severity.VIOLATION
        shapes[iri] = ShapeInfo(iri, term_text(row["message"]), severity)
    return shapes


def _checks(dataset: Dataset) -> dict[str, list[str]]:
    """Focus nodes per shape: sh:targetClass (with rdfs:subClassOf*), sh:targetNode, sh:targetSubjectsOf,
    sh:targetObjectsOf, over the data graphs (every graph but the shapes), as SHACL Core defines them.

    The targets are read from the shapes graph, then looked up in the data: the shapes may be kept
    apart from the data (see :attr:`Dataset.shapes`).
    """
    shapes = f"<{SHAPES_GRAPH}>"
    declared = dataset.select_shapes(
        f"""SELECT ?shape ?kind ?target WHERE {{ GRAPH {shapes} {{
            VALUES ?kind {{ sh:targetClass sh:targetNode sh:targetSubjectsOf sh:targetObjectsOf }}
            ?shape ?kind ?target .
            FILTER NOT EXISTS {{ ?shape sh:deactivated true }}
        }} }}"""
    )
    checks: dict[str, list[str]] = defaultdict(list)
    # A shape may be a blank node, which a query cannot name: the lookups below number the shapes.
    by_kind: dict[str, list[tuple[int, str]]] = defaultdict(list)
    named: list[str] = []
    for row in declared:
        shape, kind, target = term_text(row["shape"]), term_text(row["kind"]), row["target"]
        if kind == SH + "targetNode":
            checks[shape].append(term_text(target))
        elif not isinstance(target, ox.BlankNode):
            named.append(shape)
            by_kind[kind].append((len(named) - 1, str(target)))
    # A target class with its subclasses listed, each found one class at a time: a `*` path in the lookup
    # itself, joined to the typed nodes, took three times as long in Oxigraph, and Virtuoso 7.2 loses rows
    # on a `*` path whose two ends it has bound. Blank node subclasses cannot be listed: the path stays.
    listed = SH + "targetClass listed"
    for i, cls in by_kind.pop(SH + "targetClass", []):
        found = subclasses(dataset.select, cls)
        if found is None:
            by_kind[SH + "targetClass"].append((i, cls))
        else:
            by_kind[listed] += [(i, sub) for sub in sorted({cls, *(str(c) for c in found)})]
    patterns = {
        listed: "GRAPH ?g { ?focus rdf:type ?target }",
        SH + "targetClass": "{ GRAPH ?g { ?focus rdf:type ?target } } UNION"
        " { GRAPH ?g { ?focus rdf:type ?type } ?type rdfs:subClassOf+ ?target }",
        SH + "targetSubjectsOf": "GRAPH ?g { ?focus ?target ?o }",
        SH + "targetObjectsOf": "GRAPH ?g { ?s ?target ?focus }",
    }
    for kind, pairs in by_kind.items():
        values = " ".join(f"({i} {target})" for i, target in pairs)
        query = f"SELECT DISTINCT ?i ?focus WHERE {{ VALUES (?i ?target) {{ {values} }} {patterns[kind]}"
        for row in dataset.select(f"{query} {dataset.data_graphs('?g')} }}"):
            checks[named[int(term_text(row["i"]))]].append(term_text(row["focus"]))
    return {shape: sorted(set(nodes)) for shape, nodes in sorted(checks.items())}


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def render_text(report: ValidationReport, *, allow_warnings: bool, context: ReportContext | None = None) -> str:
    """A short human summary, a line per violation or warning, infos counted per shape."""
    c = report.counts
    tally = report.tally()
    verdict = "passes" if report.passes(allow_warnings=allow_warnings) else "FAILS"
    if report.shapes_files:  # any data against the user's shapes: nothing to say of claims
        checked = f"Checked {_plural(c.triples, 'triple')} against {', '.join(report.shapes_files)}."
        subject = "Data"
    else:
        checked = (
            f"Checked {_plural(c.claims, 'claim')}, {_plural(c.actors, 'actor')}, "
            f"{_plural(c.documents, 'archived document')}, {_plural(c.cited_sources, 'cited source')}, "
            f"{_plural(c.non_responses, 'non-response')} ({_plural(c.triples, 'triple')})."
        )
        subject = "Provenance"
    lines = [
        checked,
        f"{subject} {verdict}: {_plural(tally[Severity.VIOLATION], 'violation')}, "
        f"{_plural(tally[Severity.WARNING], 'warning')}, {_plural(tally[Severity.INFO], 'info')}.",
    ]
    for r in report.results:
        if r.severity is not Severity.INFO:
            place = _where(context, r) if context is not None else ""
            lines.append(
                f"{place}{r.severity.value.upper():9} {_describe(r, context)}: {r.message}{_hint(r)} "
                f"[{context.name(r.shape) if context else curie(r.shape)}]"
            )
    # Infos are notes on legal data (e.g. no date stated): one line per shape keeps the summary short.
    infos = Counter(r.shape for r in report.results if r.severity is Severity.INFO)
    for shape, n in sorted(infos.items()):
        lines.append(f"INFO      {_plural(n, 'focus node')} noted by [{curie(shape)}] (--format json lists them)")
    return "\n".join(lines) + "\n"


def render_json(report: ValidationReport, *, allow_warnings: bool, context: ReportContext | None = None) -> str:
    """Machine-readable report: verdict, counts and results."""
    tally = report.tally()

    def entry(r: ValidationResult) -> dict[str, Any]:
        position = context.position(r) if context is not None else None
        where = {"file": context.file(position), "line": position.line} if context and position else {}
        return {**asdict(r), "severity": r.severity.value, **where}

    document = {
        "conforms": report.passes(allow_warnings=allow_warnings),
        "counts": asdict(report.counts),
        "violations": tally[Severity.VIOLATION],
        "warnings": tally[Severity.WARNING],
        "infos": tally[Severity.INFO],
        "results": [entry(r) for r in report.results],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_turtle(report: ValidationReport, *, allow_warnings: bool, context: ReportContext | None = None) -> str:
    """The SHACL validation report graph in Turtle."""
    del allow_warnings, context  # the standard report states sh:conforms itself
    return str(report.graph.serialize(format="turtle"))


# --- CI formats ------------------------------------------------------------------------------------

# Characters XML 1.0 cannot carry, even escaped (a literal value in a result may hold them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _fails(result: ValidationResult, *, allow_warnings: bool) -> bool:
    return result.severity is Severity.VIOLATION or (result.severity is Severity.WARNING and not allow_warnings)


def _describe(result: ValidationResult, context: ReportContext | None) -> str:
    """The focus node, and the path and value where the result has them, as CURIEs."""
    parts = [curie(result.focus)]
    if result.path:
        parts.append(context.name(result.path) if context else curie(result.path))
    if result.value is not None and result.value != result.focus:
        parts.append(f"= {curie(result.value)}")
    return " ".join(parts)


def _where(context: ReportContext, result: ValidationResult) -> str:
    """``file:line: `` where the result's statement is written, as compilers print it."""
    position = context.position(result)
    path = context.file(position)
    if position is None or path is None:
        return ""
    return f"{path}:{position.line}: " if position.line is not None else f"{path}: "


def _message(result: ValidationResult, context: ReportContext) -> str:
    if result.message:
        return result.message + _hint(result)
    shape = context.shapes.get(result.shape)
    return (shape.message if shape is not None else f"{curie(result.component)} not satisfied") + _hint(result)


def _hint(result: ValidationResult) -> str:
    """The suggestion of a result, as the sentence the formats append to its message."""
    return f" Did you mean {curie(result.suggestion)}?" if result.suggestion else ""


def render_junit(report: ValidationReport, *, allow_warnings: bool, context: ReportContext | None = None) -> str:
    """JUnit XML: a test suite per shape, a test case per check (shape, focus node), failing per result.

    Failures are the results that fail the run: violations, and warnings unless ``allow_warnings``.
    Infos, and warnings when allowed, are passing cases carrying the message in ``<system-out>``.
    """
    import xml.etree.ElementTree as ET

    context = context or ReportContext(root=Path.cwd())
    by_shape: dict[str, list[ValidationResult]] = defaultdict(list)
    for result in report.results:
        by_shape[result.shape].append(result)
    shapes = sorted(set(by_shape) | set(context.checks), key=curie)

    root = ET.Element("testsuites", name="claimgraph validate")
    total = failed = 0
    for shape in shapes:
        results = sorted(by_shape.get(shape, []), key=lambda r: (curie(r.focus), r.sort_key()))
        with_results = {r.focus for r in results}
        passing = [f for f in context.checks.get(shape, []) if f not in with_results]
        cases: list[tuple[str, str, ValidationResult | None]] = []  # (sort key, focus, result)
        names = Counter(r.focus for r in results)
        for result in results:
            name = _describe(result, context) if names[result.focus] > 1 else curie(result.focus)
            cases.append((name, result.focus, result))
        cases.extend((curie(focus), focus, None) for focus in passing)
        cases.sort(key=lambda case: case[0])

        info = context.shapes.get(shape)
        severity = info.severity if info is not None else (results[0].severity if results else Severity.VIOLATION)
        suite = ET.SubElement(root, "testsuite", name=curie(shape))
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="shape", value=shape)
        ET.SubElement(properties, "property", name="severity", value=severity.curie)
        suite_failed = 0
        seen: Counter[str] = Counter()
        for name, focus, found in cases:
            seen[name] += 1
            unique = name if seen[name] == 1 else f"{name} #{seen[name]}"
            attributes = {"classname": curie(shape), "name": _xml_text(unique)}
            position = context.position(found) if found is not None else context.positions.get(focus)
            path, line = context.file(position), None if position is None else position.line
            if path is not None:
                attributes["file"] = path
                if line is not None:
                    attributes["line"] = str(line)
            case = ET.SubElement(suite, "testcase", attributes)
            if found is None:
                continue
            message = _message(found, context)
            details = "\n".join(
                [
                    f"{_where(context, found)}{found.severity.value} at {_describe(found, context)}",
                    message,
                    f"shape: {curie(found.shape)}  component: {curie(found.component)}",
                ]
            )
            if _fails(found, allow_warnings=allow_warnings):
                suite_failed += 1
                failure = ET.SubElement(case, "failure", message=_xml_text(message), type=found.severity.curie)
                failure.text = _xml_text(details)
            else:
                ET.SubElement(case, "system-out").text = _xml_text(f"{found.severity.value.upper()}: {details}")
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(suite_failed))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total += len(cases)
        failed += suite_failed
    root.set("tests", str(total))
    root.set("failures", str(failed))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _short(message: str) -> str:
    """The first clause of a shape's message: up to the first sentence end or ': '."""
    sentence = re.split(r"(?<=[.!?])\s", message, maxsplit=1)[0]
    head, sep, _ = sentence.partition(": ")
    return head + "." if sep else sentence


def _fingerprint(result: ValidationResult) -> str:
    key = "\x1f".join([result.shape, result.focus, result.path or "", result.value or "", result.component])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _sarif_location(result: ValidationResult, context: ReportContext) -> dict[str, Any]:
    location: dict[str, Any] = {}
    position = context.position(result)
    if position is not None:
        relative = _relative(position.path, context.root)
        if relative is not None:
            artifact: dict[str, Any] = {"uri": quote(relative.as_posix()), "uriBaseId": SRCROOT}
        else:
            artifact = {"uri": position.path.resolve().as_uri()}
        physical: dict[str, Any] = {"artifactLocation": artifact}
        if position.line is not None:
            region: dict[str, Any] = {"startLine": position.line}
            if position.column is not None:
                region["startColumn"] = position.column
            physical["region"] = region
        location["physicalLocation"] = physical
    location["logicalLocations"] = [
        {"name": curie(result.focus), "fullyQualifiedName": result.focus, "kind": "resource"}
    ]
    return location


def render_sarif(report: ValidationReport, *, allow_warnings: bool, context: ReportContext | None = None) -> str:
    """SARIF 2.1.0: one run, the shapes as rules, one result per SHACL result at its focus node's line."""
    from claimgraph.project import __version__

    context = context or ReportContext(root=Path.cwd())
    rule_shapes = sorted(set(context.shapes) | {r.shape for r in report.results}, key=curie)
    rule_index = {shape: i for i, shape in enumerate(rule_shapes)}
    rules = []
    for shape in rule_shapes:
        info = context.shapes.get(shape)
        example = next((r for r in report.results if r.shape == shape), None)
        if info is not None:
            message, severity = info.message, info.severity
        elif example is not None:
            message, severity = example.message or curie(shape), example.severity
        else:
            message, severity = curie(shape), Severity.VIOLATION
        rules.append(
            {
                "id": curie(shape),
                "name": shape.rsplit("#", 1)[-1].rsplit("/", 1)[-1],
                "shortDescription": {"text": _short(message)},
                "fullDescription": {"text": message},
                "help": {"text": message},
                "defaultConfiguration": {"level": SARIF_LEVELS.get(severity, "note")},
                "properties": {"iri": shape, "severity": severity.curie},
            }
        )
    results = []
    for result in report.results:
        where = curie(result.focus) + (f" {context.name(result.path)}" if result.path else "")
        value = f" (value: {curie(result.value)})" if result.value is not None else ""
        properties: dict[str, Any] = {"focusNode": result.focus, "sourceConstraintComponent": result.component}
        if result.path:
            properties["resultPath"] = result.path
        if result.value is not None:
            properties["value"] = result.value
        results.append(
            {
                "ruleId": context.name(result.shape),
                "ruleIndex": rule_index[result.shape],
                "level": SARIF_LEVELS.get(result.severity, "note"),
                "message": {"text": f"{where}: {_message(result, context)}{value}"},
                "locations": [_sarif_location(result, context)],
                "partialFingerprints": {"claimgraphResult/v1": _fingerprint(result)},
                "properties": properties,
            }
        )
    tally = report.tally()
    passes = report.passes(allow_warnings=allow_warnings)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "claimgraph",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": context.root.resolve().as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "invocations": [{"executionSuccessful": True, "exitCode": 0 if passes else 1}],
        "results": results,
        "properties": {
            "conforms": passes,
            "violations": tally[Severity.VIOLATION],
            "warnings": tally[Severity.WARNING],
            "infos": tally[Severity.INFO],
            "counts": asdict(report.counts),
        },
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
    "sarif": render_sarif,
    "turtle": render_turtle,
}
#: Formats whose renderer uses a :class:`ReportContext` (worth building one for).
NEEDS_CONTEXT = frozenset({"text", "json", "junit", "sarif"})
