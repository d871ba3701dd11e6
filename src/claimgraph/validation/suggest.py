"""The "did you mean" of validation results: the closest term a shape's ``cg:suggestionQuery`` offers.

A shape that reports an undeclared or undefined term (``cgsh:Vocabulary-class``, ``-property``,
``cgsh:Reference-defined``) carries a SPARQL SELECT of ``?term`` (the term the result names) and
``?candidate`` (the terms that could be meant), run on the validated data with the shared prefixes
and with ``?this``, ``?path`` and ``?value`` bound to the result's IRIs. The candidate nearest by edit
distance (rapidfuzz's Levenshtein, on the local name, then on the whole IRI) is suggested if it is
near enough to be a misspelling. It runs on the results, so it is the same whichever engine found them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pyoxigraph as ox

from claimgraph.namespaces import CG, SHAPES_GRAPH
from claimgraph.sparql.lexer import scan, values_block
from claimgraph.terms import Term, term_text
from claimgraph.validation.results import ValidationResult

if TYPE_CHECKING:
    from claimgraph.io.dataset import Dataset

__all__ = ["closest", "suggestion_queries", "with_suggestions"]


def closest(term: str, candidates: Sequence[str]) -> str | None:
    """The candidate nearest ``term``, if at most a third of its local name's length (and at least one
    edit) away; ties on the local name go to the candidate nearest as a whole IRI (its own namespace)."""
    from rapidfuzz.distance import Levenshtein

    local = _local(term)
    ranked = sorted(
        (Levenshtein.distance(local, _local(c)), Levenshtein.distance(term, c), c) for c in set(candidates) - {term}
    )
    if not ranked or ranked[0][0] > max(1, len(local) // 3):
        return None
    return ranked[0][2]


def suggestion_queries(dataset: Dataset) -> dict[str, str]:
    """The suggestion query of each shape that has one, by the shape's IRI."""
    return {
        term_text(row["shape"]): term_text(row["query"])
        for row in dataset.select_shapes(
            f"SELECT ?shape ?query WHERE {{ GRAPH <{SHAPES_GRAPH}> {{ ?shape <{CG.suggestionQuery}> ?query }} }}"
        )
    }


def with_suggestions(dataset: Dataset, results: list[ValidationResult]) -> list[ValidationResult]:
    """``results``, each of a shape with a suggestion query given its closest candidate (a result that
    has one already keeps it where none is found)."""
    queries = suggestion_queries(dataset)
    if not queries:
        return results
    found: dict[tuple[str, str, str | None, str | None], str | None] = {}
    out = []
    for result in results:
        query = queries.get(result.shape)
        if query is None:
            out.append(result)
            continue
        key = (result.shape, result.focus, result.path, result.value)
        if key not in found:
            found[key] = _suggest(dataset, query, result)
        out.append(dataclasses.replace(result, suggestion=found[key]) if found[key] else result)
    return out


def _suggest(dataset: Dataset, query: str, result: ValidationResult) -> str | None:
    bindings: dict[str, list[Term]] = {}
    for name, text in (("this", result.focus), ("path", result.path), ("value", result.value)):
        if text is not None:
            try:
                bindings[name] = [ox.NamedNode(text)]
            except ValueError:  # a literal value or a blank node: not a term to correct
                continue
    rows = dataset.select(scan(query).insert_values(values_block(bindings)) if bindings else query)
    terms = {term_text(row["term"]) for row in rows if "term" in row}
    if len(terms) != 1:
        return None
    return closest(terms.pop(), [term_text(row["candidate"]) for row in rows if "candidate" in row])


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
