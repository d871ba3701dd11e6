"""A read-only SPARQL 1.1 endpoint over the dataset as it leaves claimgraph.

The endpoint is Oxigraph's own server, run read-only on a database bulk-loaded into a temporary
directory (:func:`read_only_server`); what it holds is :func:`~claimgraph.io.export.dataset_quads`.
"""

from __future__ import annotations

import errno
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from claimgraph.errors import ServerError


def oxigraph_binary() -> str:
    """The ``oxigraph`` server binary (PyPI ``oxigraph``): beside the running Python, else on PATH.

    :raises ServerError: if there is none.
    """
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise ServerError("the oxigraph server binary is not installed (pip install oxigraph)")
    return found


@dataclass(frozen=True)
class RunningServer:
    """An Oxigraph server answering SPARQL 1.1 queries, read-only.

    :ivar address: ``HOST:PORT`` it listens on.
    :ivar query_url: its SPARQL query endpoint.
    :ivar process: the ``oxigraph serve-read-only`` process.
    """

    address: str
    query_url: str
    process: subprocess.Popen[bytes]

    def wait(self) -> int:
        """Block until the server exits; its exit status."""
        return self.process.wait()


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _check_port_free(host: str, port: int) -> None:
    """Refuse a taken address up front: a server already there would answer our readiness probe."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise ServerError(f"cannot resolve host {host!r}: {error.strerror}", address=_address(host, port)) from None
    family, kind, proto, _, sockaddr = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will: TIME_WAIT is no obstacle
        try:
            probe.bind(sockaddr)
        except OSError as error:
            reason = "address already in use" if error.errno == errno.EADDRINUSE else error.strerror or str(error)
            raise ServerError(reason, address=_address(host, port)) from None


def _last_line(path: Path) -> str:
    lines = [line.strip() for line in path.read_text("utf-8", errors="replace").splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


@contextmanager
def read_only_server(
    quads: Iterable[ox.Quad],
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    binary: str | None = None,
    ready_within: float = 30.0,
) -> Iterator[RunningServer]:
    """Serve ``quads`` read-only over SPARQL 1.1 with ``oxigraph serve-read-only``, until the block exits.

    The quads are bulk-loaded (``oxigraph load``) into a database in a temporary directory; queries
    see the union of the named graphs as their default graph. Leaving the block stops the server and
    removes the directory.

    :param binary: the ``oxigraph`` binary; default: :func:`oxigraph_binary`.
    :raises ServerError: if the binary is missing, the address is taken, or the server fails to start.
    """
    binary = binary or oxigraph_binary()
    address = _address(host, port)
    _check_port_free(host, port)
    with tempfile.TemporaryDirectory(prefix="claimgraph-serve-") as scratch:
        directory = Path(scratch)
        database, dump, log = directory / "db", directory / "dataset.nq", directory / "server.log"
        ox.serialize(quads, output=dump, format=ox.RdfFormat.N_QUADS)
        loaded = subprocess.run(
            [binary, "load", "--location", str(database), "--file", str(dump)], capture_output=True, check=False
        )
        if loaded.returncode != 0:
            reason = loaded.stderr.decode("utf-8", "replace").strip() or f"exit status {loaded.returncode}"
            raise ServerError(f"oxigraph load failed: {reason}", address=address)
        dump.unlink()
        with log.open("wb") as output:
            process = subprocess.Popen(
                [binary, "serve-read-only", "--location", str(database), "--bind", address, "--union-default-graph"],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                # Its own process group: a Ctrl-C reaches only us, and we stop it in order, then clean up.
                process_group=0,
            )
        try:
            server = RunningServer(address, f"http://{address}/query", process)
            _wait_until_ready(server, log, ready_within)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(server: RunningServer, log: Path, within: float) -> None:
    probe = server.query_url + "?query=ASK%7B%7D"
    stop = time.monotonic() + within
    while time.monotonic() < stop:
        if server.process.poll() is not None:
            raise ServerError(f"oxigraph serve-read-only exited: {_last_line(log)}", address=server.address)
        try:
            with urllib.request.urlopen(probe, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)
    raise ServerError(f"oxigraph serve-read-only did not answer within {within:g} seconds", address=server.address)
