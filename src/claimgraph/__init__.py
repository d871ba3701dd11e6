"""claimgraph: provenance-checked knowledge graphs of claims, actors and sources, and their contradictions.

The curated API: load a dataset, validate it, query it, find contradictions, export it and load it into
a store, and add an article and what it says. Each room's fuller API lives in its subpackage
(:mod:`claimgraph.io`, :mod:`claimgraph.sparql`, :mod:`claimgraph.queries`, :mod:`claimgraph.validation`,
:mod:`claimgraph.stores`, :mod:`claimgraph.site`, :mod:`claimgraph.synth`, :mod:`claimgraph.authoring`);
errors are imported from :mod:`claimgraph.errors`.
"""

from claimgraph.authoring import add_actor, add_claim, add_nonresponse, add_proposition, add_source, locate_quote
from claimgraph.io import Dataset, load_dataset, serialize
from claimgraph.project import __version__, bundled_data_dir
from claimgraph.queries import Contradiction, Query, canned_queries, find_contradictions, load_query, run_query
from claimgraph.sparql import EmbeddedEngine, Engine, QueryResults, RemoteEngine
from claimgraph.stores import fetch_dataset, load_quads, read_only_server
from claimgraph.validation import Severity, ValidationReport, ValidationResult, validate, validate_changes

__all__ = [
    "Contradiction",
    "Dataset",
    "EmbeddedEngine",
    "Engine",
    "Query",
    "QueryResults",
    "RemoteEngine",
    "Severity",
    "ValidationReport",
    "ValidationResult",
    "__version__",
    "add_actor",
    "add_claim",
    "add_nonresponse",
    "add_proposition",
    "add_source",
    "bundled_data_dir",
    "canned_queries",
    "fetch_dataset",
    "find_contradictions",
    "load_dataset",
    "load_quads",
    "load_query",
    "locate_quote",
    "read_only_server",
    "run_query",
    "serialize",
    "validate",
    "validate_changes",
]
