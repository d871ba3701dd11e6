"""Fetch axe-core (the accessibility engine tests/test_report.py runs in the report's pages) from npm.

axe-core is not committed to this repository: this script runs ``npm pack axe-core@VERSION`` and keeps
only ``axe.min.js`` (and the licence) in ``tests/.axe-core/`` (git-ignored). It does nothing if that
version is already there; without npm it only warns (the test then skips), unless ``CI`` is set.
``make test`` runs it before pytest; the tests themselves never touch the
network (the script is injected into the page from the file).

Usage: python tests/helpers/fetch_axe_core.py [DESTINATION]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

#: The axe-core release the tests run (its rules decide what "serious" means: pinned, not floating).
VERSION = "4.10.2"
DEFAULT = Path(__file__).resolve().parents[1] / ".axe-core"
KEPT = {"package/axe.min.js": "axe.min.js", "package/LICENSE": "LICENSE"}


def fetch(destination: Path = DEFAULT) -> Path:
    """``destination/axe.min.js``, downloaded first if missing or of another version."""
    stamp = destination / "VERSION"
    script = destination / "axe.min.js"
    if script.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == VERSION:
        return script
    npm = shutil.which("npm")
    if npm is None:
        message = "npm is not installed (apt-get install npm): it fetches axe-core for the report's accessibility test"
        if os.environ.get("CI"):
            raise SystemExit(message)
        print(f"warning: {message}, which is skipped without it", file=sys.stderr)
        return script
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [npm, "pack", "--silent", f"axe-core@{VERSION}", "--pack-destination", tmp],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (archive,) = Path(tmp).glob("axe-core-*.tgz")
        destination.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                if member.name in KEPT and member.isfile():
                    source = tar.extractfile(member)
                    assert source is not None
                    (destination / KEPT[member.name]).write_bytes(source.read())
    if not script.is_file():
        raise SystemExit(f"axe-core {VERSION}'s package has no axe.min.js")
    stamp.write_text(VERSION + "\n", encoding="utf-8")
    return script


if __name__ == "__main__":
    print(fetch(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
