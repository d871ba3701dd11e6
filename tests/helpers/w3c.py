"""The W3C SHACL test suite (data-shapes-test-suite) as tests/test_w3c_shacl.py reads it.

The suite is fetched by ``make test`` (``tests/helpers/fetch_w3c_shacl.py``) into ``tests/.w3c-shacl/``;
nothing here touches the network. Manifests are read as pySHACL's own ``test/helpers.py`` reads them:
``mf:include`` recursively, each ``mf:entries`` item of type ``sht:Validate`` with an ``mf:action``
(``sht:dataGraph``, ``sht:shapesGraph``) and an ``mf:result`` (a ``sh:ValidationReport`` or
``sht:Failure``).

Results are compared as a multiset of keys (focus node, path, value, severity, source shape, source
constraint component). A blank node is compared by its structure: its outgoing triples, recursively
(a shape, a property path, a data node), in whichever graph describes it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib.term import Node

SUITE = Path(__file__).resolve().parents[1] / ".w3c-shacl" / "sht_tests"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = rdflib.Namespace("http://www.w3.org/ns/shacl-test#")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")

#: (focus, path, value, severity, shape, component), each term described (see :func:`describe`).
Key = tuple[str, str, str, str, str, str]

#: Outcomes per engine, for the terminal summary: engine -> test id -> outcome.
SUMMARY: dict[str, dict[str, str]] = {}


@dataclass(frozen=True)
class Entry:
    """One sht:Validate test."""

    id: str  # e.g. core/node/datatype-001
    label: str
    data: Path
    shapes: Path
    manifest: rdflib.Graph
    result: Node

    @property
    def failure_expected(self) -> bool:
        return self.result == SHT.Failure

    def expected(self) -> tuple[bool, Counter[Key]]:
        """The expected conformance and results."""
        g = self.manifest
        conforms = g.value(self.result, SH.conforms)
        keys = Counter(key(g, r, [g]) for r in g.objects(self.result, SH.result))
        return bool(conforms is not None and conforms.toPython()), keys


def _path(uri: str) -> Path:
    return Path(uri.removeprefix("file://"))


def entries(root: Path = SUITE) -> list[Entry]:
    """Every sht:Validate test of the suite under ``root``, in manifest order."""
    found: list[Entry] = []
    _read(root / "manifest.ttl", root, found, 0)
    return found


def _read(manifest: Path, root: Path, found: list[Entry], depth: int) -> None:
    if depth > 10:
        raise RuntimeError(f"manifest include chain too deep at {manifest}")
    g = rdflib.Graph()
    g.parse(manifest, format="turtle", publicID=manifest.as_uri())
    (node,) = g.subjects(rdflib.RDF.type, MF.Manifest)
    for include in g.objects(node, MF.include):
        _read(_path(str(include)), root, found, depth + 1)
    for head in g.objects(node, MF.entries):
        for item in g.items(head):
            if (item, rdflib.RDF.type, SHT.Validate) not in g:
                continue
            action = g.value(item, MF.action)
            result = g.value(item, MF.result)
            assert action is not None and result is not None, item
            data, shapes = g.value(action, SHT.dataGraph), g.value(action, SHT.shapesGraph)
            assert data is not None and shapes is not None, item
            test_id = str(_path(str(item)).relative_to(root)).removesuffix(".ttl")
            if test_id.endswith("manifest"):  # entries named inside a manifest: <manifest.ttl#x>
                test_id = str(item).split("sht_tests/")[-1]
            found.append(
                Entry(
                    test_id,
                    str(g.value(item, rdflib.RDFS.label) or ""),
                    _path(str(data)),
                    _path(str(shapes)),
                    g,
                    result,
                )
            )


def describe(
    term: Node | None, graphs: Iterable[rdflib.Graph], depth: int = 0, seen: frozenset[Node] = frozenset()
) -> str:
    """``term`` as comparable text: N3 for IRIs and literals, its outgoing triples for a blank node."""
    if term is None:
        return "-"
    if not isinstance(term, rdflib.BNode):
        return term.n3()
    graphs = list(graphs)
    if depth > 6 or term in seen:
        return "[...]"
    for g in graphs:
        pairs = list(g.predicate_objects(term))
        if pairs:
            if (term, rdflib.RDF.first, None) in g:  # a list, in order
                return "(" + " ".join(describe(i, graphs, depth + 1, seen | {term}) for i in g.items(term)) + ")"
            inner = sorted(f"{p.n3()} {describe(o, graphs, depth + 1, seen | {term})}" for p, o in pairs)
            return "[" + "; ".join(inner) + "]"
    return "[]"


def key(report: rdflib.Graph, result: Node, graphs: list[rdflib.Graph]) -> Key:
    """The key of one sh:ValidationResult node of ``report`` (blank nodes described in ``graphs``)."""

    def d(p: rdflib.URIRef) -> str:
        return describe(report.value(result, p), graphs)

    return (
        d(SH.focusNode),
        d(SH.resultPath),
        d(SH.value),
        d(SH.resultSeverity),
        d(SH.sourceShape),
        d(SH.sourceConstraintComponent),
    )


@dataclass
class Outcome:
    """What one engine made of one test."""

    failure: str | None = None  # the error, if the engine refused the input
    declined: dict[str, str] = field(default_factory=dict)  # shape -> reason (fast engine, strict)
    results: Counter[Key] = field(default_factory=Counter)
    messages: Counter[tuple[Key, tuple[str, ...]]] = field(default_factory=Counter)

    def keys(self) -> Iterator[Key]:
        return self.results.elements()
