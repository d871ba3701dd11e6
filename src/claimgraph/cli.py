"""The ``claimgraph`` command line: a thin layer over the library.

Only this module prints and picks exit codes: 0 ok / conforms, 1 violations found, 2 usage, input or
endpoint error. Heavy libraries are imported inside the commands so that ``--help`` stays instant.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import ClaimgraphError

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
            raise UserError(str(error)) from None


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


def emit(content: str, output: Path | None) -> None:
    """Print ``content`` or write it atomically to ``output``."""
    if output is None or str(output) == "-":
        click.echo(content, nl=False)
        return
    from .output import write_atomic

    write_atomic(output, content)


# A fixed help width keeps --help identical everywhere, so README's CLI reference can be checked.
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100, "terminal_width": 100}


@click.group(cls=ClaimgraphGroup, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="claimgraph")
def main() -> None:
    """Provenance-checked knowledge graphs of claims, actors and sources.

    Exit codes: 0 ok, 1 violations found, 2 usage, input or endpoint error.

    \b
    Example:
        claimgraph validate --allow-warnings
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@data_option
@output_options("text", "json", "turtle")
@click.option("--allow-warnings", is_flag=True, help="Warnings do not fail validation (violations still do).")
def validate(paths: Sequence[Path], data_dir: Path | None, fmt: str, output: Path | None, allow_warnings: bool) -> None:
    """Check provenance: every claim attributed, sourced and anchored in its archived text.

    Validates the union of all named graphs against ontology/shapes.ttl. PATHS (files or
    directories) replace graph/ of the data directory; the ontology and shapes stay.
    Exit code 0 when the data passes, 1 on violations (or warnings without --allow-warnings).

    \b
    Example:
        claimgraph validate --allow-warnings
        claimgraph validate graph/ --format json -o report.json
    """
    from .dataset import load_dataset
    from .formats import RENDERERS
    from .validate import validate as run_validation

    dataset = load_dataset(data_dir, paths=list(paths) or None)
    report = run_validation(dataset)
    emit(RENDERERS[fmt](report, allow_warnings=allow_warnings), output)
    click.get_current_context().exit(EXIT_OK if report.passes(allow_warnings=allow_warnings) else EXIT_FAILED)
