"""The typer application, and the one place where a library error becomes exit code 2.

Each command is a module of this package that parses its options, calls one library function
and formats the result.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from databugs.errors import DatabugsError, cli_spelling
from databugs.version import __version__

app = typer.Typer(
    name="databugs",
    help="Find and fix data bugs (wrong labels and more) in labelled datasets.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
F = TypeVar("F", bound=Callable[..., Any])


def user_errors(command: F) -> F:
    """Run a command with messages naming options as flags; a DatabugsError becomes one line on
    stderr and exit code 2 (and, with ``--format json``, an ``{"error": ...}`` on stdout)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with cli_spelling():
                return command(*args, **kwargs)
        except DatabugsError as error:
            if str(kwargs.get("output_format")) == "json":
                typer.echo(json.dumps({"error": error.to_dict()}, ensure_ascii=False))
            typer.echo(f"databugs: error: {error}", err=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"databugs {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Find and fix data bugs (wrong labels and more) in labelled datasets."""
