"""The report's pictures: seeded spring layouts packed by connected part, layered provenance chains,
edge styles that differ by more than colour, and the timeline of dated claims."""

from __future__ import annotations

import networkx as nx

from claimgraph.queries.explain import EvidenceTrail, RelayStep, Side
from claimgraph.site.layout import STYLES, network_picture, provenance_picture, spring_positions, timeline_picture


def side(claim: str, *, date: str | None = None, evidence: tuple[EvidenceTrail, ...] = ()) -> Side:
    return Side(
        claim=claim,
        claimant="ex:claimant",
        claimant_label="The claimant",
        claimant_affiliations=(),
        proposition="ex:p",
        proposition_label="A proposition",
        stance="affirms",
        claim_kind=None,
        date=date,
        sources=(),
        evidence=evidence,
    )


def test_spring_positions_are_reproducible_and_keep_connected_parts_apart() -> None:
    graph = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y")])
    graph.add_node("lonely")
    first, second = spring_positions(graph), spring_positions(graph)
    assert first == second
    assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in first.values())
    triangle = [first[n][0] for n in "abc"]
    pair = [first[n][0] for n in "xy"]
    assert max(triangle) < min(pair)  # the largest part first, in a cell of its own
    assert first["lonely"][0] > max(pair)


def test_edge_kinds_differ_by_dash_as_well_as_colour() -> None:
    assert len({s.dash for s in STYLES}) == len(STYLES) and len({s.colour for s in STYLES}) == len(STYLES)
    graph = nx.MultiGraph()
    graph.add_edge("a", "b", kind="direct-opposition")
    graph.add_edge("a", "b", kind="reversal")
    graph.add_edge("b", "c", kind="direct-opposition")
    picture = network_picture(graph, edge_attribute="kind", href={"a": "a.html"}, title="t")
    assert [value for value, _, _ in picture.legend] == ["direct-opposition", "reversal"]
    assert len({style.dash for _, style, _ in picture.legend}) == 2
    parallel = [e.path for e in picture.edges if e.title.startswith("a → b")]
    assert len(set(parallel)) == 2  # parallel edges bow apart
    assert [n.href for n in picture.nodes] == ["a.html", None, None]


def test_provenance_chain_is_layered_from_claimant_to_document() -> None:
    relayed = EvidenceTrail(
        evidence="ex:e1",
        document="ex:article",
        document_label="The article",
        quote_mode="paraphrase",
        quote="said so",
        relay=(
            RelayStep(2, "ex:outlet", "The outlet", "relayed-by", None, None),
            RelayStep(1, "ex:agency", "The agency", "reported-by", "ex:wire", "The wire report"),
        ),
    )
    direct = EvidenceTrail("ex:e2", "ex:other", "Another article", None, None, ())
    picture = provenance_picture(side("ex:c", evidence=(relayed, direct)), {"ex:agency": "agency.html"}.get)
    by_layer = sorted(picture.nodes, key=lambda n: (n.y, n.x))
    assert [(n.tag, n.lines[0]) for n in by_layer] == [
        ("CLAIMANT", "The claimant"),
        ("RELAY 1", "The agency"),  # the trails side by side in the order given, whatever the hash seed
        ("ARCHIVED DOCUMENT", "Another article"),
        ("CITED SOURCE", "The wire report"),
        ("RELAY 2", "The outlet"),
        ("ARCHIVED DOCUMENT", "The article"),
    ]
    assert by_layer[1].y == by_layer[2].y and by_layer[1].x != by_layer[2].x  # one layer, two columns
    assert picture.width == 2 * 320
    assert sorted(e.label for e in picture.edges) == ["cited in", "in", "read in", "relayed by", "reported by"]
    assert all(e.y2 > e.y1 for e in picture.edges)  # every arrow points down the chain
    assert [n.href for n in by_layer if n.href] == ["agency.html"]
    assert picture.description == (
        "claimant The claimant → reported by The agency → in cited source The wire report → relayed by The outlet"
        " → read in archived document The article; claimant The claimant → read in archived document Another article"
    )


def test_timeline_places_dated_claims_and_counts_the_rest() -> None:
    sides = [side("ex:b", date="2025-12-01"), side("ex:a", date="2025-09-30"), side("ex:c", date="2025-09-30")]
    timeline = timeline_picture([*sides, side("ex:undated")], width=500)
    assert [(m.date, m.claims) for m in timeline.marks] == [("2025-09-30", ("ex:a", "ex:c")), ("2025-12-01", ("ex:b",))]
    assert timeline.marks[0].x == 40 and timeline.marks[1].x == 460
    assert (timeline.start, timeline.end, timeline.undated) == ("2025-09-30", "2025-12-01", 1)
    assert timeline_picture([side("ex:undated")]).marks == []
