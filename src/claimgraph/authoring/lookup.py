"""What an author may name: IRIs (CURIEs with the project's prefixes), the values of the ontology's
concept schemes and actor classes, and the terms the data defines, each refused with the closest
candidates when it is not one of them.

The values come from the ontology, never from lists in code: a field's values are the concepts of its
SKOS scheme (a stance is a concept of ``cg:StanceScheme``) or, for an actor's type, the subclasses
of ``cg:Agent``. A value is accepted as its CURIE (``cg:PositionOrDemand``), its IRI, its name in
kebab case (``position-or-demand``), its label in kebab case (``public`` for ``cg:PublicChannel``),
or a word of those that names one value alone (``outlet`` for ``cg:NewsOutlet``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from claimgraph.authoring.texts import slugify
from claimgraph.errors import AuthoringValueError, UnknownTermError
from claimgraph.namespaces import CG, PREFIXES, curie, expand, sparql_prefixes
from claimgraph.terms import concept_name, term_text
from claimgraph.validation.suggest import closest

__all__ = ["FIELDS", "Choices", "bundled_choices", "choices", "nearest", "parse_iri"]

#: Each field whose values the ontology defines: the concept scheme it takes them from, or the class
#: (``cg:Agent``) whose subclasses it takes.
FIELDS: dict[str, str] = {
    "type": CG.Agent,
    "stance": CG.StanceScheme,
    "kind": CG.ClaimKindScheme,
    "mode": CG.QuoteModeScheme,
    "channel": CG.ChannelScheme,
    "relay act": CG.RelayActScheme,
    "attribution basis": CG.AttributionBasisScheme,
}

_IRI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def parse_iri(value: str, *, field: str, path: Path) -> str:
    """An IRI given as ``<IRI>``, a full IRI (``scheme://…``) or a CURIE with the shared prefixes.

    :raises AuthoringValueError: if it is none of these.
    """
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        iri: str | None = text[1:-1]
    elif _IRI_SCHEME.match(text):
        iri = text
    else:
        iri = expand(text)
        prefix, colon, _ = text.partition(":")
        if iri is None and colon and re.fullmatch(r"[A-Za-z][\w-]*", prefix):
            known = ", ".join(PREFIXES)
            raise AuthoringValueError(path, field, value, f"unknown prefix {prefix!r} (known: {known})")
    try:
        if not iri or iri in PREFIXES.values():  # a namespace alone names nothing
            raise ValueError(iri)
        ox.NamedNode(iri)
    except ValueError:
        raise AuthoringValueError(path, field, value, "expected a CURIE such as actor:reuters or a full IRI") from None
    assert iri is not None
    return iri


def nearest(term: str, candidates: Iterable[str], *, count: int = 3) -> list[str]:
    """Up to ``count`` candidates near enough to ``term`` to be what was meant, nearest first
    (:func:`claimgraph.validation.suggest.closest`, asked again without each one found)."""
    left = set(candidates)
    found: list[str] = []
    while len(found) < count and (best := closest(term, sorted(left))) is not None:
        found.append(best)
        left.discard(best)
    return found


def listing(items: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


@dataclass(frozen=True)
class Choices:
    """The values of one field, as the ontology defines them.

    :ivar field: what the values are for (``stance``, ``type`` …).
    :ivar source: where they come from, as a CURIE (``cg:StanceScheme``, ``cg:Agent``).
    :ivar names: each value's IRI by its name (the shorter of its kebab-case name and label).
    :ivar aliases: every accepted spelling of a value, lowercase, with its IRI.
    """

    field: str
    source: str
    names: dict[str, str]
    aliases: dict[str, str]

    def resolve(self, value: str, *, path: Path) -> str:
        """The IRI ``value`` names.

        :raises UnknownTermError: if it names none of them, with the nearest names.
        """
        text = value.strip()
        iri = self.aliases.get(text.lower()) or self.aliases.get(expand(text) or text)
        if iri is not None:
            return iri
        suggested = nearest(text.lower(), self.names)
        known = ", ".join(self.names)
        what = f"a subclass of {self.source}" if self.field == "type" else f"a concept of {self.source}"
        reason = f"not {what} (known: {known})"
        if suggested:
            reason += f"; did you mean {listing(suggested)}?"
        raise UnknownTermError(path, self.field, value, reason, candidates=suggested)


def _kebab(text: str) -> str:
    return slugify(text, max_words=20, max_length=200)


def _choices(field: str, rows: Iterable[tuple[str, str | None]]) -> Choices:
    labelled = sorted({iri: label for iri, label in rows}.items())
    names: dict[str, str] = {}
    aliases: dict[str, str] = {}
    spellings: dict[str, list[str]] = {}
    for iri, label in labelled:
        own = [concept_name(iri)] + ([_kebab(label)] if label and _kebab(label) else [])
        names[min(own, key=lambda n: (len(n), n != own[0]))] = iri
        spellings[iri] = own
        aliases.update({iri: iri, curie(iri).lower(): iri, **{n: iri for n in own}})
    words: dict[str, set[str]] = {}
    for iri, own in spellings.items():
        for word in {w for n in own for w in n.split("-")}:
            words.setdefault(word, set()).add(iri)
    for word, iris in words.items():
        if len(iris) == 1 and word not in aliases:
            aliases[word] = next(iter(iris))
    return Choices(field, curie(FIELDS[field]), dict(sorted(names.items(), key=lambda i: i[1])), aliases)


def choices(store: ox.Store, field: str) -> Choices:
    """The values of ``field`` (a key of :data:`FIELDS`) in the ontology ``store`` holds (any graph)."""
    source = ox.NamedNode(FIELDS[field])
    if field == "type":
        # graph:derived states every class a subclass of itself: the class itself is no choice.
        pattern = (
            f"?value rdfs:subClassOf+ {source} . FILTER(isIRI(?value) && ?value != {source})"
            " OPTIONAL { ?value rdfs:label ?label }"
        )
    else:
        pattern = f"?value skos:inScheme {source} . OPTIONAL {{ ?value skos:prefLabel ?label }}"
    query = sparql_prefixes() + f"SELECT ?value ?label WHERE {{ {pattern} }}"
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    rows = [
        (term_text(row["value"]), term_text(row["label"]) if row["label"] is not None else None) for row in solutions
    ]
    return _choices(field, rows)


@cache
def bundled_choices(field: str) -> Choices:
    """:func:`choices` of the bundled ontology, for the command line's help."""
    from claimgraph.project import bundled_data_dir

    store = ox.Store()
    store.load(path=bundled_data_dir() / "ontology" / "claimgraph.ttl", format=ox.RdfFormat.TURTLE)
    return choices(store, field)
