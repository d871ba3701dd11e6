"""Run the benchmark: for each corpus size, every operation beside its baseline, in the same run.

    python -m bench --sizes 10k,100k,1M

For each size a synthetic corpus is generated (``claimgraph.synth``, cached under ``bench/.data``),
then each operation and its baseline run in a process of their own (``bench.ops``), so each reports
its own time (median of ``--repeat`` runs, the operation alone) and its own peak RSS:

- load: ``claimgraph.io.dataset.load_dataset`` vs raw pyoxigraph ``Store.load`` of the same files (the
  faster of ``Store.load`` and ``Store.bulk_load``, both recorded); the derived graph's computation, part
  of the load, is timed alone too (its share of the load);
- validate: the default engine vs pySHACL on an rdflib in-memory graph of the same union, at the sizes
  where pySHACL finishes within ``--pyshacl-timeout`` (it is not tried on larger sizes once it has not
  finished); the two result sets are compared, and ours against the corpus manifest;
- every canned query (``queries/*.rq`` but the contradiction ones) through the query runner vs the
  same text and bindings run directly by pyoxigraph;
- contradictions: ``find_contradictions`` (every kind, each pair once, explained, reasons with their
  chains) vs the contradiction query files run directly by pyoxigraph (their pairs, kind by kind);
- incremental validate: ``validate --changed-since HEAD`` after one article changed vs a full load and
  validation of the changed corpus (``bench.ops validate-incremental``);
- export: ``claimgraph.io.export.serialize`` as N-Quads (sorted, blank nodes canonical) vs pyoxigraph
  ``serialize`` of the same quads;
- network build: ``claimgraph.site.network.actor_graph`` vs a networkx graph built directly from pyoxigraph
  rows of the same queries.

With ``--stores oxigraph,virtuoso`` each corpus is also loaded into each store on loopback and
``validate --endpoint`` and ``contradictions --endpoint`` run through it (``bench.remote``).

Each operation's result is checked against its reference in the same run (validation: the corpus
manifest and pySHACL; everything else: the baseline's result, compared as a digest). A mismatch is
marked FAILED in the table and makes the run exit with status 1, as does a store operation that stopped
with an error (its last line in the note); timings never do.

Results go to ``results.md`` (a table) and ``results.json`` in ``--out`` (default: ``bench/``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIZES = {"k": 1_000, "m": 1_000_000}
#: The operations in the order they run (``--operations`` picks some).
OPERATIONS = ("load", "validate", "incremental", "queries", "contradictions", "export", "network")


def parse_size(text: str) -> int:
    """``10k`` -> 10000, ``1M`` -> 1000000, ``2500`` -> 2500."""
    text = text.strip().lower()
    if text and text[-1] in SIZES:
        return int(float(text[:-1]) * SIZES[text[-1]])
    return int(text)


def size_label(triples: int) -> str:
    if triples >= 1_000_000 and triples % 1_000_000 == 0:
        return f"{triples // 1_000_000}M"
    if triples >= 1_000 and triples % 1_000 == 0:
        return f"{triples // 1_000}k"
    return str(triples)


@dataclass
class Row:
    """One line of the table."""

    size: str
    triples: int
    operation: str
    ours: float | None
    baseline: float | None
    baseline_name: str
    ours_rss_mb: float | None = None
    baseline_rss_mb: float | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    failed: bool = False

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.baseline:
            return None
        return self.ours / self.baseline


def run_op(
    operation: str,
    data: Path,
    *,
    repeat: int,
    timeout: float | None = None,
    results: Path | None = None,
    only: str | None = None,
    store: str | None = None,
) -> Any:
    """Run one operation in its own process; None if it did not finish within ``timeout``."""
    command = [sys.executable, "-m", "bench.ops", operation, str(data), "--repeat", str(repeat)]
    if results is not None:
        command += ["--results", str(results)]
    if only is not None:
        command += ["--only", only]
    if store is not None:
        command += ["--store", store]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT, check=False)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        raise RuntimeError(f"{operation} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def corpus(triples: int, seed: int, cache: Path) -> tuple[Path, dict[str, Any], float | None]:
    """The corpus of about ``triples`` triples (generated unless cached); its manifest; generation time."""
    from claimgraph.project import bundled_data_dir
    from claimgraph.synth import CONTRADICTION_KINDS, claims_for_triples, generate

    claims = claims_for_triples(triples)
    directory = cache / f"{size_label(triples)}-seed{seed}"
    manifest_path = directory / "manifest.json"
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        # A corpus of an older generator (other kinds planted), or with a copy of an older ontology or
        # shapes, is generated again.
        copied = {f.name: f.read_bytes() for f in (directory / "ontology").glob("*.ttl")}
        bundled = {f.name: f.read_bytes() for f in (bundled_data_dir() / "ontology").glob("*.ttl")}
        current = set(manifest.get("contradictions", {})) == set(CONTRADICTION_KINDS) and copied == bundled
        if manifest.get("claims") == claims and manifest.get("seed") == seed and current:
            return directory, manifest, None
    start = time.perf_counter()
    generate(directory, claims=claims, seed=seed)
    seconds = time.perf_counter() - start
    return directory, json.loads(manifest_path.read_text(encoding="utf-8")), seconds


def bench_size(triples: int, args: argparse.Namespace, state: dict[str, Any]) -> list[Row]:
    label = size_label(triples)
    data, manifest, generated = corpus(triples, args.seed, args.cache)
    quads = manifest["triples"]
    print(
        f"[{label}] corpus: {data} ({quads} triples written, {manifest['claims']} claims"
        + (f", generated in {generated:.1f} s" if generated is not None else ", cached")
        + ")",
        flush=True,
    )
    rows: list[Row] = []

    def row(
        operation: str,
        ours: dict[str, Any] | None,
        baseline: dict[str, Any] | None,
        name: str,
        note: str = "",
        *,
        failed: bool = False,
        **extra: Any,
    ) -> Row:
        if failed:
            note = f"FAILED: {note}"
        r = Row(
            label,
            quads,
            operation,
            None if ours is None else ours["seconds"],
            None if baseline is None else baseline["seconds"],
            name,
            None if ours is None else ours["maxrss_mb"],
            None if baseline is None else baseline["maxrss_mb"],
            note,
            extra,
            failed,
        )
        rows.append(r)
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "-"
        print(f"[{label}] {operation}: ours {r.ours} s, {name} {r.baseline} s, ratio {ratio} {note}", flush=True)
        return r

    if generated is not None:
        rows.append(
            Row(
                label,
                quads,
                "generate corpus (claimgraph synth)",
                generated,
                None,
                "-",
                note=f"{manifest['claims']} claims, {manifest['counts']['documents']} documents",
            )
        )

    repeat = args.repeat
    if "load" in args.operations:
        ours = run_op("load-ours", data, repeat=repeat)
        raw = run_op("load-raw", data, repeat=repeat)
        assert ours is not None and raw is not None
        share = ours["derived_seconds"] / ours["seconds"]
        row(
            "load",
            ours,
            raw,
            "pyoxigraph Store.load per file",
            extra_note(raw, "bulk_load_seconds", "Store.bulk_load per file: {:.2f} s")
            + f"; graph:derived computed in {ours['derived_seconds']:.3f} s ({share:.1%} of ours)",
            derived_seconds=ours["derived_seconds"],
            derived_share=share,
        )

    if "validate" in args.operations:
        with tempfile.TemporaryDirectory() as tmp:
            ours_results, ref_results = Path(tmp) / "ours.json", Path(tmp) / "ref.json"
            ours = run_op("validate-ours", data, repeat=repeat, results=ours_results)
            assert ours is not None
            expected = sorted(tuple(r) for r in manifest["expected_results"])
            found = sorted((r[0], r[1], r[2]) for r in json.loads(ours_results.read_text(encoding="utf-8")))
            failed = found != expected
            notes = [f"{ours['results']} results, " + ("DIFFER from manifest" if failed else "= manifest")]
            if ours["delegated"]:
                notes.append(f"delegated to pySHACL: {ours['delegated']}")
            reference = None
            # pySHACL's time grows at least linearly: a size where that already predicts the timeout is skipped.
            predicted = (
                state["pyshacl_seconds"] * quads / state["pyshacl_triples"] if "pyshacl_seconds" in state else 0.0
            )
            if state.get("pyshacl_stopped"):
                stopped = state["pyshacl_stopped"]
                notes.append(f"pySHACL not run (did not finish within {args.pyshacl_timeout:.0f} s at {stopped})")
            elif predicted > args.pyshacl_timeout:
                notes.append(
                    f"pySHACL not run: {state['pyshacl_seconds']:.0f} s at {state['pyshacl_label']} predicts "
                    f"≥ {predicted:.0f} s here, over the {args.pyshacl_timeout:.0f} s limit"
                )
            else:
                reference = run_op(
                    "validate-pyshacl", data, repeat=1, timeout=args.pyshacl_timeout, results=ref_results
                )
                if reference is None:
                    state["pyshacl_stopped"] = label
                    notes.append(f"pySHACL did not finish within {args.pyshacl_timeout:.0f} s (stopped)")
                else:
                    state.update(pyshacl_seconds=reference["seconds"], pyshacl_triples=quads, pyshacl_label=label)
                    same = json.loads(ref_results.read_text(encoding="utf-8")) == json.loads(
                        ours_results.read_text(encoding="utf-8")
                    )
                    failed = failed or not same
                    notes.append("results identical to pySHACL" if same else "RESULTS DIFFER from pySHACL")
                    notes.append(f"pySHACL's rdflib graph built in {reference['conversion']:.1f} s (not counted)")
            row("validate", ours, reference, "pySHACL on rdflib in-memory graph", "; ".join(notes), failed=failed)

    if "incremental" in args.operations:
        inc = run_op("validate-incremental", data, repeat=repeat)
        assert inc is not None
        same = inc["same_as_full_run"]
        row(
            "incremental validate (one article changed)",
            inc,
            {"seconds": inc["full_seconds"], "maxrss_mb": None},
            "full load + validate of the changed corpus",
            f"{inc['affected']} affected nodes, {inc['loaded_files']} of {inc['corpus_files']} files loaded, "
            + ("results = the full run's on them" if same else "results DIFFER from the full run's")
            + f"; index built by a first run in {inc['index_build_seconds']:.1f} s (not counted); "
            "peak RSS includes the full run",
            failed=not same,
        )

    if "queries" in args.operations:
        # Each canned query in a process of its own, under --query-timeout (ours and the baseline alike).
        names = run_op("list-queries", data, repeat=1)
        for name in names:
            timings = []
            for operation in ("queries-ours", "queries-raw"):
                outcome = run_op(operation, data, repeat=repeat, timeout=args.query_timeout, only=name)
                timings.append(
                    None if outcome is None else {**outcome["queries"][name], "maxrss_mb": outcome["maxrss_mb"]}
                )
            o, b = timings
            note = f"{o['rows']} rows" if o is not None else f"did not finish within {args.query_timeout:.0f} s"
            if b is None:
                note += f"; baseline did not finish within {args.query_timeout:.0f} s"
            row(f"query {name}", o, b, "pyoxigraph Store.query, same text", note, failed=differ(o, b, "rows"))

    if "contradictions" in args.operations:
        ours_c = run_op("contradictions-ours", data, repeat=repeat, timeout=args.query_timeout)
        raw_c = run_op("contradictions-raw", data, repeat=repeat, timeout=args.query_timeout)
        planted = {k: len(v) for k, v in manifest["contradictions"].items()}
        note = (
            f"{ours_c['pairs']} pairs, by every kind that found them {ours_c['kinds']}; planted {planted}"
            if ours_c is not None
            else f"did not finish within {args.query_timeout:.0f} s"
        )
        row(
            "contradictions (all kinds, explained)",
            ours_c,
            raw_c,
            f"pyoxigraph Store.query of the {len(planted)} query files",
            note,
            failed=differ(ours_c, raw_c, "pairs", "rows"),
        )

    if "export" in args.operations:
        ours_e = run_op("export-ours", data, repeat=repeat)
        raw_e = run_op("export-raw", data, repeat=repeat)
        assert ours_e is not None and raw_e is not None
        row(
            "export",
            ours_e,
            raw_e,
            "pyoxigraph serialize, same quads unsorted",
            f"N-Quads, {ours_e['bytes']:,} bytes; ours sorted, blank nodes canonical; quads compared",
            failed=differ(ours_e, raw_e, "bytes"),
        )

    if "network" in args.operations:
        ours_n = run_op("network-ours", data, repeat=repeat)
        raw_n = run_op("network-raw", data, repeat=repeat)
        assert ours_n is not None and raw_n is not None
        row(
            "network build",
            ours_n,
            raw_n,
            "networkx from raw pyoxigraph rows",
            f"{ours_n['nodes']} nodes, {ours_n['edges']} edges",
            failed=differ(ours_n, raw_n, "nodes"),
        )

    if args.stores:
        from bench.remote import bench_store

        embedded = {
            f"{operation}-full": run_op(f"{operation}-full", data, repeat=1)
            for operation in ("validate", "contradictions")
            if operation in args.operations
        }
        for store in args.stores:
            bench_store(store, data, quads, run_op, row, embedded)

    return rows


def differ(ours: dict[str, Any] | None, baseline: dict[str, Any] | None, key: str, baseline_key: str = "") -> bool:
    """Whether two finished runs gave different results (their digests, or ``key`` counts if no digest)."""
    if ours is None or baseline is None:
        return False
    if "fingerprint" in ours and "fingerprint" in baseline:
        return bool(ours["fingerprint"] != baseline["fingerprint"])
    return bool(ours[key] != baseline[baseline_key or key])


def extra_note(outcome: dict[str, Any], key: str, template: str) -> str:
    return template.format(outcome[key]) if key in outcome else ""


def fmt(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "—"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.{digits}f}"


def fmt_ratio(ratio: float | None) -> str:
    """ours / baseline, with the speed-up when ours is more than twice as fast."""
    if ratio is None:
        return "—"
    if ratio < 0.5:
        return f"{ratio:.2g} ({1 / ratio:.0f}x faster)"
    return f"{ratio:.2f}"


def markdown(rows: list[Row], meta: dict[str, Any]) -> str:
    lines = [
        "# claimgraph benchmark",
        "",
        f"Generated by `python -m bench` on {meta['date']} — {meta['machine']}.",
        f"Python {meta['python']}, pyoxigraph {meta['pyoxigraph']}, rdflib {meta['rdflib']}, "
        f"pySHACL {meta['pyshacl']}. Seed {meta['seed']}; times are medians of {meta['repeat']} runs of the "
        "operation alone (load excluded for operations on a loaded dataset), each operation in a process of its "
        "own; peak RSS is that process's `ru_maxrss`. Ratio = ours / baseline (below 1: ours is faster).",
        "",
        "| size | operation | ours (s) | baseline (s) | baseline | ratio | ours peak RSS (MB) | baseline peak RSS (MB) "
        "| note |",
        "|---|---|---:|---:|---|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.size} ({r.triples:,} triples) | {r.operation} | {fmt(r.ours)} | {fmt(r.baseline)} | "
            f"{r.baseline_name} | {fmt_ratio(r.ratio)} | {fmt(r.ours_rss_mb, 0)} | {fmt(r.baseline_rss_mb, 0)} | "
            f"{r.note} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10k,100k,1M", help="corpus sizes in triples (default: 10k,100k,1M)")
    parser.add_argument(
        "--operations",
        default=",".join(OPERATIONS),
        help=f"which operations to run, comma-separated (default: all of {','.join(OPERATIONS)})",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs per operation, the median is reported")
    parser.add_argument("--pyshacl-timeout", type=float, default=600.0, help="seconds (default 600)")
    parser.add_argument(
        "--query-timeout", type=float, default=180.0, help="seconds per query process, all its runs (default 180)"
    )
    parser.add_argument(
        "--stores",
        default="",
        help="also load each corpus into these stores on loopback and run validate and contradictions (those"
        " of --operations) through their endpoints (oxigraph,virtuoso; default: none)",
    )
    parser.add_argument("--out", type=Path, default=HERE, help="directory for results.md and results.json")
    parser.add_argument("--cache", type=Path, default=HERE / ".data", help="where corpora are generated")
    parser.add_argument(
        "--render",
        type=Path,
        default=None,
        metavar="RESULTS_JSON",
        help="only write results.md again from a results.json",
    )
    args = parser.parse_args(argv)
    args.operations = [o.strip() for o in args.operations.split(",") if o.strip()]
    from bench.remote import STORES

    args.stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    if unknown_stores := sorted(set(args.stores) - set(STORES)):
        parser.error(f"unknown store(s) {', '.join(unknown_stores)}; known: {', '.join(STORES)}")
    unknown = sorted(set(args.operations) - set(OPERATIONS))
    if unknown:
        parser.error(f"unknown operation(s) {', '.join(unknown)}; known: {', '.join(OPERATIONS)}")
    if args.render is not None:
        document = json.loads(args.render.read_text(encoding="utf-8"))
        fields = {f for f in Row.__dataclass_fields__}
        stored = [Row(**{k: v for k, v in row.items() if k in fields}) for row in document["rows"]]
        (args.out / "results.md").write_text(markdown(stored, document["meta"]), encoding="utf-8")
        print(f"wrote {args.out / 'results.md'}")
        return 0
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    import pyoxigraph
    import pyshacl
    import rdflib

    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "rdflib": rdflib.__version__,
        "pyshacl": pyshacl.__version__,
        "seed": args.seed,
        "repeat": args.repeat,
        "sizes": [size_label(s) for s in sizes],
        "stores": args.stores,
    }
    state: dict[str, Any] = {}
    rows: list[Row] = []
    for triples in sorted(sizes):
        rows.extend(bench_size(triples, args, state))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(markdown(rows, meta), encoding="utf-8")
    document = {"meta": meta, "rows": [{**asdict(r), "ratio": r.ratio} for r in rows]}
    (args.out / "results.json").write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out / 'results.md'} and {args.out / 'results.json'}")
    failed = [f"{r.size} {r.operation}" for r in rows if r.failed]
    if failed:
        print(f"FAILED (results differ from the reference, or stopped): {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
