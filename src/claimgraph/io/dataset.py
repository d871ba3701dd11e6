"""Load ontology, shapes and claims from files into one embedded Oxigraph store.

One loader serves every command: Turtle files go into the named graph of the ``owl:Ontology`` they
declare (the default graph otherwise), TriG and N-Quads keep their graphs. Two graphs are computed at
load, never read from files: ``graph:archive`` (the archived texts) and ``graph:derived`` (the
closures the queries read, :mod:`claimgraph.io.derived`). A load either completes into a fresh store or
raises, so callers never see half a dataset.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from claimgraph.errors import DataDirectoryError, DuplicateGraphError, InputError, RemoteReferenceError
from claimgraph.io.derived import derive
from claimgraph.namespaces import ARCHIVE_GRAPH, CG, DERIVED_GRAPH, OWL, RDF, SH, SHAPES_GRAPH, sparql_prefixes
from claimgraph.project import bundled_data_dir, ontology_dir
from claimgraph.sparql.lexer import refuse_service
from claimgraph.sparql.results import xml_fault
from claimgraph.terms import Term

if TYPE_CHECKING:
    import rdflib

#: File extensions the loader reads, with their syntax.
FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}
#: The formats without named graphs: a file of one of these fills the graph its ontology declares, or none.
TRIPLE_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML)

_ONTOLOGY_TYPE = (ox.NamedNode(RDF.type), ox.NamedNode(OWL.Ontology))
_ARCHIVE_PATH = ox.NamedNode(CG.archivePath)
_TEXT = ox.NamedNode(CG.text)

GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def data_files(directory: Path) -> list[Path]:
    """Every RDF file below ``directory``, in a stable order (links to directories not followed)."""
    found: list[tuple[tuple[str, ...], str]] = []
    _scan(str(directory), (), found)
    return [Path(path) for _, path in sorted(found)]


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
    _literals: dict[tuple[object, str], list[ox.Literal]] | None = field(default=None, repr=False)

    @property
    def files(self) -> list[Path]:
        """The files loaded, without repeats, in load order."""
        return list(dict.fromkeys(self.sources.values()))

    def graphs(self) -> list[str]:
        """Names of the named graphs, sorted."""
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def select(self, query: str) -> list[dict[str, Term]]:
        """Run a SELECT over the union of all graphs, with the shared prefixes declared."""
        return _select(self.store, query)

    def select_shapes(self, query: str) -> list[dict[str, Term]]:
        """Run a SELECT over the store holding the shapes graph (see :attr:`shapes`)."""
        return _select(self.store if self.shapes is None else self.shapes, query)

    def count(self, cls: str) -> int:
        """Instances of ``cls`` or its subclasses, as the ontology in the dataset declares them."""
        # str() of a term is its N-Triples form: an escaped IRI, safe to place in a query.
        rows = self.select(
            f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?c rdfs:subClassOf* {ox.NamedNode(cls)} . ?x a ?c }}"
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
            text = _read(path)
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
                text = _read(path)
                at = re.search(rb"\bSERVICE\b", text, re.I)
                line, column = _line_column(text, at.start()) if at else (None, None)
                raise RemoteReferenceError(
                    path,
                    f"SERVICE {error.reference} in a SHACL-SPARQL shape refused: validation runs no federated query",
                    reference=error.reference,
                    line=line,
                    column=column,
                ) from None


def _read(path: Path) -> bytes:
    """The bytes of an RDF file, checked before any parser sees them (see :func:`_checked`)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(path, error.strerror or str(error)) from None
    return _checked(path, data)


_WIDE_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}
_ENTITY = re.compile(rb"<!ENTITY\s+(?:%\s+)?([^\s>]+)\s+(SYSTEM|PUBLIC|\"[^\"]*\"|'[^']*')", re.S)
_ENTITY_REFERENCE = re.compile(rb"[&%][A-Za-z_:][^;\s]*;")


def _checked(path: Path, data: bytes) -> bytes:
    """``data`` without a UTF-8 byte order mark, or an error if no parser should see it.

    Refused: an empty file (a truncated write, most likely); UTF-16 and UTF-32 (RDF files are UTF-8);
    in RDF/XML, an entity that is external (a file or URL the parser would read) or that expands
    other entities (a few lines can expand to gigabytes). A UTF-8 byte order mark is harmless and
    dropped; error columns on the first line then count from after it.
    """
    if not data or data.isspace():
        raise InputError(path, "empty file: no RDF in it (a truncated write?)")
    for bom, encoding in _WIDE_BOMS.items():
        if data.startswith(bom):
            raise InputError(
                path, f"{encoding} text: RDF files must be UTF-8 (iconv -f {encoding} -t UTF-8 converts it)", line=1
            )
    if b"\x00" in data[:2]:
        raise InputError(path, "UTF-16 or UTF-32 text (NUL bytes): RDF files must be UTF-8", line=1)
    data = data.removeprefix(codecs.BOM_UTF8)
    if FORMATS.get(path.suffix) is ox.RdfFormat.RDF_XML and b"<!ENTITY" in data:
        for match in _ENTITY.finditer(data):
            name = match.group(1).decode("utf-8", errors="replace")
            kind = match.group(2)
            if kind in (b"SYSTEM", b"PUBLIC"):
                reason = f"external entity {name!r} refused: claimgraph reads no file or URL an input points to"
            elif _ENTITY_REFERENCE.search(kind):
                reason = f"entity {name!r} expands other entities: refused (nested entities can exhaust memory)"
            else:
                continue
            line, column = _line_column(data, match.start())
            end = data.find(b">", match.start()) + 1
            declaration = " ".join(data[match.start() : end].decode("utf-8", errors="replace").split())
            raise RemoteReferenceError(path, reason, reference=declaration, line=line, column=column)
    return data


def _line_column(data: bytes, at: int) -> tuple[int, int]:
    """1-based line and column (in characters) of byte offset ``at``."""
    start = data.rfind(b"\n", 0, at) + 1
    return data.count(b"\n", 0, at) + 1, len(data[start:at].decode("utf-8", errors="replace")) + 1


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
    with _input_errors(path, text):
        store.load(input=text, format=ox.RdfFormat.TRIG)


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """The RDF files ``paths`` name: files as given, directories as every RDF file below them."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(data_files(path))
        elif path.suffix not in FORMATS:
            known = ", ".join(sorted(FORMATS))
            raise InputError(path, f"unknown RDF file extension {path.suffix!r} (known: {known})")
        else:
            files.append(path)
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
    data = _read(path)
    with _input_errors(path, data):
        return list(ox.parse(data, format=FORMATS[path.suffix], base_iri=base_iri, rename_blank_nodes=True))


# The JSON-LD parser has no document loader, so a remote context fails to load; name it and say why.
_REMOTE_CONTEXT = re.compile(rb'"@(?:context|import)"\s*:\s*(?:\[[^\]"]*)?"([^"]*)"')


@contextmanager
def _input_errors(path: Path, data: bytes) -> Iterator[None]:
    """Turn the parser's and the file system's errors into one InputError naming ``path``.

    :param data: the text parsed, to locate what the parser does not.
    """
    try:
        yield
    except SyntaxError as error:
        if "LoadDocumentCallback" in str(error.msg) and (found := _REMOTE_CONTEXT.search(data)):
            iri = found.group(1).decode("utf-8", errors="replace")
            line, column = _line_column(data, found.start())
            raise RemoteReferenceError(
                path,
                f"remote JSON-LD context <{iri}> refused: claimgraph fetches no remote documents (inline the context)",
                reference=iri,
                line=line,
                column=column,
            ) from None
        where = (error.lineno, error.offset)
        if where[0] is None and FORMATS.get(path.suffix) is ox.RdfFormat.RDF_XML and (fault := xml_fault(data)):
            where = fault[:2]
        message = _syntax_message(error)
        if FORMATS.get(path.suffix) in _TURTLE_FAMILY and where[0] is not None:
            message += _terminator_hint(data, where[0], where[1])
        raise InputError(path, message, line=where[0], column=where[1]) from None
    except UnicodeDecodeError as error:
        raise InputError(path, f"not UTF-8: {error.reason}") from None
    except OSError as error:
        raise InputError(path, error.strerror or str(error)) from None


_TURTLE_FAMILY = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
# What may end a line inside or between statements without the next line being a new term of the same one.
_ENDINGS = (".", ";", ",", "{", "}", "[", "(")


def _terminator_hint(data: bytes, line: int, column: int | None) -> str:
    """A hint naming the line before, when the error is at a line's first token and that line ends
    a statement with no ``;``, ``,`` or ``.`` (the parser only notices at the next term)."""
    lines = data.decode("utf-8", errors="replace").splitlines()
    if line < 2 or line > len(lines) + 1 or (line <= len(lines) and lines[line - 1][: (column or 1) - 1].strip()):
        return ""
    for before in range(line - 1, 0, -1):
        text = re.sub(r"\s#[^\"'>]*$|^#.*$", "", lines[before - 1]).rstrip()
        if text:
            if text.endswith(_ENDINGS):
                return ""
            return f" (line {before} ends with no ';', ',' or '.': is one missing there?)"
    return ""


def _syntax_message(error: SyntaxError) -> str:
    # Oxigraph prefixes its message with the location ("Parser error at line 2 between columns 1
    # and 6: …"); we report the location ourselves as file:line:column.
    message = " ".join(str(error.msg).split())  # one line, whatever text the parser quotes
    head, sep, tail = message.partition(": ")
    return tail if sep and head.startswith("Parser error") else message


def _into_ontology_graph(quads: list[ox.Quad]) -> list[ox.Quad]:
    ontologies = {q.subject for q in quads if (q.predicate, q.object) == _ONTOLOGY_TYPE}
    if len(ontologies) != 1:
        return quads
    (graph,) = ontologies
    assert isinstance(graph, ox.NamedNode | ox.BlankNode)
    return [ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads]
