"""What a synthetic corpus breaks on purpose: contradiction pairs of every kind, and provenance violations.

Owns :class:`Planter`, which adds the contested claims and propositions and marks the claims and
documents to break; :mod:`claimgraph.synth.documents` breaks them when it writes.
"""

from __future__ import annotations

import random

from claimgraph.errors import SynthesisError
from claimgraph.namespaces import ACTOR, CLAIM, DOC
from claimgraph.synth.documents import Documents
from claimgraph.synth.plan import CONTRADICTION_KINDS, VIOLATION_KINDS, Claim, Document, Relay
from claimgraph.synth.prose import random_date
from claimgraph.synth.registries import Registries

__all__ = ["DOCUMENT_VIOLATIONS", "Planter"]

#: Violation kinds that break a document (its archived text) rather than a claim.
DOCUMENT_VIOLATIONS = ("bad-hash", "bad-char-length", "missing-archived-text")


class Planter:
    """Plants contradictions and violations, recording them by kind: ``contradictions`` as claim IRI
    pairs, ``violations`` as the IRIs of what was broken."""

    def __init__(self, rng: random.Random, registries: Registries, documents: Documents) -> None:
        self.rng = rng
        self.registries = registries
        self.documents = documents
        self.contradictions: dict[str, list[list[str]]] = {k: [] for k in CONTRADICTION_KINDS}
        self.violations: dict[str, list[str]] = {k: [] for k in VIOLATION_KINDS}

    # --- contradictions -----------------------------------------------------------------------------

    def plant_contradictions(self, n_pairs: int) -> None:
        """``n_pairs`` pairs of each kind, each on propositions of its own."""
        rng = self.rng
        registries = self.registries
        persons = registries.persons
        serial = 0

        def fresh(stance: str = "Affirms") -> str:
            nonlocal serial
            serial += 1
            return registries.proposition(serial, stance, prefix="contested")

        for _ in range(n_pairs):
            # Direct opposition: one proposition, opposite stances, two claimants.
            p = fresh()
            a, b = rng.sample(persons, 2)
            self._pair(
                "direct-opposition",
                Claim("", a, p, "Affirms", "ReportOfFact", random_date(rng)),
                Claim("", b, p, "Denies", "ReportOfFact", random_date(rng)),
            )
            # Incompatible propositions: declared contradictory, both affirmed.
            p1, p2 = fresh(), fresh()
            registries.props[p1].contradicts.append(p2)
            a, b = rng.sample(persons, 2)
            self._pair(
                "incompatible-propositions",
                Claim("", a, p1, "Affirms", "ReportOfFact", None),
                Claim("", b, p2, "Affirms", "ReportOfFact", None),
            )
            # A government's public line against its own intelligence assessment.
            state = rng.randrange(len(registries.states))
            p = fresh()
            officials = registries.officials[state]
            official = officials[0] if officials else registries.governments[state]
            self._pair(
                "public-line-vs-intelligence",
                Claim("", official, p, "Affirms", "PublicStatement", random_date(rng), "PublicChannel"),
                Claim("", registries.agencies[state][0], p, "Denies", "Assessment", None, "PrivateChannel"),
            )
            # Incompatible positions: two governments demand opposite things about one territory.
            s1, s2 = rng.sample(range(len(registries.states)), 2)
            p = fresh()
            registries.props[p].about = [f"place:{registries.territories[s1][0]}"]
            self._pair(
                "incompatible-positions",
                Claim("", registries.governments[s1], p, "Affirms", "PositionOrDemand", random_date(rng)),
                Claim("", registries.governments[s2], p, "Denies", "PositionOrDemand", random_date(rng)),
            )
            # Reversal: one actor, opposite stances at two dates.
            p = fresh()
            actor = rng.choice(persons)
            self._pair(
                "reversal",
                Claim("", actor, p, "Affirms", "PublicStatement", "2024-03-01"),
                Claim("", actor, p, "Denies", "PublicStatement", "2025-06-01"),
            )

    def _pair(self, kind: str, first: Claim, second: Claim) -> None:
        self.documents.place(first)
        self.documents.place(second)
        self.contradictions[kind].append([CLAIM + first.slug, CLAIM + second.slug])

    # --- violations ---------------------------------------------------------------------------------

    def plant_violations(self, share: float, n_claims: int) -> None:
        """Break ``share`` of the ``n_claims`` claims (at least one of each kind), none of a contradiction.

        A kind that needs a claim of some shape (an anonymous claimant, two relay steps, a date) and
        finds none left takes a free claim and reshapes it (:meth:`_reshape`), so what can be planted
        depends on the number of claims, never on the seed.

        :raises SynthesisError: if no claim or document is left to break.
        """
        rng = self.rng
        contested = {c for pairs in self.contradictions.values() for pair in pairs for c in pair}
        claims = [(doc, c) for doc in self.documents.documents for c in doc.claims if CLAIM + c.slug not in contested]
        rng.shuffle(claims)
        n = max(len(VIOLATION_KINDS), round(share * n_claims))
        i = 0
        # Document-level kinds first: they need documents no other violation touches.
        order = sorted(VIOLATION_KINDS, key=lambda k: k not in DOCUMENT_VIOLATIONS)
        for v in range(n):
            kind = order[v % len(order)]
            attempts = 0
            while True:
                doc, claim = claims[i % len(claims)]
                i += 1
                attempts += 1
                if attempts > len(claims):
                    doc, claim = self._free(kind, claims)
                    self._reshape(kind, doc, claim)
                    if not self._apply(kind, doc, claim):
                        raise SynthesisError(f"a reshaped claim cannot take a violation of kind {kind!r}")
                    break
                if claim.violation is not None or doc.violation is not None:
                    continue
                if kind in DOCUMENT_VIOLATIONS and any(c.violation for c in doc.claims):
                    continue
                if self._apply(kind, doc, claim):
                    break
            if kind in DOCUMENT_VIOLATIONS:
                self.violations[kind].append(DOC + doc.slug)
            elif kind == "blank-anonymous-description":
                self.violations[kind].append(ACTOR + claim.claimant)
            else:
                self.violations[kind].append(CLAIM + claim.slug)

    def _free(self, kind: str, claims: list[tuple[Document, Claim]]) -> tuple[Document, Claim]:
        """The first claim no violation touches, in a document none touches either.

        :raises SynthesisError: if there is none.
        """
        for doc, claim in claims:
            if claim.violation is None and doc.violation is None and kind not in DOCUMENT_VIOLATIONS:
                return doc, claim
        raise SynthesisError(f"no claim is left to plant a violation of kind {kind!r} in: generate more claims")

    def _reshape(self, kind: str, doc: Document, claim: Claim) -> None:
        """Make ``claim`` one that ``kind`` can break: an anonymous source's claim told to an outlet,
        or else a person's dated claim told to another person and relayed by an outlet."""
        registries = self.registries
        if kind in ("anonymous-without-named-intermediary", "blank-anonymous-description"):
            described = [a for a in registries.anonymous if registries.actors[a].description.strip()]
            if not described:
                raise SynthesisError(f"no anonymous source is left to plant a violation of kind {kind!r}")
            claim.claimant = described[0]
            claim.relays = [Relay(doc.outlet or registries.outlets[0], "ToldTo", order=1)]
            return
        claim.claimant, teller = registries.persons[0], registries.persons[1]
        claim.relays = [Relay(teller, "ToldTo", order=1), Relay(registries.outlets[0], "RelayedBy", order=2)]
        claim.date = claim.date or "2025-01-15"

    def _apply(self, kind: str, doc: Document, claim: Claim) -> bool:
        """Mark ``claim`` (or ``doc``) broken by ``kind``, if it is one that kind can break."""
        actor = self.registries.actors[claim.claimant]
        if kind in DOCUMENT_VIOLATIONS:
            doc.violation = kind
            return True
        if kind == "anonymous-without-named-intermediary":
            if actor.kind != "anonymous":
                return False
            claim.relays = []
        elif kind == "blank-anonymous-description":
            if actor.kind != "anonymous" or not actor.description.strip():
                return False
            actor.description = "   "
        elif kind == "duplicate-relay-order":
            if len(claim.relays) < 2:
                return False
        elif kind == "relay-order-zero":
            if not claim.relays:
                return False
        elif kind == "ill-formed-date":
            if claim.date is None:
                return False
        elif kind in ("missing-claimant", "missing-proposition", "missing-stance") and actor.kind == "anonymous":
            return False  # keep the claimant's own checks out of the picture: a named claimant
        claim.violation = kind
        return True
