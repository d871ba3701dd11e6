"""The one SPARQL lexer: where a query's form, dataset clause and WHERE group are, and ``VALUES`` blocks.

A light lexer, not a parser (:func:`tokens`: comments skipped; strings, IRIs, variables and prefixed
names taken whole; braces and keywords found): enough to bind parameters as a ``VALUES`` block, refuse
``SERVICE``, find a leading sub-select and let the validation compiler rewrite a constraint's groups.
It imports only the base modules, so the loader can use it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

import pyoxigraph as ox

from claimgraph.errors import QueryError, QuerySyntaxError, RemoteReferenceError
from claimgraph.terms import Term

if TYPE_CHECKING:
    from pathlib import Path


#: A SPARQL variable name (VARNAME, without its ``?``).
VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-.]*")
_PREFIXED_LOCAL = re.compile(r"[^\s{}()\[\];,\"'<#]*")
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


@dataclass(frozen=True)
class QueryShape:
    """Where things are in a query's text (positions in ``text``, comments and strings skipped).

    :ivar form: SELECT, ASK, CONSTRUCT or DESCRIBE.
    :ivar has_dataset: whether the query has its own ``FROM`` / ``FROM NAMED``.
    :ivar group_at: the position of the ``{`` that opens the WHERE group.
    :ivar service_at: the position of the first ``SERVICE`` keyword, if any.
    :ivar form_at: the position of the query form keyword (the prologue ends there).
    :ivar leading_select: the span inside the braces of a sub-select that opens the WHERE group, if
        one does (``WHERE { { SELECT … } …``).
    """

    text: str
    form: str
    has_dataset: bool
    group_at: int
    service_at: int | None = None
    form_at: int = 0
    leading_select: tuple[int, int] | None = None

    def insert_values(self, block: str) -> str:
        """The query with ``block`` (a VALUES clause) first in its WHERE group."""
        at = self.group_at + 1
        return f"{self.text[:at]} {block}\n{self.text[at:]}"


def scan(text: str, *, name: str = "query") -> QueryShape:
    """Locate the query form, dataset clause and WHERE group of a SPARQL query.

    :raises QuerySyntaxError: if no query form or WHERE group is found.
    """
    form: str | None = None
    has_dataset = False
    where_at: int | None = None
    group_at: int | None = None
    service_at: int | None = None
    form_at = 0
    # The first token inside the WHERE group: its position, and where its braces close if it is "{".
    first_at: int | None = None
    first_close: int | None = None
    depth = 0
    for token in tokens(text):
        if group_at is not None and first_at is None and token.at > group_at:
            first_at = token.at
        if token.kind is TokenKind.OPEN:
            if depth == 0 and group_at is None and form is not None and (form != "CONSTRUCT" or where_at is not None):
                group_at = token.at
            depth += 1
        elif token.kind is TokenKind.CLOSE:
            depth -= 1
            if depth == 1 and first_close is None and first_at is not None and text[first_at] == "{":
                first_close = token.at
        elif token.kind is TokenKind.WORD:
            word = token.text
            if word == "SERVICE" and service_at is None:
                service_at = token.at
            if depth == 0 and group_at is None:
                if word in _FORMS and form is None:
                    form, form_at = word, token.at
                elif word == "WHERE" and form is not None:
                    where_at = token.at
                elif word == "FROM" and form is not None:
                    has_dataset = True
    if form is None:
        raise QuerySyntaxError(_path(name), "no SELECT, ASK, CONSTRUCT or DESCRIBE query form found")
    if group_at is None:
        raise QuerySyntaxError(_path(name), "no WHERE group found")
    leading_select = None
    if first_at is not None and first_close is not None and text[first_at] == "{":
        inner = first_at + 1
        if re.match(r"(?:\s|#[^\n]*)*SELECT\b", text[inner:first_close], re.IGNORECASE):
            leading_select = (inner, first_close)
    return QueryShape(
        text=text,
        form=form,
        has_dataset=has_dataset,
        group_at=group_at,
        service_at=service_at,
        form_at=form_at,
        leading_select=leading_select,
    )


class TokenKind(Enum):
    """What a token of :func:`tokens` is."""

    OPEN = "{"
    CLOSE = "}"
    WORD = "word"  # a keyword or function name, upper-cased in Token.text
    OTHER = "other"  # a string, IRI, variable, prefixed name, number or punctuation


@dataclass(frozen=True)
class Token:
    """One token of a SPARQL text: its kind, where it starts, and (for a word) its upper-cased text."""

    kind: TokenKind
    at: int
    text: str = ""


def tokens(text: str) -> Iterator[Token]:
    """The tokens of a SPARQL text, comments and whitespace skipped.

    Strings, IRIs, variables and prefixed names are single OTHER tokens, so a brace or a keyword
    inside one is never seen as such.
    """
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        at = i
        kind = TokenKind.OTHER
        word = ""
        if c in "\"'":
            i = _skip_string(text, i)
        elif c == "<" and (match := _IRIREF.match(text, i)):
            i = match.end()
        elif c in "?$":
            match = _NAME.match(text, i + 1)
            i = match.end() if match else i + 1
        elif c == "{":
            kind, i = TokenKind.OPEN, i + 1
        elif c == "}":
            kind, i = TokenKind.CLOSE, i + 1
        elif c.isalpha() or c == "_":
            match = _NAME.match(text, i)
            assert match is not None
            i = match.end()
            if i < n and text[i] == ":":
                local = _PREFIXED_LOCAL.match(text, i + 1)
                i = local.end() if local else i + 1
            else:
                kind, word = TokenKind.WORD, match.group().upper()
        else:
            i += 1
        yield Token(kind, at, word)


def refuse_service(query: str, *, name: str = "query") -> None:
    """Refuse a query with a ``SERVICE`` clause, before any engine sees it.

    A federated query would make the store (Oxigraph in process, or the endpoint) call another
    endpoint; claimgraph reaches only the store it is given. A text that is not a query at all is left
    to the engine's parser, which rejects it without running anything.

    :raises RemoteReferenceError: naming the query, line and column of the clause.
    """
    try:
        at = scan(query, name=name).service_at
    except QuerySyntaxError:
        return
    if at is None:
        return
    rest = query[at + len("SERVICE") :].lstrip()
    rest = rest[len("SILENT") :].lstrip() if rest[:6].upper() == "SILENT" else rest
    target = _IRIREF.match(rest) or re.match(r"[?$]?[^\s{]+", rest)
    reference = target.group() if target else "?"
    line = query.count("\n", 0, at) + 1
    column = at - query.rfind("\n", 0, at)
    raise RemoteReferenceError(
        _path(name),
        f"SERVICE {reference} refused: claimgraph runs no federated query (it reaches only the store it is given)",
        reference=reference,
        line=line,
        column=column,
    )


def _path(name: str) -> Path:
    from pathlib import Path

    return Path(name)


def _skip_string(text: str, i: int) -> int:
    quote = text[i]
    if text.startswith(quote * 3, i):
        end = i + 3
        while end < len(text):
            if text[end] == "\\":
                end += 2
            elif text.startswith(quote * 3, end):
                return end + 3
            else:
                end += 1
        return len(text)
    end = i + 1
    while end < len(text) and text[end] not in (quote, "\n"):
        end += 2 if text[end] == "\\" else 1
    return end + 1


def values_block(values: Mapping[str, Sequence[Term]], *, name: str = "query") -> str:
    """A ``VALUES`` clause binding each variable to its terms, written from parsed RDF terms.

    Terms are serialised by pyoxigraph (N-Triples syntax, so quotes, backslashes and newlines in
    literals are escaped); user text never reaches the query otherwise. Several variables must have
    the same number of values (rows).

    :raises QueryError: for an invalid variable name, a blank node or quoted triple, or ragged rows.
    """
    names = list(values)
    for variable in names:
        if not VARIABLE_NAME.match(variable):
            raise QueryError(name, f"invalid variable name {variable!r}")
    columns = [list(values[v]) for v in names]
    if len({len(c) for c in columns}) > 1:
        raise QueryError(name, "VALUES rows of different lengths")
    for column in columns:
        for term in column:
            if not isinstance(term, ox.NamedNode | ox.Literal):
                raise QueryError(name, f"cannot bind {term} in VALUES: only IRIs and literals")
    if len(names) == 1:
        return f"VALUES ?{names[0]} {{ {' '.join(str(t) for t in columns[0])} }}"
    head = " ".join(f"?{v}" for v in names)
    rows = " ".join("(" + " ".join(str(t) for t in row) + ")" for row in zip(*columns, strict=True))
    return f"VALUES ({head}) {{ {rows} }}"


#: Most terms one VALUES block names; more go into several queries (:func:`values_blocks`). Virtuoso
#: 7.2 refuses a query naming 6,000 IRIs (SP030 "Too many arguments", or SQ199 on its code vector);
#: 4,000 pass.
MAX_VALUES = 2_000


def values_blocks(variable: str, terms: Sequence[Term], *, size: int | None = None, name: str = "query") -> list[str]:
    """``VALUES`` clauses binding ``variable`` to ``terms`` in order, each to at most ``size`` of them
    (default :data:`MAX_VALUES`), one per query: no store is sent a longer block than it reads."""
    step = size or MAX_VALUES
    return [values_block({variable: terms[i : i + step]}, name=name) for i in range(0, len(terms), step)]


def prebind(query: str, variable: str, term: ox.NamedNode | ox.Literal) -> str:
    """``query`` with ``variable`` pre-bound to ``term`` as SHACL defines pre-binding: every
    occurrence replaced by the term (SHACL 1.0, 5.3.1), whatever group, filter or sub-select it is in.

    ``BOUND(?variable)`` becomes ``(true)``. A projection cannot hold a constant: a SELECT projects
    ``(TERM AS ?variable)`` in its place (a sub-select under a name of its own, which nothing reads).
    The query's other restrictions (no MINUS, VALUES or SERVICE, no AS rebinding) are the caller's
    to check.
    """
    out: list[str] = []
    last = 0
    depth = 0  # braces
    nested = 0  # sub-selects seen
    projection: int | None = None  # brace depth of the SELECT whose projection is being read
    parens = 0
    constant = str(term)
    for token in tokens(query):
        char = query[token.at]
        if token.kind is TokenKind.WORD and token.text == "SELECT":
            projection, parens = depth, 0
        elif token.kind is TokenKind.OPEN:
            depth += 1
            projection = None
        elif token.kind is TokenKind.CLOSE:
            depth -= 1
        elif token.kind is TokenKind.WORD and token.text in ("WHERE", "FROM"):
            projection = None
        elif token.kind is TokenKind.OTHER and char in "()" and projection is not None:
            parens += 1 if char == "(" else -1
        elif token.kind is TokenKind.OTHER and char in "?$":
            end = token.at + 1 + len(variable)
            name = query[token.at + 1 : end]
            if name != variable or (end < len(query) and (query[end].isalnum() or query[end] == "_")):
                continue
            before = query[last : token.at]
            bound = _BOUND_OPEN.search(before)
            after = _CLOSE.match(query, end) if bound else None
            if bound and after:
                out.append(before[: bound.start()] + "(true)")
                last = after.end()
                continue
            out.append(before)
            last = end
            if projection is not None and parens == 0:
                name = variable if projection == 0 else f"{variable}_prebound_{nested}"
                nested += projection != 0
                out.append(f"({constant} AS ?{name})")
            else:
                out.append(constant)
    out.append(query[last:])
    return "".join(out)


_BOUND_OPEN = re.compile(r"\bBOUND\s*\(\s*\Z", re.IGNORECASE)
_CLOSE = re.compile(r"\s*\)")
