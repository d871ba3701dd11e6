"""docs/authoring.md's worked example, replayed command by command: a second article with three claims
(one from an anonymous source, relayed by a named outlet), a non-response, two new actors and a new
proposition related to one of the first article, all by command and no TriG by hand. It validates,
and contradictions finds the pairs across the two articles."""

from __future__ import annotations

import difflib
import json
import re
import shlex
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.data import REPO

from claimgraph.cli import main
from claimgraph.io.dataset import load_dataset
from claimgraph.namespaces import CLAIM, expand
from claimgraph.project import bundled_data_dir
from claimgraph.validation.api import Severity, validate

PAGE = REPO / "docs" / "authoring.md"
ARTICLE = Path(__file__).parent / "resources" / "authoring" / "kremlin-nato.txt"
FENCE = re.compile(r"^```(console|text|turtle)\n(.*?)^```$", re.S | re.M)

Step = tuple[list[str], list[str]]


@cache
def blocks(kind: str) -> list[str]:
    return [body for lang, body in FENCE.findall(PAGE.read_text(encoding="utf-8")) if lang == kind]


def steps() -> Iterator[Step]:
    """Each ``$ claimgraph …`` command of the page (lines ending in ``\\`` continued) and the output shown."""
    for block in blocks("console"):
        lines = block.splitlines()
        i = 0
        while i < len(lines):
            assert lines[i].startswith("$ claimgraph "), f"not a claimgraph command: {lines[i]}"
            command = lines[i][2:]
            while command.endswith("\\"):
                i += 1
                command = command[:-1] + lines[i].strip()
            i += 1
            shown: list[str] = []
            while i < len(lines) and not lines[i].startswith("$ "):
                shown.append(lines[i])
                i += 1
            yield shlex.split(command)[1:], shown


def matches(shown: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` is ``shown``: a line ``…`` stands for any lines, ``…`` in a line for any text."""
    patterns = [None if s == "…" else re.compile(".*".join(map(re.escape, s.split("…")))) for s in shown]

    @cache
    def at(i: int, j: int) -> bool:
        if i == len(patterns):
            return j == len(actual)
        pattern = patterns[i]
        if pattern is None:
            return any(at(i + 1, k) for k in range(j, len(actual) + 1))
        return j < len(actual) and pattern.fullmatch(actual[j]) is not None and at(i + 1, j + 1)

    return at(0, 0)


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A claims repository (a copy of the bundled graph/, no ontology/) after every command of the page."""
    root = tmp_path_factory.mktemp("example") / "claims"
    shutil.copytree(bundled_data_dir() / "graph", root / "graph")
    shutil.copy(ARTICLE, root / "kremlin-nato.txt")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        for args, shown in steps():
            result = CliRunner().invoke(main, args, catch_exceptions=False)
            expected = 2 if any(line.startswith("Error:") for line in shown) else 0
            assert result.exit_code == expected, (args, result.output)
            assert matches(shown, result.output.splitlines()), (
                f"claimgraph {shlex.join(args)}\n--- the page shows ---\n"
                + "\n".join(shown)
                + "\n--- it prints ---\n"
                + result.output
            )
    return root


def test_the_page_shows_the_article_of_the_tests() -> None:
    assert blocks("text") == [ARTICLE.read_text(encoding="utf-8")]


def test_every_step_is_a_command_that_prints_what_the_page_shows(replayed: Path) -> None:
    assert sum(1 for _ in steps()) >= 10


def test_the_turtle_the_page_shows_is_what_was_written(replayed: Path) -> None:
    written = "".join(p.read_text(encoding="utf-8") for p in sorted((replayed / "graph").glob("*.trig")))
    for block in blocks("turtle"):
        assert block in written


def test_nothing_but_new_lines_and_files(replayed: Path) -> None:
    """The registries keep every line as it was, in order: the commands only insert."""
    for name in ("actors.trig", "propositions.trig"):
        before = (bundled_data_dir() / "graph" / name).read_text(encoding="utf-8").splitlines()
        after = (replayed / "graph" / name).read_text(encoding="utf-8").splitlines()
        operations = {tag for tag, *_ in difflib.SequenceMatcher(a=before, b=after).get_opcodes()}
        assert operations == {"equal", "insert"}, name
    new = {p.relative_to(replayed / "graph").as_posix() for p in (replayed / "graph").rglob("*")} - {
        p.relative_to(bundled_data_dir() / "graph").as_posix() for p in (bundled_data_dir() / "graph").rglob("*")
    }
    assert new == {"kremlin-nato.trig", "archive/kremlin-nato.txt"}


def test_the_second_article_validates_with_three_claims_and_a_non_response(replayed: Path) -> None:
    report = validate(load_dataset(replayed))
    bundled = validate(load_dataset()).counts
    assert [r for r in report.results if r.severity is Severity.VIOLATION] == []
    assert report.counts.documents == 2
    assert report.counts.claims == bundled.claims + 3
    assert report.counts.non_responses == bundled.non_responses + 1
    assert report.counts.actors == bundled.actors + 2


@pytest.mark.parametrize(
    ("kind", "new", "old"),
    [
        ("direct-opposition", "claim:peskov-no-threat-to-europe", "claim:us-intel-rejects-no-threat"),
        (
            "incompatible-propositions",
            "claim:peskov-no-intention-to-attack-nato",
            "claim:analysts-war-restores-soviet-influence",
        ),
    ],
)
def test_contradictions_finds_the_pairs_across_the_two_articles(replayed: Path, kind: str, new: str, old: str) -> None:
    result = CliRunner().invoke(main, ["contradictions", "--data", str(replayed), "--format", "json", "--kind", kind])
    assert result.exit_code == 0, result.output
    pairs = [{side["claim"] for side in found["sides"]} for found in json.loads(result.stdout)]
    assert {expand(new), expand(old)} in pairs
    assert CLAIM.term(new.removeprefix("claim:")) == expand(new)
