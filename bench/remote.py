"""The benchmark's store rows: the corpus loaded into a real store on loopback, then ``validate
--endpoint`` and ``contradictions --endpoint`` against the embedded ones (``--stores``).

The parent (:func:`bench_store`) starts the store (Oxigraph server, Virtuoso 7; the test suite's
launchers in ``tests/helpers/servers.py``) in a temporary directory and runs each operation in a
process of its own (``python -m bench.ops store-…``), as every other row; the load always, the two
others when ``--operations`` names ``validate`` and ``contradictions``:

- load into the store: ``load_dataset`` and ``load_store`` by the store's bulk path (``oxigraph-bulk``,
  ``virtuoso-bulk``), count checks and swap included, vs the store's own raw bulk loader on the
  ``export`` of the same dataset (``oxigraph load`` into a fresh database; Virtuoso's ``ld_dir`` and
  ``rdf_loader_run`` into a fresh instance);
- ``validate --endpoint`` (inside the store) and ``validate --endpoint --fetch`` (its graphs fetched
  and validated here) vs the embedded validation of the files (their load included): the same
  results, file and line aside;
- ``contradictions --endpoint`` vs the embedded ``contradictions`` (load of the files included, as for
  validate; the embedded ``find_contradictions`` alone in the note): the same pairs.

An operation the store stops with an error (a row cap, a query limit, its own timeout) is a FAILED row
whose note is the error's last line; the rows before it are kept and written.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The stores ``--stores`` may name.
STORES = ("oxigraph", "virtuoso")
LABELS = {"oxigraph": "Oxigraph server", "virtuoso": "Virtuoso 7"}


def missing(store: str) -> str | None:
    """Why ``store`` cannot be benchmarked here, or None."""
    from claimgraph.errors import ClaimgraphError
    from claimgraph.stores.serve import oxigraph_binary

    if store == "oxigraph":
        try:
            oxigraph_binary()
        except ClaimgraphError as error:
            return str(error)
        return None
    if shutil.which("virtuoso-t") is None or shutil.which("isql-vt") is None:
        return "Virtuoso (virtuoso-t, isql-vt) is not installed"
    return None


def _server(store: str, directory: Path, triples: int) -> Any:
    from tests.helpers.servers import OxigraphServer, VirtuosoServer

    directory.mkdir(parents=True, exist_ok=True)
    if store == "oxigraph":
        return OxigraphServer(directory, [])
    # 8 KB pages for the whole database with room to spare (1.4 GB at 10M triples, 140 bytes a quad
    # with its indexes), as Virtuoso's ini file advises by the machine's memory.
    return VirtuosoServer(directory, max_rows=max(2 * triples, 1_000_000), buffers=max(10_000, triples // 40))


def _connection(store: str, server: Any) -> dict[str, Any]:
    """What the operations in other processes need to reach the store."""
    if store == "oxigraph":
        base = f"http://127.0.0.1:{server.port}"
        return {"store": store, "query": server.url, "update": base + "/update", "graph_store": base + "/store"}
    return {
        "store": store,
        "query": server.url,
        "update": server.update_url,
        "graph_store": server.store_url,
        "user": server.user,
        "password": server.password,
        "isql": f"127.0.0.1:{server.sql_port}",
        "bulk_dir": str(server.directory / "bulk"),
    }


def _raw_load(store: str, dump: Path, directory: Path, triples: int) -> dict[str, Any]:
    """The store's own bulk loader on the N-Quads dump, into a fresh database (timed: the loader alone)."""
    import resource

    from claimgraph.stores.serve import oxigraph_binary

    if store == "oxigraph":
        start = time.perf_counter()
        subprocess.run(
            [oxigraph_binary(), "load", "--location", str(directory / "raw-db"), "--file", str(dump)],
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return {"seconds": seconds, "maxrss_mb": rss}
    with _server(store, directory / "raw", triples) as server:
        bulk = server.directory / "bulk"
        shutil.copyfile(dump, bulk / "dataset.nq")
        start = time.perf_counter()
        server.isql(f"ld_dir('{bulk}', 'dataset.nq', 'urn:claimgraph:unused'); rdf_loader_run(); checkpoint;")
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "maxrss_mb": None}


def bench_store(
    store: str,
    data: Path,
    triples: int,
    run_op: Callable[..., Any],
    row: Callable[..., Any],
    embedded: dict[str, Any],
) -> None:
    """The store rows of one corpus (see the module docstring): the load, then ``validate --endpoint``
    and ``contradictions --endpoint`` where ``embedded`` holds the embedded run to compare with
    (``validate-full``, ``contradictions-full``: those of ``--operations``), shared by the stores."""
    label = LABELS[store]
    reason = missing(store)
    if reason is not None:
        row(f"load into {label}", None, None, "-", f"not run: {reason}")
        return
    with tempfile.TemporaryDirectory(prefix=f"bench-{store}-") as tmp:
        directory = Path(tmp)
        dump = directory / "dataset.nq"
        subprocess.run(
            ["claimgraph", "export", "--data", str(data), "--format", "nq", "-o", str(dump)],
            check=True,
            capture_output=True,
            env=_env(),
        )
        raw = _raw_load(store, dump, directory, triples)
        raw_name = (
            "oxigraph load (offline bulk loader) of the export"
            if store == "oxigraph"
            else "ld_dir + rdf_loader_run + checkpoint of the export"
        )
        with _server(store, directory / "ours", triples) as server:
            connection = json.dumps(_connection(store, server))
            ours = _attempt(run_op, "store-load", data, connection)
            if isinstance(ours, str):
                row(f"load into {label}", None, raw, raw_name, ours, failed=True)
                return
            phases = ", ".join(f"{k} {v:.1f} s" for k, v in ours["phases"].items())
            row(
                f"load into {label} (load --method {ours['method']})",
                ours,
                raw,
                raw_name,
                f"{ours['triples']:,} triples in {ours['graphs']:,} graphs, {ours['rate']:,.0f} triples/s"
                f" ({phases}; swap in {ours['swaps']} request{'s' if ours['swaps'] > 1 else ''}); counts checked",
            )
            for operation, (command, baseline, name, note) in _ENDPOINT_ROWS.items():
                if (base := embedded.get(f"{baseline}-full")) is None:
                    continue
                title = f"{command} ({label})"
                remote = _attempt(run_op, f"store-{operation}", data, connection)
                if isinstance(remote, str):
                    row(title, None, base, name, remote, failed=True)
                else:
                    same = remote["fingerprint"] == base["fingerprint"]
                    row(title, remote, base, name, note(remote, base, same), failed=not same)


def _validate_note(remote: dict[str, Any], base: dict[str, Any], same: bool) -> str:
    agreed = "= embedded (file, line aside)" if same else "DIFFER from embedded"
    return f"{remote['results']} results, {agreed}; validated {remote['where']}"


def _contradictions_note(remote: dict[str, Any], base: dict[str, Any], same: bool) -> str:
    alone = remote["seconds"] / base["find_seconds"]
    return (
        f"{remote['pairs']} pairs, " + ("= embedded" if same else "DIFFER from embedded")
        + f"; embedded find_contradictions alone {base['find_seconds']:.2f} s (ratio {alone:.1f})"
    )


_VALIDATE_BASE = "embedded: load files + validate"

#: The operations run through the store's endpoint: the command, their embedded baseline (the operation
#: of ``--operations``, and its name) and the note of their row.
_ENDPOINT_ROWS: dict[str, tuple[str, str, str, Callable[[dict[str, Any], dict[str, Any], bool], str]]] = {
    "validate": ("validate --endpoint", "validate", _VALIDATE_BASE, _validate_note),
    "validate-fetch": ("validate --endpoint --fetch", "validate", _VALIDATE_BASE, _validate_note),
    "contradictions": (
        "contradictions --endpoint",
        "contradictions",
        "embedded: load files + find_contradictions",
        _contradictions_note,
    ),
}


def _attempt(run_op: Callable[..., Any], operation: str, data: Path, connection: str) -> dict[str, Any] | str:
    """The outcome of a store operation, or the last line of its error: a store that refuses (a row
    cap, a query limit, its own timeout) fails its row, and the rows measured before it are kept."""
    try:
        outcome: dict[str, Any] = run_op(operation, data, repeat=1, store=connection)
    except RuntimeError as error:
        return str(error).strip().splitlines()[-1]
    return outcome


def _env() -> dict[str, str]:
    import os
    import sys

    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


# --- The operations, each in a process of its own (dispatched by bench.ops) ---------------------------


def store_load(data: Path, repeat: int, store: str, **_: Any) -> dict[str, Any]:
    """``load_dataset`` then ``load_store`` by the store's bulk path; its phases from the load's result."""
    import pyoxigraph as ox

    from claimgraph.io.dataset import load_dataset
    from claimgraph.namespaces import SHAPES_GRAPH
    from claimgraph.sparql.transport import Credentials
    from claimgraph.stores.bulk import VirtuosoBulkLoader
    from claimgraph.stores.load import load_store

    connection = json.loads(store)
    options: dict[str, Any] = {"method": "oxigraph-bulk", "store_endpoint": connection["graph_store"]}
    if connection["store"] == "virtuoso":
        options = {
            "method": "virtuoso-bulk",
            "credentials": Credentials(connection["user"], connection["password"], "digest"),
            "bulk_loader": VirtuosoBulkLoader(
                Path(connection["bulk_dir"]), isql=connection["isql"], password=connection["password"]
            ),
        }
    start = time.perf_counter()
    dataset = load_dataset(data)
    graphs = [g.value for g in dataset.store.named_graphs() if isinstance(g, ox.NamedNode) and g.value != SHAPES_GRAPH]
    if connection["store"] == "oxigraph" and len(dataset.store) > 2_000_000:
        # As docs/stores.md advises: the 10M corpus swapped in one request outgrew 14 GB in the server.
        options["swap_batch"] = 1_000
    result = load_store(
        dataset.store,
        endpoint=connection["query"],
        update_endpoint=connection["update"],
        graphs=graphs,
        timeout=3600,
        **options,
    )
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "triples": result.triples,
        "graphs": len(result.graphs),
        "rate": result.triples / seconds,
        "method": result.method,
        "swaps": result.swaps,
        "phases": {"read files": seconds - sum(result.seconds.values()), **result.seconds},
    }


def _validation_fingerprint(results: list[Any]) -> str:
    from bench.ops import _fingerprint

    return _fingerprint(
        "\t".join(map(str, (r.severity.value, r.shape, r.focus, r.path, r.value, r.component, r.message)))
        for r in results
    )


def store_validate(data: Path, repeat: int, store: str, fetch: bool = False, **_: Any) -> dict[str, Any]:
    """``validate --endpoint``: in the store where it can (unless ``fetch``), else its graphs fetched
    (streamed) and validated here, with the corpus's shapes."""
    from claimgraph.stores.instore import validate_endpoint

    connection = json.loads(store)
    start = time.perf_counter()
    report, dataset = validate_endpoint(connection["query"], root=data, timeout=3600, fetch=fetch)
    seconds = time.perf_counter() - start
    fingerprint = _validation_fingerprint(report.results)
    where = "inside the store" if dataset.remote is not None else "after a fetch"
    return {"seconds": seconds, "where": where, "results": len(report.results), "fingerprint": fingerprint}


def validate_full(data: Path, repeat: int, **_: Any) -> dict[str, Any]:
    """The embedded validation from the files: load and validate (as ``validate`` does)."""
    from claimgraph.io.dataset import load_dataset
    from claimgraph.validation.api import validate

    start = time.perf_counter()
    report = validate(load_dataset(data))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "results": len(report.results), "fingerprint": _validation_fingerprint(report.results)}


def contradictions_full(data: Path, repeat: int, **_: Any) -> dict[str, Any]:
    """The embedded ``contradictions`` from the files: load, then find_contradictions (its time alone too)."""
    from bench.ops import contradictions_result
    from claimgraph.io.dataset import load_dataset
    from claimgraph.sparql.engines import EmbeddedEngine

    start = time.perf_counter()
    engine = EmbeddedEngine(load_dataset(data))
    loaded = time.perf_counter() - start
    outcome = contradictions_result(engine, data, 1)
    return {**outcome, "seconds": loaded + outcome["seconds"], "find_seconds": outcome["seconds"]}


def store_contradictions(data: Path, repeat: int, store: str, **_: Any) -> dict[str, Any]:
    """``contradictions --endpoint``: ``find_contradictions`` through the store's query endpoint."""
    from bench.ops import contradictions_result
    from claimgraph.sparql.engines import RemoteEngine

    connection = json.loads(store)
    return contradictions_result(RemoteEngine(connection["query"], timeout=3600), data, repeat)


OPERATIONS: dict[str, Callable[..., dict[str, Any]]] = {
    "store-load": store_load,
    "store-validate": store_validate,
    "store-validate-fetch": functools.partial(store_validate, fetch=True),
    "store-contradictions": store_contradictions,
    "validate-full": validate_full,
    "contradictions-full": contradictions_full,
}

