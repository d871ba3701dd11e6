"""What the shapes read: how many hops from a focus node each shape can look, so a change's reach is known.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from claimgraph.namespaces import SH, VOID

if TYPE_CHECKING:
    import rdflib



class FullRunNeeded(Exception):
    """The incremental reasoning does not apply; ``str()`` says why."""


# ---------------------------------------------------------------------------------------------------
# What the shapes read
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """What validating one focus node reads: triples of nodes within ``depth`` hops along ``predicates``.

    :ivar object_targets: predicates whose objects are focus nodes (sh:targetObjectsOf): a change to
        such a triple affects its object.
    :ivar inverse: predicates a SPARQL constraint also reads backwards, from a value to the other
        subjects that have it (``$this cg:sha256 ?h . ?other cg:sha256 ?h``): a hop from a node to its
        value and on to every node sharing that value, literals included (the index keeps them).
    """

    predicates: frozenset[str]
    depth: int
    object_targets: frozenset[str] = frozenset()
    inverse: frozenset[str] = frozenset()


_NESTED = ("node", "not", "qualifiedValueShape", "property")
_LISTS = ("and", "or", "xone")


def shape_reach(shapes: rdflib.Graph) -> Reach:
    """The predicates the shapes follow from a focus node and the greatest depth they read.

    :raises FullRunNeeded: if a shape reads in a way the analysis does not follow.
    """
    import rdflib

    sh = rdflib.Namespace(SH)
    if next(shapes.subjects(sh.target, None), None) is not None:
        raise FullRunNeeded("a shape uses sh:target")
    if next(shapes.subjects(rdflib.RDF.type, sh.ConstraintComponent), None) is not None:
        raise FullRunNeeded("the shapes define a constraint component of their own")
    for kind in (rdflib.RDFS.Class, rdflib.OWL.Class):
        for node in shapes.subjects(rdflib.RDF.type, kind):
            if (node, rdflib.RDF.type, sh.NodeShape) in shapes or (node, rdflib.RDF.type, sh.PropertyShape) in shapes:
                raise FullRunNeeded(f"{node} is a shape and a class (an implicit target)")
    predicates: set[str] = set()
    inverse: set[str] = set()
    memo: dict[Any, int] = {}

    def reads(shape: Any, active: frozenset[Any]) -> int:
        """Greatest depth, from the shape's focus node, of a node whose triples the shape reads."""
        if shape in memo:
            return memo[shape]
        if shape in active:
            raise FullRunNeeded(f"recursive shape {shape}")
        active = active | {shape}
        operands = [o for local in _NESTED for o in shapes.objects(shape, sh[local])]
        operands += [i for local in _LISTS for lst in shapes.objects(shape, sh[local]) for i in shapes.items(lst)]
        nested = max((reads(o, active) for o in operands), default=0)
        own = max(
            (_sparql_reach(shapes, c, predicates, inverse) for c in shapes.objects(shape, sh.sparql)), default=0
        )
        path = shapes.value(shape, sh.path)
        if path is None:
            depth = max(nested, own)
        elif isinstance(path, rdflib.URIRef):
            # Values are one hop away; only a class or a nested shape reads their triples.
            reads_values = bool(operands) or (shape, sh["class"], None) in shapes
            if reads_values:
                predicates.add(str(path))
            depth = max(1 + nested if reads_values else 0, own)
        else:
            raise FullRunNeeded(f"shape {shape} has a complex sh:path")
        memo[shape] = depth
        return depth

    targeted = {
        s
        for local in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
        for s in shapes.subjects(sh[local], None)
    }
    depth = max((reads(s, frozenset()) for s in targeted), default=0)
    objects = frozenset(str(p) for p in shapes.objects(None, sh.targetObjectsOf))
    return Reach(frozenset(predicates), depth, objects, frozenset(inverse))


def _sparql_reach(shapes: rdflib.Graph, constraint: Any, predicates: set[str], inverse: set[str]) -> int:
    """Depth read by a SHACL-SPARQL constraint: the longest chain from ``$this`` to a triple's subject.

    A triple whose object is reached and whose subject is not (``?other cg:sha256 ?h``, with ``?h``
    the focus node's value) is read backwards: its predicate joins ``inverse``, and its subject is a
    hop further than its object.

    Read from the ontology, not followed: the declarations of the terms a node uses (the triples of a
    variable in predicate position, or of a type's class) and the vocabularies (void:vocabulary),
    whose files every incremental run loads (a change to them is a full run).
    """
    import rdflib
    from rdflib.plugins.sparql.parser import parseQuery

    sh = rdflib.Namespace(SH)
    query = shapes.value(constraint, sh.select) or shapes.value(constraint, sh.ask)
    if query is None:
        raise FullRunNeeded(f"SPARQL constraint {constraint} has no sh:select")
    namespaces = {
        str(shapes.value(d, sh.prefix)): str(shapes.value(d, sh.namespace))
        for source in shapes.objects(constraint, sh.prefixes)
        for d in shapes.objects(source, sh.declare)
    }
    try:
        # The parse tree, not rdflib's algebra: translating it drops filters nested in NOT EXISTS.
        tree = parseQuery(str(query))
    except Exception as error:
        raise FullRunNeeded(f"SPARQL constraint rdflib cannot parse: {error}") from None
    for declaration in _parts(tree, "PrefixDecl"):
        namespaces[str(declaration["prefix"] or "")] = str(declaration["iri"])

    def iri(term: Any) -> Any:
        if getattr(term, "name", None) == "pname":
            prefix = str(term["prefix"] or "")
            if prefix not in namespaces:
                raise FullRunNeeded(f"undeclared prefix {prefix}: in a SPARQL constraint")
            return rdflib.URIRef(namespaces[prefix] + str(dict.get(term, "localname") or ""))
        return term

    def hops(path: Any) -> int | None:
        """Hops along a predicate or path; None for a type test (its object is a class, read from the
        ontology); 0 for a variable predicate (what it reaches is not followed: checked below)."""
        path = iri(path)
        if isinstance(path, rdflib.Variable):
            return 0
        if isinstance(path, rdflib.URIRef):
            if path == rdflib.RDF.type:
                return None
            predicates.add(str(path))
            return 1
        name = getattr(path, "name", None)
        if name == "PathAlternative" and len(path["part"]) == 1:
            return hops(path["part"][0])
        if name == "PathAlternative" and all(hops(part) is None for part in path["part"]):
            return None  # rdf:type|rdf:type/rdfs:subClassOf+
        if name == "PathElt" and dict.get(path, "mod") is None:
            return hops(path["part"])
        if name == "PathSequence":
            steps = list(path["part"])
            rest = [iri(s["part"]) if dict.get(s, "mod") in ("*", "+") else None for s in steps[1:]]
            if hops(steps[0]) is None and all(r == rdflib.RDFS.subClassOf for r in rest):
                return None  # rdf:type/rdfs:subClassOf* or +
            counts = [hops(s) for s in steps]
            if None in counts:
                raise FullRunNeeded("rdf:type inside a longer path in a SPARQL constraint")
            return sum(c for c in counts if c is not None)
        raise FullRunNeeded(f"a SPARQL constraint follows {path!r} (only IRIs and sequences are followed)")

    def simple(path: Any) -> Any:
        """The IRI or variable a path of one plain step is, else the path."""
        name = getattr(path, "name", None)
        if name in ("PathAlternative", "PathSequence") and len(path["part"]) == 1:
            return simple(path["part"][0])
        if name == "PathElt" and dict.get(path, "mod") is None:
            return simple(path["part"])
        return iri(path)

    statements = [
        (flat[i], simple(flat[i + 1]), flat[i + 1], iri(flat[i + 2]))
        for block in _parts(tree, "TriplesBlock")
        for flat in (list(t) for t in block["triples"])
        for i in range(0, len(flat), 3)
    ]
    schema = {p for _, p, _, _ in statements if isinstance(p, rdflib.Variable)}
    schema |= {o for _, p, _, o in statements if p == rdflib.RDF.type}
    vocabulary = rdflib.URIRef(VOID.vocabulary)
    triples = [(s, hops(path), o, p) for s, p, path, o in statements if s not in schema and p != vocabulary]
    blind = {o for _, p, _, o in statements if isinstance(p, rdflib.Variable)}
    distance: dict[Any, int] = {rdflib.Variable("this"): 0}
    for _ in range(len(triples) + 1):  # longest chains settle in as many rounds as there are triples
        for s, step, o, _ in triples:
            if s in distance and step is not None and distance[s] + step > distance.get(o, -1):
                distance[o] = distance[s] + step
        for s, step, o, p in triples:
            if s not in distance and o in distance and isinstance(o, rdflib.Variable):
                if step != 1 or not isinstance(p, rdflib.URIRef):
                    raise FullRunNeeded(f"a SPARQL constraint reads {s.n3()} backwards along a path")
                inverse.add(str(p))
                distance[s] = distance[o] + 1
    followed = [s for s, _, _, _ in triples if s in blind]
    if followed:
        raise FullRunNeeded(f"a SPARQL constraint reads {followed[0].n3()}, reached by a variable predicate")
    unreached = [s for s, _, _, _ in triples if s not in distance]
    if unreached:
        raise FullRunNeeded(f"a SPARQL constraint reads {unreached[0].n3()}, not reached from $this")
    depth = max((distance[s] for s, _, _, _ in triples), default=0)
    if depth > 2 * len(triples):
        raise FullRunNeeded("a cycle in a SPARQL constraint's pattern")
    return depth


def _parts(node: Any, name: str) -> Iterator[Any]:
    """Every element called ``name`` of an rdflib SPARQL parse tree, at any depth."""
    if getattr(node, "name", None) == name:
        yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _parts(value, name)
    elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        for item in node:
            yield from _parts(item, name)


