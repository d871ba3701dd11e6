"""Canned queries: ``.rq`` files and their ``#+`` headers, typed parameters, contradictions, tables.

Owns what a query file means (:class:`Query`), how parameters become RDF terms, how contradiction
pairs are found and explained (:func:`find_contradictions`) and how results are shown. May import the
base modules, :mod:`claimgraph.sparql` and :mod:`claimgraph.io`.
"""

from claimgraph.queries.contradictions import Contradiction, Side, explain_claims, find_contradictions
from claimgraph.queries.files import Query, canned_queries, load_query, run_query

__all__ = [
    "Contradiction",
    "Query",
    "Side",
    "canned_queries",
    "explain_claims",
    "find_contradictions",
    "load_query",
    "run_query",
]
