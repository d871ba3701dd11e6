"""``claimgraph load``: real Oxigraph and Virtuoso servers on loopback, faults injected by a proxy or a kill.

A store starts with an "old" version of every graph (half its triples plus a marker) and a graph the
dataset does not have; after a load every target graph must equal the dataset's ("new"), the other
graph must be untouched and no staging graph left. After a fault each target graph must hold exactly
its old or its new content, never a mix, and a re-run must complete.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from helpers.faults import Fault, FaultProxy
from helpers.servers import OxigraphServer, VirtuosoServer

from claimgraph.cli import main
from claimgraph.errors import EndpointError, LoadError
from claimgraph.io.dataset import load_dataset
from claimgraph.io.export import canonical_quads, dataset_quads
from claimgraph.sparql.engines import QueryResults
from claimgraph.sparql.results import normalise_json_results
from claimgraph.sparql.transport import Credentials, Transport
from claimgraph.stores.bulk import VirtuosoBulkLoader
from claimgraph.stores.load import STAGING_PREFIX, load_quads
from claimgraph.synth import MINIMUM_CLAIMS, claims_for_triples, generate

OTHER = "urn:test:other-tool-graph"
OLD_MARK = ox.Triple(ox.NamedNode("urn:test:old"), ox.NamedNode("urn:test:version"), ox.Literal("old"))

Content = dict[str, frozenset[ox.Quad]]


@cache
def bundled() -> tuple[ox.Quad, ...]:
    return tuple(dataset_quads(load_dataset()))


def by_graph(quads: Iterable[ox.Quad]) -> Content:
    """Quads per named graph, blank nodes canonically relabelled (RDFC-1.0) so stores can be compared."""
    graphs: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        assert isinstance(quad.graph_name, ox.NamedNode)
        graphs.setdefault(quad.graph_name.value, []).append(quad)
    return {g: frozenset(canonical_quads(qs)) for g, qs in graphs.items()}


def old_version(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Every graph with half its triples and a marker triple, plus a graph the dataset does not have."""
    old: list[ox.Quad] = []
    for graph, content in by_graph(quads).items():
        name = ox.NamedNode(graph)
        old += [*sorted(content, key=str)[: len(content) // 2], ox.Quad(*OLD_MARK, name)]
    old.append(ox.Quad(ox.NamedNode("urn:test:s"), ox.NamedNode("urn:test:p"), ox.Literal("keep"), ox.NamedNode(OTHER)))
    return old


def store_content(url: str) -> Content:
    """Every named graph of the store (Virtuoso's system graphs included), through its query endpoint."""
    query = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode({"query": query}).encode(),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        results = QueryResults.from_json(normalise_json_results(response.read()))
    quads = []
    for g, s, p, o in results.rows:
        assert isinstance(g, ox.NamedNode) and isinstance(s, ox.NamedNode | ox.BlankNode)
        assert isinstance(p, ox.NamedNode) and isinstance(o, ox.NamedNode | ox.BlankNode | ox.Literal)
        quads.append(ox.Quad(s, p, o, g))
    return by_graph(quads)


def assert_loaded(url: str, quads: Iterable[ox.Quad], *, other: frozenset[ox.Quad] | None = None) -> None:
    """The store holds exactly ``quads`` in their graphs, ``other`` untouched, no staging graph left."""
    expected = by_graph(quads)
    actual = store_content(url)
    wrong = sorted(g for g in expected if actual.get(g) != expected[g])
    assert not wrong, f"{len(wrong)} graphs differ from the dataset, first {wrong[0]}"
    assert not [g for g in actual if g.startswith(STAGING_PREFIX)]
    if other is not None:
        assert actual[OTHER] == other


def mixed_graphs(actual: Content, before: Content, loaded: Content) -> list[str]:
    """Graphs holding neither their content before the load nor the loaded one (graphs not loaded: before)."""
    mixed = []
    for graph in sorted(set(before) | set(loaded) | {g for g in actual if not g.startswith(STAGING_PREFIX)}):
        choices = [before.get(graph, frozenset())]
        if graph in loaded:
            choices.append(loaded[graph])
        if actual.get(graph, frozenset()) not in choices:
            mixed.append(graph)
    return mixed


# --- Oxigraph ---------------------------------------------------------------------------------------


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[OxigraphServer]:
    with OxigraphServer(tmp_path, old_version(bundled())) as server:
        yield server


def base(server: OxigraphServer) -> str:
    return f"http://127.0.0.1:{server.port}"


def oxigraph_options(server: OxigraphServer, *, gsp: bool = True) -> list[str]:
    options = ["--endpoint", server.url, "--update-endpoint", base(server) + "/update"]
    return options + (["--store-endpoint", base(server) + "/store"] if gsp else [])


METHOD_NAMES = {
    "update": "SPARQL Update",
    "graph-store": "Graph Store Protocol",
    "dataset": "dataset POST",
    "oxigraph-bulk": "Oxigraph bulk loader",
}


@pytest.mark.parametrize("method", sorted(METHOD_NAMES))
def test_load_replaces_every_graph_and_leaves_other_graphs_alone(oxigraph: OxigraphServer, method: str) -> None:
    other = store_content(oxigraph.url)[OTHER]
    options = [*oxigraph_options(oxigraph, gsp=method != "update"), "--method", method, "--batch-size", "300"]
    result = CliRunner().invoke(main, ["load", *options])
    assert result.exit_code == 0, result.output
    graphs = len(by_graph(bundled()))
    triples = len(bundled())
    assert result.stdout == (
        f"Loaded {triples} triples in {graphs} graphs ({METHOD_NAMES[method]}), counts checked: {oxigraph.url}\n"
    )
    # Progress, then the whole load's throughput, on standard error.
    progress = result.stderr.splitlines()
    assert progress[-2].startswith(f"load: {triples:,} of {triples:,} triples sent (100%), ")
    assert re.fullmatch(
        rf"load: {triples:,} triples in [0-9.]+ s \([0-9,]+ triples/s;"
        r" upload [0-9.]+ s, count [0-9.]+ s, swap [0-9.]+ s\)",
        progress[-1],
    )
    assert_loaded(oxigraph.url, bundled(), other=other)


@pytest.mark.parametrize("method", ["update", "dataset", "oxigraph-bulk"])
def test_graphs_are_gathered_into_batches_of_the_size_asked(oxigraph: OxigraphServer, method: str) -> None:
    progress: list[int] = []
    with FaultProxy(oxigraph.port) as proxy:
        result = load_quads(
            bundled(),
            endpoint=proxy.url("/query"),
            update_endpoint=proxy.url("/update"),
            store_endpoint=proxy.url("/store"),
            method=method,
            batch_size=500,
            progress=progress.append,
        )
        uploads = proxy.connections - 4  # staging listing, staging count, swap, final count
    assert sum(progress) == len(bundled()) == result.triples
    assert max(progress) <= 500 and len(progress) == uploads >= 6  # 2,624 triples
    # Several graphs share a request: 11 slices (8 graphs, two larger than 500) go in fewer requests, and a
    # request is closed only when the next slice would not fit.
    assert len(progress) < 11
    assert all(a + b > 500 for a, b in itertools.pairwise(progress))
    assert result.method == method
    assert_loaded(oxigraph.url, bundled())


def test_reload_drops_stale_staging_graphs_of_a_failed_run(oxigraph: OxigraphServer) -> None:
    stale = f"{STAGING_PREFIX}19700101T000000Z-dead:0"
    insert = f'INSERT DATA {{ GRAPH <{stale}> {{ <urn:test:s> <urn:test:p> "stale" }} }}'
    urllib.request.urlopen(
        urllib.request.Request(
            base(oxigraph) + "/update", data=insert.encode(), headers={"Content-Type": "application/sparql-update"}
        ),
        timeout=10,
    ).close()
    progress: list[int] = []
    load_quads(bundled(), endpoint=oxigraph.url, update_endpoint=base(oxigraph) + "/update", progress=progress.append)
    assert sum(progress) == len(bundled())
    assert_loaded(oxigraph.url, bundled())


@pytest.fixture(scope="module")
def large_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[ox.Quad]]:
    root = tmp_path_factory.mktemp("large")
    generate(root, claims=claims_for_triples(104_000), seed=7)
    quads = dataset_quads(load_dataset(root))
    assert len(quads) >= 100_000
    return root, quads


@pytest.mark.parametrize("gsp", [True, False], ids=["graph-store-protocol", "sparql-update"])
def test_large_corpus_loads_into_oxigraph(tmp_path: Path, large_corpus: tuple[Path, list[ox.Quad]], gsp: bool) -> None:
    root, quads = large_corpus
    with OxigraphServer(tmp_path, []) as server:
        result = CliRunner().invoke(main, ["load", "--data", str(root), *oxigraph_options(server, gsp=gsp)])
        assert result.exit_code == 0, result.output
        assert_loaded(server.url, quads)


def test_one_update_request_is_atomic_on_oxigraph(oxigraph: OxigraphServer) -> None:
    # What the swap relies on: a request whose last operation fails leaves no trace of the earlier ones.
    request = 'INSERT DATA { GRAPH <urn:test:a> { <urn:test:s> <urn:test:p> "x" } } ;\nCREATE GRAPH <' + OTHER + ">"
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(
            urllib.request.Request(
                base(oxigraph) + "/update", data=request.encode(), headers={"Content-Type": "application/sparql-update"}
            ),
            timeout=10,
        )
    assert "urn:test:a" not in store_content(oxigraph.url)


# --- Faults: a proxy in front of Oxigraph --------------------------------------------------------------


def requests_of_a_load(server: OxigraphServer) -> int:
    with FaultProxy(server.port) as proxy:
        load_quads(
            bundled(),
            endpoint=proxy.url("/query"),
            update_endpoint=proxy.url("/update"),
            store_endpoint=proxy.url("/store"),
            batch_size=300,
        )
        return proxy.connections


FAULT_CASES = [(fault, at) for fault in ("refuse", "500", "stall", "drop") for at in (0.1, 0.5, 0.85, 1.0)]


@pytest.mark.parametrize(("fault", "at"), FAULT_CASES, ids=[f"{f}-at-{a}" for f, a in FAULT_CASES])
def test_fault_mid_load_leaves_old_or_new_and_a_rerun_completes(
    oxigraph: OxigraphServer, fault: Fault, at: float
) -> None:
    before = store_content(oxigraph.url)
    total = requests_of_a_load(oxigraph)  # loads the new content once: put the old back
    put_back(oxigraph, before)
    after = max(0, round(total * at) - 1)  # 1.0: the last request (the final count) fails
    with FaultProxy(oxigraph.port, fault=fault, after=after) as proxy, pytest.raises(EndpointError) as failure:
        load_quads(
            bundled(),
            endpoint=proxy.url("/query"),
            update_endpoint=proxy.url("/update"),
            store_endpoint=proxy.url("/store"),
            batch_size=300,
            timeout=1,
            retries=1,
            backoff=0.01,
        )
    assert str(failure.value).startswith(f"endpoint http://127.0.0.1:{proxy.port}/")
    assert "\n" not in str(failure.value)
    actual = store_content(oxigraph.url)
    assert mixed_graphs(actual, before, by_graph(bundled())) == []
    load_quads(bundled(), endpoint=oxigraph.url, update_endpoint=base(oxigraph) + "/update")
    assert_loaded(oxigraph.url, bundled(), other=before[OTHER])


def put_back(server: OxigraphServer, content: Content) -> None:
    """Put ``content`` back into the store, graph by graph (Graph Store Protocol PUT)."""
    for graph, quads in content.items():
        body = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)
        assert body is not None
        url = f"{base(server)}/store?{urllib.parse.urlencode({'graph': graph})}"
        request = urllib.request.Request(
            url, data=body, method="PUT", headers={"Content-Type": "application/n-triples"}
        )
        urllib.request.urlopen(request, timeout=30).close()


def test_transient_errors_are_retried(oxigraph: OxigraphServer) -> None:
    with FaultProxy(oxigraph.port, fault="503", after=2, times=2) as proxy:
        load_quads(
            bundled(),
            endpoint=proxy.url("/query"),
            update_endpoint=proxy.url("/update"),
            store_endpoint=proxy.url("/store"),
            batch_size=300,
            retries=2,
            backoff=0.01,
        )
        assert proxy.faulted == 2
    assert_loaded(oxigraph.url, bundled())


def test_spent_retries_name_the_endpoint_in_one_line(oxigraph: OxigraphServer) -> None:
    with FaultProxy(oxigraph.port, fault="503", after=0) as proxy:
        result = CliRunner().invoke(
            main,
            ["load", "--endpoint", proxy.url("/query"), "--update-endpoint", proxy.url("/update"), "--retries", "1"],
        )
    assert result.exit_code == 2
    assert result.output == (
        f"Error: endpoint {proxy.url('/query')}: HTTP 503 Service Unavailable: injected fault: 503 (after 2 attempts)\n"
    )


# --- Killing the store or the client at random points (issue 8) --------------------------------------


def restart(server: OxigraphServer | VirtuosoServer) -> None:
    """Start the killed server again on its database and port (what an operator does after a crash)."""
    cwd = server.directory / "db" if isinstance(server, VirtuosoServer) else None
    server.process = subprocess.Popen(
        server.process.args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    server._wait(server.url, deadline=300)  # Virtuoso replays its transaction log first


def versions(tmp_path: Path) -> list[tuple[Path, Content]]:
    """Three small corpora whose graphs overlap by name with different content."""
    made = []
    for seed in (1, 2, 3):
        root = tmp_path / f"v{seed}"
        generate(root, claims=MINIMUM_CLAIMS, seed=seed)
        made.append((root, by_graph(dataset_quads(load_dataset(root)))))
    return made


def test_killing_store_or_client_at_random_points_never_mixes_graphs(tmp_path: Path) -> None:
    rng = random.Random(8)
    corpora = versions(tmp_path)
    iterations, kills, mixed_total = 20, {"client": 0, "store": 0}, 0
    (tmp_path / "store").mkdir()
    with OxigraphServer(tmp_path / "store", []) as server:
        command = [
            sys.executable,
            "-m",
            "claimgraph",
            "load",
            *oxigraph_options(server),
            "--retries",
            "0",
            "--timeout",
            "5",
            "--batch-size",
            "200",
        ]
        started = time.monotonic()
        subprocess.run([*command, "--data", str(corpora[0][0])], check=True, capture_output=True)
        duration = time.monotonic() - started
        state = store_content(server.url)
        for iteration in range(iterations):
            root, loaded = corpora[(iteration + 1) % len(corpora)]
            victim = rng.choice(["client", "store"])
            client = subprocess.Popen(
                [*command, "--data", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            time.sleep(rng.uniform(0.3, 1.1) * duration)
            if client.poll() is None:
                kills[victim] += 1
                if victim == "client":
                    client.send_signal(signal.SIGKILL)
                    time.sleep(duration)  # its last request may still be running in the store: let it end
                else:
                    server.kill()
            client.wait()
            if server.process.poll() is not None:
                restart(server)
            actual = store_content(server.url)
            mixed = mixed_graphs(actual, state, loaded)
            mixed_total += len(mixed)
            assert not mixed, f"iteration {iteration} ({victim} killed): mixed graphs {mixed[:3]}"
            state = {g: c for g, c in actual.items() if not g.startswith(STAGING_PREFIX)}
        root, loaded = corpora[0]
        subprocess.run([*command, "--data", str(root)], check=True, capture_output=True)
        assert_loaded(server.url, [q for c in loaded.values() for q in c])
    summary = f"{iterations} iterations, kills {kills}, mixed graphs {mixed_total}"
    print(summary)
    assert kills["client"] + kills["store"] >= iterations // 2, summary


# --- Virtuoso ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    with VirtuosoServer(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


def virtuoso_load(server: VirtuosoServer, quads: Iterable[ox.Quad], *, gsp: bool, batch_size: int = 1_000) -> None:
    load_quads(
        quads,
        endpoint=server.url,
        update_endpoint=server.update_url,
        store_endpoint=server.store_url if gsp else None,
        credentials=Credentials(server.user, server.password, "digest"),
        batch_size=batch_size,
    )


@pytest.mark.virtuoso
@pytest.mark.parametrize("gsp", [True, False], ids=["graph-store-protocol", "sparql-update"])
def test_load_into_virtuoso_with_digest_auth(virtuoso: VirtuosoServer, gsp: bool) -> None:
    virtuoso_load(virtuoso, old_version(bundled()), gsp=True)
    other = store_content(virtuoso.url)[OTHER]
    env = {**os.environ, "CLAIMGRAPH_PASSWORD": virtuoso.password}
    options = [
        "--endpoint",
        virtuoso.url,
        "--update-endpoint",
        virtuoso.update_url,
        "--user",
        virtuoso.user,
        "--auth",
        "digest",
    ] + (["--store-endpoint", virtuoso.store_url] if gsp else [])
    result = CliRunner(env=env).invoke(main, ["load", *options])
    assert result.exit_code == 0, result.output
    assert_loaded(virtuoso.url, bundled(), other=other)


@pytest.mark.virtuoso
def test_large_corpus_loads_into_virtuoso_and_a_crash_during_the_swap_leaves_old_or_new(
    tmp_path: Path, large_corpus: tuple[Path, list[ox.Quad]]
) -> None:
    quads = large_corpus[1]
    with VirtuosoServer(tmp_path / "virtuoso", old_version(quads)) as server:
        before = store_content(server.url)
        credentials = Credentials(server.user, server.password, "digest")
        with FaultProxy(server.port) as proxy:
            # Uploading with the Graph Store Protocol into a store without stale staging graphs, the update
            # endpoint gets only the swap: its second connection (the first is digest's challenge) carries it.
            def kill_during_the_swap(connection: int) -> None:
                if connection == 2:
                    threading.Timer(0.5, server.kill).start()

            proxy.on_connection = kill_during_the_swap
            with pytest.raises(EndpointError):
                load_quads(
                    quads,
                    endpoint=server.url,
                    update_endpoint=proxy.url("/sparql-auth"),
                    store_endpoint=server.store_url,
                    credentials=credentials,
                    retries=0,
                )
            assert proxy.connections == 2
        restart(server)
        actual = store_content(server.url)
        loaded = by_graph(quads)
        assert mixed_graphs(actual, before, loaded) == []
        new = sum(actual[g] == content for g, content in loaded.items())
        print(f"Virtuoso killed during the swap: {new} of {len(loaded)} graphs new, the others old, 0 mixed")
        virtuoso_load(server, quads, gsp=True)
        assert_loaded(server.url, quads, other=before[OTHER])


@pytest.mark.virtuoso
@pytest.mark.parametrize("gsp", [True, False], ids=["graph-store-protocol", "sparql-update"])
def test_blank_nodes_travel_whole_into_virtuoso(virtuoso: VirtuosoServer, gsp: bool) -> None:
    graph = ox.NamedNode("urn:test:blank-nodes")
    quads = []
    for i in range(5):
        node = ox.BlankNode()
        quads += [
            ox.Quad(ox.NamedNode("urn:test:s"), ox.NamedNode("urn:test:has"), node, graph),
            ox.Quad(node, ox.NamedNode("urn:test:n"), ox.Literal(str(i)), graph),
        ]
    virtuoso_load(virtuoso, quads, gsp=gsp, batch_size=1)
    virtuoso_load(virtuoso, quads, gsp=gsp, batch_size=1)  # a reload replaces: no doubled nodes
    assert store_content(virtuoso.url)[graph.value] == by_graph(quads)[graph.value]


@pytest.mark.virtuoso
def test_virtuoso_keeps_earlier_operations_of_a_failed_update_request(virtuoso: VirtuosoServer) -> None:
    # Measured and documented in load.py: why the swap must consist of operations that cannot fail.
    virtuoso_load(virtuoso, [ox.Quad(*OLD_MARK, ox.NamedNode(OTHER))], gsp=True)
    credentials = Credentials(virtuoso.user, virtuoso.password)
    client = Transport([virtuoso.update_url], credentials, timeout=30, unauthorized="")
    request = f'INSERT DATA {{ GRAPH <urn:test:a> {{ <urn:test:s> <urn:test:p> "x" }} }} ;\nCREATE GRAPH <{OTHER}>'
    with pytest.raises(EndpointError, match="HTTP 500"):
        client.update(virtuoso.update_url, request, name="update")
    assert "urn:test:a" in store_content(virtuoso.url)


@pytest.mark.virtuoso
@pytest.mark.parametrize("auth", ["digest", "basic"])
def test_wrong_credentials_exit_2_naming_the_endpoint_without_the_password(virtuoso: VirtuosoServer, auth: str) -> None:
    secret = "wr0ng-Pa55word-7731"
    env = {**os.environ, "CLAIMGRAPH_PASSWORD": secret}
    result = CliRunner(env=env).invoke(
        main,
        ["load", "--endpoint", virtuoso.url, "--update-endpoint", virtuoso.update_url, "--user", "dba", "--auth", auth],
    )
    assert result.exit_code == 2
    assert result.output == (
        f"Error: endpoint {virtuoso.update_url}: unauthorized (HTTP 401):"
        " check --user, --auth and CLAIMGRAPH_PASSWORD\n"
    )
    assert secret not in result.output


def test_user_without_password_in_the_environment_is_a_usage_error() -> None:
    env = {k: v for k, v in os.environ.items() if k != "CLAIMGRAPH_PASSWORD"}
    result = CliRunner(env=env).invoke(main, ["load", "--endpoint", "http://127.0.0.1:9/q", "--user", "dba"])
    assert result.exit_code == 2
    assert "CLAIMGRAPH_PASSWORD" in result.output.splitlines()[-1]


@pytest.mark.virtuoso
def test_triples_that_miss_their_staging_graphs_are_caught_by_the_count(virtuoso: VirtuosoServer) -> None:
    # Virtuoso 7.2's Graph Store Protocol endpoint accepts an N-Quads dataset POST (HTTP 201) without a
    # graph, but its triples do not land in the quads' graphs: the count check stops the load.
    virtuoso_load(virtuoso, old_version(bundled()), gsp=True)
    before = store_content(virtuoso.url)
    with pytest.raises(LoadError, match=r"staging graph for <.*> holds 0 triples, \d+ were sent .*; nothing replaced"):
        load_quads(
            bundled(),
            endpoint=virtuoso.url,
            update_endpoint=virtuoso.update_url,
            store_endpoint=virtuoso.store_url,
            credentials=Credentials(virtuoso.user, virtuoso.password, "digest"),
            method="dataset",
        )
    after = store_content(virtuoso.url)
    assert {g: c for g, c in after.items() if g in before} == before
    assert not [g for g in after if g.startswith(STAGING_PREFIX)]


def virtuoso_bulk_options(server: VirtuosoServer, directory: Path) -> list[str]:
    return [
        "--endpoint",
        server.url,
        "--update-endpoint",
        server.update_url,
        "--user",
        server.user,
        "--auth",
        "digest",
        "--method",
        "virtuoso-bulk",
        "--bulk-dir",
        str(directory),
        "--isql",
        f"127.0.0.1:{server.sql_port}",
    ]


@pytest.mark.virtuoso
def test_virtuoso_bulk_loader_loads_in_files_and_leaves_nothing_behind(virtuoso: VirtuosoServer) -> None:
    virtuoso_load(virtuoso, old_version(bundled()), gsp=True)
    other = store_content(virtuoso.url)[OTHER]
    bulk = virtuoso.directory / "bulk"  # in the server's DirsAllowed
    env = {**os.environ, "CLAIMGRAPH_PASSWORD": virtuoso.password}
    options = virtuoso_bulk_options(virtuoso, bulk)
    result = CliRunner(env=env).invoke(main, ["load", *options, "--batch-size", "1000"])
    assert result.exit_code == 0, result.output
    triples = len(bundled())
    graphs = len(by_graph(bundled()))
    expected = f"Loaded {triples} triples in {graphs} graphs (Virtuoso bulk loader), counts checked: {virtuoso.url}\n"
    assert result.stdout == expected
    assert_loaded(virtuoso.url, bundled(), other=other)
    assert list(bulk.iterdir()) == []  # the files went, and the loader's list forgot them
    listed = virtuoso.isql("select count(*) from DB.DBA.LOAD_LIST where ll_file like '%claimgraph-%';")
    assert re.search(r"^\s*0\s*$", listed, re.M), listed


@pytest.mark.virtuoso
def test_a_swap_in_several_requests_replaces_each_graph_whole(virtuoso: VirtuosoServer) -> None:
    # Virtuoso 7.2 refuses one update of about 1,000 MOVEs (SQ156); a 1M corpus has 3,252 graphs.
    p = ox.NamedNode("urn:test:p")
    graphs = [ox.NamedNode(f"urn:test:g{n}") for n in range(1_200)]
    quads = [ox.Quad(ox.NamedNode("urn:test:s"), p, ox.Literal(str(n)), g) for n, g in enumerate(graphs)]
    loader = VirtuosoBulkLoader(
        virtuoso.directory / "bulk", isql=f"127.0.0.1:{virtuoso.sql_port}", password=virtuoso.password
    )
    result = load_quads(
        quads,
        endpoint=virtuoso.url,
        update_endpoint=virtuoso.update_url,
        credentials=Credentials(virtuoso.user, virtuoso.password, "digest"),
        method="virtuoso-bulk",
        bulk_loader=loader,
        swap_batch=500,
    )
    assert (result.swaps, result.triples, len(result.graphs)) == (3, 1_200, 1_200)
    content = store_content(virtuoso.url)
    assert all(content[g.value] == by_graph([q])[g.value] for g, q in zip(graphs, quads, strict=True))
    assert not [g for g in content if g.startswith(STAGING_PREFIX)]


@pytest.mark.virtuoso
def test_virtuoso_bulk_load_without_its_sql_port_is_one_line_exit_2_and_changes_nothing(
    virtuoso: VirtuosoServer, tmp_path: Path
) -> None:
    virtuoso_load(virtuoso, old_version(bundled()), gsp=True)
    before = store_content(virtuoso.url)
    env = {**os.environ, "CLAIMGRAPH_PASSWORD": virtuoso.password}
    options = [*virtuoso_bulk_options(virtuoso, tmp_path / "bulk"), "--isql", "127.0.0.1:9"]
    result = CliRunner(env=env).invoke(main, ["load", *options])
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: endpoint 127.0.0.1:9: isql-vt: *** Error S2801: [Virtuoso Driver]CL033: Connect failed to"
        " 127.0.0.1:9 = 127.0.0.1:9.\n"
    )
    assert store_content(virtuoso.url) == before
    assert list((tmp_path / "bulk").iterdir()) == []


def test_a_lost_answer_to_the_swap_is_recognised_not_resent(oxigraph: OxigraphServer) -> None:
    before = store_content(oxigraph.url)
    total = requests_of_a_load(oxigraph)
    put_back(oxigraph, before)
    # The last two requests are the swap and the final count: the swap runs, its answer never arrives.
    with FaultProxy(oxigraph.port, fault="drop", after=total - 2, times=1) as proxy:
        load_quads(
            bundled(),
            endpoint=proxy.url("/query"),
            update_endpoint=proxy.url("/update"),
            store_endpoint=proxy.url("/store"),
            batch_size=300,
            retries=1,
            backoff=0.01,
        )
        assert proxy.faulted == 1
    assert_loaded(oxigraph.url, bundled(), other=before[OTHER])
