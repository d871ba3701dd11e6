"""Where queries run: one engine interface, an embedded and a remote implementation.

Both engines answer with the same :class:`QueryResults` — pyoxigraph terms, parsed from the W3C SPARQL
1.1 JSON results format — so everything downstream (tables, reports, tests) is engine-blind.

- :class:`EmbeddedEngine` evaluates over a loaded :class:`~claimgraph.dataset.Dataset` in process; the
  default graph is the union of the named graphs, and parameters are bound by Oxigraph itself
  (``substitutions=``, SEP-0007: a parameter must appear in the SELECT clause).
- :class:`RemoteEngine` sends the query to any SPARQL 1.1 endpoint through SPARQLWrapper. Default-graph
  semantics differ between stores (Oxigraph: only the real default graph unless started with
  ``--union-default-graph``; Virtuoso: every graph, its system graphs included), so the engine lists the
  endpoint's named graphs once and adds ``FROM`` and ``FROM NAMED`` for each of them to every query that
  has no dataset clause of its own: the query then sees the union of those graphs on any store.
  Parameters travel only as a ``VALUES`` block at the top of the WHERE group, written from the parsed
  pyoxigraph term (so escaped as N-Triples), never as user text. JSON results are normalised (Virtuoso's
  ``typed-literal``, ``nodeID://`` blank nodes) before pyoxigraph parses them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from .errors import EndpointError, QueryError, QuerySyntaxError

if TYPE_CHECKING:
    from pathlib import Path

    from .dataset import Dataset

#: An RDF term as both engines return it.
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

#: Result serialisations, all W3C SPARQL 1.1 results formats.
RESULTS_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}

_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class QueryResults:
    """The answer to a SELECT (``variables`` and ``rows``) or an ASK (``boolean``).

    Held as its canonical W3C SPARQL JSON document; rows become Python terms only when asked for,
    so writing a large result in a W3C format never builds them.

    :param document: W3C SPARQL 1.1 JSON results (already normalised).
    """

    def __init__(self, document: bytes) -> None:
        self.document = document

    @classmethod
    def from_json(cls, document: bytes) -> QueryResults:
        """Results from W3C SPARQL JSON (already normalised)."""
        return cls(document)

    @classmethod
    def from_oxigraph(cls, answer: ox.QuerySolutions | ox.QueryBoolean) -> QueryResults:
        """Results from an Oxigraph answer, through its JSON serialisation (the canonical form)."""
        document = answer.serialize(format=ox.QueryResultsFormat.JSON)
        assert document is not None  # no output given: serialize returns the bytes
        return cls(document)

    @cached_property
    def _parsed(self) -> tuple[tuple[str, ...], tuple[tuple[Term | None, ...], ...], bool | None]:
        parsed = ox.parse_query_results(self.document, format=ox.QueryResultsFormat.JSON)
        if isinstance(parsed, ox.QueryBoolean):
            return (), (), bool(parsed)
        variables = tuple(v.value for v in parsed.variables)
        return variables, tuple(tuple(solution[name] for name in variables) for solution in parsed), None

    @property
    def variables(self) -> tuple[str, ...]:
        """The projected variables, in query order."""
        return self._parsed[0]

    @property
    def rows(self) -> tuple[tuple[Term | None, ...], ...]:
        """One tuple per solution, aligned with :attr:`variables`; ``None`` where unbound."""
        return self._parsed[1]

    @property
    def boolean(self) -> bool | None:
        """The answer to an ASK query, else ``None``."""
        return self._parsed[2]

    def serialize(self, fmt: str) -> bytes:
        """The results in a W3C SPARQL 1.1 results format (``json``, ``csv``, ``tsv`` or ``xml``).

        Written by pyoxigraph's serialisers from the canonical JSON document, so every engine's
        results come out byte-for-byte alike.
        """
        parsed = ox.parse_query_results(self.document, format=ox.QueryResultsFormat.JSON)
        serialized = parsed.serialize(format=RESULTS_FORMATS[fmt])
        assert serialized is not None  # no output given: serialize returns the bytes
        return serialized

    def dicts(self) -> list[dict[str, Term]]:
        """Each row as a mapping of the bound variables."""
        return [{v: t for v, t in zip(self.variables, row, strict=True) if t is not None} for row in self.rows]

    def __iter__(self) -> Iterator[dict[str, Term]]:
        return iter(self.dicts())

    def __len__(self) -> int:
        return len(self.rows)


class Engine(Protocol):
    """Evaluates SPARQL 1.1 queries over the union of a dataset's graphs."""

    @property
    def description(self) -> str:
        """Where the queries run, for messages."""
        ...

    def select(self, query: str, *, bindings: Mapping[str, Term] | None = None, name: str = "query") -> QueryResults:
        """Evaluate a SELECT or ASK query.

        :param query: SPARQL 1.1 query text.
        :param bindings: parameter values, bound as RDF terms (never spliced in as text).
        :param name: the query's name or file, for error messages.
        :raises QuerySyntaxError: if the query does not parse.
        :raises QueryError: if it is not a SELECT or ASK query or the engine fails on it.
        """
        ...


class EmbeddedEngine:
    """Queries a loaded dataset in process with Oxigraph (the default graph is the union)."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    @property
    def description(self) -> str:
        return f"embedded store ({self.dataset.root})"

    def select(self, query: str, *, bindings: Mapping[str, Term] | None = None, name: str = "query") -> QueryResults:
        substitutions = {ox.Variable(k): v for k, v in (bindings or {}).items()} or None
        try:
            answer = self.dataset.store.query(query, use_default_graph_as_union=True, substitutions=substitutions)
        except SyntaxError as error:
            raise _syntax_error(name, str(error.msg)) from None
        except (RuntimeError, OSError, ValueError) as error:
            message = str(error)
            if "SELECT projection" in message:
                message = f"{message}: a parameter must be named in the SELECT clause (SEP-0007 substitution)"
            raise QueryError(name, message) from None
        if not isinstance(answer, ox.QuerySolutions | ox.QueryBoolean):
            raise QueryError(name, "only SELECT and ASK queries are supported, not CONSTRUCT or DESCRIBE")
        return QueryResults.from_oxigraph(answer)


class RemoteEngine:
    """Queries any SPARQL 1.1 endpoint over HTTP (SPARQLWrapper, POST, content negotiation).

    :param endpoint: the query endpoint URL, e.g. ``http://127.0.0.1:7878/query``.
    :param timeout: seconds to wait for each answer.
    :param graphs: the named graphs whose union is the default graph; ``None`` lists the endpoint's
        named graphs at the first query. An empty list leaves queries untouched (the store's own
        default graph).
    """

    def __init__(self, endpoint: str, *, timeout: float = 60.0, graphs: Sequence[str] | None = None) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self._graphs: list[str] | None = None if graphs is None else sorted(graphs)

    @property
    def description(self) -> str:
        return f"endpoint {self.endpoint}"

    @property
    def graphs(self) -> list[str]:
        """The named graphs queries see as their default graph (listed once, then cached)."""
        if self._graphs is None:
            listing = self._request("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", name="graph listing")
            self._graphs = sorted(row[0].value for row in listing.rows if isinstance(row[0], ox.NamedNode))
        return self._graphs

    def select(self, query: str, *, bindings: Mapping[str, Term] | None = None, name: str = "query") -> QueryResults:
        shape = scan(query, name=name)
        if shape.form not in ("SELECT", "ASK"):
            raise QueryError(name, f"only SELECT and ASK queries are supported, not {shape.form}")
        if bindings:
            query = shape.insert_values(values_block({k: [v] for k, v in bindings.items()}, name=name))
            shape = scan(query, name=name)
        if not shape.has_dataset and self.graphs:
            query = shape.insert_dataset(self.graphs)
        return self._request(query, name=name)

    def _request(self, query: str, *, name: str) -> QueryResults:
        from urllib.error import HTTPError, URLError

        from SPARQLWrapper import JSON, POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import (
            EndPointInternalError,
            EndPointNotFound,
            QueryBadFormed,
            SPARQLWrapperException,
            Unauthorized,
            URITooLong,
        )

        client = SPARQLWrapper(self.endpoint)
        client.setMethod(POST)
        client.setReturnFormat(JSON)
        client.setOnlyConneg(True)
        client.setTimeout(int(max(1, round(self.timeout))))
        client.setQuery(query)
        try:
            response = client.query().response
            content_type = response.headers.get("Content-Type", "")
            body = response.read()
        except QueryBadFormed as error:
            raise EndpointError(self.endpoint, f"rejected {name}: {_server_message(error)}") from None
        except EndPointNotFound as error:
            raise EndpointError(self.endpoint, f"not found (HTTP 404): {_server_message(error)}") from None
        except Unauthorized as error:
            raise EndpointError(self.endpoint, f"unauthorized (HTTP 401): {_server_message(error)}") from None
        except URITooLong as error:
            raise EndpointError(self.endpoint, f"request too long (HTTP 414): {_server_message(error)}") from None
        except EndPointInternalError as error:
            raise EndpointError(
                self.endpoint, f"internal error on {name} (HTTP 500): {_server_message(error)}"
            ) from None
        except SPARQLWrapperException as error:
            raise EndpointError(self.endpoint, f"failed on {name}: {_server_message(error)}") from None
        except HTTPError as error:
            raise EndpointError(self.endpoint, f"HTTP {error.code} {error.reason}") from None
        except URLError as error:
            reason = error.reason
            text = "timed out" if isinstance(reason, TimeoutError) else str(getattr(reason, "strerror", None) or reason)
            raise EndpointError(self.endpoint, f"cannot connect: {text}") from None
        except TimeoutError:
            raise EndpointError(self.endpoint, f"timed out after {self.timeout:g} s") from None
        except (OSError, ValueError) as error:
            raise EndpointError(self.endpoint, f"cannot connect: {error}") from None
        try:
            if "xml" in content_type:
                parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.XML)
                return QueryResults.from_oxigraph(parsed)
            return QueryResults.from_json(normalise_json_results(body))
        except (SyntaxError, ValueError) as error:
            raise EndpointError(self.endpoint, f"answered {name} with unreadable results: {error}") from None


def _server_message(error: Exception) -> str:
    # SPARQLWrapper's message is "QueryBadFormed: A bad request … \n\nResponse:\nb'…'"; keep the server's words.
    text = str(error)
    _, sep, tail = text.partition("Response:\n")
    if sep:
        tail = tail.strip()
        if tail.startswith(("b'", 'b"')) and tail.endswith(("'", '"')):
            tail = tail[2:-1]
        return " ".join(tail.split()) or text.splitlines()[0]
    return text.splitlines()[0] if text else type(error).__name__


def _syntax_error(name: str, message: str) -> QuerySyntaxError:
    from pathlib import Path

    match = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    if match:
        return QuerySyntaxError(Path(name), match.group(3), line=int(match.group(1)), column=int(match.group(2)))
    return QuerySyntaxError(Path(name), message)


def normalise_json_results(document: bytes) -> bytes:
    """Make SPARQL JSON results from any store strictly W3C-conformant.

    Virtuoso writes ``"type": "typed-literal"`` (a pre-recommendation form) and blank nodes as
    ``nodeID://b123``; both are rewritten so pyoxigraph reads them as the standard says.

    :raises ValueError: if ``document`` is not JSON.
    """
    data = json.loads(document)
    for binding in data.get("results", {}).get("bindings", []):
        for value in binding.values():
            if value.get("type") == "typed-literal":
                value["type"] = "literal"
            elif value.get("type") == "bnode":
                value["value"] = re.sub(r"[^A-Za-z0-9_]", "_", value["value"].removeprefix("nodeID://"))
    return json.dumps(data).encode("utf-8")


# --- Query text: where the WHERE group starts, whether there is a dataset clause ----------------

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-.]*")
_PREFIXED_LOCAL = re.compile(r"[^\s{}()\[\];,\"'<#]*")
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


@dataclass(frozen=True)
class QueryShape:
    """Where things are in a query's text (positions in ``text``, comments and strings skipped).

    :ivar form: SELECT, ASK, CONSTRUCT or DESCRIBE.
    :ivar has_dataset: whether the query has its own ``FROM`` / ``FROM NAMED``.
    :ivar dataset_at: where a dataset clause goes (before ``WHERE`` or the group's brace).
    :ivar group_at: the position of the ``{`` that opens the WHERE group.
    """

    text: str
    form: str
    has_dataset: bool
    dataset_at: int
    group_at: int

    def insert_values(self, block: str) -> str:
        """The query with ``block`` (a VALUES clause) first in its WHERE group."""
        at = self.group_at + 1
        return f"{self.text[:at]} {block}\n{self.text[at:]}"

    def insert_dataset(self, graphs: Sequence[str]) -> str:
        """The query with ``FROM`` and ``FROM NAMED`` for each of ``graphs``."""
        clauses = "".join(f"FROM <{g}>\n" for g in graphs) + "".join(f"FROM NAMED <{g}>\n" for g in graphs)
        at = self.dataset_at
        return f"{self.text[:at]}{clauses}{self.text[at:]}"


def scan(text: str, *, name: str = "query") -> QueryShape:
    """Locate the query form, dataset clause and WHERE group of a SPARQL query.

    A light lexer, not a parser: it skips comments, strings, IRIs, variables and prefixed names, and
    tracks brace depth, which is all the rewriting needs.

    :raises QuerySyntaxError: if no query form or WHERE group is found.
    """
    form: str | None = None
    has_dataset = False
    where_at: int | None = None
    group_at: int | None = None
    depth = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif c in "\"'":
            i = _skip_string(text, i)
        elif c == "<" and (match := _IRIREF.match(text, i)):
            i = match.end()
        elif c in "?$":
            match = _NAME.match(text, i + 1)
            i = match.end() if match else i + 1
        elif c == "{":
            if depth == 0 and group_at is None and form is not None and (form != "CONSTRUCT" or where_at is not None):
                group_at = i
            depth += 1
            i += 1
        elif c == "}":
            depth -= 1
            i += 1
        elif c.isalpha() or c == "_":
            match = _NAME.match(text, i)
            assert match is not None
            end = match.end()
            if end < n and text[end] == ":":
                local = _PREFIXED_LOCAL.match(text, end + 1)
                i = local.end() if local else end + 1
                continue
            word = match.group().upper()
            if depth == 0 and group_at is None:
                if word in _FORMS and form is None:
                    form = word
                elif word == "WHERE" and form is not None:
                    where_at = i
                elif word == "FROM" and form is not None:
                    has_dataset = True
            i = end
        else:
            i += 1
    if form is None:
        raise QuerySyntaxError(_path(name), "no SELECT, ASK, CONSTRUCT or DESCRIBE query form found")
    if group_at is None:
        raise QuerySyntaxError(_path(name), "no WHERE group found")
    dataset_at = where_at if where_at is not None and where_at < group_at else group_at
    return QueryShape(text=text, form=form, has_dataset=has_dataset, dataset_at=dataset_at, group_at=group_at)


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
        if not _VARIABLE_NAME.match(variable):
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
