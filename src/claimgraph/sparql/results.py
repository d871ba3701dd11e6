"""SPARQL results documents from stores: XML well-formedness and JSON results made W3C-conformant.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:

    pass


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


