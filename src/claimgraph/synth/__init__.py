"""Synthetic corpora for the benchmark and the scale tests, with a manifest of what was planted.

Owns :func:`generate` (registries, documents, archived texts and planted violations and
contradictions, written as TriG): ``plan`` holds what a corpus is made of and its manifest, ``prose``
its words, ``trig`` the TriG writing; ``registries`` builds the actors, places and propositions,
``documents`` the documents, claims and archived texts, ``planted`` the contradictions and violations,
and ``generate`` runs them in order and writes the corpus. May import only the base modules.
"""

from claimgraph.synth.generate import generate
from claimgraph.synth.plan import (
    CONTRADICTION_KINDS,
    MINIMUM_CLAIMS,
    TRIPLES_PER_CLAIM,
    VIOLATION_KINDS,
    Manifest,
    claims_for_triples,
)

__all__ = [
    "CONTRADICTION_KINDS",
    "MINIMUM_CLAIMS",
    "TRIPLES_PER_CLAIM",
    "VIOLATION_KINDS",
    "Manifest",
    "claims_for_triples",
    "generate",
]
