"""SPARQL results documents from stores: XML well-formedness and JSON results made W3C-conformant.
"""

from __future__ import annotations

import io
import json
import re
from typing import IO, Any


def xml_fault(data: bytes) -> tuple[int, int, str] | None:
    """Where an XML document stops being well-formed: 1-based line and column, and what is wrong.

    ``None`` for a well-formed document. Expat reads no external entity.
    """
    from xml.parsers import expat

    parser = expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        return error.lineno, error.offset + 1, expat.ErrorString(error.code) or "not well-formed"
    return None


def normalise_json_results(document: bytes) -> bytes:
    """Make SPARQL JSON results from any store strictly W3C-conformant.

    Virtuoso writes ``"type": "typed-literal"`` (a pre-recommendation form) and blank nodes as
    ``nodeID://b123``; both are rewritten so pyoxigraph reads them as the standard says.

    :raises ValueError: if ``document`` is not JSON.
    """
    data = json.loads(document)
    for binding in data.get("results", {}).get("bindings", []):
        for value in binding.values():
            if value.get("type") == "typed-literal":
                value["type"] = "literal"
            elif value.get("type") == "bnode":
                value["value"] = re.sub(r"[^A-Za-z0-9_]", "_", value["value"].removeprefix("nodeID://"))
    return json.dumps(data).encode("utf-8")




#: Virtuoso's blank nodes in its JSON results, a binding's type written before its value.
_VIRTUOSO_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')


def _normalised(text: bytes) -> bytes:
    """Virtuoso's two departures from W3C SPARQL JSON rewritten (``"typed-literal"`` only ever stands
    as a whole string for a type: inside a JSON string its quotes would be escaped); text from other
    stores passes through untouched, at the cost of two searches."""
    if b'"typed-literal"' in text:
        text = text.replace(b'"typed-literal"', b'"literal"')
    if b"nodeID://" in text:
        text = _VIRTUOSO_BNODE.sub(rb"\1", text)
    return text


class NormalisingReader(io.RawIOBase):
    """SPARQL JSON results from a stream, normalised as :func:`normalise_json_results` does, as a stream.

    Neither rewritten pattern holds a ``}``, so text is passed on up to the last ``}`` read: no match is
    ever cut in two. Memory holds one chunk read plus the text after its last ``}``.

    :param raw: the results document, e.g. an HTTP response.
    :param chunk: bytes read from ``raw`` at a time.
    """

    def __init__(self, raw: IO[bytes], *, chunk: int = 1 << 20) -> None:
        super().__init__()
        self._raw = raw
        self._chunk = chunk
        self._carry = b""
        self._ready = b""
        self._at = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self._at == len(self._ready) and not self._done:
            self._at = 0
            data = self._raw.read(self._chunk)
            if not data:
                self._done = True
                self._ready, self._carry = _normalised(self._carry), b""
                break
            text = self._carry + data
            cut = text.rfind(b"}") + 1
            self._ready, self._carry = _normalised(text[:cut]), text[cut:]
        size = min(len(buffer), len(self._ready) - self._at)
        buffer[:size] = self._ready[self._at : self._at + size]
        self._at += size
        return size
