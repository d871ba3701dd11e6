"""Shared fixtures: a private copy of the bundled data that tests may mutate; no network but loopback."""

from __future__ import annotations

import ipaddress
import shutil
import socket
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from helpers.data import rewrite
from helpers.servers import OxigraphServer
from helpers.w3c import SUMMARY as W3C_SUMMARY

from claimgraph.project import bundled_data_dir


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the bundled ontology/ and graph/ in a temporary data directory."""
    root = tmp_path / "data"
    for part in ("ontology", "graph"):
        shutil.copytree(bundled_data_dir() / part, root / part)
    return root


@pytest.fixture
def mutate(data_copy: Path) -> Callable[[str], Path]:
    """Apply a SPARQL Update to the data copy; returns its root."""

    def apply(update: str) -> Path:
        rewrite(data_copy, update)
        return data_copy

    return apply


# --- No network at run time -----------------------------------------------------------------------
# For the whole session, Python sockets may reach loopback only: a connection to (or a name lookup
# for) anything else is refused and recorded, so every test also proves that claimgraph touches no
# network it was not pointed at. The count is reported in the terminal summary. (Native code, such as
# pyoxigraph's own HTTP client, bypasses Python sockets: the code refuses SERVICE itself, and tests
# check that with recording servers on loopback.)

BLOCKED: list[str] = []
_REAL_CONNECT = socket.socket.connect
_REAL_CONNECT_EX = socket.socket.connect_ex
_REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[list[ox.Quad]], OxigraphServer]]:
    """Start private Oxigraph servers, each holding the quads given; stopped after the test."""
    started: list[OxigraphServer] = []

    def start(quads: list[ox.Quad]) -> OxigraphServer:
        directory = tmp_path / f"server-{len(started)}"
        directory.mkdir()
        started.append(OxigraphServer(directory, quads))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def _loopback(host: object) -> bool:
    if not isinstance(host, str | bytes):
        return False
    name = host.decode() if isinstance(host, bytes) else host
    if name in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(what: str) -> OSError:
    BLOCKED.append(what)
    return OSError(101, f"network access blocked in tests: {what}")  # ENETUNREACH


def _guard(address: Any) -> None:
    if isinstance(address, tuple) and not _loopback(address[0]):
        raise _refuse(f"connect to {address[0]}:{address[1]}")


def _connect(self: socket.socket, address: Any) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _guard(address)
    _REAL_CONNECT(self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _guard(address)
    return _REAL_CONNECT_EX(self, address)


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host not in (None, "", b"") and not _loopback(host):  # "": any local address, for binding
        try:
            ipaddress.ip_address(host.decode() if isinstance(host, bytes) else host)
        except ValueError:  # a name: looking it up is itself network traffic
            raise _refuse(f"name lookup of {host!r}") from None
    return _REAL_GETADDRINFO(host, *args, **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _getaddrinfo


def pytest_unconfigure(config: pytest.Config) -> None:
    socket.socket.connect = _REAL_CONNECT  # type: ignore[method-assign]
    socket.socket.connect_ex = _REAL_CONNECT_EX  # type: ignore[method-assign]
    socket.getaddrinfo = _REAL_GETADDRINFO


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(f"network guard: {len(BLOCKED)} outbound connection attempts blocked (loopback only)")
    for attempt in dict.fromkeys(BLOCKED):
        terminalreporter.write_line(f"  blocked: {attempt}")
    for engine, outcomes in sorted(W3C_SUMMARY.items()):
        kinds = Counter(outcome.split(":")[0] for outcome in outcomes.values())
        terminalreporter.write_line(
            f"W3C SHACL suite, {engine}: " + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        )
        for test_id, outcome in sorted(outcomes.items()):
            if outcome != "passed":
                terminalreporter.write_line(f"  {test_id}: {outcome}")


@pytest.fixture
def network_attempts() -> Callable[[], list[str]]:
    """A function giving the outbound attempts blocked since the test started (empty: loopback only)."""
    start = len(BLOCKED)
    return lambda: BLOCKED[start:]
