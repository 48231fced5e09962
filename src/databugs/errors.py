"""The one exception a user sees.

Library code raises :class:`DatabugsError` for every bad input or bad usage; the CLI turns it
into a one-line message on stderr and exit code 2, in one place.
"""

from __future__ import annotations


class DatabugsError(Exception):
    """A problem with the user's input or options, explained in one line.

    Parameters
    ----------
    message : str
        What was found and what was required, naming the file, column or row.
    code : str
        A stable machine-readable code (``"no_label_column"``), so that tests and JSON output
        match on codes while the wording can improve.
    hint : str, optional
        How to fix it.

    Examples
    --------
    >>> error = DatabugsError("data.csv: no column 'y'", code="no_label_column", hint="use --label")
    >>> str(error)
    "data.csv: no column 'y' (use --label)"
    """

    def __init__(self, message: str, *, code: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message

    def __reduce__(self) -> tuple:
        """Picklable, so that an error raised on a Dask worker reaches the user intact."""
        return (_rebuilt, (self.message, self.code, self.hint))


def _rebuilt(message: str, code: str, hint: str | None) -> DatabugsError:
    return DatabugsError(message, code=code, hint=hint)
