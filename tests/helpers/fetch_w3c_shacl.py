"""Fetch the W3C SHACL test suite (data-shapes-test-suite, core and sparql) for tests/test_w3c_shacl.py.

The suite is not committed to this repository. pySHACL's source distribution ships it under
``test/resources/sht_tests/``: this script downloads, with pip, the sdist of the pySHACL version
installed in the running interpreter and extracts only that folder into ``tests/.w3c-shacl/`` (git
ignored). It does nothing if that version's copy is already there. ``make test`` runs it before pytest;
the tests themselves never touch the network.

Usage: python tests/helpers/fetch_w3c_shacl.py [DESTINATION]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from importlib.metadata import version
from pathlib import Path

PREFIX = "test/resources/sht_tests/"
DEFAULT = Path(__file__).resolve().parents[1] / ".w3c-shacl"


def fetch(destination: Path = DEFAULT) -> Path:
    """The suite's folder (``destination/sht_tests``), downloaded first if missing or of another version."""
    wanted = version("pyshacl")
    stamp = destination / "VERSION"
    suite = destination / "sht_tests"
    if suite.is_dir() and stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == wanted:
        return suite
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                f"pyshacl=={wanted}",
                "--no-binary",
                ":all:",
                "--no-deps",
                "--dest",
                tmp,
            ],
            check=True,
        )
        (archive,) = Path(tmp).glob("pyshacl-*.tar.gz")
        staging = Path(tmp) / "out"
        with tarfile.open(archive) as tar:
            members = []
            for member in tar.getmembers():
                _, _, inside = member.name.partition("/")  # drop the pyshacl-X.Y.Z/ folder
                if not inside.startswith(PREFIX) or not (member.isfile() or member.isdir()):
                    continue
                member.name = "sht_tests/" + inside.removeprefix(PREFIX)
                members.append(member)
            tar.extractall(staging, members=members, filter="data")
        if not (staging / "sht_tests" / "manifest.ttl").is_file():
            raise SystemExit(f"pyshacl {wanted}'s sdist has no {PREFIX}manifest.ttl")
        shutil.rmtree(suite, ignore_errors=True)
        destination.mkdir(parents=True, exist_ok=True)
        shutil.move(staging / "sht_tests", suite)
    stamp.write_text(wanted + "\n", encoding="utf-8")
    return suite


if __name__ == "__main__":
    print(fetch(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
