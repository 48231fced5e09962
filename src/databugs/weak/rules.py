"""Labelling rules: experts' heuristics, written in YAML or Python, turned into votes.

A rule votes a label for the rows it matches and abstains on the others. YAML rules say
``contains`` (any of some words, whole words, any case), ``regex`` (case-insensitive) or
``where`` (columns compared with values, joined by and/or/not, numbers compared as numbers:
parsed and evaluated by :mod:`databugs.weak.where`, so a YAML file never runs code). A rule with
only ``column:`` (no label) votes that column's values: an existing noisy label or a heuristic
column becomes one more voter (empty cells abstain). Python rules
are functions decorated with :func:`rule`; only a file the user names is executed.

Every problem with a rule (unknown column, bad regex or query, a label outside ``--classes``,
a rule that matches nothing) is a :class:`DatabugsError` naming the rule.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import warnings
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from databugs.annotators.read import annotation_texts
from databugs.errors import DatabugsError, ErrorCode, option
from databugs.text import columns_hint
from databugs.weak.where import WhereError, parse_where

ABSTAIN = None
RULE_KINDS = ("contains", "regex", "where")


@dataclass(frozen=True)
class LabellingRule:
    """One rule: its name, the label it votes (None: the function returns the label) and how."""

    name: str
    label: str | None
    apply: Callable[[pd.DataFrame, pd.DataFrame], list[str | None]]
    """``apply(raw, typed)``: the data as written (for words and patterns) and with number
    columns parsed (for queries and Python rules); returns a vote or None per row."""


_DECORATED: ContextVar[list[Callable] | None] = ContextVar("databugs_rules", default=None)
"""The functions ``@rule`` marks while a rules file loads, in order: a rule whose name a later
``def`` takes over is still seen (and refused as a second rule of that name). The rules the
module holds are read too: one imported from a module loaded before was marked then."""


def rule(label: str | None = None, *, name: str | None = None) -> Callable:
    """Mark a function as a labelling rule.

    ``@databugs.rule(label="spam")`` on ``def f(row) -> bool`` votes ``spam`` where f is true;
    ``@databugs.rule()`` on ``def f(row) -> str | None`` votes whatever f returns. ``row`` is a
    mapping of column name to value (numbers already parsed).
    """

    def mark(function: Callable) -> Callable:
        function.__databugs_rule__ = (name or function.__name__, label)
        decorated = _DECORATED.get()
        if decorated is not None:
            decorated.append(function)
        return function

    return mark


def load_rules(path: Path, frame: pd.DataFrame, text_columns: Sequence[str]) -> list[LabellingRule]:
    """The rules of a ``.yaml``/``.yml`` or ``.py`` file, checked against the data's columns."""
    if not path.is_file():
        raise DatabugsError(f"{path}: no such file", code=ErrorCode.MISSING_FILE)
    if path.suffix.lower() in (".yaml", ".yml"):
        return _yaml_rules(path, frame, text_columns)
    if path.suffix.lower() == ".py":
        return _python_rules(path)
    raise DatabugsError(
        f"{path}: rules must be a .yaml or .py file",
        code=ErrorCode.BAD_LABELLING_RULE,
        hint="see the README, Label",
    )


def _text_loader() -> type:
    """YAML's safe loader, but ``yes``/``no``/``on``/``off`` stay words: they are labels here."""
    import yaml

    class TextLoader(yaml.SafeLoader):
        pass

    TextLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return TextLoader


def _yaml_rules(
    path: Path, frame: pd.DataFrame, text_columns: Sequence[str]
) -> list[LabellingRule]:
    import yaml

    try:
        content = yaml.load(path.read_text(encoding="utf-8"), Loader=_text_loader())
    except (OSError, UnicodeDecodeError) as error:
        raise DatabugsError(
            f"{path}: cannot be read ({error})", code=ErrorCode.BAD_LABELLING_RULE
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise DatabugsError(
            f"{path}: not valid YAML{where}", code=ErrorCode.BAD_LABELLING_RULE
        ) from None
    entries = content.get("rules") if isinstance(content, dict) else None
    if not isinstance(entries, list) or not entries:
        raise DatabugsError(f"{path}: no 'rules:' list", code=ErrorCode.BAD_LABELLING_RULE)
    rules, names = [], set()
    for number, entry in enumerate(entries, start=1):
        built = _yaml_rule(entry, number, frame, text_columns, path)
        if built.name in names:
            raise DatabugsError(
                f"{path}: two rules are named {built.name!r}", code=ErrorCode.BAD_LABELLING_RULE
            )
        names.add(built.name)
        rules.append(built)
    return rules


def _yaml_rule(
    entry: Any, number: int, frame: pd.DataFrame, text_columns: Sequence[str], path: Path
) -> LabellingRule:
    if not isinstance(entry, dict):
        raise DatabugsError(
            f"{path}: rule {number} is not a mapping", code=ErrorCode.BAD_LABELLING_RULE
        )
    name = str(entry.get("name") or f"rule_{number}")
    where = f"{path}: rule {name!r}"
    if "column" in entry and not any(kind in entry for kind in RULE_KINDS):
        return _column_rule(entry, name, frame, where)
    label = entry.get("label")
    if isinstance(label, list | dict) or label is None or str(label).strip() == "":
        raise DatabugsError(f"{where} needs one label", code=ErrorCode.BAD_LABELLING_RULE)
    kinds = [kind for kind in RULE_KINDS if kind in entry]
    if len(kinds) != 1:
        raise DatabugsError(
            f"{where} needs exactly one of {', '.join(RULE_KINDS)} (or only column:, to vote "
            "that column's values)",
            code=ErrorCode.BAD_LABELLING_RULE,
        )
    unknown = set(entry) - {"name", "label", "column", *RULE_KINDS}
    if unknown:
        raise DatabugsError(
            f"{where}: unknown key {sorted(unknown)[0]!r}", code=ErrorCode.BAD_LABELLING_RULE
        )
    kind, label = kinds[0], str(label)
    if kind == "where":
        return LabellingRule(name, label, _query_rule(str(entry["where"]), label, frame, where))
    columns = _rule_columns(entry.get("column"), frame, text_columns, where)
    if kind == "contains":
        words = entry["contains"]
        words = [words] if isinstance(words, str) else list(words or [])
        if not words or any(str(word).strip() == "" for word in words):
            raise DatabugsError(
                f"{where}: 'contains' needs words, none empty", code=ErrorCode.BAD_LABELLING_RULE
            )
        pattern = r"\b(?:" + "|".join(re.escape(str(word)) for word in words) + r")\b"
        prefilter = all(map(_ascii, words))
    else:
        pattern, prefilter = str(entry["regex"]), False
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        raise DatabugsError(
            f"{where}: bad regex ({error})", code=ErrorCode.BAD_LABELLING_RULE
        ) from None
    return LabellingRule(name, label, _pattern_rule(compiled, columns, label, prefilter))


def _column_rule(entry: dict, name: str, frame: pd.DataFrame, where: str) -> LabellingRule:
    """A rule that votes the values of a column (an existing noisy label, a heuristic)."""
    unknown = set(entry) - {"name", "column"}
    if unknown:
        key = sorted(unknown)[0]
        raise DatabugsError(
            f"{where}: a column rule votes the column's values; {key!r} does not apply",
            code=ErrorCode.BAD_LABELLING_RULE,
            hint="give only name and column, or one of contains, regex, where with a label",
        )
    column = _rule_columns(entry["column"], frame, ["column"], where)[0]

    def apply(raw: pd.DataFrame, typed: pd.DataFrame) -> list[str | None]:
        votes = annotation_texts(raw[column])
        return [None if vote is None or vote.strip() == "" else vote for vote in votes]

    return LabellingRule(name, None, apply)


def _rule_columns(
    column: Any, frame: pd.DataFrame, text_columns: Sequence[str], where: str
) -> list[str]:
    columns = [str(column)] if column is not None else list(text_columns)
    if not columns:
        raise DatabugsError(
            f"{where}: the data has no text column to search",
            code=ErrorCode.BAD_LABELLING_RULE,
            hint=f"name one with 'column:' or {option('text')}",
        )
    for name in columns:
        if name not in frame.columns:
            raise DatabugsError(
                f"{where}: no column {name!r}",
                code=ErrorCode.BAD_LABELLING_RULE,
                hint=columns_hint(name, frame.columns),
            )
    return columns


def _ascii(word: object) -> bool:
    return str(word).isascii()


CASE_FOLD_SPECIALS = "[\u0130\u0131\u017f\u212a]"
"""The non-ASCII letters a case-insensitive Python regex matches to ASCII ones (re's docs:
dotted and dotless i, long s, Kelvin sign) but RE2 may not."""


def _pattern_rule(
    pattern: re.Pattern[str], columns: list[str], label: str, prefilter: bool
) -> Callable[[pd.DataFrame, pd.DataFrame], list[str | None]]:
    """Rows the pattern matches in any of ``columns``.

    With ``prefilter`` (a contains rule of ASCII words), RE2 (pyarrow) decides first: on ASCII
    text it agrees with Python's regex, and elsewhere its ASCII word boundaries and case
    folding match a superset of Python's, so Python only checks the non-ASCII rows RE2 matched
    (and those holding a letter RE2 folds differently). On BBC articles, 8 keyword rules took
    28 s with Python's regex on every row."""

    def apply(raw: pd.DataFrame, typed: pd.DataFrame) -> list[str | None]:
        hit = np.zeros(len(raw), dtype=bool)
        for column in columns:
            text = raw[column].astype("string").fillna("")
            decided, rows = _re2_matches(text, pattern.pattern) if prefilter else (hit, ~hit)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "pattern has match groups": only hits matter
                found = text[rows].str.contains(pattern, regex=True).to_numpy(dtype=bool)
            hit = hit | decided
            hit[np.flatnonzero(rows)[found]] = True
        return [label if h else ABSTAIN for h in hit]

    return apply


def _re2_matches(text: pd.Series, pattern: str) -> tuple[np.ndarray, np.ndarray]:
    """Rows RE2 settles as matches, and rows Python's regex still has to check."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pa.array(text.to_numpy(dtype=object), type=pa.string())

    def matches(expression: str, ignore_case: bool = False) -> np.ndarray:
        found = pc.match_substring_regex(values, expression, ignore_case=ignore_case)
        return found.to_numpy(zero_copy_only=False).astype(bool)

    try:
        re2 = matches(pattern, ignore_case=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # not RE2 syntax: Python decides
        return np.zeros(len(text), dtype=bool), np.ones(len(text), dtype=bool)
    ascii_only = ~matches("[^\\x00-\\x7f]")
    return re2 & ascii_only, ~ascii_only & (re2 | matches(CASE_FOLD_SPECIALS))


def _query_rule(
    query: str, label: str, frame: pd.DataFrame, where: str
) -> Callable[[pd.DataFrame, pd.DataFrame], list[str | None]]:
    """A ``where:`` rule: column comparisons only (:mod:`databugs.weak.where`), never code."""

    def refused(error: WhereError) -> DatabugsError:
        return DatabugsError(
            f"{where}: bad query {query!r}: {error}",
            code=ErrorCode.BAD_LABELLING_RULE,
            hint=error.hint or "a .py rules file is the way to run code",
        )

    try:
        condition = parse_where(query, frame.columns)
    except WhereError as error:
        raise refused(error) from None

    def apply(raw: pd.DataFrame, data: pd.DataFrame) -> list[str | None]:
        try:
            hits = condition.matches(data)
        except WhereError as error:
            raise refused(error) from None
        return [label if hit else ABSTAIN for hit in hits]

    apply(frame.head(5), frame.head(5))  # a condition that cannot be evaluated fails now
    return apply


def _python_rules(path: Path) -> list[LabellingRule]:
    loader = importlib.machinery.SourceFileLoader(f"databugs_rules_{path.stem}", str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)  # also rules.PY
    module = importlib.util.module_from_spec(spec)
    decorated: list[Callable] = []
    loading = _DECORATED.set(decorated)
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as error:  # the user's file: say where it failed, in one line
        raise DatabugsError(
            f"{path}: failed to load ({type(error).__name__}: {error})",
            code=ErrorCode.BAD_LABELLING_RULE,
        ) from None
    finally:
        _DECORATED.reset(loading)
    exposed = [v for v in vars(module).values() if callable(v) and hasattr(v, "__databugs_rule__")]
    marked = list({id(function): function for function in [*decorated, *exposed]}.values())
    if not marked:
        raise DatabugsError(
            f"{path}: no function decorated with @databugs.rule", code=ErrorCode.BAD_LABELLING_RULE
        )
    names = [function.__databugs_rule__[0] for function in marked]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise DatabugsError(
            f"{path}: two rules are named {twice[0]!r}", code=ErrorCode.BAD_LABELLING_RULE
        )
    return [_function_rule(function, path) for function in marked]


def _function_rule(function: Callable, path: Path) -> LabellingRule:
    name, label = function.__databugs_rule__

    def apply(raw: pd.DataFrame, frame: pd.DataFrame) -> list[str | None]:
        votes = []
        for position, row in enumerate(frame.to_dict("records")):
            try:
                result = function(row)
            except Exception as error:  # the user's function: name it and the row
                raise DatabugsError(
                    f"{path}: rule {name!r} failed on row {position} "
                    f"({type(error).__name__}: {error})",
                    code=ErrorCode.BAD_LABELLING_RULE,
                ) from None
            if not isinstance(result, str | int | float | bool | None):
                raise DatabugsError(
                    f"{path}: rule {name!r} returned a {type(result).__name__} on row {position}"
                    ", not a label or True/False",
                    code=ErrorCode.BAD_LABELLING_RULE,
                )
            if label is not None:
                votes.append(label if result else ABSTAIN)
            else:
                votes.append(None if result is None or result == "" else str(result))
        return votes

    return LabellingRule(name, label, apply)


def typed_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The data with columns that are all numbers parsed as numbers, so ``amount > 10000``
    compares numbers (CSV cells are read as text to keep labels as written)."""
    typed = frame.copy()
    for column in typed.columns:
        values = typed[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            present = values.astype("string").str.strip().replace("", pd.NA).dropna()
            parsed = pd.to_numeric(present, errors="coerce")
            if len(present) and parsed.notna().all():
                typed[column] = pd.to_numeric(values.replace("", np.nan), errors="coerce")
    return typed
