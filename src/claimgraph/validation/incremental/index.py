"""The index of data files in ``.claimgraph/``: each file's subjects and the links between them (SQLite)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from claimgraph.errors import InputError
from claimgraph.io.dataset import parse_file
from claimgraph.io.reading import FORMATS, TRIPLE_FORMATS
from claimgraph.namespaces import CG, OWL, RDF, RDFS, VOID

#: Bumped whenever what the index stores changes: an index of another version is rebuilt.
INDEX_VERSION = "5"

TYPE = ox.NamedNode(RDF.type)
SUBCLASS = ox.NamedNode(RDFS.subClassOf)
VOCABULARY = ox.NamedNode(VOID.vocabulary)
#: The types that declare a class or a property: what the vocabulary shapes read of the
#: ontology (a file stating them is loaded by every incremental run, like one with rdfs:subClassOf).
SCHEMA_TYPES = frozenset(
    ox.NamedNode(t)
    for t in (
        *(OWL.Class, RDFS.Class, RDFS.Datatype, RDF.Property),
        *(OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.OntologyProperty),
    )
)
ARCHIVE_PATH = ox.NamedNode(CG.archivePath)
ONTOLOGY_TYPE = (TYPE, ox.NamedNode(OWL.Ontology))


# ---------------------------------------------------------------------------------------------------
# The index of data files
# ---------------------------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE terms (id INTEGER PRIMARY KEY, term TEXT UNIQUE NOT NULL);
CREATE TABLE files (id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, digest TEXT NOT NULL, stat TEXT NOT NULL,
                    indexed INTEGER NOT NULL, default_graph INTEGER NOT NULL, schema INTEGER NOT NULL,
                    sliced INTEGER NOT NULL);
CREATE TABLE subjects (node INTEGER NOT NULL, file INTEGER NOT NULL REFERENCES files ON DELETE CASCADE);
CREATE TABLE edges (s INTEGER NOT NULL, p INTEGER NOT NULL, o INTEGER NOT NULL,
                    file INTEGER NOT NULL REFERENCES files ON DELETE CASCADE);
CREATE TABLE archive (name TEXT NOT NULL, document INTEGER NOT NULL,
                      file INTEGER NOT NULL REFERENCES files ON DELETE CASCADE);
CREATE TABLE graphs (name TEXT NOT NULL, file INTEGER NOT NULL REFERENCES files ON DELETE CASCADE);
CREATE TABLE slices (node INTEGER NOT NULL, file INTEGER NOT NULL REFERENCES files ON DELETE CASCADE,
                     quads TEXT NOT NULL);
CREATE INDEX slices_node ON slices (node);
CREATE INDEX slices_file ON slices (file);
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

#: A file of at least this many bytes is kept in slices, each subject's statements as N-Quads, so that
#: a run reads of a large registry only the subjects it needs (parsing a whole 24 MB registry costs
#: seconds); smaller files are read whole. Files with blank nodes, quads in the default graph or
#: declarations of classes and properties are always read whole.
SLICE_BYTES = 1 << 18


def _node(term: Any, file: int) -> str:
    """A node as the index keys it: an IRI, a blank node qualified by its file (labels are local), or
    a literal by the hash of its N-Triples form (only values of predicates read backwards are kept)."""
    if isinstance(term, ox.BlankNode):
        return f"_:{file}:{term.value}"
    if isinstance(term, ox.Literal):
        return literal_key(term)
    return str(term.value)


def literal_key(term: ox.Literal) -> str:
    """The index's name for a literal value: it shares no prefix with an IRI or a blank node."""
    return '"' + hashlib.sha256(str(term).encode("utf-8")).hexdigest()


def _stat(path: str) -> tuple[str, int, int]:
    """The stat signature of ``path``, its latest change time and its size."""
    st = os.stat(path)
    signature = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"
    return signature, max(st.st_mtime_ns, st.st_ctime_ns), st.st_size


def _plain(quad: ox.Quad) -> bool:
    """Does ``quad`` stand alone (a named subject and graph, no blank node), so it can be read apart?"""
    return (
        isinstance(quad.subject, ox.NamedNode)
        and isinstance(quad.object, ox.NamedNode | ox.Literal)
        and isinstance(quad.graph_name, ox.NamedNode)
    )


@dataclass(frozen=True)
class _Parsed:
    quads: list[ox.Quad]
    default_graph: bool
    graphs: set[str]


def _placed(quads: list[ox.Quad], fmt: ox.RdfFormat) -> _Parsed:
    """The quads of a file, whether the loader puts them in the default graph, and the named graphs it defines."""
    ontologies = {q.subject for q in quads if (q.predicate, q.object) == ONTOLOGY_TYPE}
    if fmt in TRIPLE_FORMATS and len(ontologies) == 1:
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
        self.ids: dict[str, int] = {}
        #: Predicates whose literal values are indexed as nodes (see :attr:`Reach.inverse`).
        self.literal_predicates: frozenset[str] = frozenset()

    def close(self) -> None:
        self.db.close()

    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, value: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def refresh(self, files: Mapping[str, str], *, literal_predicates: frozenset[str] = frozenset()) -> None:
        """Re-index every file whose bytes changed; forget files no longer in ``files``.

        :param files: the data files, by real path (symbolic links resolved), each as the user named it
            (strings: a corpus has tens of thousands of files, and a Path object costs more than a stat).
        :param literal_predicates: predicates whose literal values are indexed as nodes; the whole
            corpus is indexed again when they differ from the last run's.

        :raises InputError: if a file cannot be read or parsed (as a full load would).
        """
        self.literal_predicates = literal_predicates
        wanted_key = json.dumps(sorted(literal_predicates))
        if self.get("literal-predicates") != wanted_key:
            with self.db:
                self.db.execute("DELETE FROM files")
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('literal-predicates', ?)", (wanted_key,))
        known: dict[str, tuple[str, str, int]] = {
            p: (d, st, at) for p, d, st, at in self.db.execute("SELECT path, digest, stat, indexed FROM files")
        }
        stale: list[tuple[str, str, str, int, bool]] = []
        for resolved, path in files.items():
            try:
                signature, changed_at, size = _stat(path)
                entry = known.get(resolved)
                if entry is not None and entry[1] == signature and changed_at < entry[2] - _RACY_NS:
                    continue
                now = time.time_ns()
                with open(path, "rb") as file:
                    digest = hashlib.sha256(file.read()).hexdigest()
            except OSError as error:
                raise InputError(Path(path), error.strerror or str(error)) from None
            if entry is None or entry[0] != digest:
                stale.append((resolved, digest, signature, now, size >= SLICE_BYTES))
            elif entry[1] != signature or changed_at >= entry[2] - _RACY_NS:
                with self.db:  # same bytes: remember the new signature, so the next run skips the hash
                    self.db.execute("UPDATE files SET stat = ?, indexed = ? WHERE path = ?", (signature, now, resolved))
        with self.db:
            gone = [(p,) for p in known if p not in files] + [(p,) for p, *_ in stale]
            self.db.executemany("DELETE FROM files WHERE path = ?", gone)
            for resolved, digest, signature, at, large in stale:
                given = Path(files[resolved])
                content = _placed(parse_file(given), FORMATS[given.suffix])
                self._add(resolved, digest, signature, at, content, large=large)
        self.ids = {p: i for i, p in self.db.execute("SELECT id, path FROM files")}

    def _terms(self, terms: set[str]) -> dict[str, int]:
        """Ids of ``terms``, adding those not yet known."""
        ids = dict(self._rows("SELECT term, id FROM terms WHERE term IN ({})", terms))
        self.db.executemany("INSERT INTO terms (term) VALUES (?)", ((t,) for t in terms if t not in ids))
        ids.update(self._rows("SELECT term, id FROM terms WHERE term IN ({})", terms - ids.keys()))
        return ids

    def _add(self, path: str, digest: str, signature: str, at: int, content: _Parsed, *, large: bool) -> None:
        schema = any(
            q.predicate in (SUBCLASS, VOCABULARY) or (q.predicate == TYPE and q.object in SCHEMA_TYPES)
            for q in content.quads
        )
        sliced = large and not schema and not content.default_graph and all(map(_plain, content.quads))
        cursor = self.db.execute(
            "INSERT INTO files (path, digest, stat, indexed, default_graph, schema, sliced)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (path, digest, signature, at, content.default_graph, schema, sliced),
        )
        file = cursor.lastrowid
        assert file is not None
        subjects = {_node(q.subject, file) for q in content.quads}
        edges = {
            (_node(q.subject, file), q.predicate.value, _node(q.object, file))
            for q in content.quads
            if (isinstance(q.object, ox.NamedNode | ox.BlankNode) and q.predicate != TYPE)
            or (isinstance(q.object, ox.Literal) and q.predicate.value in self.literal_predicates)
        }
        archive = {
            (Path(q.object.value).name, _node(q.subject, file))
            for q in content.quads
            if q.predicate == ARCHIVE_PATH and isinstance(q.object, ox.Literal)
        }
        ids = self._terms(subjects | {t for edge in edges for t in edge})
        self.db.executemany("INSERT INTO subjects VALUES (?, ?)", ((ids[n], file) for n in subjects))
        self.db.executemany(
            "INSERT INTO edges VALUES (?, ?, ?, ?)", ((ids[s], ids[p], ids[o], file) for s, p, o in edges)
        )
        self.db.executemany("INSERT INTO archive VALUES (?, ?, ?)", ((n, ids[d], file) for n, d in archive))
        self.db.executemany("INSERT INTO graphs VALUES (?, ?)", ((g, file) for g in content.graphs))
        if sliced:
            statements: dict[str, list[str]] = {}
            for q in content.quads:
                statements.setdefault(_node(q.subject, file), []).append(f"{q} .\n")
            self.db.executemany(
                "INSERT INTO slices VALUES (?, ?, ?)", ((ids[n], file, "".join(t)) for n, t in statements.items())
            )

    def shared_graphs(self) -> list[tuple[str, list[str]]]:
        """Named graphs that more than one file defines, with those files."""
        rows = self.db.execute(
            "SELECT g.name, f.path FROM graphs g JOIN files f ON f.id = g.file"
            " WHERE g.name IN (SELECT name FROM graphs GROUP BY name HAVING COUNT(*) > 1)"
        ).fetchall()
        shared: dict[str, list[str]] = {}
        for name, path in rows:
            shared.setdefault(name, []).append(path)
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

    def files_stating(self, nodes: set[str]) -> set[str]:
        """Files (real paths) with a triple whose subject is one of ``nodes``."""
        sql = "SELECT DISTINCT s.file FROM terms t JOIN subjects s ON s.node = t.id WHERE t.term IN ({})"
        ids = {r[0] for r in self._rows(sql, nodes)}
        return {p for p, i in self.ids.items() if i in ids}

    def flagged(self, column: str) -> list[str]:
        """Files whose ``column`` flag is set: ``default_graph``; ``schema`` (the file states
        rdfs:subClassOf or void:vocabulary, or declares a class or property); ``sliced`` (the file is
        kept in slices, :data:`SLICE_BYTES`)."""
        return [p for (p,) in self.db.execute(f"SELECT path FROM files WHERE {column}")]

    def slices(self, nodes: set[str]) -> dict[str, list[str]]:
        """The statements (N-Quads) of ``nodes`` in the sliced files, by file."""
        sql = (
            "SELECT f.path, s.quads FROM terms t JOIN slices s ON s.node = t.id JOIN files f ON f.id = s.file"
            " WHERE t.term IN ({})"
        )
        found: dict[str, list[str]] = {}
        for path, quads in self._rows(sql, nodes):
            found.setdefault(path, []).append(quads)
        return found

    def documents_archiving(self, names: set[str]) -> set[str]:
        """Documents whose cg:archivePath ends in one of the file ``names``."""
        sql = "SELECT DISTINCT t.term FROM archive a JOIN terms t ON t.id = a.document WHERE a.name IN ({})"
        return {r[0] for r in self._rows(sql, names)}
