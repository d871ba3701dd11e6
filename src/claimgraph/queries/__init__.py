"""Canned queries: ``.rq`` files and their ``#+`` headers, typed parameters, contradictions, tables.

Owns what a query file means (:class:`Query`), how parameters become RDF terms, how contradiction
pairs are found, merged per pair and explained (:func:`find_contradictions`; each side by
:mod:`~claimgraph.queries.explain`, each reason's chain of declared statements by
:mod:`~claimgraph.queries.reasons`) and how results are shown. May import the base modules,
:mod:`claimgraph.sparql` and :mod:`claimgraph.io`.
"""

from claimgraph.queries.contradictions import Contradiction, find_contradictions
from claimgraph.queries.explain import Side, explain_claims
from claimgraph.queries.files import Query, canned_queries, load_query, run_query
from claimgraph.queries.reasons import Link, Reason

__all__ = [
    "Contradiction",
    "Link",
    "Query",
    "Reason",
    "Side",
    "canned_queries",
    "explain_claims",
    "find_contradictions",
    "load_query",
    "run_query",
]
