"""Contradictions: every kind's pairs (the leading sub-select of each contradictions-KIND.rq), and each
side explained once (claimant, proposition, stance, affiliations, evidence and relay steps).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from claimgraph.errors import (
    QueryError,
    QueryNotFoundError,
    UnknownKindError,
)
from claimgraph.namespaces import PREFIXES
from claimgraph.queries.files import CONTRADICTION_PREFIX, KIND_ORDER, Query, canned_queries
from claimgraph.sparql.engines import Engine
from claimgraph.sparql.lexer import scan, values_block
from claimgraph.terms import Term, concept_name, term_text


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
        """The JSON object of one contradiction (docs/queries.md): ``kind`` and exactly two ``sides``."""
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
        facts.setdefault(term_text(row["claim"]), row)
    affiliations: dict[str, set[str]] = {}
    for row in answers["claim affiliations"]:
        label = term_text(row.get("affiliation_label") or row["affiliation"])
        affiliations.setdefault(term_text(row["claim"]), set()).add(label)
    trails: dict[str, dict[str, dict[str, Any]]] = {}
    for row in answers["claim evidence"]:
        trails.setdefault(term_text(row["claim"]), {}).setdefault(
            term_text(row["evidence"]),
            {
                "document": term_text(row["document"]),
                "document_label": term_text(row.get("document_label") or row["document"]),
                "quote_mode": _concept(row.get("quote_mode")),
                "quote": _optional_text(row.get("quote")),
                "relay": {},
            },
        )
    for row in answers["claim relay"]:
        trail = trails.get(term_text(row["claim"]), {}).get(term_text(row["evidence"]))
        if trail is not None:  # evidence found in no document has no trail
            step = RelayStep(
                order=int(term_text(row["order"])),
                agent=term_text(row["agent"]),
                agent_label=term_text(row.get("agent_label") or row["agent"]),
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
            claimant=term_text(fact["claimant"]),
            claimant_label=term_text(fact.get("claimant_label") or fact["claimant"]),
            claimant_affiliations=tuple(sorted(affiliations.get(claim, ()))),
            proposition=term_text(fact["proposition"]),
            proposition_label=term_text(fact.get("proposition_label") or fact["proposition"]),
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


def _optional_text(term: Term | None) -> str | None:
    return None if term is None else term_text(term)


def _concept(term: Term | None) -> str | None:
    if term is None:
        return None
    return concept_name(term.value) if isinstance(term, ox.NamedNode) else term_text(term)


