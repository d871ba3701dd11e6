"""The commands that write new data files: ``add-source`` archives a text, ``locate`` prints a quote's
selectors, ``synth`` writes a synthetic corpus (what an article says is added by :mod:`claimgraph.cli_add`).
:mod:`claimgraph.cli` registers them on ``main``.
"""

from __future__ import annotations

from pathlib import Path

import click

from claimgraph.cli_options import emit, output_dir_option, output_options, shown, writable_data_option
from claimgraph.synth.plan import MINIMUM_CLAIMS

__all__ = ["add_source", "locate", "synth"]


@click.command("add-source")
@click.argument("text_file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--title", default=None, help="The title as the text states it (else: cg:notStated dcterms:title).")
@click.option(
    "--publisher",
    metavar="ACTOR",
    default=None,
    help="The publisher, an agent of the data: CURIE (actor:reuters) or IRI (else: not stated).",
)
@click.option(
    "--date",
    metavar="DATE",
    default=None,
    help="The date the text states: YYYY-MM-DD, YYYY-MM or YYYY (else: cg:notStated dcterms:date).",
)
@click.option("--slug", default=None, help="Name of doc:SLUG and its files (default: from the title, else file name).")
@writable_data_option
def add_source(
    text_file: Path,
    title: str | None,
    publisher: str | None,
    date: str | None,
    slug: str | None,
    data_dir: Path,
) -> None:
    """Archive a source text and write the named graph of its document.

    Copies TEXT_FILE (UTF-8; '-' reads standard input) to graph/archive/SLUG.txt, records its SHA-256
    and its length in Unicode code points, and writes graph/SLUG.trig: the document doc:SLUG (a
    cg:NewsArticle) with its title, publisher and date, or cg:notStated for what is not given. It
    validates as it is; add what the text says with add-claim and add-nonresponse. Nothing is
    overwritten: an archived file with other content, an existing graph file or a document IRI
    already in use is an error.

    \b
    Example:
        claimgraph add-source ~/texts/kremlin.txt --title "Kremlin dismisses talk of a threat to NATO"
        claimgraph add-source report.txt --publisher actor:reuters --date 2025-12-18 --slug reuters-talks
        curl -s https://example.org/a.txt | claimgraph add-source - --slug example-article
    """
    from claimgraph.authoring import add_source as archive_source
    from claimgraph.namespaces import curie

    added = archive_source(text_file, data_dir=data_dir, title=title, publisher=publisher, date=date, slug=slug)
    archive = shown(added.archive)
    verb = "Already archived (identical)" if added.already_archived else "Archived"
    click.echo(f"{verb} {archive}: SHA-256 {added.sha256}, {added.char_length} code points.")
    graph_file = shown(added.graph_file)
    click.echo(f"Wrote {graph_file}: graph {curie(added.document)}")
    click.echo(f'Next: claimgraph add-claim {graph_file} --quote "quoted words" --claimant … (see --help)')


@click.command()
@click.argument("text_file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@click.argument("quote")
@click.option(
    "-n",
    "--occurrence",
    type=click.IntRange(min=1),
    default=None,
    help="Which occurrence (1-based) when the words occur more than once.",
)
@click.option(
    "--anchor",
    "name",
    metavar="NAME",
    default=None,
    help="Name the selectors anchor:NAME-quote and anchor:NAME-position (default: from the words).",
)
@output_options("turtle", "json")
def locate(
    text_file: Path, quote: str, occurrence: int | None, name: str | None, fmt: str, output: Path | None
) -> None:
    """Print the Web Annotation selectors of QUOTE in TEXT_FILE, to paste into a graph.

    exact, prefix and suffix (the up to 32 code points around the quote), start and end (Unicode code
    points from 0, end exclusive) — as the shapes check them. TEXT_FILE '-' reads standard input.
    QUOTE must occur in the text exactly as written, once (or choose one with --occurrence); otherwise
    the error says where it occurs, or where the text and the quote part: the code point, and each
    side's character (a curly apostrophe typed straight, say). add-claim anchors a claim this way.

    \b
    Example:
        claimgraph locate graph/archive/optimism-vs-intelligence.txt "Putin wants more" --anchor putin-wants-more
        claimgraph locate graph/archive/optimism-vs-intelligence.txt "Reuters" --occurrence 2 --format json
    """
    import json

    from claimgraph.authoring import locate_quote, slugify

    selectors = locate_quote(text_file, quote, occurrence=occurrence)
    if fmt == "json":
        document = {"file": str(text_file), **selectors.as_dict()}
        emit(json.dumps(document, indent=2, ensure_ascii=False) + "\n", output)
        return
    anchor = name or slugify(quote, max_words=5) or "quote"
    where = f"occurrence {selectors.occurrence} of {selectors.occurrences}, " if selectors.occurrences > 1 else ""
    header = f"    # {shown(text_file)}: {where}code points {selectors.start} to {selectors.end}\n"
    emit(header + selectors.turtle(anchor), output)


@click.command()
@click.option(
    "--claims",
    type=click.IntRange(min=MINIMUM_CLAIMS),
    required=True,
    help=f"Number of claims (about 38 triples each; at least {MINIMUM_CLAIMS}, one of everything planted).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: the same seed gives the same bytes.")
@output_dir_option("Data directory to write (ontology/, graph/, manifest.json); a previous corpus there is replaced.")
def synth(claims: int, seed: int, out: Path) -> None:
    """Write a synthetic corpus: documents, actors, claims, relays, wire reports, contradictions.

    The corpus uses the ontology as the bundled graph does, with archived texts whose quotes,
    offsets, hashes and lengths are right, plus a controlled share of contradictions of every kind
    and of provenance violations of every kind. OUTPUT/manifest.json lists what was planted,
    including every result validation must report. For benchmarks (bench/) and scale tests.

    \b
    Example:
        claimgraph synth --claims 25000 --seed 1 -o /tmp/corpus-1m
        claimgraph validate --data /tmp/corpus-1m --format json -o report.json
    """
    from claimgraph.synth import generate

    manifest = generate(out, claims=claims, seed=seed)
    counts = manifest.counts
    click.echo(
        f"Wrote {out}: {manifest.triples} triples, {counts['claims']} claims in {counts['documents']} documents, "
        f"{sum(len(v) for v in manifest.violations.values())} planted violations, "
        f"{sum(len(v) for v in manifest.contradictions.values())} planted contradiction pairs."
    )
