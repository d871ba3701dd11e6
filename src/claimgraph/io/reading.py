"""Reading RDF files: the formats by file extension, the checks made before any parser sees a file's
bytes, and the parser's errors turned into one line naming the file, the line and, where a statement
was left open, the line that lacks its ``;``, ``,`` or ``.``.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from claimgraph.errors import InputError, RemoteReferenceError
from claimgraph.sparql.results import xml_fault

__all__ = [
    "FORMATS",
    "TRIPLE_FORMATS",
    "checked",
    "input_errors",
    "line_column",
    "read_checked",
]

#: File extensions the loader reads, with their syntax.
FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}
#: The formats without named graphs: a file of one of these fills the graph its ontology declares, or none.
TRIPLE_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML)


def read_checked(path: Path) -> bytes:
    """The bytes of an RDF file, checked before any parser sees them (see :func:`_checked`)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(path, error.strerror or str(error)) from None
    return checked(path, data)


_WIDE_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}
_ENTITY = re.compile(rb"<!ENTITY\s+(?:%\s+)?([^\s>]+)\s+(SYSTEM|PUBLIC|\"[^\"]*\"|'[^']*')", re.S)
_ENTITY_REFERENCE = re.compile(rb"[&%][A-Za-z_:][^;\s]*;")


def checked(path: Path, data: bytes) -> bytes:
    """``data`` without a UTF-8 byte order mark, or an error if no parser should see it.

    Refused: an empty file (a truncated write, most likely); UTF-16 and UTF-32 (RDF files are UTF-8);
    in RDF/XML, an entity that is external (a file or URL the parser would read) or that expands
    other entities (a few lines can expand to gigabytes). A UTF-8 byte order mark is harmless and
    dropped; error columns on the first line then count from after it.
    """
    if not data or data.isspace():
        raise InputError(path, "empty file: no RDF in it (a truncated write?)")
    for bom, encoding in _WIDE_BOMS.items():
        if data.startswith(bom):
            raise InputError(
                path, f"{encoding} text: RDF files must be UTF-8 (iconv -f {encoding} -t UTF-8 converts it)", line=1
            )
    if b"\x00" in data[:2]:
        raise InputError(path, "UTF-16 or UTF-32 text (NUL bytes): RDF files must be UTF-8", line=1)
    data = data.removeprefix(codecs.BOM_UTF8)
    if FORMATS.get(path.suffix) is ox.RdfFormat.RDF_XML and b"<!ENTITY" in data:
        for match in _ENTITY.finditer(data):
            name = match.group(1).decode("utf-8", errors="replace")
            kind = match.group(2)
            if kind in (b"SYSTEM", b"PUBLIC"):
                reason = f"external entity {name!r} refused: claimgraph reads no file or URL an input points to"
            elif _ENTITY_REFERENCE.search(kind):
                reason = f"entity {name!r} expands other entities: refused (nested entities can exhaust memory)"
            else:
                continue
            line, column = line_column(data, match.start())
            end = data.find(b">", match.start()) + 1
            declaration = " ".join(data[match.start() : end].decode("utf-8", errors="replace").split())
            raise RemoteReferenceError(path, reason, reference=declaration, line=line, column=column)
    return data


def line_column(data: bytes, at: int) -> tuple[int, int]:
    """1-based line and column (in characters) of byte offset ``at``."""
    start = data.rfind(b"\n", 0, at) + 1
    return data.count(b"\n", 0, at) + 1, len(data[start:at].decode("utf-8", errors="replace")) + 1


# The JSON-LD parser has no document loader, so a remote context fails to load; name it and say why.
_REMOTE_CONTEXT = re.compile(rb'"@(?:context|import)"\s*:\s*(?:\[[^\]"]*)?"([^"]*)"')


@contextmanager
def input_errors(path: Path, data: bytes) -> Iterator[None]:
    """Turn the parser's and the file system's errors into one InputError naming ``path``.

    :param data: the text parsed, to locate what the parser does not.
    """
    try:
        yield
    except SyntaxError as error:
        if "LoadDocumentCallback" in str(error.msg) and (found := _REMOTE_CONTEXT.search(data)):
            iri = found.group(1).decode("utf-8", errors="replace")
            line, column = line_column(data, found.start())
            raise RemoteReferenceError(
                path,
                f"remote JSON-LD context <{iri}> refused: claimgraph fetches no remote documents (inline the context)",
                reference=iri,
                line=line,
                column=column,
            ) from None
        where = (error.lineno, error.offset)
        if where[0] is None and FORMATS.get(path.suffix) is ox.RdfFormat.RDF_XML and (fault := xml_fault(data)):
            where = fault[:2]
        message = syntax_message(error)
        if FORMATS.get(path.suffix) in _TURTLE_FAMILY and where[0] is not None:
            message += terminator_hint(data, where[0], where[1])
        raise InputError(path, message, line=where[0], column=where[1]) from None
    except UnicodeDecodeError as error:
        raise InputError(path, f"not UTF-8: {error.reason}") from None
    except OSError as error:
        raise InputError(path, error.strerror or str(error)) from None


_TURTLE_FAMILY = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
# What may end a line inside or between statements without the next line being a new term of the same one.
_ENDINGS = (".", ";", ",", "{", "}", "[", "(")


def terminator_hint(data: bytes, line: int, column: int | None) -> str:
    """A hint naming the line before, when the error is at a line's first token and that line ends
    a statement with no ``;``, ``,`` or ``.`` (the parser only notices at the next term)."""
    lines = data.decode("utf-8", errors="replace").splitlines()
    if line < 2 or line > len(lines) + 1 or (line <= len(lines) and lines[line - 1][: (column or 1) - 1].strip()):
        return ""
    for before in range(line - 1, 0, -1):
        text = re.sub(r"\s#[^\"'>]*$|^#.*$", "", lines[before - 1]).rstrip()
        if text:
            if text.endswith(_ENDINGS):
                return ""
            return f" (line {before} ends with no ';', ',' or '.': is one missing there?)"
    return ""


def syntax_message(error: SyntaxError) -> str:
    # Oxigraph prefixes its message with the location ("Parser error at line 2 between columns 1
    # and 6: …"); we report the location ourselves as file:line:column.
    message = " ".join(str(error.msg).split())  # one line, whatever text the parser quotes
    head, sep, tail = message.partition(": ")
    return tail if sep and head.startswith("Parser error") else message
