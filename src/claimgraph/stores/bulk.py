"""Virtuoso's own bulk loader, for a store on this machine: N-Quads files loaded by ``ld_dir`` and
``rdf_loader_run`` through Virtuoso's SQL client (``isql-vt``).

The loader reads files from the server's file system, only from directories listed in the server's
``DirsAllowed``; the client writes them there, so both must share that directory. ``isql-vt`` takes
the password only on its command line (other users of the machine can read it while the client
runs, a few seconds per file); the SQL goes on its standard input.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from claimgraph.errors import LoadError

#: The client Debian's ``virtuoso-opensource`` installs (plain ``isql`` is often unixODBC's, another program).
ISQL = "isql-vt"


@dataclass(frozen=True)
class VirtuosoBulkLoader:
    """Where and how to reach Virtuoso's bulk loader.

    :param directory: a directory in the server's ``DirsAllowed`` that this process may write to.
    :param isql: the server's SQL address, ``HOST:PORT`` (Virtuoso's ``[Parameters] ServerPort``).
    :param user: a SQL user allowed to run the loader (``dba``).
    :param password: that user's password (kept out of ``repr`` and every message).
    :param binary: the ``isql-vt`` program.
    """

    directory: Path
    isql: str = "127.0.0.1:1111"
    user: str = "dba"
    password: str = field(default="", repr=False)
    binary: str = ISQL

    def run(self, sql: str) -> str:
        """Run SQL statements; their output.

        :raises LoadError: if the client is missing, cannot connect, or a statement fails (``isql-vt``
            exits 0 on SQL errors, so its output is read for them).
        """
        found = shutil.which(self.binary)
        if found is None:
            raise LoadError(self.isql, f"{self.binary} (Virtuoso's SQL client) is not installed")
        try:
            done = subprocess.run(
                [found, self.isql, self.user, self.password, "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF"],
                input=sql + "\n",
                capture_output=True,
                text=True,
                timeout=None,
                check=False,
            )
        except OSError as error:
            raise LoadError(self.isql, f"cannot run {self.binary}: {error}") from None
        output = done.stdout + done.stderr
        for line in output.splitlines():
            if "*** Error" in line or "Bad login" in line or "Connect failed" in line:
                raise LoadError(self.isql, f"{self.binary}: {' '.join(line.split())}")
        if done.returncode != 0:
            said = " ".join(output.split())[-200:]
            raise LoadError(self.isql, f"{self.binary} exited with status {done.returncode}: {said}")
        return output

    def load_file(self, path: Path, *, graph: str) -> None:
        """Bulk-load one N-Quads file of :attr:`directory`, then forget it (the file and its entry in
        ``DB.DBA.LOAD_LIST``).

        :param graph: the graph for triples without one (none are written; the loader wants one).
        :raises LoadError: if the loader failed on the file.
        """
        listed = _sql_string(f"{path.parent}/{path.name}")
        try:
            self.run(f"ld_dir({_sql_string(str(path.parent))}, {_sql_string(path.name)}, {_sql_string(graph)});")
            self.run("rdf_loader_run();")
            done = self.run(
                f"select count(*) from DB.DBA.LOAD_LIST where ll_file = {listed} and ll_state = 2 and ll_error is null;"
            )
            if _first_number(done) != 1:
                said = " ".join(self.run(f"select ll_error from DB.DBA.LOAD_LIST where ll_file = {listed};").split())
                raise LoadError(self.isql, f"the bulk loader failed on {path}: {said or 'the file was not found'}")
        finally:
            path.unlink(missing_ok=True)
            with contextlib.suppress(LoadError):  # the failure above says more
                self.run(f"delete from DB.DBA.LOAD_LIST where ll_file = {listed};")

    def checkpoint(self) -> None:
        """Make what the loader wrote durable (it writes without the transaction log)."""
        self.run("checkpoint;")


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _first_number(output: str) -> int | None:
    for line in output.splitlines():
        if line.strip().isdigit():
            return int(line.strip())
    return None
