"""Where each node is defined in the source files: file and 1-based line, for CI annotations.

pyoxigraph reports no source positions, so the files are scanned again with a small Turtle / TriG /
N-Triples / N-Quads lexer (they have already parsed, so it never has to diagnose errors). Which
occurrence of a node counts is set out in docs/design.md ("Source positions").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urljoin

import pyoxigraph as ox

from claimgraph.errors import place

if TYPE_CHECKING:
    from claimgraph.io.dataset import Dataset, GraphName

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: Files the scanner understands (line-oriented RDF text syntaxes).
SCANNED_SUFFIXES = frozenset({".ttl", ".trig", ".nt", ".nq"})


@dataclass(frozen=True, order=True)
class SourcePosition:
    """A place in a source file.

    :ivar path: the file.
    :ivar line: 1-based line, or ``None`` when only the file is known.
    :ivar column: 1-based column in Unicode code points, or ``None``.
    """

    path: Path
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        return place(self.path, self.line, self.column)


@dataclass(frozen=True)
class Occurrence:
    """A term at a place in one file: 1-based line and column, and the graph block it is in."""

    line: int
    column: int
    graph: str | None


@dataclass
class FileIndex:
    """What a scan of one file found.

    :ivar subjects: for each IRI, its subject occurrences in file order.
    :ivar mentions: for each IRI, its first occurrence as any term.
    """

    subjects: dict[str, list[Occurrence]] = field(default_factory=dict)
    mentions: dict[str, Occurrence] = field(default_factory=dict)
    #: (subject, predicate) -> the first occurrence of the predicate in a statement about the subject
    statements: dict[tuple[str, str], Occurrence] = field(default_factory=dict)
    #: (subject, predicate, object IRI) -> the first occurrence of the object in such a statement
    values: dict[tuple[str, str, str], Occurrence] = field(default_factory=dict)


# --- Lexer ---------------------------------------------------------------------------------------

_PN_LOCAL_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_PLX = rf"(?:%[0-9A-Fa-f]{{2}}|{_PN_LOCAL_ESC})"
# PN_LOCAL may contain '.', but not as its last character (a following '.' ends the statement).
_LOCAL = rf"(?:[\w:]|{_PLX})(?:(?:[\w.:\-\u00b7]|{_PLX})*(?:[\w:\-\u00b7]|{_PLX}))?"
_PREFIX = r"(?:[^\W\d_](?:[\w.\-\u00b7]*[\w\-\u00b7])?)?"

_TOKEN = re.compile(
    rf"""
    (?P<skip>[ \t\r\n]+|\#[^\r\n]*)
    |(?P<string>\"\"\"(?>[^"\\]+|\\.|"(?!""))*\"\"\"|'''(?>[^'\\]+|\\.|'(?!''))*'''
        |"(?>[^"\\\r\n]+|\\.)*"|'(?>[^'\\\r\n]+|\\.)*')
    |(?P<iri><(?>[^<>"{{}}|^`\\\x00-\x20]+|\\u[0-9A-Fa-f]{{4}}|\\U[0-9A-Fa-f]{{8}})*>)
    |(?P<bnode>_:[\w.\-]*[\w\-])
    |(?P<pname>{_PREFIX}:(?:{_LOCAL})?)
    |(?P<at>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    |(?P<number>[+-]?(?:\d*\.\d+(?:[eE][+-]?\d+)?|\d+\.?\d*[eE][+-]?\d+|\d+))
    |(?P<word>[A-Za-z][A-Za-z0-9]*)
    |(?P<punct>\^\^|[\[\](){{}}.;,])
    |(?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESC = re.compile(_PN_LOCAL_ESC)


class _Token(NamedTuple):
    kind: str
    text: str
    start: int


def _tokens(text: str, start: int = 0) -> Iterator[_Token]:
    for match in _TOKEN.finditer(text, start):
        kind = match.lastgroup
        if kind != "skip":
            yield _Token(kind or "other", match.group(), match.start())


def _unescape_iri(body: str) -> str:
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), body)


class _Scanner:
    """Walks the tokens of one file, tracking prefixes, base, graph blocks and statement starts."""

    def __init__(self, text: str, tokens: list[_Token] | None = None, newlines: list[int] | None = None) -> None:
        self.tokens = list(_tokens(text)) if tokens is None else tokens
        self.i = 0
        self.prefixes: dict[str, str] = {}
        self.base: str | None = None
        self.index = FileIndex()
        self._newlines = _newlines(text) if newlines is None else newlines
        # Each prefixed name or IRI expanded once while the prefixes and base stay as they are.
        self._expanded: dict[str, str | None] = {}

    # -- helpers

    def peek(self, ahead: int = 0) -> _Token | None:
        at = self.i + ahead
        return self.tokens[at] if at < len(self.tokens) else None

    def next(self) -> _Token | None:
        token = self.peek()
        self.i += 1
        return token

    def where(self, offset: int, graph: str | None) -> Occurrence:
        line = bisect.bisect_left(self._newlines, offset)  # newlines before offset
        line_start = self._newlines[line - 1] + 1 if line else 0
        return Occurrence(line=line + 1, column=offset - line_start + 1, graph=graph)

    def expand(self, token: _Token) -> str | None:
        """The IRI a token denotes, or ``None`` if it denotes none (or an unknown prefix)."""
        if token.kind not in ("iri", "pname"):
            return None
        if (known := self._expanded.get(token.text, "")) != "":
            return known
        iri = self._expanded[token.text] = self._expand(token)
        return iri

    def _expand(self, token: _Token) -> str | None:
        if token.kind == "iri":
            iri = _unescape_iri(token.text[1:-1])
            if self.base is not None and ":" not in iri.split("/", 1)[0]:
                iri = urljoin(self.base, iri)
            return iri
        if token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            namespace = self.prefixes.get(prefix)
            if namespace is None:
                return None
            return namespace + _LOCAL_ESC.sub(lambda m: m.group()[1:], local)
        return None

    def mention(self, token: _Token, graph: str | None, iri: str | None = None) -> None:
        """Record the first mention of the IRI ``token`` denotes (``iri``, if already expanded)."""
        iri = iri or self.expand(token)
        if iri is not None and iri not in self.index.mentions:
            self.index.mentions[iri] = self.where(token.start, graph)

    # -- grammar

    def scan(self) -> FileIndex:
        self.statements(graph=None, in_block=False)
        return self.index

    def statements(self, *, graph: str | None, in_block: bool) -> None:
        while (token := self.peek()) is not None:
            if token.kind == "punct" and token.text == "}":
                self.i += 1
                if in_block:
                    return
                continue  # a stray brace: ignore
            if token.kind == "punct" and token.text == ".":
                self.i += 1
                continue
            if token.kind == "at" or (token.kind == "word" and token.text.upper() in ("PREFIX", "BASE")):
                self.directive()
                continue
            if token.kind == "word" and token.text.upper() == "GRAPH":
                self.i += 1
                label = self.next()
                self.graph_block(label)
                continue
            if token.kind == "punct" and token.text == "{":
                self.i += 1
                self.statements(graph=None, in_block=True)
                continue
            if self.is_graph_label():
                label = self.next()
                self.graph_block(label)
                continue
            self.triples(graph=graph)

    def is_graph_label(self) -> bool:
        token = self.peek()
        if token is None:
            return False
        if token.kind in ("iri", "pname", "bnode"):
            after = self.peek(1)
            return after is not None and after.kind == "punct" and after.text == "{"
        if token.text == "[":
            close, brace = self.peek(1), self.peek(2)
            return close is not None and close.text == "]" and brace is not None and brace.text == "{"
        return False

    def graph_block(self, label: _Token | None) -> None:
        if label is not None and label.text == "[":
            self.i += 1  # the "]" of an anonymous graph label
            name = None
        else:
            name = self.expand(label) if label is not None else None
            if label is not None:
                self.mention(label, None)
        opening = self.next()
        if opening is None or opening.text != "{":
            return
        self.statements(graph=name, in_block=True)

    def directive(self) -> None:
        keyword = self.next()
        assert keyword is not None
        name = keyword.text.lstrip("@").lower()
        if name == "prefix":
            prefix, iri = self.next(), self.next()
            if prefix is not None and iri is not None and iri.kind == "iri":
                self.prefixes[prefix.text.rstrip(":")] = self.expand(iri) or ""
                self._expanded.clear()
        elif name == "base":
            iri = self.next()
            if iri is not None and iri.kind == "iri":
                self.base = self.expand(iri)
                self._expanded.clear()
        if keyword.kind == "at":
            # "@prefix …" ends with "." ; a language tag out of place is skipped the same way.
            nxt = self.peek()
            if nxt is not None and nxt.text == ".":
                self.i += 1

    def triples(self, *, graph: str | None) -> None:
        subject = self.next()
        assert subject is not None
        iri = self.expand(subject)
        if iri is not None:
            self.index.subjects.setdefault(iri, []).append(self.where(subject.start, graph))
            self.mention(subject, graph)
        depth = 1 if subject.text in ("[", "(") else 0
        predicate: str | None = None
        expect_predicate = True
        # The rest of the statement: up to "." at bracket depth 0, or the "}" closing the block. At
        # depth 0 the predicates and objects of the subject's statements are recorded where they stand.
        while (token := self.peek()) is not None:
            if token.kind == "punct":
                if token.text in ("[", "("):
                    depth += 1
                    expect_predicate = False
                elif token.text in ("]", ")"):
                    depth -= 1
                elif depth <= 0 and token.text == ".":
                    self.i += 1
                    return
                elif depth <= 0 and token.text == "}":
                    return
                elif depth <= 0 and token.text == ";":
                    expect_predicate = True
            elif (
                depth <= 0
                and iri is not None
                and expect_predicate
                and (token.kind in ("iri", "pname") or token.text == "a")
            ):
                predicate = _RDF_TYPE if token.text == "a" else self.expand(token)
                if predicate is not None:
                    self.index.statements.setdefault((iri, predicate), self.where(token.start, graph))
                expect_predicate = False
                if token.kind != "word":
                    self.mention(token, graph)
            elif token.kind in ("iri", "pname"):
                value = self.expand(token)
                self.mention(token, graph, value)
                if depth <= 0 and iri is not None and predicate is not None and value is not None:
                    self.index.values.setdefault((iri, predicate, value), self.where(token.start, graph))
            self.i += 1


def scan(text: str) -> FileIndex:
    """Index the subject occurrences and first mentions of IRIs in Turtle, TriG, N-Triples or N-Quads text."""
    return _Scanner(text).scan()


def _newlines(text: str) -> list[int]:
    return [m.start() for m in re.finditer("\n", text)]


_DIRECTIVE = re.compile(r"(?m)^[ \t]*(@prefix|PREFIX|@base|BASE)\b[^\n]*")
#: A term first on its line: a statement's subject, where a statement ends before it. Prefixed names
#: with escapes or unusual characters are not matched: their subjects send the file to a whole scan.
_LINE_TERM = re.compile(r"(?m)^[ \t]*(<[^<>\"{}|^`\\\s]*>|[A-Za-z][\w.\-]*:[\w\-]+(?:[\w.\-]*[\w\-])?)(?=[ \t\r\n;])")


def scan_statements(text: str, subjects: Iterable[str]) -> FileIndex | None:
    """The statements of ``subjects`` alone, indexed as :func:`scan` indexes them (``statements`` and
    ``values``; no mentions), found by one search of the text for terms that open a line and a
    statement, instead of reading every token: for a few nodes of a large registry.

    :returns: ``None`` if the text defines a base or a prefix twice, or a subject is not found as a
        statement's subject written ``<IRI>`` or ``prefix:local`` (without escapes): scan it whole.
    """
    newlines = _newlines(text)
    directives = _line_matches(text, _DIRECTIVE_KEYWORD, _DIRECTIVE, 1)
    header = _Scanner(text, [tok for m in directives for tok in _tokens(m.group())], newlines)
    declared: dict[str, str] = {}
    while header.peek() is not None:
        header.directive()
        if header.base is not None or any(declared.get(k, v) != v for k, v in header.prefixes.items()):
            return None
        declared.update(header.prefixes)
    wanted = set(subjects)
    # Each subject as it may be written (<IRI>, or prefix:local for every prefix that fits): the terms
    # that open a line are many (a large registry's every statement), the subjects asked for few.
    written = {f"<{iri}>": iri for iri in wanted}
    written.update(
        (f"{prefix}:{iri[len(namespace) :]}", iri)
        for iri in wanted
        for prefix, namespace in declared.items()
        if iri.startswith(namespace)
    )
    starts: dict[str, list[int]] = {}
    for match in _LINE_TERM.finditer(text):
        iri = written.get(match.group(1))
        if iri is not None and _opens_statement(text, match.start(1)):
            starts.setdefault(iri, []).append(match.start(1))
    if set(starts) != wanted:
        return None
    # The graph block a statement is in: the last one opened before it, unless closed since.
    openings = [(m.start(), m.group(1)) for m in _line_matches(text, _BRACE, _GRAPH_OPENING, 0, at_end=True)]
    closings = [m.start() for m in _line_matches(text, _BRACE, _GRAPH_CLOSING, 0, at_end=True)]
    scanner = _Scanner(text, [], newlines)  # one for every statement: its expansions are kept
    scanner.prefixes = dict(declared)
    for start in sorted(s for found in starts.values() for s in found):
        scanner.tokens, scanner.i = _statement_tokens(text, start), 0
        opened = bisect.bisect_left(openings, (start, "")) - 1
        graph = None
        if opened >= 0 and bisect.bisect_left(closings, start) == bisect.bisect_left(closings, openings[opened][0]):
            label = openings[opened][1]
            graph = label[1:-1] if label.startswith("<") else scanner.expand(_Token("pname", label, 0))
        scanner.triples(graph=graph)
    return scanner.index


_GRAPH_OPENING = re.compile(r"[ \t]*(?:GRAPH[ \t]+)?(<[^<>\s]*>|[A-Za-z][\w.\-]*:[\w.\-]*)[ \t]*\{")
_GRAPH_CLOSING = re.compile(r"[ \t]*\}")
_BRACE = re.compile(r"[{}]")
_DIRECTIVE_KEYWORD = re.compile(r"@prefix|PREFIX|@base|BASE")


def _line_matches(
    text: str, key: re.Pattern[str], line: re.Pattern[str], group: int, *, at_end: bool = False
) -> Iterator[re.Match[str]]:
    """The matches of ``line`` at the start of a line, found from the occurrences of ``key`` in it: the
    one pass over a large file is a search for a few characters, not an attempt at every line.

    :param group: the group of ``line`` that ``key`` must be the start of (0: with ``at_end``, its end).
    """
    for found in key.finditer(text):
        match = line.match(text, text.rfind("\n", 0, found.start()) + 1)
        if match is not None and (match.end() == found.end() if at_end else match.start(group) == found.start()):
            yield match


def _opens_statement(text: str, at: int) -> bool:
    """Whether a term at ``at`` (first on its line) starts a statement: what comes before it, comment
    lines and white space aside, ends a statement, a directive or a graph block's opening."""
    end = text.rfind("\n", 0, at)
    while end >= 0:
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end].strip()
        if line and not line.startswith("#"):
            return line.endswith((".", "{", "}")) or bool(_DIRECTIVE.match(line))
        end = start - 1
    return True


def _statement_tokens(text: str, start: int) -> list[_Token]:
    """The tokens of the statement starting at ``start``, up to its closing "." (or the block's "}")."""
    tokens: list[_Token] = []
    depth = 0
    for token in _tokens(text, start):
        tokens.append(token)
        if token.kind == "punct":
            if token.text in ("[", "("):
                depth += 1
            elif token.text in ("]", ")"):
                depth -= 1
            elif depth <= 0 and token.text in (".", "}"):
                break
    return tokens


# --- Mapping focus nodes to positions --------------------------------------------------------------


class Locator:
    """Finds where nodes of a loaded dataset are defined; each file is read and scanned once.

    :param dataset: the dataset, with the files its graphs came from (:attr:`Dataset.sources`).
    :param subjects: where only the statements of these nodes are asked for (:meth:`locate_statement`),
        each file is searched for them instead of scanned whole (:func:`scan_statements`); nodes that
        are not among them are then placed by file only.
    """

    def __init__(self, dataset: Dataset, *, subjects: Iterable[str] | None = None) -> None:
        self.dataset = dataset
        self._subjects = None if subjects is None else set(subjects)
        self._indexes: dict[Path, FileIndex | None] = {}
        self._files = dataset.files
        self._order = {path: i for i, path in enumerate(self._files)}
        self._named = set(dataset.store.named_graphs())
        self._default_candidates: list[Path] | None = None
        self._subjects_by_file: dict[Path, set[str]] | None = None
        self._graphs_by_subject: dict[str, set[GraphName]] = {}

    def index(self, path: Path) -> FileIndex | None:
        """The scan of ``path``, or ``None`` if it is not a scanned syntax or cannot be read."""
        if path not in self._indexes:
            index = None
            if path.suffix in SCANNED_SUFFIXES:
                try:
                    text = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    text = None
                if text is not None and self._subjects is not None:
                    index = scan_statements(text, self._subjects_in(path))
                if text is not None and index is None:
                    index = scan(text)
            self._indexes[path] = index
        return self._indexes[path]

    def _subjects_in(self, path: Path) -> list[str]:
        """The nodes of :attr:`_subjects` that are subjects in a graph ``path`` defines."""
        if self._subjects_by_file is None:  # every file's at once: one look at each node's statements
            sources = self.dataset.sources
            by_file: dict[Path, set[str]] = {}
            for node in self._subjects or ():
                for graph in self._subject_graphs(ox.NamedNode(node)):
                    if (source := sources.get(graph)) is not None:
                        by_file.setdefault(source, set()).add(node)
            self._subjects_by_file = by_file
        return sorted(self._subjects_by_file.get(path, ()))

    def _subject_graphs(self, term: ox.NamedNode) -> set[GraphName]:
        """The graphs where ``term`` is a subject, looked up once."""
        if (found := self._graphs_by_subject.get(term.value)) is None:
            found = self._graphs_by_subject[term.value] = _graphs(
                self.dataset.store.quads_for_pattern(term, None, None)
            )
        return found

    def locate(self, node: str) -> SourcePosition | None:
        """Where ``node`` (an IRI, as in a validation result) is defined; see the module's rules."""
        try:
            term = ox.NamedNode(node)
        except ValueError:
            return None
        store = self.dataset.store
        as_subject = self._subject_graphs(term)
        as_object = _graphs(store.quads_for_pattern(None, None, term, None))
        named = term in self._named
        if not as_subject and not as_object and not named:
            return None
        subject_files = self._files_of(as_subject)
        found = self._first_subject(subject_files, node, as_subject)
        if found is None:
            others = [f for f in self._files if f not in set(subject_files)]
            if ox.DefaultGraph() in as_subject:
                others += self._default_graph_candidates()
            found = self._first_subject(others, node, as_subject)
        if found is not None:
            return found
        using = self._files_of(as_subject | as_object | ({term} if named else set()))
        for path in using:
            index = self.index(path)
            if index is not None and node in index.mentions:
                mention = index.mentions[node]
                return SourcePosition(path, mention.line, mention.column)
        return SourcePosition(using[0]) if using else None

    def locate_statement(self, node: str, predicate: str | None, value: str | None) -> SourcePosition | None:
        """Where the statement ``node predicate value`` is written (else ``node predicate …``), in the
        files of the graphs where ``node`` is a subject; else where ``node`` is defined."""
        if predicate is not None:
            try:
                term = ox.NamedNode(node)
            except ValueError:
                return None
            files = self._files_of(self._subject_graphs(term))
            indexes = [(path, index) for path in files if (index := self.index(path)) is not None]
            for path, index in indexes:
                found = index.values.get((node, predicate, value)) if value is not None else None
                if found is not None:
                    return SourcePosition(path, found.line, found.column)
            for path, index in indexes:
                found = index.statements.get((node, predicate))
                if found is not None:
                    return SourcePosition(path, found.line, found.column)
            if value is not None and value != node:
                # A result about the whole data (the ontology its focus) names the statement's
                # subject or object as its value: where that subject says it, or where that object
                # (defined nowhere) is first written.
                found_as_subject = self.locate_statement(value, predicate, None)
                if found_as_subject is not None and found_as_subject.line is not None:
                    return found_as_subject
        elif value is not None and value != node:
            # A node shape's result whose value is not its focus (a SHACL-SPARQL constraint's: the relay
            # agent a claim rests on, the evidence lacking a named intermediary) is about that value:
            # where the focus's own files first write it (the statement linking the two), else where
            # it is defined.
            try:
                term = ox.NamedNode(node)
            except ValueError:
                return None
            for path in self._files_of(self._subject_graphs(term)):
                index = self.index(path)
                if index is not None and value in index.mentions:
                    mention = index.mentions[value]
                    return SourcePosition(path, mention.line, mention.column)
            about = self.locate(value)
            if about is not None:
                return about
        return self.locate(node)

    def _first_subject(self, files: list[Path], node: str, graphs: set[GraphName]) -> SourcePosition | None:
        for path in files:
            found = self._subject_in(path, node, graphs)
            if found is not None:
                return SourcePosition(path, found.line, found.column)
        return None

    def _default_graph_candidates(self) -> list[Path]:
        """Files beside the loaded ones: :attr:`Dataset.sources` names only the first file of the
        default graph, so others that added to it are looked for in the same directories."""
        if self._default_candidates is None:
            known = set(self._files)
            directories = dict.fromkeys(f.parent for f in self._files)
            self._default_candidates = [
                f
                for directory in directories
                for f in sorted(directory.iterdir())
                if f.suffix in SCANNED_SUFFIXES and f not in known and f.is_file()
            ]
        return self._default_candidates

    def _files_of(self, graphs: set[GraphName]) -> list[Path]:
        """The files defining ``graphs``, in load order."""
        wanted = {self.dataset.sources[g] for g in graphs if g in self.dataset.sources}
        return sorted(wanted, key=lambda f: self._order.get(f, len(self._order)))

    def _subject_in(self, path: Path, node: str, graphs: set[GraphName]) -> Occurrence | None:
        index = self.index(path)
        if index is None or node not in index.subjects:
            return None
        occurrences = index.subjects[node]
        names = {g.value for g in graphs if isinstance(g, ox.NamedNode)}
        in_graph = [o for o in occurrences if o.graph in names]
        return (in_graph or occurrences)[0]


def _graphs(quads: Iterable[ox.Quad]) -> set[GraphName]:
    return {q.graph_name for q in quads}


def locate(dataset: Dataset, nodes: Iterable[str]) -> dict[str, SourcePosition]:
    """Map each node (an IRI) to where it is defined; nodes with no position are left out.

    :param dataset: a dataset loaded from files (a dataset fetched from an endpoint has no files).
    :param nodes: IRIs, e.g. the focus nodes of a validation report.
    """
    locator = Locator(dataset)
    positions: dict[str, SourcePosition] = {}
    for node in dict.fromkeys(nodes):
        position = locator.locate(node)
        if position is not None:
            positions[node] = position
    return positions


def relative_to(path: Path, root: Path) -> Path | None:
    """``path`` relative to ``root`` (both resolved), or ``None`` if it lies outside."""
    resolved, base = path.resolve(), root.resolve()
    return resolved.relative_to(base) if resolved.is_relative_to(base) else None
