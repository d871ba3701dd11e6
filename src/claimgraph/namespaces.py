"""The IRIs claimgraph uses, defined once for code, tests, queries and Turtle alike."""

from __future__ import annotations

from typing import Final


class Namespace(str):
    """An IRI prefix; attribute access gives full IRIs (``CG.Claim``)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        return self + name

    def term(self, name: str) -> str:
        """The IRI of ``name`` in this namespace (for names that are not identifiers)."""
        return self + name


CG: Final = Namespace("https://w3id.org/claimgraph/ontology#")
CGSH: Final = Namespace("https://w3id.org/claimgraph/shapes#")
ID: Final = "https://w3id.org/claimgraph/id/"
ACTOR: Final = Namespace(ID + "actor/")
CLAIM: Final = Namespace(ID + "claim/")
PROP: Final = Namespace(ID + "prop/")
DOC: Final = Namespace(ID + "doc/")
PLACE: Final = Namespace(ID + "place/")
EVENT: Final = Namespace(ID + "event/")
PROPOSAL: Final = Namespace(ID + "proposal/")
EVIDENCE: Final = Namespace(ID + "evidence/")
ANCHOR: Final = Namespace(ID + "anchor/")
RELAY: Final = Namespace(ID + "relay/")
NONRESPONSE: Final = Namespace(ID + "nonresponse/")
ROLE: Final = Namespace(ID + "role/")
GRAPH: Final = Namespace(ID + "graph/")

PROV: Final = Namespace("http://www.w3.org/ns/prov#")
SCHEMA: Final = Namespace("https://schema.org/")
OA: Final = Namespace("http://www.w3.org/ns/oa#")
DCTERMS: Final = Namespace("http://purl.org/dc/terms/")
SKOS: Final = Namespace("http://www.w3.org/2004/02/skos/core#")
OWL: Final = Namespace("http://www.w3.org/2002/07/owl#")
RDF: Final = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS: Final = Namespace("http://www.w3.org/2000/01/rdf-schema#")
XSD: Final = Namespace("http://www.w3.org/2001/XMLSchema#")
SH: Final = Namespace("http://www.w3.org/ns/shacl#")
VOID: Final = Namespace("http://rdfs.org/ns/void#")
#: W3C SPARQL 1.1 Service Description: the catalog of named graphs in graph:derived.
SD: Final = Namespace("http://www.w3.org/ns/sparql-service-description#")

#: The ontology, its shapes, and the graphs the loader derives: the archived texts, and the closures
#: the queries read (docs/queries.md, "The derived graph").
ONTOLOGY_GRAPH: Final = "https://w3id.org/claimgraph/ontology"
SHAPES_GRAPH: Final = "https://w3id.org/claimgraph/shapes"
ARCHIVE_GRAPH: Final = GRAPH.archive
DERIVED_GRAPH: Final = GRAPH.derived
#: The dataset a load puts in a store, as the catalog in graph:derived names it (its named graphs).
DATASET: Final = ID + "dataset"

#: Prefix bindings shared by Turtle output, SPARQL and CURIE display, longest IRI first wins.
PREFIXES: Final[dict[str, str]] = {
    "cg": CG,
    "cgsh": CGSH,
    "actor": ACTOR,
    "claim": CLAIM,
    "prop": PROP,
    "doc": DOC,
    "place": PLACE,
    "event": EVENT,
    "proposal": PROPOSAL,
    "evidence": EVIDENCE,
    "anchor": ANCHOR,
    "relay": RELAY,
    "nonresponse": NONRESPONSE,
    "role": ROLE,
    "graph": GRAPH,
    "prov": PROV,
    "schema": SCHEMA,
    "oa": OA,
    "dcterms": DCTERMS,
    "skos": SKOS,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "void": VOID,
    "xsd": XSD,
    "sh": SH,
}

_BY_LENGTH: Final = sorted(PREFIXES.items(), key=lambda item: len(item[1]), reverse=True)


def curie(iri: str) -> str:
    """Compact ``iri`` with the shared prefixes, or return it unchanged."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if local and "/" not in local and "#" not in local:
                return f"{prefix}:{local}"
    return iri


def expand(text: str) -> str | None:
    """The IRI of a CURIE with a shared prefix (``actor:reuters``), or ``None`` if ``text`` is not one."""
    prefix, colon, local = text.partition(":")
    if not colon or prefix not in PREFIXES or local.startswith("//"):
        return None
    return PREFIXES[prefix] + local


def sparql_prefixes() -> str:
    """PREFIX declarations for every shared prefix."""
    return "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())
