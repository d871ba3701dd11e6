"""What a corpus is made of: actors, propositions, claims, relays, documents, and the manifest of what was planted."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "CONTRADICTION_KINDS",
    "MINIMUM_CLAIMS",
    "TRIPLES_PER_CLAIM",
    "VIOLATION_KINDS",
    "Actor",
    "Claim",
    "Document",
    "Manifest",
    "Proposal",
    "Proposition",
    "claims_for_triples",
]


#: Triples per claim in a generated corpus, registries and documents included (measured; used to pick
#: the number of claims for a wanted corpus size).
TRIPLES_PER_CLAIM = 38.5

#: Provenance violations planted, each breaking one part of the pattern the shapes enforce.
VIOLATION_KINDS = (
    "missing-claimant",
    "missing-proposition",
    "missing-stance",
    "missing-evidence",
    "stance-not-in-scheme",
    "wrong-quote",
    "shifted-offset",
    "anonymous-without-named-intermediary",
    "anchor-in-other-document",
    "duplicate-relay-order",
    "relay-order-zero",
    "ill-formed-date",
    "bad-hash",
    "bad-char-length",
    "missing-archived-text",
    "blank-anonymous-description",
)

#: Contradiction kinds planted (one query each in queries/contradictions-KIND.rq).
CONTRADICTION_KINDS = (
    "direct-opposition",
    "incompatible-propositions",
    "denied-consequence",
    "public-line-vs-intelligence",
    "incompatible-positions",
    "position-against-proposal",
    "reversal",
    "support-based-tension",
)


#: The fewest claims that hold one of everything: two claims per violation kind, two pairs per
#: contradiction kind (tests/test_synth.py generates this many for seeds 0-9).
MINIMUM_CLAIMS = 2 * (len(VIOLATION_KINDS) + 2 * len(CONTRADICTION_KINDS))


@dataclass
class Actor:
    slug: str
    kind: str  # person, government, state, agency, outlet, wire, group, anonymous, author
    label: str
    mention: str
    state: int = -1  # index of the state it belongs to, -1 for none
    source_count: int | None = None  # anonymous sources: 1, 2… or None (not stated)
    description: str = ""


@dataclass
class Proposition:
    slug: str
    text: str  # lower-case clause, "the ceasefire will hold"
    stance: str  # the one stance background claims take on it
    about: list[str] = field(default_factory=list)
    contradicts: list[str] = field(default_factory=list)
    supports: list[str] = field(default_factory=list)
    entails: list[str] = field(default_factory=list)
    control: tuple[str, str, str] | None = None  # controller actor slug, territory place slug, share
    tabled: list[str] = field(default_factory=list)  # proposal slugs it says are under discussion


@dataclass
class Proposal:
    slug: str
    label: str
    requires: list[str] = field(default_factory=list)  # proposition slugs


@dataclass
class Relay:
    agent: str  # actor slug
    act: str  # ToldTo, ReportedBy, RelayedBy
    via: str | None = None  # cited source slug
    basis: str = "ExplicitAttribution"
    order: int = 0


@dataclass
class Claim:
    slug: str
    claimant: str
    prop: str
    stance: str
    kind: str
    date: str | None
    channel: str | None = None
    relays: list[Relay] = field(default_factory=list)
    violation: str | None = None
    sentence: str = ""
    mention: str = ""


@dataclass
class NonResponse:
    slug: str
    respondent: str
    topic: str


@dataclass
class Document:
    slug: str
    outlet: str | None  # publisher actor slug, None: not stated
    date: str | None
    title: str
    author: str  # unnamed author actor slug
    cites: list[str] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    non_responses: list[NonResponse] = field(default_factory=list)
    violation: str | None = None


@dataclass(frozen=True)
class Manifest:
    """What a generated corpus holds and what validating and querying it must find.

    :ivar expected_results: the SHACL results validation must report, as sorted
        ``(severity, shape IRI, focus IRI)`` triples (one per result; a focus may repeat).
    :ivar contradictions: planted contradiction pairs by kind, each ``[claim IRI, claim IRI]``.
    """

    seed: int
    claims: int
    triples: int
    counts: dict[str, int]
    violations: dict[str, list[str]]
    expected_results: list[tuple[str, str, str]]
    contradictions: dict[str, list[list[str]]]
    samples: dict[str, str]

    def to_json(self) -> str:
        data = {
            "seed": self.seed,
            "claims": self.claims,
            "triples": self.triples,
            "counts": self.counts,
            "violations": self.violations,
            "expected_results": [list(r) for r in self.expected_results],
            "contradictions": self.contradictions,
            "samples": self.samples,
        }
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """Read ``manifest.json`` as :func:`generate` wrote it."""
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            seed=data["seed"],
            claims=data["claims"],
            triples=data["triples"],
            counts=data["counts"],
            violations=data["violations"],
            expected_results=[(s, sh, f) for s, sh, f in data["expected_results"]],
            contradictions=data["contradictions"],
            samples=data["samples"],
        )


def claims_for_triples(triples: int) -> int:
    """The number of claims that gives a corpus of about ``triples`` triples."""
    return max(1, round(triples / TRIPLES_PER_CLAIM))
