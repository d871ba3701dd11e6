"""What changed, according to git (``--changed-since REV``) or as named (``--changed FILE``).
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from claimgraph.errors import RevisionError

if TYPE_CHECKING:

    pass


# ---------------------------------------------------------------------------------------------------
# What changed, according to git
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Changes:
    """Changed files (absolute) and their content at the base revision (None: the file is new)."""

    files: list[Path]
    old: dict[Path, bytes | None]


def _git(cwd: Path, *args: str, revision: str, given: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=given, capture_output=True, check=False)
    except OSError as error:
        raise RevisionError(revision, f"git cannot run: {error.strerror or error}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise RevisionError(revision, message[-1] if message else f"git {args[0]} failed")
    return done.stdout


def changes_since(
    root: Path, revision: str, *, only: Sequence[Path] | None = None, within: Sequence[Path] = ()
) -> Changes:
    """Files under ``root`` that differ from ``revision`` (committed, staged, unstaged or untracked).

    :param only: these files alone, compared with ``revision``, whether git reports them or not.
    :param within: more files or directories to look in (data read from outside ``root``).
    :raises RevisionError: if git is missing, ``root`` is not in a work tree or the revision is unknown.
    """
    top = Path(_git(root, "rev-parse", "--show-toplevel", revision=revision).decode().strip())
    commit = (
        _git(root, "rev-parse", "--verify", "--end-of-options", f"{revision}^{{commit}}", revision=revision)
        .decode()
        .strip()
    )
    if only is not None:
        files = [p.resolve() for p in only]
    else:
        scope = [str(p.resolve()) for p in (root, *within)]
        listed = _git(top, "diff", "--name-only", "--no-renames", "-z", commit, "--", *scope, revision=revision)
        listed += _git(top, "ls-files", "--others", "--exclude-standard", "-z", "--", *scope, revision=revision)
        files = sorted({(top / name).resolve() for name in listed.decode("utf-8").split("\0") if name})
    names = {p: p.relative_to(top).as_posix() for p in files if p.is_relative_to(top)}
    base = _base_versions(top, commit, sorted(set(names.values())), revision=revision)
    return Changes(files, {p: base.get(names[p]) if p in names else None for p in files})


def _base_versions(top: Path, commit: str, names: list[str], *, revision: str) -> dict[str, bytes | None]:
    """The content at ``commit`` of each file named (None: no file of that name there), read by one
    git process rather than one per file (a name with a line break, which its input cannot carry, by
    one of its own)."""
    plain = [n for n in names if "\n" not in n]
    found: dict[str, bytes | None] = {}
    request = "".join(f"{commit}:{n}\n" for n in plain).encode("utf-8", "surrogateescape")
    listed = _git(top, "cat-file", "--batch", revision=revision, given=request) if plain else b""
    at = 0
    for name in plain:  # each answer: "<object> <type> <size>" and the content, or "<name> missing"
        end = listed.index(b"\n", at)
        header = listed[at:end].split(b" ")
        at = end + 1
        if header[-1] == b"missing":
            found[name] = None
            continue
        size = int(header[2])
        found[name] = listed[at : at + size] if header[1] == b"blob" else None
        at += size + 1
    for name in names:
        if name not in found:
            tracked = _git(top, "ls-tree", "-z", "--name-only", commit, "--", name, revision=revision)
            found[name] = _git(top, "show", f"{commit}:{name}", revision=revision) if tracked else None
    return found


def changes_named(root: Path, files: Sequence[Path]) -> Changes:
    """``files`` changed: their base is their committed version (HEAD) where git has one, else none."""
    try:
        return changes_since(root, "HEAD", only=files)
    except RevisionError:  # no git, no work tree or no commit yet: the files are new
        return Changes([p.resolve() for p in files], {p.resolve(): None for p in files})


