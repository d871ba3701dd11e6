"""One benchmarked operation per process: ``python -m bench.ops OPERATION DATA_DIR [OUT_JSON]``.

Each operation runs in a fresh interpreter so that its peak resident set size (``ru_maxrss``) is its
own. What is timed is the operation alone (medians of ``--repeat`` runs), not the interpreter start
or, for operations on a loaded dataset, the load that precedes them. The process prints one JSON
object on its last line of standard output.
"""

from __future__ import annotations

import argparse
import functools
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS}


def _median(run: Callable[[], Any], repeat: int, *, at_least: float = 0.0) -> tuple[float, Any]:
    """Median time of ``repeat`` runs, or more (up to 50) until they took ``at_least`` seconds in all.

    A run longer than 10 s is not repeated (its time is reported alone).
    """
    times: list[float] = []
    result = None
    while (len(times) < repeat or (sum(times) < at_least and len(times) < 50)) and not (times and times[0] > 10):
        result = None  # the previous run's result is freed before the clock starts
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _files(data: Path) -> list[Path]:
    from claimgraph.dataset import data_files

    return data_files(data / "ontology") + data_files(data / "graph")


def _load(data: Path) -> Any:
    from claimgraph.dataset import load_dataset

    return load_dataset(data)


def _warm_up() -> None:
    """Import what the timed calls import lazily, so no run pays for imports."""
    import pyshacl  # noqa: F401
    import rdflib
    import rdflib.plugins.sparql  # noqa: F401


def load_ours(data: Path, repeat: int, **_: Any) -> dict[str, Any]:
    seconds, dataset = _median(lambda: _load(data), repeat)
    return {"seconds": seconds, "quads": len(dataset.store)}


def load_raw(data: Path, repeat: int, **_: Any) -> dict[str, Any]:
    """The fastest raw pyoxigraph way to read the same files into a store: ``Store.load`` per file.

    ``Store.bulk_load`` is timed too (for an in-memory store it is the slower of the two).
    """
    files = _files(data)

    def with_load() -> ox.Store:
        store = ox.Store()
        for path in files:
            store.load(path=path, format=FORMATS[path.suffix])
        return store

    def with_bulk_load() -> ox.Store:
        store = ox.Store()
        for path in files:
            store.bulk_load(path=path, format=FORMATS[path.suffix])
        return store

    bulk, store = _median(with_bulk_load, repeat)
    del store  # one store at a time: the peak RSS is that of one load
    seconds, store = _median(with_load, repeat)
    return {"seconds": min(seconds, bulk), "load_seconds": seconds, "bulk_load_seconds": bulk, "quads": len(store)}


def _results_file(results: list[Any], out: Path | None) -> None:
    if out is not None:
        rows = sorted([r.severity.value, r.shape, r.focus, r.path, r.value, r.component, r.message] for r in results)
        out.write_text(json.dumps(rows), encoding="utf-8")


def validate_ours(data: Path, repeat: int, out: Path | None = None, **_: Any) -> dict[str, Any]:
    from claimgraph.validate import validate

    _warm_up()
    dataset = _load(data)
    seconds, report = _median(lambda: validate(dataset), repeat)
    _results_file(report.results, out)
    return {"seconds": seconds, "results": len(report.results), "delegated": sorted(report.delegated)}


def validate_pyshacl(data: Path, repeat: int, out: Path | None = None, **_: Any) -> dict[str, Any]:
    """pySHACL on an rdflib in-memory graph holding the same union (built before the clock starts)."""
    from claimgraph.validate import _to_rdflib, validate

    _warm_up()
    dataset = _load(data)
    start = time.perf_counter()
    graph = _to_rdflib(dataset.store)
    convert = time.perf_counter() - start
    del graph  # the engine converts again, inside the timed call; the conversion time is reported apart
    seconds, report = _median(lambda: validate(dataset, engine="pyshacl"), 1)
    _results_file(report.results, out)
    return {
        "seconds": max(0.0, seconds - convert),
        "with_conversion": seconds,
        "conversion": convert,
        "results": len(report.results),
    }


def _engine(data: Path) -> Any:
    from claimgraph.stores import EmbeddedEngine

    return EmbeddedEngine(_load(data))


def _canned(data: Path) -> dict[str, Any]:
    from claimgraph.dataset import bundled_data_dir
    from claimgraph.queries import canned_queries, queries_dir

    directory = data / "queries" if (data / "queries").is_dir() else queries_dir(bundled_data_dir())
    return canned_queries(directory)


def _parameters(query: Any, samples: dict[str, str]) -> dict[str, str]:
    """Values for a query's required parameters, taken from the corpus (manifest samples)."""
    raw: dict[str, str] = {}
    for parameter in query.parameters:
        if not parameter.required or parameter.default is not None:
            continue
        example = parameter.example or ""
        prefix = example.partition(":")[0]
        key = {"territory": "place"}.get(parameter.name, parameter.name)
        if parameter.type == "iri":
            raw[parameter.name] = samples.get(key) or samples.get(prefix) or example
        else:
            raw[parameter.name] = example
    return raw


def query_names(data: Path) -> list[str]:
    """The canned queries benchmarked one by one (the contradiction queries are run together)."""
    return sorted(name for name, query in _canned(data).items() if not query.kind)


def queries_ours(data: Path, repeat: int, samples: dict[str, str], only: str | None = None, **_: Any) -> dict[str, Any]:
    """Every canned query (or ``only`` one) through the query runner (run_query, embedded engine)."""
    from claimgraph.queries import run_query

    engine = _engine(data)
    timings: dict[str, Any] = {}
    for name, query in sorted(_canned(data).items()):
        if query.kind or (only is not None and name != only):
            continue
        raw = _parameters(query, samples)
        seconds, results = _median(functools.partial(run_query, engine, query, raw), repeat, at_least=0.5)
        timings[name] = {"seconds": seconds, "rows": len(results)}
    return {"queries": timings}


def queries_raw(data: Path, repeat: int, samples: dict[str, str], only: str | None = None, **_: Any) -> dict[str, Any]:
    """The same query texts and bindings run directly by pyoxigraph, every solution read."""
    from claimgraph.queries import bind_parameters

    store = _load(data).store
    timings: dict[str, Any] = {}
    for name, query in sorted(_canned(data).items()):
        if query.kind or (only is not None and name != only):
            continue
        bindings = bind_parameters(query, _parameters(query, samples))
        substitutions = {ox.Variable(k): v for k, v in bindings.items()} or None

        def run(text: str = query.text, subs: Any = substitutions) -> int:
            solutions = store.query(text, use_default_graph_as_union=True, substitutions=subs)
            names = [v.value for v in solutions.variables]
            return sum(1 for row in solutions for _ in [tuple(row[n] for n in names)])

        seconds, rows = _median(run, repeat, at_least=0.5)
        timings[name] = {"seconds": seconds, "rows": rows}
    return {"queries": timings}


def contradictions_ours(data: Path, repeat: int, **_: Any) -> dict[str, Any]:
    """claimgraph.queries.find_contradictions: every kind, each pair explained (claimants, sources…)."""
    from claimgraph.queries import find_contradictions

    engine = _engine(data)
    directory = next(iter(_canned(data).values())).path.parent
    seconds, found = _median(lambda: find_contradictions(engine, directory), repeat, at_least=0.5)
    kinds: dict[str, int] = {}
    for contradiction in found:
        kinds[contradiction.kind] = kinds.get(contradiction.kind, 0) + 1
    return {"seconds": seconds, "pairs": len(found), "kinds": kinds}


def contradictions_raw(data: Path, repeat: int, **_: Any) -> dict[str, Any]:
    """The contradiction query files run directly by pyoxigraph, every solution read."""
    store = _load(data).store
    queries = [q for q in _canned(data).values() if q.kind]

    def run() -> int:
        rows = 0
        for query in queries:
            solutions = store.query(query.text, use_default_graph_as_union=True)
            names = [v.value for v in solutions.variables]
            rows += sum(1 for row in solutions for _ in [tuple(row[n] for n in names)])
        return rows

    seconds, rows = _median(run, repeat, at_least=0.5)
    return {"seconds": seconds, "rows": rows}


OPERATIONS: dict[str, Callable[..., dict[str, Any]]] = {
    "load-ours": load_ours,
    "load-raw": load_raw,
    "validate-ours": validate_ours,
    "validate-pyshacl": validate_pyshacl,
    "queries-ours": queries_ours,
    "queries-raw": queries_raw,
    "contradictions-ours": contradictions_ours,
    "contradictions-raw": contradictions_raw,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("operation", choices=[*sorted(OPERATIONS), "list-queries"])
    parser.add_argument("data", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--results", type=Path, default=None, help="write validation results here (JSON)")
    parser.add_argument("--only", default=None, help="queries-*: only this canned query")
    args = parser.parse_args(argv)
    if args.operation == "list-queries":
        sys.stdout.write("\n" + json.dumps(query_names(args.data)) + "\n")
        return 0
    manifest = json.loads((args.data / "manifest.json").read_text(encoding="utf-8"))
    outcome = OPERATIONS[args.operation](
        args.data, args.repeat, out=args.results, samples=manifest["samples"], only=args.only
    )
    outcome["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stdout.write("\n" + json.dumps(outcome) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
