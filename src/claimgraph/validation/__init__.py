"""SHACL validation: the API and report types, the fast compiler, incremental runs, report formats.

Owns :func:`validate` (the fast engine, SHACL compiled to SPARQL on Oxigraph, with pySHACL as the
reference), :func:`validate_changes` (only what a change can affect) and the renderers (text, json,
turtle, junit, sarif). May import the base modules, :mod:`claimgraph.sparql` and :mod:`claimgraph.io`.
"""

from claimgraph.validation.api import ValidationReport, validate
from claimgraph.validation.incremental import IncrementalReport, changes_named, changes_since, validate_changes
from claimgraph.validation.render import RENDERERS, ReportContext, report_context
from claimgraph.validation.results import Severity, ValidationResult

__all__ = [
    "RENDERERS",
    "IncrementalReport",
    "ReportContext",
    "Severity",
    "ValidationReport",
    "ValidationResult",
    "changes_named",
    "changes_since",
    "report_context",
    "validate",
    "validate_changes",
]
