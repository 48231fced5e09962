"""Turn a table's columns into a feature matrix with no set-up, and say what was used.

Numeric columns are used as they are (missing values allowed), short repeated strings become
categories, free text becomes TF-IDF; id-like and constant columns, and columns of lists or
structs, are left out. Featurising is unsupervised (no labels are seen), so fitting it on all
rows leaks nothing into the folds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from databugs.data.numbers import (
    DAYS_SINCE,
    days_since_1970,
    read_booleans,
    read_dates,
    read_numbers,
)

MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "?"})
ID_NAME = re.compile(r"(^|[_\s.-])(id|uuid|guid|key|index)$|^unnamed: ?\d+$", re.IGNORECASE)
MAX_CATEGORIES = 50
NUMBERS_SHARE = 0.95
"""A text column whose filled cells are numbers but for at most 5% is read as numbers, the rest
as missing (``mixed_types`` names them): 25 ``unknown`` among 1,975 ages leave the ages amounts,
not 63 categories of which 50 are kept."""
TEXT_MIN_WORDS = 3
TEXT_MIN_CHARS = 40


@dataclass(frozen=True)
class ColumnUse:
    """How one input column was used (``numeric``, ``categorical``, ``text`` or ``left out``)."""

    column: str
    used_as: str
    reason: str


@dataclass
class FeatureSet:
    """The matrix the models see and a description of it.

    ``kind`` is ``"table"`` (dense; numbers and category codes, NaN where missing) or ``"text"``
    (sparse; TF-IDF beside scaled numbers and one-hot categories).
    """

    matrix: np.ndarray | sp.csr_matrix
    kind: str
    columns: list[ColumnUse] = field(default_factory=list)
    text_columns: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    """What each matrix column is: a word or word pair of the text, or an input column."""
    table: np.ndarray | None = None
    """Where text sits beside other columns: those columns alone, dense as a table's matrix
    (numbers, category codes), so that table models can fit them too (a free-text note left
    a table of numbers to the text models alone)."""

    def table_rows(self, rows: np.ndarray) -> np.ndarray | None:
        """``rows`` of :attr:`table`, or None where no text sits beside other columns."""
        return None if self.table is None else self.table[rows]


def build_features(
    frame: pd.DataFrame,
    *,
    exclude: Sequence[str],
    text: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> FeatureSet:
    """Describe every column, then build the matrix from the used ones.

    Parameters
    ----------
    frame : DataFrame
        All rows, labelled or not.
    exclude : columns that are not features (the label, the id); not described.
    text : columns to treat as free text whatever they look like.
    ignore : columns the user left out with ``--ignore``.
    """
    uses: list[ColumnUse] = []
    numeric: dict[str, np.ndarray] = {}
    categorical: dict[str, pd.Series] = {}
    texts: dict[str, pd.Series] = {}
    for column in frame.columns:
        name = str(column)
        if name in exclude:
            continue
        if name in ignore:
            uses.append(ColumnUse(name, "left out", "--ignore"))
            continue
        use, values = _classify(name, frame[column], forced_text=name in text)
        uses.append(use)
        by_role = {"numeric": numeric, "categorical": categorical, "text": texts}
        if use.used_as in by_role:
            by_role[use.used_as][name] = values
    if not texts:
        matrix = _dense_matrix(numeric, categorical, len(frame))
        return FeatureSet(matrix, "table", uses, names=[*numeric, *categorical])
    matrix, names = _sparse_matrix(numeric, categorical, texts)
    table = _dense_matrix(numeric, categorical, len(frame)) if numeric or categorical else None
    return FeatureSet(matrix, "text", uses, text_columns=list(texts), names=names, table=table)


def _classify(name: str, series: pd.Series, *, forced_text: bool) -> tuple[ColumnUse, object]:
    """Decide how one column is used; returns the use and the cleaned values."""
    if forced_text:
        return ColumnUse(name, "text", "--text"), _as_text(series)
    if holds_nested_values(series):
        return ColumnUse(name, "left out", NESTED_REASON), None
    present = series.notna()
    read = "numbers"
    if (times := _time_numbers(series)) is not None:
        numbers, read = _float32(times[0]), times[1]
    elif pd.api.types.is_numeric_dtype(series):
        numbers = _typed_numbers(series)
    else:  # each distinct value looked at once; "NA", "n/a"... in a text cell mean missing
        codes, uniques = pd.factorize(series)
        said_missing = missing_words(uniques)
        present &= ~np.isin(codes, np.flatnonzero(said_missing))
        numbers, read = _mostly_numbers(codes, uniques, said_missing)
    if not present.any():
        return ColumnUse(name, "left out", "empty"), None
    if numbers is not None:
        if _constant(numbers[~np.isnan(numbers)]):
            return ColumnUse(name, "left out", "constant"), None
        if _looks_like_id(name, numbers):
            return ColumnUse(name, "left out", "id-like: a unique integer per row"), None
        return ColumnUse(name, "numeric", read + _held_at_limit(numbers)), numbers
    distinct = series[present].nunique()
    if distinct <= 1:
        return ColumnUse(name, "left out", "constant"), None
    strings = _as_text(series)
    if _looks_like_text(strings[present]):
        return ColumnUse(name, "text", "free text (mostly long or multi-word)"), strings
    if (distinct == present.sum() and ID_NAME.search(name)) or distinct > max(
        MAX_CATEGORIES, 0.5 * len(series)
    ):
        return ColumnUse(name, "left out", "id-like: nearly every value is different"), None
    reason = f"{distinct} categories" + (
        f" (the {MAX_CATEGORIES} most frequent kept)" if distinct > MAX_CATEGORIES else ""
    )
    return ColumnUse(name, "categorical", reason), strings.where(present, None)


NESTED_TYPES = (list, tuple, dict, np.ndarray)
"""What a Parquet list, array or struct cell reads as."""
NESTED_REASON = "lists or structs: not used as features"


def holds_nested_values(series: pd.Series) -> bool:
    """Cells that are lists or structs (Parquet nested types): they are not values to count,
    compare or hash, so the column is left out instead of failing the scan."""
    if series.dtype != object:
        return False
    return any(isinstance(value, NESTED_TYPES) for value in series.to_numpy())


def _typed_numbers(series: pd.Series) -> np.ndarray:
    """A numeric (or boolean) column as float32, NaN where missing."""
    if pd.api.types.is_bool_dtype(series):
        return series.astype("float32").to_numpy()
    return _float32(series.to_numpy(dtype="float64", na_value=np.nan))


FLOAT32_MAX = float(np.finfo(np.float32).max)


def _float32(values: np.ndarray) -> np.ndarray:
    """Numbers as float32, those beyond its range (``1e300``, ``1e400`` read as infinity) held
    at its largest: still the largest of the column, never an infinity no model takes."""
    return np.clip(values, -FLOAT32_MAX, FLOAT32_MAX).astype("float32")


def _held_at_limit(numbers: np.ndarray) -> str:
    """Says how many values were infinite or beyond float32 (a division by zero upstream,
    often): held at its largest, which is not the value the file holds."""
    held = int(np.count_nonzero(np.abs(numbers) == FLOAT32_MAX))
    return f"; {held} infinite or huge values held at the largest number" if held else ""


def _mostly_numbers(
    codes: np.ndarray, uniques: object, said_missing: np.ndarray
) -> tuple[np.ndarray | None, str]:
    """A text column (factorized) as float32 numbers, NaN where missing, and how it was read;
    None where more than ``1 - NUMBERS_SHARE`` of its filled cells are not numbers."""
    parsed, how = _parsed_numbers(uniques, said_missing)
    counts = np.bincount(codes[codes >= 0], minlength=len(parsed))
    words = int(counts[np.isnan(parsed) & ~said_missing].sum())
    if words > (1 - NUMBERS_SHARE) * counts[~said_missing].sum():
        return None, ""
    if words:
        how.append(f"{words} text cells read as missing")
    values = np.append(_float32(parsed), np.float32(np.nan))
    return values[codes], "; ".join(["numbers", *how])  # code -1 (missing) picks the last NaN


def _time_numbers(series: pd.Series) -> tuple[np.ndarray, str] | None:
    """A column of timestamps as days since 1970, of durations as seconds; None for others
    (they were hundreds of categories: a date carrying the label was lost)."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return days_since_1970(series), f"dates as {DAYS_SINCE}"
    if pd.api.types.is_timedelta64_dtype(series):
        seconds = series.dt.total_seconds().to_numpy(dtype="float64", na_value=np.nan)
        return seconds, "durations in seconds"
    return None


def text_numbers(series: pd.Series) -> np.ndarray:
    """A column the featuriser reads as numbers, as float64 (NaN where missing or not a
    number), read as it reads them: placeholders, decimal commas and thousands separators,
    dates as days."""
    if (times := _time_numbers(series)) is not None:
        return times[0]
    if pd.api.types.is_numeric_dtype(series):
        return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    codes, uniques = pd.factorize(series)
    parsed, _ = _parsed_numbers(uniques, missing_words(uniques))
    return np.append(parsed, np.nan)[codes]


def _parsed_numbers(uniques: object, said_missing: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Each distinct value as a number (NaN: missing or not a number), once: a million cells
    often hold a few thousand values (``databugs.data.numbers`` reads ``12,5``, ``$1,250``)."""
    texts = pd.Series(uniques, dtype=object)
    answers = read_booleans(texts, said_missing)
    if answers is not None:
        return answers, ["yes/no written several ways read as 1/0"]
    reading = read_numbers(texts, said_missing)
    unread = np.isnan(reading.values) & ~said_missing
    if unread.sum() > (1 - NUMBERS_SHARE) * (~said_missing).sum():  # dates, perhaps
        days = read_dates(texts, said_missing)
        if days is not None:
            return days, [f"dates as {DAYS_SINCE}"]
    return reading.values, reading.how()


CODES = r"[A-Z]{2,5}"
"""Codes in capitals (``EU``, ``APAC``, ``US``): among them ``NA`` is North America or
Namibia, not "no value"."""


def missing_words(uniques: object) -> np.ndarray:
    """Which distinct values are a way of writing "missing" ("NA", "n/a", "", ...); ``NA``
    is a value where every other filled value of the column is a code in capitals."""
    written = pd.Series(uniques, dtype=object).astype(str).str.strip()
    said = written.str.lower().isin(MISSING_TOKENS).to_numpy(copy=True)
    named = (written == "NA").to_numpy()
    if named.any() and (~said).sum() >= 2 and written[~said].str.fullmatch(CODES).all():
        said &= ~named
    return said


def _constant(numbers: np.ndarray) -> bool:
    return len(numbers) == 0 or bool(numbers.min() == numbers.max())


def _looks_like_id(name: str, numbers: np.ndarray) -> bool:
    """Whole numbers, none missing, all different: checked in that order, cheapest first."""
    if np.isnan(numbers).any() or not np.all(numbers == np.round(numbers)):
        return False
    ordered = np.sort(numbers)
    steps = np.diff(ordered)
    if np.any(steps == 0):
        return False
    return bool(ID_NAME.search(name)) or bool(len(steps) and np.all(steps == 1))


def _as_text(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), "").astype(str)


TEXT_SAMPLE = 10_000
"""Rows looked at to decide whether a column is free text (a seeded sample: it is a share)."""


def _looks_like_text(strings: pd.Series) -> bool:
    if strings.empty:
        return False
    if len(strings) > TEXT_SAMPLE:
        strings = strings.sample(n=TEXT_SAMPLE, random_state=0)
    words = strings.str.split().str.len()
    long_or_wordy = (words >= TEXT_MIN_WORDS) | (strings.str.len() >= TEXT_MIN_CHARS)
    return bool(long_or_wordy.mean() > 0.5)


def _category_codes(values: pd.Series) -> np.ndarray:
    """Codes of the most frequent categories; rarer ones share one code, missing is NaN."""
    top = values.value_counts().index[:MAX_CATEGORIES]
    codes = pd.Categorical(values, categories=top).codes.astype("float32")
    codes[(codes < 0) & values.notna().to_numpy()] = len(top)
    codes[values.isna().to_numpy()] = np.nan
    return codes


def _dense_matrix(
    numeric: dict[str, np.ndarray], categorical: dict[str, pd.Series], rows: int
) -> np.ndarray:
    blocks = list(numeric.values()) + [_category_codes(v) for v in categorical.values()]
    if not blocks:
        return np.zeros((rows, 1), dtype="float32")
    return np.column_stack(blocks).astype("float32", copy=False)


def _sparse_matrix(
    numeric: dict[str, np.ndarray], categorical: dict[str, pd.Series], texts: dict[str, pd.Series]
) -> tuple[sp.csr_matrix, list[str]]:
    blocks, names = [], []
    for values in texts.values():
        block, terms = _tfidf(values)
        blocks.append(block)
        names += terms
    for name, values in numeric.items():
        blocks.append(sp.csr_matrix(_unit_scaled(values).reshape(-1, 1)))
        names.append(name)
    for name, values in categorical.items():
        names += [f"{name}={value}" for value in values.value_counts().index[:MAX_CATEGORIES]]
        names += [f"{name}=other"] * (MAX_CATEGORIES + 1 - min(MAX_CATEGORIES, values.nunique()))
        codes = _category_codes(values)
        present = ~np.isnan(codes)
        rows = np.flatnonzero(present)
        onehot = sp.csr_matrix(
            (np.ones(len(rows), dtype="float32"), (rows, codes[present].astype(int))),
            shape=(len(codes), MAX_CATEGORIES + 1),
        )
        blocks.append(onehot)
    return sp.hstack(blocks, format="csr", dtype="float64"), names


def _unit_scaled(values: np.ndarray) -> np.ndarray:
    """Numbers into [0, 1] (missing -> median), on the scale of TF-IDF and non-negative."""
    filled = np.where(np.isnan(values), np.nanmedian(values), values).astype("float64")
    low, high = filled.min(), filled.max()
    return ((filled - low) / ((high - low) or 1.0)).astype("float32")


def _tfidf(values: pd.Series) -> tuple[sp.csr_matrix, list[str]]:
    """Word uni- and bi-grams, sublinear counts: robust across short and long texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # loaded when text is met

    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_features=200_000
    )
    try:
        matrix = vectorizer.fit_transform(values).tocsr()
    except ValueError:  # every text empty or each word seen once
        return sp.csr_matrix((len(values), 1), dtype="float32"), [""]
    return matrix, vectorizer.get_feature_names_out().tolist()
