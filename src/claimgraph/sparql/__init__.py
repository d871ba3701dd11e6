"""SPARQL everywhere: the one lexer, results documents, the embedded and remote engines, HTTP transport.

Owns how a query reaches an engine and how its answer comes back as pyoxigraph terms
(:class:`QueryResults`), whichever engine ran it. May import only the base modules
(errors, namespaces, terms, project): the loader in :mod:`claimgraph.io` builds on it.
"""

from claimgraph.sparql.engines import Binding, EmbeddedEngine, Engine, QueryResults, RemoteEngine, binding_text
from claimgraph.sparql.lexer import QueryShape, refuse_service, scan, values_block, values_blocks
from claimgraph.sparql.transport import Credentials

__all__ = [
    "Binding",
    "Credentials",
    "EmbeddedEngine",
    "Engine",
    "QueryResults",
    "QueryShape",
    "RemoteEngine",
    "binding_text",
    "refuse_service",
    "scan",
    "values_block",
    "values_blocks",
]
