"""claimgraph: provenance-checked knowledge graphs of claims, actors and sources."""

from importlib.metadata import version

from claimgraph.authoring import NewSource, Selectors, add_source, find_quote, locate_quote
from claimgraph.errors import (
    AmbiguousQuoteError,
    ArchiveConflictError,
    AuthoringError,
    AuthoringValueError,
    ClaimgraphError,
    DataDirectoryError,
    DuplicateGraphError,
    EndpointError,
    GraphFileExistsError,
    GraphNotFoundError,
    IdentifierInUseError,
    InputError,
    LoadError,
    OutputError,
    QueryError,
    QueryHeaderError,
    QueryNotFoundError,
    QueryParameterError,
    QuerySyntaxError,
    QuoteNotFoundError,
    RemoteReferenceError,
    RevisionError,
    ServerError,
    UnknownKindError,
)
from claimgraph.io.dataset import Dataset, load_dataset
from claimgraph.io.export import dataset_quads, serialize
from claimgraph.io.positions import SourcePosition
from claimgraph.project import bundled_data_dir
from claimgraph.queries.contradictions import Contradiction, find_contradictions
from claimgraph.queries.files import Query, canned_queries, load_query, run_query
from claimgraph.sparql.engines import EmbeddedEngine, Engine, QueryResults, RemoteEngine
from claimgraph.sparql.transport import Credentials
from claimgraph.stores.load import LoadResult, load_quads
from claimgraph.stores.remote import fetch_dataset
from claimgraph.stores.serve import read_only_server
from claimgraph.validation.api import Severity, ValidationReport, ValidationResult, validate
from claimgraph.validation.incremental import IncrementalReport, changes_named, changes_since, validate_changes
from claimgraph.validation.render import ReportContext, report_context

__version__ = version("claimgraph")

__all__ = [
    "AmbiguousQuoteError",
    "ArchiveConflictError",
    "AuthoringError",
    "AuthoringValueError",
    "ClaimgraphError",
    "Contradiction",
    "Credentials",
    "DataDirectoryError",
    "Dataset",
    "DuplicateGraphError",
    "EmbeddedEngine",
    "EndpointError",
    "Engine",
    "GraphFileExistsError",
    "GraphNotFoundError",
    "IdentifierInUseError",
    "IncrementalReport",
    "InputError",
    "LoadError",
    "LoadResult",
    "NewSource",
    "OutputError",
    "Query",
    "QueryError",
    "QueryHeaderError",
    "QueryNotFoundError",
    "QueryParameterError",
    "QueryResults",
    "QuerySyntaxError",
    "QuoteNotFoundError",
    "RemoteEngine",
    "RemoteReferenceError",
    "ReportContext",
    "RevisionError",
    "Selectors",
    "ServerError",
    "Severity",
    "SourcePosition",
    "UnknownKindError",
    "ValidationReport",
    "ValidationResult",
    "__version__",
    "add_source",
    "bundled_data_dir",
    "canned_queries",
    "changes_named",
    "changes_since",
    "dataset_quads",
    "fetch_dataset",
    "find_contradictions",
    "find_quote",
    "load_dataset",
    "load_quads",
    "load_query",
    "locate_quote",
    "read_only_server",
    "report_context",
    "run_query",
    "serialize",
    "validate",
    "validate_changes",
]
