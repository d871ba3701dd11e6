"""Where queries run: one engine interface, an embedded and a remote implementation.

Both engines answer with the same :class:`QueryResults` — pyoxigraph terms, parsed from the W3C SPARQL
1.1 JSON results format — so everything downstream (tables, reports, tests) is engine-blind.

- :class:`EmbeddedEngine` evaluates over a loaded :class:`~claimgraph.dataset.Dataset` in process; the
  default graph is the union of the named graphs, and parameters are bound by Oxigraph itself
  (``substitutions=``, SEP-0007: a parameter must appear in the SELECT clause).
- :class:`RemoteEngine` sends the query to any SPARQL 1.1 endpoint over HTTP through
  :mod:`claimgraph.transport` (the request built by SPARQLWrapper, sent by the transport's own opener:
  redirects only within the endpoint, float timeouts, credentials never in messages). Default-graph
  semantics differ between stores (Oxigraph: only the real default graph unless started with
  ``--union-default-graph``; Virtuoso: every graph, its system graphs included), so the engine lists the
  endpoint's *data graphs* once — the named graphs using the claimgraph vocabulary (a subject, predicate
  or object in the ``cg:`` namespace), which leaves out Virtuoso's own graphs (``virtrdf#``, ``ldp#``,
  ``/sparql``, ``/DAV/``) and any unrelated data — and names each of them as a default and a named
  graph (SPARQL 1.1 Protocol ``default-graph-uri`` / ``named-graph-uri``, equivalent to ``FROM`` /
  ``FROM NAMED``) with every query that has no dataset clause of its own: the query then sees the
  union of those graphs on any store. Naming them is the last resort, probed for once: where the
  store's default graph already holds every named graph's triples (Virtuoso, Oxigraph with
  ``--union-default-graph``) queries go as they are, and where the store honours Oxigraph's
  ``union-default-graph`` protocol option it is sent instead. Virtuoso 7.2 drops rows of queries with
  property paths and OPTIONALs under a long graph list (``claims.rq``: 1 row of 26 under 7 graphs),
  and Oxigraph takes minutes per query under 330 of them (a 100k-triple corpus); the store's union
  adds nothing the data graphs lack but other vocabularies' triples, which the canned queries do not
  match. Graphs given explicitly are always named (Oxigraph ``--union-default-graph`` ignores a
  query's ``FROM``, but honours the protocol parameters).
  Parameters travel only as a ``VALUES`` block at the top of the WHERE group, written from the parsed
  pyoxigraph term (so escaped as N-Triples), never as user text. JSON results are normalised (Virtuoso's
  ``typed-literal``, ``nodeID://`` blank nodes) before pyoxigraph parses them; ``"x"^^xsd:string``
  and ``"x"`` are one term to pyoxigraph (RDF 1.1), as they are to the embedded engine.
  An answer the store cut at its row cap (Virtuoso's ``X-SPARQL-MaxRows`` header, sent when the
  ``ResultSetMaxRows`` limit is reached) is an :class:`EndpointError`, never partial results.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlsplit, urlunsplit

import pyoxigraph as ox

from .errors import EndpointError, QueryError, QuerySyntaxError, RemoteReferenceError
from .namespaces import CG
from .transport import Credentials, Transport, clip, server_text

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
        refuse_service(query, name=name)  # Oxigraph would call the service itself
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
    """Queries any SPARQL 1.1 endpoint over HTTP (SPARQL 1.1 protocol: POST, JSON or XML results).

    Only the endpoint is ever contacted: a redirect to another scheme, host or port is refused, and
    environment proxies are not used (:mod:`claimgraph.transport`).

    :param endpoint: the query endpoint URL, e.g. ``http://127.0.0.1:7878/query``; credentials given
        in it (``http://USER:PASSWORD@host/query``) go as HTTP Basic authentication and never appear
        in messages.
    :param timeout: seconds to wait for each answer.
    :param graphs: the named graphs whose union is the default graph; ``None`` lists the endpoint's
        named graphs at the first query. An empty list leaves queries untouched (the store's own
        default graph).
    """

    def __init__(self, endpoint: str, *, timeout: float = 60.0, graphs: Sequence[str] | None = None) -> None:
        parts = urlsplit(endpoint)
        userinfo, at, host = parts.netloc.rpartition("@")
        #: The endpoint URL without credentials, as messages show it.
        self.endpoint = urlunsplit(parts._replace(netloc=host)) if at else endpoint
        credentials = None
        if at:
            user, _, password = userinfo.partition(":")
            credentials = Credentials(unquote(user), unquote(password), "basic")
        self._transport = Transport([self.endpoint], credentials, timeout=timeout, unauthorized=_UNAUTHORIZED)
        self._graphs: list[str] | None = None if graphs is None else sorted(graphs)
        # How queries see the union: "store" (its default graph), "option" (Oxigraph's protocol option) or
        # "from" (the protocol's dataset parameters; always for graphs given, which may be a subset).
        self._union: str | None = None if graphs is None else "from"

    @property
    def description(self) -> str:
        return f"endpoint {self.endpoint}"

    @property
    def graphs(self) -> list[str]:
        """The named graphs queries see as their default graph: given, or the data graphs (listed once)."""
        if self._graphs is None:
            listing = self._request(DATA_GRAPHS_QUERY, name="graph listing")
            self._graphs = sorted(row[0].value for row in listing.rows if isinstance(row[0], ox.NamedNode))
        return self._graphs

    def _union_by(self) -> str:
        """How queries come to see the union of the data graphs, probed once (see the module docstring)."""
        if self._union is None:
            self._union = "from"
            if not self._request(_NOT_UNION_PROBE, name="default graph probe").boolean:
                self._union = "store"
            else:
                try:
                    if not self._request(_NOT_UNION_PROBE, name="default graph probe", options=_UNION_OPTION).boolean:
                        self._union = "option"
                except EndpointError:
                    pass  # a store that refuses the option gets the graphs named in each request
        return self._union

    def select(self, query: str, *, bindings: Mapping[str, Term] | None = None, name: str = "query") -> QueryResults:
        shape = scan(query, name=name)
        refuse_service(query, name=name)
        if shape.form not in ("SELECT", "ASK"):
            raise QueryError(name, f"only SELECT and ASK queries are supported, not {shape.form}")
        if bindings:
            query = shape.insert_values(values_block({k: [v] for k, v in bindings.items()}, name=name))
            shape = scan(query, name=name)
        union = "store" if shape.has_dataset or not self.graphs else self._union_by()
        if union == "from":
            dataset = [("default-graph-uri", g) for g in self.graphs] + [("named-graph-uri", g) for g in self.graphs]
            return self._request(query, name=name, options=dataset)
        return self._request(query, name=name, options=_UNION_OPTION if union == "option" else ())

    def _request(self, query: str, *, name: str, options: Sequence[tuple[str, str]] = ()) -> QueryResults:
        answer = self._transport.query(self.endpoint, query, name=name, accept=_ACCEPT, options=options)
        content_type, body = answer.content_type, answer.body
        capped_at = answer.headers.get("X-SPARQL-MaxRows")
        if not content_type.split(";")[0].strip().lower().endswith(_RESULTS_TYPES):
            raise EndpointError(
                self.endpoint,
                f"answered {name} with {content_type or 'no Content-Type'}, not SPARQL results"
                f" ({clip(server_text(body, content_type))}): is this a SPARQL query endpoint?",
            )
        if capped_at is not None:
            raise EndpointError(
                self.endpoint,
                f"cut {name} at its row cap of {capped_at} rows (X-SPARQL-MaxRows), so the results may be"
                " partial and none are used: raise the store's limit (Virtuoso: [SPARQL] ResultSetMaxRows)",
            )
        try:
            if "xml" in content_type:
                # pyoxigraph reads a cut-off XML document as complete (fewer rows, no error).
                if (fault := xml_fault(body)) is not None:
                    raise ValueError(f"line {fault[0]}, column {fault[1]}: {fault[2]}")
                parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.XML)
                return QueryResults.from_oxigraph(parsed)
            return QueryResults.from_json(normalise_json_results(body))
        except (SyntaxError, ValueError) as error:
            raise EndpointError(self.endpoint, f"answered {name} with unreadable results: {error}") from None


#: The named graphs holding claimgraph data: any that uses the ``cg:`` vocabulary (store system graphs do not).
DATA_GRAPHS_QUERY = f"""SELECT DISTINCT ?g WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(STRSTARTS(STR(?p), "{CG}") || (isIRI(?o) && STRSTARTS(STR(?o), "{CG}"))
         || (isIRI(?s) && STRSTARTS(STR(?s), "{CG}")))
}}"""

#: True when some named-graph triple is not in the default graph, i.e. the default graph is not the union.
_NOT_UNION_PROBE = "ASK { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } }"

#: Oxigraph server's protocol option making the default graph the union of the named graphs.
_UNION_OPTION = (("union-default-graph", ""),)

#: The W3C SPARQL results formats the engine reads; their content types are recognised by their endings.
_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
_RESULTS_TYPES = ("json", "xml")

_UNAUTHORIZED = "wrong or missing credentials (URL form http://USER:PASSWORD@host/…): {said}"


def xml_fault(data: bytes) -> tuple[int, int, str] | None:
    """Where an XML document stops being well-formed: 1-based line and column, and what is wrong.

    ``None`` for a well-formed document. Expat reads no external entity.
    """
    from xml.parsers import expat

    parser = expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        return error.lineno, error.offset + 1, expat.ErrorString(error.code) or "not well-formed"
    return None


def _syntax_error(name: str, message: str) -> QuerySyntaxError:
    from pathlib import Path

    match = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    if match:
        said = clip(" ".join(match.group(3).split()))  # the parser lists every token it expected, over lines
        return QuerySyntaxError(Path(name), said, line=int(match.group(1)), column=int(match.group(2)))
    return QuerySyntaxError(Path(name), clip(" ".join(message.split())))


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

    A light lexer, not a parser: it skips comments, strings, IRIs, variables and prefixed names, and
    tracks brace depth, which is all the rewriting needs.

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
        if group_at is not None and first_at is None and i > group_at:
            first_at = i
        if c in "\"'":
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
            if depth == 1 and first_close is None and first_at is not None and text[first_at] == "{":
                first_close = i
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
            if word == "SERVICE" and service_at is None:
                service_at = i
            if depth == 0 and group_at is None:
                if word in _FORMS and form is None:
                    form, form_at = word, i
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
