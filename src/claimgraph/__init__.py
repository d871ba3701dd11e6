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
    OutputError,
    QueryError,
    QueryHeaderError,
    QueryNotFoundError,
    QueryParameterError,
    QuerySyntaxError,
    QuoteNotFoundError,
    UnknownKindError,
)
from .formats import ReportContext, report_context
from .positions import SourcePosition
from .queries import Contradiction, Query, canned_queries, find_contradictions, load_query, run_query
from .remote import fetch_dataset
from .stores import EmbeddedEngine, Engine, QueryResults, RemoteEngine
from .validate import Severity, ValidationReport, ValidationResult, validate

__version__ = version("claimgraph")

__all__ = [
    "AmbiguousQuoteError",
    "ArchiveConflictError",
    "AuthoringError",
    "AuthoringValueError",
    "ClaimgraphError",
    "Contradiction",
    "DataDirectoryError",
    "Dataset",
    "DuplicateGraphError",
    "EmbeddedEngine",
    "EndpointError",
    "Engine",
    "GraphFileExistsError",
    "GraphNotFoundError",
    "IdentifierInUseError",
    "InputError",
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
    "ReportContext",
    "Selectors",
    "Severity",
    "SourcePosition",
    "UnknownKindError",
    "ValidationReport",
    "ValidationResult",
    "__version__",
    "add_source",
    "bundled_data_dir",
    "canned_queries",
    "fetch_dataset",
    "find_contradictions",
    "find_quote",
    "load_dataset",
    "load_query",
    "locate_quote",
    "report_context",
    "run_query",
    "validate",
]
