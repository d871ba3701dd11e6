"""The command line's shared parts: exit codes, the error line, and the one option set every command uses.

``--data``, the output options (``--format``, ``-o``), the output directory (``-o DIR``) and the
endpoint options (``--endpoint``, ``--timeout``) are defined once here; so are the engine and queries
directory they select, and two rules every command follows:

- the data root: ``--data DIR``, else the nearest directory holding ``graph/`` from the current
  directory upward, else the bundled data (:func:`claimgraph.project.resolve_data_root`); a root
  without ontology/ or queries/ uses the bundled ones. Unless it is the root named with its own
  ontology, or the bundled data found in a checkout, the first line on standard error says which.
- ``-`` is standard input where a file is read and standard output where one is written; where the
  output is a directory, ``-`` is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from claimgraph.cli_hints import describe
from claimgraph.errors import ClaimgraphError
from claimgraph.project import DataRoot, resolve_data_root

if TYPE_CHECKING:
    from claimgraph.sparql.engines import Engine

__all__ = [
    "EXIT_ERROR",
    "EXIT_FAILED",
    "EXIT_OK",
    "ClaimgraphGroup",
    "UserError",
    "data_option",
    "emit",
    "endpoint_options",
    "engine_for",
    "no_stdin",
    "output_dir_option",
    "output_options",
    "queries_dir_for",
    "shown",
    "writable_data_option",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_ERROR = 2

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """A library error shown as one line, ``Error: …``, with exit code 2."""

    exit_code = EXIT_ERROR


class ClaimgraphGroup(click.Group):
    """Turns every :class:`ClaimgraphError` into one line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClaimgraphError as error:
            raise UserError(describe(error, command=ctx.invoked_subcommand)) from None


DATA_HELP = (
    "The data root: a directory with graph/ (and ontology/, queries/, else the bundled ones)."
    " Default: the nearest directory holding graph/, from the current directory upward"
)


def _announce(root: DataRoot) -> None:
    """Say which data and ontology are used, unless it goes without saying."""
    if (root.how == "named" and root.own_ontology) or (root.how == "found" and root.is_bundled):
        return
    click.echo(root.describe(), err=True)


def _data_root(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    if ctx.params.get("shapes"):  # validate --shapes reads its files alone (an eager option: known first)
        return value
    root = resolve_data_root(value)
    _announce(root)
    return root.path


def _writable_data_root(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    root = resolve_data_root(value)
    if root.how == "bundled":
        raise UserError(
            "no data root: no graph/ in the current directory or above; pass --data DIR (its graph/ is"
            " created if need be) or run where graph/ is"
        )
    _announce(root)
    return root.path


def data_option(command: F) -> F:
    """``--data DIR``: the data root of a command that reads the data (see the module documentation)."""
    return click.option(
        "--data",
        "data_dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
        callback=_data_root,
        help=DATA_HELP + ", else the bundled data.",
    )(command)


def writable_data_option(command: F) -> F:
    """``--data DIR``: the data root a command writes into; never the bundled data."""
    return click.option(
        "--data",
        "data_dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
        callback=_writable_data_root,
        help=DATA_HELP + ".",
    )(command)


def output_options(*formats: str, default: str | None = "") -> Callable[[F], F]:
    """``--format`` and ``-o/--output``, shared by every command that prints results.

    :param default: the format when none is given (``""``: the first; ``None``: the command decides).
    """

    def decorate(command: F) -> F:
        command = click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
            default=None,
            help="Write to FILE (whole or not at all) instead of standard output; '-' for standard output.",
        )(command)
        return click.option(
            "-f",
            "--format",
            "fmt",
            type=click.Choice(formats),
            default=formats[0] if default == "" else default,
            show_default=default is not None,
            help="Output format."
            if default is not None
            else "Output format (default: from -o's suffix, else the first).",
        )(command)

    return decorate


def output_dir_option(help_text: str) -> Callable[[F], F]:
    """``-o/--output DIR`` (required, passed as ``out``): the directory a command writes."""

    def decorate(command: F) -> F:
        return click.option(
            "-o",
            "--output",
            "out",
            type=click.Path(file_okay=False, path_type=Path),
            required=True,
            callback=_no_dash,
            help=help_text,
        )(command)

    return decorate


def _no_dash(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    if str(value) == "-":
        raise click.BadParameter("'-' is standard output, which cannot hold the directory written here: name one")
    return value


def no_stdin(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Refuse ``-`` among RDF files to read: standard input has no suffix to tell its syntax by."""
    values = value if isinstance(value, tuple | list) else [value]
    if any(str(v) == "-" for v in values):
        raise click.BadParameter("'-' is standard input, which has no file name to tell its RDF syntax by: name files")
    return value


QUERY_ENDPOINT_HELP = "Query this SPARQL 1.1 endpoint instead of the embedded store (e.g. http://127.0.0.1:7878/query)."


def endpoint_options(endpoint_help: str = QUERY_ENDPOINT_HELP) -> Callable[[F], F]:
    """``--endpoint URL`` and ``--timeout SECONDS``: work on a remote SPARQL 1.1 endpoint instead."""

    def decorate(command: F) -> F:
        command = click.option(
            "--timeout",
            type=click.FloatRange(min=0, min_open=True),
            metavar="SECONDS",
            default=60.0,
            show_default=True,
            help="Seconds to wait for each answer from the store's endpoints.",
        )(command)
        return click.option("--endpoint", metavar="URL", default=None, help=endpoint_help)(command)

    return decorate


def emit(content: str | bytes, output: Path | None) -> None:
    """Print ``content`` or write it atomically to ``output``."""
    if output is None or str(output) == "-":
        click.echo(content, nl=False)
        return
    from claimgraph.io.atomic import write_atomic

    write_atomic(output, content)


def engine_for(data_dir: Path | None, endpoint: str | None, timeout: float) -> Engine:
    """The remote engine for ``endpoint``, else the embedded one over the data directory."""
    if endpoint:
        from claimgraph.sparql.engines import RemoteEngine

        return RemoteEngine(endpoint, timeout=timeout)
    from claimgraph.io.dataset import load_dataset
    from claimgraph.sparql.engines import EmbeddedEngine

    return EmbeddedEngine(load_dataset(data_dir))


def queries_dir_for(data_dir: Path | None) -> Path:
    """queries/ of the data directory; the bundled queries when it has none (they fit any claimgraph data)."""
    from claimgraph.project import bundled_data_dir
    from claimgraph.queries.files import queries_dir

    if data_dir is not None and queries_dir(data_dir).is_dir():
        return queries_dir(data_dir)
    return queries_dir(bundled_data_dir())


def shown(path: Path) -> str:
    """``path`` relative to the current directory where it lies below it, for messages."""
    resolved = path.resolve()
    return str(resolved.relative_to(Path.cwd())) if resolved.is_relative_to(Path.cwd()) else str(path)
