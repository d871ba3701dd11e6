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
import sqlite3
import subprocess
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, suppress
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from claimgraph.errors import DuplicateGraphError, InputError, RevisionError
from claimgraph.io.dataset import FORMATS, _parse, load_dataset
from claimgraph.namespaces import CG, OWL, RDF, RDFS, SH

if TYPE_CHECKING:
    import rdflib

    from claimgraph.io.dataset import Dataset
    from claimgraph.validation.api import Counts, ValidationReport
    from claimgraph.validation.render import ReportContext

#: Bumped whenever what the index stores changes: an index of another version is rebuilt.
INDEX_VERSION = "2"

_TYPE = ox.NamedNode(RDF.type)
_SUBCLASS = ox.NamedNode(RDFS.subClassOf)
_ARCHIVE_PATH = ox.NamedNode(CG.archivePath)
_ONTOLOGY_TYPE = (_TYPE, ox.NamedNode(OWL.Ontology))
# Formats whose graph placement depends on the content (an owl:Ontology moves a file to its graph).
_TRIPLE_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML)


class FullRunNeeded(Exception):
    """The incremental reasoning does not apply; ``str()`` says why."""


# ---------------------------------------------------------------------------------------------------
# What the shapes read
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """What validating one focus node reads: triples of nodes within ``depth`` hops along ``predicates``."""

    predicates: frozenset[str]
    depth: int


_NESTED = ("node", "not", "qualifiedValueShape", "property")
_LISTS = ("and", "or", "xone")


def shape_reach(shapes: rdflib.Graph) -> Reach:
    """The predicates the shapes follow from a focus node and the greatest depth they read.

    :raises FullRunNeeded: if a shape reads in a way the analysis does not follow.
    """
    import rdflib

    sh = rdflib.Namespace(SH)
    for unsupported in ("targetObjectsOf", "target"):
        if next(shapes.subjects(sh[unsupported], None), None) is not None:
            raise FullRunNeeded(f"a shape uses sh:{unsupported}")
    if next(shapes.subjects(rdflib.RDF.type, sh.ConstraintComponent), None) is not None:
        raise FullRunNeeded("the shapes define a constraint component of their own")
    for kind in (rdflib.RDFS.Class, rdflib.OWL.Class):
        for node in shapes.subjects(rdflib.RDF.type, kind):
            if (node, rdflib.RDF.type, sh.NodeShape) in shapes or (node, rdflib.RDF.type, sh.PropertyShape) in shapes:
                raise FullRunNeeded(f"{node} is a shape and a class (an implicit target)")
    predicates: set[str] = set()
    memo: dict[Any, int] = {}

    def reads(shape: Any, active: frozenset[Any]) -> int:
        """Greatest depth, from the shape's focus node, of a node whose triples the shape reads."""
        if shape in memo:
            return memo[shape]
        if shape in active:
            raise FullRunNeeded(f"recursive shape {shape}")
        active = active | {shape}
        operands = [o for local in _NESTED for o in shapes.objects(shape, sh[local])]
        operands += [i for local in _LISTS for lst in shapes.objects(shape, sh[local]) for i in shapes.items(lst)]
        nested = max((reads(o, active) for o in operands), default=0)
        own = max((_sparql_reach(shapes, c, predicates) for c in shapes.objects(shape, sh.sparql)), default=0)
        path = shapes.value(shape, sh.path)
        if path is None:
            depth = max(nested, own)
        elif isinstance(path, rdflib.URIRef):
            # Values are one hop away; only a class or a nested shape reads their triples.
            reads_values = bool(operands) or (shape, sh["class"], None) in shapes
            if reads_values:
                predicates.add(str(path))
            depth = max(1 + nested if reads_values else 0, own)
        else:
            raise FullRunNeeded(f"shape {shape} has a complex sh:path")
        memo[shape] = depth
        return depth

    targeted = {
        s for local in ("targetClass", "targetNode", "targetSubjectsOf") for s in shapes.subjects(sh[local], None)
    }
    depth = max((reads(s, frozenset()) for s in targeted), default=0)
    return Reach(frozenset(predicates), depth)


def _sparql_reach(shapes: rdflib.Graph, constraint: Any, predicates: set[str]) -> int:
    """Depth read by a SHACL-SPARQL constraint: the longest chain from ``$this`` to a triple's subject."""
    import rdflib
    from rdflib.plugins.sparql.parser import parseQuery

    sh = rdflib.Namespace(SH)
    query = shapes.value(constraint, sh.select) or shapes.value(constraint, sh.ask)
    if query is None:
        raise FullRunNeeded(f"SPARQL constraint {constraint} has no sh:select")
    namespaces = {
        str(shapes.value(d, sh.prefix)): str(shapes.value(d, sh.namespace))
        for source in shapes.objects(constraint, sh.prefixes)
        for d in shapes.objects(source, sh.declare)
    }
    try:
        # The parse tree, not rdflib's algebra: translating it drops filters nested in NOT EXISTS.
        tree = parseQuery(str(query))
    except Exception as error:
        raise FullRunNeeded(f"SPARQL constraint rdflib cannot parse: {error}") from None
    for declaration in _parts(tree, "PrefixDecl"):
        namespaces[str(declaration["prefix"] or "")] = str(declaration["iri"])

    def iri(term: Any) -> Any:
        if getattr(term, "name", None) == "pname":
            prefix = str(term["prefix"] or "")
            if prefix not in namespaces:
                raise FullRunNeeded(f"undeclared prefix {prefix}: in a SPARQL constraint")
            return rdflib.URIRef(namespaces[prefix] + str(dict.get(term, "localname") or ""))
        return term

    def hops(path: Any) -> int | None:
        """Hops along a predicate or path; None for a type test (its object is a class, read from the ontology)."""
        path = iri(path)
        if isinstance(path, rdflib.URIRef):
            if path == rdflib.RDF.type:
                return None
            predicates.add(str(path))
            return 1
        name = getattr(path, "name", None)
        if name == "PathAlternative" and len(path["part"]) == 1:
            return hops(path["part"][0])
        if name == "PathElt" and dict.get(path, "mod") is None:
            return hops(path["part"])
        if name == "PathSequence":
            steps = list(path["part"])
            rest = [iri(s["part"]) if dict.get(s, "mod") == "*" else None for s in steps[1:]]
            if hops(steps[0]) is None and all(r == rdflib.RDFS.subClassOf for r in rest):
                return None  # rdf:type/rdfs:subClassOf*
            counts = [hops(s) for s in steps]
            if None in counts:
                raise FullRunNeeded("rdf:type inside a longer path in a SPARQL constraint")
            return sum(c for c in counts if c is not None)
        raise FullRunNeeded(f"a SPARQL constraint follows {path!r} (only IRIs and sequences are followed)")

    triples = [
        (flat[i], hops(flat[i + 1]), iri(flat[i + 2]))
        for block in _parts(tree, "TriplesBlock")
        for flat in (list(t) for t in block["triples"])
        for i in range(0, len(flat), 3)
    ]
    distance: dict[Any, int] = {rdflib.Variable("this"): 0}
    for _ in range(len(triples) + 1):  # longest chains settle in as many rounds as there are triples
        for s, step, o in triples:
            if s in distance and step is not None and distance[s] + step > distance.get(o, -1):
                distance[o] = distance[s] + step
    unreached = [s for s, _, _ in triples if s not in distance]
    if unreached:
        raise FullRunNeeded(f"a SPARQL constraint reads {unreached[0].n3()}, not reached from $this")
    depth = max((distance[s] for s, _, _ in triples), default=0)
    if depth > 2 * len(triples):
        raise FullRunNeeded("a cycle in a SPARQL constraint's pattern")
    return depth


def _parts(node: Any, name: str) -> Iterator[Any]:
    """Every element called ``name`` of an rdflib SPARQL parse tree, at any depth."""
    if getattr(node, "name", None) == name:
        yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _parts(value, name)
    elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        for item in node:
            yield from _parts(item, name)


# ---------------------------------------------------------------------------------------------------
# The index of data files
# ---------------------------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE terms (id INTEGER PRIMARY KEY, term TEXT UNIQUE NOT NULL);
CREATE TABLE files (id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, digest TEXT NOT NULL, stat TEXT NOT NULL,
                    indexed INTEGER NOT NULL, default_graph INTEGER NOT NULL, subclass INTEGER NOT NULL);
CREATE TABLE subjects (node INTEGER NOT NULL, file INTEGER NOT NULL REFERENCES files ON DELETE CASCADE);
CREATE TABLE edges (s INTEGER NOT NULL, p INTEGER NOT NULL, o INTEGER NOT NULL,
                    file INTEGER NOT NULL REFERENCES files ON DELETE CASCADE);
CREATE TABLE archive (name TEXT NOT NULL, document INTEGER NOT NULL,
                      file INTEGER NOT NULL REFERENCES files ON DELETE CASCADE);
CREATE TABLE graphs (name TEXT NOT NULL, file INTEGER NOT NULL REFERENCES files ON DELETE CASCADE);
CREATE INDEX graphs_file ON graphs (file);
CREATE INDEX subjects_node ON subjects (node);
CREATE INDEX subjects_file ON subjects (file);
CREATE INDEX edges_s ON edges (s, p);
CREATE INDEX edges_o ON edges (o, p);
CREATE INDEX edges_file ON edges (file);
CREATE INDEX archive_name ON archive (name);
CREATE INDEX archive_file ON archive (file);
"""

# A file whose size, times and inode are those recorded is trusted unchanged (as git trusts its
# index), unless it was touched within this many nanoseconds of being indexed: a write in the same
# clock tick as the indexing would leave the times equal.
_RACY_NS = 2_000_000_000


def _node(term: Any, file: int) -> str:
    """A node as the index keys it: an IRI, or a blank node qualified by its file (labels are local)."""
    if isinstance(term, ox.BlankNode):
        return f"_:{file}:{term.value}"
    return str(term.value)


def _stat(path: Path) -> tuple[str, int]:
    """The stat signature of ``path`` and its latest change time."""
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}", max(st.st_mtime_ns, st.st_ctime_ns)


@dataclass(frozen=True)
class _Parsed:
    quads: list[ox.Quad]
    default_graph: bool
    graphs: set[str]


def _placed(quads: list[ox.Quad], fmt: ox.RdfFormat) -> _Parsed:
    """The quads of a file, whether the loader puts them in the default graph, and the named graphs it defines."""
    ontologies = {q.subject for q in quads if (q.predicate, q.object) == _ONTOLOGY_TYPE}
    if fmt in _TRIPLE_FORMATS and len(ontologies) == 1:
        (ontology,) = ontologies
        return _Parsed(quads, False, {ontology.value} if isinstance(ontology, ox.NamedNode) else set())
    named = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    return _Parsed(quads, any(isinstance(q.graph_name, ox.DefaultGraph) for q in quads), named)


def _open(directory: Path) -> sqlite3.Connection:
    """The index database in ``directory``, created (and git-ignored) if need be."""
    directory.mkdir(exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():  # the index is a cache: git leaves it alone
        ignore.write_text("*\n", encoding="utf-8")
    db = sqlite3.connect(directory / "index.sqlite", timeout=60)  # waits for another run's commit
    try:
        # WAL: a commit is atomic and readers never see half of one; NORMAL may lose the last commit
        # on power loss, which only costs re-indexing.
        db.execute("PRAGMA journal_mode=WAL").fetchall()
        db.execute("PRAGMA synchronous=NORMAL")
        return _prepared(db)
    except sqlite3.Error:
        db.close()
        raise


def _prepared(db: sqlite3.Connection) -> sqlite3.Connection:
    """``db`` with the index's tables, emptied if they were made by another index version."""
    db.execute("PRAGMA foreign_keys=ON")
    stored = None
    with suppress(sqlite3.OperationalError):  # no meta table: a new index
        stored = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    if stored != (INDEX_VERSION,):
        with db:
            for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
                db.execute(f'DROP TABLE "{table}"')
            db.executescript(_SCHEMA)
            db.execute("INSERT INTO meta VALUES ('version', ?)", (INDEX_VERSION,))
    return db


class Index:
    """Subjects, edges and archive paths of every data file, kept in step with the files' bytes.

    :param root: the data directory; the index lives in ``root/.claimgraph/index.sqlite`` (in memory,
        for this run only, where that cannot be written).
    """

    def __init__(self, root: Path) -> None:
        directory = root / ".claimgraph"
        try:
            self.db = _open(directory)
        except (OSError, sqlite3.Error):
            # Not a database (a damaged cache): start afresh; a directory we cannot write: index in memory.
            for name in ("index.sqlite", "index.sqlite-wal", "index.sqlite-shm"):
                with suppress(OSError):
                    (directory / name).unlink()
            try:
                self.db = _open(directory)
            except (OSError, sqlite3.Error):
                self.db = _prepared(sqlite3.connect(":memory:"))
        self.ids: dict[Path, int] = {}

    def close(self) -> None:
        self.db.close()

    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, value: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def refresh(self, files: dict[Path, Path]) -> None:
        """Re-index every file whose bytes changed; forget files no longer in ``files``.

        :param files: the data files, by real path (symbolic links resolved), each as the user named it.

        :raises InputError: if a file cannot be read or parsed (as a full load would).
        """
        known = {
            Path(p): (d, st, at) for p, d, st, at in self.db.execute("SELECT path, digest, stat, indexed FROM files")
        }
        wanted = files
        stale: list[tuple[Path, str, str, int]] = []
        for resolved, path in wanted.items():
            try:
                signature, changed_at = _stat(path)
                entry = known.get(resolved)
                if entry is not None and entry[1] == signature and changed_at < entry[2] - _RACY_NS:
                    continue
                now = time.time_ns()
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError as error:
                raise InputError(path, error.strerror or str(error)) from None
            if entry is None or entry[0] != digest:
                stale.append((resolved, digest, signature, now))
            elif entry[1] != signature or changed_at >= entry[2] - _RACY_NS:
                with self.db:  # same bytes: remember the new signature, so the next run skips the hash
                    self.db.execute(
                        "UPDATE files SET stat = ?, indexed = ? WHERE path = ?", (signature, now, str(resolved))
                    )
        parsed = [(p, d, st, at, _placed(_parse(wanted[p]), FORMATS[p.suffix])) for p, d, st, at in stale]
        with self.db:
            gone = [(str(p),) for p in known if p not in wanted] + [(str(p),) for p, *_ in parsed]
            self.db.executemany("DELETE FROM files WHERE path = ?", gone)
            for path, digest, signature, at, content in parsed:
                self._add(path, digest, signature, at, content)
        self.ids = {Path(p): i for i, p in self.db.execute("SELECT id, path FROM files")}

    def _terms(self, terms: set[str]) -> dict[str, int]:
        """Ids of ``terms``, adding those not yet known."""
        ids = dict(self._rows("SELECT term, id FROM terms WHERE term IN ({})", terms))
        self.db.executemany("INSERT INTO terms (term) VALUES (?)", ((t,) for t in terms if t not in ids))
        ids.update(self._rows("SELECT term, id FROM terms WHERE term IN ({})", terms - ids.keys()))
        return ids

    def _add(self, path: Path, digest: str, signature: str, at: int, content: _Parsed) -> None:
        subclass = any(q.predicate == _SUBCLASS for q in content.quads)
        cursor = self.db.execute(
            "INSERT INTO files (path, digest, stat, indexed, default_graph, subclass) VALUES (?, ?, ?, ?, ?, ?)",
            (str(path), digest, signature, at, content.default_graph, subclass),
        )
        file = cursor.lastrowid
        assert file is not None
        subjects = {_node(q.subject, file) for q in content.quads}
        edges = {
            (_node(q.subject, file), q.predicate.value, _node(q.object, file))
            for q in content.quads
            if isinstance(q.object, ox.NamedNode | ox.BlankNode) and q.predicate != _TYPE
        }
        archive = {
            (Path(q.object.value).name, _node(q.subject, file))
            for q in content.quads
            if q.predicate == _ARCHIVE_PATH and isinstance(q.object, ox.Literal)
        }
        ids = self._terms(subjects | {t for edge in edges for t in edge})
        self.db.executemany("INSERT INTO subjects VALUES (?, ?)", ((ids[n], file) for n in subjects))
        self.db.executemany(
            "INSERT INTO edges VALUES (?, ?, ?, ?)", ((ids[s], ids[p], ids[o], file) for s, p, o in edges)
        )
        self.db.executemany("INSERT INTO archive VALUES (?, ?, ?)", ((n, ids[d], file) for n, d in archive))
        self.db.executemany("INSERT INTO graphs VALUES (?, ?)", ((g, file) for g in content.graphs))

    def shared_graphs(self) -> list[tuple[str, list[Path]]]:
        """Named graphs that more than one file defines, with those files."""
        rows = self.db.execute(
            "SELECT g.name, f.path FROM graphs g JOIN files f ON f.id = g.file"
            " WHERE g.name IN (SELECT name FROM graphs GROUP BY name HAVING COUNT(*) > 1)"
        ).fetchall()
        shared: dict[str, list[Path]] = {}
        for name, path in rows:
            shared.setdefault(name, []).append(Path(path))
        return sorted(shared.items())

    def _rows(self, sql: str, values: Iterable[str], extra: Sequence[str] = ()) -> list[tuple[Any, ...]]:
        """Rows of ``sql`` (``{}`` stands for the placeholders of ``values``), in chunks under SQLite's limit."""
        items = sorted(set(values))
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(items), 500):
            chunk = items[start : start + 500]
            rows += self.db.execute(sql.format(",".join("?" * len(chunk))), (*chunk, *extra)).fetchall()
        return rows

    def neighbours(self, nodes: set[str], predicates: frozenset[str], *, backwards: bool) -> set[str]:
        """Nodes one edge along ``predicates`` from ``nodes`` (towards them if ``backwards``)."""
        here, there = ("o", "s") if backwards else ("s", "o")
        marks = ",".join("?" * len(predicates))
        sql = (
            f"SELECT DISTINCT b.term FROM terms a JOIN edges e ON e.{here} = a.id JOIN terms b ON b.id = e.{there}"
            f" WHERE a.term IN ({{}}) AND e.p IN (SELECT id FROM terms WHERE term IN ({marks}))"
        )
        return {r[0] for r in self._rows(sql, nodes, sorted(predicates))}

    def files_stating(self, nodes: set[str]) -> set[Path]:
        """Files with a triple whose subject is one of ``nodes``."""
        sql = "SELECT DISTINCT s.file FROM terms t JOIN subjects s ON s.node = t.id WHERE t.term IN ({})"
        ids = {r[0] for r in self._rows(sql, nodes)}
        return {p for p, i in self.ids.items() if i in ids}

    def flagged(self, column: str) -> list[Path]:
        """Files whose ``column`` flag (``default_graph``, ``subclass``) is set."""
        return [Path(p) for (p,) in self.db.execute(f"SELECT path FROM files WHERE {column}")]

    def documents_archiving(self, names: set[str]) -> set[str]:
        """Documents whose cg:archivePath ends in one of the file ``names``."""
        sql = "SELECT DISTINCT t.term FROM archive a JOIN terms t ON t.id = a.document WHERE a.name IN ({})"
        return {r[0] for r in self._rows(sql, names)}


# ---------------------------------------------------------------------------------------------------
# What changed, according to git
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Changes:
    """Changed files (absolute) and their content at the base revision (None: the file is new)."""

    files: list[Path]
    old: dict[Path, bytes | None]


def _git(cwd: Path, *args: str, revision: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as error:
        raise RevisionError(revision, f"git cannot run: {error.strerror or error}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise RevisionError(revision, message[-1] if message else f"git {args[0]} failed")
    return done.stdout


def changes_since(
    root: Path, revision: str, *, only: Sequence[Path] | None = None, within: Sequence[Path] = ()
) -> Changes:
    """Files under ``root`` that differ from ``revision`` (committed, staged, unstaged or untracked).

    :param only: these files alone, compared with ``revision``, whether git reports them or not.
    :param within: more files or directories to look in (data read from outside ``root``).
    :raises RevisionError: if git is missing, ``root`` is not in a work tree or the revision is unknown.
    """
    top = Path(_git(root, "rev-parse", "--show-toplevel", revision=revision).decode().strip())
    commit = (
        _git(root, "rev-parse", "--verify", "--end-of-options", f"{revision}^{{commit}}", revision=revision)
        .decode()
        .strip()
    )
    if only is not None:
        files = [p.resolve() for p in only]
    else:
        scope = [str(p.resolve()) for p in (root, *within)]
        listed = _git(top, "diff", "--name-only", "--no-renames", "-z", commit, "--", *scope, revision=revision)
        listed += _git(top, "ls-files", "--others", "--exclude-standard", "-z", "--", *scope, revision=revision)
        files = sorted({(top / name).resolve() for name in listed.decode("utf-8").split("\0") if name})
    tracked = set(_git(top, "ls-tree", "-r", "-z", "--name-only", commit, revision=revision).decode().split("\0"))
    old: dict[Path, bytes | None] = {}
    for path in files:
        name = path.relative_to(top).as_posix() if path.is_relative_to(top) else None
        old[path] = _git(top, "show", f"{commit}:{name}", revision=revision) if name in tracked else None
    return Changes(files, old)


def changes_named(root: Path, files: Sequence[Path]) -> Changes:
    """``files`` changed: their base is their committed version (HEAD) where git has one, else none."""
    try:
        return changes_since(root, "HEAD", only=files)
    except RevisionError:  # no git, no work tree or no commit yet: the files are new
        return Changes([p.resolve() for p in files], {p.resolve(): None for p in files})


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
    from claimgraph.io.dataset import _expand
    from claimgraph.project import bundled_data_dir
    from claimgraph.validation.api import validate

    root = bundled_data_dir() if root is None else root
    corpus = _expand(list(paths) if paths else [root / "graph"])
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
    difference = before ^ after if fmt not in _TRIPLE_FORMATS else before | after
    if any(q.predicate == _SUBCLASS for q in difference):
        raise FullRunNeeded(f"{path} adds or removes rdfs:subClassOf")
    if any(isinstance(q.subject, ox.BlankNode) for q in difference):
        raise FullRunNeeded(f"blank nodes changed in {path}")
    return {q.subject.value for q in difference if isinstance(q.subject, ox.NamedNode)}
