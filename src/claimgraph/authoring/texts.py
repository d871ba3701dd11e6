"""Reading archived texts and the values authors type: UTF-8 texts, readable slugs, dates as the text gives them."""

from __future__ import annotations

import datetime
import re
import sys
import unicodedata
from pathlib import Path

import pyoxigraph as ox

from claimgraph.errors import AuthoringError, AuthoringValueError
from claimgraph.namespaces import XSD

__all__ = ["SLUG", "STDIN", "check_slug", "parse_date", "read_text", "slugify"]

#: A slug: lowercase ASCII words joined by single hyphens.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
#: The name that stands for standard input wherever a command reads a file.
STDIN = Path("-")


def read_text(path: Path) -> tuple[bytes, str]:
    """The bytes of a text file (``-``: standard input) and their UTF-8 decoding, line ends untouched
    (offsets count them).

    :raises AuthoringError: if the file cannot be read or is not UTF-8.
    """
    try:
        data = sys.stdin.buffer.read() if path == STDIN else path.read_bytes()
    except OSError as error:
        raise AuthoringError(path, f"cannot read: {error.strerror or error}") from None
    try:
        return data, data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise AuthoringError(path, f"not UTF-8 (byte {error.start}): archive texts must be UTF-8") from None


def slugify(text: str, *, max_words: int = 8, max_length: int = 60) -> str:
    """A readable IRI slug: lowercase ASCII words joined by hyphens (``Putin's aims`` gives ``putins-aims``)."""
    without_apostrophes = re.sub("['\u2019]", "", text)
    folded = unicodedata.normalize("NFKD", without_apostrophes).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", folded)[:max_words]
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    if not slug and words:
        slug = words[0][:max_length]
    return slug


def check_slug(slug: str, *, field: str, path: Path) -> str:
    """``slug`` if it is one (lowercase letters, digits and single hyphens).

    :raises AuthoringValueError: otherwise.
    """
    if not SLUG.match(slug):
        raise AuthoringValueError(path, field, slug, "use lowercase letters, digits and single hyphens")
    return slug


def parse_date(value: str, *, path: Path) -> ox.Literal:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` as an xsd:date, xsd:gYearMonth or xsd:gYear literal.

    :raises AuthoringValueError: for anything else, or a day that does not exist.
    """
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            datetime.date.fromisoformat(value)
            return ox.Literal(value, datatype=ox.NamedNode(XSD.date))
        if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            return ox.Literal(value, datatype=ox.NamedNode(XSD.gYearMonth))
        if re.fullmatch(r"\d{4}", value):
            return ox.Literal(value, datatype=ox.NamedNode(XSD.gYear))
    except ValueError:
        pass
    expected = "expected YYYY-MM-DD, YYYY-MM or YYYY, as precise as the text gives"
    raise AuthoringValueError(path, "date", value, expected)
