"""Finding a quote in an archived text: its Web Annotation selectors, or where it fails to match.

The selectors are ``exact``, ``prefix`` and ``suffix`` (up to 32 code points, as the bundled graph
has them), ``start`` and ``end`` (code points from 0, end exclusive), as the shapes check them. A quote
that is absent or not unique is an error, never a guess; an absent one names where the text and the
quote part, character and code point (a curly apostrophe typed straight is the usual case).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from claimgraph.authoring.texts import read_text
from claimgraph.authoring.turtle import Block, render
from claimgraph.errors import AmbiguousQuoteError, AuthoringValueError, QuoteNotFoundError
from claimgraph.namespaces import ANCHOR, OA, RDF, RDFS, XSD

__all__ = ["CONTEXT_LENGTH", "Selectors", "find_quote", "locate_quote", "require_words"]

#: Code points of context kept before and after a quote (oa:prefix, oa:suffix).
CONTEXT_LENGTH = 32
#: Code points of a quote that must match before "its first N code points are at …" is worth saying.
_MEANINGFUL_START = 8


@dataclass(frozen=True)
class Selectors:
    """A quote's Web Annotation selectors (offsets in Unicode code points, end exclusive).

    :ivar occurrence: which occurrence of the quote (1-based) these are for.
    :ivar occurrences: how many times the quote occurs in the text.
    """

    exact: str
    prefix: str
    suffix: str
    start: int
    end: int
    occurrence: int = 1
    occurrences: int = 1

    def blocks(self, name: str, *, label: str | None = None) -> list[Block]:
        """The two selector nodes, ``anchor:<name>-quote`` and ``anchor:<name>-position``, labelled
        ``Quote selector: LABEL`` and ``Position selector: LABEL`` where a label is given."""
        quote = Block(ox.NamedNode(ANCHOR.term(f"{name}-quote"))).add(RDF.type, ox.NamedNode(OA.TextQuoteSelector))
        position = Block(ox.NamedNode(ANCHOR.term(f"{name}-position")))
        position.add(RDF.type, ox.NamedNode(OA.TextPositionSelector))
        if label is not None:
            quote.add(RDFS.label, ox.Literal(f"Quote selector: {label}", language="en"))
            position.add(RDFS.label, ox.Literal(f"Position selector: {label}", language="en"))
        quote.add(OA.exact, ox.Literal(self.exact))
        quote.add(OA.prefix, ox.Literal(self.prefix))
        quote.add(OA.suffix, ox.Literal(self.suffix))
        offset = ox.NamedNode(XSD.nonNegativeInteger)
        position.add(OA.start, ox.Literal(str(self.start), datatype=offset))
        position.add(OA.end, ox.Literal(str(self.end), datatype=offset))
        return [quote, position]

    def turtle(self, name: str) -> str:
        """The two selector nodes as Turtle with the shared prefixes, to paste into a graph."""
        return render(self.blocks(name))

    def as_dict(self) -> dict[str, str | int]:
        return {
            "exact": self.exact,
            "prefix": self.prefix,
            "suffix": self.suffix,
            "start": self.start,
            "end": self.end,
            "occurrence": self.occurrence,
            "occurrences": self.occurrences,
        }


# Typographic quotes, primes and dashes, and the ellipsis, folded to ASCII for the near-match hint.
_FOLD = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032`\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    "\u2026": "...",
}


def _normalised(text: str) -> tuple[str, list[int]]:
    """``text`` with quotes, dashes and runs of white space folded, and each output character's source offset."""
    out: list[str] = []
    where: list[int] = []
    space = False
    for i, char in enumerate(text):
        if char.isspace():
            if space:
                continue
            space, folded = True, " "
        else:
            space, folded = False, _FOLD.get(char, char)
        for c in folded:
            out.append(c)
            where.append(i)
    return "".join(out), where


def _starts(text: str, quote: str) -> list[int]:
    starts, at = [], text.find(quote)
    while at >= 0:
        starts.append(at)
        at = text.find(quote, at + 1)
    return starts


def _common(a: str, b: str) -> int:
    """The length of the longest common start of ``a`` and ``b``."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _not_found(text: str, quote: str, path: Path) -> QuoteNotFoundError:
    """The error for a quote not in ``text``: where it nearly is, and the character where they part."""
    folded_text, where = _normalised(text)
    folded_quote = _normalised(quote)[0].strip()
    near_starts = _starts(folded_text, folded_quote) if folded_quote else []
    if len(near_starts) == 1:
        begin = where[near_starts[0]]
        end = where[near_starts[0] + len(folded_quote) - 1] + 1
        near = text[begin:end]
        stripped = quote.strip()
        n = _common(near, stripped)
        return QuoteNotFoundError(
            path,
            quote,
            near=(begin, end),
            near_text=near,
            matched=n,
            at=begin + n,
            text_char=near[n : n + 1],
            quote_char=stripped[n : n + 1],
        )
    # The longest start of the quote that the text has (a start that occurs, all shorter ones do too).
    low, high = 0, len(quote)
    while low < high:
        middle = (low + high + 1) // 2
        if quote[:middle] in text:
            low = middle
        else:
            high = middle - 1
    if low < _MEANINGFUL_START:
        return QuoteNotFoundError(path, quote)
    at = text.find(quote[:low]) + low
    return QuoteNotFoundError(path, quote, matched=low, at=at, text_char=text[at : at + 1], quote_char=quote[low])


def find_quote(text: str, quote: str, *, path: Path, occurrence: int | None = None) -> Selectors:
    """The selectors of ``quote`` in ``text``.

    :param occurrence: which occurrence (1-based) when the quote is not unique.
    :raises QuoteNotFoundError: if the quote is not in the text (naming a near match where only
        quotes, dashes or spaces differ, and the character where text and quote part).
    :raises AmbiguousQuoteError: if it occurs several times and no valid ``occurrence`` is given.
    :raises AuthoringValueError: if the quote is empty.
    """
    if not quote:
        raise AuthoringValueError(path, "quote", quote, "give the words to find")
    starts = _starts(text, quote)
    if not starts:
        raise _not_found(text, quote, path)
    if occurrence is None and len(starts) > 1:
        raise AmbiguousQuoteError(path, quote, starts)
    index = 1 if occurrence is None else occurrence
    if not 1 <= index <= len(starts):
        raise AmbiguousQuoteError(path, quote, starts, occurrence=index)
    start = starts[index - 1]
    end = start + len(quote)
    return Selectors(
        exact=quote,
        prefix=text[max(0, start - CONTEXT_LENGTH) : start],
        suffix=text[end : end + CONTEXT_LENGTH],
        start=start,
        end=end,
        occurrence=index,
        occurrences=len(starts),
    )


def require_words(text: str, words: str, *, path: Path) -> None:
    """Check that ``words`` (a mention) occur in ``text``, wherever and however often.

    :raises QuoteNotFoundError: if they do not, as for a quote.
    :raises AuthoringValueError: if they are empty.
    """
    if not words.strip():
        raise AuthoringValueError(path, "mention", words, "give the words the text names it by")
    if words not in text:
        raise _not_found(text, words, path)


def locate_quote(text_file: Path, quote: str, *, occurrence: int | None = None) -> Selectors:
    """:func:`find_quote` in a UTF-8 text file (``-``: standard input); line ends count as they are."""
    _, text = read_text(text_file)
    return find_quote(text, quote, path=text_file, occurrence=occurrence)
