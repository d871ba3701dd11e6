"""A test-only TCP proxy on loopback that sits in front of a real store and misbehaves on cue.

Each client connection (urllib sends one request per connection) is numbered from 1. Connections
up to ``after`` are forwarded to the store untouched; from then on ``fault`` applies to the next
``times`` connections (all of them when ``times`` is None), and afterwards forwarding resumes:

- ``"refuse"``: the proxy stops listening (later connections are refused) until :meth:`reopen`;
- ``"500"`` / ``"503"``: the request is read and answered with that status, never forwarded;
- ``"stall"``: the request is read and never answered (the client's timeout must fire);
- ``"drop"``: the request is forwarded, and the connection is reset before the answer comes back.

``on_connection``, when set, is called with each connection's number as it is accepted (to kill the
store at a chosen request, say).
"""

from __future__ import annotations

import selectors
import socket
import struct
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Literal

Fault = Literal["none", "refuse", "500", "503", "stall", "drop"]


class FaultProxy:
    """Forward 127.0.0.1:``port`` to 127.0.0.1:``target`` with faults injected (see the module docstring)."""

    def __init__(self, target: int, *, fault: Fault = "none", after: int = 0, times: int | None = None) -> None:
        self.target = target
        self.fault: Fault = fault
        self.after = after
        self.times = times
        self.connections = 0
        self.faulted = 0
        self.on_connection: Callable[[int], None] | None = None
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._listener = self._listen(0)
        self.port: int = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._start_accepting()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _listen(self, port: int) -> socket.socket:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        return listener

    def _start_accepting(self) -> None:
        thread = threading.Thread(target=self._accept, args=(self._listener,), daemon=True)
        thread.start()
        self._threads.append(thread)

    def reopen(self) -> None:
        """Listen again on the same port (after ``refuse``), forwarding everything from now on."""
        self.fault = "none"
        self._listener = self._listen(self.port)
        self._start_accepting()

    def _accept(self, listener: socket.socket) -> None:
        while not self._closed.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed
            with self._lock:
                self.connections += 1
                active = self.fault != "none" and self.connections > self.after
                if active and self.times is not None and self.faulted >= self.times:
                    active = False
                if active:
                    self.faulted += 1
                number = self.connections
            if self.on_connection is not None:
                self.on_connection(number)
            fault: Fault = self.fault if active else "none"
            if fault == "refuse":
                _reset(client)
                listener.close()
                return
            thread = threading.Thread(target=self._serve, args=(client, fault), daemon=True)
            thread.start()

    def _serve(self, client: socket.socket, fault: Fault) -> None:
        try:
            if fault in ("500", "503", "stall"):
                _read_request(client)
                if fault == "stall":
                    self._closed.wait()
                    return
                reason = "Internal Server Error" if fault == "500" else "Service Unavailable"
                body = f"injected fault: {fault}".encode()
                head = f"HTTP/1.1 {fault} {reason}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
                client.sendall(head.encode() + body)
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            try:
                _pump(client, upstream, drop=fault == "drop", closed=self._closed)
            finally:
                upstream.close()
        except OSError:
            pass  # the client or the store went away: that is what the tests provoke
        finally:
            client.close()

    def close(self) -> None:
        self._closed.set()
        self._listener.close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def _reset(connection: socket.socket) -> None:
    """Close with RST (SO_LINGER 0), as a crashed peer does."""
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def _read_request(client: socket.socket) -> None:
    """Read one HTTP request (head and Content-Length body), so that answering it does not reset."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = client.recv(65536)
        if not chunk:
            return
        body += chunk


def _pump(client: socket.socket, upstream: socket.socket, *, drop: bool, closed: threading.Event) -> None:
    """Copy bytes both ways until either side closes; with ``drop``, reset as the answer starts."""
    with selectors.DefaultSelector() as selector:
        selector.register(client, selectors.EVENT_READ, upstream)
        selector.register(upstream, selectors.EVENT_READ, client)
        while not closed.is_set():
            for key, _ in selector.select(timeout=0.5):
                source: socket.socket = key.fileobj  # type: ignore[assignment]
                destination: socket.socket = key.data
                chunk = source.recv(65536)
                if not chunk:
                    return
                if drop and source is upstream:
                    _reset(client)
                    return
                destination.sendall(chunk)
