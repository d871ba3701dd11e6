"""Contradictions: every kind's pairs (the leading sub-select of each contradictions-KIND.rq), one entry
per pair of claims with every kind that found it, each reason with its chain and confidence, and each
side explained once (:mod:`claimgraph.queries.explain`, :mod:`claimgraph.queries.reasons`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimgraph.errors import QueryError, QueryNotFoundError, UnknownKindError
from claimgraph.io.dataset import Dataset
from claimgraph.namespaces import CG
from claimgraph.queries.explain import Side, claim_statements, explain_claims
from claimgraph.queries.files import CONTRADICTION_PREFIX, KIND_ORDER, Query, canned_queries, require_derived
from claimgraph.queries.reasons import (
    CONFIDENCES,
    RULES,
    Link,
    Reason,
    Relations,
    chain_steps,
    describe_links,
    rule_confidence,
)
from claimgraph.runtime import collector_paused
from claimgraph.sparql.engines import Engine
from claimgraph.sparql.lexer import scan

__all__ = ["WITNESSES", "Contradiction", "contradiction_queries", "find_contradictions", "pairs_query"]

#: Columns of a pairs sub-select, besides ``?claim1 ?claim2 ?reason``, naming the nodes a reason went
#: through (:func:`claimgraph.queries.reasons.chain_steps` rebuilds its chain from them).
WITNESSES = ("via", "proposal", "required", "place1", "place2", "land", "owner")

Witnesses = tuple[tuple[str, str], ...]
#: What one query found: for each pair (claim1, claim2), each reason text with the nodes it went through.
Found = dict[tuple[str, str], dict[str, set[Witnesses]]]


@dataclass(frozen=True)
class Contradiction:
    """Two claims that cannot both stand: every kind that found them, the strongest first (``kind``),
    and why, each reason with its chain of declared statements and its confidence.

    :ivar spans_documents: whether no document holds both claims (the conflict is seen only across them).
    """

    kind: str
    kinds: tuple[str, ...]
    reasons: tuple[Reason, ...]
    sides: tuple[Side, Side]
    spans_documents: bool

    @property
    def confidence(self) -> str | None:
        """The strongest confidence among the reasons (declared, entailed, support-based)."""
        known = [r.confidence for r in self.reasons if r.confidence in CONFIDENCES]
        return min(known, key=CONFIDENCES.index) if known else None

    def distinct_reasons(self) -> list[tuple[str, tuple[Link, ...], list[str], str | None]]:
        """The distinct reasons (text and chain), each with the kinds that gave it and its confidence:
        what a reader is shown, where two kinds that found a pair for one reason are said once."""
        grouped: dict[tuple[str, tuple[Link, ...]], tuple[list[str], str | None]] = {}
        for reason in self.reasons:
            kinds, _ = grouped.setdefault((reason.text, reason.chain), ([], reason.confidence))
            kinds.append(reason.kind)
        return [(text, chain, kinds, confidence) for (text, chain), (kinds, confidence) in grouped.items()]

    def to_json(self) -> dict[str, Any]:
        """The JSON object of one contradiction (docs/queries.md)."""
        return {
            "kind": self.kind,
            "kinds": list(self.kinds),
            "confidence": self.confidence,
            "spans_documents": self.spans_documents,
            "reasons": [r.to_json() for r in self.reasons],
            "sides": [s.to_json() for s in self.sides],
        }


def contradiction_queries(directory: Path) -> dict[str, Query]:
    """The contradiction queries in ``directory`` by kind, in report order."""
    found = {q.kind: q for q in canned_queries(directory).values() if q.kind}
    return {k: found[k] for k in sorted(found, key=_kind_rank)}


def _kind_rank(kind: str) -> tuple[int, str]:
    return (KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER), kind)


@collector_paused()  # tens of thousands of pairs and explanations built at once
def find_contradictions(
    engine: Engine, directory: Path, kinds: Sequence[str] = (), *, sources: Dataset | None = None
) -> list[Contradiction]:
    """Run the contradiction queries (all, or those of ``kinds``) and explain each pair of claims once.

    Only the pairs are asked of the engine (see :func:`pairs_query`), the kinds and the declared
    relations concurrently (Oxigraph releases the GIL while it evaluates; a store serves requests in
    parallel); :func:`explain_claims` then explains every claim once for all kinds. A pair found by
    several kinds is one contradiction, its sides in the order of its strongest kind (``kind``, the
    first in :data:`KIND_ORDER`). Contradictions come by that kind, then by claim IRIs.

    :param sources: the dataset whose files the chains' statements are located in (file:line); by
        default the embedded engine's, none for an endpoint.
    :raises QueryNotFoundError: if ``directory`` has no contradiction query at all.
    :raises UnknownKindError: if a kind has no ``contradictions-KIND.rq``.
    :raises DerivedGraphMissingError: if the engine is an endpoint whose data lacks the derived graph.
    """
    available = contradiction_queries(directory)
    if not available:
        raise QueryNotFoundError(f"{CONTRADICTION_PREFIX}KIND", directory, sorted(canned_queries(directory)))
    for kind in kinds:
        if kind not in available:
            raise UnknownKindError(kind, list(available))
    selected = [available[k] for k in available if not kinds or k in kinds]
    require_derived(engine)  # the bundled queries and the explanations read it
    if sources is None and isinstance(dataset := getattr(engine, "dataset", None), Dataset):
        sources = dataset
    with ThreadPoolExecutor(max_workers=min(len(selected) + 1, os.cpu_count() or 1)) as pool:
        asked_relations = pool.submit(Relations, engine)
        # The longest texts first, as the longest tend to take longest: none is left running alone at
        # the end (10M: incompatible-positions takes about as long as the seven others together).
        asked = {q.path: pool.submit(_pairs, engine, q) for q in sorted(selected, key=lambda q: -len(q.text))}
        found = [asked[query.path].result() for query in selected]
        relations = asked_relations.result()
    by_pair: dict[frozenset[str], dict[str, tuple[tuple[str, str], dict[str, set[Witnesses]]]]] = {}
    for query, pairs in zip(selected, found, strict=True):
        for (a, b), texts in pairs.items():
            if a != b:
                by_pair.setdefault(frozenset((a, b)), {})[query.kind or ""] = ((a, b), texts)
    claims = sorted({c for pair in by_pair for c in pair})
    # The chains from each claim's proposition and stance, then the sides, in turn: both are mostly
    # Python under one GIL: at 1M, 2.1 s in turn against 2.7 s side by side (on a busy machine).
    stated = claim_statements(engine, claims)
    entries = []
    for pair, by_kind in by_pair.items():
        if not pair <= stated.keys():
            continue
        kind = min(by_kind, key=_kind_rank)
        oriented = by_kind[kind][0]
        steps = [
            (found_kind, text, _steps(relations, stated, oriented, found_at, text, witnesses))
            for found_kind, (found_at, texts) in by_kind.items()
            for text, witnesses in texts.items()
        ]
        entries.append((kind, oriented, sorted(by_kind, key=_kind_rank), steps))
    links = describe_links(engine, (chain for *_, steps in entries for *_, chain in steps if chain), sources)
    sides = explain_claims(engine, claims, complete_only=True)
    entries = [entry for entry in entries if set(entry[1]) <= sides.keys()]

    contradictions = []
    for kind, (a, b), found_kinds, steps in entries:
        reasons = {
            Reason(found_kind, text, rule_confidence(RULES.get(text), text, chain), links(chain or ()))
            for found_kind, text, chain in steps
        }
        documents = (sides[a].documents, sides[b].documents)
        contradictions.append(
            Contradiction(
                kind=kind,
                kinds=tuple(found_kinds),
                reasons=tuple(sorted(reasons, key=lambda r: (_kind_rank(r.kind), r.text))),
                sides=(sides[a], sides[b]),
                spans_documents=all(documents) and documents[0].isdisjoint(documents[1]),
            )
        )
    return sorted(contradictions, key=lambda c: (_kind_rank(c.kind), c.sides[0].claim, c.sides[1].claim))


def _steps(
    relations: Relations,
    stated: dict[str, tuple[str, str]],
    oriented: tuple[str, str],
    found_at: tuple[str, str],
    text: str,
    witnesses: set[Witnesses],
) -> list[tuple[str, str, str]] | None:
    """The chain of one reason, in the orientation of its contradiction: the shortest over the nodes the
    query went through (``None`` when the rule is unknown or no chain is found).

    :param stated: each claim's proposition and stance (:func:`claim_statements`).
    """
    rule = RULES.get(text)
    if rule is None:
        return None
    (first, first_stance), (second, _) = stated[found_at[0]], stated[found_at[1]]
    chains = [
        chain
        for given in sorted(witnesses)
        if (chain := chain_steps(rule, relations, first, second, first_stance == CG.Affirms, dict(given))) is not None
    ]
    if not chains:
        return None
    chain = min(chains, key=lambda c: (len(c), c))
    return chain if found_at == oriented else chain[::-1]


def pairs_query(query: Query) -> str:
    """The text that finds a contradiction query's pairs: the sub-select that opens its WHERE group,
    projecting besides its own columns the :data:`WITNESSES` its group pattern binds.

    That is the convention of the bundled queries, whose outer query only adds explanation columns;
    a query without such a sub-select (projecting ``?claim1`` and ``?claim2``) is returned whole. The
    witnesses are projected here only: joined with the explanation, a sub-select with several rows per
    pair that differ in further columns loses rows on Virtuoso 7.2 (tests/test_store_parity.py).
    """
    shape = scan(query.text, name=str(query.path))
    if shape.leading_select is None:
        return query.text
    start, end = shape.leading_select
    text = re.sub(r"#[^\n]*", lambda m: " " * len(m.group()), query.text[start:end])  # comments out, same offsets
    opening = text.index("{")  # the sub-select's WHERE group
    projection, body = text[:opening], text[opening:]
    if not all(re.search(rf"[?$]{v}\b", projection) for v in ("claim1", "claim2")):
        return query.text
    extra = [w for w in WITNESSES if re.search(rf"[?$]{w}\b", body) and not re.search(rf"[?$]{w}\b", projection)]
    where = re.search(r"\bWHERE\s*$", projection, re.I)
    at = start + (where.start() if where else opening)
    added = "".join(f"?{w} " for w in extra)
    # The prologue (prefixes), then the sub-select with the witnesses projected.
    return query.text[: shape.form_at] + query.text[start:at] + added + query.text[at:end]


def _pairs(engine: Engine, query: Query) -> Found:
    """The pairs (claim1, claim2) a contradiction query finds, each with its reasons and, for each reason,
    the nodes it went through (:data:`WITNESSES` the query selects)."""
    results = engine.select(pairs_query(query), name=str(query.path))
    rows = results.bindings()  # IRIs and texts only: no terms built
    for variable in ("claim1", "claim2"):
        if variable not in results.variables:
            raise QueryError(str(query.path), f"a contradiction query must select ?{variable}")
    columns = [w for w in WITNESSES if w in results.variables]
    pairs: Found = {}
    for row in rows:
        claim1, claim2 = row.get("claim1"), row.get("claim2")
        if claim1 is None or claim2 is None or claim1["type"] != "uri" or claim2["type"] != "uri":
            continue
        reasons = pairs.setdefault((claim1["value"], claim2["value"]), {})
        witnesses = tuple((c, value["value"]) for c in columns if (value := row.get(c)) and value["type"] == "uri")
        for column in ("reason", "reasons"):
            given = row.get(column)
            if given is not None and given["type"] == "literal":
                for text in given["value"].split("; "):
                    if text:
                        reasons.setdefault(text, set()).add(witnesses)
    return pairs
