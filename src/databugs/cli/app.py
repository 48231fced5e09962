"""The typer application, and the one place where a library error becomes exit code 2.

Each command is a module of this package that parses its options, calls one library function
and formats the result.
"""

from __future__ import annotations

import functools
import io
import json
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from typer.core import TyperGroup

from databugs.errors import DatabugsError, ErrorCode, cli_spelling
from databugs.text import log_line, visible
from databugs.version import __version__


class OneLineErrors(TyperGroup):
    """The command group, whose usage errors (an unknown option or command, a missing
    argument, a value that is no number) are one line on stderr like every other error, with
    the JSON error object under ``--format json``, instead of click's usage block."""

    def main(self, args: Any = None, *extra: Any, standalone_mode: bool = True, **more: Any) -> Any:
        if not standalone_mode:
            return super().main(args, *extra, standalone_mode=False, **more)
        given = list(sys.argv[1:] if args is None else args)
        try:
            code = super().main(given, *extra, standalone_mode=False, **more)
        except typer.Abort:
            say("databugs: aborted", err=True)
            sys.exit(1)
        except Exception as error:
            if not _is_click_error(error):
                raise
            _show_click_error(error, given)
            sys.exit(error.exit_code)  # type: ignore[attr-defined]
        sys.exit(code if isinstance(code, int) else 0)


def _is_click_error(error: Exception) -> bool:
    """click's own errors (vendored in typer since 0.20, so told by their shape, not class)."""
    return callable(getattr(error, "format_message", None)) and hasattr(error, "exit_code")


def _show_click_error(error: Any, args: list[str]) -> None:
    """A usage error as one line (and JSON); the help asked by no arguments as help."""
    if type(error).__name__ == "NoArgsIsHelpError" or not hasattr(error, "ctx"):
        error.show()
        return
    command = error.ctx.command_path if error.ctx else "databugs"
    message = error.format_message()
    _print_error(
        DatabugsError(message, code=ErrorCode.BAD_USAGE, hint=f"see {command} --help"), args
    )


def _json_asked(args: list[str]) -> bool:
    """Whether the command line asks ``--format json`` (either spelling)."""
    pairs = zip(args, [*args[1:], ""], strict=True)
    return "--format=json" in args or any(a == "--format" and b == "json" for a, b in pairs)


def _print_error(error: DatabugsError, args: list[str]) -> None:
    """A DatabugsError as one line on stderr, and as an ``{"error": ...}`` on stdout where
    ``--format json`` was asked."""
    if _json_asked(args):
        say(json.dumps({"error": error.to_dict()}, ensure_ascii=False))
    say(f"databugs: error: {visible(error)}", err=True)


app = typer.Typer(
    cls=OneLineErrors,
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
            _print_error(error, ["--format", str(kwargs.get("output_format"))])
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


class LogStream(io.TextIOBase):
    """stdout or stderr, each line written through :func:`databugs.text.log_line`: whatever a
    printer got wrong, no printed line is a CI command or breaks in two at a data line break.

    The stream is looked up at each write (the test runner swaps it). Each write is taken to
    start a line: a line written in parts is checked at each part, which can only escape more.
    Escape sequences are kept only for a rich console that colours (data's own were shown as
    text before: ``databugs.text.one_line``)."""

    def __init__(self, *, err: bool = False) -> None:
        self.err = err
        self.keep_escapes = False

    def _target(self) -> Any:
        return sys.stderr if self.err else sys.stdout

    def write(self, text: str) -> int:
        lines = text.split("\n")
        self._target().write(
            "\n".join(log_line(line, keep_escapes=self.keep_escapes) for line in lines)
        )
        return len(text)

    def flush(self) -> None:
        self._target().flush()

    def isatty(self) -> bool:
        return self._target().isatty()


def say(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print lines (separated by ``\\n``) of a command's output; see :class:`LogStream`."""
    typer.echo(text, file=LogStream(err=err), nl=nl)


def console(*, err: bool = False, **options: Any) -> Console:
    """A rich console whose every line goes through a :class:`LogStream`."""
    stream = LogStream(err=err)
    shown = Console(file=stream, **options)
    stream.keep_escapes = shown.is_terminal
    return shown


def _version(value: bool) -> None:
    if value:
        say(f"databugs {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Find and fix data bugs (wrong labels and more) in labelled datasets."""
