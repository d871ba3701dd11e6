"""claimgraph: provenance-checked knowledge graphs of claims, actors and sources."""

from importlib.metadata import version

from .authoring import NewSource, Selectors, add_source, find_quote, locate_quote
from .dataset import Dataset, bundled_data_dir, load_dataset
from .errors import (
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
from .export import dataset_quads, serialize
from .formats import ReportContext, report_context
from .incremental import IncrementalReport, changes_named, changes_since, validate_changes
from .load import LoadResult, load_quads
from .positions import SourcePosition
from .queries import Contradiction, Query, canned_queries, find_contradictions, load_query, run_query
from .remote import fetch_dataset
from .serve import read_only_server
from .stores import EmbeddedEngine, Engine, QueryResults, RemoteEngine
from .transport import Credentials
from .validate import Severity, ValidationReport, ValidationResult, validate

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
