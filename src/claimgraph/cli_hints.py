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
    TextArchivedError,
    UnknownTermError,
)

__all__ = ["describe"]

#: How each field of an authoring value is given on the command line.
FIELD_OPTIONS = {
    "date": "--date",
    "slug": "--slug",
    "publisher": "--publisher",
    "quote": "--quote",
    "name": "--name",
    "actor": "IRI",
    "type": "--type",
    "label": "--label",
    "description": "--description",
    "source count": "--source-count",
    "affiliated with": "--affiliated-with",
    "about": "--about",
    "contradicts": "--contradicts",
    "supports": "--supports",
    "entails": "--entails",
    "note": "--note",
    "claimant": "--claimant",
    "proposition": "--proposition",
    "stance": "--stance",
    "kind": "--kind",
    "mode": "--mode",
    "channel": "--channel",
    "relay": "--relay",
    "relay act": "--relay",
    "attribution basis": "--relay",
    "respondent": "--respondent",
    "mention": "--mention",
}
#: Where a field is given otherwise by one command.
COMMAND_FIELD_OPTIONS = {("locate", "quote"): "QUOTE", ("add-proposition", "proposition"): "IRI"}
#: The command that defines what a field names, when it names nothing defined.
DEFINED_BY = {
    "publisher": "add-actor",
    "affiliated with": "add-actor",
    "claimant": "add-actor",
    "relay": "add-actor",
    "respondent": "add-actor",
    "proposition": "add-proposition",
    "contradicts": "add-proposition",
    "supports": "add-proposition",
    "entails": "add-proposition",
}
#: The option that names what an authoring command mints, by command.
NAME_OPTIONS = {"add-source": "--slug", "add-claim": "--name", "add-nonresponse": "--name"}
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
    if isinstance(error, TextArchivedError):
        return f"{text}: add what it says to that document's graph (claimgraph add-claim)"
    if isinstance(error, IdentifierInUseError):
        return f"{text}: choose another {NAME_OPTIONS.get(command or '', 'IRI')}"
    if isinstance(error, AuthoringValueError):
        option = COMMAND_FIELD_OPTIONS.get((command or "", error.field)) or FIELD_OPTIONS.get(error.field, error.field)
        given = f" {error.value!r}" if error.value else ""
        line = f"{error.path}: {option}{given}: {error.reason}"
        if isinstance(error, UnknownTermError) and not error.candidates and error.field in DEFINED_BY:
            line += f" (claimgraph {DEFINED_BY[error.field]} defines one)"
        return line
    if isinstance(error, ExportFormatError):
        return f"{text} (drop --format, or name the file with its format's suffix)" if error.fmt else text
    if isinstance(error, AmbiguousQuoteError):
        count = len(error.starts)
        if error.occurrence is None:
            return f"{text}: add words to make it unique, or pass --occurrence N (1 to {count})"
        return f"{error.path}: {error.summary}: --occurrence {error.occurrence} is out of range: pass 1 to {count}"
    if isinstance(error, EndpointStatusError) and error.status_code == 401 and command == "load":
        return f"{text}: {LOAD_CREDENTIALS_HINT}"
    return text
