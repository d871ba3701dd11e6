"""Authoring helpers: archive a new source text with a skeleton graph, and find selectors for a quote.

- :func:`add_source` copies a text into ``graph/archive/``, records its SHA-256 (of the bytes) and its
  length in Unicode code points, and writes ``graph/<slug>.trig``: one named graph for the document,
  stating title, publisher and date where given and ``cg:notStated`` otherwise, with a commented
  template of one claim (evidence, anchor, relay step). The skeleton validates as it is.
- :func:`find_quote` / :func:`locate_quote` give the Web Annotation selectors of a quote: ``exact``,
  ``prefix`` and ``suffix`` (up to 32 code points, as the bundled graph), ``start`` and ``end``
  (code points from 0, end exclusive). A quote that is absent or not unique is an error, never a guess.

Nothing is overwritten: an archive file with other content, an existing graph file, or a document IRI
already in use are refused before anything is written; files are written atomically.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from claimgraph.errors import (
    AmbiguousQuoteError,
    ArchiveConflictError,
    AuthoringError,
    AuthoringValueError,
    GraphFileExistsError,
    IdentifierInUseError,
    QuoteNotFoundError,
)
from claimgraph.io.atomic import write_atomic
from claimgraph.namespaces import CG, DOC, PREFIXES, XSD, curie

if TYPE_CHECKING:
    from claimgraph.io.dataset import Dataset

#: Code points of context kept before and after a quote (oa:prefix, oa:suffix).
CONTEXT_LENGTH = 32
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_CURIE = re.compile(r"([A-Za-z][\w\-]*):(\S*)\Z")


# --- Reading texts -------------------------------------------------------------------------------


def read_text(path: Path) -> tuple[bytes, str]:
    """The bytes of a text file and their UTF-8 decoding, line ends untouched (offsets count them).

    :raises AuthoringError: if the file cannot be read or is not UTF-8.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise AuthoringError(path, f"cannot read: {error.strerror or error}") from None
    try:
        return data, data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise AuthoringError(path, f"not UTF-8 (byte {error.start}): archive texts must be UTF-8") from None


def slugify(text: str, *, max_words: int = 8, max_length: int = 60) -> str:
    """A readable IRI slug: lowercase ASCII words joined by hyphens (``Putin's aims`` gives ``putins-aims``)."""
    without_apostrophes = re.sub("['\u2019]", "", text)
    folded = unicodedata.normalize("NFKD", without_apostrophes).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", folded)[:max_words]
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    if not slug and words:
        slug = words[0][:max_length]
    return slug


# --- add-source ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewSource:
    """What :func:`add_source` wrote.

    :ivar document: the document's IRI (also its graph's name).
    :ivar archive: the archived copy of the text.
    :ivar graph_file: the skeleton graph file.
    :ivar sha256: SHA-256 of the text's bytes (lowercase hex).
    :ivar char_length: length of the text in Unicode code points.
    :ivar already_archived: the archive held an identical copy already (it was left as it was).
    """

    document: str
    archive: Path
    graph_file: Path
    sha256: str
    char_length: int
    already_archived: bool


def parse_date(value: str, *, path: Path) -> ox.Literal:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` as an xsd:date, xsd:gYearMonth or xsd:gYear literal."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            datetime.date.fromisoformat(value)
            return ox.Literal(value, datatype=ox.NamedNode(XSD.date))
        if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            return ox.Literal(value, datatype=ox.NamedNode(XSD.gYearMonth))
        if re.fullmatch(r"\d{4}", value):
            return ox.Literal(value, datatype=ox.NamedNode(XSD.gYear))
    except ValueError:
        pass
    expected = "expected YYYY-MM-DD, YYYY-MM or YYYY, as precise as the text gives"
    raise AuthoringValueError(path, "date", value, expected)


def parse_iri(value: str, *, field: str, path: Path) -> str:
    """An IRI given as ``<IRI>``, a full IRI (``scheme://…``) or a CURIE with the shared prefixes."""
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        iri = text[1:-1]
    elif "://" in text:
        iri = text
    elif match := _CURIE.match(text):
        if match.group(1) not in PREFIXES:
            known = ", ".join(PREFIXES)
            raise AuthoringValueError(path, field, value, f"unknown prefix {match.group(1)!r} (known: {known})")
        iri = PREFIXES[match.group(1)] + match.group(2)
    else:
        iri = ""
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise AuthoringValueError(path, field, value, "expected a CURIE such as actor:reuters or a full IRI") from None
    return iri


def add_source(
    text_file: Path,
    *,
    data_dir: Path,
    title: str | None = None,
    publisher: str | None = None,
    date: str | None = None,
    slug: str | None = None,
) -> NewSource:
    """Archive ``text_file`` under ``data_dir/graph/archive/`` and write a skeleton graph for it.

    :param text_file: the source text, UTF-8.
    :param data_dir: the directory whose ``graph/`` receives the files.
    :param title: the title as the text states it (else ``cg:notStated dcterms:title``).
    :param publisher: the publisher, an agent of the data (CURIE or IRI), else not stated.
    :param date: the publication date the text states (``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``), else not stated.
    :param slug: the name of the document (``doc:<slug>``) and of its files; default from the title,
        else from the file name.
    :raises AuthoringError: (and subclasses) if a value is malformed, the publisher is not an agent,
        or a file or IRI would be overwritten; nothing is written then.
    """
    data, text = read_text(text_file)
    slug = slug if slug is not None else slugify(title or text_file.stem)
    if not _SLUG.match(slug):
        raise AuthoringValueError(text_file, "slug", slug, "use lowercase letters, digits and single hyphens")
    date_literal = parse_date(date, path=text_file) if date is not None else None
    publisher_iri = parse_iri(publisher, field="publisher", path=text_file) if publisher is not None else None

    graph_dir = data_dir / "graph"
    archive = graph_dir / "archive" / f"{slug}.txt"
    graph_file = graph_dir / f"{slug}.trig"
    document = DOC.term(slug)
    already = archive.is_file() and archive.read_bytes() == data
    if archive.exists() and not already:
        raise ArchiveConflictError(archive, text_file)
    if graph_file.exists():
        raise GraphFileExistsError(graph_file)
    existing = _existing_data(data_dir)
    _check_unused(existing, document, graph_dir)
    if publisher is not None and publisher_iri is not None and not _is_agent(existing, publisher_iri):
        reason = f"{curie(publisher_iri)} is not a cg:Agent in {graph_dir}: add it to the actors registry first"
        raise AuthoringValueError(text_file, "publisher", publisher, reason)

    digest = hashlib.sha256(data).hexdigest()
    skeleton = skeleton_trig(
        slug=slug,
        sha256=digest,
        char_length=len(text),
        title=title,
        publisher=publisher_iri,
        date=date_literal,
    )
    if not already:
        archive.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(archive, data)
    write_atomic(graph_file, skeleton)
    return NewSource(
        document=document,
        archive=archive,
        graph_file=graph_file,
        sha256=digest,
        char_length=len(text),
        already_archived=already,
    )


def _existing_data(data_dir: Path) -> Dataset:
    """The data ``add-source`` adds to: its ontology (or the bundled one) and its graph/."""
    from claimgraph.io.dataset import load_dataset

    root = data_dir if (data_dir / "ontology").is_dir() else None
    graph_dir = data_dir / "graph"
    return load_dataset(root, paths=[graph_dir] if graph_dir.is_dir() else [])


def _check_unused(dataset: Dataset, iri: str, graph_dir: Path) -> None:
    node = ox.NamedNode(iri)
    store = dataset.store
    uses = [*store.quads_for_pattern(node, None, None, None), *store.quads_for_pattern(None, None, node, None)]
    graphs = [q.graph_name for q in uses]
    if node in set(dataset.store.named_graphs()):
        graphs.insert(0, node)
    for graph in graphs:
        path = dataset.sources.get(graph)
        raise IdentifierInUseError(iri, path if path is not None else graph_dir)


def _is_agent(dataset: Dataset, iri: str) -> bool:
    node, agent = ox.NamedNode(iri), ox.NamedNode(CG.Agent)
    rows = dataset.select(f"SELECT ?type WHERE {{ {node} rdf:type ?type . ?type rdfs:subClassOf* {agent} }} LIMIT 1")
    return bool(rows)


def _prefix_block() -> str:
    width = max(len(p) for p in PREFIXES) + 1
    return "".join(f"@prefix {f'{p}:':<{width}} <{iri}> .\n" for p, iri in PREFIXES.items())


def skeleton_trig(
    *,
    slug: str,
    sha256: str,
    char_length: int,
    title: str | None,
    publisher: str | None,
    date: ox.Literal | None,
) -> str:
    """The TriG of a new source document's graph: its metadata and a commented claim template."""
    doc = f"doc:{slug}"
    archive_path = f"archive/{slug}.txt"
    label = f"News article: '{title}'" if title else f"News article archived as {archive_path}"
    statements: list[tuple[str, str]] = [
        ("a", "cg:NewsArticle"),
        ("rdfs:label", str(ox.Literal(label, language="en"))),
    ]
    not_stated = []
    if title:
        statements.append(("dcterms:title", str(ox.Literal(title, language="en"))))
    else:
        not_stated.append("dcterms:title")
    statements += [
        ("cg:archivePath", str(ox.Literal(archive_path))),
        ("cg:sha256", str(ox.Literal(sha256))),
        ("cg:charLength", f'"{char_length}"^^xsd:nonNegativeInteger'),
    ]
    if publisher:
        statements.append(("dcterms:publisher", curie(publisher) if _is_curie_safe(publisher) else f"<{publisher}>"))
    else:
        not_stated.append("dcterms:publisher")
    if date is not None:
        statements.append(("dcterms:date", f'"{date.value}"^^xsd:{date.datatype.value.removeprefix(XSD)}'))
    else:
        not_stated.append("dcterms:date")
    if not_stated:
        statements.append(("cg:notStated", " , ".join(not_stated)))
    width = max(len(predicate) for predicate, _ in statements)
    body = " ;\n".join(f"        {predicate:<{width}} {value}" for predicate, value in statements)
    metadata = f"    {doc}\n{body} ."
    return f"""# claimgraph source document: {doc}
# Archived text: {archive_path} (relative to this file's directory); written by `claimgraph add-source`.
# Offsets: Unicode code points, start inclusive, end exclusive (Web Annotation); prefix/suffix up to 32 code points.

{_prefix_block()}
{doc} {{

{metadata}

{_claim_template(slug)}
}}
"""


def _is_curie_safe(iri: str) -> bool:
    return curie(iri) != iri


def _claim_template(slug: str) -> str:
    doc = f"doc:{slug}"
    archive = f"graph/archive/{slug}.txt"
    template = f"""\
# --- Template: one claim read in this document. For each claim: copy, uncomment, replace NAME
# (a readable slug) and the CAPITALS, then run `claimgraph validate`. Claimants, propositions and
# relaying agents are IRIs of the registries (graph/actors.trig, graph/propositions.trig).
# Selectors for the quoted passage:  claimgraph locate {archive} "the quoted words" --anchor NAME

claim:NAME
    a              cg:Claim ;
    rdfs:label     "WHO: WHAT, in a few words"@en ;
    cg:claimant    actor:WHO ;                      # exactly one cg:Agent
    cg:proposition prop:WHAT ;                      # exactly one cg:Proposition
    cg:stance      cg:Affirms ;                     # cg:Affirms | cg:Denies | cg:Uncertain
    cg:claimKind   cg:PublicStatement ;             # cg:Assessment | cg:PublicStatement | cg:PositionOrDemand
                                                    # | cg:ProposalClaim | cg:ReportOfFact | cg:Denial
    cg:notStated   dcterms:date ;                   # or: dcterms:date "YYYY-MM-DD"^^xsd:date
    cg:evidence    evidence:NAME .

evidence:NAME
    a                  cg:Evidence ;
    rdfs:label         "Evidence: WHO: WHAT"@en ;
    cg:foundIn         {doc} ;
    cg:anchor          anchor:NAME ;
    cg:quoteMode       cg:DirectQuote ;             # cg:DirectQuote | cg:Paraphrase | cg:AuthorVoice
    cg:claimantMention "HOW THE TEXT NAMES WHO"@en ;
    cg:relay           relay:NAME-1 .               # one step per intermediary; leave out if none

relay:NAME-1
    a                   cg:RelayStep ;
    rdfs:label          "Relay step 1: WHO told OUTLET"@en ;
    cg:relayOrder       "1"^^xsd:positiveInteger ;  # 1 = nearest the claimant
    cg:relayAgent       actor:OUTLET ;
    cg:relayAct         cg:ToldTo ;                 # cg:ToldTo | cg:ReportedBy | cg:RelayedBy
    cg:attributionBasis cg:ExplicitAttribution .    # or cg:ContextualAttribution

anchor:NAME
    a              cg:TextAnchor ;
    rdfs:label     "Anchor: WHO: WHAT"@en ;
    oa:hasSource   {doc} ;
    oa:hasSelector anchor:NAME-quote ,
                   anchor:NAME-position .

# … and here the two selectors printed by `claimgraph locate … --anchor NAME`."""
    return "\n".join(f"    # {line}".rstrip() if line else "    #" for line in template.splitlines())


# --- locate --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selectors:
    """A quote's Web Annotation selectors (offsets in Unicode code points, end exclusive).

    :ivar occurrence: which occurrence of the quote (1-based) these are for.
    :ivar occurrences: how many times the quote occurs in the text.
    """

    exact: str
    prefix: str
    suffix: str
    start: int
    end: int
    occurrence: int = 1
    occurrences: int = 1

    def turtle(self, name: str) -> str:
        """The two selector resources, ``anchor:<name>-quote`` and ``anchor:<name>-position``."""
        return (
            f"    anchor:{name}-quote\n"
            f"        a          oa:TextQuoteSelector ;\n"
            f"        oa:exact   {ox.Literal(self.exact)} ;\n"
            f"        oa:prefix  {ox.Literal(self.prefix)} ;\n"
            f"        oa:suffix  {ox.Literal(self.suffix)} .\n"
            f"\n"
            f"    anchor:{name}-position\n"
            f"        a          oa:TextPositionSelector ;\n"
            f'        oa:start   "{self.start}"^^xsd:nonNegativeInteger ;\n'
            f'        oa:end     "{self.end}"^^xsd:nonNegativeInteger .\n'
        )

    def as_dict(self) -> dict[str, str | int]:
        return {
            "exact": self.exact,
            "prefix": self.prefix,
            "suffix": self.suffix,
            "start": self.start,
            "end": self.end,
            "occurrence": self.occurrence,
            "occurrences": self.occurrences,
        }


# Typographic quotes, primes and dashes, and the ellipsis, folded to ASCII for the near-match hint.
_FOLD = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032`\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    "\u2026": "...",
}


def _normalised(text: str) -> tuple[str, list[int]]:
    """``text`` with quotes, dashes and runs of white space folded, and each output character's source offset."""
    out: list[str] = []
    where: list[int] = []
    space = False
    for i, char in enumerate(text):
        if char.isspace():
            if space:
                continue
            space, folded = True, " "
        else:
            space, folded = False, _FOLD.get(char, char)
        for c in folded:
            out.append(c)
            where.append(i)
    return "".join(out), where


def _starts(text: str, quote: str) -> list[int]:
    starts, at = [], text.find(quote)
    while at >= 0:
        starts.append(at)
        at = text.find(quote, at + 1)
    return starts


def find_quote(text: str, quote: str, *, path: Path, occurrence: int | None = None) -> Selectors:
    """The selectors of ``quote`` in ``text``.

    :param occurrence: which occurrence (1-based) when the quote is not unique.
    :raises QuoteNotFoundError: if the quote is empty or not in the text (naming a near match where
        only quotes, dashes or spaces differ).
    :raises AmbiguousQuoteError: if it occurs several times and no valid ``occurrence`` is given.
    """
    if not quote:
        raise AuthoringValueError(path, "quote", quote, "give the words to find")
    starts = _starts(text, quote)
    if not starts:
        folded_text, where = _normalised(text)
        folded_quote = _normalised(quote)[0].strip()
        near_starts = _starts(folded_text, folded_quote) if folded_quote else []
        if len(near_starts) == 1:
            begin = where[near_starts[0]]
            end = where[near_starts[0] + len(folded_quote) - 1] + 1
            raise QuoteNotFoundError(path, quote, near=(begin, end), near_text=text[begin:end])
        raise QuoteNotFoundError(path, quote)
    if occurrence is None and len(starts) > 1:
        raise AmbiguousQuoteError(path, quote, starts)
    index = 1 if occurrence is None else occurrence
    if not 1 <= index <= len(starts):
        raise AmbiguousQuoteError(path, quote, starts, occurrence=index)
    start = starts[index - 1]
    end = start + len(quote)
    return Selectors(
        exact=quote,
        prefix=text[max(0, start - CONTEXT_LENGTH) : start],
        suffix=text[end : end + CONTEXT_LENGTH],
        start=start,
        end=end,
        occurrence=index,
        occurrences=len(starts),
    )


def locate_quote(text_file: Path, quote: str, *, occurrence: int | None = None) -> Selectors:
    """:func:`find_quote` in a UTF-8 text file (line ends count as they are in the file)."""
    _, text = read_text(text_file)
    return find_quote(text, quote, path=text_file, occurrence=occurrence)

