"""Where queries run: one engine interface, an embedded and a remote implementation.

Both answer with the same :class:`QueryResults` (pyoxigraph terms), so everything downstream is
engine-blind. How the remote engine makes every store's default graph the union of the data graphs,
and why, is in docs/design.md (remote engines).
"""

from __future__ import annotations

import http.client
import io
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit, urlunsplit

import pyoxigraph as ox

from claimgraph.errors import EndpointError, QueryError, QuerySyntaxError, RowCapError
from claimgraph.namespaces import CG, DATASET, DERIVED_GRAPH, SD, SHAPES_GRAPH
from claimgraph.sparql.lexer import refuse_service, scan, values_block, values_blocks
from claimgraph.sparql.results import NormalisingReader, normalise_json_results, xml_fault, xml_results_to_json
from claimgraph.sparql.transport import Credentials, Transport, clip, server_text
from claimgraph.terms import Term

#: Result serialisations, all W3C SPARQL 1.1 results formats.
RESULTS_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}

#: One bound value as the W3C SPARQL 1.1 JSON results write it: ``type`` (``uri``, ``bnode``,
#: ``literal``, ``triple``), ``value``, and a literal's ``datatype`` or ``xml:lang``.
Binding = dict[str, Any]


def binding_text(value: Binding) -> str:
    """A bound value's text, as :func:`~claimgraph.terms.term_text` gives its term's: an IRI, a blank
    node's label, a literal's lexical form, a quoted triple as N-Triples."""
    if value.get("type") != "triple":
        return value["value"]  # type: ignore[no-any-return]
    # Rare: written by pyoxigraph from the one value read back.
    document = json.dumps({"head": {"vars": ["t"]}, "results": {"bindings": [{"t": value}]}}).encode()
    parsed = ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QuerySolutions)
    return str(next(iter(parsed))[0])


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
        # A solution iterates over its values in the order of the variables (None where unbound), about
        # three times faster than looking each up by name.
        return variables, tuple(tuple(solution) for solution in parsed), None

    @cached_property
    def _json(self) -> dict[str, Any]:
        return json.loads(self.document)  # type: ignore[no-any-return]

    @property
    def variables(self) -> tuple[str, ...]:
        """The projected variables, in query order."""
        if "_json" in self.__dict__:  # read from whichever form the rows were read in, never both
            return tuple(self._json.get("head", {}).get("vars", ()))
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

    def bindings(self) -> list[dict[str, Binding]]:
        """Each row as a mapping of the bound variables to their values as the JSON document writes
        them (:data:`Binding`; :func:`binding_text` gives a value's text), without building terms.

        For large results whose values are wanted as text: Python's JSON reader builds these several
        times faster than :attr:`rows` builds terms (10M triples, the explanations of 42,812 claims:
        3.1 s against 9.6 s).
        """
        return self._json.get("results", {}).get("bindings", [])  # type: ignore[no-any-return]

    def texts(self) -> list[dict[str, str]]:
        """Each row as a mapping of the bound variables to their values' texts (:func:`binding_text`)."""
        return [{k: binding_text(v) for k, v in row.items()} for row in self.bindings()]

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


class LoadedStore(Protocol):
    """What the embedded engine needs of a loaded dataset (:class:`claimgraph.io.Dataset` is one)."""

    store: ox.Store
    root: Path


class EmbeddedEngine:
    """Queries a loaded dataset in process with Oxigraph (the default graph is the union)."""

    def __init__(self, dataset: LoadedStore) -> None:
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
    environment proxies are not used (:mod:`claimgraph.sparql.transport`).

    :param endpoint: the query endpoint URL, e.g. ``http://127.0.0.1:7878/query``; credentials given
        in it (``http://USER:PASSWORD@host/query``) go as HTTP Basic authentication and never appear
        in messages.
    :param timeout: seconds to wait for each answer.
    :param graphs: the named graphs whose union is the default graph; ``None`` finds the data graphs
        (the catalog's, else the store's) at the first query. An empty list leaves queries untouched (the store's own
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
        self._probing = threading.Lock()
        #: A triple of the catalog in graph:derived, once found: what the union probe looks for.
        self._catalogued: tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode] | None = None

    @property
    def description(self) -> str:
        return f"endpoint {self.endpoint}"

    @property
    def graphs(self) -> list[str]:
        """The named graphs queries see as their default graph: given, or the data graphs (found once).

        Where a load left its catalog in graph:derived, the graphs it names, as they are: one lookup,
        and a catalogued graph the store does not hold (the shapes, which a load does not send) is
        simply empty to every query. Without a catalog, the store's graphs that use the vocabulary.
        """
        if self._graphs is None:
            catalogued = self._request(CATALOG_QUERY, name="graph catalog").rows
            entry = next((row[0] for row in catalogued if isinstance(row[0], ox.NamedNode)), None)
            if entry is not None:
                self._catalogued = (ox.NamedNode(DATASET), ox.NamedNode(SD.namedGraph), entry)
                self._graphs = sorted({row[1].value for row in catalogued if isinstance(row[1], ox.NamedNode)})
            else:
                self._graphs = self._listed_data_graphs()
        return self._graphs

    @property
    def catalogued(self) -> bool:
        """Whether the data graphs are those of a load's catalog (:data:`CATALOG_PATTERN` names them)."""
        _ = self.graphs  # the catalog is looked up with the graphs, once
        return self._catalogued is not None

    def data_triples(self) -> int:
        """How many triples the catalogued graphs hold, the shapes graph left out."""
        shapes = f"FILTER(?g != <{SHAPES_GRAPH}>)"
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {self.catalog()} {shapes} GRAPH ?g {{ ?s ?p ?o }} }}"
        answer = self._request(query, name="triple count")
        count = answer.rows[0][0] if answer.rows else None
        if not isinstance(count, ox.Literal) or not count.value.isdigit():
            raise EndpointError(self.endpoint, f"answered the triple count with {count}, not a number")
        return int(count.value)

    def held(self, iris: Iterable[str]) -> set[str]:
        """Of ``iris``, those a data graph (of :attr:`graphs`) holds as a subject or an object.

        A store whose default graph is more than the data graphs (Virtuoso's holds its own system
        graphs) can show nodes no data graph has: this tells them apart, a block of IRIs per query.
        The graphs are compared here: joined with the catalog in the query, Oxigraph server took
        minutes for a thousand IRIs at 1M triples, against 0.1 s.
        """
        data = set(self.graphs)
        held: set[str] = set()
        for values in values_blocks("x", [ox.NamedNode(i) for i in sorted(set(iris))], size=GRAPHS_PER_QUERY):
            either = "{ GRAPH ?g { ?x ?p ?o } } UNION { GRAPH ?g { ?s ?p ?x } }"
            query = f"SELECT DISTINCT ?x ?g WHERE {{ {values} {either} }}"
            for x, g in self._request(query, name="node lookup").rows:
                if isinstance(x, ox.NamedNode) and isinstance(g, ox.NamedNode) and g.value in data:
                    held.add(x.value)
        return held

    def catalog(self, var: str = "?g") -> str:
        """:data:`CATALOG_PATTERN` binding ``var`` to each data graph, where the store has a load's catalog."""
        if not self.catalogued:
            raise EndpointError(
                self.endpoint,
                f"holds no catalog of its data graphs in <{DERIVED_GRAPH}>: was it filled by claimgraph load?",
            )
        return CATALOG_PATTERN.replace("?g", var)

    def _listed_data_graphs(self) -> list[str]:
        """Every named graph of the store that uses the vocabulary (on Virtuoso 7.2 the listing reads
        every quad of the store), checked in chunks: FILTER EXISTS stops at a graph's first such triple
        instead of testing every triple of the store (1M: 9 s to 1 s)."""
        listed = self._request(NAMED_GRAPHS_QUERY, name="graph listing").rows
        names = sorted({row[0].value for row in listed if isinstance(row[0], ox.NamedNode)})
        graphs: list[str] = []
        for values in values_blocks("g", [ox.NamedNode(g) for g in names], size=GRAPHS_PER_QUERY):
            data = self._request(DATA_GRAPHS_QUERY.replace("VALUES_BLOCK", values), name="graph listing")
            graphs += (row[0].value for row in data.rows if isinstance(row[0], ox.NamedNode))
        return sorted(graphs)

    def _union_by(self) -> str:
        """How queries come to see the union of the data graphs, probed once (see the module docstring).

        Callers in several threads (contradictions asks its queries concurrently) wait for the one probe:
        none may see a guess before the answer (with ``from``, a long graph list, Virtuoso refuses the
        query as too costly).
        """
        with self._probing:
            if self._union is None:
                self._union = self._probe_union()
        return self._union

    def _probe_union(self) -> str:
        """``store``, ``option`` or ``from``: by one catalog triple where there is a catalog (Virtuoso's
        union default graph has every triple, so a search for one missing reads every quad), else by
        a named-graph triple the default graph lacks."""
        if self._catalogued is not None:
            known = self._catalogued
            if self._request(_ask_triple(known), name="default graph probe").boolean:
                return "store"
            missing: tuple[Term | None, ...] = known
        else:
            rows = self._request(_NOT_UNION_PROBE, name="default graph probe").rows
            if not rows:
                return "store"
            missing = rows[0]
        try:
            if self._union_option_works(missing):
                return "option"
        except EndpointError:
            pass  # a store that refuses the option gets the graphs named in each request
        return "from"

    def _union_option_works(self, missing: tuple[Term | None, ...]) -> bool:
        """Whether Oxigraph's option makes the default graph the union: it does so whole or not at all,
        so one triple the store's own default graph lacks tells (no second scan of the store); a
        triple with a blank node cannot be named, and then every triple is checked."""
        if all(isinstance(t, ox.NamedNode | ox.Literal) for t in missing):
            return bool(self._request(_ask_triple(missing), name="default graph probe", options=_UNION_OPTION).boolean)
        everything = "ASK { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } }"
        return not self._request(everything, name="default graph probe", options=_UNION_OPTION).boolean

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

    def solutions(self, query: str, *, name: str = "query") -> Iterator[tuple[Term | None, ...]]:
        """The rows of a SELECT query that names its own graphs, read as they arrive (never held whole).

        For results too large to hold (a whole store's triples): memory holds one chunk of the answer
        at a time. Only W3C SPARQL JSON results are asked for; Virtuoso's are normalised on the way.

        :raises EndpointError: if the endpoint fails, caps the rows, or answers with something else
            than SPARQL JSON results, or with a document cut short or garbled.
        """
        refuse_service(query, name=name)
        with self._transport.query_stream(
            self.endpoint, query, name=name, accept="application/sparql-results+json"
        ) as response:
            content_type = response.headers.get("Content-Type", "")
            _check_answer(
                self.endpoint, name, content_type, response.headers.get("X-SPARQL-MaxRows"), ("json",),
                lambda: response.read(4096),
            )
            try:
                reader = io.BufferedReader(NormalisingReader(response))
                parsed = ox.parse_query_results(reader, format=ox.QueryResultsFormat.JSON)
                if not isinstance(parsed, ox.QuerySolutions):
                    raise ValueError("an ASK answer")
                for solution in parsed:
                    yield tuple(solution)
            except (SyntaxError, ValueError) as error:
                raise EndpointError(self.endpoint, f"answered {name} with unreadable results: {error}") from None
            except (OSError, http.client.HTTPException) as error:
                raise EndpointError(self.endpoint, f"broke off its answer to {name}: {error}") from None

    def _request(self, query: str, *, name: str, options: Sequence[tuple[str, str]] = ()) -> QueryResults:
        answer = self._transport.query(self.endpoint, query, name=name, accept=_ACCEPT, options=options)
        content_type, body = answer.content_type, answer.body
        _check_answer(
            self.endpoint, name, content_type, answer.headers.get("X-SPARQL-MaxRows"), _RESULTS_TYPES, lambda: body
        )
        try:
            if "xml" in content_type:
                # pyoxigraph reads a cut-off XML document as complete (fewer rows, no error).
                if (fault := xml_fault(body)) is not None:
                    raise ValueError(f"line {fault[0]}, column {fault[1]}: {fault[2]}")
                body = xml_results_to_json(body)  # not pyoxigraph's XML reader: it trims literals
            return QueryResults.from_json(normalise_json_results(body))
        except (SyntaxError, ValueError) as error:
            raise EndpointError(self.endpoint, f"answered {name} with unreadable results: {error}") from None


#: The graph pattern binding ``?g`` to each graph of the data's catalog in graph:derived
#: (:func:`claimgraph.io.derived.catalog`): one ``?entry`` and one name per graph, found through the
#: derived graph's index entries alone.
CATALOG_PATTERN = f"GRAPH <{DERIVED_GRAPH}> {{ <{DATASET}> <{SD.namedGraph}> ?entry . ?entry <{SD.name}> ?g }}"

#: The catalog's entries and graphs.
CATALOG_QUERY = f"""SELECT ?entry ?g WHERE {{
  {CATALOG_PATTERN}
}}"""

#: Every named graph of the store: grouped, not DISTINCT, which Virtuoso 7.2 took 6.5 s to answer for
#: 500 graphs of one triple each, and past its 60 s limit for 2,000 (the grouping: 0.01 s).
NAMED_GRAPHS_QUERY = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"

#: Of the graphs in VALUES_BLOCK, those holding claimgraph data: any that uses the ``cg:`` vocabulary
#: (store system graphs do not).
DATA_GRAPHS_QUERY = f"""SELECT ?g WHERE {{
  VALUES_BLOCK
  FILTER EXISTS {{
    GRAPH ?g {{ ?s ?p ?o }}
    FILTER(STRSTARTS(STR(?p), "{CG}") || (isIRI(?o) && STRSTARTS(STR(?o), "{CG}"))
           || (isIRI(?s) && STRSTARTS(STR(?s), "{CG}")))
  }}
}}"""

#: Graphs listed in one query at most (the listing's per-graph test, the fetch's groups of graphs): within
#: Virtuoso 7.2's limit on a VALUES block (:data:`~claimgraph.sparql.lexer.MAX_VALUES`).
GRAPHS_PER_QUERY = 1_000

#: A named-graph triple that is not in the default graph: none when the default graph is the union.
_NOT_UNION_PROBE = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } } LIMIT 1"

#: Oxigraph server's protocol option making the default graph the union of the named graphs.
_UNION_OPTION = (("union-default-graph", ""),)

#: The W3C SPARQL results formats the engine reads; their content types are recognised by their endings.
_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
_RESULTS_TYPES = ("json", "xml")

_UNAUTHORIZED = "wrong or missing credentials (URL form http://USER:PASSWORD@host/…): {said}"


def _check_answer(
    endpoint: str,
    name: str,
    content_type: str,
    capped_at: str | None,
    types: tuple[str, ...],
    body: Callable[[], bytes],
) -> None:
    """Refuse an answer that is no SPARQL results of ``types`` (content types by their endings), or
    one the store cut at its row cap.

    :param capped_at: the answer's ``X-SPARQL-MaxRows`` header, if any.
    :param body: what the answer says, read only to quote it in the error.
    """
    if not content_type.split(";")[0].strip().lower().endswith(types):
        kind = "SPARQL JSON results" if types == ("json",) else "SPARQL results"
        raise EndpointError(
            endpoint,
            f"answered {name} with {content_type or 'no Content-Type'}, not {kind}"
            f" ({clip(server_text(body(), content_type))}): is this a SPARQL query endpoint?",
        )
    if capped_at is not None:
        raise RowCapError(
            endpoint,
            f"cut {name} at its row cap of {capped_at} rows (X-SPARQL-MaxRows), so the results may be"
            " partial and none are used: raise the store's limit (Virtuoso: [SPARQL] ResultSetMaxRows)",
            cap=int(capped_at) if capped_at.strip().isdigit() else 0,
        )


def _ask_triple(triple: Sequence[Term | None]) -> str:
    """Whether the default graph holds ``triple`` (IRIs and literals, bound as VALUES)."""
    return "ASK { " + values_block({v: [t] for v, t in zip("spo", triple, strict=True) if t}) + " ?s ?p ?o }"


def _syntax_error(name: str, message: str) -> QuerySyntaxError:
    from pathlib import Path

    match = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    if match:
        said = clip(" ".join(match.group(3).split()))  # the parser lists every token it expected, over lines
        return QuerySyntaxError(Path(name), said, line=int(match.group(1)), column=int(match.group(2)))
    return QuerySyntaxError(Path(name), clip(" ".join(message.split())))
