"""The command line: a thin shell over the library, one module per command.

``main`` is the console script; importing this package registers every command on ``app``, in
the order ``--help`` lists them.
"""

# isort: off
from databugs.cli import scan, check, diff, report, fix, review, next, label  # noqa: F401 (commands)

# isort: on
from databugs.cli.app import app


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
