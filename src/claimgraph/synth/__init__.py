"""Synthetic corpora for the benchmark and the scale tests, with a manifest of what was planted.

Owns :func:`generate` (registries, documents, archived texts and planted violations and
contradictions, written as TriG). May import only the base modules.
"""

from claimgraph.synth.generate import (
    CONTRADICTION_KINDS,
    TRIPLES_PER_CLAIM,
    VIOLATION_KINDS,
    Manifest,
    claims_for_triples,
    generate,
)

__all__ = ["CONTRADICTION_KINDS", "TRIPLES_PER_CLAIM", "VIOLATION_KINDS", "Manifest", "claims_for_triples", "generate"]
