"""The static HTML report and the network analysis behind its pictures.

Owns :func:`build_report` and its modules: :mod:`~claimgraph.site.context` gathers what the pages show
(claims, propositions, contradictions, validation results placed at file:line),
:mod:`~claimgraph.site.layout` lays out the pictures with networkx, :mod:`~claimgraph.site.ontology`
documents the ontology and shapes, and :mod:`~claimgraph.site.report` renders the Jinja2 templates of
``templates/`` and writes the site; :mod:`~claimgraph.site.network` builds the actor, claim and
contradiction graphs. May import every layer below it: the base modules, sparql, io, queries and
validation.
"""

from claimgraph.site.network import build_view, write_graph
from claimgraph.site.report import build_report

__all__ = ["build_report", "build_view", "write_graph"]
