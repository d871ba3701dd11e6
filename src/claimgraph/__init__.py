"""claimgraph: provenance-checked knowledge graphs of claims, actors and sources."""

from importlib.metadata import version

from .dataset import Dataset, bundled_data_dir, load_dataset
from .errors import ClaimgraphError, DataDirectoryError, DuplicateGraphError, InputError, OutputError
from .validate import Severity, ValidationReport, ValidationResult, validate

__version__ = version("claimgraph")

__all__ = [
    "ClaimgraphError",
    "DataDirectoryError",
    "Dataset",
    "DuplicateGraphError",
    "InputError",
    "OutputError",
    "Severity",
    "ValidationReport",
    "ValidationResult",
    "__version__",
    "bundled_data_dir",
    "load_dataset",
    "validate",
]
