"""The shape test cases (tests/resources/shapes/cases.yaml) and their base fixture, loaded and changed
as a case says."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from claimgraph.io.dataset import Dataset, load_dataset
from claimgraph.namespaces import CGSH, PREFIXES, SH, sparql_prefixes
from helpers.data import REPO

SHAPE_CASES = REPO / "tests" / "resources" / "shapes"
BASE_TRIG = SHAPE_CASES / "base" / "base.trig"
BASE_TEXT = SHAPE_CASES / "base" / "base.txt"
CASES_FILE = SHAPE_CASES / "cases.yaml"
SEVERITIES = {"Violation", "Warning", "Info"}


@dataclass(frozen=True)
class Variant:
    """One violating example of a shape."""

    name: str
    update: str
    components: frozenset[str]
    focus: str | None
    archive: dict[str, Any]
    refresh_archive: bool


@dataclass(frozen=True)
class Case:
    """A shape with its violating and conforming examples."""

    shape: str
    description: str
    focus: str
    severity: str
    conforming: str
    violating: tuple[Variant, ...]

    @property
    def shape_iri(self) -> str:
        return CGSH.term(self.shape)


def expand(curie: str) -> str:
    """The full IRI of a CURIE written with the shared prefixes (or of an ``<IRI>``)."""
    if curie.startswith("<") and curie.endswith(">"):
        return curie[1:-1]
    prefix, _, local = curie.partition(":")
    if prefix not in PREFIXES or not local:
        raise ValueError(f"not a CURIE with a shared prefix: {curie!r}")
    return PREFIXES[prefix] + local


def component_iri(name: str) -> str:
    """``MinCount`` -> sh:MinCountConstraintComponent; ``SPARQL`` -> sh:SPARQLConstraintComponent."""
    return f"{SH}{name}ConstraintComponent"


CASE_KEYS = {"shape", "description", "focus", "severity", "conforming", "violating"}
VARIANT_KEYS = {"name", "update", "components", "focus", "archive", "refresh_archive"}


def load_cases() -> list[Case]:
    """The cases of cases.yaml; a misspelt key or severity fails at collection, not silently."""
    cases = []
    for entry in yaml.safe_load(CASES_FILE.read_text(encoding="utf-8")):
        assert set(entry) <= CASE_KEYS, f"{entry.get('shape')}: unknown keys {sorted(set(entry) - CASE_KEYS)}"
        assert entry.get("severity", "Violation") in SEVERITIES, f"{entry['shape']}: unknown severity"
        assert entry["violating"], f"{entry['shape']}: no violating example"
        for v in entry["violating"]:
            assert set(v) <= VARIANT_KEYS, f"{entry['shape']}/{v.get('name')}: unknown keys {set(v) - VARIANT_KEYS}"
        variants = tuple(
            Variant(
                name=v["name"],
                update=v["update"],
                components=frozenset(component_iri(c) for c in v["components"]),
                focus=v.get("focus"),
                archive=v.get("archive", {}),
                refresh_archive=v.get("refresh_archive", False),
            )
            for v in entry["violating"]
        )
        cases.append(
            Case(
                shape=entry["shape"],
                description=entry["description"],
                focus=entry["focus"],
                severity=entry.get("severity", "Violation"),
                conforming=entry.get("conforming", ""),
                violating=variants,
            )
        )
    return cases


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
