"""The benchmark (``python -m bench``) at a tiny size: every operation beside its baseline, and a result
that differs from its reference fails the run. No timed assertions: only that the numbers are there."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.servers import free_port

from claimgraph.project import bundled_data_dir
from claimgraph.queries.files import canned_queries, queries_dir

REPO = Path(__file__).resolve().parents[1]
SIZE = "2600"


def run_bench(out: Path, cache: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "bench",
        "--sizes",
        SIZE,
        "--repeat",
        "1",
        "--out",
        str(out),
        "--cache",
        str(cache),
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [*command, *extra], cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=900
    )


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    """One full run of every operation; its output directory and its corpus cache."""
    root = tmp_path_factory.mktemp("bench")
    done = run_bench(root / "out", root / "cache")
    return done, root / "out", root / "cache"


def rows_by_operation(out: Path) -> dict[str, dict[str, Any]]:
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return {row["operation"]: row for row in document["rows"]}


def test_bench_reports_every_operation_with_ours_baseline_ratio_and_rss(
    full_run: tuple[subprocess.CompletedProcess[str], Path, Path],
) -> None:
    done, out, _ = full_run
    assert done.returncode == 0, done.stderr[-3000:]
    rows = rows_by_operation(out)
    queries = {f"query {name}" for name, q in canned_queries(queries_dir(bundled_data_dir())).items() if not q.kind}
    incremental = "incremental validate (one article changed)"  # its baseline runs in the same process
    expected = {"load", "validate", incremental, "contradictions (all kinds, explained)", "export", "network build"}
    expected |= queries
    assert expected <= set(rows)
    for operation in expected:
        row = rows[operation]
        for key in ("ours", "baseline", "ratio", "ours_rss_mb", "baseline_rss_mb"):
            if (operation, key) != (incremental, "baseline_rss_mb"):
                assert isinstance(row[key], float) and row[key] > 0, (operation, key, row[key])
        assert row["failed"] is False and "FAILED" not in row["note"], (operation, row["note"])
    assert "= manifest" in rows["validate"]["note"] and "results identical to pySHACL" in rows["validate"]["note"]
    markdown = (out / "results.md").read_text(encoding="utf-8")
    assert markdown.startswith("# claimgraph benchmark")
    assert all(f"| {operation} |" in markdown for operation in expected)


def test_bench_fails_when_validation_results_differ_from_the_manifest(
    full_run: tuple[subprocess.CompletedProcess[str], Path, Path], tmp_path: Path
) -> None:
    _, _, cache = full_run
    shutil.copytree(cache, tmp_path / "cache")
    (manifest_path,) = (tmp_path / "cache").glob("*/manifest.json")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    dropped = manifest["expected_results"].pop()  # the reference now misses a result the validator finds
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")

    done = run_bench(tmp_path / "out", tmp_path / "cache", "--operations", "validate")

    assert done.returncode == 1, done.stdout[-2000:]
    assert f"FAILED (results differ from the reference, or stopped): {SIZE} validate" in done.stderr, dropped
    rows = rows_by_operation(tmp_path / "out")
    assert set(rows) == {"validate"}
    assert rows["validate"]["failed"] is True
    assert rows["validate"]["note"].startswith("FAILED: ") and "DIFFER from manifest" in rows["validate"]["note"]
    assert isinstance(rows["validate"]["ours"], float)  # the figures are still written


def test_bench_loads_into_each_store_and_runs_validate_and_contradictions_through_its_endpoint(
    tmp_path: Path,
) -> None:
    operations = ("--operations", "load,validate,contradictions")
    done = run_bench(tmp_path / "out", tmp_path / "cache", *operations, "--stores", "oxigraph,virtuoso")
    assert done.returncode == 0, done.stderr[-3000:]
    rows = rows_by_operation(tmp_path / "out")
    for label, method in (("Oxigraph server", "oxigraph-bulk"), ("Virtuoso 7", "virtuoso-bulk")):
        load = rows[f"load into {label} (load --method {method})"]
        validate = rows[f"validate --endpoint ({label})"]
        fetched = rows[f"validate --endpoint --fetch ({label})"]
        contradictions = rows[f"contradictions --endpoint ({label})"]
        for row in (load, validate, fetched, contradictions):
            assert isinstance(row["ours"], float) and isinstance(row["baseline"], float), row
            assert row["failed"] is False, row["note"]
        assert re.match(r"[0-9,]+ triples in [0-9,]+ graphs, [0-9,]+ triples/s \(read files", load["note"])
        assert load["note"].endswith("counts checked")
        assert validate["note"].endswith("= embedded (file, line aside); validated inside the store")
        assert fetched["note"].endswith("= embedded (file, line aside); validated after a fetch")
        assert re.fullmatch(r"\d+ pairs, = embedded; embedded find_contradictions alone .*", contradictions["note"])


def test_bench_store_rows_are_those_of_the_operations_asked_for(tmp_path: Path) -> None:
    # 10M: the load into each store alone, without hours of validation through its endpoint.
    done = run_bench(tmp_path / "out", tmp_path / "cache", "--operations", "load", "--stores", "oxigraph")
    assert done.returncode == 0, done.stderr[-3000:]
    rows = rows_by_operation(tmp_path / "out")
    loaded = "load into Oxigraph server (load --method oxigraph-bulk)"
    assert set(rows) == {"generate corpus (claimgraph synth)", "load", loaded}
    assert rows[loaded]["note"].endswith("counts checked")


def test_a_store_operation_that_stops_is_a_failed_row_and_the_rows_before_it_are_kept(tmp_path: Path) -> None:
    """At 10M Virtuoso stopped operations with its own errors (row cap, query limits), and the run
    ended without a table. Here contradictions --endpoint is sent to a port nothing listens on."""
    from bench.remote import bench_store
    from bench.run import corpus, run_op

    data, manifest, _ = corpus(int(SIZE), 1, tmp_path)
    closed = f"http://127.0.0.1:{free_port()}/sparql"

    def run(operation: str, *args: Any, **kwargs: Any) -> Any:
        if operation == "store-contradictions":
            kwargs["store"] = json.dumps({**json.loads(kwargs["store"]), "query": closed})
        return run_op(operation, *args, **kwargs)

    rows: dict[str, tuple[Any, ...]] = {}

    def row(operation: str, ours: Any, baseline: Any, name: str, note: str = "", *, failed: bool = False) -> None:
        rows[operation] = (ours, baseline, note, failed)

    embedded = {f"{op}-full": run_op(f"{op}-full", data, repeat=1) for op in ("validate", "contradictions")}
    bench_store("oxigraph", data, manifest["triples"], run, row, embedded)

    assert list(rows) == [
        "load into Oxigraph server (load --method oxigraph-bulk)",
        "validate --endpoint (Oxigraph server)",
        "validate --endpoint --fetch (Oxigraph server)",
        "contradictions --endpoint (Oxigraph server)",
    ]
    *kept, (ours, baseline, note, failed) = rows.values()
    assert all(not f and isinstance(o, dict) for o, _, _, f in kept)
    assert failed and ours is None and baseline == embedded["contradictions-full"]
    assert note.startswith("claimgraph.errors.EndpointConnectionError") and closed in note, note
