"""The documents of a synthetic corpus: articles, the wire reports they cite, their claims with relays and
their non-responses; the archived texts that quote them, and each document's named graph.

Owns :class:`Documents`. A claim's or document's planted violation (``violation``) is set by
:mod:`claimgraph.synth.planted`; writing breaks what it names and records what validation must report.
"""

from __future__ import annotations

import hashlib
import random

from claimgraph.namespaces import ANCHOR, CGSH, CLAIM, DOC, EVIDENCE, RELAY
from claimgraph.synth.plan import Actor, Claim, Document, NonResponse, Relay
from claimgraph.synth.prose import FILLER, TOPICS, alter, random_date
from claimgraph.synth.registries import Registries
from claimgraph.synth.trig import Writer, english, literal

__all__ = ["Documents"]


def _next_claim_slug(doc: Document) -> str:
    return f"{doc.slug}-c{len(doc.claims) + 1:03d}"


#: The first background claims are shaped so that every kind of violation finds claims it can break
#: whatever the random draws (an anonymous claimant, two relays, a date), small corpora included.
_SHAPES = (
    "anonymous-0",
    "relayed-twice",
    "dated",
    "anonymous-1",
    "relayed-twice",
    "anonymous-2",
    "dated",
    "relayed-twice",
)


class Documents:
    """The corpus's documents in order (``documents``, positions in ``index``) and the wire reports
    they cite (``cited``: slug -> label, publisher slug)."""

    def __init__(self, rng: random.Random, registries: Registries) -> None:
        self.rng = rng
        self.registries = registries
        self.documents: list[Document] = []
        self.index: dict[str, int] = {}
        self.cited: dict[str, tuple[str, str]] = {}
        #: The shaped background claims (:data:`_SHAPES`), which document-level violations leave alone.
        self.shaped: set[str] = set()

    # --- building -----------------------------------------------------------------------------------

    def build(self, n: int, n_background: int) -> None:
        """The documents for a corpus of ``n`` claims, wire reports, ``n_background`` claims and non-responses."""
        rng = self.rng
        n_docs = max(2, n // 8)
        n_wire_reports = max(2, n_docs // 3)
        for w in range(n_wire_reports):
            wire = self.registries.wires[w % len(self.registries.wires)]
            label = f"{self.registries.actors[wire].label} report {w + 1} (cited)"
            self.cited[f"wire-report-{w + 1:05d}"] = (label, wire)
        for d in range(n_docs):
            slug = f"article-{d + 1:06d}"
            outlet = self.registries.outlets[d % len(self.registries.outlets)] if d % 9 else None
            date = None if d % 7 == 3 else random_date(rng)
            author = self.registries.add(Actor(f"{slug}-author", "author", f"Unnamed author of {slug}", "the article"))
            doc = Document(slug, outlet, date, f"Report {d + 1}: {TOPICS[d % len(TOPICS)]} under scrutiny", author)
            # Wire reports are republished: each is cited by about three documents of different outlets.
            doc.cites.append(f"wire-report-{(d // 3) % n_wire_reports + 1:05d}")
            if d % 4 == 0:
                doc.cites.append(f"wire-report-{rng.randrange(n_wire_reports) + 1:05d}")
            doc.cites = list(dict.fromkeys(doc.cites))
            self.documents.append(doc)
        self.index = {doc.slug: i for i, doc in enumerate(self.documents)}
        for c in range(n_background):
            doc = self.documents[c * n_docs // n_background]
            doc.claims.append(self._background_claim(doc, _SHAPES[c] if c < len(_SHAPES) else None))
            if c < len(_SHAPES):
                self.shaped.add(doc.claims[-1].slug)
        respondents = self.registries.governments + [a for agencies in self.registries.agencies for a in agencies]
        for d, doc in enumerate(self.documents):
            if d % 3 == 0:
                respondent = rng.choice(respondents)
                doc.non_responses.append(NonResponse(f"{doc.slug}-n1", respondent, TOPICS[d % len(TOPICS)]))

    def _claimant(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.40:
            return rng.choice(self.registries.persons)
        if roll < 0.55:
            return rng.choice(self.registries.governments)
        if roll < 0.67:
            return rng.choice(rng.choice(self.registries.agencies))
        if roll < 0.75:
            return rng.choice(self.registries.groups)
        if roll < 0.90:
            return rng.choice(self.registries.anonymous)
        return ""  # the document's own voice

    def _background_claim(self, doc: Document, shape: str | None = None) -> Claim:
        """A claim on a background proposition; ``shape`` (:data:`_SHAPES`) fixes what the draws would
        only make likely."""
        rng = self.rng
        claimant = self._claimant() or doc.author
        if shape is not None and shape.startswith("anonymous-"):
            anonymous = self.registries.anonymous
            claimant = anonymous[int(shape.rsplit("-", 1)[1]) % len(anonymous)]
        elif shape == "relayed-twice":
            claimant = rng.choice(self.registries.persons)
        prop = self.registries.props[rng.choice(self.registries.background)]
        kind = self.registries.actors[claimant].kind
        claim_kind = {
            "agency": "Assessment",
            "author": "ReportOfFact",
            "anonymous": rng.choice(("ReportOfFact", "Assessment")),
            "government": rng.choice(("PublicStatement", "PositionOrDemand")),
            "group": "PositionOrDemand",
        }.get(kind, rng.choice(("PublicStatement", "PositionOrDemand", "ReportOfFact")))
        date = random_date(rng) if rng.random() < 0.6 or shape == "dated" else None
        claim = Claim(_next_claim_slug(doc), claimant, prop.slug, prop.stance, claim_kind, date)
        if rng.random() < 0.3:
            claim.channel = rng.choice(("PublicChannel", "PrivateChannel"))
        self._relays(claim, doc)
        if shape == "relayed-twice" and len(claim.relays) < 2:
            claim.relays = [
                Relay(rng.choice(self.registries.persons), "ToldTo", order=1),
                Relay(rng.choice(self.registries.outlets), "RelayedBy", order=2),
            ]
        return claim

    def place(self, claim: Claim) -> None:
        """Add ``claim`` to a random document, with relays through what that document cites."""
        doc = self.documents[self.rng.randrange(len(self.documents))]
        claim.slug = _next_claim_slug(doc)
        doc.claims.append(claim)
        self._relays(claim, doc)

    def _relays(self, claim: Claim, doc: Document) -> None:
        rng = self.rng
        kind = self.registries.actors[claim.claimant].kind
        if kind == "anonymous":
            outlet = doc.outlet or rng.choice(self.registries.outlets)
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
                claim.relays.append(Relay(rng.choice(self.registries.persons), "ToldTo"))
                claim.relays.append(Relay(rng.choice(self.registries.outlets), "RelayedBy"))
        for order, relay in enumerate(claim.relays, start=1):
            relay.order = order

    # --- archived texts -----------------------------------------------------------------------------

    def _sentence(self, claim: Claim) -> str:
        actor = self.registries.actors[claim.claimant]
        prop = self.registries.props[claim.prop]
        if actor.kind == "author":
            claim.mention = ""
            head = {"Affirms": "", "Denies": "It is not the case that ", "Uncertain": "Doubts persist over whether "}
            text = head[claim.stance] + prop.text
            return text[0].upper() + text[1:]
        claim.mention = actor.mention
        if actor.kind == "anonymous" and claim.relays:
            outlet = self.registries.actors[claim.relays[0].agent].label
            told = {"Affirms": "that", "Denies": "it was not true that", "Uncertain": "it was unclear whether"}
            return (
                f"{actor.mention}, speaking on condition of anonymity, told {outlet} {told[claim.stance]} {prop.text}"
            )
        verbs = {"Affirms": "said that", "Denies": "denied that", "Uncertain": "said it was unclear whether"}
        verb = "assessed that" if claim.kind == "Assessment" and claim.stance == "Affirms" else verbs[claim.stance]
        lead = ""
        if claim.relays and claim.relays[0].act == "ReportedBy":
            lead = f"According to reporting by {self.registries.actors[claim.relays[0].agent].label}, "
        elif len(claim.relays) >= 2:
            lead = f"{self.registries.actors[claim.relays[1].agent].label} reported that "
        subject = actor.mention if lead else actor.mention[0].upper() + actor.mention[1:]
        return f"{lead}{subject} {verb} {prop.text}"

    def compose(self, doc: Document) -> tuple[str, dict[str, int]]:
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
        return f"{self.registries.actors[nr.respondent].label} did not comment on {nr.topic}"

    # --- writing ------------------------------------------------------------------------------------

    def graph(
        self, doc: Document, texts: dict[str, tuple[str, dict[str, int]]], expected: list[tuple[str, str, str]]
    ) -> Writer:
        """The document's named graph; what validation must report about it is added to ``expected``.

        :param texts: every document's archived text and sentence offsets, as :meth:`compose` gives them.
        """
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
        w.node(f"doc:{doc.slug}", "cg:NewsArticle", f"News article: {doc.title}")
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
            w.node(f"doc:{cited}", "cg:CitedSource", label)
            w.po("dcterms:publisher", f"actor:{publisher}")
            w.po("cg:notStated", "dcterms:title")
            w.po("cg:notStated", "dcterms:date")
            w.end()
        other = self.documents[(self.index[doc.slug] + 1) % len(self.documents)]
        for claim in doc.claims:
            self._write_claim(w, doc, claim, text, starts[claim.slug], expected, other, texts)
        for nr in doc.non_responses:
            sentence = self._non_response_sentence(nr)
            w.node(f"nonresponse:{nr.slug}", "cg:NonResponse", sentence)
            w.po("cg:respondent", f"actor:{nr.respondent}")
            w.po("cg:topicText", english(nr.topic))
            w.po("cg:notStated", "dcterms:date")
            w.po("cg:evidence", f"evidence:{nr.slug}")
            w.end()
            start = starts[nr.slug]
            self._write_evidence(
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
        return w

    def _write_claim(
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
        actor = self.registries.actors[claim.claimant]

        def required(name: str, predicate: str, obj: str) -> None:
            """The statement, or its Claim-NAME violation where ``missing-NAME`` is planted."""
            if v == f"missing-{name}":
                expected.append(("Violation", CGSH + f"Claim-{name}", iri))
            else:
                w.po(predicate, obj)

        w.node(f"claim:{claim.slug}", "cg:Claim", f"{actor.label}: {self.registries.props[claim.prop].text}")
        required("claimant", "cg:claimant", f"actor:{claim.claimant}")
        required("proposition", "cg:proposition", f"prop:{claim.prop}")
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
        required("evidence", "cg:evidence", f"evidence:{claim.slug}")
        w.end()
        if v != "missing-claimant" and actor.kind == "anonymous":
            if actor.source_count == 1:
                expected.append(("Warning", CGSH + "Claim-singleAnonymousSource", iri))
            named = any(self.registries.actors[r.agent].kind != "anonymous" for r in claim.relays)
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
        self._write_evidence(
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
        return self.documents[self.index[slug]].violation != "missing-archived-text"

    def _write_evidence(
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
        w.node(f"evidence:{slug}", "cg:Evidence", f"Evidence: {slug}")
        w.po("cg:foundIn", f"doc:{doc}")
        w.po("cg:anchor", f"anchor:{slug}")
        w.po("cg:quoteMode", f"cg:{quote_mode}")
        if mention:
            w.po("cg:claimantMention", english(mention))
        for k in range(len(relays)):
            w.po("cg:relay", f"relay:{slug}-{k + 1}")
        w.end()
        for k, relay in enumerate(relays):
            w.node(f"relay:{slug}-{k + 1}", "cg:RelayStep", f"Relay step {k + 1} of {slug}")
            w.po("cg:relayOrder", f'"{relay.order}"^^xsd:positiveInteger')
            w.po("cg:relayAgent", f"actor:{relay.agent}")
            w.po("cg:relayAct", f"cg:{relay.act}")
            if relay.via:
                w.po("cg:viaSource", f"doc:{relay.via}")
            w.po("cg:attributionBasis", f"cg:{relay.basis}")
            w.end()
        w.node(f"anchor:{slug}", "cg:TextAnchor", f"Anchor: {slug}")
        w.po("oa:hasSource", f"doc:{source}")
        w.po("oa:hasSelector", f"anchor:{slug}-quote")
        w.po("oa:hasSelector", f"anchor:{slug}-position")
        w.end()
        w.node(f"anchor:{slug}-quote", "oa:TextQuoteSelector", f"Quote selector: {slug}")
        w.po("oa:exact", literal(exact))
        w.po("oa:prefix", literal(prefix))
        w.po("oa:suffix", literal(suffix))
        w.end()
        w.node(f"anchor:{slug}-position", "oa:TextPositionSelector", f"Position selector: {slug}")
        w.po("oa:start", f'"{shown_start}"^^xsd:nonNegativeInteger')
        w.po("oa:end", f'"{shown_end}"^^xsd:nonNegativeInteger')
        w.end()
