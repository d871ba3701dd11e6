"""The static HTML report and the network analysis behind its pictures.

Owns :func:`build_report` (pages for documents, actors, contradictions and the ontology) and the actor,
claim and contradiction graphs of :mod:`claimgraph.site.network`. May import every layer below it:
the base modules, sparql, io, queries and validation.
"""

from claimgraph.site.network import build_view, write_graph
from claimgraph.site.report import build_report

__all__ = ["build_report", "build_view", "write_graph"]
