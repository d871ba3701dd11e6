"""Real triple stores on loopback for the store tests (Oxigraph, Virtuoso), loaded from a dataset's quads."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn, Self

import pyoxigraph as ox
import pytest

from claimgraph.io.dataset import Dataset
from claimgraph.io.export import dataset_quads
from claimgraph.sparql.transport import Transport


def oxigraph_binary() -> str:
    """The `oxigraph` server binary (PyPI `oxigraph`); in CI its absence fails the test, never skips it."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if found is None:
        missing("the oxigraph server binary (PyPI package 'oxigraph') is not installed")
    return found


def virtuoso_binaries() -> tuple[str, str]:
    """`virtuoso-t` and `isql-vt` (Debian `virtuoso-opensource`); in CI their absence fails, never skips."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if server is None or isql is None:
        missing("Virtuoso (virtuoso-t, isql-vt; Debian package 'virtuoso-opensource') is not installed")
    return server, isql


def missing(message: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def stored_quads(dataset: Dataset, *, without: tuple[str, ...] = ()) -> list[ox.Quad]:
    """What a store would hold after a load (:func:`claimgraph.io.export.dataset_quads`), less ``without``."""
    skip = {ox.NamedNode(g) for g in without}
    return [q for q in dataset_quads(dataset) if q.graph_name not in skip]


def record_queries(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """Every query the remote engines send from now on, with its protocol options (a transport spy)."""
    sent: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    original = Transport.query

    def recording(self: Transport, endpoint: str, text: str, **kwargs: Any) -> Any:
        sent.append((text, tuple(kwargs.get("options", ()))))
        return original(self, endpoint, text, **kwargs)

    monkeypatch.setattr(Transport, "query", recording)
    return sent


class _ServerProcess:
    """A store process: waited for until it answers, stopped (or killed) on the way out."""

    process: subprocess.Popen[bytes]
    name: str

    def _wait(self, url: str, deadline: float = 60.0) -> None:
        stop = time.monotonic() + deadline
        while time.monotonic() < stop:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer at {url}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL, as a crash would (for fault tests)."""
        self.process.kill()
        self.process.wait()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


class OxigraphServer(_ServerProcess):
    """`oxigraph serve` on 127.0.0.1 and a free port, its database bulk-loaded from ``quads`` first."""

    name = "oxigraph"

    def __init__(
        self, directory: Path, quads: Iterable[ox.Quad], *, read_only: bool = False, union_default_graph: bool = False
    ) -> None:
        binary = oxigraph_binary()
        dump = directory / "dump.nq"
        ox.serialize(quads, output=dump, format=ox.RdfFormat.N_QUADS)
        location = directory / "db"
        load = [binary, "load", "--location", str(location), "--file", str(dump)]
        subprocess.run(load, check=True, capture_output=True)
        self.port = free_port()
        args = [binary, "serve-read-only" if read_only else "serve", "--location", str(location)]
        args += ["--bind", f"127.0.0.1:{self.port}"] + (["--union-default-graph"] if union_default_graph else [])
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}/query"
        self._wait(self.url)


class VirtuosoServer(_ServerProcess):
    """A private Virtuoso 7 instance on 127.0.0.1 (SQL and HTTP on free ports), bulk-loaded from ``quads``.

    Settings from shared/notes/triple-stores.md: loopback-only ports, a database in ``directory``,
    ``ResultSetMaxRows`` (default: no silent 10,000-row cap), ``MaxSortedTopRows``, ``DirsAllowed`` for
    the bulk-load folder; ``buffers``: ``NumberOfBuffers`` (8 KB pages held in memory; Virtuoso's
    default of 10,000 suits a test graph, its ini file lists larger values by the machine's memory),
    with ``MaxDirtyBuffers`` at three quarters of it. ``quads`` must all be in named graphs: Virtuoso
    has no separate default graph. First start takes about 4 s, so share one instance per module or
    session.

    :ivar url: SPARQL query endpoint (anonymous, read-only).
    :ivar update_url: SPARQL Update endpoint (HTTP digest auth, ``user``/``password``).
    :ivar store_url: SPARQL 1.1 Graph Store Protocol endpoint (digest auth; ``?graph-uri=IRI``).
    """

    name = "virtuoso"
    user = "dba"
    password = "dba"

    def __init__(
        self, directory: Path, quads: Iterable[ox.Quad] = (), *, max_rows: int = 1_000_000, buffers: int = 10_000
    ) -> None:
        server, self._isql = virtuoso_binaries()
        quads = list(quads)
        if any(isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
            raise ValueError("Virtuoso has no separate default graph: give every quad a named graph")
        self.directory = directory
        db, bulk = directory / "db", directory / "bulk"
        db.mkdir(parents=True)
        bulk.mkdir()
        self.sql_port, self.port = free_port(), free_port()
        ini = db / "virtuoso.ini"
        shutil.copyfile("/etc/virtuoso-opensource-7/virtuoso.ini", ini)
        settings = {
            ("Database", "DatabaseFile"): db / "virtuoso.db",
            ("Database", "ErrorLogFile"): db / "virtuoso.log",
            ("Database", "LockFile"): db / "virtuoso.lck",
            ("Database", "TransactionFile"): db / "virtuoso.trx",
            ("Database", "xa_persistent_file"): db / "virtuoso.pxa",
            ("TempDatabase", "DatabaseFile"): db / "virtuoso-temp.db",
            ("TempDatabase", "TransactionFile"): db / "virtuoso-temp.trx",
            ("Parameters", "ServerPort"): f"127.0.0.1:{self.sql_port}",
            ("Parameters", "DirsAllowed"): f"., /usr/share/virtuoso-opensource-7/vad, {bulk}",
            ("Parameters", "MaxSortedTopRows"): max(max_rows, 10_000),
            ("Parameters", "NumberOfBuffers"): buffers,
            ("Parameters", "MaxDirtyBuffers"): buffers * 3 // 4,
            ("HTTPServer", "ServerPort"): f"127.0.0.1:{self.port}",
            ("URIQA", "DefaultHost"): f"127.0.0.1:{self.port}",
            ("SPARQL", "ResultSetMaxRows"): max_rows,
        }
        for (section, key), value in settings.items():
            command = ["inifile", "+inifile", str(ini), "+section", section, "+key", key, "+value", str(value)]
            subprocess.run(command, check=True, capture_output=True)
        self.log = directory / "virtuoso.out"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [server, "+configfile", str(ini), "+foreground"], cwd=db, stdout=log, stderr=subprocess.STDOUT
            )
        base = f"http://127.0.0.1:{self.port}"
        self.url = f"{base}/sparql"
        self.update_url = f"{base}/sparql-auth"
        self.store_url = f"{base}/sparql-graph-crud-auth"
        self._wait(self.url)
        if quads:
            self._bulk_load(bulk, quads)

    def _bulk_load(self, folder: Path, quads: list[ox.Quad]) -> None:
        ox.serialize(quads, output=folder / "quads.nq", format=ox.RdfFormat.N_QUADS)
        self.isql(f"ld_dir('{folder}', 'quads.nq', 'urn:claimgraph:unused'); rdf_loader_run(); checkpoint;")
        errors = self.isql("select ll_file, ll_error from DB.DBA.LOAD_LIST where ll_error is not null;")
        if "0 Rows" not in errors:
            raise RuntimeError(f"virtuoso bulk load failed:\n{errors}")

    def isql(self, sql: str) -> str:
        """Run SQL through ``isql-vt`` as dba; its output. isql-vt exits 0 on SQL errors, so look for them.

        :raises RuntimeError: if the SQL failed or isql-vt could not connect.
        """
        command = [self._isql, f"127.0.0.1:{self.sql_port}", self.user, self.password, f"exec={sql}"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        output = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in output:
            raise RuntimeError(f"isql-vt failed on {sql!r}:\n{output}")
        return output

    def graph_url(self, graph: str) -> str:
        """The Graph Store Protocol URL of one named graph."""
        return f"{self.store_url}?{urllib.parse.urlencode({'graph-uri': graph})}"


def store_server(store: str, directory: Path, quads: list[ox.Quad]) -> OxigraphServer | VirtuosoServer:
    """A private ``"virtuoso"`` or (any other name) Oxigraph server holding ``quads``."""
    return VirtuosoServer(directory, quads) if store == "virtuoso" else OxigraphServer(directory, quads)
