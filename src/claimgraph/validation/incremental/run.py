"""Incremental validation: validate what changed since a git revision, and what depends on it.

The guarantee: for every focus node in the *affected set*, the results are exactly those of a full
run over the new data; results of the full run on any other node are the base's, unchanged. So the
verdict equals the full run's when the base passed (the precondition: CI validated the base revision
in full, e.g. on the main branch, with the same ``--allow-warnings``).

Why it holds. Every shape reads the data *forward* from its focus node: its targets and its own
triples (depth 0), the triples of the nodes its property paths reach (``sh:class``, nested shapes,
``sh:qualifiedValueShape``: depth 1), and, in the SHACL-SPARQL constraints, the triples of nodes
further along the query's chain from ``$this``. :func:`shape_reach` derives, from the shapes graph
itself, the predicates followed (``T``) and the greatest depth read (``K``); for ontology/shapes.ttl:

- local (depth 0, the focus's own triples): cardinalities, ``sh:in``, ``sh:datatype``, the date,
  title and publisher alternatives, ``sh:lessThan``, ``sh:disjoint``, the hash and length checks
  (``cg:text`` is in the archive graph, derived from the document's ``cg:archivePath``);
- one hop: every ``sh:class`` (claimant, proposition, evidence, anchor, document, relay agent,
  cited source…), the selector counts, the single-anonymous-source warning (the claimant's type and
  count), anchor-in-the-evidence's-document, relay order uniqueness, and exact/prefix/suffix in the
  archived text (the selectors' values and the document's text);
- three hops: an anonymous claimant needs a named relay agent (claim → evidence → relay step →
  agent, whose type is read).

Nothing reads backwards (no inverse path, no ``sh:targetObjectsOf``), nothing is global (no
uniqueness across the corpus), and ``rdfs:subClassOf`` comes from the ontology. So a node's results
depend only on the triples of the nodes within ``K`` hops along ``T`` from it, the class hierarchy,
and archived texts. With ``D`` the subjects of every triple added or removed (and the documents
whose archived text file changed), a result can change only for a node that reaches ``D`` within
``K`` hops in the new data: the *affected set* ``A``, found backwards from ``D``. If a node's
neighbourhood misses ``D``, every triple in it is unchanged, hence so is the neighbourhood of the
old data and every result on it. Validating ``A`` exactly needs the triples of every node within
``K`` hops of ``A`` (its *read set*): the files holding them are loaded, with the ontology, and the
results are kept for ``A`` alone.

Details the files bring in. Files stating ``rdfs:subClassOf`` are always loaded (the class
hierarchy is global). The loader resolves archive paths of the default graph against the first file
that fills it, so that file comes too when a default-graph file is loaded. A changed file that is not
RDF counts as an archived text: every document whose ``cg:archivePath`` ends in its name is changed
(a text reached through a symbolic link of another name is not matched). Input the full load would
refuse is refused too: every file is parsed when indexed, and a named graph defined by two files is
the same error.

A full run is done instead (and said why) when that reasoning does not apply: the ontology or the
shapes changed; the shapes read something the analysis does not follow (an inverse or repeated
path, a variable predicate, a constant subject, a ``sh:targetObjectsOf`` or SPARQL target); a
change adds or removes ``rdfs:subClassOf``; a blank node changed or is affected (it has no identity
across files or parses); or an old version cannot be parsed.

Finding the files without parsing the corpus: an index in ``DATA/.claimgraph/index.sqlite`` holds,
per data file, its SHA-256, the subjects it states, its edges to other nodes (literals and
``rdf:type`` left out), the named graphs it defines and the archive paths it names. An entry is valid
for the bytes that were hashed. A file whose size, times and inode are unchanged since it was hashed
is trusted, as git trusts its index, unless it changed within two seconds of being hashed (a write in
the same clock tick); any other file is hashed again and re-indexed if its hash differs. The first
run indexes the whole corpus. SQLite commits each update whole; an index of another format version,
or a damaged one, is rebuilt. The analysis of the shapes is kept there too, keyed by the hash of the
ontology files and claimgraph's version.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from claimgraph.errors import DuplicateGraphError
from claimgraph.io.dataset import FORMATS, TRIPLE_FORMATS, load_dataset
from claimgraph.namespaces import CG
from claimgraph.validation.incremental.changes import Changes
from claimgraph.validation.incremental.index import SUBCLASS, Index
from claimgraph.validation.incremental.reach import FullRunNeeded, Reach, shape_reach

if TYPE_CHECKING:

    from claimgraph.io.dataset import Dataset
    from claimgraph.validation.api import Counts, ValidationReport
    from claimgraph.validation.render import ReportContext

#: Bumped whenever what the index stores changes: an index of another version is rebuilt.
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
    :ivar corpus_files: data files in the corpus; :ivar loaded_files: how many of them were loaded.
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
    from claimgraph.io.dataset import expand_paths
    from claimgraph.project import bundled_data_dir
    from claimgraph.validation.api import validate

    root = bundled_data_dir() if root is None else root
    corpus = expand_paths(list(paths) if paths else [root / "graph"])
    try:
        plan = _plan(root, corpus, changes)
    except FullRunNeeded as reason:
        dataset = load_dataset(root, paths=paths)
        report = validate(dataset, engine=engine)
        return IncrementalReport(report, dataset, changes.files, None, str(reason), len(corpus), len(corpus))
    affected, files = plan
    dataset = load_dataset(root, paths=files)
    report = validate(dataset, engine=engine).restricted(affected)
    report.counts = _counts(dataset, affected)
    return IncrementalReport(report, dataset, changes.files, frozenset(affected), None, len(corpus), len(files))


def _plan(root: Path, corpus: list[Path], changes: Changes) -> tuple[set[str], list[Path]]:
    """The affected nodes and the files to load to validate them exactly (see the module docstring)."""
    ontology = (root / "ontology").resolve()
    resolved: dict[Path, Path] = {}
    located = {_real(p, resolved): p for p in corpus}
    directories = {p.parent for p in located}
    if any(p.is_relative_to(ontology) and p.suffix in FORMATS for p in changes.files):
        raise FullRunNeeded("the ontology or the shapes changed")
    with closing(Index(root)) as index:
        reach = _cached_reach(root, index)
        index.refresh(located)
        order = {p: i for i, p in enumerate(located)}
        for graph, holders in index.shared_graphs():  # as the full load would refuse them
            first, second = sorted(holders, key=lambda p: order.get(p, len(order)))[:2]
            raise DuplicateGraphError(located.get(second, second), graph, located.get(first, first))
        changed: set[str] = set()
        archived: set[str] = set()
        for path in changes.files:
            if path.suffix in FORMATS:
                # A file in the corpus, or one deleted from a directory the corpus is read from.
                if path in located or any(path.is_relative_to(d) for d in directories):
                    changed |= _changed_subjects(path, changes.old.get(path), new=path in located)
            elif ".claimgraph" not in path.parts:
                archived.add(path.name)
        changed |= index.documents_archiving(archived)
        affected = set(changed)
        frontier = set(changed)
        for _ in range(reach.depth):
            frontier = index.neighbours(frontier, reach.predicates, backwards=True) - affected
            affected |= frontier
        read = set(affected)
        frontier = set(affected)
        for _ in range(reach.depth):
            frontier = index.neighbours(frontier, reach.predicates, backwards=False) - read
            read |= frontier
        blank = next((n for n in affected if n.startswith("_:")), None)
        if blank is not None:
            raise FullRunNeeded("a blank node is among the affected nodes")
        files = index.files_stating(read) | set(index.flagged("subclass"))
        default = set(index.flagged("default_graph"))
        if files & default:
            # The loader resolves archive paths of the default graph against its first file.
            files.add(next(p for p in located if p in default))
    return affected, [given for p, given in located.items() if p in files]


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
    for path in data_files(root / "ontology"):
        digest.update(f"{path.relative_to(root)}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
    key = f"reach:{version('claimgraph')}:{digest.hexdigest()}"
    cached = index.get(key)
    if cached is None:
        try:
            found = shape_reach(to_rdflib(load_dataset(root, paths=[]).shape_quads()))
            cached = json.dumps({"predicates": sorted(found.predicates), "depth": found.depth})
        except FullRunNeeded as reason:
            cached = json.dumps({"full_run": str(reason)})
        index.put(key, cached)
    value = json.loads(cached)
    if "full_run" in value:
        raise FullRunNeeded(value["full_run"])
    return Reach(frozenset(value["predicates"]), int(value["depth"]))


def _real(path: Path, directories: dict[Path, Path]) -> Path:
    """``path`` with the symbolic links of its directory resolved (git names files so).

    :param directories: directories resolved so far (one system call per path component each).
    """
    real = directories.get(path.parent)
    if real is None:
        real = directories[path.parent] = path.parent.resolve()
    return real / path.name


def _changed_subjects(path: Path, old: bytes | None, *, new: bool) -> set[str]:
    """Subjects of the triples a changed file added or removed (all its subjects, where placement may move)."""
    fmt = FORMATS[path.suffix]

    def parse(data: bytes | None, which: str) -> set[ox.Quad]:
        # Blank node labels kept, so that an unchanged blank node compares equal across versions.
        try:
            return set() if data is None else set(ox.parse(data, format=fmt, base_iri=None, rename_blank_nodes=False))
        except (SyntaxError, ValueError) as error:
            raise FullRunNeeded(f"the {which} version of {path} does not parse: {error}") from None

    before = parse(old, "base")
    after = parse(path.read_bytes() if new else None, "new")  # the index parsed it, reporting errors
    difference = before ^ after if fmt not in TRIPLE_FORMATS else before | after
    if any(q.predicate == SUBCLASS for q in difference):
        raise FullRunNeeded(f"{path} adds or removes rdfs:subClassOf")
    if any(isinstance(q.subject, ox.BlankNode) for q in difference):
        raise FullRunNeeded(f"blank nodes changed in {path}")
    return {q.subject.value for q in difference if isinstance(q.subject, ox.NamedNode)}
