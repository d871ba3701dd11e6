"""Hostile and broken input: every case of tests/resources/bad/cases.yaml, and the decisions behind them.

Each case runs the real command line and must end with exactly one line on standard error (the case's
``Error: …``), exit code 2, nothing on standard output, no traceback and no output file. Cases that
could reach beyond loopback (remote contexts, entities, SERVICE, redirects) also prove that nothing
was contacted: the recording servers saw no request and the session's network guard (conftest.py)
blocked no attempt.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml
from click.testing import CliRunner, Result
from helpers.servers import OxigraphServer, free_port

from claimgraph.cli import main
from claimgraph.errors import RemoteReferenceError
from claimgraph.io.dataset import load_dataset
from claimgraph.namespaces import GRAPH
from claimgraph.project import bundled_data_dir
from claimgraph.sparql.engines import EmbeddedEngine, RemoteEngine

BAD = Path(__file__).parent / "resources" / "bad"
CASES: list[dict[str, Any]] = yaml.safe_load((BAD / "cases.yaml").read_text(encoding="utf-8"))

SERVICE_SHAPE = """
cgsh:Claim-federated a sh:NodeShape ;
    sh:targetClass cg:Claim ;
    sh:message "Never used: the shape is refused before validation."@en ;
    sh:sparql [
        a sh:SPARQLConstraint ;
        sh:select \"\"\"
            SELECT $this WHERE {
    SERVICE <http://127.0.0.1:9/sparql> { $this ?p ?o }
            }\"\"\" ;
    ] .
"""


# --- Inputs too big, too deep or too odd for git ----------------------------------------------------


def _huge_trig(directory: Path) -> tuple[Path, dict[str, str]]:
    """About 50 MB of TriG whose graph is never closed: the error is on the last line."""
    path = directory / "huge.trig"
    line = '  <http://example.org/s{}> <http://example.org/p> "a value padded to about one hundred bytes ......" .\n'
    count = 500_000
    with path.open("w", encoding="utf-8") as out:
        out.write("<http://example.org/g> {\n")
        for start in range(0, count, 10_000):
            out.write("".join(line.format(i) for i in range(start, start + 10_000)))
    assert path.stat().st_size > 50_000_000
    return path, {"{last_line}": str(count + 2)}


def _long_literal(directory: Path) -> tuple[Path, dict[str, str]]:
    """A 10 MB literal whose closing quote is missing."""
    path = directory / "long.ttl"
    text = '@prefix ex: <http://example.org/> .\nex:a ex:p "' + "x" * 10 * 1024 * 1024 + "\n"
    path.write_text(text, encoding="utf-8")
    return path, {}


def _deep(directory: Path, opening: str, closing: str) -> tuple[Path, dict[str, str]]:
    """100 000 nested blank nodes or collections, one closing bracket short."""
    depth = 100_000
    text = "<http://example.org/a> <http://example.org/p> " + opening * depth + '"leaf"' + closing * (depth - 1) + " ."
    path = directory / "deep.ttl"
    path.write_text(text + "\n", encoding="utf-8")
    return path, {"{end_column}": str(len(text))}


def _shapes_with_service(directory: Path) -> tuple[Path, dict[str, str]]:
    """A data directory whose shapes ask the validator to call another endpoint."""
    root = directory / "data"
    shutil.copytree(bundled_data_dir() / "ontology", root / "ontology")
    shutil.copytree(bundled_data_dir() / "graph", root / "graph")
    shapes = root / "ontology" / "shapes.ttl"
    text = shapes.read_text(encoding="utf-8")
    shapes.write_text(text + SERVICE_SHAPE, encoding="utf-8")
    line = text.count("\n") + SERVICE_SHAPE[: SERVICE_SHAPE.index("SERVICE")].count("\n") + 1
    return root, {"{line}": str(line)}


GENERATORS: dict[str, Callable[[Path], tuple[Path, dict[str, str]]]] = {
    "huge-trig": _huge_trig,
    "long-literal": _long_literal,
    "deep-blank-nodes": lambda d: _deep(d, "[ <http://example.org/p> ", " ]"),
    "deep-collections": lambda d: _deep(d, "( ", " )"),
    "shapes-with-service": _shapes_with_service,
}


# --- Endpoints that lie, stall or redirect, on loopback ---------------------------------------------


@dataclass
class Recorder:
    """A loopback HTTP server that answers per path and records every request it receives."""

    host: str
    requests: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://{self.host}:{self.server.server_address[1]}"


TRUNCATED_JSON = b'{"head": {"vars": ["g"]}, "results": {"bindings": [{"g": {"type": "uri", "value": "http://exa'
TRUNCATED_XML = (
    b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="g"/>'
    b'</head><results><result><binding name="g"><uri>http://exa'
)
HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>Welcome to nginx!</title><style>body { width: 35em; }</style></head>"
    b"<body><p>If you see this page, the web server is installed.</p></body></html>"
)
ERROR_PAGE = (
    b"<html><head><title>500 Internal Server Error</title><script>track()</script></head>"
    b"<body><h1>Internal Server Error</h1><p>The proxy could not reach the store.</p></body></html>"
)
EMPTY_RESULTS = b'{"head": {"vars": ["g"]}, "results": {"bindings": []}}'
CREDENTIALS = "Basic " + base64.b64encode(b"reader:right").decode()


def _handler(recorder: Recorder, elsewhere: Callable[[], str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.do_POST()

        def do_POST(self) -> None:
            recorder.requests.append(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            path = self.path
            if path == "/slow":
                time.sleep(3)
                self.answer(200, "application/sparql-results+json", EMPTY_RESULTS)
            elif path == "/html":
                self.answer(200, "text/html; charset=utf-8", HTML_PAGE)
            elif path == "/error-page":
                self.answer(500, "text/html", ERROR_PAGE)
            elif path == "/truncated-json":
                self.answer(200, "application/sparql-results+json", TRUNCATED_JSON)
            elif path == "/truncated-xml":
                self.answer(200, "application/sparql-results+xml", TRUNCATED_XML)
            elif path == "/auth" and self.headers.get("Authorization") != CREDENTIALS:
                self.answer(401, "text/plain", b"Authentication required", {"WWW-Authenticate": 'Basic realm="x"'})
            elif path == "/redirect":
                self.answer(302, "text/plain", b"moved", {"Location": elsewhere() + "/query"})
            else:
                self.answer(200, "application/sparql-results+json", EMPTY_RESULTS)

        def answer(self, status: int, content_type: str, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[Recorder, Recorder]]:
    """The lying endpoint on 127.0.0.1 and, on 127.0.0.2, the "other host" it redirects to."""
    endpoint, other = Recorder("127.0.0.1"), Recorder("127.0.0.2")
    for recorder in (endpoint, other):
        recorder.server = ThreadingHTTPServer((recorder.host, 0), _handler(recorder, lambda: other.url))
        recorder.server.daemon_threads = True
        threading.Thread(target=recorder.server.serve_forever, daemon=True).start()
    yield endpoint, other
    for recorder in (endpoint, other):
        assert recorder.server is not None
        recorder.server.shutdown()
        recorder.server.server_close()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A real Oxigraph store on loopback holding one graph, for the cases that load into a store."""
    quads = [
        ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("kept"), g)
        for g in (ox.NamedNode("http://example.org/existing"), ox.DefaultGraph())
    ]
    with OxigraphServer(tmp_path_factory.mktemp("store"), quads) as server:
        yield server


def _store_content(url: str) -> set[tuple[str, ...]]:
    rows = (
        RemoteEngine(url, graphs=[])
        .select("SELECT ?g ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
        .rows
    )
    return {tuple(str(t) for t in row) for row in rows}


def _data_with(directory: Path, files: list[str]) -> Path:
    """A copy of the bundled data whose graph/ also holds ``files`` of the corpus."""
    root = directory / "data"
    for part in ("ontology", "graph"):
        shutil.copytree(bundled_data_dir() / part, root / part)
    for name in files:
        source = BAD / name
        if source.is_dir():
            shutil.copytree(source, root / "graph" / source.name)
        else:
            shutil.copy(source, root / "graph" / source.name)
    return root


# --- The corpus -------------------------------------------------------------------------------------


def run(args: list[str]) -> Result:
    return CliRunner().invoke(main, args)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input_gives_one_exact_line_and_exit_2(
    case: dict[str, Any],
    tmp_path: Path,
    servers: tuple[Recorder, Recorder],
    network_attempts: Callable[[], list[str]],
    request: pytest.FixtureRequest,
) -> None:
    endpoint, other = servers
    out = tmp_path / "out" / "result.txt"
    out.parent.mkdir()
    values = {
        "{out}": str(out),
        "{endpoint}": endpoint.url,
        "{endpoint_with_wrong_password}": endpoint.url.replace("http://", "http://reader:wrong@"),
        "{elsewhere}": other.url,
        "{dead}": f"http://127.0.0.1:{free_port()}/query",
        "{shapes}": str(bundled_data_dir() / "ontology" / "shapes.ttl"),
    }
    if "generate" in case:
        generated, extra = GENERATORS[case["generate"]](tmp_path)
        values["{input}"] = str(generated)
        values.update(extra)
    elif "data_with" in case:
        values["{input}"] = str(_data_with(tmp_path, case["data_with"]))
    elif "input" in case:
        values["{input}"] = str(BAD / case["input"])
    stored = None
    if case.get("store"):
        server = request.getfixturevalue("store")
        values["{store}"] = server.url.removesuffix("/query")
        stored = _store_content(server.url)
    before = (len(endpoint.requests), len(other.requests))

    def fill(text: str) -> str:
        for key, value in values.items():
            text = text.replace(key, value)
        return text

    args = [fill(a) for a in case.get("args", ["validate", "{input}", "-o", "{out}"])]
    result = run(args)

    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    stderr = result.stderr
    if case.get("usage"):  # click's usage errors put the usage and a hint before the error line
        usage, hint, blank, stderr = stderr.split("\n", 3)
        assert (usage.startswith("Usage: "), hint.startswith("Try "), blank) == (True, True, "")
    assert stderr == f"Error: {fill(case['error'])}\n"
    assert result.exit_code == case.get("exit", 2)
    assert result.stdout == ""
    assert list(out.parent.iterdir()) == []  # not even a temporary file
    assert network_attempts() == []
    assert len(other.requests) == before[1]  # a redirect elsewhere is never followed
    if "SERVICE" in case["error"]:
        assert len(endpoint.requests) == before[0]  # refused before anything was sent
    if stored is not None:
        assert _store_content(values["{store}"] + "/query") == stored


def test_corpus_has_at_least_40_cases() -> None:
    assert len(CASES) >= 40
    assert len({c["name"] for c in CASES}) == len(CASES)


# --- Decisions, and what is accepted -----------------------------------------------------------------


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    source = bundled_data_dir() / "graph" / "actors.trig"
    with_bom = tmp_path / "actors.trig"
    with_bom.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    actors = ox.NamedNode(GRAPH.actors)
    plain = load_dataset(paths=[source]).store.quads_for_pattern(None, None, None, actors)
    marked = load_dataset(paths=[with_bom]).store.quads_for_pattern(None, None, None, actors)
    assert set(marked) == set(plain)


def test_ill_typed_literals_are_violations_at_their_file_and_line(data_copy: Path) -> None:
    # RDF allows ill-typed literals and Oxigraph keeps them; the shapes' sh:datatype reports them.
    seed = data_copy / "graph" / "optimism-vs-intelligence.trig"
    text = seed.read_text(encoding="utf-8")
    length = re.search(r'cg:charLength\s+("?\d+"?(\^\^xsd:nonNegativeInteger)?)', text)
    assert length is not None
    text = text.replace(length.group(0), 'cg:charLength "abc"^^xsd:nonNegativeInteger', 1)
    seed.write_text(text, encoding="utf-8")
    result = run(["validate", "--data", str(data_copy), "--format", "json", "--allow-warnings"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    (violation,) = [r for r in report["results"] if r["shape"].endswith("#SourceDocument-charLength")]
    assert (violation["severity"], violation["value"]) == ("Violation", "abc")
    sarif = json.loads(run(["validate", "--data", str(data_copy), "--format", "sarif", "--allow-warnings"]).stdout)
    (located,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "cgsh:SourceDocument-charLength"]
    region = located["locations"][0]["physicalLocation"]
    assert region["artifactLocation"]["uri"].endswith("graph/optimism-vs-intelligence.trig")
    # the line of the offending statement, not of the document's first line
    statement_line = text[: text.index('cg:charLength "abc"')].count("\n") + 1
    assert region["region"]["startLine"] == statement_line


def test_impossible_date_is_a_violation(mutate: Callable[[str], Path]) -> None:
    root = mutate(
        """DELETE { GRAPH ?g { ?claim cg:notStated dcterms:date } }
           INSERT { GRAPH ?g { ?claim dcterms:date "2025-02-30"^^xsd:date } }
           WHERE { { SELECT ?claim ?g WHERE { GRAPH ?g { ?claim a cg:Claim ; cg:notStated dcterms:date } }
                     ORDER BY ?claim LIMIT 1 } }"""
    )
    result = run(["validate", "--data", str(root), "--format", "json", "--allow-warnings"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [r["value"] for r in report["results"] if r["severity"] == "Violation"] == ["2025-02-30"]


def test_ten_megabyte_literal_loads_whole(tmp_path: Path) -> None:
    path = tmp_path / "long.ttl"
    value = "é" * 5 * 1024 * 1024
    path.write_text(f'<http://example.org/a> <http://example.org/p> "{value}" .\n', encoding="utf-8")
    dataset = load_dataset(paths=[path])
    (quad,) = dataset.store.quads_for_pattern(ox.NamedNode("http://example.org/a"), None, None, None)
    assert quad.object.value == value


def test_deeply_nested_valid_data_validates_without_recursion_error(tmp_path: Path) -> None:
    depth = 100_000
    path = tmp_path / "deep.trig"
    body = "[ <http://example.org/p> " * depth + '"leaf"' + " ]" * depth
    path.write_text(f"<http://example.org/g> {{ <http://example.org/a> <http://example.org/p> {body} . }}\n")
    result = run(["validate", str(path), "--allow-warnings", "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["conforms"] is True


def test_string_parameter_carrying_sparql_is_bound_as_one_literal() -> None:
    hostile = '" } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #'
    query = "SELECT ?text WHERE { BIND(STRLEN(?text) AS ?n) }"
    results = EmbeddedEngine(load_dataset()).select(query, bindings={"text": ox.Literal(hostile)})
    assert results.dicts() == [{"text": ox.Literal(hostile)}]


def test_service_is_refused_by_both_engines_before_any_request(servers: tuple[Recorder, Recorder]) -> None:
    endpoint, _ = servers
    query = f"SELECT * WHERE {{ SERVICE <{endpoint.url}/record> {{ ?s ?p ?o }} }}"
    before = len(endpoint.requests)
    with pytest.raises(RemoteReferenceError, match=r"^q\.rq:1:18: SERVICE <http://127\.0\.0\.1:\d+/record> refused"):
        EmbeddedEngine(load_dataset()).select(query, name="q.rq")
    with pytest.raises(RemoteReferenceError, match=r"SERVICE .* refused"):
        RemoteEngine(endpoint.url + "/record").select(query, name="q.rq")
    assert len(endpoint.requests) == before


def test_service_in_comments_strings_iris_and_names_is_not_a_clause() -> None:
    query = (
        "# SERVICE <http://x/> in a comment\n"
        "PREFIX ex: <http://example.org/>\n"
        'SELECT ?s WHERE { ?s <http://example.org/SERVICE> "SERVICE <http://x/> { }" . ?s ex:SERVICE ?SERVICE }'
    )
    assert len(EmbeddedEngine(load_dataset()).select(query)) == 0


def test_credentials_in_the_url_authenticate_and_never_show(servers: tuple[Recorder, Recorder]) -> None:
    endpoint, _ = servers
    engine = RemoteEngine(endpoint.url.replace("http://", "http://reader:right@") + "/auth", graphs=[])
    assert engine.endpoint == endpoint.url + "/auth"
    assert engine.select("SELECT ?g WHERE { }").variables == ("g",)  # past the 401
    assert "right" not in engine.description


def test_same_host_redirect_is_followed_with_the_query(tmp_path: Path) -> None:
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/old":
                self.send_response(307)
                self.send_header("Location", "/sparql")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            received.append(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(EMPTY_RESULTS)))
            self.end_headers()
            self.wfile.write(EMPTY_RESULTS)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/old"
        results = RemoteEngine(url, graphs=[]).select("SELECT ?g WHERE { GRAPH ?g { } }")
    finally:
        server.shutdown()
        server.server_close()
    assert results.variables == ("g",)
    assert len(received) == 1 and b"query=SELECT" in received[0]
