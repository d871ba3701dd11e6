"""The triple-store commands: ``load`` puts the dataset into a store, ``serve`` runs a local read-only
SPARQL endpoint over it. :mod:`claimgraph.cli` registers them on ``main``.
"""

from __future__ import annotations

from pathlib import Path

import click

from claimgraph.cli_options import data_option, endpoint_options

__all__ = ["LoadMeter", "load", "serve"]

#: The ways ``load`` can send triples (claimgraph.stores.load.METHODS, kept here so --help imports nothing heavy).
METHOD_NAMES = ("update", "graph-store", "dataset", "oxigraph-bulk", "virtuoso-bulk")


#: Seconds between progress lines of ``load`` (on a terminal: between updates of one line).
PROGRESS_EVERY = 10.0
PROGRESS_EVERY_TTY = 0.5


class LoadMeter:
    """``load``'s progress on standard error: triples sent of the total, and triples per second.

    :param total: the triples to send.
    :param tty: rewrite one line in place (a terminal) instead of printing a line now and then.
    """

    def __init__(self, total: int, *, tty: bool) -> None:
        import time

        self.total = total
        self.tty = tty
        self.sent = 0
        self.start = self.last = time.monotonic()

    def __call__(self, triples: int) -> None:
        import time

        self.sent += triples
        now = time.monotonic()
        if now - self.last >= (PROGRESS_EVERY_TTY if self.tty else PROGRESS_EVERY) or self.sent >= self.total:
            self.last = now
            share = f" ({self.sent / self.total:.0%})" if self.total else ""
            line = f"load: {self.sent:,} of {self.total:,} triples sent{share}, {self.rate(now):,.0f} triples/s"
            click.echo(f"\r{line}" if self.tty else line, err=True, nl=not self.tty)

    def rate(self, now: float | None = None) -> float:
        """Triples sent per second so far."""
        import time

        seconds = (time.monotonic() if now is None else now) - self.start
        return self.sent / seconds if seconds > 0 else 0.0

    def finish(self, triples: int, seconds: dict[str, float]) -> None:
        """The closing line: the whole load's time and throughput, and where the time went."""
        import time

        total = time.monotonic() - self.start
        rate = triples / total if total > 0 else 0.0
        parts = ", ".join(f"{name} {value:.1f} s" for name, value in seconds.items())
        click.echo(
            ("\n" if self.tty and self.sent else "")
            + f"load: {triples:,} triples in {total:.1f} s ({rate:,.0f} triples/s; {parts})",
            err=True,
        )


@click.command()
@endpoint_options("The store's SPARQL 1.1 query endpoint, for the count checks (required).")
@click.option(
    "--store-endpoint", metavar="URL", default=None, help="The store's SPARQL 1.1 Graph Store Protocol endpoint."
)
@click.option(
    "--update-endpoint",
    metavar="URL",
    default=None,
    help="The SPARQL 1.1 Update endpoint: uploads with --method update, and the swap (default: --endpoint).",
)
@click.option(
    "--method",
    type=click.Choice(METHOD_NAMES),
    default=None,
    help="How the triples go in: update (SPARQL Update), graph-store (Graph Store Protocol, per graph),"
    " dataset (N-Quads POSTs of many graphs to --store-endpoint), oxigraph-bulk (the same, by Oxigraph's bulk"
    " loader), virtuoso-bulk (files in --bulk-dir, Virtuoso's bulk loader via --isql).  [default: graph-store"
    " with --store-endpoint, else update]",
)
@data_option
@click.option(
    "--user",
    metavar="NAME",
    default=None,
    help="User for HTTP authentication (and isql); the password only from CLAIMGRAPH_PASSWORD.",
)
@click.option(
    "--auth", type=click.Choice(["basic", "digest"]), default="basic", show_default=True, help="HTTP auth scheme."
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=None,
    help="Triples per request or bulk-load file.  [default: update 1,000 (Virtuoso's SPARQL Update fails on much"
    " larger ones), graph-store 1,000, dataset and oxigraph-bulk 100,000, virtuoso-bulk 1,000,000]",
)
@click.option(
    "--bulk-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="virtuoso-bulk: a directory in the server's DirsAllowed, on this machine, for the N-Quads files.",
)
@click.option(
    "--isql",
    metavar="HOST:PORT",
    default="127.0.0.1:1111",
    show_default=True,
    help="virtuoso-bulk: the server's SQL port, reached with isql-vt.",
)
@click.option(
    "--swap-batch",
    type=click.IntRange(min=1),
    default=None,
    metavar="GRAPHS",
    help="Graphs per swap request; with several requests each graph is replaced whole, but not all at once."
    "  [default: all in one request; virtuoso-bulk 100 (Virtuoso 7.2 refuses about 1,000 MOVEs in one)]",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Retries of a request that failed transiently (refused, reset, timed out, HTTP 502/503/504).",
)
def load(
    endpoint: str | None,
    timeout: float,
    store_endpoint: str | None,
    update_endpoint: str | None,
    method: str | None,
    data_dir: Path | None,
    user: str | None,
    auth: str,
    batch_size: int | None,
    bulk_dir: Path | None,
    isql: str,
    swap_batch: int | None,
    retries: int,
) -> None:
    """Load the dataset into a triple store, one named graph per graph, replacing them atomically.

    Every graph but the shapes (as export writes them; graph:derived, the closures the canned queries
    read, recomputed from the data now) goes first into a staging graph
    urn:claimgraph:staging:RUN:N, in batches of --batch-size triples by --method; the staging graphs
    are counted, then one update request moves them all onto their targets, and the targets are
    counted against what was sent. A load that fails or is interrupted leaves the previous graphs in
    place; the next load drops its staging graphs. Graphs in the store that the dataset does not have
    are left alone. Run one load per store at a time. Progress and throughput go to standard error.

    \b
    Example:
        claimgraph load --endpoint http://127.0.0.1:7878/query --store-endpoint http://127.0.0.1:7878/store \\
            --update-endpoint http://127.0.0.1:7878/update --method oxigraph-bulk
        read -rs CLAIMGRAPH_PASSWORD && export CLAIMGRAPH_PASSWORD
        claimgraph load --endpoint http://127.0.0.1:8890/sparql \\
            --store-endpoint http://127.0.0.1:8890/sparql-graph-crud-auth \\
            --update-endpoint http://127.0.0.1:8890/sparql-auth --user dba --auth digest
        claimgraph load --endpoint http://127.0.0.1:8890/sparql --update-endpoint http://127.0.0.1:8890/sparql-auth \\
            --user dba --auth digest --method virtuoso-bulk --bulk-dir /var/lib/virtuoso/bulk --isql 127.0.0.1:1111
    """
    import os
    import sys

    import pyoxigraph as ox

    from claimgraph.io.dataset import load_dataset
    from claimgraph.namespaces import SHAPES_GRAPH
    from claimgraph.sparql.transport import Credentials
    from claimgraph.stores.bulk import VirtuosoBulkLoader
    from claimgraph.stores.load import load_store

    if not endpoint:
        raise click.UsageError("--endpoint is required: the store's SPARQL query endpoint.")
    how = method or ("graph-store" if store_endpoint else "update")
    if how in ("graph-store", "dataset", "oxigraph-bulk") and not store_endpoint:
        raise click.UsageError(f"--method {how} needs --store-endpoint.")
    if how == "virtuoso-bulk" and bulk_dir is None:
        raise click.UsageError("--method virtuoso-bulk needs --bulk-dir: a directory in the server's DirsAllowed.")
    password = None
    if user is not None:
        password = os.environ.get("CLAIMGRAPH_PASSWORD")
        if password is None:
            raise click.UsageError("--user needs the password in the environment variable CLAIMGRAPH_PASSWORD.")
    if how == "virtuoso-bulk" and password is None:
        raise click.UsageError("--method virtuoso-bulk needs --user (a SQL user such as dba) and CLAIMGRAPH_PASSWORD.")
    credentials = None
    if user is not None and password is not None:
        credentials = Credentials(user, password, "digest" if auth == "digest" else "basic")
    loader = None
    if bulk_dir is not None and user is not None and password is not None:
        loader = VirtuosoBulkLoader(bulk_dir.resolve(), isql=isql, user=user, password=password)
    dataset = load_dataset(data_dir)
    shapes = ox.NamedNode(SHAPES_GRAPH)
    graphs = [g.value for g in dataset.store.named_graphs() if isinstance(g, ox.NamedNode) and g != shapes]
    total = len(dataset.store) - sum(1 for _ in dataset.store.quads_for_pattern(None, None, None, shapes))
    meter = LoadMeter(total, tty=sys.stderr.isatty())
    result = load_store(
        dataset.store,
        endpoint=endpoint,
        graphs=graphs,
        update_endpoint=update_endpoint,
        store_endpoint=store_endpoint,
        credentials=credentials,
        method=how,  # type: ignore[arg-type]  # one of METHOD_NAMES, checked by click
        batch_size=batch_size,
        bulk_loader=loader,
        swap_batch=swap_batch,
        timeout=timeout,
        retries=retries,
        progress=meter,
    )
    meter.finish(result.triples, result.seconds)
    if result.swaps > 1:
        click.echo(
            f"load: {len(result.graphs)} graphs swapped in {result.swaps} requests (each graph replaced whole,"
            " not all at once)",
            err=True,
        )
    names = {
        "update": "SPARQL Update",
        "graph-store": "Graph Store Protocol",
        "dataset": "dataset POST",
        "oxigraph-bulk": "Oxigraph bulk loader",
        "virtuoso-bulk": "Virtuoso bulk loader",
    }
    click.echo(
        f"Loaded {result.triples} triples in {len(result.graphs)} graphs ({names[how]}), counts checked: {endpoint}"
    )


@click.command()
@data_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback exposes the data to the network.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True, help="Port to listen on.")
def serve(data_dir: Path | None, host: str, port: int) -> None:
    """Serve the dataset as a local read-only SPARQL 1.1 endpoint until Ctrl-C.

    Runs Oxigraph's server (the `oxigraph` binary of PyPI `oxigraph`) over what `export` writes,
    bulk-loaded into a temporary database that is removed on exit (Ctrl-C or SIGTERM). Queries go to
    http://HOST:PORT/query (SPARQL 1.1 Protocol, GET or POST); their default graph is the union of the
    named graphs; updates are refused. Prints the query URL once the endpoint answers.

    \b
    Example:
        claimgraph serve
        claimgraph serve --data . --port 8000
        claimgraph contradictions --endpoint http://127.0.0.1:7878/query
    """
    import signal

    from claimgraph.errors import ServerError
    from claimgraph.io.dataset import load_dataset
    from claimgraph.io.export import dataset_quads
    from claimgraph.stores.serve import oxigraph_binary, read_only_server

    binary = oxigraph_binary()  # before loading anything
    quads = dataset_quads(load_dataset(data_dir))

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM and SIGHUP stop the server as Ctrl-C does, cleaning up on the way out

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGHUP)}
    try:
        with read_only_server(quads, host=host, port=port, binary=binary) as server:
            click.echo(f"SPARQL 1.1 endpoint (read-only): {server.query_url}")
            status = server.wait()
        raise ServerError(f"the server stopped unexpectedly (exit status {status})", address=server.address)
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
