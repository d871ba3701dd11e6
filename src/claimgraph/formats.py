"""Validation reports rendered for people and machines: text, JSON and the SHACL report in Turtle."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict

from .namespaces import curie
from .validate import Severity, ValidationReport


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def render_text(report: ValidationReport, *, allow_warnings: bool) -> str:
    """A short human summary, a line per violation or warning, infos counted per shape."""
    c = report.counts
    tally = report.tally()
    verdict = "passes" if report.passes(allow_warnings=allow_warnings) else "FAILS"
    lines = [
        f"Checked {_plural(c.claims, 'claim')}, {_plural(c.actors, 'actor')}, "
        f"{_plural(c.documents, 'archived document')}, {_plural(c.cited_sources, 'cited source')}, "
        f"{_plural(c.non_responses, 'non-response')} ({_plural(c.triples, 'triple')}).",
        f"Provenance {verdict}: {_plural(tally[Severity.VIOLATION], 'violation')}, "
        f"{_plural(tally[Severity.WARNING], 'warning')}, {_plural(tally[Severity.INFO], 'info')}.",
    ]
    for r in report.results:
        if r.severity is not Severity.INFO:
            where = curie(r.focus) + (f" {curie(r.path)}" if r.path else "")
            lines.append(f"{r.severity.value.upper():9} {where}: {r.message} [{curie(r.shape)}]")
    # Infos are notes on legal data (e.g. no date stated): one line per shape keeps the summary short.
    infos = Counter(r.shape for r in report.results if r.severity is Severity.INFO)
    for shape, n in sorted(infos.items()):
        lines.append(f"INFO      {_plural(n, 'focus node')} noted by [{curie(shape)}] (--format json lists them)")
    return "\n".join(lines) + "\n"


def render_json(report: ValidationReport, *, allow_warnings: bool) -> str:
    """Machine-readable report: verdict, counts and results."""
    tally = report.tally()
    document = {
        "conforms": report.passes(allow_warnings=allow_warnings),
        "counts": asdict(report.counts),
        "violations": tally[Severity.VIOLATION],
        "warnings": tally[Severity.WARNING],
        "infos": tally[Severity.INFO],
        "results": [{**asdict(r), "severity": r.severity.value} for r in report.results],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_turtle(report: ValidationReport, *, allow_warnings: bool) -> str:
    """The SHACL validation report graph in Turtle."""
    del allow_warnings  # the standard report states sh:conforms itself
    return str(report.graph.serialize(format="turtle"))


RENDERERS = {"text": render_text, "json": render_json, "turtle": render_turtle}
