"""The HTTP layer (transport.py) as a load and a remote query see it, against recording servers on loopback."""

from __future__ import annotations

import base64
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox
import pytest

from claimgraph.errors import (
    EndpointConnectionError,
    EndpointError,
    EndpointStatusError,
    EndpointTimeoutError,
    LoadError,
    RedirectRefusedError,
)
from claimgraph.sparql.engines import RemoteEngine
from claimgraph.sparql.transport import Credentials, Transport
from claimgraph.stores.load import load_quads

EMPTY_RESULTS = b'{"head": {"vars": ["g"]}, "results": {"bindings": []}}'
QUADS = [ox.Quad(ox.NamedNode("urn:t:s"), ox.NamedNode("urn:t:p"), ox.Literal("o"), ox.NamedNode("urn:t:g"))]


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorder:
    """Answers every request with ``answer`` (empty JSON results), or redirects ``/away`` to ``elsewhere``;
    records all."""

    host: str
    elsewhere: str = ""
    status: int = 200
    answer: bytes = EMPTY_RESULTS
    content_type: str = "application/sparql-results+json"
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorder.received.append(Received(self.command, self.path, dict(self.headers), body))
                if self.path.startswith("/away"):
                    self.send_response(307)
                    self.send_header("Location", recorder.elsewhere + "/query")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(recorder.status)
                self.send_header("Content-Type", recorder.content_type)
                self.send_header("Content-Length", str(len(recorder.answer)))
                self.end_headers()
                self.wfile.write(recorder.answer)

            do_PUT = do_POST

        self.server = ThreadingHTTPServer((self.host, 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorders() -> Iterator[tuple[Recorder, Recorder]]:
    """The endpoint on 127.0.0.1 and, on 127.0.0.2, the other host it redirects to."""
    other = Recorder("127.0.0.2")
    endpoint = Recorder("127.0.0.1", elsewhere=other.url)
    yield endpoint, other
    endpoint.close()
    other.close()


@pytest.mark.parametrize("which", ["endpoint", "update_endpoint", "store_endpoint"])
def test_load_refuses_a_redirect_to_another_host(recorders: tuple[Recorder, Recorder], which: str) -> None:
    endpoint, other = recorders
    urls = {"endpoint": endpoint.url + "/query", "update_endpoint": endpoint.url + "/update"}
    urls[which] = endpoint.url + "/away"  # without a store endpoint, the upload goes by SPARQL Update
    with pytest.raises(RedirectRefusedError) as caught:
        load_quads(QUADS, **urls, retries=0)
    assert caught.value.target == f"{other.url}/query"
    assert not caught.value.transient
    assert str(caught.value) == (
        f"endpoint {endpoint.url}/away: redirected to {other.url}/query: refused"
        " (claimgraph talks only to the endpoint it is given)"
    )
    assert other.received == []


def test_load_timeout_is_a_fraction_of_a_second_and_retried() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # accepts connections (the kernel does) and never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/query"
        with pytest.raises(EndpointTimeoutError) as caught:
            load_quads(QUADS, endpoint=url, timeout=0.25, retries=1, backoff=0)
    assert str(caught.value) == f"endpoint {url}: timed out after 0.25 s (after 2 attempts)"
    assert caught.value.timeout == 0.25
    assert caught.value.attempts == 2
    assert caught.value.transient


@pytest.mark.parametrize(("status", "transient"), [(503, True), (502, True), (401, False), (404, False)])
def test_an_error_status_is_typed_with_its_code_and_whether_a_retry_may_help(status: int, transient: bool) -> None:
    recorder = Recorder("127.0.0.1", status=status)
    try:
        transport = Transport([recorder.url], timeout=5, retries=2, backoff=0, unauthorized="{said}")
        with pytest.raises(EndpointStatusError) as caught:
            transport.query(recorder.url + "/query", "ASK {}", name="probe", accept="*/*")
    finally:
        recorder.close()
    assert caught.value.status_code == status
    assert caught.value.transient is transient
    assert len(recorder.received) == (3 if transient else 1)  # only a transient status is retried


def test_a_refused_connection_is_a_transient_connection_error() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/query"  # bound, not listening: refused
        transport = Transport([url], timeout=5, retries=0, unauthorized="{said}")
        with pytest.raises(EndpointConnectionError) as caught:
            transport.query(url, "ASK {}", name="probe", accept="*/*")
    assert caught.value.transient
    assert isinstance(caught.value, EndpointError)
    assert str(caught.value).startswith(f"endpoint {url}: cannot connect: ")


def test_query_goes_form_encoded_and_update_as_sparql_update(recorders: tuple[Recorder, Recorder]) -> None:
    endpoint, _ = recorders
    # SPARQLWrapper alone reads the first keyword anywhere, comments included, as the operation: CREATE.
    query = "#+ summary: graphs\n#+ description: graphs created today\nSELECT ?g WHERE { GRAPH ?g { } }"
    RemoteEngine(endpoint.url + "/query", graphs=["urn:t:g"]).select(query)
    with pytest.raises(LoadError, match="staging graph for <urn:t:g> holds 0 triples, 1 were sent"):
        load_quads(QUADS, endpoint=endpoint.url + "/query", update_endpoint=endpoint.url + "/update", retries=0)
    (sent, *_) = endpoint.received
    assert (sent.method, sent.path, sent.headers["Content-Type"]) == (
        "POST",
        "/query",
        "application/x-www-form-urlencoded",
    )
    assert sent.headers["Accept"] == "application/sparql-results+json, application/sparql-results+xml;q=0.9"
    assert parse_qs(sent.body.decode()) == {
        "query": [query],
        "default-graph-uri": ["urn:t:g"],
        "named-graph-uri": ["urn:t:g"],
    }
    updates = [r for r in endpoint.received if r.path.startswith("/update")]
    assert {r.headers["Content-Type"] for r in updates} == {"application/sparql-update"}
    assert updates[0].body.startswith(b"INSERT DATA {\nGRAPH <urn:claimgraph:staging:")


def test_results_in_xml_keep_every_value_as_written() -> None:
    # As Virtuoso writes them: white space raw, not as character references. An archived text's final
    # newline, white space at a literal's ends, an ill-formed integer kept as written (validation must
    # see it), a blank node and a quoted triple.
    xsd = "http://www.w3.org/2001/XMLSchema#"
    written = f"""<?xml version="1.0"?>
<sparql xmlns="http://www.w3.org/2005/sparql-results#">
 <head><variable name="s"/><variable name="o"/></head>
 <results>
  <result><binding name="s"><uri>urn:t:a</uri></binding>
   <binding name="o"><literal xml:lang="en">The article.
</literal></binding></result>
  <result><binding name="s"><bnode>b1</bnode></binding>
   <binding name="o"><literal>  padded	</literal></binding></result>
  <result><binding name="s"><uri>urn:t:c</uri></binding>
   <binding name="o"><literal datatype="{xsd}integer"> 5</literal></binding></result>
  <result><binding name="s"><uri>urn:t:d</uri></binding>
   <binding name="o"><triple><subject><uri>urn:t:s</uri></subject><predicate><uri>urn:t:p</uri></predicate>
    <object><literal>o </literal></object></triple></binding></result>
  <result><binding name="s"><uri>urn:t:e</uri></binding></result>
 </results>
</sparql>""".encode()
    endpoint = Recorder("127.0.0.1", answer=written, content_type="application/sparql-results+xml")
    try:
        read = RemoteEngine(endpoint.url + "/query", graphs=[]).select("SELECT ?s ?o WHERE { ?s ?p ?o }")
    finally:
        endpoint.close()
    assert read.variables == ("s", "o")
    assert read.rows == (
        (ox.NamedNode("urn:t:a"), ox.Literal("The article.\n", language="en")),
        (ox.BlankNode("b1"), ox.Literal("  padded\t")),
        (ox.NamedNode("urn:t:c"), ox.Literal(" 5", datatype=ox.NamedNode(xsd + "integer"))),
        (ox.NamedNode("urn:t:d"), ox.Triple(ox.NamedNode("urn:t:s"), ox.NamedNode("urn:t:p"), ox.Literal("o "))),
        (ox.NamedNode("urn:t:e"), None),
    )


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/><boolean> true </boolean></sparql>', True),
        (b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/><boolean>false</boolean></sparql>', False),
    ],
)
def test_ask_answered_in_xml_is_read(answer: bytes, expected: bool) -> None:
    endpoint = Recorder("127.0.0.1", answer=answer, content_type="application/sparql-results+xml")
    try:
        assert RemoteEngine(endpoint.url + "/query", graphs=[]).select("ASK {}").boolean is expected
    finally:
        endpoint.close()


def test_xml_that_is_no_sparql_results_is_an_endpoint_error() -> None:
    endpoint = Recorder("127.0.0.1", answer=b"<html><body>Welcome</body></html>", content_type="application/xml")
    try:
        with pytest.raises(EndpointError, match=r"answered query with unreadable results: the root element is <html>"):
            RemoteEngine(endpoint.url + "/query", graphs=[]).select("ASK {}")
    finally:
        endpoint.close()


def test_credentials_never_reach_logs_or_messages(
    recorders: tuple[Recorder, Recorder], caplog: pytest.LogCaptureFixture
) -> None:
    endpoint, _ = recorders
    endpoint.status = 500
    secret = "s3cret-Pa55-9921"
    token = base64.b64encode(f"reader:{secret}".encode()).decode()
    caplog.set_level(logging.DEBUG)
    failures = []
    with pytest.raises(EndpointError) as caught:
        RemoteEngine(f"http://reader:{secret}@127.0.0.1:{endpoint.server.server_address[1]}/query").select("ASK {}")
    failures.append(str(caught.value))
    credentials = Credentials("reader", secret, "basic")
    with pytest.raises(EndpointError) as caught:
        load_quads(QUADS, endpoint=endpoint.url + "/query", credentials=credentials, retries=0)
    failures.append(str(caught.value))
    assert [r.headers.get("Authorization") for r in endpoint.received] == [f"Basic {token}"] * 2  # it was sent
    assert failures == [
        f"endpoint {endpoint.url}/query: internal error on graph catalog (HTTP 500): {EMPTY_RESULTS.decode()}",
        f"endpoint {endpoint.url}/query: internal error on staging graph listing (HTTP 500): {EMPTY_RESULTS.decode()}",
    ]
    for text in (caplog.text, repr(credentials), *failures):
        assert secret not in text and token not in text
