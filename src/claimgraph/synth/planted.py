"""What a synthetic corpus breaks on purpose: contradiction pairs of every kind, and provenance violations.

Owns :class:`Planter`, which adds the contested claims and propositions and marks the claims and
documents to break; :mod:`claimgraph.synth.documents` breaks them when it writes.
"""

from __future__ import annotations

import random

from claimgraph.errors import SynthesisError
from claimgraph.namespaces import ACTOR, CLAIM, DOC
from claimgraph.synth.documents import Documents
from claimgraph.synth.plan import CONTRADICTION_KINDS, VIOLATION_KINDS, Claim, Document
from claimgraph.synth.prose import random_date
from claimgraph.synth.registries import Registries

__all__ = ["DOCUMENT_VIOLATIONS", "Planter"]

#: Violation kinds that break a document (its archived text) rather than a claim.
DOCUMENT_VIOLATIONS = ("bad-hash", "bad-char-length", "missing-archived-text")
#: Violation kinds that only some claims can carry (an anonymous claimant, relays, a date).
_CONSTRAINED = (
    "blank-anonymous-description",
    "anonymous-without-named-intermediary",
    "duplicate-relay-order",
    "relay-order-zero",
    "ill-formed-date",
)


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
            # Denied consequence: one affirms what entails what another denies.
            p1, p2 = fresh(), fresh()
            registries.props[p1].entails.append(p2)
            a, b = rng.sample(persons, 2)
            self._pair(
                "denied-consequence",
                Claim("", a, p1, "Affirms", "PublicStatement", random_date(rng)),
                Claim("", b, p2, "Denies", "Assessment", None),
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
            # Position against a proposal: one reports it under discussion, another rejects what it requires.
            tabling, required = fresh(), fresh()
            registries.props[tabling].tabled.append(registries.proposal(serial, [required]))
            a, b = rng.sample(persons, 2)
            self._pair(
                "position-against-proposal",
                Claim("", a, tabling, "Affirms", "ReportOfFact", None),
                Claim("", b, required, "Denies", "PositionOrDemand", random_date(rng)),
            )
            # Reversal: one actor, opposite stances at two dates.
            p = fresh()
            actor = rng.choice(persons)
            self._pair(
                "reversal",
                Claim("", actor, p, "Affirms", "PublicStatement", "2024-03-01"),
                Claim("", actor, p, "Denies", "PublicStatement", "2025-06-01"),
            )
            # Support-based tension: one affirms what supports what another denies.
            p1, p2 = fresh(), fresh()
            registries.props[p1].supports.append(p2)
            a, b = rng.sample(persons, 2)
            self._pair(
                "support-based-tension",
                Claim("", a, p1, "Affirms", "PublicStatement", random_date(rng)),
                Claim("", b, p2, "Denies", "Assessment", None),
            )

    def _pair(self, kind: str, first: Claim, second: Claim) -> None:
        self.documents.place(first)
        self.documents.place(second)
        self.contradictions[kind].append([CLAIM + first.slug, CLAIM + second.slug])

    # --- violations ---------------------------------------------------------------------------------

    def plant_violations(self, share: float, n_claims: int) -> None:
        """Break ``share`` of the ``n_claims`` claims (at least one of each kind), none of a contradiction.

        :raises SynthesisError: if no claim is left that a kind can break.
        """
        rng = self.rng
        contested = {c for pairs in self.contradictions.values() for pair in pairs for c in pair}
        claims = [(doc, c) for doc in self.documents.documents for c in doc.claims if CLAIM + c.slug not in contested]
        rng.shuffle(claims)
        n = max(len(VIOLATION_KINDS), round(share * n_claims))
        i = 0
        # Document-level kinds first: they need documents no other violation touches; then the kinds only
        # some claims can carry, before any other kind takes those claims.
        order = sorted(VIOLATION_KINDS, key=lambda k: (k not in DOCUMENT_VIOLATIONS, k not in _CONSTRAINED))
        documents = self.documents.documents
        pools = ([d for d in documents if not any(c.slug in self.documents.shaped for c in d.claims)], list(documents))
        for v in range(n):
            kind = order[v % len(order)]
            if kind in DOCUMENT_VIOLATIONS:
                doc = self._document_to_break(kind, pools)
                doc.violation = kind
                self.violations[kind].append(DOC + doc.slug)
                continue
            attempts = 0
            while True:
                doc, claim = claims[i % len(claims)]
                i += 1
                attempts += 1
                if attempts > len(claims):
                    raise SynthesisError(f"too few claims to plant a violation of kind {kind!r}: generate more claims")
                if claim.violation is not None or doc.violation is not None:
                    continue
                if self._apply(kind, doc, claim):
                    break
            if kind == "blank-anonymous-description":
                self.violations[kind].append(ACTOR + claim.claimant)
            else:
                self.violations[kind].append(CLAIM + claim.slug)

    def _document_to_break(self, kind: str, pools: tuple[list[Document], list[Document]]) -> Document:
        """A document no violation touches yet, one without shaped claims where there is one.

        ``pools`` (documents without shaped claims, then every document) are drawn from at random and
        shed the documents found touched, so each document is looked at about once in all.

        :raises SynthesisError: if every document is touched.
        """
        for pool in pools:
            while pool:
                j = self.rng.randrange(len(pool))
                doc = pool[j]
                if doc.violation is None and not any(c.violation for c in doc.claims):
                    return doc
                pool[j] = pool[-1]
                pool.pop()
        raise SynthesisError(f"too few documents to plant a violation of kind {kind!r}: generate more claims")

    def _apply(self, kind: str, doc: Document, claim: Claim) -> bool:
        """Mark ``claim`` (or ``doc``) broken by ``kind``, if it is one that kind can break."""
        actor = self.registries.actors[claim.claimant]
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
