"""SPARQL results documents from stores: XML well-formedness, XML results read exactly, and JSON results
made W3C-conformant.
"""

from __future__ import annotations

import io
import json
import re
from typing import IO, Any
from xml.etree import ElementTree


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


_RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def xml_results_to_json(document: bytes) -> bytes:
    """W3C SPARQL XML results (well-formed) as W3C SPARQL JSON results, every value exactly as written.

    Read with the standard library's XML parser (expat, no external entity): pyoxigraph's XML results
    reader trims the white space at both ends of a literal (oxigraph issue 1881), which would lose an
    archived text's final newline, and rdflib's rewrites typed literals in canonical form, which would
    hide an ill-formed one from validation.

    :raises ValueError: if the document is not SPARQL results, or names a term of no known kind.
    """
    root = ElementTree.fromstring(document)
    if root.tag != _RESULTS_NS + "sparql":
        raise ValueError(f"the root element is <{root.tag}>, not SPARQL results' <sparql>")
    head = root.find(_RESULTS_NS + "head")
    variables = [v.get("name", "") for v in head.iterfind(_RESULTS_NS + "variable")] if head is not None else []
    boolean = root.find(_RESULTS_NS + "boolean")
    if boolean is not None:
        return json.dumps({"head": {}, "boolean": (boolean.text or "").strip() == "true"}).encode("utf-8")
    results = root.find(_RESULTS_NS + "results")
    bindings = [
        {binding.get("name", ""): _xml_term(binding) for binding in result.iterfind(_RESULTS_NS + "binding")}
        for result in (results.iterfind(_RESULTS_NS + "result") if results is not None else ())
    ]
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}}).encode("utf-8")


def _xml_term(parent: ElementTree.Element) -> dict[str, Any]:
    """The JSON form of the one term element inside ``parent`` (a binding, or a quoted triple's part)."""
    element = next(iter(parent), None)
    if element is None or not element.tag.startswith(_RESULTS_NS):
        raise ValueError(f"<{parent.tag.removeprefix(_RESULTS_NS)}> holds no term")
    kind, text = element.tag.removeprefix(_RESULTS_NS), element.text or ""
    if kind in ("uri", "bnode"):
        return {"type": kind, "value": text}
    if kind == "literal":
        term = {"type": "literal", "value": text}
        if (language := element.get(_XML_LANG)) is not None:
            term["xml:lang"] = language
        if (datatype := element.get("datatype")) is not None:
            term["datatype"] = datatype
        return term
    if kind == "triple":
        value = {}
        for part in ("subject", "predicate", "object"):
            if (found := element.find(_RESULTS_NS + part)) is None:
                raise ValueError(f"a quoted triple lacks its {part}")
            value[part] = _xml_term(found)
        return {"type": "triple", "value": value}
    raise ValueError(f"a term of unknown kind <{kind}>")


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
