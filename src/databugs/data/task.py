"""Which task a label column is: one class per row, a number, or a set of tags.

``--task auto`` (the default) decides from the column itself, and says why, so that the report
can tell the user what was chosen and how to choose otherwise: a numeric column with many
distinct values is a number to predict, values that are lists joined by ``--label-sep`` (or
several 0/1 columns named with ``--labels``) are tags, anything else is classes. Lists are
told from free text that happens to hold the separator (``&lt;`` in a message) by their parts:
tag sets reuse a few names, a text's pieces are its own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from databugs.data.features import MISSING_TOKENS, missing_words
from databugs.data.numbers import GAPS, read_numbers
from databugs.errors import DatabugsError, ErrorCode, given, option, value_set

CLASSIFICATION = "classification"
REGRESSION = "regression"
MULTILABEL = "multilabel"
AUTO = "auto"
TASKS = (CLASSIFICATION, REGRESSION, MULTILABEL)
"""The task kinds, as ``--task`` and report.json write them."""

MIN_DISTINCT_NUMBERS = 20
"""A numeric column with more distinct values than this (and ``MIN_DISTINCT_SHARE`` of the
labelled rows) is a number to predict, not classes."""
MIN_DISTINCT_SHARE = 0.05
MIN_LIST_SHARE = 0.01
"""Share of labelled rows (and at least two) that must hold the separator for tags."""
MIN_REUSED_PARTS = 0.5
"""Share of the values holding the separator whose parts must all be parts of other values too
for the values to be tag sets (pool: 1.00 on every multi-label set; text holding it 0-0.22)."""
NUMERIC_SHARE = 0.9
"""A column this numeric, with regression's distinct values, is a target with stray text."""


@dataclass(frozen=True)
class TaskChoice:
    """The task a scan runs, why, and whether ``--task auto`` chose it."""

    kind: str
    reason: str
    automatic: bool

    def override(self) -> str:
        """How to choose another task, in the caller's spelling of the option."""
        others = "|".join(kind for kind in TASKS if kind != self.kind)
        return f"{option('task')} {others}"

    def to_dict(self) -> dict[str, Any]:
        """report.json's ``task`` part."""
        return {
            "kind": self.kind,
            "reason": self.reason,
            "chosen_by": AUTO if self.automatic else "option",
            "override": self.override(),
        }


def check_task_option(task: Any) -> str:
    """``task`` must be one of the kinds or ``auto``."""
    if task not in (*TASKS, AUTO):
        raise DatabugsError(
            f"{value_set('task', task)} is not a task",
            code=ErrorCode.BAD_OPTION,
            hint=f"use one of: {', '.join((AUTO, *TASKS))}",
        )
    return task


def choose_task(
    labels: Sequence[str | None],
    *,
    task: str,
    label_sep: str,
    tag_columns: Sequence[str],
    column: str | None,
    source: str,
) -> TaskChoice:
    """The task for this label column (``labels`` as written, None: unlabelled).

    Raises for a choice the column cannot hold: ``task=regression`` on text, tag columns with
    another task, a mostly numeric target with a few text cells.
    """
    check_task_option(task)
    if not label_sep:
        raise DatabugsError(
            f"{value_set('label_sep', label_sep)} is empty", code=ErrorCode.BAD_OPTION
        )
    if tag_columns:
        return _tag_columns_choice(task, tag_columns)
    if task == REGRESSION:
        numeric_targets(labels, column=str(column), source=source)
        return TaskChoice(REGRESSION, f"chosen with {given('task', task)}", automatic=False)
    if task != AUTO:
        return TaskChoice(task, f"chosen with {given('task', task)}", automatic=False)
    return _automatic(labels, label_sep=label_sep, column=str(column), source=source)


def _tag_columns_choice(task: str, tag_columns: Sequence[str]) -> TaskChoice:
    if task not in (AUTO, MULTILABEL):
        raise DatabugsError(
            f"{option('labels')} names tag columns, a multi-label task, but "
            f"{given('task', task)} was given",
            code=ErrorCode.BAD_OPTION,
            hint=f"drop {option('labels')} or {option('task')}",
        )
    reason = f"{option('labels')} names {len(tag_columns)} columns of 0/1 tags"
    return TaskChoice(MULTILABEL, reason, automatic=task == AUTO)


def _automatic(
    labels: Sequence[str | None], *, label_sep: str, column: str, source: str
) -> TaskChoice:
    """Tags if enough values are lists, a number if numeric with many values, else classes."""
    present = [text for text in labels if text is not None]
    lists = sum(label_sep in text for text in present)
    enough = lists >= max(2, MIN_LIST_SHARE * len(present))
    if enough and reused_share(present, label_sep) >= MIN_REUSED_PARTS:
        reason = (
            f"{lists:,} of {len(present):,} labelled values in column {column!r} are lists "
            f"joined by {label_sep!r}"
        )
        return TaskChoice(MULTILABEL, reason, automatic=True)
    valued = [text for text in present if not _says_missing(text)]  # as regression reads them
    numbers = _parsed(valued)
    numeric = numbers[~np.isnan(numbers)]
    distinct = len(np.unique(numeric))
    many = distinct > MIN_DISTINCT_NUMBERS and distinct > MIN_DISTINCT_SHARE * len(valued)
    if many and len(numeric) == len(valued):
        reason = (
            f"column {column!r} holds numbers with {distinct:,} distinct values "
            f"({distinct / len(valued):.0%} of {len(valued):,} labelled rows)"
        )
        return TaskChoice(REGRESSION, reason, automatic=True)
    if many and len(numeric) >= NUMERIC_SHARE * len(present):
        numeric_targets(labels, column=column, source=source)  # names the first text cell
    return TaskChoice(CLASSIFICATION, _classes_reason(column, present, numeric), automatic=True)


def reused_share(values: Sequence[str], separator: str) -> float:
    """Share of the values holding the separator whose every part (not empty) another value has
    too: tag sets reuse a few names, while a text's pieces are mostly its own (a fragment such
    as ``#&gt`` in ``&lt;#&gt;`` recurs, the words around it do not)."""
    split = [{part.strip() for part in text.split(separator)} - {""} for text in values]
    seen = Counter(part for parts in split for part in parts)
    lists = [parts for text, parts in zip(values, split, strict=True) if separator in text]
    reused = sum(all(seen[part] > 1 for part in listed) for listed in lists)
    return reused / len(lists) if lists else 0.0


def _classes_reason(column: str, present: list[str], numeric: np.ndarray) -> str:
    distinct = len(set(present))
    if len(numeric) == len(present) and present:
        share = MIN_DISTINCT_SHARE * len(present)
        needed = (
            f"more than {MIN_DISTINCT_NUMBERS}"
            if distinct <= MIN_DISTINCT_NUMBERS
            else f"more than {MIN_DISTINCT_SHARE:.0%} of the {len(present):,} labelled rows "
            f"({int(share) + 1:,})"
        )
        return (
            f"column {column!r} holds numbers with only {distinct:,} distinct values "
            f"(a number to predict needs {needed})"
        )
    return f"column {column!r} holds {distinct:,} distinct labels, not numbers or lists"


def _says_missing(text: str) -> bool:
    """Whether a value is a way of writing "no value" (``NA``, ``n/a``, ``?``): an unlabelled
    row of a number to predict, not a value that is no number."""
    return text.strip().lower() in MISSING_TOKENS


def _parsed(texts: Sequence[str]) -> np.ndarray:
    """Each text as a number, NaN where it is not one, read as feature columns read amounts
    (``12,5`` is 12.5, ``$1,250`` 1250), not as dates or yes/no: a suggested value is written
    back as a number, which a column of dates does not hold."""
    values = pd.Series(list(texts), dtype=object)
    return read_numbers(values, missing_words(values)).values


@dataclass(frozen=True)
class NumberStyle:
    """How a column writes its numbers: decimals shown, whether all are whole, the decimal
    mark (``12,5`` in much of Europe), whether thousands are grouped (``1,250``) and the unit
    written around them (``$``, `` kg``)."""

    decimals: int
    whole: bool
    mark: str = "."
    grouped: bool = False
    affix: tuple[str, str] = ("", "")
    minus: str = "-"
    """How a negative value is written: ``-``, the minus sign U+2212, or ``(`` for
    parentheses around it (accounting: ``(1,200)``)."""

    @classmethod
    def of(cls, texts: Sequence[str | None]) -> NumberStyle:
        """The most decimals written in the column (``1.50`` has two, capped at six); whole
        numbers if no value has a fraction (``3.0`` counts as whole)."""
        distinct = sorted({text.strip() for text in texts if text is not None})
        reading = read_numbers(pd.Series(distinct, dtype=object), np.zeros(len(distinct), bool))
        mark = reading.decimal
        finite = np.isfinite(reading.values)
        written = [reading.digits.get(i, text) for i, text in enumerate(distinct) if finite[i]]
        fractions = [d.rpartition(mark)[2] for d in written if mark in d and "e" not in d.lower()]
        whole = all(set(fraction) <= {"0"} for fraction in fractions)
        decimals = min(max(map(len, fractions), default=0), 6)
        minus = (
            "(" if reading.accounting else "\u2212" if any("\u2212" in t for t in distinct) else "-"
        )
        return cls(decimals, whole, mark, reading.grouped, reading.affix, minus)

    def read(self, text: str) -> float:
        """A typed value as a number (NaN if it is none), with or without the column's unit:
        in a decimal-comma column both ``12,5`` and ``12.5`` are 12.5; elsewhere ``1,250``
        is 1250; ``-$5``, ``\u22125`` and ``(5)`` are -5."""
        text = text.strip().replace("\u2212", "-")
        accounting = text.startswith("(") and text.endswith(")")  # (1,200) is -1200
        negative = accounting or text.startswith("-")
        text = text[1:-1].strip() if accounting else text.removeprefix("-")
        for part, strip in zip(self.affix, (str.removeprefix, str.removesuffix), strict=True):
            text = strip(text, part.strip()).strip() if part.strip() else text
        text = re.sub(f"[{GAPS}]", "", text)
        if self.mark == "," and "," in text:
            text = text.replace(".", "").replace(",", ".")
        elif self.mark == ".":
            text = text.replace(",", "")
        number = float(pd.to_numeric(text, errors="coerce"))
        if negative and number < 0:  # --5, (-5): no number
            return float("nan")
        return -number if negative else number

    def write(self, value: float, decimals: int | None = None) -> str:
        """``value`` written like the column's numbers (a whole column written ``5.0`` gets
        ``6.0``, one written ``5`` gets ``6``, ``5,5`` gets ``6,5``, ``$1,200`` ``$1,300``),
        with the column's decimals or ``decimals``, negatives as the column writes them (``-5``,
        ``\u22125``, ``(5)``)."""
        if self.whole:
            value = round(float(value))
        shown = self.decimals if decimals is None else decimals
        number = f"{abs(value):{',' if self.grouped else ''}.{shown}f}"
        if self.mark == ",":
            number = number.translate(str.maketrans(",.", ".,"))
        negative = value < 0 and float(number.replace(",", "").replace(".", "") or 0)
        before, after = self.affix
        if negative and self.minus == "(":
            return f"({before}{number}{after})"
        return f"{self.minus if negative else ''}{before}{number}{after}"


def as_column_number(text: str, written: Sequence[str | None], column: str) -> str:
    """A value typed for the numeric target ``column`` whose cells are ``written``, as the file
    will hold it: a number, a whole one where the column's are (then written like them,
    ``12`` or ``12.0``). Anything else is refused now, not written as text into a number column
    (or refused by Parquet at fix)."""
    style = NumberStyle.of(written)
    number = style.read(text)
    if not np.isfinite(number):
        raise DatabugsError(
            f"{text!r} is not a number: column {column!r} holds numbers",
            code=ErrorCode.BAD_LABEL,
            hint="type the value as a number, e.g. 12 or 12.5",
        )
    if not style.whole:  # as many decimals as typed, in the column's form
        typed = re.sub(r"[^\d.,]", "", text)
        mark = "," if style.mark == "," and "," in typed else "."
        return style.write(number, decimals=len(typed.rpartition(mark)[2]) if mark in typed else 0)
    if not number.is_integer():
        raise DatabugsError(
            f"{text!r} is not a whole number: column {column!r} holds whole numbers",
            code=ErrorCode.BAD_LABEL,
            hint=f"type {round(number)} or another whole number",
        )
    return style.write(number)


def numeric_targets(labels: Sequence[str | None], *, column: str, source: str) -> np.ndarray:
    """A regression target as numbers, NaN where unlabelled (empty or a missing word such as
    ``NA``); a text cell or an infinity is refused, naming its row. Each distinct value is
    parsed once."""
    distinct = sorted({text for text in labels if text is not None})
    parsed = dict(zip(distinct, _parsed(distinct), strict=True))
    missing = {text for text in distinct if _says_missing(text)}
    values = np.full(len(labels), np.nan)
    for row, text in enumerate(labels):
        if text is None or text in missing:
            continue
        if not np.isfinite(parsed[text]):
            raise DatabugsError(
                f"{source}: row {row} of column {column!r} holds {text!r}, not a number; "
                "a number to predict (task regression) needs numbers",
                code=ErrorCode.BAD_LABEL_TYPE,
                hint=f"clear or fix that cell, or give {option('task')} classification",
            )
        values[row] = parsed[text]
    if np.isfinite(values).sum() < 2:
        raise DatabugsError(
            f"{source}: column {column!r} has fewer than two numbers to predict",
            code=ErrorCode.TOO_FEW_CLASSES,
            hint="a regression check needs labelled rows",
        )
    return values
