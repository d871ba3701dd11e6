"""Canned SPARQL queries: their ``#+`` headers, typed parameters, running them, and presenting results.

A query file is plain SPARQL 1.1 whose first lines carry YAML metadata behind ``#+`` (grlc style), so
the file stays valid SPARQL for any store::

    #+ summary: The full provenance chain of one claim
    #+ tags: [provenance]
    #+ parameters:
    #+   claim:
    #+     type: iri
    #+     description: The claim
    #+     example: claim:us-intel-rejects-no-threat

Parameters are bound as RDF terms by the engine (see :mod:`claimgraph.stores`); each must be named in
the SELECT clause. Contradiction queries are the files ``contradictions-KIND.rq``; each returns one row
per pair with at least ``?claim1``, ``?claim2`` and ``?reasons``, and :func:`find_contradictions` adds
each side's claimant, proposition, stance, affiliations and provenance.

This module also holds the presentation of results (tables, the contradictions report), so the
command line only picks a format and prints.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import InputError, QueryError, QueryHeaderError, QueryNotFoundError, QueryParameterError, UnknownKindError
from .namespaces import CG, PREFIXES, XSD, curie
from .stores import Engine, QueryResults, Term, scan, values_block

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

#: Contradiction kinds in report order; any further ``contradictions-*.rq`` follow alphabetically.
KIND_ORDER = (
    "direct-opposition",
    "incompatible-propositions",
    "public-line-vs-intelligence",
    "incompatible-positions",
    "reversal",
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
    :raises EndpointError: if a remote endpoint fails.
    """
    bindings = bind_parameters(query, raw or {})
    return engine.select(query.text, bindings=bindings, name=str(query.path))


# --- Contradictions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RelayStep:
    """One intermediary a claim passed through (order 1 nearest the claimant)."""

    order: int
    agent: str
    agent_label: str
    act: str | None
    via: str | None
    via_label: str | None


@dataclass(frozen=True)
class EvidenceTrail:
    """Where and how we read a claim: document, quotation and relay chain."""

    evidence: str
    document: str
    document_label: str
    quote_mode: str | None
    quote: str | None
    relay: tuple[RelayStep, ...]


@dataclass(frozen=True)
class Side:
    """One claim of a contradiction, explained."""

    claim: str
    claimant: str
    claimant_label: str
    claimant_affiliations: tuple[str, ...]
    proposition: str
    proposition_label: str
    stance: str
    claim_kind: str | None
    date: str | None
    sources: tuple[str, ...]
    evidence: tuple[EvidenceTrail, ...]


@dataclass(frozen=True)
class Contradiction:
    """Two claims that cannot both stand, of a named kind, with the reasons the query found."""

    kind: str
    reasons: tuple[str, ...]
    sides: tuple[Side, Side]

    def to_json(self) -> dict[str, Any]:
        """The object of DESIGN §6: ``kind`` and exactly two ``sides``."""
        return {"kind": self.kind, "reasons": list(self.reasons), "sides": [_side_json(s) for s in self.sides]}


def _side_json(side: Side) -> dict[str, Any]:
    data = asdict(side)
    data["claimant_affiliations"] = list(side.claimant_affiliations)
    data["sources"] = list(side.sources)
    data["evidence"] = [{**asdict(e), "relay": [asdict(r) for r in e.relay]} for e in side.evidence]
    return data


def contradiction_queries(directory: Path) -> dict[str, Query]:
    """The contradiction queries in ``directory`` by kind, in report order."""
    found = {q.kind: q for q in canned_queries(directory).values() if q.kind}
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    return {k: found[k] for k in sorted(found, key=lambda k: (order.get(k, len(order)), k))}


def find_contradictions(engine: Engine, directory: Path, kinds: Sequence[str] = ()) -> list[Contradiction]:
    """Run the contradiction queries (all, or those of ``kinds``) and explain each pair found.

    Only the pairs are asked of the engine (see :func:`pairs_query`): :func:`explain_claims` then
    explains every claim once for all kinds, instead of each query explaining its rows again. The kinds
    run concurrently: Oxigraph releases the GIL while it evaluates, and a store serves requests in
    parallel. Contradictions come by kind in report order, then by claim IRIs.

    :raises QueryNotFoundError: if ``directory`` has no contradiction query at all.
    :raises UnknownKindError: if a kind has no ``contradictions-KIND.rq``.
    """
    available = contradiction_queries(directory)
    if not available:
        raise QueryNotFoundError(f"{CONTRADICTION_PREFIX}KIND", directory, sorted(canned_queries(directory)))
    for kind in kinds:
        if kind not in available:
            raise UnknownKindError(kind, list(available))
    selected = [available[k] for k in available if not kinds or k in kinds]
    with ThreadPoolExecutor(max_workers=min(len(selected), os.cpu_count() or 1)) as pool:
        found = list(pool.map(lambda query: _pairs(engine, query), selected))
    claims = sorted({c for pairs in found for a, b in pairs for c in (a, b)})
    sides = explain_claims(engine, claims, complete_only=True)
    return [
        Contradiction(query.kind or "", tuple(sorted(reasons)), (sides[a], sides[b]))
        for query, pairs in zip(selected, found, strict=True)
        for (a, b), reasons in sorted(pairs.items())
        if a in sides and b in sides
    ]


def pairs_query(query: Query) -> str:
    """The text that finds a contradiction query's pairs: the sub-select that opens its WHERE group.

    That is the convention of the bundled queries, whose outer query only adds explanation columns;
    a query without such a sub-select (projecting ``?claim1`` and ``?claim2``) is returned whole.
    """
    shape = scan(query.text, name=str(query.path))
    if shape.leading_select is None:
        return query.text
    start, end = shape.leading_select
    projection = re.sub(r"#[^\n]*", "", query.text[start:end]).split("{", 1)[0]  # comments out, up to WHERE's group
    if not all(re.search(rf"[?$]{v}\b", projection) for v in ("claim1", "claim2")):
        return query.text
    return query.text[: shape.form_at] + query.text[start:end]  # the prologue (prefixes), then the sub-select


def _pairs(engine: Engine, query: Query) -> dict[tuple[str, str], set[str]]:
    """The pairs (claim1, claim2) a contradiction query finds, each with its reasons."""
    results = engine.select(pairs_query(query), name=str(query.path))
    for variable in ("claim1", "claim2"):
        if variable not in results.variables:
            raise QueryError(str(query.path), f"a contradiction query must select ?{variable}")
    pairs: dict[tuple[str, str], set[str]] = {}
    for row in results:
        claim1, claim2 = row.get("claim1"), row.get("claim2")
        if not isinstance(claim1, ox.NamedNode) or not isinstance(claim2, ox.NamedNode):
            continue
        reasons = pairs.setdefault((claim1.value, claim2.value), set())
        for column in ("reason", "reasons"):
            given = row.get(column)
            if isinstance(given, ox.Literal):
                reasons.update(r for r in given.value.split("; ") if r)
    return pairs


#: Most claims to name in one VALUES block; more are asked in several queries (bounded request size).
MAX_VALUES = 2000

_QUERY_PREFIXES = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("cg", "rdfs", "dcterms", "oa"))
_AFFILIATION_PATH = "(cg:affiliatedWith|cg:memberOf|cg:partOf|cg:governmentOf|cg:representativeOf)+"

_CLAIM_FACTS = (
    _QUERY_PREFIXES
    + """SELECT ?claim ?claimant ?claimant_label ?proposition ?proposition_label ?stance ?claim_kind ?date WHERE {
  ?claim cg:claimant ?claimant ; cg:proposition ?proposition ; cg:stance ?stance .
  OPTIONAL { ?claim cg:claimKind ?claim_kind }
  OPTIONAL { ?claim dcterms:date ?date }
  OPTIONAL { ?claimant rdfs:label ?claimant_label }
  OPTIONAL { ?proposition rdfs:label ?proposition_label }
}"""
)

_CLAIM_AFFILIATIONS = (
    _QUERY_PREFIXES
    + f"""SELECT DISTINCT ?claim ?affiliation ?affiliation_label WHERE {{
  ?claim cg:claimant ?claimant .
  ?claimant {_AFFILIATION_PATH} ?affiliation .
  OPTIONAL {{ ?affiliation rdfs:label ?affiliation_label }}
}}"""
)

_CLAIM_EVIDENCE = (
    _QUERY_PREFIXES
    + """SELECT ?claim ?evidence ?document ?document_label ?quote_mode ?quote WHERE {
  ?claim cg:evidence ?evidence .
  ?evidence cg:foundIn ?document .
  OPTIONAL { ?document rdfs:label ?document_label }
  OPTIONAL { ?evidence cg:quoteMode ?quote_mode }
  OPTIONAL { ?evidence cg:anchor/oa:hasSelector/oa:exact ?quote }
}"""
)

# Apart from the documents: two queries that run in parallel, and cheaper than one with the relay nested.
_CLAIM_RELAY = (
    _QUERY_PREFIXES
    + """SELECT ?claim ?evidence ?order ?agent ?agent_label ?act ?via ?via_label WHERE {
  ?claim cg:evidence ?evidence .
  ?evidence cg:relay ?step .
  ?step cg:relayOrder ?order ; cg:relayAgent ?agent .
  OPTIONAL { ?agent rdfs:label ?agent_label }
  OPTIONAL { ?step cg:relayAct ?act }
  OPTIONAL { ?step cg:viaSource ?via . OPTIONAL { ?via rdfs:label ?via_label } }
}"""
)

_EXPLANATIONS = (
    (_CLAIM_FACTS, "claim facts"),
    (_CLAIM_AFFILIATIONS, "claim affiliations"),
    (_CLAIM_EVIDENCE, "claim evidence"),
    (_CLAIM_RELAY, "claim relay"),
)


def explain_claims(engine: Engine, claims: Sequence[str], *, complete_only: bool = False) -> dict[str, Side]:
    """Each claim's claimant, proposition, stance, affiliations and provenance, by claim IRI.

    A claim without claimant, proposition or stance is an error, or left out with ``complete_only``.

    Four queries, restricted to ``claims`` by VALUES blocks written from the IRIs as terms, each of
    at most :data:`MAX_VALUES` claims. (Reading every claim instead costs more even for most of them:
    at 1M triples, 2,849 of 25,875 claims take 0.8 s in blocks and 4.3 s read whole.)
    """
    if not claims:
        return {}
    terms = [ox.NamedNode(c) for c in claims]

    asked = [(text, name, start) for text, name in _EXPLANATIONS for start in range(0, len(terms), MAX_VALUES)]

    def select(item: tuple[str, str, int]) -> list[dict[str, Term]]:
        text, name, start = item
        block = values_block({"claim": terms[start : start + MAX_VALUES]}, name=name)
        return engine.select(scan(text, name=name).insert_values(block), name=name).dicts()

    # Concurrently, like the contradiction queries: each query and block is independent.
    answers: dict[str, list[dict[str, Term]]] = {name: [] for _, name in _EXPLANATIONS}
    with ThreadPoolExecutor(max_workers=min(len(asked), os.cpu_count() or 1)) as pool:
        for (_, name, _), rows in zip(asked, pool.map(select, asked), strict=True):
            answers[name] += rows
    facts: dict[str, dict[str, Term]] = {}
    for row in answers["claim facts"]:
        facts.setdefault(_text(row["claim"]), row)
    affiliations: dict[str, set[str]] = {}
    for row in answers["claim affiliations"]:
        label = _text(row.get("affiliation_label") or row["affiliation"])
        affiliations.setdefault(_text(row["claim"]), set()).add(label)
    trails: dict[str, dict[str, dict[str, Any]]] = {}
    for row in answers["claim evidence"]:
        trails.setdefault(_text(row["claim"]), {}).setdefault(
            _text(row["evidence"]),
            {
                "document": _text(row["document"]),
                "document_label": _text(row.get("document_label") or row["document"]),
                "quote_mode": _concept(row.get("quote_mode")),
                "quote": _optional_text(row.get("quote")),
                "relay": {},
            },
        )
    for row in answers["claim relay"]:
        trail = trails.get(_text(row["claim"]), {}).get(_text(row["evidence"]))
        if trail is not None:  # evidence found in no document has no trail
            step = RelayStep(
                order=int(_text(row["order"])),
                agent=_text(row["agent"]),
                agent_label=_text(row.get("agent_label") or row["agent"]),
                act=_concept(row.get("act")),
                via=_optional_text(row.get("via")),
                via_label=_optional_text(row.get("via_label") or row.get("via")),
            )
            trail["relay"][step.order, step.agent] = step
    sides: dict[str, Side] = {}
    for claim in claims:
        fact = facts.get(claim)
        if fact is None and complete_only:
            continue
        if fact is None:
            raise QueryError("contradictions", f"claim <{claim}> has no claimant, proposition or stance")
        trail_list = tuple(
            EvidenceTrail(
                evidence=iri,
                document=t["document"],
                document_label=t["document_label"],
                quote_mode=t["quote_mode"],
                quote=t["quote"],
                relay=tuple(step for _, step in sorted(t["relay"].items())),
            )
            for iri, t in sorted(trails.get(claim, {}).items())
        )
        sides[claim] = Side(
            claim=claim,
            claimant=_text(fact["claimant"]),
            claimant_label=_text(fact.get("claimant_label") or fact["claimant"]),
            claimant_affiliations=tuple(sorted(affiliations.get(claim, ()))),
            proposition=_text(fact["proposition"]),
            proposition_label=_text(fact.get("proposition_label") or fact["proposition"]),
            stance=_concept(fact["stance"]) or "",
            claim_kind=_concept(fact.get("claim_kind")),
            date=_optional_text(fact.get("date")),
            sources=_sources(trail_list),
            evidence=trail_list,
        )
    return sides


def _sources(evidence: Iterable[EvidenceTrail]) -> tuple[str, ...]:
    """Labels of what a claim came through, nearest the claimant first, the documents last."""
    labels: list[str] = []
    for trail in evidence:
        for step in trail.relay:
            labels.append(step.agent_label)
            if step.via_label:
                labels.append(step.via_label)
        labels.append(trail.document_label)
    return tuple(dict.fromkeys(labels))


def _text(term: Term) -> str:
    return str(term) if isinstance(term, ox.Triple) else term.value


def _optional_text(term: Term | None) -> str | None:
    return None if term is None else _text(term)


def _concept(term: Term | None) -> str | None:
    """A vocabulary concept as a short kebab-case word: ``cg:PublicStatement`` → ``public-statement``."""
    if term is None:
        return None
    value = _text(term)
    if isinstance(term, ox.NamedNode) and value.startswith(CG):
        local = value[len(CG) :]
        return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", local).lower()
    return curie(value) if isinstance(term, ox.NamedNode) else value


# --- Presentation --------------------------------------------------------------------------------

#: Widest cell in a table before it is cut with an ellipsis.
MAX_CELL = 60


def display(term: Term | None) -> str:
    """A term for human eyes: IRIs as CURIEs where a shared prefix fits, literals as their text."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        short = curie(term.value)
        return short if short != term.value else f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return " ".join(term.value.split())
    return str(term)


def table(header: Sequence[str], rows: Sequence[Sequence[str]], *, max_cell: int = MAX_CELL) -> str:
    """A plain-text table: a header, a rule, one line per row, columns padded to fit."""

    def cut(cell: str) -> str:
        return cell if len(cell) <= max_cell else cell[: max_cell - 1] + "…"

    cells = [[cut(c) for c in header], *[[cut(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def render_results(results: QueryResults, fmt: str) -> str:
    """Results as ``table`` (for people) or a W3C SPARQL 1.1 results format (``json``, ``csv``, ``tsv``)."""
    if fmt != "table":
        return results.serialize(fmt).decode("utf-8")
    if results.boolean is not None:
        return ("true" if results.boolean else "false") + "\n"
    body = table(results.variables, [[display(t) for t in row] for row in results.rows])
    count = len(results.rows)
    return body + f"({count} row{'' if count == 1 else 's'})\n"


def render_query_list(queries: Iterable[Query], fmt: str) -> str:
    """The canned queries with their summaries (``table``) or full headers (``json``)."""
    items = list(queries)
    if fmt == "json":
        document = [
            {
                "name": q.name,
                "summary": q.summary,
                "description": q.description,
                "tags": list(q.tags),
                "parameters": [asdict(p) for p in q.parameters],
            }
            for q in items
        ]
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    rows = []
    for q in items:
        params = " ".join(f"--param {p.name}={p.type.upper()}" + ("" if p.required else "?") for p in q.parameters)
        rows.append([q.name, q.summary + (f"  [{params}]" if params else "")])
    return table(["query", "summary"], rows, max_cell=200)


def render_contradictions(contradictions: Sequence[Contradiction], fmt: str) -> str:
    """The contradictions report: ``table`` for a terminal, ``json`` (DESIGN §6) or ``csv``."""
    if fmt == "json":
        return json.dumps([c.to_json() for c in contradictions], indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _contradictions_csv(contradictions)
    return _contradictions_text(contradictions)


_SIDE_COLUMNS = ("claim", "claimant", "claimant_label", "proposition", "proposition_label", "stance", "sources")


def _contradictions_csv(contradictions: Sequence[Contradiction]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["kind", "reasons", *[f"{c}_{n}" for n in (1, 2) for c in _SIDE_COLUMNS]])
    for c in contradictions:
        cells = [c.kind, "; ".join(c.reasons)]
        for side in c.sides:
            values = asdict(side)
            cells += ["; ".join(side.sources) if k == "sources" else str(values[k]) for k in _SIDE_COLUMNS]
        writer.writerow(cells)
    return out.getvalue()


def _contradictions_text(contradictions: Sequence[Contradiction]) -> str:
    counts: dict[str, int] = {}
    for c in contradictions:
        counts[c.kind] = counts.get(c.kind, 0) + 1
    if not contradictions:
        return "No contradictions found.\n"
    summary = ", ".join(f"{k.replace('-', ' ')} {n}" for k, n in counts.items())
    lines = [f"{len(contradictions)} contradiction{'s' if len(contradictions) != 1 else ''} ({summary})"]
    for number, c in enumerate(contradictions, start=1):
        lines.append("")
        lines.append(f"[{number}] {c.kind.replace('-', ' ')}: {'; '.join(c.reasons)}")
        for mark, side in zip("AB", c.sides, strict=True):
            who = side.claimant_label
            if side.claimant_affiliations:
                who += f" ({', '.join(side.claimant_affiliations)})"
            lines.append(f"  {mark}  {who} {side.stance.upper()} \u201c{side.proposition_label}\u201d")
            details = [curie(side.claim)]
            if side.claim_kind:
                details.append(side.claim_kind.replace("-", " "))
            if side.date:
                details.append(side.date)
            trails = "; ".join(_trail_text(t) for t in side.evidence)
            details.append(f"via {trails}" if trails else "no evidence")
            lines.append("     " + " \u00b7 ".join(details))
    return "\n".join(lines) + "\n"


def _trail_text(trail: EvidenceTrail) -> str:
    steps = [s.agent_label + (f" [{curie(s.via)}]" if s.via else "") for s in trail.relay]
    return " \u2192 ".join([*steps, curie(trail.document)])
