"""Where the project's data is: the bundled ontology, shapes, graph and queries, and the package version.

A base module (it imports nothing of claimgraph), so every layer can find the bundled data.
"""

from __future__ import annotations

from importlib import resources
from importlib.metadata import version
from pathlib import Path

__all__ = ["__version__", "bundled_data_dir"]

__version__ = version("claimgraph")


def bundled_data_dir() -> Path:
    """The ontology/, graph/ and queries/ shipped with claimgraph.

    An installed wheel carries them inside the package; a source checkout has them at its root.
    """
    packaged = Path(str(resources.files("claimgraph"))) / "data"
    if (packaged / "ontology").is_dir():
        return packaged
    return Path(__file__).resolve().parents[2]
