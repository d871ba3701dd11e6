"""What the command line adds to a library error: which option to use. The library never names options.

Long fix-it hints are constants here, as sqlite-utils keeps them; :func:`describe` is the one line the
command line prints for an error.
"""

from __future__ import annotations

from claimgraph.errors import (
    AmbiguousQuoteError,
    ArchiveConflictError,
    AuthoringValueError,
    ClaimgraphError,
    EndpointStatusError,
    ExportFormatError,
    GraphFileExistsError,
    IdentifierInUseError,
)

__all__ = ["describe"]

#: How each field of an authoring value is given on the command line.
FIELD_OPTIONS = {"date": "--date", "slug": "--slug", "publisher": "--publisher", "quote": "QUOTE"}
LOAD_CREDENTIALS_HINT = "check --user, --auth and CLAIMGRAPH_PASSWORD"


def describe(error: ClaimgraphError, *, command: str | None = None) -> str:
    """The error as one line, with the option that fixes it where there is one.

    :param command: the subcommand that failed (a 401 means different options to different commands).
    """
    text = str(error)
    if isinstance(error, ArchiveConflictError):
        return f"{text} (use --slug)"
    if isinstance(error, GraphFileExistsError):
        return f"{text} (use --slug to choose another name)"
    if isinstance(error, IdentifierInUseError):
        return f"{text}: choose another --slug"
    if isinstance(error, AuthoringValueError):
        return f"{error.path}: {FIELD_OPTIONS.get(error.field, error.field)} {error.value!r}: {error.reason}"
    if isinstance(error, AmbiguousQuoteError):
        count = len(error.starts)
        if error.occurrence is None:
            return f"{text}: add words to make it unique, or pass --occurrence N (1 to {count})"
        return f"{error.path}: {error.summary}: --occurrence {error.occurrence} is out of range: pass 1 to {count}"
    if isinstance(error, ExportFormatError):
        return f"{text} (drop --format, or name the file with its format's suffix)" if error.fmt else text
    if isinstance(error, EndpointStatusError) and error.status_code == 401 and command == "load":
        return f"{text}: {LOAD_CREDENTIALS_HINT}"
    return text
