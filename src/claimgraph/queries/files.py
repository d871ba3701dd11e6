"""Canned SPARQL query files: their ``#+`` headers, typed parameters, and running them.

A query file is plain SPARQL 1.1 whose first lines carry YAML metadata behind ``#+`` (grlc style), so
the file stays valid SPARQL for any store::

    #+ summary: The full provenance chain of one claim
    #+ tags: [provenance]
    #+ parameters:
    #+   claim:
    #+     type: iri
    #+     description: The claim
    #+     example: claim:us-intel-rejects-no-threat

Parameters are bound as RDF terms by the engine (see :mod:`claimgraph.sparql`); each must be named in
the SELECT clause. Contradiction queries are the files ``contradictions-KIND.rq``; each returns one row
per pair with at least ``?claim1``, ``?claim2`` and ``?reasons`` (:mod:`claimgraph.queries.contradictions`
explains them; :mod:`claimgraph.queries.render` presents results).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from claimgraph.errors import (
    DerivedGraphMissingError,
    InputError,
    QueryHeaderError,
    QueryNotFoundError,
    QueryParameterError,
)
from claimgraph.namespaces import DERIVED_GRAPH, PREFIXES, XSD
from claimgraph.sparql.engines import Engine, QueryResults, RemoteEngine
from claimgraph.terms import Term

#: The header marker, at the start of a line.
HEADER_MARK = "#+"
#: Header keys, and parameter keys.
HEADER_KEYS = ("summary", "description", "tags", "parameters")
PARAMETER_KEYS = ("type", "description", "required", "default", "example")

#: Parameter types: what each accepts, for messages and help.
PARAMETER_TYPES: dict[str, str] = {
    "iri": "an IRI: a CURIE with a known prefix (actor:russia) or a full IRI (https://… or <…>)",
    "string": "a string",
    "integer": "an integer such as 42",
    "decimal": "a decimal number such as 0.25",
    "boolean": "true or false",
    "date": "a date YYYY-MM-DD",
    "year": "a year YYYY",
    "year-month": "a year and month YYYY-MM",
}

#: Contradiction kinds from the strongest to the weakest, the order of the report; any further
#: ``contradictions-*.rq`` follow alphabetically. A pair found by several kinds is listed once, under
#: the first of them (docs/queries.md).
KIND_ORDER = (
    "direct-opposition",
    "incompatible-propositions",
    "denied-consequence",
    "public-line-vs-intelligence",
    "incompatible-positions",
    "position-against-proposal",
    "reversal",
    "support-based-tension",
)
CONTRADICTION_PREFIX = "contradictions-"

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


# --- Query files ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    """A declared query parameter.

    :ivar name: the SPARQL variable it binds (without ``?``).
    :ivar type: one of :data:`PARAMETER_TYPES`.
    :ivar required: whether the query needs it (default: required unless it has a default).
    :ivar default: the value used when it is not given (raw text, parsed like user input).
    :ivar example: a value to show in help and to test with.
    """

    name: str
    type: str
    description: str = ""
    required: bool = True
    default: str | None = None
    example: str | None = None

    def parse(self, raw: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for ``raw``.

        :raises ValueError: with what was expected, if ``raw`` is not of this parameter's type.
        """
        return parse_term(self.type, raw)


@dataclass(frozen=True)
class Query:
    """A SPARQL query with its header.

    :ivar name: the file name without ``.rq``.
    :ivar path: the file.
    :ivar text: the whole file, header included (a SPARQL comment).
    """

    name: str
    path: Path
    text: str
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()

    def parameter(self, name: str) -> Parameter | None:
        """The declared parameter ``name``, if any."""
        return next((p for p in self.parameters if p.name == name), None)

    @property
    def kind(self) -> str | None:
        """The contradiction kind this query finds, if it is a contradiction query."""
        return self.name.removeprefix(CONTRADICTION_PREFIX) if self.name.startswith(CONTRADICTION_PREFIX) else None


def load_query(path: Path) -> Query:
    """Read a query file and its ``#+`` header.

    :raises InputError: if the file cannot be read or is not UTF-8.
    :raises QueryHeaderError: if the header is malformed, naming file and line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InputError(path, f"not UTF-8: {error.reason}") from None
    except OSError as error:
        raise InputError(path, error.strerror or str(error)) from None
    return parse_query(text, path=path)


def parse_query(text: str, *, path: Path) -> Query:
    """Parse the ``#+`` header of query ``text`` read from ``path``.

    The header is the run of ``#+`` lines at the top of the file; a ``#+`` line anywhere else is an
    error, as is a header that is not a YAML mapping of known keys with values of the right types.

    :raises QueryHeaderError: naming ``path`` and the offending line.
    """
    import yaml

    lines = text.splitlines()
    count = 0
    while count < len(lines) and lines[count].startswith(HEADER_MARK):
        count += 1
    for number, line in enumerate(lines[count:], start=count + 1):
        if line.lstrip().startswith(HEADER_MARK):
            raise QueryHeaderError(path, "header line after the header: '#+' lines must open the file", line=number)
    name = path.name.removesuffix(".rq")
    if count == 0:
        return Query(name=name, path=path, text=text)
    body = "\n".join(_unmark(line) for line in lines[:count])
    try:
        node = yaml.compose(body, Loader=yaml.SafeLoader)
        data = yaml.safe_load(body)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        at = mark.line + 1 if mark is not None else 1
        raise QueryHeaderError(path, f"malformed header: {problem}", line=at) from None
    except yaml.YAMLError as error:
        raise QueryHeaderError(path, f"malformed header: {error}", line=1) from None
    header = _Header(path, text)
    return header.build(name, node, data)


def _unmark(line: str) -> str:
    rest = line[len(HEADER_MARK) :]
    return rest[1:] if rest.startswith(" ") else rest


class _Header:
    """Checks a composed YAML header node by node, so every error can name its line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, node: Any, message: str) -> QueryHeaderError:
        return QueryHeaderError(self.path, message, line=node.start_mark.line + 1)

    def mapping(self, node: Any, what: str) -> dict[str, tuple[Any, Any]]:
        import yaml

        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping of keys to values")
        entries: dict[str, tuple[Any, Any]] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise self.fail(key, f"{what}: keys must be plain names")
            if key.value in entries:
                raise self.fail(key, f"{what}: duplicate key {key.value!r}")
            entries[key.value] = (key, value)
        return entries

    def build(self, name: str, node: Any, data: Any) -> Query:
        if node is None:
            raise QueryHeaderError(self.path, "empty header: give at least a summary", line=1)
        entries = self.mapping(node, "the header")
        for key, (key_node, _) in entries.items():
            if key not in HEADER_KEYS:
                raise self.fail(key_node, f"unknown header key {key!r} (expected one of: {', '.join(HEADER_KEYS)})")
        if "summary" not in entries:
            raise self.fail(node, "the header has no summary")
        summary = self.text_value(entries["summary"], data["summary"], "summary", required=True)
        description = ""
        if "description" in entries:
            description = self.text_value(entries["description"], data["description"], "description")
        tags: tuple[str, ...] = ()
        if "tags" in entries:
            tags_node = entries["tags"][1]
            value = data["tags"]
            if not isinstance(value, list) or not all(isinstance(t, str) and t for t in value):
                raise self.fail(tags_node, "tags must be a list of names, e.g. [contradiction]")
            tags = tuple(value)
        parameters: tuple[Parameter, ...] = ()
        if "parameters" in entries:
            parameters = self.parameters(entries["parameters"][1], data["parameters"])
        return Query(
            name=name,
            path=self.path,
            text=self.text,
            summary=summary,
            description=description,
            tags=tags,
            parameters=parameters,
        )

    def text_value(self, entry: tuple[Any, Any], value: Any, key: str, *, required: bool = False) -> str:
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(entry[1], f"{key} must be {'non-empty ' if required else ''}text")
        return " ".join(value.split())

    def parameters(self, node: Any, data: Any) -> tuple[Parameter, ...]:
        result = []
        for pname, (key_node, value_node) in self.mapping(node, "parameters").items():
            if not _NAME.match(pname):
                raise self.fail(key_node, f"parameter name {pname!r} is not a SPARQL variable name")
            if not re.search(rf"[?$]{pname}\b", self.text):
                raise self.fail(key_node, f"parameter {pname!r} does not occur in the query as ?{pname}")
            spec = data[pname]
            fields = self.mapping(value_node, f"parameter {pname!r}")
            for key, (knode, _) in fields.items():
                if key not in PARAMETER_KEYS:
                    expected = ", ".join(PARAMETER_KEYS)
                    raise self.fail(knode, f"parameter {pname!r}: unknown key {key!r} (expected one of: {expected})")
            if "type" not in fields:
                raise self.fail(value_node, f"parameter {pname!r} has no type")
            ptype = spec["type"]
            if ptype not in PARAMETER_TYPES:
                raise self.fail(
                    fields["type"][1],
                    f"parameter {pname!r}: unknown type {ptype!r} (expected one of: {', '.join(PARAMETER_TYPES)})",
                )
            description = ""
            if "description" in fields:
                description = self.text_value(fields["description"], spec["description"], "description")
            default = self.raw_value(fields, spec, "default", pname, ptype)
            example = self.raw_value(fields, spec, "example", pname, ptype)
            required = default is None
            if "required" in fields:
                if not isinstance(spec["required"], bool):
                    raise self.fail(fields["required"][1], f"parameter {pname!r}: required must be true or false")
                required = spec["required"]
                if required and default is not None:
                    raise self.fail(fields["required"][1], f"parameter {pname!r}: a required parameter has no default")
            result.append(Parameter(pname, ptype, description, required, default, example))
        return tuple(result)

    def raw_value(self, fields: dict[str, tuple[Any, Any]], spec: Any, key: str, pname: str, ptype: str) -> str | None:
        if key not in fields:
            return None
        value = spec[key]
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, int | float | datetime.date):
            value = value.isoformat() if isinstance(value, datetime.date) else str(value)
        if not isinstance(value, str):
            raise self.fail(fields[key][1], f"parameter {pname!r}: {key} must be a single value")
        try:
            parse_term(ptype, value)
        except ValueError as error:
            raise self.fail(fields[key][1], f"parameter {pname!r}: {key} {value!r} is not {error}") from None
        return value


def queries_dir(root: Path) -> Path:
    """The ``queries/`` directory of a data directory."""
    return root / "queries"


def canned_queries(directory: Path) -> dict[str, Query]:
    """Every ``*.rq`` in ``directory``, by name, sorted.

    :raises QueryHeaderError: if any header is malformed.
    """
    if not directory.is_dir():
        return {}
    return {p.name.removesuffix(".rq"): load_query(p) for p in sorted(directory.glob("*.rq"))}


def resolve_query(spec: str, directory: Path) -> Query:
    """The canned query named ``spec``, or the query file at path ``spec``.

    :raises QueryNotFoundError: if it is neither.
    """
    candidate = directory / f"{spec}.rq"
    if "/" not in spec and not spec.endswith(".rq") and candidate.is_file():
        return load_query(candidate)
    path = Path(spec)
    if path.is_file():
        return load_query(path)
    known = sorted(canned_queries(directory))
    raise QueryNotFoundError(spec, directory, known)


# --- Parameters ----------------------------------------------------------------------------------

_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_YEAR = re.compile(r"[0-9]{4}\Z")
_YEAR_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])\Z")
_CURIE = re.compile(r"([A-Za-z][A-Za-z0-9_-]*):(\S*)\Z")
_IRI_SCHEMES = ("http", "https", "urn")


def parse_term(ptype: str, raw: str) -> ox.NamedNode | ox.Literal:
    """Parse ``raw`` user text as an RDF term of parameter type ``ptype``.

    :raises ValueError: whose message says what was expected (see :data:`PARAMETER_TYPES`).
    """
    expected = PARAMETER_TYPES[ptype]
    if ptype == "string":
        return ox.Literal(raw)
    if ptype == "iri":
        return _parse_iri(raw, expected)
    value = raw.strip()
    if ptype == "integer" and _INTEGER.match(value):
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD.integer))
    if ptype == "decimal" and _DECIMAL.match(value):
        return ox.Literal(value, datatype=ox.NamedNode(XSD.decimal))
    if ptype == "boolean" and value.lower() in ("true", "false"):
        return ox.Literal(value.lower(), datatype=ox.NamedNode(XSD.boolean))
    if ptype == "date" and _DATE.match(value):
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{expected} (no such day)") from None
        return ox.Literal(value, datatype=ox.NamedNode(XSD.date))
    if ptype == "year" and _YEAR.match(value):
        return ox.Literal(value, datatype=ox.NamedNode(XSD.gYear))
    if ptype == "year-month" and _YEAR_MONTH.match(value):
        return ox.Literal(value, datatype=ox.NamedNode(XSD.gYearMonth))
    raise ValueError(expected)


def _parse_iri(raw: str, expected: str) -> ox.NamedNode:
    value = raw.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    elif match := _CURIE.match(value):
        prefix, local = match.groups()
        if prefix in PREFIXES:
            value = PREFIXES[prefix] + local
        elif prefix.lower() not in _IRI_SCHEMES:
            known = ", ".join(f"{p}:" for p in PREFIXES)
            raise ValueError(f"{expected}; unknown prefix {prefix}: (known: {known})")
    else:
        raise ValueError(expected)
    try:
        return ox.NamedNode(value)
    except ValueError:
        raise ValueError(expected) from None


def parse_assignments(query: Query, items: Iterable[str]) -> dict[str, str]:
    """``NAME=VALUE`` texts (from ``--param``) as a mapping.

    :raises QueryParameterError: for an item without ``=`` or a name given twice.
    """
    result: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise QueryParameterError(query.name, item, "expected NAME=VALUE")
        if name in result:
            raise QueryParameterError(query.name, name, "given twice")
        result[name] = value
    return result


def bind_parameters(query: Query, raw: Mapping[str, str]) -> dict[str, Term]:
    """Parse and check ``raw`` parameter values against the query's declarations.

    :returns: RDF terms by variable name (defaults filled in, optional ones omitted).
    :raises QueryParameterError: for an unknown, missing or ill-typed parameter.
    """
    for name in raw:
        if query.parameter(name) is None:
            takes = ", ".join(p.name for p in query.parameters)
            reason = f"unknown; this query takes: {takes}" if takes else "unknown; this query takes no parameters"
            raise QueryParameterError(query.name, name, reason)
    bound: dict[str, Term] = {}
    for parameter in query.parameters:
        value = raw.get(parameter.name, parameter.default)
        if value is None:
            if parameter.required:
                raise QueryParameterError(
                    query.name,
                    parameter.name,
                    f"missing; give --param {parameter.name}=VALUE, {PARAMETER_TYPES[parameter.type]}",
                )
            continue
        try:
            bound[parameter.name] = parameter.parse(value)
        except ValueError as error:
            raise QueryParameterError(query.name, parameter.name, f"{value!r} is not {error}") from None
    return bound


def run_query(engine: Engine, query: Query, raw: Mapping[str, str] | None = None) -> QueryResults:
    """Bind the parameters ``raw`` and evaluate ``query`` on ``engine``.

    :raises QueryParameterError: for a missing or ill-typed parameter.
    :raises QuerySyntaxError: if the query does not parse.
    :raises QueryError: if the engine fails on it.
    :raises EndpointError: if a remote endpoint fails, or lacks the derived graph a query tagged
        ``derived`` reads.
    """
    bindings = bind_parameters(query, raw or {})
    if "derived" in query.tags:
        require_derived(engine)
    return engine.select(query.text, bindings=bindings, name=str(query.path))


def require_derived(engine: Engine) -> None:
    """Refuse to run queries that read the derived graph on an endpoint whose data graphs lack it (they
    would silently find less).

    :raises DerivedGraphMissingError: naming the endpoint and the graph.
    """
    if isinstance(engine, RemoteEngine):
        graphs = engine.graphs
        if graphs and DERIVED_GRAPH not in graphs:
            raise DerivedGraphMissingError(engine.endpoint, DERIVED_GRAPH)
