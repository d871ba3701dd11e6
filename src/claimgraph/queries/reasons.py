"""Why two claims contradict: each reason's chain of declared statements, where each is declared
(file:line), its textual note, and the confidence the chain allows.

A contradiction query says which pairs it found and why (``?reason``, and for some rules the nodes it
went through: ``?via``, ``?proposal``, ``?required``, ``?place1``, ``?place2``, ``?land``, ``?owner``).
The chain is rebuilt here from the declared relations (the derived graph only says that a chain exists):
the shortest one from side 1's proposition to side 2's, each link as the data states it. Its confidence
is ``declared`` when the conflict is stated (one proposition, or a declared ``cg:contradicts`` or
``cg:requires``), ``entailed`` when it follows through ``cg:entails``, proposal components or place
containment, ``support-based`` when a ``cg:supports`` link carries it (docs/queries.md).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from claimgraph.io.dataset import Dataset
from claimgraph.io.positions import Locator, relative_to
from claimgraph.namespaces import CG, PREFIXES, curie
from claimgraph.sparql.engines import Engine, binding_text
from claimgraph.sparql.lexer import scan, values_blocks

__all__ = [
    "CONFIDENCES",
    "RULES",
    "Link",
    "Reason",
    "Relations",
    "chain_steps",
    "describe_links",
    "note_for",
    "rule_confidence",
]

#: Confidences from the strongest: stated in the data, following through entailment, resting on support.
CONFIDENCES = ("declared", "entailed", "support-based")

#: The reason texts of the bundled contradiction queries and the rule each stands for.
RULES: dict[str, str] = {
    "opposite stances on the same proposition": "same",
    "opposite stances by the same claimant at different dates": "same",
    "affirmed propositions declared contradictory": "contradiction",
    "affirmed propositions entail propositions declared contradictory": "contradiction",
    "one side affirms what entails the proposition the other denies": "entailment",
    "one side affirms what supports the proposition the other denies": "support",
    "one side affirms what supports a proposition contradicting what the other affirms": "support-contradiction",
    "opposite stances on overlapping territory of one side's state": "territory",
    "one side rejects what a proposal the other puts on the table requires": "proposal",
    "one side affirms what contradicts what a proposal the other puts on the table requires": "proposal-contradiction",
}

#: The confidence of each rule when no chain is found (data changed between the queries, or a store
#: holding other relations than its derived graph says).
_DEFAULT_CONFIDENCE = {
    "same": "declared",
    "contradiction": "entailed",
    "entailment": "entailed",
    "support": "support-based",
    "support-contradiction": "support-based",
    "territory": "entailed",
    "proposal": "declared",
    "proposal-contradiction": "declared",
}

#: The declared relations chains are made of (``cg:about`` and ``cg:territory`` links come from the
#: nodes a query went through, not from this list: there are too many).
_RELATIONS = (CG.entails, CG.contradicts, CG.supports, CG.requires, CG.component, CG.tabledProposal, CG.placePartOf)

_RELATIONS_QUERY = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("cg", "rdfs")) + (
    "SELECT ?s ?p ?o WHERE {\n  VALUES ?p { "
    + " ".join(curie(p) for p in _RELATIONS)
    + " }\n  ?s ?p ?o .\n  FILTER(isIRI(?s) && isIRI(?o))\n}"
)

_TEXTS_QUERY = (
    f"PREFIX rdfs: <{PREFIXES['rdfs']}>\n"
    "SELECT ?node ?label ?comment WHERE {\n"
    "  OPTIONAL { ?node rdfs:label ?label }\n  OPTIONAL { ?node rdfs:comment ?comment }\n}"
)

Step = tuple[str, str, str]


@dataclass(frozen=True)
class Link:
    """One declared statement of a chain: subject, relation (a property IRI) and object, where it is
    declared (``file`` relative to the data directory, 1-based ``line``; ``None`` when the data came
    from an endpoint), and the textual note the subject's ``rdfs:comment`` gives for it."""

    subject: str
    subject_label: str
    relation: str
    object: str
    object_label: str
    file: str | None
    line: int | None
    note: str | None


@dataclass(frozen=True)
class Reason:
    """Why a kind of contradiction holds for a pair: its text, its confidence and its chain."""

    kind: str
    text: str
    confidence: str | None
    chain: tuple[Link, ...]

    def to_json(self) -> dict[str, object]:
        """The JSON object of a reason (docs/queries.md)."""
        return {
            "kind": self.kind,
            "reason": self.text,
            "confidence": self.confidence,
            "chain": [asdict(link) for link in self.chain],
        }


class Relations:
    """The declared relations between propositions, proposals and places, read once from an engine."""

    def __init__(self, engine: Engine) -> None:
        self.edges: dict[str, dict[str, set[str]]] = {p: {} for p in _RELATIONS}
        for row in engine.select(_RELATIONS_QUERY, name="declared relations").bindings():
            subject, predicate, obj = (binding_text(row[v]) if v in row else "" for v in ("s", "p", "o"))
            self.edges[predicate].setdefault(subject, set()).add(obj)
        # cg:contradicts read both ways, each with the statement as declared.
        self._contradicting: dict[str, list[tuple[str, Step]]] = {}
        for a, targets in self.edges[CG.contradicts].items():
            for b in targets:
                self._contradicting.setdefault(a, []).append((b, (a, CG.contradicts, b)))
                self._contradicting.setdefault(b, []).append((a, (a, CG.contradicts, b)))

    def has(self, subject: str, predicate: str, obj: str) -> bool:
        return obj in self.edges[predicate].get(subject, ())

    def path(self, start: str, goal: str, predicates: Sequence[str], *, via: str | None = None) -> list[Step] | None:
        """The shortest chain of ``predicates`` links from ``start`` to ``goal`` (empty if they are the
        same node), through at least one ``via`` link if given; ``None`` if there is none."""
        first = (start, via is None)
        before: dict[tuple[str, bool], tuple[tuple[str, bool], Step] | None] = {first: None}
        queue = deque([first])
        while queue:
            node, done = queue.popleft()
            if node == goal and done:
                steps: list[Step] = []
                at: tuple[str, bool] = (node, done)
                while (previous := before[at]) is not None:
                    at, step = previous
                    steps.append(step)
                return steps[::-1]
            for predicate in predicates:
                for nxt in sorted(self.edges[predicate].get(node, ())):
                    state = (nxt, done or predicate == via)
                    if state not in before:
                        before[state] = ((node, done), (node, predicate, nxt))
                        queue.append(state)
        return None

    def entailed(self, start: str) -> dict[str, list[Step]]:
        """Every proposition ``start`` is or entails, with the shortest chain of cg:entails to it."""
        paths: dict[str, list[Step]] = {start: []}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for nxt in sorted(self.edges[CG.entails].get(node, ())):
                if nxt not in paths:
                    paths[nxt] = [*paths[node], (node, CG.entails, nxt)]
                    queue.append(nxt)
        return paths

    def contradiction(self, left: str, right: str) -> list[Step] | None:
        """The shortest chain from ``left`` to ``right`` through one declared ``cg:contradicts``, with
        entailment on either side (right's links listed from the contradiction back to it)."""
        from_left, from_right = self.entailed(left), self.entailed(right)
        found = [
            [*to_x, declared, *from_right[y][::-1]]
            for x, to_x in from_left.items()
            for y, declared in self._contradicting.get(x, ())
            if y in from_right
        ]
        return min(found, key=lambda chain: (len(chain), chain)) if found else None

    def within(self, inner: str, outer: str) -> list[Step] | None:
        return self.path(inner, outer, [CG.placePartOf])

    def overlap(self, first: str, second: str) -> list[Step] | None:
        """How two places overlap: one within the other, or a place within both."""
        if (inward := self.within(first, second)) is not None:
            return inward
        if (outward := self.within(second, first)) is not None:
            return outward[::-1]
        parts = sorted({s for s in self.edges[CG.placePartOf]} | {first, second})
        shared = [(p, self.within(p, first), self.within(p, second)) for p in parts]
        paths = [(a, b) for _, a, b in shared if a is not None and b is not None]
        if not paths:
            return None
        a, b = min(paths, key=lambda ab: len(ab[0]) + len(ab[1]))
        return [*a[::-1], *b]

    def requirement(self, proposal: str, required: str) -> list[Step] | None:
        """From a proposal through its components to what it cg:requires, then entailment to ``required``."""
        best: list[Step] | None = None
        for part in sorted(self.edges[CG.component].get(proposal, set()) | {proposal} | self._parts(proposal)):
            to_part = self.path(proposal, part, [CG.component])
            for needed in sorted(self.edges[CG.requires].get(part, ())):
                onward = self.path(needed, required, [CG.entails])
                if to_part is not None and onward is not None:
                    found = [*to_part, (part, CG.requires, needed), *onward]
                    if best is None or len(found) < len(best):
                        best = found
        return best

    def _parts(self, proposal: str) -> set[str]:
        seen: set[str] = set()
        frontier = [proposal]
        while frontier:
            for part in self.edges[CG.component].get(frontier.pop(), ()):
                if part not in seen:
                    seen.add(part)
                    frontier.append(part)
        return seen


def chain_steps(
    rule: str, relations: Relations, first: str, second: str, first_affirms: bool, witnesses: Mapping[str, str]
) -> list[Step] | None:
    """The declared statements that make ``rule`` hold between the propositions of side 1 (``first``)
    and side 2 (``second``), ordered from side 1 to side 2; ``None`` if no chain is found."""
    w = witnesses.get
    if rule == "same":
        return []
    if rule == "contradiction":
        return relations.contradiction(first, second)
    if rule == "entailment":
        if first_affirms:
            return relations.path(first, second, [CG.entails])
        backward = relations.path(second, first, [CG.entails])
        return None if backward is None else backward[::-1]
    if rule == "support":
        return relations.path(first, second, [CG.entails, CG.supports], via=CG.supports)
    if rule == "support-contradiction" and (via := w("via")):
        support = relations.path(first, via, [CG.entails, CG.supports], via=CG.supports)
        conflict = relations.contradiction(via, second)
        return None if support is None or conflict is None else [*support, *conflict]
    if rule == "territory" and (place1 := w("place1")) and (place2 := w("place2")) and (land := w("land")):
        overlap = relations.overlap(place1, place2)
        outer = place2 if relations.within(place1, place2) is not None else place1
        to_land = relations.within(outer, land)
        if overlap is None or to_land is None:
            return None
        owner = w("owner")
        territory = [(owner, CG.territory, land)] if owner else []
        return [(first, CG.about, place1), *overlap, (second, CG.about, place2), *to_land, *territory]
    if rule in ("proposal", "proposal-contradiction") and (proposal := w("proposal")) and (required := w("required")):
        tabled = CG.tabledProposal if relations.has(first, CG.tabledProposal, proposal) else CG.about
        needs = relations.requirement(proposal, required)
        conflict = relations.contradiction(required, second) if rule == "proposal-contradiction" else []
        if needs is None or conflict is None:
            return None
        return [(first, tabled, proposal), *needs, *conflict]
    return None


def rule_confidence(rule: str | None, text: str, steps: Sequence[Step] | None) -> str | None:
    """The confidence of a reason: by the links of its chain, or by its rule where there is no chain."""
    if rule is None:
        return None
    if rule in ("support", "support-contradiction"):
        return "support-based"
    if steps is None:
        declared = rule == "contradiction" and "declared" in text
        return "declared" if declared else _DEFAULT_CONFIDENCE[rule]
    predicates = {p for _, p, _ in steps}
    if CG.supports in predicates:
        return "support-based"
    if rule == "territory" or predicates & {CG.entails, CG.component, CG.placePartOf}:
        return "entailed"
    return "declared"


#: The relations whose textual note a comment without segments gives.
_NOTED = (CG.entails, CG.contradicts, CG.supports, CG.requires, CG.tabledProposal)

_MARKER = re.compile(r"\b([A-Z][A-Za-z]+) ((?:[A-Za-z][\w-]*):[^\s,;]*[^\s,;.]|<[^<>\s]+>) \u2014 ")


def _expand(name: str) -> str:
    if name.startswith("<"):
        return name[1:-1]
    prefix, _, local = name.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES else name


def note_for(comments: Iterable[str], predicate: str, obj: str) -> str | None:
    """The textual note for the statement ``? predicate obj`` in its subject's comments.

    A comment may hold one segment per relation, each opening ``Relation target — `` ("Contradicts
    prop:x — textual marker: …"); the note is the matching segment's text after the dash. A comment
    with no such segment is the note of every relation the subject declares (:data:`_NOTED`); other
    links (cg:about, cg:placePartOf, cg:territory, cg:component) have none.
    """
    local = predicate.rsplit("#", 1)[-1].lower()
    fallback: str | None = None
    for comment in comments:
        marks = list(_MARKER.finditer(comment))
        for index, mark in enumerate(marks):
            if mark.group(1).lower() == local and _expand(mark.group(2)) == obj:
                end = marks[index + 1].start() if index + 1 < len(marks) else len(comment)
                return comment[mark.end() : end].strip()
        if not marks and predicate in _NOTED:
            fallback = fallback or comment.strip()
    return fallback


def describe_links(
    engine: Engine, chains: Iterable[Sequence[Step]], dataset: Dataset | None
) -> Callable[[Sequence[Step]], tuple[Link, ...]]:
    """Labels, notes and (with ``dataset``, loaded from files) source positions for every step of
    ``chains``, read at once; returns what turns a chain of steps into links."""
    steps = sorted({step for chain in chains for step in chain})
    nodes = sorted({n for s, _, o in steps for n in (s, o)})
    labels: dict[str, str] = {}
    comments: dict[str, set[str]] = {}
    if nodes:
        # One query per block of nodes: at 10M the chains' nodes are more than Virtuoso reads in one.
        texts = scan(_TEXTS_QUERY, name="chain labels")
        rows = [
            row
            for block in values_blocks("node", [ox.NamedNode(n) for n in nodes], name="chain labels")
            for row in engine.select(texts.insert_values(block), name="chain labels").bindings()
        ]
        for row in rows:
            node = binding_text(row["node"])
            if "label" in row:
                label = binding_text(row["label"])
                labels[node] = min(labels.get(node, label), label)
            if "comment" in row:
                comments.setdefault(node, set()).add(binding_text(row["comment"]))
    places: dict[Step, tuple[str | None, int | None]] = {}
    if dataset is not None:
        locator = Locator(dataset, subjects={s for s, _, _ in steps})
        shown: dict[Path, str] = {}  # a few files for thousands of steps: each resolved once
        for step in steps:
            found = locator.locate_statement(*step)
            if found is not None:
                if found.path not in shown:
                    shown[found.path] = str(relative_to(found.path, dataset.root) or found.path)
                places[step] = (shown[found.path], found.line)

    # Each distinct step described once: chains share most of their steps.
    names = {n: labels[n] if n in labels else curie(n) for n in nodes}
    described = {
        (s, p, o): Link(
            subject=s,
            subject_label=names[s],
            relation=p,
            object=o,
            object_label=names[o],
            file=places.get((s, p, o), (None, None))[0],
            line=places.get((s, p, o), (None, None))[1],
            note=note_for(sorted(comments.get(s, ())), p, o),
        )
        for s, p, o in steps
    }

    def links(chain: Sequence[Step]) -> tuple[Link, ...]:
        return tuple(described[step] for step in chain)

    return links
