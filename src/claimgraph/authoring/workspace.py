"""The data an authoring command adds to: loaded once, looked up, and written back only when checked.

:class:`Workspace` loads a data root (its ``graph/``, with its ontology or the bundled one), resolves
what an author names against it (IRIs of a class, concept values), and :meth:`Workspace.commit`
writes new nodes into a file: appended inside their graph block in the file's layout, the new text
parsed and compared with the old text plus the new statements, the new nodes validated with the
shapes (on the graphs they reach, so the cost does not grow with the corpus), and the file replaced
atomically. Any failure leaves every file as it was.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from claimgraph.authoring.lookup import Choices, choices, listing, nearest, parse_iri
from claimgraph.authoring.turtle import Block, TrigFile, graph_file_text
from claimgraph.errors import (
    AuthoringCheckError,
    AuthoringError,
    AuthoringValueError,
    IdentifierInUseError,
    UnknownTermError,
)
from claimgraph.io.atomic import write_atomic
from claimgraph.io.dataset import Dataset, load_dataset
from claimgraph.namespaces import ARCHIVE_GRAPH, RDF, RDFS, curie
from claimgraph.terms import term_text
from claimgraph.validation.results import Severity, ValidationResult

__all__ = ["Change", "Workspace", "Written"]


@dataclass(frozen=True)
class Change:
    """New nodes for one graph of one file.

    :ivar path: the TriG file (created if it does not exist, with ``heading`` as its comment).
    :ivar graph: the IRI of the graph block they go in.
    :ivar blocks: the nodes, in the order they are written.
    """

    path: Path
    graph: str
    blocks: Sequence[Block]
    heading: Sequence[str] = ()


@dataclass(frozen=True)
class Written:
    """What an authoring command wrote (or, on a dry run, would write).

    :ivar path: the file.
    :ivar graph: the graph the nodes went in.
    :ivar nodes: the new nodes' IRIs, in order.
    :ivar turtle: the Turtle appended to the graph block.
    :ivar created: the file did not exist before.
    :ivar written: false on a dry run.
    :ivar warnings: validation warnings on the new nodes (legal, but worth a look).
    :ivar anchor: where the new evidence is anchored, ``(start, end)`` in code points, if it is.
    """

    path: Path
    graph: str
    nodes: list[str]
    turtle: str
    created: bool
    written: bool
    warnings: list[ValidationResult] = field(default_factory=list)
    anchor: tuple[int, int] | None = None

    def located(self, start: int, end: int) -> Written:
        """The same, anchored at ``start`` to ``end``."""
        return dataclasses.replace(self, anchor=(start, end))


class Workspace:
    """A data root, loaded for authoring.

    :param root: the data directory (its ``graph/``; ``ontology/`` or else the bundled one).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.graph_dir = root / "graph"
        self.dataset: Dataset = load_dataset(root, paths=[self.graph_dir] if self.graph_dir.is_dir() else [])
        self._instances: dict[str | None, list[str]] = {}
        self._choices: dict[str, Choices] = {}

    # --- looking up --------------------------------------------------------------------------------

    def choices(self, name: str) -> Choices:
        """The values the data's ontology gives field ``name`` (see :data:`~claimgraph.authoring.lookup.FIELDS`)."""
        if name not in self._choices:
            self._choices[name] = choices(self.dataset.store, name)
        return self._choices[name]

    def concept(self, value: str, *, field: str, path: Path) -> ox.NamedNode:
        """The concept (or class) ``value`` names among the values of ``field``."""
        return ox.NamedNode(self.choices(field).resolve(value, path=path))

    def instances(self, cls: str | None) -> list[str]:
        """The IRIs typed ``cls`` or a subclass of it (any type at all: ``None``), sorted."""
        if cls not in self._instances:
            where = "?x a ?type ." if cls is None else f"?x a/rdfs:subClassOf* {ox.NamedNode(cls)} ."
            rows = self.dataset.select(f"SELECT DISTINCT ?x WHERE {{ {where} FILTER(isIRI(?x)) }}")
            self._instances[cls] = sorted(term_text(row["x"]) for row in rows)
        return self._instances[cls]

    def is_a(self, iri: str, cls: str) -> bool:
        """Whether the data types ``iri`` as a ``cls`` (or a subclass of it)."""
        return iri in set(self.instances(cls))

    def is_subclass(self, cls: str, of: str) -> bool:
        """Whether the ontology makes ``cls`` ``of`` or a subclass of it."""
        rows = self.dataset.select(
            f"SELECT * WHERE {{ {ox.NamedNode(cls)} rdfs:subClassOf* {ox.NamedNode(of)} }} LIMIT 1"
        )
        return bool(rows)

    def require(self, value: str, *, cls: str | None, field: str, path: Path) -> ox.NamedNode:
        """The IRI ``value`` names, which the data must define as a ``cls`` (any type at all: ``None``).

        :raises UnknownTermError: if it does not, with the nearest IRIs it does define.
        :raises AuthoringValueError: if it defines it as something else.
        """
        iri = parse_iri(value, field=field, path=path)
        if iri in set(self.instances(cls)):
            return ox.NamedNode(iri)
        kind = "" if cls is None else f" as a {curie(cls)}"
        types = self._types(iri)
        if types:
            reason = f"{curie(iri)} is a {', '.join(curie(t) for t in types)}, not a {curie(cls or '')}"
            raise AuthoringValueError(path, field, value, reason)
        suggested = [curie(c) for c in nearest(iri, self.instances(cls))]
        reason = f"not defined{kind} in the data"
        if suggested:
            reason += f"; did you mean {listing(suggested)}?"
        raise UnknownTermError(path, field, value, reason, candidates=suggested)

    def _types(self, iri: str) -> list[str]:
        node = ox.NamedNode(iri)
        return sorted(
            {term_text(q.object) for q in self.dataset.store.quads_for_pattern(node, ox.NamedNode(RDF.type), None)}
        )

    def label(self, iri: str) -> str:
        """The node's rdfs:label (an English one where there are several), else its CURIE."""
        labels = [
            q.object
            for q in self.dataset.store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(RDFS.label), None)
            if isinstance(q.object, ox.Literal)
        ]
        labels.sort(key=lambda literal: (literal.language != "en", literal.value))
        return labels[0].value if labels else curie(iri)

    def used(self, iri: str) -> Path | None:
        """The file that uses ``iri`` (as subject, object or graph name), if any does."""
        node = ox.NamedNode(iri)
        store = self.dataset.store
        if store.contains_named_graph(node):
            return self.dataset.sources.get(node, self.graph_dir)
        for quad in (*store.quads_for_pattern(node, None, None), *store.quads_for_pattern(None, None, node)):
            if quad.graph_name != ox.NamedNode(ARCHIVE_GRAPH):
                return self.dataset.sources.get(quad.graph_name, self.graph_dir)
        return None

    def unused(self, iris: Iterable[str]) -> None:
        """:raises IdentifierInUseError: if the data uses one of ``iris`` already."""
        for iri in iris:
            path = self.used(iri)
            if path is not None:
                raise IdentifierInUseError(iri, path)

    def graph_file(self, graph: str) -> Path | None:
        """The file that defines the named graph ``graph``, if one does."""
        return self.dataset.sources.get(ox.NamedNode(graph))

    # --- writing -----------------------------------------------------------------------------------

    def commit(self, change: Change, *, dry_run: bool = False) -> Written:
        """Append ``change``'s nodes to its graph, checked (see the module documentation).

        :raises AuthoringError: if the file's graph block cannot be found or the result would not
            read back as the old statements plus the new ones.
        :raises AuthoringCheckError: if the new nodes would not validate.
        """
        path = change.path
        created = not path.exists()
        try:
            old_text = graph_file_text(change.graph, heading=change.heading) if created else path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise AuthoringError(path, f"cannot read: {getattr(error, 'strerror', None) or error}") from None
        text, turtle = TrigFile(path, old_text).insert(change.graph, change.blocks)
        graph = ox.NamedNode(change.graph)
        added = [quad for block in change.blocks for quad in block.quads(graph)]
        before, after = _statements(path, old_text), _statements(path, text)
        if after != before | set(added):
            raise AuthoringError(path, "the file's layout defeated the writer (it would not read back as written)")
        nodes = [block.subject.value for block in change.blocks]
        warnings = self._check(path, graph, added, nodes)
        if not dry_run:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text)
            self.dataset.store.extend(added)
            self.dataset.sources.setdefault(graph, path)
            self._instances.clear()
        return Written(path, change.graph, nodes, turtle, created, not dry_run, warnings)

    def _check(self, path: Path, graph: ox.NamedNode, added: list[ox.Quad], nodes: list[str]) -> list[ValidationResult]:
        """Validate the new nodes on the graphs they reach: the ontology and shapes, their own graph,
        the graphs that type what they name, and the archived texts of those; violations refuse them."""
        from claimgraph.validation.api import validate

        store = self.dataset.store
        named = {t for q in added for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}
        data_graphs = {g for g, source in self.dataset.sources.items() if source.is_relative_to(self.graph_dir)}
        keep = {g for g in self.dataset.sources if g not in data_graphs} | {graph}
        for node in named:
            keep.update(q.graph_name for q in store.quads_for_pattern(node, ox.NamedNode(RDF.type), None))
        subset = Dataset(
            store=ox.Store(), root=self.root, sources={g: s for g, s in self.dataset.sources.items() if g in keep}
        )
        archive = ox.NamedNode(ARCHIVE_GRAPH)
        documents = named | {graph}
        for name in keep - {archive}:
            if isinstance(name, ox.NamedNode | ox.DefaultGraph):
                subset.store.extend(store.quads_for_pattern(None, None, None, name))
        subset.store.extend(q for q in store.quads_for_pattern(None, None, None, archive) if q.subject in documents)
        subset.store.extend(added)
        report = validate(subset, focus=set(nodes))
        violations = [r for r in report.results if r.severity is Severity.VIOLATION]
        if violations:
            raise AuthoringCheckError(path, [_problem(r) for r in violations])
        return [r for r in report.results if r.severity is Severity.WARNING]


def _statements(path: Path, text: str) -> set[ox.Quad]:
    """The quads of a TriG text without blank nodes (graph/ files have none; their labels vary by parse)."""
    try:
        quads = ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TRIG)
        return {q for q in quads if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object))}
    except SyntaxError as error:
        raise AuthoringError(path, f"does not parse as TriG: {' '.join(str(error.msg).split())}") from None


def _problem(result: ValidationResult) -> str:
    where = " ".join(curie(part) for part in (result.focus, result.path) if part)
    return f"{where}: {result.message} [{curie(result.shape)}]"
