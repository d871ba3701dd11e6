"""The command line's shared parts: exit codes, the error line, and the one option set every command uses.

``--data``, the output options (``--format``, ``-o``), the output directory (``-o DIR``) and the
endpoint options (``--endpoint``, ``--timeout``) are defined once here; so are the engine and queries
directory they select.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from claimgraph.cli_hints import describe
from claimgraph.errors import ClaimgraphError

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
    "output_dir_option",
    "output_options",
    "queries_dir_for",
    "shown",
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


def data_option(command: F) -> F:
    """``--data DIR``: the directory holding ontology/, graph/ and queries/."""
    return click.option(
        "--data",
        "data_dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
        help="Directory with ontology/, graph/ and queries/ (default: the bundled data).",
    )(command)


def output_options(*formats: str) -> Callable[[F], F]:
    """``--format`` and ``-o/--output``, shared by every command that prints results."""

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
            default=formats[0],
            show_default=True,
            help="Output format.",
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
            help=help_text,
        )(command)

    return decorate


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
