"""Adding what a document says: a claim (with its evidence, relay steps, anchor and selectors) or a
non-response, into the document's own graph, anchored in its archived text.

The document is named by its TriG file (the one ``add-source`` wrote) or by its archived text; the
quote is located in the archived text as :func:`~claimgraph.authoring.quotes.find_quote` locates it,
so the selectors are what the shapes check. Names follow the bundled graph: ``claim:NAME``,
``evidence:NAME``, ``anchor:NAME`` with ``anchor:NAME-quote`` and ``anchor:NAME-position``, and
``relay:NAME-1`` … nearest the claimant first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from claimgraph.authoring.quotes import Selectors, find_quote, require_words
from claimgraph.authoring.texts import STDIN, check_slug, parse_date, slugify
from claimgraph.authoring.turtle import Block
from claimgraph.authoring.workspace import Change, Workspace, Written
from claimgraph.errors import AuthoringError, AuthoringValueError
from claimgraph.io.reading import FORMATS
from claimgraph.namespaces import (
    ANCHOR,
    ARCHIVE_GRAPH,
    CG,
    CLAIM,
    DCTERMS,
    EVIDENCE,
    NONRESPONSE,
    OA,
    RDF,
    RDFS,
    RELAY,
    XSD,
)
from claimgraph.terms import term_text

__all__ = ["Relay", "add_claim", "add_nonresponse"]


@dataclass(frozen=True)
class Relay:
    """One step by which a claim reached the document, nearest the claimant first.

    :ivar agent: who passed it on (an agent of the data).
    :ivar act: how: a concept of ``cg:RelayActScheme`` (``told-to``, ``reported-by``, ``relayed-by``).
    :ivar via: the cited report it was published in (a ``cg:CitedSource`` of the data), if named.
    :ivar basis: whether the anchored sentence names the step (``explicit``, the default) or only
        the passage around it (``contextual``): a concept of ``cg:AttributionBasisScheme``.
    """

    agent: str
    act: str
    via: str | None = None
    basis: str | None = None

    @classmethod
    def parse(cls, text: str, *, path: Path) -> Relay:
        """A step written ``AGENT ACT [DOC] [contextual]`` (DOC is told from the basis by its colon).

        :raises AuthoringValueError: for any other shape.
        """
        words = text.split()
        expected = "expected 'AGENT ACT [DOC] [contextual]', e.g. 'actor:reuters told-to'"
        if not 2 <= len(words) <= 4:
            raise AuthoringValueError(path, "relay", text, expected)
        rest = words[2:]
        via = [w for w in rest if ":" in w or w.startswith("<")]
        basis = [w for w in rest if w not in via]
        if len(via) > 1 or len(basis) > 1:
            raise AuthoringValueError(path, "relay", text, expected)
        return cls(words[0], words[1], via[0] if via else None, basis[0] if basis else None)


@dataclass(frozen=True)
class _Document:
    iri: ox.NamedNode
    file: Path
    archive: Path
    text: str


def _document(workspace: Workspace, doc_file: Path) -> _Document:
    """The archived source document ``doc_file`` (its TriG file, or its archived text) holds."""
    if doc_file == STDIN:
        raise AuthoringError(doc_file, "standard input cannot be written to: name the document's TriG file")
    wanted = doc_file.resolve()
    sources = workspace.dataset.sources
    store = workspace.dataset.store
    paths = {
        quad.subject: (term_text(quad.object), sources.get(quad.graph_name))
        for quad in store.quads_for_pattern(None, ox.NamedNode(CG.archivePath), None)
    }
    found: list[_Document] = []
    for document, (relative, source) in paths.items():
        if not isinstance(document, ox.NamedNode) or source is None or sources.get(document) != source:
            continue  # a document's evidence goes in its own graph: the graph named by the document
        archive = source.parent / relative
        if wanted in (source.resolve(), archive.resolve()):
            text = next(
                store.quads_for_pattern(document, ox.NamedNode(CG.text), None, ox.NamedNode(ARCHIVE_GRAPH)), None
            )
            if text is None:
                raise AuthoringError(archive, f"the archived text of {term_text(document)} is missing or unreadable")
            found.append(_Document(document, source, archive, term_text(text.object)))
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(sorted(d.iri.value for d in found))
        raise AuthoringError(doc_file, f"holds several archived documents ({names}): give one per file")
    if doc_file.suffix in FORMATS and not any(p.resolve() == wanted for p in sources.values()):
        raise AuthoringError(doc_file, f"is not a file of the data in {workspace.graph_dir}")
    reason = "is not the TriG file of an archived document (a graph named by its cg:SourceDocument) nor its text"
    raise AuthoringError(doc_file, reason)


def _name(workspace: Workspace, name: str | None, default: str, iris: Callable[[str], list[str]], *, path: Path) -> str:
    """``name`` if given and unused, else ``default`` with the first suffix (-2, -3 …) that is unused."""
    if name is not None:
        check_slug(name, field="name", path=path)
        workspace.unused(iris(name))
        return name
    candidate, n = default, 1
    while any(workspace.used(iri) for iri in iris(candidate)):
        n += 1
        candidate = f"{default}-{n}"
    return candidate


def _english(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def _date(block: Block, date: str | None, *, path: Path) -> None:
    if date is None:
        block.add(CG.notStated, ox.NamedNode(DCTERMS.date))
    else:
        block.add(DCTERMS.date, parse_date(date, path=path))


def _evidence(
    name: str,
    label: str,
    document: _Document,
    selectors: Selectors,
    *,
    mode: ox.NamedNode,
    mention: str | None,
    relays: Sequence[Block],
) -> list[Block]:
    """The evidence node, its relay steps, the anchor and its two selectors."""
    evidence = Block(ox.NamedNode(EVIDENCE.term(name))).add(RDF.type, ox.NamedNode(CG.Evidence))
    evidence.add(RDFS.label, _english(f"Evidence: {label}"))
    evidence.add(CG.foundIn, document.iri).add(CG.anchor, ox.NamedNode(ANCHOR.term(name)))
    evidence.add(CG.quoteMode, mode)
    if mention is not None:
        evidence.add(CG.claimantMention, _english(mention))
    evidence.add(CG.relay, *(r.subject for r in relays))
    anchor = Block(ox.NamedNode(ANCHOR.term(name))).add(RDF.type, ox.NamedNode(CG.TextAnchor))
    anchor.add(RDFS.label, _english(f"Anchor: {label}")).add(OA.hasSource, document.iri)
    selector_blocks = selectors.blocks(name, label=label)
    anchor.add(OA.hasSelector, *(b.subject for b in selector_blocks))
    return [evidence, *relays, anchor, *selector_blocks]


def _anchor_iris(name: str) -> list[str]:
    return [EVIDENCE.term(name), ANCHOR.term(name), ANCHOR.term(f"{name}-quote"), ANCHOR.term(f"{name}-position")]


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def add_claim(
    doc_file: Path,
    *,
    data_dir: Path,
    quote: str,
    claimant: str,
    proposition: str,
    stance: str,
    kind: str,
    occurrence: int | None = None,
    mode: str | None = None,
    channel: str | None = None,
    date: str | None = None,
    mention: str | None = None,
    relays: Sequence[Relay | str] = (),
    name: str | None = None,
    dry_run: bool = False,
) -> Written:
    """Add a claim read in a document: the claim, its evidence, relay steps and anchor.

    :param doc_file: the document's TriG file (or its archived text) in the data.
    :param data_dir: the data root.
    :param quote: the words of the archived text that carry the claim, exactly as written there.
    :param claimant: the agent who makes the claim (IRI or CURIE of the data).
    :param proposition: the proposition of the data it takes a stance on.
    :param stance: a concept of ``cg:StanceScheme`` (``affirms``, ``denies``, ``uncertain``).
    :param kind: a concept of ``cg:ClaimKindScheme`` (``assessment``, ``public-statement`` …).
    :param occurrence: which occurrence of the quote (1-based), when it occurs more than once.
    :param mode: a concept of ``cg:QuoteModeScheme``; default ``paraphrase`` (``author-voice`` when the
        claimant is a document's unnamed author).
    :param channel: a concept of ``cg:ChannelScheme`` (``public``, ``private``), where the text gives one.
    :param date: the date of the claim the text gives (``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``), else not stated.
    :param mention: how the text names the claimant (it must occur in the text).
    :param relays: the steps by which the claim reached the document, nearest the claimant first.
    :param name: the NAME of ``claim:NAME`` and its nodes; default from the claimant and the proposition.
    :param dry_run: check everything, write nothing.
    :raises AuthoringError: (and subclasses) if a value is malformed or unknown, the quote is not in the
        text exactly once, an anonymous claimant has no named intermediary, or a name is in use.
    """
    workspace = Workspace(data_dir)
    document = _document(workspace, doc_file)
    path = document.file
    selectors = find_quote(document.text, quote, path=document.archive, occurrence=occurrence)
    who = workspace.require(claimant, cls=CG.Agent, field="claimant", path=path)
    what = workspace.require(proposition, cls=CG.Proposition, field="proposition", path=path)
    stance_iri = workspace.concept(stance, field="stance", path=path)
    kind_iri = workspace.concept(kind, field="kind", path=path)
    author = workspace.is_a(who.value, CG.UnnamedAuthor)
    default_mode = CG.AuthorVoice if author else CG.Paraphrase
    mode_iri = workspace.concept(mode, field="mode", path=path) if mode is not None else ox.NamedNode(default_mode)
    channel_iri = workspace.concept(channel, field="channel", path=path) if channel is not None else None
    if mention is not None:
        require_words(document.text, mention, path=document.archive)
    steps = [r if isinstance(r, Relay) else Relay.parse(r, path=path) for r in relays]
    agents = [workspace.require(s.agent, cls=CG.Agent, field="relay", path=path) for s in steps]
    if workspace.is_a(who.value, CG.AnonymousSource) and not any(_named(workspace, a.value) for a in agents):
        reason = (
            f"the claimant {claimant} is an anonymous source: name who passed the claim on with a relay step"
            " whose agent is named (the outlet the source spoke to, say), not anonymous nor an unnamed author"
        )
        raise AuthoringValueError(path, "relay", " | ".join(relay_texts(steps)), reason)
    default = slugify(f"{_local(who.value)} {_local(what.value)}", max_words=12)

    def iris(slug: str) -> list[str]:
        return [CLAIM.term(slug), *_anchor_iris(slug), *(RELAY.term(f"{slug}-{k}") for k in range(1, len(steps) + 1))]

    slug = _name(workspace, name, default, iris, path=path)
    label = f"{workspace.label(who.value)} — {workspace.label(stance_iri.value)}: {workspace.label(what.value)}"
    relay_blocks = []
    for order, (step, agent) in enumerate(zip(steps, agents, strict=True), start=1):
        act = workspace.concept(step.act, field="relay act", path=path)
        basis = (
            CG.ExplicitAttribution
            if step.basis is None
            else workspace.concept(step.basis, field="attribution basis", path=path).value
        )
        block = Block(ox.NamedNode(RELAY.term(f"{slug}-{order}"))).add(RDF.type, ox.NamedNode(CG.RelayStep))
        how = f"{workspace.label(act.value)} {workspace.label(agent.value)}"
        block.add(RDFS.label, _english(f"Relay step {order} ({how}): {label}"))
        block.add(CG.relayOrder, ox.Literal(str(order), datatype=ox.NamedNode(XSD.positiveInteger)))
        block.add(CG.relayAgent, agent).add(CG.relayAct, act)
        if step.via is not None:
            block.add(CG.viaSource, workspace.require(step.via, cls=CG.CitedSource, field="relay", path=path))
        relay_blocks.append(block.add(CG.attributionBasis, ox.NamedNode(basis)))
    claim = Block(ox.NamedNode(CLAIM.term(slug))).add(RDF.type, ox.NamedNode(CG.Claim))
    claim.add(RDFS.label, _english(label)).add(CG.claimant, who).add(CG.proposition, what)
    claim.add(CG.stance, stance_iri).add(CG.claimKind, kind_iri)
    if channel_iri is not None:
        claim.add(CG.channel, channel_iri)
    _date(claim, date, path=path)
    claim.add(CG.evidence, ox.NamedNode(EVIDENCE.term(slug)))
    blocks = [claim, *_evidence(slug, label, document, selectors, mode=mode_iri, mention=mention, relays=relay_blocks)]
    written = workspace.commit(Change(path, document.iri.value, blocks), dry_run=dry_run)
    return written.located(selectors.start, selectors.end)


def relay_texts(steps: Sequence[Relay]) -> list[str]:
    """Each step as it is written on the command line."""
    return [" ".join(w for w in (s.agent, s.act, s.via, s.basis) if w) for s in steps]


def _named(workspace: Workspace, agent: str) -> bool:
    """Whether ``agent`` is a named intermediary: neither an anonymous source nor an unnamed author."""
    return not workspace.is_a(agent, CG.AnonymousSource) and not workspace.is_a(agent, CG.UnnamedAuthor)


def add_nonresponse(
    doc_file: Path,
    *,
    data_dir: Path,
    respondent: str,
    quote: str,
    topic: str | None = None,
    occurrence: int | None = None,
    mention: str | None = None,
    date: str | None = None,
    name: str | None = None,
    dry_run: bool = False,
) -> Written:
    """Add a non-response ("did not comment") read in a document, anchored in its archived text.

    :param respondent: the agent of the data that did not comment.
    :param quote: the words of the archived text that report it.
    :param topic: what it did not comment on, in the text's words (``cg:topicText``).
    :param mention: how the text names the respondent (it must occur in the text).
    :param date: when, if the text says; else not stated.
    :param name: the NAME of ``nonresponse:NAME``; default ``RESPONDENT-no-comment``.
    :raises AuthoringError: (and subclasses) as :func:`add_claim` does; nothing is written.
    """
    workspace = Workspace(data_dir)
    document = _document(workspace, doc_file)
    path = document.file
    selectors = find_quote(document.text, quote, path=document.archive, occurrence=occurrence)
    who = workspace.require(respondent, cls=CG.Agent, field="respondent", path=path)
    if mention is not None:
        require_words(document.text, mention, path=document.archive)
    slug = _name(
        workspace,
        name,
        f"{_local(who.value)}-no-comment",
        lambda s: [NONRESPONSE.term(s), *_anchor_iris(s)],
        path=path,
    )
    label = f"{workspace.label(who.value)} did not comment" + (f" on {topic}" if topic else "")
    node = Block(ox.NamedNode(NONRESPONSE.term(slug))).add(RDF.type, ox.NamedNode(CG.NonResponse))
    node.add(RDFS.label, _english(label)).add(CG.respondent, who)
    if topic is not None:
        node.add(CG.topicText, _english(topic))
    _date(node, date, path=path)
    node.add(CG.evidence, ox.NamedNode(EVIDENCE.term(slug)))
    mode = ox.NamedNode(CG.AuthorVoice)
    blocks = [node, *_evidence(slug, label, document, selectors, mode=mode, mention=mention, relays=[])]
    written = workspace.commit(Change(path, document.iri.value, blocks), dry_run=dry_run)
    return written.located(selectors.start, selectors.end)
