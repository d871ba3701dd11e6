"""Typed errors. The library raises these; only the command line prints them and picks exit codes."""

from __future__ import annotations

from pathlib import Path


class ClaimgraphError(Exception):
    """Root of every error claimgraph raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(ClaimgraphError):
    """A file cannot be read or parsed.

    :param path: the file at fault.
    :param line: 1-based line of the fault, where known.
    :param column: 1-based column of the fault, where known.
    """

    def __init__(self, path: Path, message: str, *, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class DuplicateGraphError(InputError):
    """Two files both define the same named graph, so neither can be said to own it."""

    def __init__(self, path: Path, graph: str, first: Path) -> None:
        super().__init__(path, f"named graph <{graph}> is already defined in {first}")
        self.graph = graph
        self.first = first


class DataDirectoryError(ClaimgraphError):
    """The data directory lacks the ontology or shapes it needs."""

    def __init__(self, directory: Path, missing: str) -> None:
        super().__init__(f"{directory}: {missing}")
        self.directory = directory
        self.missing = missing


class OutputError(ClaimgraphError):
    """An output file cannot be written; nothing was written."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: cannot write: {reason}")
        self.path = path
        self.reason = reason
