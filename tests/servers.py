"""A real Oxigraph server on loopback for the store tests, loaded from a dataset's quads."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

import pyoxigraph as ox
import pytest

from claimgraph.dataset import Dataset
from claimgraph.namespaces import SHAPES_GRAPH


def oxigraph_binary() -> str:
    """The `oxigraph` server binary (PyPI `oxigraph`); in CI its absence fails the test, never skips it."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if found is None:
        message = "the oxigraph server binary (PyPI package 'oxigraph') is not installed"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def stored_quads(dataset: Dataset, *, without: tuple[str, ...] = ()) -> list[ox.Quad]:
    """What a store would hold after a load: every graph but the shapes (and ``without``)."""
    skip = {ox.NamedNode(g) for g in (SHAPES_GRAPH, *without)}
    return [q for q in dataset.store if q.graph_name not in skip]


class OxigraphServer:
    """`oxigraph serve` on 127.0.0.1 and a free port, its database bulk-loaded from ``quads`` first."""

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
        self._wait()

    def _wait(self, deadline: float = 20.0) -> None:
        stop = time.monotonic() + deadline
        while time.monotonic() < stop:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(self.url + "?query=ASK%7B%7D", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"oxigraph did not answer at {self.url}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> OxigraphServer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
