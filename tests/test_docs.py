"""The manual: README's size, docs/cli.md in step with --help, every link resolving, code examples that run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cogapp import Cog
from helpers.data import REPO

from claimgraph.cli import main

DOCS = sorted((REPO / "docs").glob("*.md"))
PAGES = [REPO / "README.md", *DOCS]
LINK = re.compile(r"\]\(([^)\s]+)\)")
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.S | re.M)


def test_readme_is_at_most_ten_kilobytes() -> None:
    assert (REPO / "README.md").stat().st_size <= 10_240


def test_cli_reference_is_generated_from_the_current_help() -> None:
    page = REPO / "docs" / "cli.md"
    text = page.read_text(encoding="utf-8")
    assert Cog().process_string(text, fname=str(page)) == text, "docs/cli.md is out of step: run `make docs`"


def test_cli_reference_has_a_section_per_command_under_its_real_name() -> None:
    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in main.commands:
        assert f"## `claimgraph {command}`" in text
        assert f"Usage: claimgraph {command} " in text
    assert "Usage: main" not in text
    assert "Usage: main" not in (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_resolves_to_a_file(page: Path) -> None:
    missing = []
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if "://" in target or target.startswith("#"):
            continue
        if not (page.parent / target.split("#")[0]).exists():
            missing.append(target)
    assert missing == []


FENCE = re.compile(r"^```([a-z]*)\n(.*?)^```$", re.S | re.M)
INLINE = re.compile(r"`([^`\n]+)`")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_command_the_docs_show_exists(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    # commands in code (comments cut off), not a path or a repository that ends in "claimgraph"
    blocks = [block for lang, block in FENCE.findall(text) if lang != "python"]
    code = [line.split("#")[0] for block in blocks for line in block.splitlines()]
    code += INLINE.findall(FENCE.sub("", text))
    named = {m for line in code for m in re.findall(r"(?<![/\w.-])claimgraph ([a-z][a-z-]+)", line)}
    assert named - set(main.commands) == set()


EXAMPLES = [(page, block) for page in PAGES for block in PYTHON_BLOCK.findall(page.read_text(encoding="utf-8"))]


def test_the_docs_have_python_examples() -> None:
    assert EXAMPLES


@pytest.mark.parametrize(("page", "code"), EXAMPLES, ids=lambda x: x.name if isinstance(x, Path) else "")
def test_python_examples_run(page: Path, code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    exec(compile(code, str(page), "exec"), {"__name__": "__doc_example__"})
