"""Writing into a TriG file as an author would: new nodes appended inside the right graph block, in
the file's own layout (its indentation, its prefixes, predicates aligned node by node), the rest of
the file left byte for byte as it was.

A :class:`Block` is one node and its statements, kept as RDF terms so that what is written can be
checked against what was meant: :meth:`TrigFile.insert` gives the new text; the caller parses it and
compares (see :mod:`claimgraph.authoring.workspace`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from claimgraph.errors import AuthoringError
from claimgraph.namespaces import PREFIXES, RDF, XSD

__all__ = ["Block", "Layout", "TrigFile", "graph_file_text", "prefix_block", "render"]

Object = ox.NamedNode | ox.Literal


@dataclass
class Block:
    """One node to write: its subject and its statements in the order they are written.

    :ivar statements: (predicate, objects) pairs; ``rdf:type`` is written ``a``.
    """

    subject: ox.NamedNode
    statements: list[tuple[ox.NamedNode, list[Object]]] = field(default_factory=list)

    def add(self, predicate: str, *objects: Object) -> Block:
        """Add a statement (none if ``objects`` is empty); returns the block, for chaining."""
        if objects:
            self.statements.append((ox.NamedNode(predicate), list(objects)))
        return self

    def quads(self, graph: ox.NamedNode) -> list[ox.Quad]:
        return [ox.Quad(self.subject, p, o, graph) for p, objects in self.statements for o in objects]


@dataclass(frozen=True)
class Layout:
    """How a file indents a node's subject and its statements inside a graph block."""

    subject: str = "    "
    statement: str = "        "


# A local name Turtle takes without escapes (PN_LOCAL's common part; no trailing dot).
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?\Z")
_DECLARATION = re.compile(r"(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^<>\s]*)>\s*\.?\s*\Z", re.I)
_OPENING = re.compile(r"\s*(?:GRAPH\s+)?(<[^<>\s]*>|[A-Za-z][\w.-]*:[\w.-]*|:[\w.-]*)\s*\{\s*\Z")
_CLOSING = re.compile(r"\s*\}\s*\Z")


class _Terms:
    """Turns terms into Turtle with the prefixes a file declares, noting the shared ones it lacks."""

    def __init__(self, declared: Mapping[str, str]) -> None:
        self.declared = dict(declared)
        self.added: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        if iri == RDF.type:
            return "a"
        # The longest namespace first; of two prefixes for one namespace, the one the file declares.
        candidates = {**PREFIXES, **self.declared}.items()
        for prefix, namespace in sorted(candidates, key=lambda i: (len(i[1]), i[0] in self.declared), reverse=True):
            local = iri[len(namespace) :]
            if not iri.startswith(namespace) or not _LOCAL.match(local):
                continue
            bound = self.declared.get(prefix)
            if bound is None:
                self.declared[prefix] = self.added[prefix] = namespace
            elif bound != namespace:
                continue  # the file binds this prefix to another namespace
            return f"{prefix}:{local}"
        return f"<{iri}>"

    def term(self, term: Object) -> str:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        plain = str(ox.Literal(term.value))  # the quoted, escaped lexical form
        if term.language:
            return f"{plain}@{term.language}"
        if term.datatype.value == XSD.string:
            return plain
        return f"{plain}^^{self.iri(term.datatype.value)}"


def render(blocks: Iterable[Block], *, prefixes: Mapping[str, str] = PREFIXES, layout: Layout = Layout()) -> str:
    """``blocks`` as Turtle statements with ``prefixes`` (each prefix must be declared where it is pasted)."""
    return "\n".join(_render(block, _Terms(prefixes), layout) for block in blocks)


def _render(block: Block, terms: _Terms, layout: Layout) -> str:
    lines = [layout.subject + terms.iri(block.subject.value)]
    predicates = [terms.iri(p.value) for p, _ in block.statements]
    width = max(len(p) for p in predicates)
    for n, (predicate, (_, objects)) in enumerate(zip(predicates, block.statements, strict=True)):
        last = n == len(predicates) - 1
        for k, term in enumerate(objects):
            head = f"{predicate:<{width}}" if k == 0 else " " * width
            end = "," if k < len(objects) - 1 else ("." if last else ";")
            lines.append(f"{layout.statement}{head} {terms.term(term)} {end}")
    return "\n".join(lines) + "\n"


def prefix_block(prefixes: Mapping[str, str] = PREFIXES) -> str:
    """``@prefix`` lines for ``prefixes``, their IRIs aligned."""
    width = max(len(p) for p in prefixes) + 1
    return "".join(f"@prefix {f'{p}:':<{width}} <{iri}> .\n" for p, iri in prefixes.items())


def graph_file_text(graph: str, *, heading: Sequence[str]) -> str:
    """A new TriG file: comment lines ``heading``, the shared prefixes, and an empty block for ``graph``."""
    comments = "".join(f"# {line}\n" for line in heading)
    return f"{comments}\n{prefix_block()}\n{_Terms(PREFIXES).iri(graph)} {{\n\n}}\n"


class TrigFile:
    """A TriG file's text, its prefix declarations and graph blocks, for appending nodes to a graph."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.prefixes: dict[str, str] = {}
        self.last_declaration: int | None = None
        for n, line in enumerate(self.lines):
            match = _DECLARATION.match(line.strip())
            if match:
                self.prefixes[match.group(1) or ""] = match.group(2)
                self.last_declaration = n

    def graphs(self) -> dict[str, tuple[int, int]]:
        """Each graph block's IRI and its opening and closing lines (0-based), as far as a scan of the
        lines can tell (a label on the line of its brace, the brace alone on the closing line)."""
        found: dict[str, tuple[int, int]] = {}
        opening: tuple[str, int] | None = None
        for n, line in enumerate(self.lines):
            if opening is None and (match := _OPENING.match(line)):
                label = match.group(1)
                if label.startswith("<"):
                    iri = label[1:-1]
                else:
                    prefix, _, local = label.partition(":")
                    iri = self.prefixes.get(prefix, "\0") + local
                opening = (iri, n)
            elif opening is not None and _CLOSING.match(line):
                found[opening[0]] = (opening[1], n)
                opening = None
        return found

    def layout(self, graph: str) -> Layout:
        """The indentation of the first node in ``graph``'s block (the default one if it has none)."""
        start, end = self._block(graph)
        body = [line for line in self.lines[start + 1 : end] if line.strip() and not line.lstrip().startswith("#")]
        if len(body) < 2:
            return Layout()
        subject, statement = (re.match(r"[ \t]*", line).group(0) for line in body[:2])  # type: ignore[union-attr]
        return Layout(subject, statement) if len(statement) > len(subject) else Layout()

    def insert(self, graph: str, blocks: Sequence[Block]) -> tuple[str, str]:
        """The file's text with ``blocks`` appended at the end of ``graph``'s block, and the Turtle of
        the blocks alone (with the prefixes the file declares, plus any shared ones it had to add).

        :raises AuthoringError: if the file has no block for ``graph`` that a scan can find.
        """
        start, end = self._block(graph)
        terms = _Terms(self.prefixes)
        layout = self.layout(graph)
        written = "\n".join(_render(block, terms, layout) for block in blocks)
        body = self.lines[:end]
        while body and len(body) > start + 1 and not body[-1].strip():
            body.pop()
        if body and not body[-1].endswith("\n"):
            body[-1] += "\n"
        inserted = "".join(body) + "\n" + written + "\n" + "".join(self.lines[end:])
        if terms.added:
            inserted = self._declare(inserted, terms.added)
        return inserted, written

    def _declare(self, text: str, added: Mapping[str, str]) -> str:
        """``text`` with declarations of ``added`` after the file's last one, in its style."""
        lines = text.splitlines(keepends=True)
        at = 0 if self.last_declaration is None else self.last_declaration + 1
        style = lines[self.last_declaration] if self.last_declaration is not None else "@prefix x: <> .\n"
        keyword = style.split()[0]
        column = style.index("<") - len(keyword) - 1
        dot = " ." if keyword.startswith("@") else ""
        new = [f"{keyword} {f'{p}:':<{max(column - 1, len(p) + 1)}} <{iri}>{dot}\n" for p, iri in added.items()]
        return "".join(lines[:at] + new + lines[at:])

    def _block(self, graph: str) -> tuple[int, int]:
        where = self.graphs().get(graph)
        if where is None:
            raise AuthoringError(self.path, f"no block for graph <{graph}> found (a line 'LABEL {{' and a line '}}')")
        return where
