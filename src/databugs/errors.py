"""The one exception a user sees, its stable codes, and how messages name options.

Library code raises :class:`DatabugsError` for every bad input or bad usage; the CLI turns it
into a one-line message on stderr and exit code 2, in one place. Messages name options the way
the caller wrote them: ``folds=1`` from Python, ``--folds 1`` from the command line, which
spells them so while it runs a command (:func:`cli_spelling`); a value refused that came from a
configuration file is named by that file and key, ``databugs.toml: folds = 1``
(:func:`options_set_in`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class ErrorCode(StrEnum):
    """Machine-readable error codes: stable, so that scripts and tests match on them while the
    wording improves. ``--format json`` prints them; the README lists them."""

    MISSING_FILE = "missing_file"
    EMPTY_FILE = "empty_file"
    UNKNOWN_FORMAT = "unknown_format"
    UNREADABLE_FILE = "unreadable_file"
    DUPLICATE_COLUMN = "duplicate_column"
    BAD_ROW = "bad_row"
    NO_LABEL_COLUMN = "no_label_column"
    UNKNOWN_COLUMN = "unknown_column"
    BAD_COLUMN = "bad_column"
    BAD_ID = "bad_id"
    BAD_LABEL = "bad_label"
    BAD_LABEL_TYPE = "bad_label_type"
    TOO_FEW_CLASSES = "too_few_classes"
    NO_FEATURES = "no_features"
    BAD_USAGE = "bad_usage"
    BAD_OPTION = "bad_option"
    BAD_CONFIG = "bad_config"
    BAD_GATE_RULE = "bad_gate_rule"
    BAD_LABELLING_RULE = "bad_labelling_rule"
    MISSING_REPORT = "missing_report"
    BAD_REPORT = "bad_report"
    DATA_CHANGED = "data_changed"
    UNKNOWN_ROW = "unknown_row"
    CANNOT_WRITE = "cannot_write"
    FILE_BUSY = "file_busy"
    BAD_LEDGER = "bad_ledger"
    BAD_DECISIONS = "bad_decisions"
    MISSING_EXTRA = "missing_extra"
    ENGINE_FAILED = "engine_failed"


class DatabugsError(Exception):
    """A problem with the user's input or options, explained in one line.

    Parameters
    ----------
    message : str
        What was found and what was required, naming the file, column or row.
    code : ErrorCode
        A stable machine-readable code, so that tests and JSON output match on codes while the
        wording can improve.
    hint : str, optional
        How to fix it.

    Examples
    --------
    >>> error = DatabugsError("data.csv: no column 'y'", code=ErrorCode.NO_LABEL_COLUMN,
    ...                       hint="use --label")
    >>> str(error), error.to_dict()["code"]
    ("data.csv: no column 'y' (use --label)", 'no_label_column')
    """

    def __init__(self, message: str, *, code: ErrorCode, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = ErrorCode(code)
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message

    def to_dict(self) -> dict[str, Any]:
        """What ``--format json`` prints under ``"error"``."""
        return {"code": str(self.code), "message": self.message, "hint": self.hint}

    def in_file(self, source: str) -> DatabugsError:
        """The same error, its message naming ``source`` first, as data errors do.

        >>> str(DatabugsError("no rows", code=ErrorCode.EMPTY_FILE).in_file("d.csv"))
        'd.csv: no rows'
        """
        return DatabugsError(f"{source}: {self.message}", code=self.code, hint=self.hint)

    def __reduce__(self) -> tuple:
        """Picklable, so that an error raised on a Dask worker reaches the user intact."""
        return (_rebuilt, (self.message, str(self.code), self.hint))


def _rebuilt(message: str, code: str, hint: str | None) -> DatabugsError:
    return DatabugsError(message, code=ErrorCode(code), hint=hint)


@contextmanager
def naming_file(source: str, *codes: ErrorCode) -> Iterator[None]:
    """Within this block, an error with one of ``codes`` names ``source`` first: code handed
    rows as arrays (the models) cannot name their file, the layer that calls it can."""
    try:
        yield
    except DatabugsError as error:
        if error.code not in codes:
            raise
        raise error.in_file(source) from None


_COMMAND_LINE: ContextVar[bool] = ContextVar("databugs_command_line", default=False)
_SET_IN: ContextVar[Mapping[str, str]] = ContextVar("databugs_set_in", default=MappingProxyType({}))


@contextmanager
def _holding(variable: ContextVar[Any], value: Any) -> Iterator[None]:
    """``variable`` set to ``value`` within the block, as it was after."""
    token = variable.set(value)
    try:
        yield
    finally:
        variable.reset(token)


def cli_spelling() -> AbstractContextManager[None]:
    """Within this block, messages name options as command-line flags (``--folds``)."""
    return _holding(_COMMAND_LINE, True)


FLAGS = {"accept_clusters": "--accept-cluster"}
"""Options whose command-line flag is not their Python name with dashes."""


def option(name: str) -> str:
    """An option's name as the caller writes it: ``text_model``, or ``--text-model``.

    >>> option("text_model")
    'text_model'
    """
    if not _COMMAND_LINE.get():
        return name
    return FLAGS.get(name, "--" + name.replace("_", "-"))


def given(name: str, value: object) -> str:
    """An option with the value the caller gave: ``folds=1``, or ``--folds 1``.

    >>> given("folds", 1), given("model", "x")
    ('folds=1', "model='x'")
    """
    if _COMMAND_LINE.get():
        return f"{option(name)} {value}"
    return f"{name}={value!r}"


def options_set_in(files: Mapping[str, str]) -> AbstractContextManager[None]:
    """Within this block, a refused value of option ``name`` names ``files[name]``, the
    configuration file that set it (the command line did not): the user edits that file."""
    return _holding(_SET_IN, files)


def where_set(name: str) -> str:
    """Where option ``name`` was set: ``databugs.toml: fail_on`` (a configuration file, see
    :func:`options_set_in`), else as :func:`option` names it.

    >>> where_set("fail_on")
    'fail_on'
    """
    file = _SET_IN.get().get(name)
    return f"{file}: {name}" if file else option(name)


def value_set(name: str, value: object) -> str:
    """A refused option and its value where it was set: ``databugs.toml: folds = 1`` (a
    configuration file's key, as its type errors name it), else as :func:`given` writes it.

    >>> value_set("folds", 1)
    'folds=1'
    """
    return f"{where_set(name)} = {value!r}" if name in _SET_IN.get() else given(name, value)
