"""Typed errors. The library raises these; only the command line prints them and picks exit codes."""

from __future__ import annotations

from pathlib import Path


def place(path: Path, line: int | None = None, column: int | None = None) -> str:
    """``path:line:column`` as compilers write it, leaving out what is not known."""
    where = str(path)
    if line is not None:
        where += f":{line}"
        if column is not None:
            where += f":{column}"
    return where


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
        return f"{place(self.path, self.line, self.column)}: {self.message}"


class DuplicateGraphError(InputError):
    """Two files both define the same named graph, so neither can be said to own it."""

    def __init__(self, path: Path, graph: str, first: Path) -> None:
        super().__init__(path, f"named graph <{graph}> is already defined in {first}")
        self.graph = graph
        self.first = first


class RemoteReferenceError(InputError):
    """Input that would make claimgraph (or the store) reach beyond what the user named is refused.

    A SPARQL ``SERVICE`` clause, a remote JSON-LD ``@context``, an XML external or recursive entity.

    :param reference: what it would have reached (an IRI, or the entity's declaration).
    """

    def __init__(
        self, path: Path, message: str, *, reference: str, line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(path, message, line=line, column=column)
        self.reference = reference


class DataDirectoryError(ClaimgraphError):
    """The data directory lacks the ontology or shapes it needs."""

    def __init__(self, directory: Path, missing: str) -> None:
        super().__init__(f"{directory}: {missing}")
        self.directory = directory
        self.missing = missing


class ShapesError(ClaimgraphError):
    """The shapes are not valid SHACL, as the reference engine (pySHACL) reads them.

    :param reason: what is wrong, as pySHACL says it.
    :param paths: the files the shapes came from, where known.
    """

    def __init__(self, reason: str, *, paths: tuple[Path, ...] = ()) -> None:
        where = f"{', '.join(str(p) for p in paths)}: " if paths else ""
        super().__init__(f"{where}the shapes are not valid SHACL: {reason}")
        self.reason = reason
        self.paths = paths


class OutputError(ClaimgraphError):
    """An output file cannot be written; nothing was written."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: cannot write: {reason}")
        self.path = path
        self.reason = reason


class ExportFormatError(OutputError):
    """An export file's suffix does not say the format asked for, or says none the export knows.

    :param suffix: the file's suffix (``.nq``).
    :param meant: the format the suffix means, if any.
    :param fmt: the format asked for, if one was.
    :param known: the suffixes the export knows.
    """

    def __init__(self, path: Path, suffix: str, *, meant: str | None, fmt: str | None, known: list[str]) -> None:
        if meant is None:
            reason = f"no export format has the suffix {suffix} (known: {', '.join(known)})"
        else:
            reason = f"the suffix {suffix} means {meant}, not {fmt}"
        super().__init__(path, reason)
        self.suffix = suffix
        self.meant = meant
        self.fmt = fmt


class QueryHeaderError(InputError):
    """A query file's ``#+`` YAML header is malformed; the message names the file and line."""


class QuerySyntaxError(InputError):
    """A query file is not valid SPARQL 1.1."""


class QueryNotFoundError(ClaimgraphError):
    """No canned query has this name (and it is not a readable ``.rq`` file).

    :param name: what was asked for.
    :param directory: where the canned queries were looked up.
    :param known: the names that exist there.
    """

    def __init__(self, name: str, directory: Path, known: list[str]) -> None:
        listing = ", ".join(known) if known else "none"
        super().__init__(f"no query named {name!r} in {directory} (known: {listing})")
        self.name = name
        self.directory = directory
        self.known = known


class QueryParameterError(ClaimgraphError):
    """A query parameter is missing, unknown, malformed or of the wrong type.

    :param query: the query's name.
    :param parameter: the parameter's name (or the raw ``--param`` text when it has no name).
    :param reason: what is wrong, and what is expected.
    """

    def __init__(self, query: str, parameter: str, reason: str) -> None:
        super().__init__(f"query {query}: parameter {parameter!r}: {reason}")
        self.query = query
        self.parameter = parameter
        self.reason = reason


class QueryError(ClaimgraphError):
    """A query could not be evaluated (unsupported form, engine error).

    :param query: the query's name or file.
    :param reason: what the engine said.
    """

    def __init__(self, query: str, reason: str) -> None:
        super().__init__(f"query {query}: {reason}")
        self.query = query
        self.reason = reason


class UnknownKindError(ClaimgraphError):
    """``contradictions --kind`` names a kind no ``contradictions-KIND.rq`` query defines.

    :param kind: what was asked for.
    :param known: the kinds that exist.
    """

    def __init__(self, kind: str, known: list[str]) -> None:
        super().__init__(f"unknown contradiction kind {kind!r} (known: {', '.join(known) or 'none'})")
        self.kind = kind
        self.known = known


class EndpointError(ClaimgraphError):
    """A remote SPARQL endpoint cannot be reached, times out, or rejects or garbles a request.

    :param endpoint: the endpoint URL.
    :param reason: what went wrong.
    :param attempts: how often the request was sent (retries of a transient failure included).
    """

    #: Whether the same request may succeed if sent again (a timeout, a refused connection, a 503).
    transient = False

    def __init__(self, endpoint: str, reason: str, *, attempts: int = 1) -> None:
        #: What went wrong and, after retries, how often it was tried.
        self.detail = reason + (f" (after {attempts} attempts)" if attempts > 1 else "")
        super().__init__(f"endpoint {endpoint}: {self.detail}")
        self.endpoint = endpoint
        self.reason = reason
        self.attempts = attempts


class EndpointStatusError(EndpointError):
    """The endpoint answered with an HTTP error status.

    :param status_code: the HTTP status, e.g. 401 or 503.
    """

    def __init__(self, endpoint: str, reason: str, *, status_code: int, attempts: int = 1) -> None:
        super().__init__(endpoint, reason, attempts=attempts)
        self.status_code = status_code

    @property
    def transient(self) -> bool:  # type: ignore[override]
        return self.status_code in TRANSIENT_STATUS


#: HTTP statuses of a store that is busy or restarting rather than refusing the request.
TRANSIENT_STATUS = frozenset({502, 503, 504})


class EndpointTimeoutError(EndpointError):
    """The endpoint did not answer within the timeout.

    :param timeout: the seconds waited.
    """

    transient = True

    def __init__(self, endpoint: str, reason: str, *, timeout: float, attempts: int = 1) -> None:
        super().__init__(endpoint, reason, attempts=attempts)
        self.timeout = timeout


class EndpointConnectionError(EndpointError):
    """The endpoint cannot be reached, or the connection broke off.

    :param transient: whether a retry may succeed (refused or lost: yes; an unknown host: no).
    """

    def __init__(self, endpoint: str, reason: str, *, transient: bool, attempts: int = 1) -> None:
        super().__init__(endpoint, reason, attempts=attempts)
        self.transient = transient


class RedirectRefusedError(EndpointError):
    """The endpoint redirected to another scheme, host or port, which claimgraph never follows.

    :param target: where it redirected to.
    """

    def __init__(self, endpoint: str, reason: str, *, target: str) -> None:
        super().__init__(endpoint, reason)
        self.target = target


class RowCapError(EndpointError):
    """The store cut an answer at its row cap, so the results may be partial and none are used.

    :param cap: the store's row limit.
    """

    def __init__(self, endpoint: str, reason: str, *, cap: int) -> None:
        super().__init__(endpoint, reason)
        self.cap = cap


class GraphNotFoundError(EndpointError):
    """``validate --endpoint … --graph IRI`` names a graph the endpoint does not hold.

    :param endpoint: the endpoint URL.
    :param graph: the graph asked for.
    :param known: the named graphs the endpoint holds.
    """

    def __init__(self, endpoint: str, graph: str, known: list[str]) -> None:
        listing = ", ".join(f"<{g}>" for g in known[:10]) if known else "none"
        if len(known) > 10:
            listing += f" and {len(known) - 10} more"
        super().__init__(endpoint, f"no named graph <{graph}> (it holds: {listing})")
        self.graph = graph
        self.known = known


class DerivedGraphMissingError(EndpointError):
    """The endpoint holds claimgraph data but not the derived graph the canned queries read: the store
    was loaded by other means than claimgraph's, which computes that graph and loads it with the rest.

    :param graph: the derived graph's IRI.
    """

    def __init__(self, endpoint: str, graph: str) -> None:
        super().__init__(
            endpoint,
            f"holds no graph <{graph}>, the closures the canned queries read (computed when claimgraph loads"
            " the data): load the data into the store with claimgraph, or add that graph from its export",
        )
        self.graph = graph


class ServerError(ClaimgraphError):
    """``serve`` cannot start the local SPARQL server (binary missing, address taken, server failed).

    :param reason: what went wrong.
    :param address: the ``HOST:PORT`` to serve on, where it matters.
    """

    def __init__(self, reason: str, *, address: str | None = None) -> None:
        super().__init__(f"cannot serve on {address}: {reason}" if address else f"cannot serve: {reason}")
        self.reason = reason
        self.address = address


class LoadError(EndpointError):
    """``load`` stopped: the store holds other counts than were sent, or a swap failed part-way.

    :param endpoint: the endpoint URL.
    :param reason: what went wrong, and what the store's target graphs hold now.
    """


class RevisionError(ClaimgraphError):
    """``validate --changed-since REV``: git cannot say what changed (no git, no work tree, unknown REV).

    :param revision: the revision asked for.
    :param reason: git's own message, or why git could not run.
    """

    def __init__(self, revision: str, reason: str) -> None:
        super().__init__(f"git revision {revision!r}: {reason}")
        self.revision = revision
        self.reason = reason


class SynthesisError(ClaimgraphError):
    """A synthetic corpus cannot hold what it must plant (one of every violation and contradiction)."""


class AuthoringError(ClaimgraphError):
    """An authoring helper (``add-source``, ``locate``) refused to act; nothing was written.

    :param path: the file concerned.
    """

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


class ArchiveConflictError(AuthoringError):
    """The archive already holds a different file under the name ``add-source`` would use.

    :param path: the archived file that would be overwritten.
    :param source: the text file being added.
    """

    def __init__(self, path: Path, source: Path) -> None:
        super().__init__(path, f"already archived with different content than {source}: not overwritten")
        self.source = source


class TextArchivedError(AuthoringError):
    """``add-source`` was given a text the data already archives for another document.

    :param document: the document that has it (its IRI).
    :param sha256: the text's SHA-256.
    """

    def __init__(self, path: Path, document: str, sha256: str) -> None:
        super().__init__(path, f"the same text (SHA-256 {sha256[:12]}…) is already archived for <{document}>")
        self.document = document
        self.sha256 = sha256


class GraphFileExistsError(AuthoringError):
    """``add-source`` would overwrite an existing graph file."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, "already exists: not overwritten")


class IdentifierInUseError(AuthoringError):
    """The document IRI ``add-source`` would mint is already used in the data.

    :param iri: the IRI.
    :param path: the file that uses it.
    """

    def __init__(self, iri: str, path: Path) -> None:
        super().__init__(path, f"already uses <{iri}>")
        self.iri = iri


class AuthoringValueError(AuthoringError):
    """An option of an authoring helper has a malformed value.

    :param field: what the value is for, e.g. ``date`` or ``publisher``.
    :param value: what was given.
    :param reason: what is expected.
    """

    def __init__(self, path: Path, field: str, value: str, reason: str) -> None:
        super().__init__(path, f"{field} {value!r}: {reason}")
        self.field = field
        self.value = value
        self.reason = reason


class UnknownTermError(AuthoringValueError):
    """An authoring value names a term the data or the ontology does not define.

    :param candidates: the defined terms nearest to it (CURIEs or names), nearest first; may be empty.
    """

    def __init__(self, path: Path, field: str, value: str, reason: str, *, candidates: list[str]) -> None:
        super().__init__(path, field, value, reason)
        self.candidates = candidates


class AuthoringCheckError(AuthoringError):
    """What an authoring command would write does not validate; nothing was written.

    :param path: the file it would have been written to.
    :param problems: the violations on the nodes it would have added, each as one line
        (``claim:x cg:claimant: message [cgsh:Shape]``).
    """

    def __init__(self, path: Path, problems: list[str]) -> None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(path, f"would not validate, so nothing was written: {problems[0]}{more}")
        self.problems = problems


class QuoteNotFoundError(AuthoringError):
    """Quoted words (a quote, a mention) are not in the archived text.

    :param quote: the words looked for.
    :param near: a place where they match once quotes, dashes and white space are normalised, as
        ``(start, end)`` in code points, if there is exactly one.
    :param near_text: the text's own characters at ``near``.
    :param matched: how many code points of the quote the text has before they part (at ``near``, or
        where the longest start of the quote occurs); 0 if no part of it was placed.
    :param at: the code point of the text where they part.
    :param text_char: the text's character there (empty at the end of the text).
    :param quote_char: the quote's character there.
    """

    def __init__(
        self,
        path: Path,
        quote: str,
        *,
        near: tuple[int, int] | None = None,
        near_text: str = "",
        matched: int = 0,
        at: int | None = None,
        text_char: str = "",
        quote_char: str = "",
    ) -> None:
        message = f"{_clip(quote)!r} is not in the text"
        if near is not None:
            message += (
                f"; with quotes, dashes and spaces normalised it matches code points {near[0]} to {near[1]},"
                f" {_window(near_text, matched)!r}"
            )
        elif at is not None:
            message += f"; its first {matched} code points are at code point {at - matched}"
        if at is not None:
            found = f"has {_character(text_char)}" if text_char else "ends"
            message += f": at code point {at} the text {found} where the quote has {_character(quote_char)}"
        if near is not None:
            message += " (copy the text's own characters)"
        super().__init__(path, message)
        self.quote = quote
        self.near = near
        self.near_text = near_text
        self.matched = matched
        self.at = at
        self.text_char = text_char
        self.quote_char = quote_char


class AmbiguousQuoteError(AuthoringError):
    """``locate``: the quoted words occur more than once (or the occurrence asked for is out of range).

    :param quote: the words looked for.
    :param starts: the code-point offsets of every occurrence.
    """

    def __init__(self, path: Path, quote: str, starts: list[int], *, occurrence: int | None = None) -> None:
        offsets = ", ".join(str(s) for s in starts)
        #: The occurrences alone, without what was asked for.
        self.summary = f"{_clip(quote)!r} occurs {len(starts)} times (at code points {offsets})"
        message = self.summary
        if occurrence is not None:
            message += f": occurrence {occurrence} is out of range (1 to {len(starts)})"
        super().__init__(path, message)
        self.quote = quote
        self.starts = starts
        self.occurrence = occurrence


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _window(text: str, at: int, limit: int = 60) -> str:
    """``text`` clipped to about ``limit`` code points around offset ``at``, so what is there shows."""
    if len(text) <= limit:
        return text
    start = max(0, min(at - limit // 2, len(text) - limit))
    return ("…" if start else "") + text[start : start + limit] + ("…" if start + limit < len(text) else "")


def _character(char: str) -> str:
    """A character as a reader can tell it from its look-alikes: its repr, code point and Unicode name."""
    import unicodedata

    name = unicodedata.name(char, "")
    return f"{char!r} (U+{ord(char):04X}{' ' + name if name else ''})"
