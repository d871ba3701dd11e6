"""Synthetic corpora in claimgraph's ontology, for benchmarks and scale tests.

:func:`generate` writes a data directory that :func:`claimgraph.io.dataset.load_dataset` reads like the
bundled one: ``ontology/`` (a copy of the bundled ontology and shapes), ``graph/`` with the registries
(``actors.trig``, ``places.trig``, ``propositions.trig``), one TriG file per document (its named graph
is the document's IRI) and ``graph/archive/*.txt``, the synthetic article texts whose quotes, offsets
(Unicode code points), SHA-256 digests and lengths the TriG files state.

The corpus looks like a newsroom's year of tracked claims: persons, governments with the metonyms the
press uses, agencies, outlets, groups, anonymous sources; claims relayed through intermediaries; wire
reports (``cg:CitedSource``) republished by several outlets; non-responses; a controlled share of
contradictions of every kind the canned queries look for, and of provenance violations of every kind
the shapes check. ``manifest.json`` records what was planted: the SHACL results validation must report
(severity, shape, focus node), the contradiction pairs, and sample IRIs for parameterised queries.

Everything is written as text (no RDF library): a million triples take seconds. The output depends
only on the arguments: the same seed gives the same bytes.
"""

from __future__ import annotations

import hashlib
import random
import shutil
from pathlib import Path

from claimgraph.namespaces import (
    ACTOR,
    ANCHOR,
    CGSH,
    CLAIM,
    DOC,
    EVIDENCE,
    PLACE,
    RELAY,
)
from claimgraph.synth.plan import (
    CONTRADICTION_KINDS,
    TRIPLES_PER_CLAIM,
    VIOLATION_KINDS,
    Actor,
    Claim,
    Document,
    Manifest,
    NonResponse,
    Proposition,
    Relay,
    claims_for_triples,
)
from claimgraph.synth.prose import (
    ANON_DESCRIPTIONS,
    FILLER,
    FIRST_NAMES,
    LAST_NAMES,
    MONTHS,
    OUTLET_WORDS,
    STATE_ROOTS,
    TOPICS,
    WIRES,
    alter,
    random_date,
    slugify,
)
from claimgraph.synth.trig import Writer, english, literal

__all__ = [
    "CONTRADICTION_KINDS",
    "TRIPLES_PER_CLAIM",
    "VIOLATION_KINDS",
    "Manifest",
    "claims_for_triples",
    "generate",
]

# ---------------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------------


def generate(
    out: Path,
    *,
    claims: int,
    seed: int = 0,
    violation_share: float = 0.02,
    contradiction_share: float = 0.01,
    ontology: Path | None = None,
) -> Manifest:
    """Write a synthetic corpus of ``claims`` claims into the directory ``out``.

    :param out: the data directory to create (``ontology/``, ``graph/``, ``manifest.json``); files of a
        previous corpus there are replaced.
    :param claims: number of claims (about :data:`TRIPLES_PER_CLAIM` triples each, all included).
    :param seed: the random seed; the same arguments give the same bytes.
    :param violation_share: share of claims (and documents) broken on purpose; at least one of each
        kind in :data:`VIOLATION_KINDS` is planted whatever the share.
    :param contradiction_share: contradiction pairs per claim, for each kind (at least one each).
    :param ontology: the ontology/ directory to copy (default: the bundled one).
    :returns: the manifest, also written to ``out/manifest.json``.
    :raises ValueError: if ``claims`` is too small to plant one of everything.
    """
    if claims < 2 * (len(VIOLATION_KINDS) + 2 * len(CONTRADICTION_KINDS)):
        raise ValueError(
            f"at least {2 * (len(VIOLATION_KINDS) + 2 * len(CONTRADICTION_KINDS))} claims are needed "
            f"to plant every kind of violation and contradiction (got {claims})"
        )
    builder = _Builder(
        claims=claims, seed=seed, violation_share=violation_share, contradiction_share=contradiction_share
    )
    builder.build()
    return builder.write(out, ontology)


class _Builder:
    def __init__(self, *, claims: int, seed: int, violation_share: float, contradiction_share: float) -> None:
        self.n_claims = claims
        self.seed = seed
        self.rng = random.Random(seed)
        self.violation_share = violation_share
        self.contradiction_share = contradiction_share
        self.actors: dict[str, Actor] = {}
        self.states: list[str] = []  # state actor slugs
        self.governments: list[str] = []
        self.agencies: list[list[str]] = []  # per state
        self.officials: list[list[str]] = []  # persons per state
        self.places: dict[str, tuple[str, str, str | None]] = {}  # slug -> (class, label, part of)
        self.territories: list[list[str]] = []  # regions per state
        self.outlets: list[str] = []
        self.wires: list[str] = []
        self.groups: list[str] = []
        self.anonymous: list[str] = []
        self.persons: list[str] = []
        self.props: dict[str, Proposition] = {}
        self.background: list[str] = []
        self.cited: dict[str, tuple[str, str]] = {}  # slug -> (label, publisher slug)
        self.documents: list[Document] = []
        self.planted: dict[str, list[list[str]]] = {k: [] for k in CONTRADICTION_KINDS}
        self.violations: dict[str, list[str]] = {k: [] for k in VIOLATION_KINDS}
        self.triples = 0
        self.doc_index: dict[str, int] = {}

    # --- registries ---------------------------------------------------------------------------------

    def _actor(self, actor: Actor) -> str:
        self.actors[actor.slug] = actor
        return actor.slug

    def build(self) -> None:
        rng = self.rng
        n = self.n_claims
        n_states = max(4, min(len(STATE_ROOTS) * 4, n // 300))
        for i in range(n_states):
            root = STATE_ROOTS[i % len(STATE_ROOTS)] + (
                "" if i < len(STATE_ROOTS) else f" {i // len(STATE_ROOTS) + 1}"
            )
            name = root + "ia"
            slug = slugify(name)
            capital = root + "grad"
            self.places[f"{slug}-country"] = ("Country", name, None)
            self.places[f"{slug}-capital"] = ("City", capital, f"{slug}-country")
            regions = []
            for r, side in enumerate(("north", "south", "east")):
                region = f"{slug}-{side}"
                self.places[region] = ("Region", f"{side.capitalize()}ern {name}", f"{slug}-country")
                regions.append(region)
                del r
            self.territories.append(regions)
            self.states.append(self._actor(Actor(slug, "state", name, name, state=i)))
            gov = self._actor(Actor(f"{slug}-government", "government", f"Government of {name}", capital, state=i))
            self.governments.append(gov)
            agencies = [
                self._actor(
                    Actor(
                        f"{slug}-intelligence-service",
                        "agency",
                        f"{name} Intelligence Service",
                        f"{name}\u2019s intelligence service",
                        state=i,
                    )
                ),
                self._actor(
                    Actor(
                        f"{slug}-defence-ministry",
                        "agency",
                        f"{name} Ministry of Defence",
                        f"the {name} defence ministry",
                        state=i,
                    )
                ),
            ]
            self.agencies.append(agencies)
            self.officials.append([])
        n_persons = max(12, n // 25)
        for i in range(n_persons):
            first, last = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[(i // len(FIRST_NAMES)) % len(LAST_NAMES)]
            label = f"{first} {last}" + (
                "" if i < len(FIRST_NAMES) * len(LAST_NAMES) else f" {i // (len(FIRST_NAMES) * len(LAST_NAMES)) + 1}"
            )
            state = i % n_states
            slug = self._actor(Actor(slugify(label), "person", label, label, state=state))
            self.persons.append(slug)
            self.officials[state].append(slug)
        for i in range(max(6, n // 150)):
            word = OUTLET_WORDS[i % len(OUTLET_WORDS)]
            city = self.actors[self.governments[i % n_states]].mention
            label = f"The {city} {word}" + ("" if i < n_states * len(OUTLET_WORDS) else f" {i}")
            self.outlets.append(self._actor(Actor(slugify(label), "outlet", label, label)))
        for wire in WIRES:
            self.wires.append(self._actor(Actor(slugify(wire), "wire", wire, wire)))
        for i in range(max(4, n // 200)):
            state = i % n_states
            label = f"{self.actors[self.states[state]].label}n opposition lawmakers" + (
                "" if i < n_states else f" ({i})"
            )
            self.groups.append(self._actor(Actor(slugify(label), "group", label, label, state=state)))
        for i in range(max(6, n // 40)):
            description = ANON_DESCRIPTIONS[i % len(ANON_DESCRIPTIONS)]
            count: int | None = (1, 2, None, 1, None, 3)[i % 6]
            label = f"Anonymous source {i + 1}: {description}"
            self.anonymous.append(
                self._actor(
                    Actor(
                        f"anonymous-source-{i + 1:05d}",
                        "anonymous",
                        label,
                        description.capitalize(),
                        source_count=count,
                        description=description,
                    )
                )
            )
        # Background propositions: each takes one stance from every claimant, so they never contradict.
        n_props = max(10, n // 4)
        for i in range(n_props):
            stance = rng.choices(("Affirms", "Denies", "Uncertain"), weights=(6, 2, 2))[0]
            self.background.append(self._proposition(i, stance))
        for i in range(0, n_props - 1, 7):  # relations between background propositions (no conflict)
            a, b = self.background[i], self.background[i + 1]
            self.props[a].supports.append(b)
            if i % 21 == 0:
                self.props[a].entails.append(b)
        self._documents()

    def _proposition(self, i: int, stance: str, *, prefix: str = "p") -> str:
        rng = self.rng
        state = rng.randrange(len(self.states))
        other = (state + 1 + rng.randrange(len(self.states) - 1)) % len(self.states)
        s_label = self.actors[self.states[state]].label
        o_label = self.actors[self.states[other]].label
        region = rng.choice(self.territories[other])
        r_label = self.places[region][1]
        topic = TOPICS[i % len(TOPICS)]
        month = MONTHS[i % 12]
        form = i % 6
        control = None
        if form == 0:
            text = f"{s_label} is preparing a new offensive in {r_label} before {month}"
            about = [f"place:{region}", f"actor:{self.states[state]}"]
        elif form == 1:
            text = f"{topic} will resume by {month} (item {i})"
            about = [f"actor:{self.states[state]}", f"actor:{self.states[other]}"]
        elif form == 2:
            share = f"0.{rng.randrange(5, 60):02d}"
            text = f"{s_label} controls about {int(share[2:])}% of {r_label} (estimate {i})"
            about = [f"place:{region}"]
            control = (self.states[state], region, share)
        elif form == 3:
            text = f"{o_label} should cede {r_label} as part of a settlement (variant {i})"
            about = [f"place:{region}", f"actor:{self.states[other]}"]
        elif form == 4:
            text = f"{s_label}\u2019s sanctions on {o_label} are working (measure {i})"
            about = [f"actor:{self.states[state]}", f"actor:{self.states[other]}"]
        else:
            text = f"the agreement on {topic} between {s_label} and {o_label} is close (draft {i})"
            about = [f"actor:{self.states[state]}", f"actor:{self.states[other]}"]
        slug = f"{prefix}-{i:06d}"
        self.props[slug] = Proposition(slug, text, stance, about, control=control)
        return slug

    # --- documents and claims ----------------------------------------------------------------------

    def _documents(self) -> None:
        rng = self.rng
        n = self.n_claims
        n_pairs = max(1, round(self.contradiction_share * n))
        n_background = n - 2 * n_pairs * len(CONTRADICTION_KINDS)
        n_docs = max(2, n // 8)
        n_wire_reports = max(2, n_docs // 3)
        for w in range(n_wire_reports):
            wire = self.wires[w % len(self.wires)]
            self.cited[f"wire-report-{w + 1:05d}"] = (f"{self.actors[wire].label} report {w + 1} (cited)", wire)
        for d in range(n_docs):
            slug = f"article-{d + 1:06d}"
            outlet = self.outlets[d % len(self.outlets)] if d % 9 else None
            date = None if d % 7 == 3 else random_date(rng)
            author = self._actor(Actor(f"{slug}-author", "author", f"Unnamed author of {slug}", "the article"))
            doc = Document(slug, outlet, date, f"Report {d + 1}: {TOPICS[d % len(TOPICS)]} under scrutiny", author)
            # Wire reports are republished: each is cited by about three documents of different outlets.
            doc.cites.append(f"wire-report-{(d // 3) % n_wire_reports + 1:05d}")
            if d % 4 == 0:
                doc.cites.append(f"wire-report-{rng.randrange(n_wire_reports) + 1:05d}")
            doc.cites = list(dict.fromkeys(doc.cites))
            self.documents.append(doc)
        for c in range(n_background):
            doc = self.documents[c * n_docs // n_background]
            doc.claims.append(self._background_claim(doc, c))
        for d, doc in enumerate(self.documents):
            if d % 3 == 0:
                respondent = rng.choice(self.governments + [a for ags in self.agencies for a in ags])
                doc.non_responses.append(NonResponse(f"{doc.slug}-n1", respondent, TOPICS[d % len(TOPICS)]))
        self._plant_contradictions(n_pairs)
        self._plant_violations()

    def _claimant(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.40:
            return rng.choice(self.persons)
        if roll < 0.55:
            return rng.choice(self.governments)
        if roll < 0.67:
            return rng.choice(rng.choice(self.agencies))
        if roll < 0.75:
            return rng.choice(self.groups)
        if roll < 0.90:
            return rng.choice(self.anonymous)
        return ""  # the document's own voice

    def _background_claim(self, doc: Document, c: int) -> Claim:
        rng = self.rng
        claimant = self._claimant() or doc.author
        prop = self.props[rng.choice(self.background)]
        kind = self.actors[claimant].kind
        claim_kind = {
            "agency": "Assessment",
            "author": "ReportOfFact",
            "anonymous": rng.choice(("ReportOfFact", "Assessment")),
            "government": rng.choice(("PublicStatement", "PositionOrDemand")),
            "group": "PositionOrDemand",
        }.get(kind, rng.choice(("PublicStatement", "PositionOrDemand", "ReportOfFact")))
        date = random_date(rng) if rng.random() < 0.6 else None
        claim = Claim(f"{doc.slug}-c{len(doc.claims) + 1:03d}", claimant, prop.slug, prop.stance, claim_kind, date)
        if rng.random() < 0.3:
            claim.channel = rng.choice(("PublicChannel", "PrivateChannel"))
        self._relays(claim, doc)
        return claim

    def _relays(self, claim: Claim, doc: Document) -> None:
        rng = self.rng
        kind = self.actors[claim.claimant].kind
        if kind == "anonymous":
            outlet = doc.outlet or rng.choice(self.outlets)
            claim.relays.append(Relay(outlet, "ToldTo"))
            if rng.random() < 0.3:
                wire = doc.cites[0]
                claim.relays.append(Relay(self.cited[wire][1], "ReportedBy", wire))
        elif kind != "author":
            roll = rng.random()
            if roll < 0.4:
                wire = rng.choice(doc.cites)
                basis = "ExplicitAttribution" if rng.random() < 0.7 else "ContextualAttribution"
                claim.relays.append(Relay(self.cited[wire][1], "ReportedBy", wire, basis))
            elif roll < 0.55:
                claim.relays.append(Relay(rng.choice(self.persons), "ToldTo"))
                claim.relays.append(Relay(rng.choice(self.outlets), "RelayedBy"))
        for order, relay in enumerate(claim.relays, start=1):
            relay.order = order

    def _place(self, claim: Claim) -> Document:
        doc = self.documents[self.rng.randrange(len(self.documents))]
        claim.slug = f"{doc.slug}-c{len(doc.claims) + 1:03d}"
        doc.claims.append(claim)
        return doc

    def _pair(self, kind: str, first: Claim, second: Claim) -> None:
        for claim in (first, second):
            doc = self._place(claim)
            self._relays(claim, doc)
        self.planted[kind].append([CLAIM + first.slug, CLAIM + second.slug])

    def _plant_contradictions(self, n_pairs: int) -> None:
        rng = self.rng
        persons_with_state = [p for p in self.persons]
        serial = 0

        def fresh(stance: str = "Affirms") -> str:
            nonlocal serial
            serial += 1
            return self._proposition(serial, stance, prefix="contested")

        for _ in range(n_pairs):
            # Direct opposition: one proposition, opposite stances, two claimants.
            p = fresh()
            a, b = rng.sample(persons_with_state, 2)
            self._pair(
                "direct-opposition",
                Claim("", a, p, "Affirms", "ReportOfFact", random_date(rng)),
                Claim("", b, p, "Denies", "ReportOfFact", random_date(rng)),
            )
            # Incompatible propositions: declared contradictory, both affirmed.
            p1, p2 = fresh(), fresh()
            self.props[p1].contradicts.append(p2)
            a, b = rng.sample(persons_with_state, 2)
            self._pair(
                "incompatible-propositions",
                Claim("", a, p1, "Affirms", "ReportOfFact", None),
                Claim("", b, p2, "Affirms", "ReportOfFact", None),
            )
            # A government's public line against its own intelligence assessment.
            state = rng.randrange(len(self.states))
            p = fresh()
            official = self.officials[state][0] if self.officials[state] else self.governments[state]
            self._pair(
                "public-line-vs-intelligence",
                Claim("", official, p, "Affirms", "PublicStatement", random_date(rng), "PublicChannel"),
                Claim("", self.agencies[state][0], p, "Denies", "Assessment", None, "PrivateChannel"),
            )
            # Incompatible positions: two governments demand opposite things about one territory.
            s1, s2 = rng.sample(range(len(self.states)), 2)
            p = fresh()
            self.props[p].about = [f"place:{self.territories[s1][0]}"]
            self._pair(
                "incompatible-positions",
                Claim("", self.governments[s1], p, "Affirms", "PositionOrDemand", random_date(rng)),
                Claim("", self.governments[s2], p, "Denies", "PositionOrDemand", random_date(rng)),
            )
            # Reversal: one actor, opposite stances at two dates.
            p = fresh()
            actor = rng.choice(persons_with_state)
            self._pair(
                "reversal",
                Claim("", actor, p, "Affirms", "PublicStatement", "2024-03-01"),
                Claim("", actor, p, "Denies", "PublicStatement", "2025-06-01"),
            )

    def _plant_violations(self) -> None:
        rng = self.rng
        planted = {c for pair in (p for ps in self.planted.values() for p in ps) for c in pair}
        claims = [(doc, c) for doc in self.documents for c in doc.claims if CLAIM + c.slug not in planted]
        rng.shuffle(claims)
        n = max(len(VIOLATION_KINDS), round(self.violation_share * self.n_claims))
        doc_kinds = {"bad-hash", "bad-char-length", "missing-archived-text"}
        used_docs: set[str] = set()
        i = 0
        # Document-level kinds first: they need documents no other violation touches.
        order = sorted(VIOLATION_KINDS, key=lambda k: k not in doc_kinds)
        for v in range(n):
            kind = order[v % len(order)]
            attempts = 0
            while True:
                doc, claim = claims[i % len(claims)]
                i += 1
                attempts += 1
                if attempts > len(claims):
                    raise ValueError(f"too few claims to plant a violation of kind {kind!r}: generate more claims")
                if claim.violation is not None or doc.violation is not None:
                    continue
                if kind in doc_kinds and (doc.slug in used_docs or any(c.violation for c in doc.claims)):
                    continue
                ok = self._apply_violation(kind, doc, claim)
                if ok:
                    break
            if kind in doc_kinds:
                self.violations[kind].append(DOC + doc.slug)
            elif kind == "blank-anonymous-description":
                self.violations[kind].append(ACTOR + claim.claimant)
            else:
                self.violations[kind].append(CLAIM + claim.slug)
            if kind in doc_kinds:
                used_docs.add(doc.slug)

    def _apply_violation(self, kind: str, doc: Document, claim: Claim) -> bool:
        actor = self.actors[claim.claimant]
        if kind in ("bad-hash", "bad-char-length", "missing-archived-text"):
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
        elif kind in ("duplicate-relay-order",):
            if len(claim.relays) < 2:
                return False
        elif kind in ("relay-order-zero",):
            if not claim.relays:
                return False
        elif kind == "ill-formed-date":
            if claim.date is None:
                return False
        elif kind == "anchor-in-other-document":
            if len(self.documents) < 2:
                return False
        elif kind in ("missing-claimant", "missing-proposition", "missing-stance") and actor.kind == "anonymous":
            return False  # keep the claimant's own checks out of the picture: a named claimant
        claim.violation = kind
        return True

    # --- writing -------------------------------------------------------------------------------------

    def write(self, out: Path, ontology: Path | None) -> Manifest:
        from claimgraph.project import bundled_data_dir

        source = ontology if ontology is not None else bundled_data_dir() / "ontology"
        if (out / "graph").exists():
            shutil.rmtree(out / "graph")
        if (out / "ontology").exists():
            shutil.rmtree(out / "ontology")
        (out / "graph" / "archive").mkdir(parents=True)
        shutil.copytree(source, out / "ontology")
        self.doc_index = {doc.slug: i for i, doc in enumerate(self.documents)}
        texts = {doc.slug: self._compose(doc) for doc in self.documents}
        expected: list[tuple[str, str, str]] = []
        rendered = [(doc, self._render_document(doc, texts, expected)) for doc in self.documents]
        for doc, trig in rendered:
            (out / "graph" / f"{doc.slug}.trig").write_text(trig, encoding="utf-8")
            if doc.violation != "missing-archived-text":
                (out / "graph" / "archive" / f"{doc.slug}.txt").write_bytes(texts[doc.slug][0].encode("utf-8"))
        (out / "graph" / "actors.trig").write_text(self._render_actors(expected), encoding="utf-8")
        (out / "graph" / "places.trig").write_text(self._render_places(), encoding="utf-8")
        (out / "graph" / "propositions.trig").write_text(self._render_propositions(), encoding="utf-8")
        kinds = ("person", "government", "state", "agency", "outlet", "wire", "group", "anonymous", "author")
        counts = {
            "documents": len(self.documents),
            "claims": sum(len(d.claims) for d in self.documents),
            "non_responses": sum(len(d.non_responses) for d in self.documents),
            "cited_sources": len(self.cited),
            "propositions": len(self.props),
            "places": len(self.places),
            **{f"actors_{k}": sum(1 for a in self.actors.values() if a.kind == k) for k in kinds},
        }
        busiest = max(self.persons, key=lambda p: sum(1 for d in self.documents for c in d.claims if c.claimant == p))
        first_claim = next(c for d in self.documents for c in d.claims if c.violation is None)
        samples = {
            "actor": ACTOR + busiest,
            "claim": CLAIM + first_claim.slug,
            "source": ACTOR + self.wires[0],
            "place": PLACE + self.territories[0][0],
            "doc": DOC + self.documents[0].slug,
        }
        manifest = Manifest(
            seed=self.seed,
            claims=self.n_claims,
            triples=self.triples,
            counts=counts,
            violations={k: sorted(v) for k, v in self.violations.items()},
            expected_results=sorted(expected),
            contradictions={k: sorted(v) for k, v in self.planted.items()},
            samples=samples,
        )
        (out / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
        return manifest

    def _sentence(self, claim: Claim) -> str:
        actor = self.actors[claim.claimant]
        prop = self.props[claim.prop]
        if actor.kind == "author":
            claim.mention = ""
            head = {"Affirms": "", "Denies": "It is not the case that ", "Uncertain": "Doubts persist over whether "}
            text = head[claim.stance] + prop.text
            return text[0].upper() + text[1:]
        claim.mention = actor.mention
        if actor.kind == "anonymous" and claim.relays:
            outlet = self.actors[claim.relays[0].agent].label
            told = {"Affirms": "that", "Denies": "it was not true that", "Uncertain": "it was unclear whether"}
            return (
                f"{actor.mention}, speaking on condition of anonymity, told {outlet} {told[claim.stance]} {prop.text}"
            )
        verbs = {"Affirms": "said that", "Denies": "denied that", "Uncertain": "said it was unclear whether"}
        verb = "assessed that" if claim.kind == "Assessment" and claim.stance == "Affirms" else verbs[claim.stance]
        lead = ""
        if claim.relays and claim.relays[0].act == "ReportedBy":
            lead = f"According to reporting by {self.actors[claim.relays[0].agent].label}, "
        elif len(claim.relays) >= 2:
            lead = f"{self.actors[claim.relays[1].agent].label} reported that "
        subject = actor.mention if lead else actor.mention[0].upper() + actor.mention[1:]
        return f"{lead}{subject} {verb} {prop.text}"

    def _compose(self, doc: Document) -> tuple[str, dict[str, int]]:
        """The archived text, and the offset (code points) of each claim's and non-response's sentence."""
        parts = [doc.title]
        offset = len(doc.title) + 1
        starts: dict[str, int] = {}

        def line(text: str) -> None:
            nonlocal offset
            parts.append(text)
            offset += len(text) + 1

        for i, claim in enumerate(doc.claims):
            if i % 3 == 0:
                line(FILLER[(i // 3 + len(doc.slug)) % len(FILLER)])
            claim.sentence = self._sentence(claim)
            starts[claim.slug] = offset
            line(claim.sentence + ".")
        for nr in doc.non_responses:
            starts[nr.slug] = offset
            line(self._non_response_sentence(nr) + ".")
        if self.rng.random() < 0.5:
            line("Sources: " + ", ".join(self.cited[c][0].removesuffix(" (cited)") for c in doc.cites) + ".")
        return "\n".join(parts), starts

    def _non_response_sentence(self, nr: NonResponse) -> str:
        return f"{self.actors[nr.respondent].label} did not comment on {nr.topic}"

    def _render_document(
        self, doc: Document, texts: dict[str, tuple[str, dict[str, int]]], expected: list[tuple[str, str, str]]
    ) -> str:
        text, starts = texts[doc.slug]
        w = Writer(f"doc:{doc.slug}")
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        length = len(text)
        if doc.violation == "bad-hash":
            digest = hashlib.sha256(data + b"\n").hexdigest()
            expected.append(("Violation", CGSH + "SourceDocument-sha256MatchesText", DOC + doc.slug))
        elif doc.violation == "bad-char-length":
            length += 1
            expected.append(("Violation", CGSH + "SourceDocument-charLengthMatchesText", DOC + doc.slug))
        elif doc.violation == "missing-archived-text":
            expected.append(("Violation", CGSH + "SourceDocument-text", DOC + doc.slug))
        w.subject(f"doc:{doc.slug}")
        w.po("a", "cg:NewsArticle")
        w.po("rdfs:label", english(f"News article: {doc.title}"))
        w.po("dcterms:title", english(doc.title))
        w.po("cg:archivePath", literal(f"archive/{doc.slug}.txt"))
        w.po("cg:sha256", literal(digest))
        w.po("cg:charLength", f'"{length}"^^xsd:nonNegativeInteger')
        if doc.outlet:
            w.po("dcterms:publisher", f"actor:{doc.outlet}")
        else:
            w.po("cg:notStated", "dcterms:publisher")
        if doc.date:
            w.po("dcterms:date", f'"{doc.date}"^^xsd:date')
        else:
            w.po("cg:notStated", "dcterms:date")
        for cited in doc.cites:
            w.po("cg:cites", f"doc:{cited}")
        w.end()
        for cited in doc.cites:  # a wire report is described in every document citing it
            label, publisher = self.cited[cited]
            w.subject(f"doc:{cited}")
            w.po("a", "cg:CitedSource")
            w.po("rdfs:label", english(label))
            w.po("dcterms:publisher", f"actor:{publisher}")
            w.po("cg:notStated", "dcterms:title")
            w.po("cg:notStated", "dcterms:date")
            w.end()
        other = self.documents[(self.doc_index[doc.slug] + 1) % len(self.documents)]
        for claim in doc.claims:
            self._render_claim(w, doc, claim, text, starts[claim.slug], expected, other, texts)
        for nr in doc.non_responses:
            sentence = self._non_response_sentence(nr)
            w.subject(f"nonresponse:{nr.slug}")
            w.po("a", "cg:NonResponse")
            w.po("rdfs:label", english(sentence))
            w.po("cg:respondent", f"actor:{nr.respondent}")
            w.po("cg:topicText", english(nr.topic))
            w.po("cg:notStated", "dcterms:date")
            w.po("cg:evidence", f"evidence:{nr.slug}")
            w.end()
            start = starts[nr.slug]
            self._render_evidence(
                w,
                doc.slug,
                nr.slug,
                "AuthorVoice",
                [],
                sentence,
                text,
                start,
                start,
                start + len(sentence),
                doc.slug,
                mention="",
            )
        self.triples += w.count
        return w.text()

    def _render_claim(
        self,
        w: Writer,
        doc: Document,
        claim: Claim,
        text: str,
        start: int,
        expected: list[tuple[str, str, str]],
        other: Document,
        texts: dict[str, tuple[str, dict[str, int]]],
    ) -> None:
        v = claim.violation
        iri = CLAIM + claim.slug
        actor = self.actors[claim.claimant]
        w.subject(f"claim:{claim.slug}")
        w.po("a", "cg:Claim")
        w.po("rdfs:label", english(f"{actor.label}: {self.props[claim.prop].text}"))
        if v == "missing-claimant":
            expected.append(("Violation", CGSH + "Claim-claimant", iri))
        else:
            w.po("cg:claimant", f"actor:{claim.claimant}")
        if v == "missing-proposition":
            expected.append(("Violation", CGSH + "Claim-proposition", iri))
        else:
            w.po("cg:proposition", f"prop:{claim.prop}")
        if v == "missing-stance":
            expected.append(("Violation", CGSH + "Claim-stance", iri))
        elif v == "stance-not-in-scheme":
            w.po("cg:stance", "cg:Assessment")
            expected.append(("Violation", CGSH + "Claim-stance", iri))
        else:
            w.po("cg:stance", f"cg:{claim.stance}")
        w.po("cg:claimKind", f"cg:{claim.kind}")
        if claim.channel:
            w.po("cg:channel", f"cg:{claim.channel}")
        if claim.date is None:
            w.po("cg:notStated", "dcterms:date")
            expected.append(("Info", CGSH + "Claim-dateNotStated", iri))
        elif v == "ill-formed-date":  # 30 February: the right datatype, an impossible date
            w.po("dcterms:date", '"2025-02-30"^^xsd:date')
            expected.append(("Violation", CGSH + "Claim-dateValue", iri))
        else:
            w.po("dcterms:date", f'"{claim.date}"^^xsd:date')
        if v == "missing-evidence":
            expected.append(("Violation", CGSH + "Claim-evidence", iri))
        else:
            w.po("cg:evidence", f"evidence:{claim.slug}")
        w.end()
        if v != "missing-claimant" and actor.kind == "anonymous":
            if actor.source_count == 1:
                expected.append(("Warning", CGSH + "Claim-singleAnonymousSource", iri))
            named = any(self.actors[r.agent].kind != "anonymous" for r in claim.relays)
            if not named and v != "missing-evidence":
                expected.append(("Violation", CGSH + "Claim-anonymousClaimantRelayedByNamedAgent", iri))
        relays = claim.relays
        if v == "duplicate-relay-order":
            relays[1].order = relays[0].order
            expected.append(("Violation", CGSH + "Evidence-relayOrderUnique", EVIDENCE + claim.slug))
        elif v == "relay-order-zero":
            relays[0].order = 0
            expected.append(("Violation", CGSH + "RelayStep-relayOrder", RELAY + f"{claim.slug}-1"))
        source = doc.slug
        if v == "anchor-in-other-document":
            source = other.slug
            expected.append(("Violation", CGSH + "Evidence-anchorSourceIsFoundIn", EVIDENCE + claim.slug))
        exact = alter(claim.sentence) if v == "wrong-quote" else claim.sentence
        shown = start + 1 if v == "shifted-offset" else start
        shown_end = shown + len(claim.sentence)
        if actor.kind == "author":
            mode = "AuthorVoice"
        else:
            mode = "DirectQuote" if not relays and self.rng.random() < 0.2 else "Paraphrase"
        self._render_evidence(
            w, doc.slug, claim.slug, mode, relays, exact, text, start, shown, shown_end, source, mention=claim.mention
        )
        # The quote, prefix and suffix are checked against the text the anchor points into (none if that
        # document's archived text is missing): what the shapes will find, computed independently.
        target = texts[source][0] if self._has_text(source) else None
        if target is not None:
            prefix = text[max(0, start - 32) : start]
            suffix = text[start + len(claim.sentence) : start + len(claim.sentence) + 32]
            anchor = ANCHOR + claim.slug
            if target[shown:shown_end] != exact:
                expected.append(("Violation", CGSH + "TextAnchor-exactInArchivedText", anchor))
            if not target[:shown].endswith(prefix):
                expected.append(("Violation", CGSH + "TextAnchor-prefixInArchivedText", anchor))
            if not target[shown_end:].startswith(suffix):
                expected.append(("Violation", CGSH + "TextAnchor-suffixInArchivedText", anchor))

    def _has_text(self, slug: str) -> bool:
        return self.documents[self.doc_index[slug]].violation != "missing-archived-text"

    def _render_evidence(
        self,
        w: Writer,
        doc: str,
        slug: str,
        quote_mode: str,
        relays: list[Relay],
        exact: str,
        text: str,
        start: int,
        shown_start: int,
        shown_end: int,
        source: str,
        *,
        mention: str,
    ) -> None:
        # Prefix and suffix: the up to 32 code points around the sentence where it really is.
        end = start + len(exact)
        prefix = text[max(0, start - 32) : start]
        suffix = text[end : end + 32]
        w.subject(f"evidence:{slug}")
        w.po("a", "cg:Evidence")
        w.po("rdfs:label", english(f"Evidence: {slug}"))
        w.po("cg:foundIn", f"doc:{doc}")
        w.po("cg:anchor", f"anchor:{slug}")
        w.po("cg:quoteMode", f"cg:{quote_mode}")
        if mention:
            w.po("cg:claimantMention", english(mention))
        for k in range(len(relays)):
            w.po("cg:relay", f"relay:{slug}-{k + 1}")
        w.end()
        for k, relay in enumerate(relays):
            w.subject(f"relay:{slug}-{k + 1}")
            w.po("a", "cg:RelayStep")
            w.po("rdfs:label", english(f"Relay step {k + 1} of {slug}"))
            w.po("cg:relayOrder", f'"{relay.order}"^^xsd:positiveInteger')
            w.po("cg:relayAgent", f"actor:{relay.agent}")
            w.po("cg:relayAct", f"cg:{relay.act}")
            if relay.via:
                w.po("cg:viaSource", f"doc:{relay.via}")
            w.po("cg:attributionBasis", f"cg:{relay.basis}")
            w.end()
        w.subject(f"anchor:{slug}")
        w.po("a", "cg:TextAnchor")
        w.po("rdfs:label", english(f"Anchor: {slug}"))
        w.po("oa:hasSource", f"doc:{source}")
        w.po("oa:hasSelector", f"anchor:{slug}-quote")
        w.po("oa:hasSelector", f"anchor:{slug}-position")
        w.end()
        w.subject(f"anchor:{slug}-quote")
        w.po("a", "oa:TextQuoteSelector")
        w.po("rdfs:label", english(f"Quote selector: {slug}"))
        w.po("oa:exact", literal(exact))
        w.po("oa:prefix", literal(prefix))
        w.po("oa:suffix", literal(suffix))
        w.end()
        w.subject(f"anchor:{slug}-position")
        w.po("a", "oa:TextPositionSelector")
        w.po("rdfs:label", english(f"Position selector: {slug}"))
        w.po("oa:start", f'"{shown_start}"^^xsd:nonNegativeInteger')
        w.po("oa:end", f'"{shown_end}"^^xsd:nonNegativeInteger')
        w.end()

    def _render_actors(self, expected: list[tuple[str, str, str]]) -> str:
        w = Writer("graph:actors")
        for actor in self.actors.values():
            w.subject(f"actor:{actor.slug}")
            cls = {
                "person": "cg:Person",
                "government": "cg:Government",
                "state": "cg:State",
                "agency": "cg:Agency",
                "outlet": "cg:NewsOutlet",
                "wire": "cg:NewsOutlet",
                "group": "cg:Group",
                "anonymous": "cg:AnonymousSource",
                "author": "cg:UnnamedAuthor",
            }[actor.kind]
            w.po("a", cls)
            w.po("rdfs:label", english(actor.label))
            if actor.kind == "government":
                w.po("cg:governmentOf", f"actor:{self.states[actor.state]}")
                w.po("cg:metonym", english(actor.mention))
                w.po("cg:seat", f"place:{self.states[actor.state]}-capital")
            elif actor.kind == "state":
                w.po("cg:territory", f"place:{actor.slug}-country")
            elif actor.kind == "agency" or actor.kind == "group":
                w.po("cg:affiliatedWith", f"actor:{self.states[actor.state]}")
            elif actor.kind == "person" and actor.state >= 0:
                w.po("cg:affiliatedWith", f"actor:{self.governments[actor.state]}")
            elif actor.kind == "anonymous":
                w.po("cg:description", english(actor.description))
                w.po("cg:affiliationHint", english("familiar with the matter"))
                if actor.source_count is None:
                    w.po("cg:notStated", "cg:sourceCount")
                else:
                    w.po("cg:sourceCount", f'"{actor.source_count}"^^xsd:nonNegativeInteger')
                if not actor.description.strip():
                    expected.append(("Violation", CGSH + "AnonymousSource-description", ACTOR + actor.slug))
            w.end()
        self.triples += w.count
        return w.text()

    def _render_places(self) -> str:
        w = Writer("graph:places")
        for slug, (cls, label, part_of) in self.places.items():
            w.subject(f"place:{slug}")
            w.po("a", f"cg:{cls}")
            w.po("rdfs:label", english(label))
            if part_of:
                w.po("cg:placePartOf", f"place:{part_of}")
            w.end()
        self.triples += w.count
        return w.text()

    def _render_propositions(self) -> str:
        w = Writer("graph:propositions")
        for prop in self.props.values():
            w.subject(f"prop:{prop.slug}")
            w.po("a", "cg:ControlProposition" if prop.control else "cg:Proposition")
            w.po("rdfs:label", english(prop.text[0].upper() + prop.text[1:]))
            for about in prop.about:
                w.po("cg:about", about)
            for target in prop.contradicts:
                w.po("cg:contradicts", f"prop:{target}")
            for target in prop.supports:
                w.po("cg:supports", f"prop:{target}")
            for target in prop.entails:
                w.po("cg:entails", f"prop:{target}")
            if prop.control:
                controller, territory, share = prop.control
                w.po("cg:controller", f"actor:{controller}")
                w.po("cg:controlledTerritory", f"place:{territory}")
                w.po("cg:approximateShare", f'"{share}"^^xsd:decimal')
            w.end()
        self.triples += w.count
        return w.text()


