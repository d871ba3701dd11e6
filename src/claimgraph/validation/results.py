"""One SHACL validation result and its severity, as every engine and report format sees them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Severity", "ValidationResult"]


class Severity(StrEnum):
    """SHACL severities, most severe first."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"


_RANK = {Severity.VIOLATION: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, order=True)
class ValidationResult:
    """One SHACL result, with terms as IRIs or literal lexical forms."""

    severity: Severity
    shape: str
    focus: str
    path: str | None
    value: str | None
    component: str
    message: str

    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (_RANK[self.severity], self.shape, self.focus, self.path or "", self.value or "")
