"""What the report's pages show, gathered once from a dataset: :func:`collect` builds a :class:`Site`.

Everything is asked by SPARQL through an :class:`~claimgraph.sparql.Engine` (the bundled queries where
one exists: contradictions, anonymous-only claims), from the validation report (each result placed at
its file and line) and from the networkx analyses of :mod:`claimgraph.site.network`. The pages are
rendered from this by :mod:`claimgraph.site.report`; nothing here writes HTML.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from claimgraph.namespaces import CG, curie, sparql_prefixes
from claimgraph.site.network import Lineage, actor_graph, labels, lineage_graph, single_origin_claims
from claimgraph.terms import term_text

if TYPE_CHECKING:
    from claimgraph.io.dataset import Dataset
    from claimgraph.queries.contradictions import Contradiction
    from claimgraph.queries.explain import Side
    from claimgraph.sparql.engines import Engine
    from claimgraph.validation.api import ValidationReport

__all__ = [
    "ActorView",
    "Anchor",
    "ClaimContext",
    "DocumentSummary",
    "Finding",
    "NonResponse",
    "PropositionContext",
    "Relation",
    "Site",
    "collect",
    "plural",
    "slug",
]

#: Relations between propositions (and what they are about) a proposition page lists; the derived
#: closure (cg:derived…) is left out, the declared statements are shown.
_HIDDEN_PREDICATES = {CG.proposition, CG.stance}


def slug(iri: str) -> str:
    """A file name for ``iri``: its last segment, lower-case, safe, with a short hash for uniqueness."""
    tail = re.split(r"[/#]", iri.rstrip("/#"))[-1] or "node"
    clean = re.sub(r"[^a-z0-9-]+", "-", tail.lower()).strip("-")[:60] or "node"
    return f"{clean}-{hashlib.sha256(iri.encode('utf-8')).hexdigest()[:6]}"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 warning``, ``2 warnings``, ``0 infos``: a count with its noun in the right number."""
    return f"{count} {noun if count == 1 else (many or noun + 's')}"


@dataclass(frozen=True)
class Anchor:
    """Where a claim's (or non-response's) evidence sits in an archived text (code points, end exclusive)."""

    claim: str
    evidence: str
    document: str
    start: int
    end: int

    @property
    def element_id(self) -> str:
        return "anchor-" + slug(self.evidence)


@dataclass(frozen=True)
class Finding:
    """A validation result as a reader sees it: severity, the shape's message, where it was found."""

    severity: str
    shape: str
    focus: str
    message: str
    where: str | None


@dataclass(frozen=True)
class NonResponse:
    """A reported refusal to comment: who, on what, and where it is read."""

    iri: str
    label: str
    respondent: str
    topic: str | None
    documents: tuple[str, ...]


@dataclass(frozen=True)
class Relation:
    """A declared statement linking a proposition to another node, and where it is written."""

    subject: str
    predicate: str
    object: str
    where: str | None


@dataclass
class PropositionContext:
    """A proposition, the claims about it, its declared relations and the contradictions it is part of."""

    iri: str
    label: str
    comment: str | None
    claims: list[str] = field(default_factory=list)
    outgoing: list[Relation] = field(default_factory=list)
    incoming: list[Relation] = field(default_factory=list)
    contradictions: list[int] = field(default_factory=list)


@dataclass
class ClaimContext:
    """All the report knows of one claim."""

    side: Side
    comment: str | None
    anchors: list[Anchor]
    findings: list[Finding]
    anonymous_only: bool
    single_origin: bool
    corroborated_by: list[str]
    contradictions: list[int]
    tensions: list[int]

    @property
    def iri(self) -> str:
        return self.side.claim

    @property
    def badges(self) -> list[tuple[str, str]]:
        """(css class, text): written words, so they read without colour."""
        found = []
        if self.anonymous_only:
            found.append(("anonymous", "Anonymous source only"))
        if self.single_origin:
            found.append(("single", "Single origin"))
        for severity in ("Violation", "Warning"):
            count = sum(1 for f in self.findings if f.severity == severity)
            if count:
                found.append((severity.lower(), plural(count, severity.lower())))
        return found


@dataclass(frozen=True)
class DocumentSummary:
    """An archived document's share of the graph: claims read in it, contradictions they take part in
    (within the document or across documents) and the validation results on those claims, by severity."""

    document: str
    claims: int
    non_responses: int
    contradictions: int
    across: int
    violations: int
    warnings: int
    infos: int


@dataclass(frozen=True)
class ActorView:
    """An actor's page: its affiliations both ways, its claims, the claims it passed on, its
    non-responses and the contradictions (by number) it is party to."""

    affiliations: list[str]
    members: list[str]
    claims: list[ClaimContext]
    relayed: list[str]
    non_responses: list[NonResponse]
    contradictions: list[int]


@dataclass
class _Index:
    by_evidence: dict[str, Anchor] = field(default_factory=dict)
    in_document: defaultdict[str, list[Anchor]] = field(default_factory=lambda: defaultdict(list))
    claims_of: defaultdict[str, list[ClaimContext]] = field(default_factory=lambda: defaultdict(list))
    responses_of: defaultdict[str, list[NonResponse]] = field(default_factory=lambda: defaultdict(list))
    contradictions_of: defaultdict[str, list[int]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class Site:
    """What the pages are made of."""

    report: ValidationReport
    names: dict[str, str]
    contradictions: list[Contradiction]
    sides: dict[str, Side]
    actors: nx.MultiDiGraph
    lineage: Lineage
    documents: dict[str, dict[str, Any]]
    anchors: list[Anchor]
    texts: dict[str, str]
    claims: dict[str, ClaimContext] = field(default_factory=dict)
    propositions: dict[str, PropositionContext] = field(default_factory=dict)
    non_responses: dict[str, NonResponse] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    validated: list[str] = field(default_factory=list)
    _index: _Index | None = field(default=None, repr=False)

    def name(self, iri: str) -> str:
        return self.names.get(iri, curie(iri))

    def actor_view(self, actor: str) -> ActorView:
        """What an actor's page lists, each list without duplicates."""
        out = [(v, r) for _, v, r in self.actors.out_edges(actor, data="relation")]
        into = [(u, r) for u, _, r in self.actors.in_edges(actor, data="relation")]
        return ActorView(
            affiliations=sorted({v for v, r in out if r == "affiliated-with"}, key=self.name),
            members=sorted({u for u, r in into if r == "affiliated-with"}, key=self.name),
            claims=self.index.claims_of.get(actor, []),
            relayed=sorted({u for u, r in into if r == "relayed-by"}, key=self.name),
            non_responses=self.index.responses_of.get(actor, []),
            contradictions=self.index.contradictions_of.get(actor, []),
        )

    def lineage_links(self, document: str) -> tuple[list[tuple[str, list[str]]], list[tuple[str, list[str]]]]:
        """What ``document`` derives from and what derives from it: each node once, with every relation
        that links them (the article both cites and relays a report: one entry, two relations)."""
        graph = self.lineage.graph
        if document not in graph:
            return [], []
        sources: dict[str, list[str]] = defaultdict(list)
        users: dict[str, list[str]] = defaultdict(list)
        for _, v, r in graph.out_edges(document, data="relation"):
            if str(r) not in sources[v]:
                sources[v].append(str(r))
        for u, _, r in graph.in_edges(document, data="relation"):
            if str(r) not in users[u]:
                users[u].append(str(r))
        return sorted(sources.items(), key=lambda i: self.name(i[0])), sorted(
            users.items(), key=lambda i: self.name(i[0])
        )

    def findings_for(self, node: str) -> list[Finding]:
        """The validation results whose focus node is ``node``."""
        return [f for f in self.findings if f.focus == node]

    @property
    def index(self) -> _Index:
        """Lookups by node, built once (after :func:`collect`): a large graph has many pages to fill."""
        if self._index is None:
            index = _Index()
            for anchor in self.anchors:
                index.by_evidence.setdefault(anchor.evidence, anchor)
                index.in_document[anchor.document].append(anchor)
            for claim in self.claims.values():
                index.claims_of[claim.side.claimant].append(claim)
            for response in self.non_responses.values():
                index.responses_of[response.respondent].append(response)
            for number, contradiction in enumerate(self.contradictions, start=1):
                for actor in dict.fromkeys(s.claimant for s in contradiction.sides):
                    index.contradictions_of[actor].append(number)
            self._index = index
        return self._index

    def anchor_for(self, evidence: str) -> Anchor | None:
        """The anchor of a piece of evidence, if it has one with a position."""
        return self.index.by_evidence.get(evidence)

    def anchors_in(self, document: str) -> list[Anchor]:
        """The anchors of the claims and non-responses read in ``document``, in text order."""
        return self.index.in_document.get(document, [])

    def document_summaries(self) -> list[DocumentSummary]:
        """One summary per archived document, in title order."""
        summaries = []
        for document in sorted(self.documents, key=self.name):
            if self.documents[document]["kind"] != "document":
                continue
            here = {a.claim for a in self.anchors_in(document)}
            claims = [self.claims[c] for c in sorted(here) if c in self.claims]
            numbers = {n for c in claims for n in (*c.contradictions, *c.tensions)}
            across = sum(1 for n in numbers if self.contradictions[n - 1].spans_documents)
            summaries.append(
                DocumentSummary(
                    document=document,
                    claims=len(claims),
                    non_responses=sum(1 for r in here if r in self.non_responses),
                    contradictions=len(numbers),
                    across=across,
                    violations=sum(1 for c in claims for f in c.findings if f.severity == "Violation"),
                    warnings=sum(1 for c in claims for f in c.findings if f.severity == "Warning"),
                    infos=sum(1 for c in claims for f in c.findings if f.severity == "Info"),
                )
            )
        return summaries


def _rows(engine: Engine, query: str, name: str) -> list[dict[str, str]]:
    return engine.select(sparql_prefixes() + query, name=name).texts()


_CLAIMS = "SELECT DISTINCT ?claim WHERE { ?claim cg:claimant ?claimant ; cg:proposition ?p ; cg:stance ?stance }"

_DOCUMENTS = """SELECT ?doc ?class ?p ?o WHERE {
  VALUES ?class { cg:SourceDocument cg:CitedSource }
  ?c rdfs:subClassOf* ?class . ?doc a ?c .
  OPTIONAL { VALUES ?p { dcterms:title dcterms:publisher dcterms:date cg:notStated cg:cites cg:sha256
                         cg:charLength cg:archivePath rdfs:comment } ?doc ?p ?o }
}"""

_ANCHORS = """SELECT ?claim ?evidence ?doc ?start ?end WHERE {
  ?claim cg:evidence ?evidence . ?evidence cg:foundIn ?doc ; cg:anchor/oa:hasSelector ?s .
  ?s oa:start ?start ; oa:end ?end .
}"""

_NON_RESPONSES = """SELECT ?nr ?respondent ?topic ?doc WHERE {
  ?nr a cg:NonResponse ; cg:respondent ?respondent .
  OPTIONAL { ?nr cg:topicText ?topic }
  OPTIONAL { ?nr cg:evidence/cg:foundIn ?doc }
}"""

_COMMENTS = """SELECT ?x ?comment WHERE {
  { ?x a cg:Claim } UNION { ?p rdfs:subClassOf* cg:Proposition . ?x a ?p }
  ?x rdfs:comment ?comment FILTER(LANG(?comment) IN ("en", ""))
}"""

_PROPOSITIONS = "SELECT DISTINCT ?x WHERE { ?p rdfs:subClassOf* cg:Proposition . ?x a ?p FILTER(isIRI(?x)) }"

_RELATIONS = """SELECT DISTINCT ?s ?p ?o WHERE {
  ?class rdfs:subClassOf* cg:Proposition . ?x a ?class .
  { ?x ?p ?o BIND(?x AS ?s) } UNION { ?s ?p ?x BIND(?x AS ?o) }
  FILTER(isIRI(?s) && isIRI(?o) && STRSTARTS(STR(?p), STR(cg:)) && !STRSTARTS(STR(?p), CONCAT(STR(cg:), "derived")))
}"""


def _findings(dataset: Dataset, report: ValidationReport) -> list[Finding]:
    from claimgraph.validation.render import report_context

    context = report_context(dataset, report, root=dataset.root, for_format="json")
    found = []
    for result in report.results:
        position = context.position(result)
        path = context.file(position)
        where = None if path is None else (f"{path}:{position.line}" if position and position.line else path)
        found.append(Finding(str(result.severity.value), curie(result.shape), result.focus, result.message, where))
    return found


def collect(dataset: Dataset, engine: Engine, queries_directory: Path, report: ValidationReport) -> Site:
    """Gather everything the pages show, by SPARQL through ``engine`` (and the validation report)."""
    from claimgraph.queries.contradictions import find_contradictions
    from claimgraph.queries.explain import explain_claims
    from claimgraph.queries.files import canned_queries, run_query

    names = labels(engine)
    found = find_contradictions(engine, queries_directory, sources=dataset)
    # Claims the validation may have refused (no proposition or stance) get no page: their results do.
    claims = sorted(r["claim"] for r in _rows(engine, _CLAIMS, "claims"))
    sides = explain_claims(engine, claims)
    documents: dict[str, dict[str, Any]] = {}
    for row in _rows(engine, _DOCUMENTS, "documents"):
        entry = documents.setdefault(row["doc"], {"kind": "cited-source", "props": defaultdict(list)})
        if row["class"] == CG.SourceDocument:
            entry["kind"] = "document"
        if "p" in row and row["o"] not in entry["props"][row["p"]]:
            entry["props"][row["p"]].append(row["o"])
    texts = {r["doc"]: r["text"] for r in _rows(engine, "SELECT ?doc ?text WHERE { ?doc cg:text ?text }", "texts")}
    anchors = []
    for row in _rows(engine, _ANCHORS, "anchors"):
        try:
            anchors.append(Anchor(row["claim"], row["evidence"], row["doc"], int(row["start"]), int(row["end"])))
        except ValueError:
            continue
    site = Site(
        report=report,
        names=names,
        contradictions=found,
        sides=sides,
        actors=actor_graph(engine),
        lineage=lineage_graph(engine),
        documents=documents,
        anchors=sorted(set(anchors), key=lambda a: (a.document, a.start, a.end, a.evidence)),
        texts=texts,
        findings=_findings(dataset, report),
        validated=[str(p) for p in dataset.files],
    )
    non_responses: dict[str, dict[str, Any]] = {}
    for row in _rows(engine, _NON_RESPONSES, "non-responses"):
        entry = non_responses.setdefault(row["nr"], {"respondent": row["respondent"], "docs": set()})
        entry["topic"] = row.get("topic")
        if "doc" in row:
            entry["docs"].add(row["doc"])
    site.non_responses = {
        iri: NonResponse(iri, site.name(iri), e["respondent"], e.get("topic"), tuple(sorted(e["docs"])))
        for iri, e in sorted(non_responses.items())
    }
    comments: dict[str, str] = {}
    for row in _rows(engine, _COMMENTS, "comments"):
        comments[row["x"]] = min(comments.get(row["x"], row["comment"]), row["comment"])
    anonymous_query = canned_queries(queries_directory).get("anonymous-only")
    anonymous = (
        {term_text(r["claim"]) for r in run_query(engine, anonymous_query).dicts() if "claim" in r}
        if anonymous_query is not None
        else set()
    )
    _propositions(site, engine, dataset, comments)
    _claims(site, comments, anonymous)
    return site


def _propositions(site: Site, engine: Engine, dataset: Dataset, comments: dict[str, str]) -> None:
    from claimgraph.io.positions import Locator, relative_to

    iris = {r["x"] for r in _rows(engine, _PROPOSITIONS, "propositions")}
    iris |= {side.proposition for side in site.sides.values()}
    site.propositions = {
        iri: PropositionContext(iri, site.name(iri), comments.get(iri)) for iri in sorted(iris, key=site.name)
    }
    rows = [r for r in _rows(engine, _RELATIONS, "proposition relations") if r["p"] not in _HIDDEN_PREDICATES]
    locator = Locator(dataset, subjects={r["s"] for r in rows})
    for row in sorted(rows, key=lambda r: (r["p"], site.name(r["s"]), site.name(r["o"]))):
        position = locator.locate_statement(row["s"], row["p"], row["o"])
        where = None
        if position is not None:
            shown = relative_to(position.path, dataset.root) or position.path
            where = f"{shown}:{position.line}" if position.line else str(shown)
        relation = Relation(row["s"], row["p"], row["o"], where)
        if row["s"] in site.propositions:
            site.propositions[row["s"]].outgoing.append(relation)
        if row["o"] in site.propositions:
            site.propositions[row["o"]].incoming.append(relation)
    for claim, side in sorted(site.sides.items()):
        site.propositions[side.proposition].claims.append(claim)
    for number, contradiction in enumerate(site.contradictions, start=1):
        for proposition in dict.fromkeys(s.proposition for s in contradiction.sides):
            site.propositions[proposition].contradictions.append(number)


def _claims(site: Site, comments: dict[str, str], anonymous: set[str]) -> None:
    single = {claim for claim, _ in single_origin_claims(site.lineage)}
    findings: dict[str, list[Finding]] = defaultdict(list)
    for finding in site.findings:
        findings[finding.focus].append(finding)
    # Indexes first: a large graph has many claims, and each looks up its own.
    numbers_of: dict[str, list[int]] = defaultdict(list)
    for number, contradiction in enumerate(site.contradictions, start=1):
        for claim in dict.fromkeys(s.claim for s in contradiction.sides):
            numbers_of[claim].append(number)
    anchors_of: dict[str, list[Anchor]] = defaultdict(list)
    for anchor in site.anchors:
        anchors_of[anchor.claim].append(anchor)
    statements: dict[tuple[str, str], list[str]] = defaultdict(list)
    for claim, side in site.sides.items():
        statements[(side.proposition, side.stance)].append(claim)
    for claim, side in sorted(site.sides.items(), key=lambda item: site.name(item[0])):
        numbers = numbers_of.get(claim, [])
        site.claims[claim] = ClaimContext(
            side=side,
            comment=comments.get(claim),
            anchors=anchors_of.get(claim, []),
            findings=findings.get(claim, []),
            anonymous_only=claim in anonymous,
            single_origin=claim in single,
            corroborated_by=sorted(c for c in statements[(side.proposition, side.stance)] if c != claim),
            contradictions=[n for n in numbers if site.contradictions[n - 1].kind != "support-based-tension"],
            tensions=[n for n in numbers if site.contradictions[n - 1].kind == "support-based-tension"],
        )
