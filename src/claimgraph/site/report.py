"""A static HTML site about a dataset: ``claimgraph report -o DIR``.

Pages: an overview (what was validated, counts, the verdict, the contradiction network, a timeline of
dated claims, a summary per document), the contradictions (one card per pair of claims, with the
reasons' chains), a page per claim (its passage in context, its provenance drawn, its proposition,
contradictions, tensions, corroboration and validation results) and per proposition, the network
pictures and measures, a page per actor and per source document, and the ontology and shapes.

The pages come from Jinja2 templates shipped in this package (``templates/``, autoescaped); the data
they show is gathered by :mod:`claimgraph.site.context` and the pictures are laid out by
:mod:`claimgraph.site.layout`. No script is needed to read a page and nothing is fetched: the site works
from ``file://``. It is built in a temporary directory beside the target and renamed into place, so a
reader never sees half a site.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup, escape

from claimgraph.errors import OutputError
from claimgraph.namespaces import curie
from claimgraph.site.context import Anchor, Site, collect, plural, slug
from claimgraph.site.layout import network_picture, provenance_picture, timeline_picture
from claimgraph.site.network import actor_centrality, contradiction_graph, corroboration, most_contradicted
from claimgraph.site.ontology import ontology_sections

if TYPE_CHECKING:
    from claimgraph.io.dataset import Dataset
    from claimgraph.sparql.engines import Engine

__all__ = ["MARKER", "Urls", "build_report", "highlight", "passage", "render"]

#: The file that marks a directory as a report this module wrote (and may therefore replace).
MARKER = ".claimgraph-report"

#: A stance as the verb of a sentence ("Rubio is uncertain about the proposition").
STANCE_PHRASES = {"uncertain": "is uncertain about"}

#: Characters of context shown around a passage at most, either side (cut at a line break when there is one).
CONTEXT = 320


def highlight(text: str, anchors: Sequence[Anchor], names: dict[str, str]) -> Markup:
    """``text`` as escaped HTML with each anchor's span (code points) in a ``<mark>``.

    Overlapping anchors split into segments; a segment covered by several is marked ``overlap``. Each
    anchor's start carries an empty element with its id, for links from the other pages.
    """
    valid = [a for a in anchors if 0 <= a.start < a.end <= len(text)]
    points = sorted({0, len(text), *(a.start for a in valid), *(a.end for a in valid)})
    starts: dict[int, list[Anchor]] = defaultdict(list)
    for a in valid:
        starts[a.start].append(a)
    parts: list[Markup] = []
    for begin, stop in itertools.pairwise(points):
        parts += [Markup('<span id="{}"></span>').format(a.element_id) for a in starts.get(begin, [])]
        cover = [a for a in valid if a.start <= begin and stop <= a.end]
        if cover:
            title = "; ".join(names.get(a.claim, curie(a.claim)) for a in cover)
            css = Markup(' class="overlap"') if len(cover) > 1 else Markup("")
            parts.append(Markup('<mark{} title="{}">{}</mark>').format(css, title, text[begin:stop]))
        else:
            parts.append(escape(text[begin:stop]))
    return Markup("").join(parts)


def passage(text: str, anchor: Anchor) -> tuple[str, str, str]:
    """The text before the anchor (back to the line it starts on), the anchored span, and the text after
    it (to the end of its line), each side at most :data:`CONTEXT` characters."""
    start = max(text.rfind("\n", 0, anchor.start) + 1, anchor.start - CONTEXT)
    end = text.find("\n", anchor.end)
    end = min(len(text) if end < 0 else end, anchor.end + CONTEXT)
    before, after = text[start : anchor.start], text[anchor.end : end]
    return (
        ("…" + before if start > 0 and text[start - 1] != "\n" else before),
        text[anchor.start : anchor.end],
        (after + "…" if end < len(text) and text[end] != "\n" else after),
    )


class Urls:
    """Relative addresses of the site's pages, from a page ``depth`` directories below the root;
    ``None`` where a node has no page of its own."""

    def __init__(self, site: Site, depth: int) -> None:
        self.site = site
        self.root = "../" * depth

    def page(self, name: str) -> str:
        return self.root + name

    def actor(self, iri: str) -> str | None:
        if iri in self.site.actors and self.site.actors.nodes[iri].get("kind") == "actor":
            return f"{self.root}actors/{slug(iri)}.html"
        return None

    def document(self, iri: str, fragment: str = "") -> str | None:
        if iri in self.site.documents:
            return f"{self.root}documents/{slug(iri)}.html" + (f"#{fragment}" if fragment else "")
        return None

    def claim(self, iri: str) -> str | None:
        return f"{self.root}claims/{slug(iri)}.html" if iri in self.site.claims else None

    def proposition(self, iri: str) -> str | None:
        return f"{self.root}propositions/{slug(iri)}.html" if iri in self.site.propositions else None

    def card(self, number: int) -> str:
        return f"{self.root}contradictions.html#c{number}"

    def node(self, iri: str) -> str | None:
        """A page for any node: an actor, a document, a claim or a proposition."""
        return self.actor(iri) or self.document(iri) or self.claim(iri) or self.proposition(iri)


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("claimgraph.site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["curie"] = curie
    environment.filters["words"] = lambda value: str(value or "").replace("-", " ")
    environment.filters["stance_phrase"] = lambda stance: STANCE_PHRASES.get(str(stance), str(stance).replace("-", " "))
    environment.globals["plural"] = plural
    environment.globals["zip"] = zip
    return environment


def _verdict(site: Site) -> tuple[str, str]:
    from claimgraph.validation.results import Severity

    tally = site.report.tally()
    violations, warnings = tally.get(Severity.VIOLATION, 0), tally.get(Severity.WARNING, 0)
    if violations:
        return "fail", f"Fails validation: {plural(violations, 'violation')}, {plural(warnings, 'warning')}."
    if warnings:
        return "warn", f"Passes validation with {plural(warnings, 'warning')} (no violation)."
    return "pass", "Passes validation: every claim is attributed, sourced and anchored in its archived text."


def _tally_text(site: Site) -> str:
    """``1 warning, 26 infos``: the results by severity, most severe first."""
    from claimgraph.validation.results import Severity

    tally = site.report.tally()
    order = [Severity.VIOLATION, Severity.WARNING, Severity.INFO]
    known = [(s.value.lower(), tally[s]) for s in order if tally.get(s)]
    known += [(curie(str(s.value)), n) for s, n in tally.items() if s not in order and n]
    return ", ".join(plural(n, noun) for noun, n in known)


def _actor_nodes(site: Site) -> list[str]:
    return sorted((n for n, k in site.actors.nodes(data="kind") if k == "actor"), key=lambda n: (site.name(n), n))


def render(site: Site, dataset: Dataset) -> dict[str, str]:
    """Every page of the site by relative path."""
    environment = _environment()
    environment.filters["name"] = site.name

    def page(template: str, depth: int, **values: Any) -> str:
        urls = Urls(site, depth)
        return environment.get_template(template).render(site=site, urls=urls, name=site.name, **values)

    def drawn(name: str, graph: Any, attribute: str, href: dict[str, str], title: str) -> dict[str, Any]:
        """The picture of ``graph`` for wide screens (``name``) and for phones (``name_narrow``)."""
        return {
            name: network_picture(graph, edge_attribute=attribute, href=href, title=title),
            f"{name}_narrow": network_picture(graph, edge_attribute=attribute, href=href, title=title, narrow=True),
        }

    network = contradiction_graph(site.contradictions)
    urls = Urls(site, 0)
    contradiction_pictures = drawn(
        "network",
        network,
        "kind",
        {n: u for n in network if (u := urls.actor(n))},
        "Contradiction network: actors joined by one edge per contradiction",
    )
    lineage_pictures = drawn(
        "lineage",
        site.lineage.graph,
        "relation",
        {n: u for n in site.lineage.graph if (u := urls.document(n))},
        "Source lineage: which document or report derives from which",
    )
    css, verdict = _verdict(site)
    pages = {
        "style.css": environment.loader.get_source(environment, "style.css")[0] if environment.loader else "",
        "index.html": page(
            "index.html",
            0,
            verdict=verdict,
            verdict_class=css,
            tally=_tally_text(site),
            **contradiction_pictures,
            timeline=timeline_picture(list(site.sides.values())),
            summaries=site.document_summaries(),
        ),
        "contradictions.html": page(
            "contradictions.html",
            0,
            kinds=sorted({k for c in site.contradictions for k in c.kinds}),
            parties=sorted({s.claimant for c in site.contradictions for s in c.sides}, key=site.name),
        ),
        "network.html": page(
            "network.html",
            0,
            **contradiction_pictures,
            **lineage_pictures,
            centrality=actor_centrality(network),
            contested=most_contradicted(site.contradictions),
            corroboration=corroboration(site.lineage),
        ),
        "claims.html": page("claims.html", 0),
        "actors.html": page("actors.html", 0, actors=_actor_nodes(site)),
        "documents.html": page("documents.html", 0),
        "ontology.html": page("ontology.html", 0, sections=ontology_sections(dataset)),
        MARKER: "Written by `claimgraph report`; the next report may replace this directory.\n",
    }
    for actor in _actor_nodes(site):
        pages[f"actors/{slug(actor)}.html"] = page("actor.html", 1, actor=actor)
    for document in site.documents:
        anchors = site.anchors_in(document)
        text = site.texts.get(document)
        pages[f"documents/{slug(document)}.html"] = page(
            "document.html",
            1,
            document=document,
            anchors=anchors,
            text=None if text is None else highlight(text, anchors, site.names),
        )
    urls = Urls(site, 1)
    for claim, context in site.claims.items():
        pages[f"claims/{slug(claim)}.html"] = page(
            "claim.html",
            1,
            claim=context,
            picture=provenance_picture(context.side, urls.node),
            passages=[(a, passage(site.texts[a.document], a)) for a in context.anchors if a.document in site.texts],
        )
    for proposition in site.propositions.values():
        pages[f"propositions/{slug(proposition.iri)}.html"] = page("proposition.html", 1, proposition=proposition)
    return pages


def build_report(dataset: Dataset, out: Path, *, queries_directory: Path, engine: Engine | None = None) -> list[str]:
    """Validate ``dataset``, analyse it and write the site to ``out`` atomically; return the pages.

    The site is written to a temporary directory beside ``out`` and renamed into place; a previous
    report there is replaced (the old one stays complete until the rename).

    :raises OutputError: if ``out`` exists and is not a previous report, or cannot be written.
    """
    from claimgraph.sparql.engines import EmbeddedEngine
    from claimgraph.validation.api import validate

    replaceable = out.is_dir() and ((out / MARKER).is_file() or not any(out.iterdir()))
    if out.exists() and not replaceable:
        raise OutputError(out, "exists and is not a claimgraph report: not replaced (choose an empty or new directory)")
    report = validate(dataset)
    site = collect(dataset, engine or EmbeddedEngine(dataset), queries_directory, report)
    pages = render(site, dataset)
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    except OSError as error:
        raise OutputError(out, error.strerror or str(error)) from None
    old: Path | None = None
    try:
        for relative, content in pages.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        os.chmod(staging, 0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
            os.replace(out, old / "site")
        os.replace(staging, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and not out.exists() and (old / "site").exists():
            os.replace(old / "site", out)  # put the previous report back
        raise OutputError(out, error.strerror or str(error)) from None
    return sorted(pages)
