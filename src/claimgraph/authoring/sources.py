"""Archiving a new source text: its copy in ``graph/archive/``, its hash and length, and the named
graph of its document.

:func:`add_source` copies a text into ``graph/archive/``, records its SHA-256 (of the bytes) and its
length in Unicode code points, and writes ``graph/<slug>.trig``: one named graph for the document,
stating title, publisher and date where given and ``cg:notStated`` otherwise. The skeleton validates
as it is; claims and non-responses are added to it with the other authoring commands.

Nothing is overwritten: an archive file with other content, an existing graph file, a document IRI
already in use, or a text some document already archives are refused before anything is written;
files are written atomically.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from claimgraph.authoring.texts import STDIN, check_slug, parse_date, read_text, slugify
from claimgraph.authoring.turtle import Block, prefix_block, render
from claimgraph.authoring.workspace import Workspace
from claimgraph.errors import ArchiveConflictError, AuthoringValueError, GraphFileExistsError, TextArchivedError
from claimgraph.io.atomic import write_atomic
from claimgraph.namespaces import CG, DCTERMS, DOC, RDF, RDFS, XSD

__all__ = ["NewSource", "add_source", "skeleton_trig"]


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

    :param text_file: the source text, UTF-8 (``-``: standard input, with a title or slug to name it).
    :param data_dir: the data root, whose ``graph/`` receives the files (created if need be).
    :param title: the title as the text states it (else ``cg:notStated dcterms:title``).
    :param publisher: the publisher, an agent of the data (CURIE or IRI), else not stated.
    :param date: the publication date the text states (``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``), else not stated.
    :param slug: the name of the document (``doc:<slug>``) and of its files; default from the title,
        else from the file name.
    :raises AuthoringError: (and subclasses) if a value is malformed, the publisher is not an agent,
        or a file or IRI would be overwritten; nothing is written then.
    """
    if text_file == STDIN and title is None and slug is None:
        reason = "a text from standard input has no file name to name it by: give its title or a slug"
        raise AuthoringValueError(text_file, "slug", "", reason)
    data, text = read_text(text_file)
    slug = check_slug(slug if slug is not None else slugify(title or text_file.stem), field="slug", path=text_file)
    date_literal = parse_date(date, path=text_file) if date is not None else None

    graph_dir = data_dir / "graph"
    archive = graph_dir / "archive" / f"{slug}.txt"
    graph_file = graph_dir / f"{slug}.trig"
    document = DOC.term(slug)
    already = archive.is_file() and archive.read_bytes() == data
    if archive.exists() and not already:
        raise ArchiveConflictError(archive, text_file)
    if graph_file.exists():
        raise GraphFileExistsError(graph_file)
    workspace = Workspace(data_dir)
    workspace.unused([document])
    publisher_iri = None
    if publisher is not None:
        publisher_iri = workspace.require(publisher, cls=CG.Agent, field="publisher", path=text_file).value

    digest = hashlib.sha256(data).hexdigest()
    for quad in workspace.dataset.store.quads_for_pattern(None, ox.NamedNode(CG.sha256), ox.Literal(digest)):
        # one text, one document (cgsh:SourceDocument-uniqueArchive): what it says goes to that one
        raise TextArchivedError(text_file, str(quad.subject).strip("<>"), digest)
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


def skeleton_trig(
    *,
    slug: str,
    sha256: str,
    char_length: int,
    title: str | None,
    publisher: str | None,
    date: ox.Literal | None,
) -> str:
    """The TriG of a new source document's graph: its metadata, and how to add what it says."""
    doc = f"doc:{slug}"
    archive_path = f"archive/{slug}.txt"
    label = f"News article: '{title}'" if title else f"News article archived as {archive_path}"
    node = Block(ox.NamedNode(DOC.term(slug))).add(RDF.type, ox.NamedNode(CG.NewsArticle))
    node.add(RDFS.label, ox.Literal(label, language="en"))
    not_stated = []
    if title:
        node.add(DCTERMS.term("title"), ox.Literal(title, language="en"))
    else:
        not_stated.append(DCTERMS.term("title"))
    node.add(CG.archivePath, ox.Literal(archive_path)).add(CG.sha256, ox.Literal(sha256))
    node.add(CG.charLength, ox.Literal(str(char_length), datatype=ox.NamedNode(XSD.nonNegativeInteger)))
    if publisher:
        node.add(DCTERMS.publisher, ox.NamedNode(publisher))
    else:
        not_stated.append(DCTERMS.publisher)
    if date is not None:
        node.add(DCTERMS.date, date)
    else:
        not_stated.append(DCTERMS.date)
    node.add(CG.notStated, *(ox.NamedNode(p) for p in not_stated))
    return f"""# claimgraph source document: {doc}
# Archived text: {archive_path} (relative to this file's directory); written by `claimgraph add-source`.
# Offsets: Unicode code points, start inclusive, end exclusive (Web Annotation); prefix/suffix up to 32 code points.
# What the text says goes below, added with `claimgraph add-claim graph/{slug}.trig --quote "…" …` and
# `claimgraph add-nonresponse graph/{slug}.trig --quote "…" …` (docs/authoring.md).

{prefix_block()}
{doc} {{

{render([node])}
}}
"""
