"""The triple-store commands: ``load`` puts the dataset into a store, ``serve`` runs a local read-only
SPARQL endpoint over it. :mod:`claimgraph.cli` registers them on ``main``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from claimgraph.cli_options import data_option, endpoint_options

__all__ = ["LARGE_LOAD", "load", "serve"]


#: From this many triples on, ``load`` shows a progress bar (when stderr is a terminal).
LARGE_LOAD = 50_000


@click.command()
@endpoint_options("The store's SPARQL 1.1 query endpoint, for the count checks (required).")
@click.option(
    "--store-endpoint", metavar="URL", default=None, help="Upload with this SPARQL 1.1 Graph Store Protocol endpoint."
)
@click.option(
    "--update-endpoint",
    metavar="URL",
    default=None,
    help="The SPARQL 1.1 Update endpoint: uploads without --store-endpoint, and the swap (default: --endpoint).",
)
@data_option
@click.option(
    "--user",
    metavar="NAME",
    default=None,
    help="User for HTTP authentication; the password only from CLAIMGRAPH_PASSWORD.",
)
@click.option(
    "--auth", type=click.Choice(["basic", "digest"]), default="basic", show_default=True, help="HTTP auth scheme."
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=1_000,
    show_default=True,
    help="Triples per upload request (Virtuoso's SPARQL Update fails on much larger ones).",
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
    data_dir: Path | None,
    user: str | None,
    auth: str,
    batch_size: int,
    retries: int,
) -> None:
    """Load the dataset into a triple store, one named graph per graph, replacing them atomically.

    Every graph but the shapes (as export writes them; graph:derived, the closures the canned queries
    read, recomputed from the data now) goes first into a staging graph
    urn:claimgraph:staging:RUN:N, through the Graph Store Protocol (--store-endpoint) or SPARQL
    Update; the staging graphs are counted, then one update request moves them all onto their
    targets, and the targets are counted against what was sent. A load that fails or is
    interrupted leaves the previous graphs in place; the next load drops its staging graphs. Graphs
    in the store that the dataset does not have are left alone. Run one load per store at a time.

    \b
    Example:
        claimgraph load --endpoint http://127.0.0.1:7878/query --store-endpoint http://127.0.0.1:7878/store \\
            --update-endpoint http://127.0.0.1:7878/update
        read -rs CLAIMGRAPH_PASSWORD && export CLAIMGRAPH_PASSWORD
        claimgraph load --endpoint http://127.0.0.1:8890/sparql \\
            --store-endpoint http://127.0.0.1:8890/sparql-graph-crud-auth \\
            --update-endpoint http://127.0.0.1:8890/sparql-auth --user dba --auth digest
    """
    import os
    import sys

    from claimgraph.io.dataset import load_dataset
    from claimgraph.io.export import dataset_quads
    from claimgraph.sparql.transport import Credentials
    from claimgraph.stores.load import load_quads

    if not endpoint:
        raise click.UsageError("--endpoint is required: the store's SPARQL query endpoint.")
    credentials = None
    if user is not None:
        password = os.environ.get("CLAIMGRAPH_PASSWORD")
        if password is None:
            raise click.UsageError("--user needs the password in the environment variable CLAIMGRAPH_PASSWORD.")
        credentials = Credentials(user, password, "digest" if auth == "digest" else "basic")
    quads = dataset_quads(load_dataset(data_dir))
    options: dict[str, Any] = {
        "endpoint": endpoint,
        "update_endpoint": update_endpoint,
        "store_endpoint": store_endpoint,
        "credentials": credentials,
        "batch_size": batch_size,
        "timeout": timeout,
        "retries": retries,
    }
    if len(quads) >= LARGE_LOAD and sys.stderr.isatty():
        with click.progressbar(length=len(quads), label="Loading", file=sys.stderr) as bar:
            result = load_quads(quads, progress=bar.update, **options)
    else:
        result = load_quads(quads, **options)
    how = "Graph Store Protocol" if store_endpoint else "SPARQL Update"
    click.echo(f"Loaded {result.triples} triples in {len(result.graphs)} graphs ({how}), counts checked: {endpoint}")


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
