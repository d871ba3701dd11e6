"""Each claim of a contradiction explained once: claimant and affiliations, proposition, stance, kind,
date, and the evidence it was read in with the chain of intermediaries it passed through.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

import pyoxigraph as ox

from claimgraph.errors import QueryError
from claimgraph.namespaces import PREFIXES
from claimgraph.sparql.engines import Binding, Engine, binding_text
from claimgraph.sparql.lexer import scan, values_blocks
from claimgraph.terms import concept_name

__all__ = ["EvidenceTrail", "RelayStep", "Side", "claim_statements", "explain_claims"]


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

    @property
    def documents(self) -> frozenset[str]:
        """The documents the claim was read in."""
        return frozenset(trail.document for trail in self.evidence)

    def to_json(self) -> dict[str, Any]:
        """The JSON object of one side (docs/queries.md)."""
        data = asdict(self)
        data["claimant_affiliations"] = list(self.claimant_affiliations)
        data["sources"] = list(self.sources)
        data["evidence"] = [{**asdict(e), "relay": [asdict(r) for r in e.relay]} for e in self.evidence]
        return data


_QUERY_PREFIXES = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("cg", "rdfs", "dcterms", "oa"))

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

# The affiliations are closed in graph:derived (cg:derivedAffiliatedWith): no property path.
_CLAIM_AFFILIATIONS = (
    _QUERY_PREFIXES
    + """SELECT DISTINCT ?claim ?affiliation ?affiliation_label WHERE {
  ?claim cg:claimant ?claimant .
  ?claimant cg:derivedAffiliatedWith ?affiliation .
  OPTIONAL { ?affiliation rdfs:label ?affiliation_label }
}"""
)

# The quote first, while ?evidence is all that is bound (the same answers: the OPTIONAL shares no
# other variable): after cg:foundIn, Oxigraph evaluates it several times slower, and more so the more data.
_CLAIM_EVIDENCE = (
    _QUERY_PREFIXES
    + """SELECT ?claim ?evidence ?document ?document_label ?quote_mode ?quote WHERE {
  ?claim cg:evidence ?evidence .
  OPTIONAL { ?evidence cg:anchor ?anchor . ?anchor oa:hasSelector ?selector . ?selector oa:exact ?quote }
  ?evidence cg:foundIn ?document .
  OPTIONAL { ?document rdfs:label ?document_label }
  OPTIONAL { ?evidence cg:quoteMode ?quote_mode }
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


_CLAIM_STATEMENTS = (
    _QUERY_PREFIXES
    + """SELECT ?claim ?proposition ?stance WHERE { ?claim cg:proposition ?proposition ; cg:stance ?stance }"""
)


def claim_statements(engine: Engine, claims: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Each claim's proposition and stance (IRIs), in one query per block of claims
    (:data:`~claimgraph.sparql.lexer.MAX_VALUES`): all that the reasons' chains need of a claim, ready
    before the sides are explained."""
    terms = [ox.NamedNode(c) for c in claims]
    found: dict[str, tuple[str, str]] = {}
    for block in values_blocks("claim", terms, name="claim statements"):
        text = scan(_CLAIM_STATEMENTS, name="claim statements").insert_values(block)
        for row in engine.select(text, name="claim statements").bindings():
            found.setdefault(
                binding_text(row["claim"]), (binding_text(row["proposition"]), binding_text(row["stance"]))
            )
    return found


def explain_claims(engine: Engine, claims: Sequence[str], *, complete_only: bool = False) -> dict[str, Side]:
    """Each claim's claimant, proposition, stance, affiliations and provenance, by claim IRI.

    A claim without claimant, proposition or stance is an error, or left out with ``complete_only``.

    Four queries, restricted to ``claims`` by VALUES blocks written from the IRIs as terms, each of
    at most :data:`~claimgraph.sparql.lexer.MAX_VALUES` claims. (Reading every claim instead costs more
    even for most of them: at 1M triples, 2,849 of 25,875 claims take 0.8 s in blocks and 4.3 s read
    whole.)
    """
    if not claims:
        return {}
    terms = [ox.NamedNode(c) for c in claims]

    blocks = values_blocks("claim", terms, name="claim explanations")
    asked = [(text, name, block) for text, name in _EXPLANATIONS for block in blocks]

    def select(item: tuple[str, str, str]) -> list[dict[str, Binding]]:
        text, name, block = item
        # The values are wanted as text only: read without building terms (QueryResults.bindings).
        return engine.select(scan(text, name=name).insert_values(block), name=name).bindings()

    # Concurrently, like the contradiction queries: each query and block is independent.
    answers: dict[str, list[dict[str, Binding]]] = {name: [] for _, name in _EXPLANATIONS}
    with ThreadPoolExecutor(max_workers=min(len(asked), os.cpu_count() or 1)) as pool:
        for (_, name, _), rows in zip(asked, pool.map(select, asked), strict=True):
            answers[name] += rows
    facts: dict[str, dict[str, Binding]] = {}
    for row in answers["claim facts"]:
        facts.setdefault(binding_text(row["claim"]), row)
    affiliations: dict[str, set[str]] = {}
    for row in answers["claim affiliations"]:
        label = binding_text(row.get("affiliation_label") or row["affiliation"])
        affiliations.setdefault(binding_text(row["claim"]), set()).add(label)
    trails: dict[str, dict[str, dict[str, Any]]] = {}
    for row in answers["claim evidence"]:
        trails.setdefault(binding_text(row["claim"]), {}).setdefault(
            binding_text(row["evidence"]),
            {
                "document": binding_text(row["document"]),
                "document_label": binding_text(row.get("document_label") or row["document"]),
                "quote_mode": _concept(row.get("quote_mode")),
                "quote": _optional_text(row.get("quote")),
                "relay": {},
            },
        )
    for row in answers["claim relay"]:
        trail = trails.get(binding_text(row["claim"]), {}).get(binding_text(row["evidence"]))
        if trail is not None:  # evidence found in no document has no trail
            step = RelayStep(
                order=int(binding_text(row["order"])),
                agent=binding_text(row["agent"]),
                agent_label=binding_text(row.get("agent_label") or row["agent"]),
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
            claimant=binding_text(fact["claimant"]),
            claimant_label=binding_text(fact.get("claimant_label") or fact["claimant"]),
            claimant_affiliations=tuple(sorted(affiliations.get(claim, ()))),
            proposition=binding_text(fact["proposition"]),
            proposition_label=binding_text(fact.get("proposition_label") or fact["proposition"]),
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


def _optional_text(value: Binding | None) -> str | None:
    return None if value is None else binding_text(value)


def _concept(value: Binding | None) -> str | None:
    if value is None:
        return None
    return concept_name(value["value"]) if value["type"] == "uri" else binding_text(value)
