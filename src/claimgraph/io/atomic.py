"""Write outputs whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from claimgraph.errors import OutputError


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file renamed into place.

    A reader sees the old file or the new one, never a part; on failure nothing is left behind.

    :raises OutputError: if the directory is missing or not writable.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as error:
        raise OutputError(path, error.strerror or str(error)) from None
    try:
        # mkstemp creates the file private; give it the mode any new file of the user's gets.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as error:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(path, error.strerror or str(error)) from None
