"""Load ontology, shapes and claims from files into one embedded Oxigraph store.

One loader serves every command: Turtle files go into the named graph of the ``owl:Ontology`` they
declare (the default graph otherwise), TriG and N-Quads keep their graphs. Two graphs are computed at
load, never read from files: ``graph:archive`` (the archived texts) and ``graph:derived`` (the
closures the queries read, :mod:`claimgraph.io.derived`). A load either completes into a fresh store or
raises, so callers never see half a dataset.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from claimgraph.errors import DataDirectoryError, DuplicateGraphError, InputError, RemoteReferenceError
from claimgraph.io.derived import derive
from claimgraph.io.reading import FORMATS, TRIPLE_FORMATS, input_errors, line_column, read_checked
from claimgraph.namespaces import ARCHIVE_GRAPH, CG, DERIVED_GRAPH, OWL, RDF, SH, SHAPES_GRAPH, sparql_prefixes
from claimgraph.project import bundled_data_dir, ontology_dir
from claimgraph.sparql.lexer import refuse_service
from claimgraph.terms import Term

if TYPE_CHECKING:
    import rdflib

    from claimgraph.sparql.engines import RemoteEngine

_ONTOLOGY_TYPE = (ox.NamedNode(RDF.type), ox.NamedNode(OWL.Ontology))
_ARCHIVE_PATH = ox.NamedNode(CG.archivePath)
_TEXT = ox.NamedNode(CG.text)

GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def data_files(directory: Path) -> list[Path]:
    """Every RDF file below ``directory``, in a stable order (links to directories not followed)."""
    return [Path(path) for path in data_file_names(directory)]


def data_file_names(directory: Path) -> list[str]:
    """:func:`data_files` as strings (for tens of thousands of files, Path objects cost more than a scan)."""
    found: list[tuple[tuple[str, ...], str]] = []
    _scan(str(directory), (), found)
    return [path for _, path in sorted(found)]


_SUFFIXES = tuple(FORMATS)


def _scan(directory: str, parts: tuple[str, ...], found: list[tuple[tuple[str, ...], str]]) -> None:
    """Add the RDF files below ``directory`` to ``found``, each with its path's parts (pathlib's order).

    os.scandir, not Path.rglob: a corpus has thousands of files, and a directory entry tells a file
    from a directory without a system call, or a Path object, per file.
    """
    try:
        entries = list(os.scandir(directory))
    except OSError:  # missing, not a directory, unreadable: no files, as with rglob
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            _scan(entry.path, (*parts, entry.name), found)
        # Path.suffix is in FORMATS exactly when the name ends with one and is more than that suffix.
        elif entry.name.endswith(_SUFFIXES) and entry.name not in FORMATS and entry.is_file():
            found.append(((*parts, entry.name), entry.path))


@dataclass
class Dataset:
    """Named graphs in an embedded store, with the files they came from.

    :ivar store: the Oxigraph store holding every graph.
    :ivar root: the data directory the ontology and shapes were read from.
    :ivar sources: for each graph, the file that defined it (the default graph: the first file).
    :ivar shapes: the shapes, where they are kept apart from the data (:func:`load_files`), in the
        shapes graph of a store of their own; None: the shapes graph of :attr:`store`, part of the data.
    """

    store: ox.Store
    root: Path
    sources: dict[GraphName, Path] = field(default_factory=dict)
    shapes: ox.Store | None = None
    #: The files the separate shapes were read from.
    shape_sources: list[Path] = field(default_factory=list)
    #: The data's quads as the files write them, where they are kept (:func:`claimgraph.io.load_files`):
    #: the store keeps numbers, booleans and times in a canonical form, and types derived from
    #: xsd:integer as xsd:integer.
    written: list[ox.Quad] | None = None
    #: The separate shapes' quads as their files write them (the store canonicalises their literals too).
    shapes_written: list[ox.Quad] | None = None
    #: The SPARQL store the data stays in, where it is validated in place
    #: (:func:`claimgraph.stores.instore.stored_dataset`): :attr:`store` then holds only the local shapes,
    #: and :meth:`select`, :meth:`count` and :meth:`data_triples` ask the store.
    remote: RemoteEngine | None = None
    _literals: dict[tuple[object, str], list[ox.Literal]] | None = field(default=None, repr=False)

    @property
    def files(self) -> list[Path]:
        """The files loaded, without repeats, in load order."""
        return list(dict.fromkeys(self.sources.values()))

    def graphs(self) -> list[str]:
        """Names of the named graphs, sorted."""
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def select(self, query: str) -> list[dict[str, Term]]:
        """Run a SELECT over the union of all graphs (of :attr:`remote`, where the data stays there), with
        the shared prefixes declared."""
        if self.remote is not None:
            return self.remote.select(sparql_prefixes() + query, name="a lookup for the report").dicts()
        return _select(self.store, query)

    def select_shapes(self, query: str) -> list[dict[str, Term]]:
        """Run a SELECT over the store holding the shapes graph (see :attr:`shapes`)."""
        return _select(self.store if self.shapes is None else self.shapes, query)

    def data_graphs(self, var: str) -> str:
        """A SPARQL pattern keeping ``var`` to the data graphs: every graph but the shapes; of
        :attr:`remote`, those its catalog names (its default graph may hold others: Virtuoso's own)."""
        kept = f"FILTER ({var} != <{SHAPES_GRAPH}>)"
        return kept if self.remote is None else f"{self.remote.catalog(var)} {kept}"

    def count(self, cls: str) -> int:
        """Instances of ``cls`` or its subclasses, as the ontology in the dataset declares them."""
        # str() of a term is its N-Triples form: an escaped IRI, safe to place in a query. Not
        # subClassOf*: Virtuoso 7.2 loses rows on a `*` path whose two ends it has bound.
        rows = self.select(
            f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x rdf:type|rdf:type/rdfs:subClassOf+ {ox.NamedNode(cls)} }}"
        )
        value = rows[0]["n"]
        assert isinstance(value, ox.Literal)
        return int(value.value)

    def data_quads(self) -> Iterator[ox.Quad]:
        """Every quad except the shapes: what validation and queries see."""
        shapes = ox.NamedNode(SHAPES_GRAPH)
        return (q for q in self.store if q.graph_name != shapes)

    def shape_quads(self) -> Iterator[ox.Quad]:
        """The quads of the shapes graph (as written, where that is kept)."""
        if self.shapes_written is not None:
            return iter(self.shapes_written)
        store = self.store if self.shapes is None else self.shapes
        return store.quads_for_pattern(None, None, None, ox.NamedNode(SHAPES_GRAPH))

    def reference_graph(self) -> rdflib.Graph:
        """The data as pySHACL validates it: as the files write it where that is kept (:attr:`written`),
        else as the store holds it (claimgraph's data, whose shapes accept the store's forms)."""
        from claimgraph.terms import to_rdflib

        return to_rdflib(self.store if self.written is None else self.written)

    def written_literal(self, subject: Term, predicate: str, value: ox.Literal) -> ox.Literal:
        """The literal a file wrote for the stored triple (``subject``, ``predicate``, ``value``), else ``value``."""
        if self.written is None or not isinstance(subject, ox.NamedNode | ox.BlankNode):
            return value
        if self._literals is None:
            self._literals = {}
            for q in self.written:
                if isinstance(q.object, ox.Literal):
                    self._literals.setdefault((q.subject, q.predicate.value), []).append(q.object)
        candidates = self._literals.get((subject, predicate), [])
        if value in candidates:
            return value
        scratch = ox.Store()  # the store's own canonical form of each candidate
        for written in candidates:
            scratch.add(ox.Quad(subject, ox.NamedNode(predicate), written))
            if next(iter(scratch)).object == value:
                return written
            scratch.clear()
        return value

    def shapes_files(self) -> tuple[Path, ...]:
        """The files the shapes were read from."""
        if self.shapes is not None:
            return tuple(self.shape_sources)
        path = self.sources.get(ox.NamedNode(SHAPES_GRAPH))
        return () if path is None else (path,)

    def data_triples(self) -> int:
        """How many quads the data holds (the shapes graph left out where it is part of the store)."""
        if self.remote is not None:
            return self.remote.data_triples()
        shapes = 0 if self.shapes is not None else sum(1 for _ in self.shape_quads())
        return len(self.store) - shapes

    def refresh_archive(self) -> None:
        """Re-read every archived text named by ``cg:archivePath`` into the archive graph.

        A path that is missing, unreadable or outside the directory of the file stating it yields no
        text, which the shapes report; bytes that are not UTF-8 are replaced, so the hash check fails.
        """
        archive = ox.NamedNode(ARCHIVE_GRAPH)
        self.store.remove_graph(archive)
        self.store.add_graph(archive)
        resolved: dict[str, str] = {}
        texts: list[ox.Quad] = []
        for quad in self.store.quads_for_pattern(None, _ARCHIVE_PATH, None, None):
            source = self.sources.get(quad.graph_name)
            if source is None or not isinstance(quad.object, ox.Literal):
                continue
            text = _read_archived_text(source.parent, quad.object.value, resolved)
            if text is not None:
                texts.append(ox.Quad(quad.subject, _TEXT, ox.Literal(text), archive))
        self.store.extend(texts)

    def refresh_derived(self) -> None:
        """Recompute the derived graph (:mod:`claimgraph.io.derived`) from the other graphs; whatever a
        file or an earlier computation put in it is replaced."""
        graph = ox.NamedNode(DERIVED_GRAPH)
        self.store.remove_graph(graph)
        quads = derive(self.store)
        self.store.add_graph(graph)
        self.store.extend(quads)


def _select(store: ox.Store, query: str) -> list[dict[str, Term]]:
    solutions = store.query(sparql_prefixes() + query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: row[n] for n in names if row[n] is not None} for row in solutions]


def _read_archived_text(base: Path, relative: str, resolved: dict[str, str] | None = None) -> str | None:
    """The text at ``relative`` to ``base``, if it is a file inside ``base`` (symbolic links followed).

    :param resolved: a cache of resolved directories, shared by the calls of one archive refresh.
    """
    cache = {} if resolved is None else resolved

    def real(directory: str) -> str:
        found = cache.get(directory)
        if found is None:
            found = cache[directory] = os.path.realpath(directory)
        return found

    # os.path on strings, not pathlib: this runs once per archived document (thousands per load).
    root = real(str(base))
    candidate = os.path.join(base, relative)
    parent, name = os.path.split(candidate)
    # Resolving every file costs a system call per path component; directories are resolved once
    # and the file itself only when it is a symbolic link.
    path = os.path.join(real(parent), name)
    if name in ("", ".", "..") or os.path.islink(candidate):
        path = os.path.realpath(candidate)
    inside = path == root or path.startswith(root.rstrip(os.sep) + os.sep)
    if not inside or not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as file:
            return file.read().decode("utf-8", errors="replace")
    except OSError:
        return None


def load_dataset(root: Path | None = None, *, paths: Sequence[Path] | None = None) -> Dataset:
    """Load the ontology and shapes of ``root`` and the claims of ``paths`` (default ``root/graph``),
    then compute the archive and derived graphs.

    :param root: the data directory (``graph/``, and ``ontology/`` or else the bundled ontology and
        shapes); default: the bundled data.
    :param paths: data files or directories to load instead of ``root/graph``.
    :raises DataDirectoryError: if ``root`` is no directory, has no ``graph/`` (and no ``paths`` are
        given), or its ontology directory holds no ontology or no shapes.
    :raises InputError: if a file cannot be read or parsed, naming file and line.
    :raises DuplicateGraphError: if two files define the same named graph.
    """
    root = bundled_data_dir() if root is None else root
    if not root.is_dir():
        raise DataDirectoryError(root, "no such directory")
    if paths is None and not (root / "graph").is_dir():
        raise DataDirectoryError(root, "no graph/ directory in it")
    ontology = data_files(ontology_dir(root))
    if not ontology:
        raise DataDirectoryError(ontology_dir(root), "no ontology or shapes in it (no RDF files)")
    if paths is None:
        paths = [root / "graph"]
    files = ontology + expand_paths(paths)
    dataset = _load_fast(root, files)
    if dataset is None:  # the fast path could not vouch for every graph: parse every file in Python
        dataset = Dataset(store=ox.Store(), root=root)
        for path in files:
            load_file(dataset, path)
    if ox.NamedNode(SHAPES_GRAPH) not in dataset.sources:
        raise DataDirectoryError(
            ontology_dir(root), f"no shapes: no file in it declares <{SHAPES_GRAPH}> a owl:Ontology"
        )
    _refuse_federated_shapes(dataset)
    dataset.refresh_archive()
    dataset.refresh_derived()
    return dataset


# TriG files are loaded by Oxigraph itself (no Python object per quad). The loader still needs to
# know which named graphs each file defines (duplicates are errors; archive paths resolve against
# the defining file), so it scans the text for graph labels and checks every finding against the
# store: a label the scan finds must be a graph that did not exist before the file was loaded and
# exists after; every graph in the store must have been found; no file may fill the default graph.
# If anything does not add up (a label the scan missed, a duplicate, an odd syntax), the load is
# redone quad by quad in Python, which reports exactly as before.
_GRAPH_LABEL = re.compile(
    rb"[ \t]*(?:GRAPH[ \t]+)?"
    rb"(<[^<>\"{}|^`\\\s]*>|[A-Za-z][A-Za-z0-9_.-]*:[A-Za-z0-9_][A-Za-z0-9_.-]*|:[A-Za-z0-9_.-]*)[ \t]*"
)
_PREFIX_DECLARATION = re.compile(rb"[ \t]+([A-Za-z][A-Za-z0-9_.-]*)?:[ \t]*<([^<>\"{}|^`\\\s]*)>")


def _find_all(text: bytes, needle: bytes, start: int = 0, end: int | None = None) -> Iterator[int]:
    stop = len(text) if end is None else end
    at = text.find(needle, start, stop)
    while at >= 0:
        yield at
        at = text.find(needle, at + 1, stop)


class _ScanMismatch(Exception):
    """The text scan and the store disagree: fall back to the exact loader."""


def _load_fast(root: Path, files: list[Path]) -> Dataset | None:
    dataset = Dataset(store=ox.Store(), root=root)
    store = dataset.store
    headers: dict[bytes, dict[bytes, str]] = {}
    try:
        for path in files:
            if FORMATS[path.suffix] is not ox.RdfFormat.TRIG:
                before = set(dataset.sources)
                load_file(dataset, path)
                if ox.DefaultGraph() in set(dataset.sources) - before:
                    raise _ScanMismatch
                continue
            text = read_checked(path)
            labels = _graph_labels(text, headers)
            for graph in labels:
                if store.contains_named_graph(graph):
                    raise _ScanMismatch  # a duplicate, or a label inside a string: let the exact loader judge
            _load_trig(store, path, text)
            for graph in labels:
                if not store.contains_named_graph(graph):
                    raise _ScanMismatch
                dataset.sources[graph] = path
        named = sum(1 for _ in store.named_graphs())
        if named != sum(1 for g in dataset.sources if not isinstance(g, ox.DefaultGraph)):
            raise _ScanMismatch
        if (
            ox.DefaultGraph() not in dataset.sources
            and next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None
        ):
            raise _ScanMismatch
    except _ScanMismatch:
        return None
    return dataset


_SPARQL_TEXTS = (ox.NamedNode(SH.select), ox.NamedNode(SH.ask))


def _refuse_federated_shapes(dataset: Dataset) -> None:
    """Refuse SHACL-SPARQL shapes with a ``SERVICE`` clause: both validators would call the service."""
    refuse_federated(dataset.store, dataset.sources[ox.NamedNode(SHAPES_GRAPH)])


def refuse_federated(store: ox.Store, path: Path) -> None:
    """Refuse a ``SERVICE`` clause in a SHACL-SPARQL query of the shapes graph of ``store``, read from ``path``.

    :raises RemoteReferenceError: naming the shapes file and the line of the clause.
    """
    shapes = ox.NamedNode(SHAPES_GRAPH)
    for predicate in _SPARQL_TEXTS:
        for quad in store.quads_for_pattern(None, predicate, None, shapes):
            if not isinstance(quad.object, ox.Literal):
                continue
            try:
                refuse_service(quad.object.value, name=str(path))
            except RemoteReferenceError as error:
                text = read_checked(path)
                at = re.search(rb"\bSERVICE\b", text, re.I)
                line, column = line_column(text, at.start()) if at else (None, None)
                raise RemoteReferenceError(
                    path,
                    f"SERVICE {error.reference} in a SHACL-SPARQL shape refused: validation runs no federated query",
                    reference=error.reference,
                    line=line,
                    column=column,
                ) from None


def _prefixes(text: bytes, start: int = 0, end: int | None = None) -> dict[bytes, str]:
    found: dict[bytes, str] = {}
    stop = len(text) if end is None else end
    starts = sorted(
        [at + 7 for at in _find_all(text, b"@prefix", start, stop)]
        + [at + 6 for at in _find_all(text, b"PREFIX", start, stop)]
    )
    for at in starts:
        match = _PREFIX_DECLARATION.match(text, at)
        if match is not None:
            found[match.group(1) or b""] = match.group(2).decode("utf-8", errors="replace")
    return found


def _graph_labels(text: bytes, headers: dict[bytes, dict[bytes, str]] | None = None) -> list[ox.NamedNode]:
    """The graph labels of a TriG text, as far as a scan can tell (see :func:`_load_fast`).

    :param headers: prefix declarations already read, by the text before the line of the first brace
        (files of one corpus mostly share that header; the line itself names the file's own graph).
    """
    # Declarations (@prefix or PREFIX, in the two usual spellings) and graph labels (a term alone on
    # its line before "{") are found with bytes.find: a regular expression over the whole text would
    # cost more than parsing it. Anything missed or misread is caught by the checks in _load_fast.
    first = text.find(b"{")
    cut = text.rfind(b"\n", 0, first) + 1 if first >= 0 else len(text)
    head = text[:cut]
    cache = {} if headers is None else headers
    prefixes = cache.get(head)
    if prefixes is None:
        prefixes = cache[head] = _prefixes(head)
    labels: list[ox.NamedNode] = []
    read_to = cut  # declarations are read up to the label that needs them: most files have one graph
    for brace in _find_all(text, b"{", max(first, 0)):
        line_start = text.rfind(b"\n", 0, brace) + 1
        match = _GRAPH_LABEL.fullmatch(text, line_start, brace)
        if match is None:  # a label on another line, two graphs on one, or a brace in a string
            raise _ScanMismatch
        label = match.group(1)
        if label.startswith(b"<"):
            iri = label[1:-1].decode("utf-8", errors="replace")
        else:
            if read_to < line_start:
                prefixes = {**prefixes, **_prefixes(text, read_to, line_start)}  # the cached header stays as read
                read_to = line_start
            prefix, _, local = label.partition(b":")
            if prefix not in prefixes or local.endswith(b"."):
                raise _ScanMismatch
            iri = prefixes[prefix] + local.decode("ascii")
        if ":" not in iri:  # relative IRI: resolution is the parser's business
            raise _ScanMismatch
        try:
            labels.append(ox.NamedNode(iri))
        except ValueError:
            raise _ScanMismatch from None
    if len(set(labels)) != len(labels):
        raise _ScanMismatch
    return labels


def _load_trig(store: ox.Store, path: Path, text: bytes) -> None:
    with input_errors(path, text):
        store.load(input=text, format=ox.RdfFormat.TRIG)


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """The RDF files ``paths`` name: files as given, directories as every RDF file below them."""
    return [Path(name) for name in expand_path_names(paths)]


def expand_path_names(paths: Sequence[Path]) -> list[str]:
    """:func:`expand_paths` as strings."""
    files: list[str] = []
    for path in paths:
        if path.is_dir():
            files.extend(data_file_names(path))
        elif path.suffix not in FORMATS:
            known = ", ".join(sorted(FORMATS))
            raise InputError(path, f"unknown RDF file extension {path.suffix!r} (known: {known})")
        else:
            files.append(str(path))
    return files


def load_file(dataset: Dataset, path: Path, *, base_iri: str | None = None) -> list[ox.Quad]:
    """Add one file's quads to ``dataset`` (checking the graphs it defines) and return them, as parsed.

    :param base_iri: what relative IRIs resolve against (none: a relative IRI is an error).
    """
    quads = parse_file(path, base_iri=base_iri)
    if not quads and FORMATS[path.suffix] is ox.RdfFormat.JSON_LD:
        raise InputError(path, "no RDF statements in it: JSON-LD drops every key no @context maps to an IRI")
    if FORMATS[path.suffix] in TRIPLE_FORMATS:
        quads = _into_ontology_graph(quads)
    defined = {q.graph_name for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)}
    for graph in defined:
        first = dataset.sources.get(graph)
        if first is not None:
            raise DuplicateGraphError(path, graph.value, first)
        dataset.sources[graph] = path
    if any(isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        dataset.sources.setdefault(ox.DefaultGraph(), path)
    dataset.store.extend(quads)
    return quads


def parse_file(path: Path, *, base_iri: str | None = None) -> list[ox.Quad]:
    """Every quad of one RDF file, through the same guards as loading (one-line :class:`InputError`).

    :param base_iri: what relative IRIs resolve against (none: a relative IRI is an error).
    """
    data = read_checked(path)
    with input_errors(path, data):
        return list(ox.parse(data, format=FORMATS[path.suffix], base_iri=base_iri, rename_blank_nodes=True))


def _into_ontology_graph(quads: list[ox.Quad]) -> list[ox.Quad]:
    ontologies = {q.subject for q in quads if (q.predicate, q.object) == _ONTOLOGY_TYPE}
    if len(ontologies) != 1:
        return quads
    (graph,) = ontologies
    assert isinstance(graph, ox.NamedNode | ox.BlankNode)
    return [ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads]
