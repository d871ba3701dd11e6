"""SHACL validation compiled to SPARQL and run inside the embedded Oxigraph store, or through an engine
inside a store behind an endpoint (standard SPARQL, in forms that real stores read alike: docs/stores.md).

Organised as pySHACL organises its own: one class per constraint component (:mod:`.values`,
:mod:`.counts`, :mod:`.logical`, :mod:`.pairs`, :mod:`.sparql_based`), each registered by its sh:
parameters in :data:`COMPONENTS` (:mod:`.core`). A component turns a shape's parameters into checks —
one SPARQL query for all focus nodes at once, and how its rows become results — or, inside another
shape, into SPARQL conditions. The results are pySHACL's, field for field; where SPARQL and Python
could judge a literal differently, pySHACL's own component decides (through
:mod:`claimgraph.validation.reference`). A shape that uses anything else is reported by
:func:`compile_shapes` and validated by pySHACL itself (:mod:`.run`). May import the base modules,
:mod:`claimgraph.sparql` and :mod:`claimgraph.validation.reference`.
"""

from claimgraph.validation.compiler.base import Finding, Unsupported, UnsupportedShapesError
from claimgraph.validation.compiler.core import COMPONENTS, SUPPORTED
from claimgraph.validation.compiler.run import CompiledShapes, compile_shapes

__all__ = [
    "COMPONENTS",
    "SUPPORTED",
    "CompiledShapes",
    "Finding",
    "Unsupported",
    "UnsupportedShapesError",
    "compile_shapes",
]
