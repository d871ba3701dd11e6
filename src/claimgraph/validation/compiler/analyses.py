"""Outcomes of analysing SHACL-SPARQL texts with rdflib's parser, remembered within a run and between runs.

rdflib parses a query in tens of milliseconds (about a second for the bundled shapes' constraints, in
every run), and the analyses that need the parse are functions of the query's text alone. Those
decorated with :func:`remembered` keep their outcomes, an :class:`Unsupported` reason included, in a
table a caller may save and give back (:func:`snapshot`, :func:`restore`: incremental validation keeps
it in its index). A saved table is tagged with a hash of the code that computed it (the compiler's
source files and rdflib's version) and ignored under any other code.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from claimgraph.validation.compiler.base import Unsupported

__all__ = ["remembered", "restore", "snapshot"]

P = ParamSpec("P")
T = TypeVar("T")

#: Outcomes by a hash of the analysis and its arguments: what the encoder made of the result, or
#: ``{"unsupported": reason}``.
_TABLE: dict[str, Any] = {}


@functools.cache
def _code() -> str:
    """A hash of what the outcomes depend on: the compiler's sources and rdflib's version."""
    from importlib.metadata import version

    digest = hashlib.sha256(version("rdflib").encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def remembered(
    encode: Callable[[T], Any], decode: Callable[[Any], T]
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Remember the outcomes of an analysis of strings; ``encode`` and ``decode`` turn a result into
    JSON values and back."""

    def wrap(analysis: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(analysis)
        def remembering(*args: P.args, **kwargs: P.kwargs) -> T:
            text = json.dumps([analysis.__name__, args, kwargs], sort_keys=True)
            key = hashlib.sha256(text.encode("utf-8")).hexdigest()
            if key in _TABLE:
                found = _TABLE[key]
                if isinstance(found, dict) and "unsupported" in found:
                    raise Unsupported(found["unsupported"])
                return decode(found)
            try:
                result = analysis(*args, **kwargs)
            except Unsupported as reason:
                _TABLE[key] = {"unsupported": str(reason)}
                raise
            _TABLE[key] = encode(result)
            return result

        return remembering

    return wrap


def snapshot() -> str:
    """The outcomes known, as JSON text for :func:`restore`."""
    return json.dumps({"code": _code(), "outcomes": _TABLE}, sort_keys=True)


def restore(saved: str) -> None:
    """Add the outcomes of a :func:`snapshot`, unless another code made them (or the text is damaged)."""
    try:
        table = json.loads(saved)
    except ValueError:
        return
    if isinstance(table, dict) and table.get("code") == _code() and isinstance(table.get("outcomes"), dict):
        _TABLE.update(table["outcomes"])
