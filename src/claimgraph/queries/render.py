"""Presenting query results and contradictions as text tables, JSON and CSV; the CLI only picks a format."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict

import pyoxigraph as ox

from claimgraph.namespaces import curie
from claimgraph.queries.contradictions import Contradiction
from claimgraph.queries.explain import EvidenceTrail
from claimgraph.queries.files import Query
from claimgraph.queries.reasons import Link
from claimgraph.sparql.engines import QueryResults
from claimgraph.terms import Term

#: Widest cell in a table before it is cut with an ellipsis.
MAX_CELL = 60


def display(term: Term | None) -> str:
    """A term for human eyes: IRIs as CURIEs where a shared prefix fits, literals as their text."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        short = curie(term.value)
        return short if short != term.value else f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return " ".join(term.value.split())
    return str(term)


def table(header: Sequence[str], rows: Sequence[Sequence[str]], *, max_cell: int = MAX_CELL) -> str:
    """A plain-text table: a header, a rule, one line per row, columns padded to fit."""

    def cut(cell: str) -> str:
        return cell if len(cell) <= max_cell else cell[: max_cell - 1] + "…"

    cells = [[cut(c) for c in header], *[[cut(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def render_results(results: QueryResults, fmt: str) -> str:
    """Results as ``table`` (for people) or a W3C SPARQL 1.1 results format (``json``, ``csv``, ``tsv``)."""
    if fmt != "table":
        return results.serialize(fmt).decode("utf-8")
    if results.boolean is not None:
        return ("true" if results.boolean else "false") + "\n"
    body = table(results.variables, [[display(t) for t in row] for row in results.rows])
    count = len(results.rows)
    return body + f"({count} row{'' if count == 1 else 's'})\n"


def render_query_list(queries: Iterable[Query], fmt: str) -> str:
    """The canned queries with their summaries (``table``) or full headers (``json``)."""
    items = list(queries)
    if fmt == "json":
        document = [
            {
                "name": q.name,
                "summary": q.summary,
                "description": q.description,
                "tags": list(q.tags),
                "parameters": [asdict(p) for p in q.parameters],
            }
            for q in items
        ]
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    rows = []
    for q in items:
        params = " ".join(f"--param {p.name}={p.type.upper()}" + ("" if p.required else "?") for p in q.parameters)
        rows.append([q.name, q.summary + (f"  [{params}]" if params else "")])
    return table(["query", "summary"], rows, max_cell=200)


def render_contradictions(contradictions: Sequence[Contradiction], fmt: str) -> str:
    """The contradictions report: ``table`` for a terminal, ``json`` (the contract in docs/queries.md) or ``csv``."""
    if fmt == "json":
        return json.dumps([c.to_json() for c in contradictions], indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _contradictions_csv(contradictions)
    return _contradictions_text(contradictions)


_SIDE_COLUMNS = ("claim", "claimant", "claimant_label", "proposition", "proposition_label", "stance", "sources")


def link_text(link: Link) -> str:
    """A link of a reason's chain on one line: subject, relation and object as CURIEs, then file:line."""
    where = f" ({link.file}:{link.line})" if link.file else ""
    return f"{curie(link.subject)} {curie(link.relation)} {curie(link.object)}{where}"


def _contradictions_csv(contradictions: Sequence[Contradiction]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "kind",
            "kinds",
            "confidence",
            "spans_documents",
            "reasons",
            "chains",
            *[f"{c}_{n}" for n in (1, 2) for c in _SIDE_COLUMNS],
        ]
    )
    for c in contradictions:
        grouped = c.distinct_reasons()
        cells = [
            c.kind,
            "; ".join(c.kinds),
            c.confidence or "",
            "true" if c.spans_documents else "false",
            "; ".join(dict.fromkeys(text for text, *_ in grouped)),
            " | ".join(" / ".join(link_text(link) for link in chain) for _, chain, *_ in grouped if chain),
        ]
        for side in c.sides:
            values = asdict(side)
            cells += ["; ".join(side.sources) if k == "sources" else str(values[k]) for k in _SIDE_COLUMNS]
        writer.writerow(cells)
    return out.getvalue()


def _kind_name(kind: str) -> str:
    return kind.replace("-", " ")


def _contradictions_text(contradictions: Sequence[Contradiction]) -> str:
    counts: dict[str, int] = {}
    for c in contradictions:
        counts[c.kind] = counts.get(c.kind, 0) + 1
    if not contradictions:
        return "No contradictions found.\n"
    summary = ", ".join(f"{_kind_name(k)} {n}" for k, n in counts.items())
    lines = [f"{len(contradictions)} contradiction{'s' if len(contradictions) != 1 else ''} ({summary})"]
    for number, c in enumerate(contradictions, start=1):
        lines.append("")
        scope = "across documents" if c.spans_documents else "in one document"
        kinds = " + ".join(_kind_name(k) for k in c.kinds)
        lines.append(f"[{number}] {kinds} ({c.confidence or 'confidence unknown'}, {scope})")
        for mark, side in zip("AB", c.sides, strict=True):
            who = side.claimant_label
            if side.claimant_affiliations:
                who += f" ({', '.join(side.claimant_affiliations)})"
            lines.append(f"  {mark}  {who} {side.stance.upper()} \u201c{side.proposition_label}\u201d")
            details = [curie(side.claim)]
            if side.claim_kind:
                details.append(side.claim_kind.replace("-", " "))
            if side.date:
                details.append(side.date)
            trails = "; ".join(_trail_text(t) for t in side.evidence)
            details.append(f"via {trails}" if trails else "no evidence")
            lines.append("     " + " \u00b7 ".join(details))
        for text, chain, found_by, confidence in c.distinct_reasons():
            lines.append(f"  why {text} [{', '.join(_kind_name(k) for k in found_by)}: {confidence or 'unknown'}]")
            for link in chain:
                lines.append(f"      {link_text(link)}")
                if link.note:
                    lines.append(f"        {' '.join(link.note.split())}")
    return "\n".join(lines) + "\n"


def _trail_text(trail: EvidenceTrail) -> str:
    steps = [s.agent_label + (f" [{curie(s.via)}]" if s.via else "") for s in trail.relay]
    return " \u2192 ".join([*steps, curie(trail.document)])
