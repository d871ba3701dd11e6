"""Incremental validation: only the nodes a change can affect, with the full run's results on them.

Owns :func:`validate_changes` and what it needs: the reach of the shapes (``reach``), the index of data
files in ``.claimgraph/`` (``index``), what changed according to git (``changes``) and the run itself
(``run``). The guarantee and its limits are described in docs/validation-in-ci.md.
"""

from claimgraph.validation.incremental.changes import Changes, changes_named, changes_since
from claimgraph.validation.incremental.index import Index
from claimgraph.validation.incremental.reach import FullRunNeeded, Reach, shape_reach
from claimgraph.validation.incremental.run import IncrementalReport, validate_changes

__all__ = [
    "Changes",
    "FullRunNeeded",
    "IncrementalReport",
    "Index",
    "Reach",
    "changes_named",
    "changes_since",
    "shape_reach",
    "validate_changes",
]
