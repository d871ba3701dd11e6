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


def _git(cwd: Path, *args: str, revision: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
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
    tracked = set(_git(top, "ls-tree", "-r", "-z", "--name-only", commit, revision=revision).decode().split("\0"))
    old: dict[Path, bytes | None] = {}
    for path in files:
        name = path.relative_to(top).as_posix() if path.is_relative_to(top) else None
        old[path] = _git(top, "show", f"{commit}:{name}", revision=revision) if name in tracked else None
    return Changes(files, old)


def changes_named(root: Path, files: Sequence[Path]) -> Changes:
    """``files`` changed: their base is their committed version (HEAD) where git has one, else none."""
    try:
        return changes_since(root, "HEAD", only=files)
    except RevisionError:  # no git, no work tree or no commit yet: the files are new
        return Changes([p.resolve() for p in files], {p.resolve(): None for p in files})


