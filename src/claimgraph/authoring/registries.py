"""Adding to the shared registries: an actor to ``graph:actors``, a proposition to ``graph:propositions``.

Each goes into the file that holds its registry graph (``graph/actors.trig``,
``graph/propositions.trig``, created if there is none), checked as
:meth:`~claimgraph.authoring.workspace.Workspace.commit` checks every change.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from claimgraph.authoring.lookup import parse_iri
from claimgraph.authoring.turtle import Block
from claimgraph.authoring.workspace import Change, Workspace, Written
from claimgraph.errors import AuthoringValueError
from claimgraph.namespaces import CG, GRAPH, RDF, RDFS, XSD, curie

__all__ = ["add_actor", "add_proposition"]

_ACTORS_HEADING = (
    "claimgraph registry: actors (persons, governments, agencies, groups, anonymous sources, outlets).",
    "Written by claimgraph add-actor; reading: docs/model.md.",
)
_PROPOSITIONS_HEADING = (
    "claimgraph registry: propositions (what is claimed, in neutral words) and their relations.",
    "Written by claimgraph add-proposition; reading: docs/model.md.",
)


def _registry_file(workspace: Workspace, graph: str, name: str) -> Path:
    return workspace.graph_file(graph) or workspace.graph_dir / name


def _english(text: str, *, field: str, path: Path) -> ox.Literal:
    if not text.strip():
        raise AuthoringValueError(path, field, text, "give the words (it may not be empty)")
    return ox.Literal(text, language="en")


def add_actor(
    iri: str,
    *,
    data_dir: Path,
    type: str,
    label: str,
    affiliated_with: Sequence[str] = (),
    description: str | None = None,
    source_count: int | None = None,
    dry_run: bool = False,
) -> Written:
    """Add an actor to the actors registry.

    :param iri: the new actor's IRI or CURIE (``actor:dmitry-peskov``), not used in the data yet.
    :param data_dir: the data root.
    :param type: its class, a subclass of ``cg:Agent`` (``person``, ``news-outlet``, ``cg:Government`` …).
    :param label: its name as a reader would recognise it.
    :param affiliated_with: agents of the data whose side it is on (``cg:affiliatedWith``).
    :param description: for an anonymous source, how the text describes it (``cg:description``,
        required); for any other actor, a comment (``rdfs:comment``).
    :param source_count: for an anonymous source, how many people it is, where the text says
        (else ``cg:notStated cg:sourceCount``).
    :param dry_run: check everything, write nothing.
    :raises AuthoringError: (and subclasses) if a value is malformed, unknown or in use; nothing is written.
    """
    workspace = Workspace(data_dir)
    path = _registry_file(workspace, GRAPH.actors, "actors.trig")
    node = ox.NamedNode(parse_iri(iri, field="actor", path=path))
    workspace.unused([node.value])
    cls = workspace.concept(type, field="type", path=path)
    anonymous = workspace.is_subclass(cls.value, CG.AnonymousSource)
    block = Block(node).add(RDF.type, cls).add(RDFS.label, _english(label, field="label", path=path))
    if anonymous:
        if description is None:
            reason = f"an anonymous source ({curie(cls.value)}) needs one: how the text describes it"
            raise AuthoringValueError(path, "description", "", reason)
        block.add(CG.description, _english(description, field="description", path=path))
        if source_count is None:
            block.add(CG.notStated, ox.NamedNode(CG.sourceCount))
    if source_count is not None:
        if not anonymous:
            reason = f"only an anonymous source has a source count, not a {curie(cls.value)}"
            raise AuthoringValueError(path, "source count", str(source_count), reason)
        if source_count < 0:
            raise AuthoringValueError(path, "source count", str(source_count), "expected 0 or more")
        block.add(CG.sourceCount, ox.Literal(str(source_count), datatype=ox.NamedNode(XSD.nonNegativeInteger)))
    sides = [workspace.require(a, cls=CG.Agent, field="affiliated with", path=path) for a in affiliated_with]
    block.add(CG.affiliatedWith, *dict.fromkeys(sides))
    if description is not None and not anonymous:
        block.add(RDFS.comment, _english(description, field="description", path=path))
    change = Change(path, GRAPH.actors, [block], heading=_ACTORS_HEADING)
    return workspace.commit(change, dry_run=dry_run)


#: The relations a proposition may declare, with the verb its comment uses.
RELATIONS = {"contradicts": CG.contradicts, "supports": CG.supports, "entails": CG.entails}


def add_proposition(
    iri: str,
    *,
    data_dir: Path,
    label: str,
    about: Sequence[str] = (),
    entails: Sequence[str] = (),
    contradicts: Sequence[str] = (),
    supports: Sequence[str] = (),
    note: str | None = None,
    dry_run: bool = False,
) -> Written:
    """Add a proposition to the propositions registry, with its relations to propositions of the data.

    :param iri: the new proposition's IRI or CURIE (``prop:…``), not used in the data yet.
    :param label: what is asserted, in neutral words any claimant's stance can take.
    :param about: what it concerns: IRIs the data defines (actors, places, events, proposals …).
    :param entails: propositions that are true if this one is (``cg:entails``).
    :param contradicts: propositions that cannot be true with it (``cg:contradicts``).
    :param supports: propositions it gives reason to believe (``cg:supports``).
    :param note: the textual marker that justifies the relations (required with any relation),
        kept as the proposition's comment: ``Contradicts prop:x — textual marker: NOTE``.
    :param dry_run: check everything, write nothing.
    :raises AuthoringError: (and subclasses) if a value is malformed, unknown or in use, or a relation
        has no note; nothing is written.
    """
    workspace = Workspace(data_dir)
    path = _registry_file(workspace, GRAPH.propositions, "propositions.trig")
    node = ox.NamedNode(parse_iri(iri, field="proposition", path=path))
    workspace.unused([node.value])
    block = Block(node).add(RDF.type, ox.NamedNode(CG.Proposition))
    block.add(RDFS.label, _english(label, field="label", path=path))
    topics = [workspace.require(a, cls=None, field="about", path=path) for a in about]
    block.add(CG.about, *dict.fromkeys(topics))
    given = {"contradicts": contradicts, "supports": supports, "entails": entails}
    declared: list[str] = []
    for name, targets in given.items():
        props = list(dict.fromkeys(workspace.require(t, cls=CG.Proposition, field=name, path=path) for t in targets))
        block.add(RELATIONS[name], *props)
        if props:
            declared.append(f"{name} {', '.join(curie(p.value) for p in props)}")
    if declared and not (note and note.strip()):
        reason = "a relation between propositions needs the textual marker that justifies it"
        raise AuthoringValueError(path, "note", note or "", reason)
    if note is not None and not declared:
        reason = "a note justifies a relation: declare one (contradicts, supports, entails) or leave the note out"
        raise AuthoringValueError(path, "note", note, reason)
    if declared and note:
        comment = "; ".join(declared)
        block.add(
            RDFS.comment, ox.Literal(f"{comment[0].upper()}{comment[1:]} — textual marker: {note}", language="en")
        )
    change = Change(path, GRAPH.propositions, [block], heading=_PROPOSITIONS_HEADING)
    return workspace.commit(change, dry_run=dry_run)
