"""The dataset as it leaves claimgraph, as deterministic RDF files.

What leaves is :func:`dataset_quads`: every graph but the shapes — the ontology, the data graphs and
the two graphs the loader derives, ``graph:archive`` (remote validation reads the archived texts from
it) and ``graph:derived`` (the closures the canned queries read: a store without it finds less). Files
are deterministic (:func:`serialize`). ``claimgraph.stores.serve`` serves the same quads as a SPARQL
endpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

from claimgraph.errors import ExportFormatError
from claimgraph.io.dataset import Dataset
from claimgraph.namespaces import DERIVED_GRAPH, PREFIXES, SHAPES_GRAPH

#: Export formats by name. Formats without named graphs get the union of the graphs.
EXPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}

#: The export format each file suffix means.
SUFFIXES: dict[str, str] = {
    ".trig": "trig",
    ".nq": "nq",
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "jsonld",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
}

_Graph = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def export_format(path: Path | None, fmt: str | None, *, default: str = "trig") -> str:
    """The format to write ``path`` in: ``fmt`` if given, else the one its suffix means, else ``default``.

    :param path: the output file (``None`` or ``-``: standard output, no suffix to go by).
    :raises ExportFormatError: if the suffix means another format than ``fmt``, or no format at all
        when ``fmt`` is not given.
    """
    if path is None or str(path) == "-" or not path.suffix:
        return fmt or default
    meant = SUFFIXES.get(path.suffix.lower())
    if (fmt is None and meant is None) or (fmt is not None and meant is not None and meant != fmt):
        raise ExportFormatError(path, path.suffix, meant=meant, fmt=fmt, known=list(SUFFIXES))
    return fmt or meant or default


def dataset_quads(dataset: Dataset, *, derived: bool = True) -> list[ox.Quad]:
    """What a triple store should hold: every quad of ``dataset`` except those of the shapes graph (and
    of the derived graph, without ``derived``)."""
    left_out = _left_out(derived)
    return [q for q in dataset.store if q.graph_name not in left_out]


def _left_out(derived: bool) -> set[ox.NamedNode]:
    return {ox.NamedNode(SHAPES_GRAPH)} | (set() if derived else {ox.NamedNode(DERIVED_GRAPH)})


def _term_key(term: _Graph) -> str:
    # The default graph sorts first; everything else by its N-Triples form.
    return "" if isinstance(term, ox.DefaultGraph) else str(term)


def _write(statements: Iterable[ox.Quad] | Iterable[ox.Triple], rdf_format: ox.RdfFormat) -> bytes:
    written = ox.serialize(statements, format=rdf_format, prefixes=dict(PREFIXES))
    assert written is not None  # no output file given: the bytes are returned
    return written


def _sorted_lines(written: bytes) -> bytes:
    """N-Triples or N-Quads statements without repeats, sorted by subject, predicate, object (then graph).

    Sorting the lines as bytes sorts by the terms' N-Triples forms (UTF-8 keeps code point order): the
    space after a term sorts before whatever follows where one term's form is the start of another's
    (a literal's ``@`` or ``^^``, a blank-node label's next character).
    """
    return b"".join(sorted(set(written.splitlines(keepends=True))))


def _statements(graphs: Iterable[_Graph], quads_of: Callable[[_Graph], Iterable[ox.Quad]], *, union: bool) -> bytes:
    """N-Quads of ``graphs`` sorted by graph, subject, predicate and object; or, for the ``union``,
    N-Triples of their triples sorted by subject, predicate and object. Serialising and sorting
    lines keeps the work in Oxigraph's writer and on bytes, not on millions of term objects."""
    ordered = sorted(graphs, key=_term_key)
    if union:
        return _sorted_lines(b"".join(_write((q.triple for q in quads_of(g)), ox.RdfFormat.N_TRIPLES) for g in ordered))
    return b"".join(_sorted_lines(_write(quads_of(g), ox.RdfFormat.N_QUADS)) for g in ordered)


def _canonical_statements(quads: Iterable[ox.Quad], *, union: bool) -> bytes:
    """:func:`_statements` of ``quads`` (or of their triples: ``union``), blank nodes named by RDFC-1.0."""
    dataset = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object) for q in quads) if union else ox.Dataset(quads)
    if any(isinstance(t, ox.BlankNode) for q in dataset for t in (q.subject, q.object, q.graph_name)):
        # Blank-node labels are random per load; RDFC-1.0 names them from the graph's shape alone. The
        # union is canonicalised as a graph of its own: its labels must not depend on the graph names.
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return _statements({q.graph_name for q in dataset}, dataset.quads_for_graph_name, union=union)


def _export_statements(data: Dataset | Iterable[ox.Quad], *, union: bool, derived: bool) -> bytes:
    if not isinstance(data, Dataset):
        return _canonical_statements(data, union=union)
    store, left_out = data.store, _left_out(derived)
    graphs: list[_Graph] = [ox.DefaultGraph(), *(g for g in store.named_graphs() if g not in left_out)]
    written = _statements(graphs, lambda g: store.quads_for_pattern(None, None, None, g), union=union)
    if b"_:" not in written:
        return written  # no blank node (the bundled graph has none): nothing to name, no dataset to copy
    # Blank nodes, or "_:" inside a literal: canonicalising then is slower, never different.
    return _canonical_statements(dataset_quads(data, derived=derived), union=union)


def canonical_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """``quads`` without repeats, blank nodes relabelled by RDFC-1.0 (W3C RDF Dataset Canonicalization),
    sorted by graph, subject, predicate and object: the same dataset always gives the same list."""
    return list(ox.parse(_canonical_statements(quads, union=False), format=ox.RdfFormat.N_QUADS))


def serialize(data: Dataset | Iterable[ox.Quad], fmt: str, *, derived: bool = True) -> bytes:
    """``data`` (a dataset: its :func:`dataset_quads`; or quads) in the export format ``fmt``.

    Deterministic: the same quads give the same bytes, whatever their order or blank-node labels.
    trig, nq and jsonld keep the named graphs; turtle, nt and xml hold the union of all graphs.
    The shared prefixes of :data:`~claimgraph.namespaces.PREFIXES` are declared where the format has them.

    :param derived: whether a dataset's derived graph goes too (what a store needs for the canned queries).
    :raises KeyError: if ``fmt`` is not one of :data:`EXPORT_FORMATS`.
    """
    rdf_format = EXPORT_FORMATS[fmt]
    union = not rdf_format.supports_datasets
    statements = _export_statements(data, union=union, derived=derived)
    if rdf_format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES):
        return statements  # already sorted lines in that very format
    line_format = ox.RdfFormat.N_TRIPLES if union else ox.RdfFormat.N_QUADS
    return _write(ox.parse(statements, format=line_format), rdf_format)
