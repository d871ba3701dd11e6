"""Incremental validation: validate what changed since a git revision, and what depends on it.

For every focus node in the affected set the results are exactly a full run's; why that holds, and
when a full run is done instead, is in docs/design.md (incremental validation).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from claimgraph.errors import DuplicateGraphError
from claimgraph.io.dataset import load_dataset
from claimgraph.io.reading import FORMATS, TRIPLE_FORMATS
from claimgraph.namespaces import CG
from claimgraph.project import ontology_dir
from claimgraph.validation.incremental.changes import Changes
from claimgraph.validation.incremental.index import SCHEMA_TYPES, SUBCLASS, TYPE, VOCABULARY, Index, literal_key
from claimgraph.validation.incremental.reach import FullRunNeeded, Reach, shape_reach

if TYPE_CHECKING:
    from claimgraph.io.dataset import Dataset
    from claimgraph.validation.api import Counts, ValidationReport
    from claimgraph.validation.render import ReportContext
    from claimgraph.validation.results import ValidationResult

# ---------------------------------------------------------------------------------------------------
# Incremental validation
# ---------------------------------------------------------------------------------------------------


@dataclass
class IncrementalReport:
    """The outcome of an incremental validation.

    :ivar report: the results for the affected nodes (every result, after a full run).
    :ivar dataset: what was loaded to produce them.
    :ivar changed: the changed files.
    :ivar affected: the focus nodes validated; None after a full run.
    :ivar full_run_reason: why a full run was done instead, if it was.
    :ivar corpus_files: data files in the corpus; :ivar loaded_files: how many of them were read, whole
        or (a large file kept in slices by the index) for the statements of the nodes read.
    """

    report: ValidationReport
    dataset: Dataset
    changed: list[Path]
    affected: frozenset[str] | None
    full_run_reason: str | None
    corpus_files: int
    loaded_files: int

    def report_context(self, *, root: Path, for_format: str) -> ReportContext:
        """The report context (:mod:`claimgraph.validation.render`), its checks those of the affected nodes."""
        from claimgraph.validation.render import report_context

        context = report_context(self.dataset, self.report, root=root, for_format=for_format)
        if self.affected is None:
            return context
        affected = self.affected
        checks = {shape: [f for f in nodes if f in affected] for shape, nodes in context.checks.items()}
        return dataclasses.replace(context, checks={shape: nodes for shape, nodes in checks.items() if nodes})

    def summary(self) -> str:
        """One line saying what was validated."""
        if self.affected is None:
            return f"incremental validation fell back to a full run: {self.full_run_reason}"
        return (
            f"incremental validation: {len(self.changed)} changed file(s), {len(self.affected)} affected node(s), "
            f"{self.loaded_files} of {self.corpus_files} data file(s) loaded"
        )


def validate_changes(
    root: Path | None,
    *,
    changes: Changes,
    paths: Sequence[Path] | None = None,
    engine: str = "auto",
) -> IncrementalReport:
    """Validate the nodes ``changes`` can affect, with the results a full run gives them.

    :param root: the data directory (ontology/, graph/); default: the bundled data.
    :param changes: the changed files and their base versions (see :func:`changes_since`).
    :param paths: data files or directories instead of ``root/graph``, as for :func:`load_dataset`.
    :param engine: the validation engine (see :func:`claimgraph.validation.validate`).
    :raises InputError: if a file cannot be read or parsed.
    """
    from claimgraph.io.dataset import expand_path_names
    from claimgraph.project import bundled_data_dir
    from claimgraph.validation.api import validate

    root = bundled_data_dir() if root is None else root
    corpus = expand_path_names(list(paths) if paths else [root / "graph"])
    with closing(Index(root)) as index:
        try:
            plan = _plan(root, corpus, changes, index)
        except FullRunNeeded as reason:
            dataset = load_dataset(root, paths=paths)
            with _analyses_kept(index):
                report = validate(dataset, engine=engine)
            return IncrementalReport(report, dataset, changes.files, None, str(reason), len(corpus), len(corpus))
        dataset = load_dataset(root, paths=plan.whole)
        if plan.slices:
            _load_slices(dataset, plan.slices)
        with _analyses_kept(index):
            report = validate(dataset, engine=engine, focus=plan.affected)
    if plan.slices:
        report.results = _suggested_from_whole_files(root, plan, dataset, report.results)
    report.counts = _counts(dataset, plan.affected)
    loaded = len(plan.whole) + len(plan.slices)
    return IncrementalReport(report, dataset, changes.files, frozenset(plan.affected), None, len(corpus), loaded)


@contextmanager
def _analyses_kept(index: Index) -> Iterator[None]:
    """The compiler's analyses of the shapes' SPARQL (:mod:`claimgraph.validation.compiler.analyses`)
    read from the index, and saved there when the validation made new ones."""
    from claimgraph.validation.compiler import analyses

    saved = index.get("sparql-analyses")
    if saved is not None:
        analyses.restore(saved)
    yield
    now = analyses.snapshot()
    if now != saved:
        index.put("sparql-analyses", now)


@dataclass(frozen=True)
class _Plan:
    """What to validate and what to load for it: files whole, and of the sliced files (see
    :data:`~claimgraph.validation.incremental.index.SLICE_BYTES`) the statements of the nodes read."""

    affected: set[str]
    whole: list[Path]
    slices: dict[Path, list[str]]


def _plan(root: Path, corpus: list[str], changes: Changes, index: Index) -> _Plan:
    """The affected nodes and the files to load to validate them exactly (see the module docstring)."""
    ontology = ontology_dir(root).resolve()
    resolved: dict[str, str] = {}
    located = {_real(p, resolved): p for p in corpus}
    directories = set(resolved.values())
    if any(p.is_relative_to(ontology) and p.suffix in FORMATS for p in changes.files):
        raise FullRunNeeded("the ontology or the shapes changed")
    reach = _cached_reach(root, index)
    index.refresh(located, literal_predicates=reach.inverse)
    order = {p: i for i, p in enumerate(located)}
    for graph, holders in index.shared_graphs():  # as the full load would refuse them
        first, second = sorted(holders, key=lambda p: order.get(p, len(order)))[:2]
        raise DuplicateGraphError(Path(located.get(second, second)), graph, Path(located.get(first, first)))
    changed: set[str] = set()
    archived: set[str] = set()
    for path in changes.files:
        if path.suffix in FORMATS:
            # A file in the corpus, or one deleted from a directory the corpus is read from.
            name = str(path)
            if name in located or any(name.startswith(d.rstrip(os.sep) + os.sep) for d in directories):
                changed |= _changed_nodes(path, changes.old.get(path), new=name in located, reach=reach)
        elif ".claimgraph" not in path.parts:
            archived.add(path.name)
    changed |= index.documents_archiving(archived)
    # Nodes that read a changed node, found backwards (and, along predicates read backwards, forwards).
    affected = _walk(index, reach, changed, set(changed), backwards=True)
    # An affected node that objects of a target predicate are is a focus node only where a triple
    # pointing to it is loaded.
    read = _walk(
        index, reach, affected, affected | index.neighbours(affected, reach.object_targets, backwards=True),
        backwards=False,
    )
    affected = {n for n in affected if not n.startswith('"')}  # values are no focus nodes
    blank = next((n for n in affected if n.startswith("_:")), None)
    if blank is not None:
        raise FullRunNeeded("a blank node is among the affected nodes")
    files = index.files_stating(read) | set(index.flagged("schema"))
    default = set(index.flagged("default_graph"))
    if files & default:
        # The loader resolves archive paths of the default graph against its first file.
        files.add(next(p for p in located if p in default))
    # Of a sliced file, only the statements of the nodes read: they are all validation reads there
    # (a sliced file holds no blank node, no declaration and nothing in the default graph).
    sliced = files.intersection(index.flagged("sliced"))
    slices = index.slices(read) if sliced else {}
    return _Plan(
        affected,
        [Path(given) for p, given in located.items() if p in files and p not in sliced],
        {Path(given): slices[p] for p, given in located.items() if p in slices},
    )


def _suggested_from_whole_files(
    root: Path, plan: _Plan, dataset: Dataset, results: list[ValidationResult]
) -> list[ValidationResult]:
    """``results`` with the suggestions a run loading the sliced files whole gives them: a "did you
    mean" looks for candidates among every node of a registry, not only among the nodes validation
    reads. The files are loaded only where a result has a suggestion query (an undefined term)."""
    from claimgraph.validation.suggest import suggestion_queries, with_suggestions

    queries = suggestion_queries(dataset) if results else {}
    if not any(r.shape in queries for r in results):
        return results
    whole = load_dataset(root, paths=[*plan.whole, *plan.slices])
    return with_suggestions(whole, [dataclasses.replace(r, suggestion=None) for r in results])


def _load_slices(dataset: Dataset, slices: dict[Path, list[str]]) -> None:
    """Add the statements of ``slices`` (N-Quads, by file) to ``dataset``, then compute its archive and
    derived graphs again."""
    for path, statements in slices.items():
        quads = list(ox.parse("".join(statements).encode("utf-8"), format=ox.RdfFormat.N_QUADS))
        for graph in {q.graph_name for q in quads}:
            dataset.sources.setdefault(graph, path)
        dataset.store.extend(quads)
    dataset.refresh_archive()
    dataset.refresh_derived()


def _counts(dataset: Dataset, nodes: set[str]) -> Counts:
    """What was checked: the instances among ``nodes`` and their triples (the summary's counts)."""
    from claimgraph.validation.api import Counts

    values = " ".join(str(ox.NamedNode(n)) for n in sorted(nodes))

    def count(pattern: str) -> int:
        rows = dataset.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?x {{ {values} }} {pattern} }}")
        value = rows[0]["n"]
        assert isinstance(value, ox.Literal)
        return int(value.value)

    def instances(cls: str) -> int:
        return count(f"FILTER EXISTS {{ ?x a ?c . ?c rdfs:subClassOf* {ox.NamedNode(cls)} }}")

    return Counts(
        claims=instances(CG.Claim),
        actors=instances(CG.Agent),
        documents=instances(CG.SourceDocument),
        cited_sources=instances(CG.CitedSource),
        non_responses=instances(CG.NonResponse),
        triples=count("?x ?p ?o"),
    )


def _cached_reach(root: Path, index: Index) -> Reach:
    """:func:`shape_reach` of the shapes in ``root/ontology``, kept in the index by the files' hash.

    :raises FullRunNeeded: (also from the cache) if the shapes read in a way the analysis does not follow.
    """
    from claimgraph.io.dataset import data_files
    from claimgraph.terms import to_rdflib

    digest = hashlib.sha256()
    for path in data_files(ontology_dir(root)):
        digest.update(f"{path.relative_to(root)}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
    key = f"reach:{version('claimgraph')}:{digest.hexdigest()}"
    cached = index.get(key)
    if cached is None:
        try:
            found = shape_reach(to_rdflib(load_dataset(root, paths=[]).shape_quads()))
            cached = json.dumps(
                {
                    "predicates": sorted(found.predicates),
                    "depth": found.depth,
                    "object_targets": sorted(found.object_targets),
                    "inverse": sorted(found.inverse),
                }
            )
        except FullRunNeeded as reason:
            cached = json.dumps({"full_run": str(reason)})
        index.put(key, cached)
    value = json.loads(cached)
    if "full_run" in value:
        raise FullRunNeeded(value["full_run"])
    return Reach(
        frozenset(value["predicates"]),
        int(value["depth"]),
        frozenset(value["object_targets"]),
        frozenset(value["inverse"]),
    )


def _real(path: str, directories: dict[str, str]) -> str:
    """``path`` with the symbolic links of its directory resolved (git names files so).

    :param directories: directories resolved so far (one system call per path component each).
    """
    parent, name = os.path.split(path)
    real = directories.get(parent)
    if real is None:
        real = directories[parent] = os.path.realpath(parent)
    return os.path.join(real, name)



def _walk(index: Index, reach: Reach, start: set[str], seen: set[str], *, backwards: bool) -> set[str]:
    """``seen`` and the nodes ``reach.depth`` steps from ``start`` along the predicates validation reads
    (against their direction with ``backwards``; the predicates read backwards the other way)."""
    found = set(seen)
    frontier = set(start)
    for _ in range(reach.depth):
        frontier = (
            index.neighbours(frontier, reach.predicates, backwards=backwards)
            | index.neighbours(frontier, reach.inverse, backwards=not backwards)
        ) - found
        found |= frontier
    return found

def _changed_nodes(path: Path, old: bytes | None, *, new: bool, reach: Reach) -> set[str]:
    """Subjects of the triples a changed file added or removed (all its subjects, where placement may
    move), the objects of those it added whose predicate targets its objects (sh:targetObjectsOf),
    and the objects of those added or removed whose predicate is read backwards (the nodes that shared
    a value with the subject read it no more, or now do).

    A removed triple's object is otherwise left out: still a target elsewhere, its results are
    unchanged; no longer one, it has none, and an incremental run reports nothing of a node it does
    not validate.
    """
    fmt = FORMATS[path.suffix]

    def parse(data: bytes | None, which: str) -> set[bytes]:
        # As N-Quads lines: a registry's million quads compare faster so than as Quad objects. Blank
        # node labels kept, so that an unchanged blank node compares equal across versions.
        if data is None:
            return set()
        try:
            quads = ox.parse(data, format=fmt, base_iri=None, rename_blank_nodes=False)
            return set((ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"").splitlines())
        except (SyntaxError, ValueError) as error:
            raise FullRunNeeded(f"the {which} version of {path} does not parse: {error}") from None

    def quads(lines: set[bytes]) -> set[ox.Quad]:
        return set(ox.parse(b"\n".join(lines), format=ox.RdfFormat.N_QUADS, rename_blank_nodes=False))

    before = parse(old, "base")
    after = parse(path.read_bytes() if new else None, "new")  # the index parsed it, reporting errors
    if fmt in TRIPLE_FORMATS:
        difference, added = quads(before | after), quads(after)
    else:
        difference, added = quads(before ^ after), quads(after - before)
    if any(q.predicate == SUBCLASS for q in difference):
        raise FullRunNeeded(f"{path} adds or removes rdfs:subClassOf")
    if any(isinstance(q.subject, ox.BlankNode) for q in difference):
        raise FullRunNeeded(f"blank nodes changed in {path}")
    if any((q.predicate == TYPE and q.object in SCHEMA_TYPES) or q.predicate == VOCABULARY for q in difference):
        raise FullRunNeeded(f"{path} declares a class, a property or a vocabulary")
    targets = {
        q.object.value
        for q in added
        if q.predicate.value in reach.object_targets and isinstance(q.object, ox.NamedNode)
    }
    shared = {
        literal_key(q.object) if isinstance(q.object, ox.Literal) else q.object.value
        for q in difference
        if q.predicate.value in reach.inverse and isinstance(q.object, ox.NamedNode | ox.Literal)
    }
    return {q.subject.value for q in difference if isinstance(q.subject, ox.NamedNode)} | targets | shared
