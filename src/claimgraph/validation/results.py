"""One SHACL validation result and its severity, as every engine and report format sees them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Severity", "ValidationResult"]


_SH = "http://www.w3.org/ns/shacl#"


class Severity(StrEnum):
    """SHACL severities, most severe first.

    A shape may also state a severity of its own (``sh:severity ex:MySeverity``): ``Severity(iri)``
    then gives a member (not listed among the three) whose value is that IRI. Such a severity ranks
    after sh:Info and, like sh:Info, never makes the data fail: SHACL gives no meaning to it, and
    claimgraph fails only on violations (and on warnings unless they are allowed).
    """

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"

    @classmethod
    def _missing_(cls, value: object) -> Severity | None:
        if not isinstance(value, str) or ":" not in value:
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    @classmethod
    def of(cls, iri: object) -> Severity:
        """sh:Violation, sh:Warning, sh:Info or a custom severity (an IRI or rdflib term)."""
        text = str(iri)
        local = text.removeprefix(_SH)
        return cls(local) if local in _RANK_BY_VALUE else cls(text)

    @property
    def iri(self) -> str:
        return _SH + self.value if self.value in _RANK_BY_VALUE else self.value

    @property
    def curie(self) -> str:
        """``sh:Violation``; a custom severity as ``<iri>``."""
        return f"sh:{self.value}" if self.value in _RANK_BY_VALUE else f"<{self.value}>"


_RANK_BY_VALUE = {"Violation": 0, "Warning": 1, "Info": 2}
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
    #: The term a misspelt one most likely meant (from the shape's cg:suggestionQuery), if any.
    suggestion: str | None = field(default=None, compare=False)

    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (_RANK.get(self.severity, 3), self.shape, self.focus, self.path or "", self.value or "")
