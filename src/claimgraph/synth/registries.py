"""The registries of a synthetic corpus: its actors, places and propositions, built and written as TriG.

Owns :class:`Registries`; documents add their unnamed authors to it and the planted contradictions
their contested propositions.
"""

from __future__ import annotations

import random

from claimgraph.namespaces import ACTOR, CGSH
from claimgraph.synth.plan import Actor, Proposal, Proposition
from claimgraph.synth.prose import (
    ANON_DESCRIPTIONS,
    FIRST_NAMES,
    LAST_NAMES,
    MONTHS,
    OUTLET_WORDS,
    STATE_ROOTS,
    TOPICS,
    WIRES,
    slugify,
)
from claimgraph.synth.trig import Writer, english

__all__ = ["ACTOR_CLASSES", "Registries"]

#: The ontology class of each kind of actor.
ACTOR_CLASSES = {
    "person": "cg:Person",
    "government": "cg:Government",
    "state": "cg:State",
    "agency": "cg:Agency",
    "outlet": "cg:NewsOutlet",
    "wire": "cg:NewsOutlet",
    "group": "cg:Group",
    "anonymous": "cg:AnonymousSource",
    "author": "cg:UnnamedAuthor",
}


class Registries:
    """Who and what the claims are about: actors by kind, places, and propositions.

    Slugs are kept per kind (``states``, ``governments``, ``persons``…), and per state where a state
    has several (``agencies``, ``officials``, ``territories``); ``background`` are the propositions
    background claims take.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.actors: dict[str, Actor] = {}
        self.states: list[str] = []
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
        self.proposals: dict[str, Proposal] = {}

    def add(self, actor: Actor) -> str:
        """Register ``actor``; its slug."""
        self.actors[actor.slug] = actor
        return actor.slug

    # --- building -----------------------------------------------------------------------------------

    def build(self, n: int) -> None:
        """The registries for a corpus of ``n`` claims."""
        # States grow with the corpus (never capped): positions on territory pair up within a state, so
        # a fixed number of states would make the territorial disputes grow as the square of the claims.
        n_states = max(4, n // 300)
        for i in range(n_states):
            self._state(i)
        n_persons = max(12, n // 25)
        for i in range(n_persons):
            first, last = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[(i // len(FIRST_NAMES)) % len(LAST_NAMES)]
            label = f"{first} {last}" + (
                "" if i < len(FIRST_NAMES) * len(LAST_NAMES) else f" {i // (len(FIRST_NAMES) * len(LAST_NAMES)) + 1}"
            )
            state = i % n_states
            slug = self.add(Actor(slugify(label), "person", label, label, state=state))
            self.persons.append(slug)
            self.officials[state].append(slug)
        for i in range(max(6, n // 150)):
            word = OUTLET_WORDS[i % len(OUTLET_WORDS)]
            city = self.actors[self.governments[i % n_states]].mention
            label = f"The {city} {word}" + ("" if i < n_states * len(OUTLET_WORDS) else f" {i}")
            self.outlets.append(self.add(Actor(slugify(label), "outlet", label, label)))
        for wire in WIRES:
            self.wires.append(self.add(Actor(slugify(wire), "wire", wire, wire)))
        for i in range(max(4, n // 200)):
            state = i % n_states
            label = f"{self.actors[self.states[state]].label}n opposition lawmakers" + (
                "" if i < n_states else f" ({i})"
            )
            self.groups.append(self.add(Actor(slugify(label), "group", label, label, state=state)))
        for i in range(max(6, n // 40)):
            description = ANON_DESCRIPTIONS[i % len(ANON_DESCRIPTIONS)]
            count: int | None = (1, 2, None, 1, None, 3)[i % 6]
            label = f"Anonymous source {i + 1}: {description}"
            self.anonymous.append(
                self.add(
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
            stance = self.rng.choices(("Affirms", "Denies", "Uncertain"), weights=(6, 2, 2))[0]
            self.background.append(self.proposition(i, stance))
        for i in range(0, n_props - 1, 7):  # relations between background propositions (no conflict)
            a, b = self.background[i], self.background[i + 1]
            if (self.props[a].stance, self.props[b].stance) == ("Affirms", "Denies"):
                continue  # affirming what supports or entails what is denied: a planted kind's pair
            self.props[a].supports.append(b)
            if i % 21 == 0:
                self.props[a].entails.append(b)

    def _state(self, i: int) -> None:
        """State ``i``: its country, capital and regions, its government and two agencies."""
        root = STATE_ROOTS[i % len(STATE_ROOTS)] + ("" if i < len(STATE_ROOTS) else f" {i // len(STATE_ROOTS) + 1}")
        name = root + "ia"
        slug = slugify(name)
        capital = root + "grad"
        self.places[f"{slug}-country"] = ("Country", name, None)
        self.places[f"{slug}-capital"] = ("City", capital, f"{slug}-country")
        regions = []
        for side in ("north", "south", "east"):
            region = f"{slug}-{side}"
            self.places[region] = ("Region", f"{side.capitalize()}ern {name}", f"{slug}-country")
            regions.append(region)
        self.territories.append(regions)
        self.states.append(self.add(Actor(slug, "state", name, name, state=i)))
        self.governments.append(
            self.add(Actor(f"{slug}-government", "government", f"Government of {name}", capital, state=i))
        )
        self.agencies.append(
            [
                self.add(
                    Actor(
                        f"{slug}-intelligence-service",
                        "agency",
                        f"{name} Intelligence Service",
                        f"{name}\u2019s intelligence service",
                        state=i,
                    )
                ),
                self.add(
                    Actor(
                        f"{slug}-defence-ministry",
                        "agency",
                        f"{name} Ministry of Defence",
                        f"the {name} defence ministry",
                        state=i,
                    )
                ),
            ]
        )
        self.officials.append([])

    def proposition(self, i: int, stance: str, *, prefix: str = "p") -> str:
        """A new proposition about two random states, worded by ``i``; its slug ``PREFIX-i``."""
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

    def proposal(self, i: int, requires: list[str]) -> str:
        """A new proposal requiring the propositions ``requires``; its slug ``plan-i``."""
        topic = TOPICS[i % len(TOPICS)]
        slug = f"plan-{i:06d}"
        self.proposals[slug] = Proposal(slug, f"Plan for {topic} (draft {i})", list(requires))
        return slug

    # --- writing ------------------------------------------------------------------------------------

    def actors_graph(self, expected: list[tuple[str, str, str]]) -> Writer:
        """``graph:actors``; a blank anonymous description's violation is added to ``expected``."""
        w = Writer("graph:actors")
        for actor in self.actors.values():
            w.node(f"actor:{actor.slug}", ACTOR_CLASSES[actor.kind], actor.label)
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
        return w

    def places_graph(self) -> Writer:
        w = Writer("graph:places")
        for slug, (cls, label, part_of) in self.places.items():
            w.node(f"place:{slug}", f"cg:{cls}", label)
            if part_of:
                w.po("cg:placePartOf", f"place:{part_of}")
            w.end()
        return w

    def propositions_graph(self) -> Writer:
        w = Writer("graph:propositions")
        for prop in self.props.values():
            w.node(
                f"prop:{prop.slug}",
                "cg:ControlProposition" if prop.control else "cg:Proposition",
                prop.text[0].upper() + prop.text[1:],
            )
            for about in prop.about:
                w.po("cg:about", about)
            for target in prop.contradicts:
                w.po("cg:contradicts", f"prop:{target}")
            for target in prop.supports:
                w.po("cg:supports", f"prop:{target}")
            for target in prop.entails:
                w.po("cg:entails", f"prop:{target}")
            for proposal in prop.tabled:
                w.po("cg:about", f"proposal:{proposal}")
                w.po("cg:tabledProposal", f"proposal:{proposal}")
            if prop.control:
                controller, territory, share = prop.control
                w.po("cg:controller", f"actor:{controller}")
                w.po("cg:controlledTerritory", f"place:{territory}")
                w.po("cg:approximateShare", f'"{share}"^^xsd:decimal')
            w.end()
        return w

    def proposals_graph(self) -> Writer:
        w = Writer("graph:proposals")
        for proposal in self.proposals.values():
            w.node(f"proposal:{proposal.slug}", "cg:Proposal", proposal.label)
            for required in proposal.requires:
                w.po("cg:requires", f"prop:{required}")
            w.end()
        return w
