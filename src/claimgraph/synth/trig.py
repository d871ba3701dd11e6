"""Writing TriG as text (no RDF library, so a million triples take seconds): prefixes, subjects, literals."""

from __future__ import annotations

from claimgraph.namespaces import (
    ACTOR,
    ANCHOR,
    CG,
    CLAIM,
    DCTERMS,
    DOC,
    EVIDENCE,
    GRAPH,
    NONRESPONSE,
    OA,
    PLACE,
    PROP,
    PROPOSAL,
    RDFS,
    RELAY,
    SCHEMA,
    XSD,
)

__all__ = ["Writer", "english", "literal"]

PREFIXES = {
    "cg": CG,
    "actor": ACTOR,
    "claim": CLAIM,
    "prop": PROP,
    "proposal": PROPOSAL,
    "doc": DOC,
    "place": PLACE,
    "evidence": EVIDENCE,
    "anchor": ANCHOR,
    "relay": RELAY,
    "nonresponse": NONRESPONSE,
    "graph": GRAPH,
    "oa": OA,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
    "rdfs": RDFS,
    "xsd": XSD,
}
HEADER = "".join(f"@prefix {p + ':':<13}<{iri}> .\n" for p, iri in PREFIXES.items())


class Writer:
    """Writes one named graph as TriG, the prefixes first, a subject at a time, counting its triples."""

    __slots__ = ("count", "out")

    def __init__(self, graph: str) -> None:
        self.out = [HEADER, f"\n{graph} {{\n\n"]
        self.count = 0

    def subject(self, term: str) -> None:
        self.out.append(f"    {term}\n")

    def node(self, term: str, cls: str, label: str) -> None:
        """Start describing ``term``: its class and English label."""
        self.subject(term)
        self.po("a", cls)
        self.po("rdfs:label", english(label))

    def po(self, predicate: str, obj: str) -> None:
        self.out.append(f"        {predicate} {obj} ;\n")
        self.count += 1

    def end(self) -> None:
        last = self.out[-1]
        self.out[-1] = last[:-3] + " .\n\n"

    def text(self) -> str:
        """The graph's TriG, closed."""
        return "".join(self.out) + "}\n"


def literal(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def english(value: str) -> str:
    return literal(value) + "@en"
