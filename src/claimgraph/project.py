"""Where the project's data is: the bundled ontology, shapes, graph and queries, the data root a command
works on, and the package version.

A base module (it imports nothing of claimgraph), so every layer can find the data.

The data root rule: a data root is a directory holding ``graph/`` (as a git work tree holds
``.git``). Unless one is named, it is found from the current directory upward; if none is found, the
bundled data is used. A root without ``ontology/`` (or ``queries/``) uses the bundled ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from importlib.metadata import version
from pathlib import Path

__all__ = ["DataRoot", "__version__", "bundled_data_dir", "find_data_root", "ontology_dir", "resolve_data_root"]

__version__ = version("claimgraph")


def bundled_data_dir() -> Path:
    """The ontology/, graph/ and queries/ shipped with claimgraph.

    An installed wheel carries them inside the package; a source checkout has them at its root.
    """
    packaged = Path(str(resources.files("claimgraph"))) / "data"
    if (packaged / "ontology").is_dir():
        return packaged
    return Path(__file__).resolve().parents[2]


def ontology_dir(root: Path) -> Path:
    """``root``'s ontology/ (ontology and shapes), or the bundled one if it has none."""
    own = root / "ontology"
    return own if own.is_dir() else bundled_data_dir() / "ontology"


def find_data_root(start: Path) -> Path | None:
    """The nearest directory holding ``graph/``: ``start`` or one of its parents, if any.

    It is relative (``.``, ``..``, ``../..``) when ``start`` is, so that paths in messages stay short.
    """
    here = start.resolve()
    for level, directory in enumerate([here, *here.parents]):
        if (directory / "graph").is_dir():
            if start.is_absolute():
                return directory
            return Path(os.path.normpath(start.joinpath(*[".."] * level)))
    return None


@dataclass(frozen=True)
class DataRoot:
    """The data a command works on, and how it was chosen.

    :ivar path: the data root.
    :ivar how: ``"named"`` (given by the user), ``"found"`` (found from the current directory
        upward) or ``"bundled"`` (none found: the bundled data).
    """

    path: Path
    how: str

    @property
    def ontology(self) -> Path:
        """The ontology/ it uses: its own, or the bundled one."""
        return ontology_dir(self.path)

    @property
    def own_ontology(self) -> bool:
        return (self.path / "ontology").is_dir()

    @property
    def is_bundled(self) -> bool:
        return self.path.resolve() == bundled_data_dir().resolve()

    def describe(self) -> str:
        """One line saying which data and which ontology, e.g. for the first line of a command's output."""
        if self.how == "bundled":
            return "Data: the bundled data (no graph/ in the current directory or above)."
        how = " (found from the current directory)" if self.how == "found" else ""
        ontology = "its own ontology" if self.own_ontology else "the bundled ontology, shapes and queries"
        return f"Data: {self.path}{how}, with {ontology}."


def resolve_data_root(named: Path | None, *, cwd: Path | None = None) -> DataRoot:
    """The data root: ``named`` if given, else found from ``cwd`` (default: the current directory)
    upward, else the bundled data (see the module documentation)."""
    if named is not None:
        return DataRoot(named, "named")
    found = find_data_root(cwd if cwd is not None else Path("."))
    if found is not None:
        # Inside a checkout the bundled data is found: named as the bundled data is everywhere else.
        return DataRoot(bundled_data_dir() if found.resolve() == bundled_data_dir().resolve() else found, "found")
    return DataRoot(bundled_data_dir(), "bundled")
