"""Synthetic corpora in claimgraph's ontology, for benchmarks and scale tests.

:func:`generate` writes a data directory that :func:`claimgraph.io.dataset.load_dataset` reads like the
bundled one: ``ontology/`` (a copy of the bundled ontology and shapes), ``graph/`` with the registries
(``actors.trig``, ``places.trig``, ``propositions.trig``, ``proposals.trig``), one TriG file per
document (its named graph is the document's IRI) and ``graph/archive/*.txt``, the synthetic article texts
whose quotes, offsets (Unicode code points), SHA-256 digests and lengths the TriG files state.

The corpus looks like a newsroom's year of tracked claims: persons, governments with the metonyms the
press uses, agencies, outlets, groups, anonymous sources; claims relayed through intermediaries; wire
reports (``cg:CitedSource``) republished by several outlets; non-responses; a controlled share of
contradictions of every kind the canned queries look for, and of provenance violations of every kind
the shapes check. ``manifest.json`` records what was planted: the SHACL results validation must report
(severity, shape, focus node), the contradiction pairs, and sample IRIs for parameterised queries.

Everything is written as text (no RDF library): a million triples take seconds. The output depends
only on the arguments: the same seed gives the same bytes, one random generator serving the builders
(:mod:`~claimgraph.synth.registries`, :mod:`~claimgraph.synth.documents`,
:mod:`~claimgraph.synth.planted`) in the order :func:`generate` calls them.
"""

from __future__ import annotations

import random
import shutil
from collections import Counter
from pathlib import Path

from claimgraph.errors import SynthesisError
from claimgraph.namespaces import ACTOR, CLAIM, DOC, PLACE
from claimgraph.synth.documents import Documents
from claimgraph.synth.plan import (
    CONTRADICTION_KINDS,
    MINIMUM_CLAIMS,
    TRIPLES_PER_CLAIM,
    VIOLATION_KINDS,
    Manifest,
    claims_for_triples,
)
from claimgraph.synth.planted import Planter
from claimgraph.synth.registries import ACTOR_CLASSES, Registries

__all__ = [
    "CONTRADICTION_KINDS",
    "MINIMUM_CLAIMS",
    "TRIPLES_PER_CLAIM",
    "VIOLATION_KINDS",
    "Manifest",
    "claims_for_triples",
    "generate",
]


def generate(
    out: Path,
    *,
    claims: int,
    seed: int = 0,
    violation_share: float = 0.02,
    contradiction_share: float = 0.01,
    ontology: Path | None = None,
) -> Manifest:
    """Write a synthetic corpus of ``claims`` claims into the directory ``out``.

    :param out: the data directory to create (``ontology/``, ``graph/``, ``manifest.json``); files of a
        previous corpus there are replaced.
    :param claims: number of claims (about :data:`TRIPLES_PER_CLAIM` triples each, all included).
    :param seed: the random seed; the same arguments give the same bytes.
    :param violation_share: share of claims (and documents) broken on purpose; at least one of each
        kind in :data:`VIOLATION_KINDS` is planted whatever the share.
    :param contradiction_share: contradiction pairs per claim, for each kind (at least one each).
    :param ontology: the ontology/ directory to copy (default: the bundled one).
    :returns: the manifest, also written to ``out/manifest.json``.
    :raises SynthesisError: if ``claims`` is below :data:`MINIMUM_CLAIMS`, too few to plant one of
        everything; nothing is written then.
    """
    if claims < MINIMUM_CLAIMS:
        raise SynthesisError(
            f"at least {MINIMUM_CLAIMS} claims are needed to plant every kind of violation and contradiction"
            f" (asked for {claims})"
        )
    rng = random.Random(seed)
    registries = Registries(rng)
    registries.build(claims)
    documents = Documents(rng, registries)
    n_pairs = max(1, round(contradiction_share * claims))
    documents.build(claims, n_background=claims - 2 * n_pairs * len(CONTRADICTION_KINDS))
    planter = Planter(rng, registries, documents)
    planter.plant_contradictions(n_pairs)
    planter.plant_violations(violation_share, claims)
    return _write(out, ontology, seed=seed, claims=claims, registries=registries, documents=documents, planter=planter)


def _write(
    out: Path,
    ontology: Path | None,
    *,
    seed: int,
    claims: int,
    registries: Registries,
    documents: Documents,
    planter: Planter,
) -> Manifest:
    """Write the built corpus and its manifest."""
    from claimgraph.project import bundled_data_dir

    source = ontology if ontology is not None else bundled_data_dir() / "ontology"
    if (out / "graph").exists():
        shutil.rmtree(out / "graph")
    if (out / "ontology").exists():
        shutil.rmtree(out / "ontology")
    (out / "graph" / "archive").mkdir(parents=True)
    shutil.copytree(source, out / "ontology")
    texts = {doc.slug: documents.compose(doc) for doc in documents.documents}
    expected: list[tuple[str, str, str]] = []
    graphs = {f"{doc.slug}.trig": documents.graph(doc, texts, expected) for doc in documents.documents}
    graphs["actors.trig"] = registries.actors_graph(expected)
    graphs["places.trig"] = registries.places_graph()
    graphs["propositions.trig"] = registries.propositions_graph()
    graphs["proposals.trig"] = registries.proposals_graph()
    for name, graph in graphs.items():
        (out / "graph" / name).write_text(graph.text(), encoding="utf-8")
    for doc in documents.documents:
        if doc.violation != "missing-archived-text":
            (out / "graph" / "archive" / f"{doc.slug}.txt").write_bytes(texts[doc.slug][0].encode("utf-8"))
    all_claims = [c for d in documents.documents for c in d.claims]
    actors = registries.actors.values()
    counts = {
        "documents": len(documents.documents),
        "claims": len(all_claims),
        "non_responses": sum(len(d.non_responses) for d in documents.documents),
        "cited_sources": len(documents.cited),
        "propositions": len(registries.props),
        "proposals": len(registries.proposals),
        "places": len(registries.places),
        **{f"actors_{k}": sum(1 for a in actors if a.kind == k) for k in ACTOR_CLASSES},
    }
    by_claimant = Counter(c.claimant for c in all_claims)  # counted once: a scan per person is quadratic
    busiest = max(registries.persons, key=lambda p: by_claimant[p])
    first_claim = next(c for c in all_claims if c.violation is None)
    samples = {
        "actor": ACTOR + busiest,
        "claim": CLAIM + first_claim.slug,
        "source": ACTOR + registries.wires[0],
        "place": PLACE + registries.territories[0][0],
        "doc": DOC + documents.documents[0].slug,
    }
    manifest = Manifest(
        seed=seed,
        claims=claims,
        triples=sum(graph.count for graph in graphs.values()),
        counts=counts,
        violations={k: sorted(v) for k, v in planter.violations.items()},
        expected_results=sorted(expected),
        contradictions={k: sorted(v) for k, v in planter.contradictions.items()},
        samples=samples,
    )
    (out / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
    return manifest
