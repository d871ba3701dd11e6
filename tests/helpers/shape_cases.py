"""The shape test cases' base fixture (tests/resources/shapes/base), loaded and changed as a case says."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from claimgraph.io.dataset import Dataset, load_dataset
from claimgraph.namespaces import sparql_prefixes
from helpers.data import REPO

SHAPE_CASES = REPO / "tests" / "resources" / "shapes"
BASE_TRIG = SHAPE_CASES / "base" / "base.trig"
BASE_TEXT = SHAPE_CASES / "base" / "base.txt"


def archived_bytes(archive: dict[str, Any]) -> bytes | None:
    """The archived file of an example: the base text, changed as ``archive`` says (None: no file)."""
    unknown = set(archive) - {"missing", "replace", "replace_hex", "copies"}
    assert not unknown, f"unknown archive change(s): {sorted(unknown)}"
    if archive.get("missing"):
        return None
    data = BASE_TEXT.read_bytes()
    if "replace" in archive:
        old, new = (s.encode("utf-8") for s in archive["replace"])
    elif "replace_hex" in archive:
        old, new = (bytes.fromhex(s) for s in archive["replace_hex"])
    else:
        return data
    assert old in data, f"{old!r} is not in the archived text"
    return data.replace(old, new, 1)


def build(tmp_path: Path, update: str = "", *, archive: dict[str, Any] | None = None, refresh: bool = False) -> Dataset:
    """Load the base fixture (from a copy in ``tmp_path``) and apply ``update`` to it."""
    shutil.copy(BASE_TRIG, tmp_path / "case.trig")
    archive = archive or {}
    text = archived_bytes(archive)
    if text is not None:
        (tmp_path / BASE_TEXT.name).write_bytes(text)
    for name, suffix in archive.get("copies", {}).items():  # further archived files: the base text + suffix
        (tmp_path / name).write_bytes(BASE_TEXT.read_bytes() + suffix.encode("utf-8"))
    dataset = load_dataset(REPO, paths=[tmp_path / "case.trig"])
    if update.strip():
        dataset.store.update(sparql_prefixes() + update)
    if refresh:
        dataset.refresh_archive()
    return dataset
