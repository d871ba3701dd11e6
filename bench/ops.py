"""One benchmarked operation per process: ``python -m bench.ops OPERATION DATA_DIR [OUT_JSON]``.

Each operation runs in a fresh interpreter so that its peak resident set size (``ru_maxrss``) is its
own. What is timed is the operation alone (medians of ``--repeat`` runs), not the interpreter start
or, for operations on a loaded dataset, the load that precedes them. The process prints one JSON
object on its last line of standard output.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
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


def _fingerprint(lines: Any) -> str:
    """A digest of a result as a multiset of lines, so ours and the baseline compare in any order."""
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def _cell(term: Any) -> str:
    """A result term as text; a ``"; "``-joined list (GROUP_CONCAT, whose order SPARQL leaves open and
    Oxigraph varies from process to process) with its items sorted."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal) and "; " in term.value:
        items = "; ".join(sorted(term.value.split("; ")))
        if term.language:
            return str(ox.Literal(items, language=term.language))
        return str(ox.Literal(items, datatype=term.datatype))
    return str(term)


def _row_line(row: Any) -> str:
    return "\t".join(map(_cell, row))


def _files(data: Path) -> list[Path]:
    from claimgraph.io.dataset import data_files

    return data_files(data / "ontology") + data_files(data / "graph")


def _load(data: Path) -> Any:
    from claimgraph.io.dataset import load_dataset

    return load_dataset(data)


def _warm_up() -> None:
    """Import what the timed calls import lazily, so no run pays for imports."""
    import pyshacl  # noqa: F401
    import rdflib
    import rdflib.plugins.sparql  # noqa: F401


def load_ours(data: Path, repeat: int, **_: Any) -> dict[str, Any]:
    """claimgraph.io.dataset.load_dataset, timed after one untimed load, as the baseline's ``Store.load``
    runs are timed after its ``bulk_load`` runs: no timed run pays for imports or a cold heap. The
    derived graph's computation (part of the load) is timed on its own too."""
    _load(data)
    seconds, dataset = _median(lambda: _load(data), repeat)
    # The derived graph alone, as the load computes it (dropped and recomputed): its share of the load.
    derived, _ = _median(dataset.refresh_derived, repeat)
    return {"seconds": seconds, "quads": len(dataset.store), "derived_seconds": derived}


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
    from claimgraph.validation.api import validate

    _warm_up()
    dataset = _load(data)
    seconds, report = _median(lambda: validate(dataset), repeat)
    _results_file(report.results, out)
    return {"seconds": seconds, "results": len(report.results), "delegated": sorted(report.delegated)}


def validate_pyshacl(data: Path, repeat: int, out: Path | None = None, **_: Any) -> dict[str, Any]:
    """pySHACL on an rdflib in-memory graph holding the same union (built before the clock starts)."""
    from claimgraph.terms import to_rdflib
    from claimgraph.validation.api import validate

    _warm_up()
    dataset = _load(data)
    start = time.perf_counter()
    graph = to_rdflib(dataset.store)
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
    from claimgraph.sparql.engines import EmbeddedEngine

    return EmbeddedEngine(_load(data))


def _canned(data: Path) -> dict[str, Any]:
    from claimgraph.project import bundled_data_dir
    from claimgraph.queries.files import canned_queries, queries_dir

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
    from claimgraph.queries.files import run_query

    engine = _engine(data)
    timings: dict[str, Any] = {}
    for name, query in sorted(_canned(data).items()):
        if query.kind or (only is not None and name != only):
            continue
        raw = _parameters(query, samples)
        seconds, results = _median(functools.partial(run_query, engine, query, raw), repeat, at_least=0.5)
        timings[name] = {
            "seconds": seconds,
            "rows": len(results),
            "fingerprint": _fingerprint(map(_row_line, results.rows)),
        }
    return {"queries": timings}


def queries_raw(data: Path, repeat: int, samples: dict[str, str], only: str | None = None, **_: Any) -> dict[str, Any]:
    """The same query texts and bindings run directly by pyoxigraph, every solution read."""
    from claimgraph.queries.files import bind_parameters

    store = _load(data).store
    timings: dict[str, Any] = {}
    for name, query in sorted(_canned(data).items()):
        if query.kind or (only is not None and name != only):
            continue
        bindings = bind_parameters(query, _parameters(query, samples))
        substitutions = {ox.Variable(k): v for k, v in bindings.items()} or None

        def run(text: str = query.text, subs: Any = substitutions) -> list[tuple[Any, ...]]:
            # A solution iterates over its values in variable order: the fastest way to read them.
            return [tuple(row) for row in store.query(text, use_default_graph_as_union=True, substitutions=subs)]

        seconds, rows = _median(run, repeat, at_least=0.5)
        timings[name] = {"seconds": seconds, "rows": len(rows), "fingerprint": _fingerprint(map(_row_line, rows))}
    return {"queries": timings}


def contradictions_ours(data: Path, repeat: int, **_: Any) -> dict[str, Any]:
    """claimgraph.queries.find_contradictions: every kind, each pair explained (claimants, sources…)."""
    return contradictions_result(_engine(data), data, repeat)


def contradictions_result(engine: Any, data: Path, repeat: int) -> dict[str, Any]:
    """find_contradictions through ``engine`` (embedded or remote): time, pairs, kinds, a digest of the pairs."""
    from claimgraph.queries.contradictions import find_contradictions

    directory = next(iter(_canned(data).values())).path.parent
    seconds, found = _median(lambda: find_contradictions(engine, directory), repeat, at_least=0.5)
    kinds: dict[str, int] = {}
    for contradiction in found:
        for kind in contradiction.kinds:
            kinds[kind] = kinds.get(kind, 0) + 1
    # One entry per pair, with every kind that found it: as the raw queries' rows, kind by kind.
    pairs = (f"{kind} {' '.join(sorted(s.claim for s in c.sides))}" for c in found for kind in c.kinds)
    return {"seconds": seconds, "pairs": len(found), "kinds": kinds, "fingerprint": _fingerprint(pairs)}


def contradictions_raw(data: Path, repeat: int, **_: Any) -> dict[str, Any]:
    """The contradiction query files run directly by pyoxigraph, every solution read."""
    store = _load(data).store
    queries = [q for q in _canned(data).values() if q.kind]

    def run() -> list[tuple[str | None, Any, Any, tuple[Any, ...]]]:
        rows = []
        for query in queries:
            solutions = store.query(query.text, use_default_graph_as_union=True)
            rows += [(query.kind, row["claim1"], row["claim2"], tuple(row)) for row in solutions]
        return rows

    seconds, rows = _median(run, repeat, at_least=0.5)
    pairs = {f"{kind} {' '.join(sorted((claim1.value, claim2.value)))}" for kind, claim1, claim2, _ in rows}
    return {"seconds": seconds, "rows": len(rows), "fingerprint": _fingerprint(pairs)}


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _quads_fingerprint(written: bytes) -> str:
    """An N-Quads export as a digest of its quads, in any order (both sides come from Oxigraph's
    writer, so a quad is the same line in each); blank nodes, if any, canonically labelled first."""
    if b"_:" not in written:
        return _fingerprint(line.decode("utf-8") for line in written.splitlines() if line)
    dataset = ox.Dataset(ox.parse(written, format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return _fingerprint(str(quad) for quad in dataset)


def export_ours(data: Path, repeat: int, **_: Any) -> dict[str, Any]:
    """claimgraph.io.export.serialize of the loaded dataset as N-Quads (sorted, canonical blank nodes)."""
    from claimgraph.io.export import serialize

    dataset = _load(data)
    seconds, written = _median(lambda: serialize(dataset, "nq"), repeat)
    rss = _maxrss_mb()  # before the check below reads the output back
    return {"seconds": seconds, "bytes": len(written), "fingerprint": _quads_fingerprint(written), "maxrss_mb": rss}


def export_raw(data: Path, repeat: int, **_: Any) -> dict[str, Any]:
    """pyoxigraph ``serialize`` of the same quads (every graph but the shapes) as N-Quads, unsorted."""
    from claimgraph.namespaces import SHAPES_GRAPH

    store = _load(data).store
    shapes = ox.NamedNode(SHAPES_GRAPH)

    def run() -> bytes:
        written = ox.serialize((q for q in store if q.graph_name != shapes), format=ox.RdfFormat.N_QUADS)
        assert written is not None
        return written

    seconds, written = _median(run, repeat)
    rss = _maxrss_mb()  # before the check below reads the output back
    return {"seconds": seconds, "bytes": len(written), "fingerprint": _quads_fingerprint(written), "maxrss_mb": rss}


def _graph_fingerprint(nodes: Any, edges: Any) -> str:
    return _fingerprint([*(f"node {n}" for n in nodes), *(f"edge {s} {o} {r}" for s, o, r in edges)])


def network_ours(data: Path, repeat: int, **_: Any) -> dict[str, Any]:
    """claimgraph.site.network.actor_graph: actors, claims, propositions and sources with typed edges."""
    from claimgraph.site.network import actor_graph

    engine = _engine(data)
    return _network_result(*_median(lambda: actor_graph(engine), repeat, at_least=0.5))


def network_raw(data: Path, repeat: int, **_: Any) -> dict[str, Any]:
    """A networkx graph built directly from pyoxigraph rows of the same queries (labels, kinds, edges)."""
    import networkx as nx

    from claimgraph.site.network import _ACTOR_EDGES, _KINDS_QUERY, _PREFIXES, NODE_KINDS

    store = _load(data).store
    label_query = "SELECT ?x ?label WHERE { ?x rdfs:label ?label FILTER(isIRI(?x)) }"
    by_class = {iri: kind for kind, iri in NODE_KINDS.items()}
    order = list(NODE_KINDS)

    def select(query: str) -> Any:
        return store.query(_PREFIXES + query, use_default_graph_as_union=True)

    def build() -> Any:
        names = {row["x"].value: row["label"].value for row in select(label_query)}
        kinds: dict[str, str] = {}
        for row in select(_KINDS_QUERY):
            node, kind = row["x"].value, by_class[row["class"].value]
            if node not in kinds or order.index(kind) < order.index(kinds[node]):
                kinds[node] = kind
        graph = nx.MultiDiGraph()
        graph.add_nodes_from(
            (n, {"kind": k, "label": names.get(n, n)}) for n, k in kinds.items() if k in ("claim", "actor")
        )
        for relation, query in _ACTOR_EDGES:
            for row in select(query):
                source, target = row["s"].value, row["o"].value
                if source in kinds and target in kinds:
                    for node in (source, target):
                        if node not in graph:
                            graph.add_node(node, kind=kinds[node], label=names.get(node, node))
                    key = relation + "".join(f":{row[n].value}" for n in ("via", "order") if row[n] is not None)
                    graph.add_edge(source, target, key=key, relation=relation)
        return graph

    return _network_result(*_median(build, repeat, at_least=0.5))


def _network_result(seconds: float, graph: Any) -> dict[str, Any]:
    edges = [(s, o, attributes["relation"]) for s, o, attributes in graph.edges(data=True)]
    return {
        "seconds": seconds,
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "fingerprint": _graph_fingerprint(graph.nodes, edges),
    }


def validate_incremental(data: Path, repeat: int, **_: Any) -> dict[str, Any]:
    """``validate --changed-since HEAD`` after one quote of one article changed (in a git copy of the corpus).

    Untimed: copying the corpus, committing it, and a first run that builds the index (as a previous
    run would have). Timed: the incremental validation alone. Then a full run (load and validate) of
    the changed corpus, which gives the baseline and checks the results on the affected nodes.
    """
    import shutil
    import subprocess
    import tempfile

    from claimgraph.validation.api import validate
    from claimgraph.validation.incremental import changes_since, validate_changes

    _warm_up()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus"
        shutil.copytree(data / "ontology", root / "ontology")
        shutil.copytree(data / "graph", root / "graph")
        git = ["git", "-c", "user.email=bench@example.org", "-c", "user.name=bench"]
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
            subprocess.run([*git, *args], cwd=root, check=True, capture_output=True)
        start = time.perf_counter()
        validate_changes(root, changes=changes_since(root, "HEAD"))
        index_build = time.perf_counter() - start
        articles = sorted((root / "graph").glob("article-*.trig"))
        article = articles[len(articles) // 2]
        text = article.read_text(encoding="utf-8")
        article.write_text(text.replace('oa:exact "', 'oa:exact "Changed: ', 1), encoding="utf-8")
        seconds, outcome = _median(lambda: validate_changes(root, changes=changes_since(root, "HEAD")), repeat)
        start = time.perf_counter()
        full = validate(_load(root))
        full_seconds = time.perf_counter() - start
    affected = outcome.affected or frozenset()
    same = sorted(outcome.report.results) == sorted(r for r in full.results if r.focus in affected)
    return {
        "seconds": seconds,
        "full_seconds": full_seconds,
        "index_build_seconds": index_build,
        "affected": len(affected),
        "loaded_files": outcome.loaded_files,
        "corpus_files": outcome.corpus_files,
        "results": len(outcome.report.results),
        "same_as_full_run": same and outcome.affected is not None,
    }


OPERATIONS: dict[str, Callable[..., dict[str, Any]]] = {
    "load-ours": load_ours,
    "load-raw": load_raw,
    "validate-ours": validate_ours,
    "validate-pyshacl": validate_pyshacl,
    "queries-ours": queries_ours,
    "queries-raw": queries_raw,
    "contradictions-ours": contradictions_ours,
    "contradictions-raw": contradictions_raw,
    "export-ours": export_ours,
    "export-raw": export_raw,
    "network-ours": network_ours,
    "network-raw": network_raw,
    "validate-incremental": validate_incremental,
}


def _operations() -> dict[str, Callable[..., dict[str, Any]]]:
    from bench.remote import OPERATIONS as STORE_OPERATIONS

    return {**OPERATIONS, **STORE_OPERATIONS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    operations = _operations()
    parser.add_argument("operation", choices=[*sorted(operations), "list-queries"])
    parser.add_argument("data", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--results", type=Path, default=None, help="write validation results here (JSON)")
    parser.add_argument("--only", default=None, help="queries-*: only this canned query")
    parser.add_argument("--store", default=None, help="store-*: how to reach the store (JSON, from bench.remote)")
    args = parser.parse_args(argv)
    if args.operation == "list-queries":
        sys.stdout.write("\n" + json.dumps(query_names(args.data)) + "\n")
        return 0
    manifest = json.loads((args.data / "manifest.json").read_text(encoding="utf-8"))
    outcome = operations[args.operation](
        args.data, args.repeat, out=args.results, samples=manifest["samples"], only=args.only, store=args.store
    )
    outcome.setdefault("maxrss_mb", _maxrss_mb())
    sys.stdout.write("\n" + json.dumps(outcome) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
