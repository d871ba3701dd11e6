"""The ``claimgraph`` command line: a thin layer over the library; here the group ``main`` and the
commands that read and check the data. The authoring commands are in
:mod:`claimgraph.cli_authoring` and :mod:`claimgraph.cli_add`, the triple-store ones in
:mod:`claimgraph.cli_stores`.

Only the CLI modules print and pick exit codes: 0 ok / conforms, 1 violations found, 2 usage, input or
endpoint error. Heavy libraries are imported inside the commands so that ``--help`` stays instant.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import click

from claimgraph.cli_add import add_actor, add_claim, add_nonresponse, add_proposition
from claimgraph.cli_authoring import add_source, locate, synth
from claimgraph.cli_options import (
    EXIT_FAILED,
    EXIT_OK,
    ClaimgraphGroup,
    data_option,
    emit,
    endpoint_options,
    engine_for,
    no_stdin,
    output_dir_option,
    output_options,
    queries_dir_for,
)
from claimgraph.cli_stores import load, serve
from claimgraph.project import __version__

# A fixed help width keeps --help identical everywhere, so docs/cli.md can be checked.
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100, "terminal_width": 100}


@click.group(cls=ClaimgraphGroup, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="claimgraph")
def main() -> None:
    """Provenance-checked knowledge graphs of claims, actors and sources.

    Exit codes: 0 ok, 1 violations found, 2 usage, input or endpoint error.

    \b
    Example:
        claimgraph validate --allow-warnings
    """


for command in (add_source, add_actor, add_proposition, add_claim, add_nonresponse, locate, synth, load, serve):
    main.add_command(command)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True, exists=True, path_type=Path), callback=no_stdin)
@data_option
@output_options("text", "json", "junit", "sarif", "turtle")
@click.option("--allow-warnings", is_flag=True, help="Warnings do not fail validation (violations still do).")
@endpoint_options(
    "Validate the named graphs in this SPARQL 1.1 endpoint (read-only) instead of files; shapes from --data."
)
@click.option(
    "--graph",
    "graphs",
    multiple=True,
    metavar="IRI",
    help="With --endpoint: only this named graph, IRI or CURIE (repeatable); ontology and archive graphs come too.",
)
@click.option(
    "--fetch",
    is_flag=True,
    help="With --endpoint: fetch the graphs and validate them here, not inside the store.",
)
@click.option(
    "--changed-since",
    "since",
    metavar="REV",
    default=None,
    help="Validate only what changed since git revision REV, and what depends on it.",
)
@click.option(
    "--changed",
    "changed",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Validate only what this changed file affects (repeatable); its base is its committed version.",
)
@click.option(
    "--shapes",
    "shapes",
    multiple=True,
    is_eager=True,  # before --data, whose data root it makes irrelevant
    type=click.Path(exists=True, path_type=Path),
    metavar="FILE",
    help="Validate PATHS alone against these SHACL shapes (repeatable), without claimgraph's ontology and shapes.",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "fast", "reference"]),
    default="auto",
    show_default=True,
    help="auto: SHACL compiled to SPARQL, pySHACL for shapes it cannot compile; fast: compiled only "
    "(a shape it cannot compile is an error); reference: pySHACL alone.",
)
def validate(
    paths: Sequence[Path],
    data_dir: Path | None,
    fmt: str,
    output: Path | None,
    allow_warnings: bool,
    endpoint: str | None,
    graphs: Sequence[str],
    fetch: bool,
    timeout: float,
    since: str | None,
    changed: Sequence[Path],
    shapes: Sequence[Path],
    engine: str,
) -> None:
    """Check provenance: every claim attributed, sourced and anchored in its archived text.

    Validates the union of all named graphs against ontology/shapes.ttl. PATHS (files or
    directories) replace graph/ of the data directory; the ontology and shapes stay.
    Exit code 0 when the data passes, 1 on violations (or warnings without --allow-warnings).

    junit and sarif place each result at the file and line where its focus node is defined, paths
    relative to the current directory (run from the repository root). junit: a test suite per
    shape, a test case per node checked. sarif: SARIF 2.1.0 for GitHub code scanning.

    --endpoint validates what the store holds, read-only, with the shapes of --data. Every graph of a
    store filled by claimgraph load (with its ontology) is validated inside the store, the shapes run
    as SPARQL there; with --fetch, --graph, --engine reference, a shape only pySHACL can run, or a
    result on a blank node, the graphs are fetched and validated here. The results are the same
    either way; a fetch holds the data here, and is the faster on a store that reads out its triples
    faster than it runs the queries (Oxigraph server: docs/stores.md).

    --changed-since REV (changes from git: committed, staged, unstaged and untracked) and --changed
    FILE validate only the nodes a change can affect, loading only the files they depend on, with
    the results a full run gives those nodes; the verdict is the full run's if the base passed.
    A change to the ontology or shapes validates everything. The index of the data files is kept
    in DATA/.claimgraph/. A one-line summary goes to standard error.

    --shapes FILE makes it a general SHACL validator, as pySHACL's command is: the data files PATHS
    are validated alone against the shapes in FILE (SHACL Core and SHACL-SPARQL), with the same
    formats and exit codes. With --engine fast, a shape the compiled engine cannot express exactly
    is an error (exit 2) that names it and says why.

    \b
    Example:
        claimgraph validate --allow-warnings
        claimgraph validate graph/ --format json -o report.json
        claimgraph validate --data . --format sarif -o claimgraph.sarif
        claimgraph validate --data . --format junit -o claimgraph-junit.xml --allow-warnings
        claimgraph validate --endpoint http://127.0.0.1:7878/query --graph graph:actors
        claimgraph validate --data . --changed-since origin/main --allow-warnings
        claimgraph validate --data . --changed graph/optimism-vs-intelligence.trig
        claimgraph validate --shapes my-shapes.ttl --engine fast people.ttl --format turtle
    """
    from claimgraph.io.dataset import load_dataset
    from claimgraph.io.standalone import load_files
    from claimgraph.validation.api import validate as run_validation
    from claimgraph.validation.render import NEEDS_CONTEXT, RENDERERS, report_context

    incremental = since is not None or bool(changed)
    if since is not None and changed:
        raise click.UsageError("--changed-since and --changed exclude each other.")
    if shapes:
        if not paths:
            raise click.UsageError("--shapes needs the data files to validate (PATHS).")
        if data_dir is not None or endpoint or incremental:
            raise click.UsageError("--shapes validates PATHS alone: not with --data, --endpoint or --changed*.")
    if endpoint:
        if paths:
            raise click.UsageError("PATHS and --endpoint exclude each other: the data comes from the endpoint.")
        if incremental:
            raise click.UsageError("--changed-since and --changed need files, not --endpoint.")
    elif graphs or fetch:
        raise click.UsageError("--graph and --fetch need --endpoint.")
    elif shapes:
        dataset = load_files(list(paths), shapes=list(shapes))
    elif not incremental:
        dataset = load_dataset(data_dir, paths=list(paths) or None)
    if incremental:
        from claimgraph.project import bundled_data_dir
        from claimgraph.validation.incremental import changes_named, changes_since, validate_changes

        root = data_dir or bundled_data_dir()
        changes = changes_since(root, since, within=paths) if since is not None else changes_named(root, changed)
        outcome = validate_changes(root, changes=changes, paths=list(paths) or None, engine=engine)
        click.echo(outcome.summary(), err=True)
        report, contextualise = outcome.report, outcome.report_context
    else:
        if endpoint:  # in the store where it can, else fetched
            from claimgraph.stores.instore import validate_endpoint

            report, dataset = validate_endpoint(
                endpoint, graphs=list(graphs) or None, root=data_dir, timeout=timeout, engine=engine, fetch=fetch
            )
        else:
            report = run_validation(dataset, engine=engine)
        contextualise = functools.partial(report_context, dataset, report)
    context = contextualise(root=Path.cwd(), for_format=fmt) if fmt in NEEDS_CONTEXT else None
    emit(RENDERERS[fmt](report, allow_warnings=allow_warnings, context=context), output)
    click.get_current_context().exit(EXIT_OK if report.passes(allow_warnings=allow_warnings) else EXIT_FAILED)


@main.command("queries")
@data_option
@output_options("table", "json")
def list_queries(data_dir: Path | None, fmt: str, output: Path | None) -> None:
    """List the canned queries in queries/ with their summaries and parameters.

    \b
    Example:
        claimgraph queries
        claimgraph queries --format json
    """
    from claimgraph.queries.files import canned_queries
    from claimgraph.queries.render import render_query_list

    emit(render_query_list(canned_queries(queries_dir_for(data_dir)).values(), fmt), output)


@main.command()
@click.argument("name", metavar="NAME|FILE.rq")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="A query parameter (repeatable).")
@data_option
@endpoint_options()
@output_options("table", "json", "csv", "tsv")
def query(
    name: str,
    params: Sequence[str],
    data_dir: Path | None,
    endpoint: str | None,
    timeout: float,
    fmt: str,
    output: Path | None,
) -> None:
    """Run a canned query (see `claimgraph queries`) or a SPARQL file.

    Parameters are typed (IRIs as CURIEs such as actor:russia or full IRIs, dates as YYYY-MM-DD) and
    bound as RDF terms. json, csv and tsv are the W3C SPARQL 1.1 query results formats.

    \b
    Example:
        claimgraph query contradictions-direct-opposition
        claimgraph query claim-provenance --param claim=claim:us-intel-rejects-no-threat
        claimgraph query territory-positions -p territory=place:ukraine --format csv
        claimgraph query my-query.rq --endpoint http://127.0.0.1:7878/query --format json
    """
    from claimgraph.queries.files import bind_parameters, parse_assignments, resolve_query, run_query
    from claimgraph.queries.render import render_results

    selected = resolve_query(name, queries_dir_for(data_dir))
    raw = parse_assignments(selected, params)
    bind_parameters(selected, raw)  # fail on a bad parameter before loading anything
    results = run_query(engine_for(data_dir, endpoint, timeout), selected, raw)
    emit(render_results(results, fmt), output)


@main.command()
@click.option("-k", "--kind", "kinds", multiple=True, metavar="KIND", help="Only this kind (repeatable).")
@data_option
@endpoint_options()
@output_options("table", "json", "csv")
def contradictions(
    kinds: Sequence[str],
    data_dir: Path | None,
    endpoint: str | None,
    timeout: float,
    fmt: str,
    output: Path | None,
) -> None:
    """Show who contradicts whom, of what kind, why, and how each claim reached us.

    One query per kind, queries/contradictions-KIND.rq, from the strongest:

    \b
        direct-opposition            one proposition, opposite stances, different claimants
        incompatible-propositions    both affirmed, though they contradict (declared, or by entailment)
        denied-consequence           one affirms what entails what another denies
        public-line-vs-intelligence  a state's public statement against its own assessment
        incompatible-positions       demands of different sides that cannot both be met
        position-against-proposal    one rejects what a proposal another puts on the table requires
        reversal                     one claimant, opposite stances at different dates
        support-based-tension        one affirms what supports what another denies (lower confidence)

    Each pair of claims is listed once, under the strongest kind that found it, with every kind and
    every reason: its chain of declared relations (where each is declared, file:line, and its textual
    note), its confidence (declared, entailed, support-based), and whether the pair spans documents.

    JSON: a list of objects with "kind" (the strongest), "kinds", "confidence", "spans_documents",
    "reasons" (each with kind, reason, confidence and chain) and two "sides", each with claim,
    claimant, claimant_label, proposition, proposition_label, stance, sources and the evidence trail.

    \b
    Example:
        claimgraph contradictions
        claimgraph contradictions --kind direct-opposition --format json
        claimgraph contradictions --endpoint http://127.0.0.1:7878/query --format csv
    """
    from claimgraph.queries.contradictions import contradiction_queries, find_contradictions
    from claimgraph.queries.render import render_contradictions

    directory = queries_dir_for(data_dir)
    if kinds:
        from claimgraph.errors import UnknownKindError

        known = list(contradiction_queries(directory))
        for kind in kinds:
            if kind not in known:
                raise UnknownKindError(kind, known)
    found = find_contradictions(engine_for(data_dir, endpoint, timeout), directory, kinds)
    emit(render_contradictions(found, fmt), output)


@main.command()
@click.option(
    "--view",
    type=click.Choice(["actors", "contradictions", "lineage"]),
    default="actors",
    show_default=True,
    help="actors: actors, claims, propositions and sources; contradictions: who contradicts whom; "
    "lineage: which document or report derives from which.",
)
@data_option
@endpoint_options()
@output_options("text", "graphml", "gexf", "json")
def network(
    view: str, data_dir: Path | None, endpoint: str | None, timeout: float, fmt: str, output: Path | None
) -> None:
    """Analyse the graph as a network, or write it for Gephi and Cytoscape.

    text (the default) summarises the view: for actors, node and edge counts and who claims most;
    for contradictions, each contradiction, actors by degree and betweenness, and the most
    contradicted propositions; for lineage, the derivation edges, circular sourcing, independent
    origins per proposition (copies of one wire report are one origin) and single-origin claims.
    graphml and gexf open in Gephi and Cytoscape; json is networkx node-link data ("nodes",
    "edges"). Nodes are keyed by IRI; attributes are strings, integers, floats or booleans.

    \b
    Example:
        claimgraph network --view contradictions
        claimgraph network --view lineage
        claimgraph network --view actors --format graphml -o actors.graphml
        claimgraph network --view contradictions --format gexf -o contradictions.gexf
    """
    from claimgraph.site.network import build_view, write_graph

    graph, summary = build_view(engine_for(data_dir, endpoint, timeout), view, queries_dir_for(data_dir))
    emit(summary if fmt == "text" else write_graph(graph, fmt).decode("utf-8"), output)


@main.command()
@output_dir_option(
    "Directory to write the site to; a previous report there is replaced whole, anything else is refused."
)
@data_option
@endpoint_options(
    "Report on the named graphs of this SPARQL 1.1 endpoint (read-only) instead of files; shapes from --data."
)
def report(out: Path, data_dir: Path | None, endpoint: str | None, timeout: float) -> None:
    """Write a static HTML report: claims, contradictions, network, actors, sources, ontology.

    Pages: an overview (the verdict, counts, the contradiction network, a timeline of dated claims, a
    summary per document); a page per claim (its passage in context, its provenance chain drawn, its
    proposition, contradictions, tensions, corroboration and validation results) and per proposition;
    the contradictions, one card per pair with the reasons' chains (file:line, notes) and confidence;
    network pictures with centrality, circular sourcing and independent origins; a page per actor and
    per source document (the archived text with every anchor highlighted); the ontology and shapes from
    their Turtle. No script, no external resource: open OUTPUT/index.html from the file system. Built
    in a temporary directory and renamed into place, so the site is never half-written.

    \b
    Example:
        claimgraph report -o site
        claimgraph report --data . -o build/report && xdg-open build/report/index.html
    """
    from claimgraph.io.dataset import load_dataset
    from claimgraph.site.report import build_report

    if endpoint:
        from claimgraph.stores.remote import fetch_dataset

        dataset = fetch_dataset(endpoint, root=data_dir, timeout=timeout)
    else:
        dataset = load_dataset(data_dir)
    pages = build_report(dataset, out, queries_directory=queries_dir_for(data_dir))
    click.echo(f"Wrote {len([p for p in pages if p.endswith('.html')])} pages: {out / 'index.html'}")


@main.command()
@data_option
@endpoint_options("Export the named graphs of this SPARQL 1.1 endpoint (read-only) instead of files.")
@output_options("trig", "nq", "turtle", "nt", "jsonld", "xml", default=None)
@click.option(
    "--no-derived",
    "without_derived",
    is_flag=True,
    help="Leave out graph:derived: only what the files state, for another reasoner or a diff.",
)
def export(
    data_dir: Path | None,
    endpoint: str | None,
    timeout: float,
    fmt: str | None,
    output: Path | None,
    without_derived: bool,
) -> None:
    """Write the dataset as RDF, the same bytes for the same data: what a triple store should hold.

    Every graph but the shapes: the ontology, the registries, one graph per source document,
    graph:archive (the archived texts, which remote validation reads) and graph:derived (the closures
    the canned queries read instead of property paths, recomputed from the data at every load; a store
    without it finds less). trig, nq and jsonld keep the named graphs; turtle, nt and xml (RDF/XML) carry
    no graph names, so they hold the union of all graphs. Quads are sorted, prefixes fixed and blank
    nodes labelled canonically (RDFC-1.0).

    Without --format the format is the one -o's suffix means (.trig, .nq, .ttl, .nt, .jsonld, .rdf,
    .xml, .owl), trig on standard output; a suffix that means another format than --format is refused.

    \b
    Example:
        claimgraph export -o claimgraph.trig
        claimgraph export --data . -o dataset.nq
        claimgraph export --format turtle --no-derived > asserted.ttl
        claimgraph export --endpoint http://127.0.0.1:7878/query -o store.nq
    """
    from claimgraph.io.dataset import load_dataset
    from claimgraph.io.export import export_format, serialize

    chosen = export_format(output, fmt)
    if endpoint:
        from claimgraph.stores.remote import fetch_dataset

        dataset = fetch_dataset(endpoint, root=data_dir, timeout=timeout)
    else:
        dataset = load_dataset(data_dir)
    emit(serialize(dataset, chosen, derived=not without_derived), output)
