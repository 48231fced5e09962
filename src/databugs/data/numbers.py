"""Numbers written as text, read as a person reads the column: ``12,5``, ``1,250``,
``1.234,56``, ``2 063``, ``$2,062.87``, ``51.3 %``, ``71.3 kg``, ``(1,200)``, a minus sign (U+2212).

A column is read as a whole: its decimal mark, its thousands grouping and its unit are decided
over all its values, so that ``1,626`` is 1626 in a column of thousands and 1.626 in one of
decimal commas, and ``12A``, ``13B`` (codes, one letter each) are not amounts with units.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

MAX_NUMBER_CHARS = 30
"""Longer cells are not numbers written for people (free text is not searched for them)."""
GAPS = "\u00a0\u202f\u2009 '"
"""Characters that group thousands besides the comma or dot: spaces of every width, ``'``."""
MINUS = "-\u2212"
# A unit after the number: a currency symbol, %, a degree, two or three letters, or one small
# letter (``12 m``, ``3 g``); one capital letter is a code's (``12A``), not a unit.
WRITTEN = re.compile(
    r"(?P<lead>[$€£¥₹])?\s*(?P<open>\()?\s*(?P<sign>[+\-\u2212])?\s*(?P<before>[$€£¥₹])?\s*(?P<sign2>[+\-\u2212])?"
    r"(?P<digits>\d(?:[\d.,\u00a0\u202f\u2009' ]*\d)?)"
    r"(?P<after>\s?(?:%|[$€£¥₹]|°[CF]?|[^\W\d_]{2,3}\.?|[a-zµ]\.?))?\s*(?P<close>\))?"
)
DOT_GROUPED = r"[+-]?\d{1,3}(?:\.\d{3})+"
"""A number pandas reads with a decimal point that a decimal-comma column groups by dots."""
DECIMAL_COMMA = r"[+-]?\d+,\d+"
"""A number written with a decimal comma and nothing else (``12,5``)."""


@dataclass(frozen=True)
class Reading:
    """A column's distinct values as numbers and how they were read.

    ``values``: float64 per value, NaN where missing or no number; ``digits``: the digits as
    written of the values read for people (by position; plain numbers are their own text);
    ``decimal``: the column's decimal mark;
    ``grouped``: whether thousands were grouped; ``affix``: the unit written before and after
    (``("$", "")``, ``("", " kg")``)."""

    values: np.ndarray
    digits: dict[int, str]
    decimal: str = "."
    grouped: bool = False
    affix: tuple[str, str] = ("", "")
    accounting: bool = False

    def how(self) -> list[str]:
        """What was done to read the column, for a column's reason (``mixed_types`` too)."""
        said = []
        written = self.digits.values()
        if self.grouped:
            said.append("thousands separators dropped")
        if self.decimal == "," and any("," in digits for digits in written):
            said.append("decimal commas read as points")
        unit = "".join(self.affix).strip()
        if unit:
            said.append(f"{unit!r} dropped")
        if self.accounting:
            said.append("(1,200) read as -1200")
        return said


def read_numbers(texts: pd.Series, said_missing: np.ndarray) -> Reading:
    """Each of ``texts`` (distinct values) as a number; ``said_missing`` marks the words for
    "no value" (``n/a``), read as missing. Plain numbers are read as pandas reads them; only
    the rest (short cells) are looked at as written for people."""
    text = pd.Series(texts, dtype=object).astype(str).str.strip()
    values = pd.to_numeric(text.where(~said_missing), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan, copy=True
    )
    digits: dict[int, str] = {}
    unparsed = np.flatnonzero(np.isnan(values) & ~said_missing)
    unparsed = unparsed[text.iloc[unparsed].str.len().to_numpy() <= MAX_NUMBER_CHARS]
    shapes = {int(i): _shape(text.iat[i]) for i in unparsed}
    shapes = {i: shape for i, shape in shapes.items() if shape is not None}
    if not shapes:
        return Reading(values, digits)
    affix = _column_affix(list(shapes.values()))
    unit = "".join(affix).replace(" ", "").casefold()
    shapes = {i: shape for i, shape in shapes.items() if _unit(shape) == unit}
    decimal = _decimal_mark([shape["digits"] for shape in shapes.values()])
    plain = int(np.isfinite(values).sum())
    if decimal == "," and len(shapes) >= plain:  # ``2.000`` beside ``1.234.567``: two thousand
        dotted = text.str.fullmatch(DOT_GROUPED).to_numpy(dtype=bool) & ~np.isnan(values)
        shapes |= {int(i): _shape(text.iat[i]) for i in np.flatnonzero(dotted)}
    grouped = accounting = False
    for i, shape in shapes.items():
        number = _number(shape["digits"], decimal)
        if number is None:
            continue
        negative = bool({shape["sign"], shape["sign2"]} & set(MINUS)) or bool(shape["open"])
        values[i] = -number if negative else number
        digits[i] = shape["digits"]
        grouped |= _has_groups(shape["digits"], decimal)
        accounting |= bool(shape["open"])
    return Reading(values, digits, decimal, grouped, affix, accounting)


ACCOUNTING_ZERO = re.compile(r"(?P<lead>[$€£¥₹])\s*-\s*|-\s*(?P<after>[$€£¥₹])")
"""Excel's Accounting format writes zero as a dash beside the currency: before it (``$ -``)
or, where the currency follows amounts (``1.234,00 €``), after it (``- €``)."""


def _shape(text: str) -> dict[str, str] | None:
    """The parts of a number written for people, or None; parentheses come in pairs, and a
    currency may stand before them (Excel's Accounting format: ``$ (1,200.00)``)."""
    match = WRITTEN.fullmatch(text)
    if match is None:
        zero = ACCOUNTING_ZERO.fullmatch(text)
        if zero is None:
            return None
        return dict.fromkeys(WRITTEN.groupindex, "") | {
            "lead": zero["lead"] or "",
            "after": zero["after"] or "",
            "digits": "0",
        }
    if bool(match["open"]) != bool(match["close"]) or (match["lead"] and match["before"]):
        return None
    return {key: value or "" for key, value in match.groupdict().items()}


def _unit(shape: dict[str, str]) -> str:
    """The unit written around a number, spaces and case aside (``%`` and `` %`` are one)."""
    return (shape["lead"] + shape["before"] + shape["after"]).replace(" ", "").casefold()


def _column_affix(shapes: list[dict[str, str]]) -> tuple[str, str]:
    """The unit of the column: the commonest written around its numbers (none if most have
    none). Values with another unit are not read: ``12 kg`` beside ``3 lb`` is no amount of
    one kind, and codes (``12A``, ``13B``) have a unit each, so few share the commonest."""
    units = Counter(map(_unit, shapes))
    unit, count = units.most_common(1)[0]
    if not unit or count < len(shapes) / 2:
        return ("", "")
    first = next(shape for shape in shapes if _unit(shape) == unit)
    return (first["lead"] + first["before"], first["after"])


def _decimal_mark(written: list[str]) -> str:
    """The column's decimal mark, by a vote of its values: the last mark of a value holding
    both (``1.234,56``), a comma grouping thousands (``1,250``) or two dots (``1.234.567``)
    say which; one value from another locale does not decide for the others."""
    votes = Counter()
    for text in written:
        if "," in text and "." in text:
            votes["," if text.rfind(",") > text.rfind(".") else "."] += 1
        elif "," in text:
            votes["." if _valid_groups(text, ",") else ","] += 1
        elif text.count(".") > 1:
            votes[","] += 1
        elif "." in text and not _valid_groups(text, "."):  # ``1.01``: a decimal point
            votes["."] += 1
    return "," if votes[","] > votes["."] else "."


def _number(written: str, decimal: str) -> float | None:
    """``written`` digits as a number with ``decimal`` as the decimal mark, or None where its
    grouping is not thousands (``1,9`` in a column grouping ``1,626``)."""
    whole, _, fraction = written.rpartition(decimal) if decimal in written else (written, "", "")
    if not _valid_groups(whole, "," if decimal == "." else "."):
        return None
    plain = re.sub(f"[{GAPS},.]", "", whole)
    if not plain.isdigit() or (fraction and not fraction.isdigit()):
        return None
    return float(f"{plain}.{fraction}" if fraction else plain)


def _valid_groups(whole: str, group: str) -> bool:
    """Digits with no grouping, or grouped in threes by ``group`` or a gap (``1,250``), or in
    the Indian way: the last three, then twos (``4,98,511``); never from a leading zero
    (``092 601 416`` is a phone number, ``0,250`` no thousands)."""
    parts = re.split(f"[{re.escape(group)}{GAPS}]", whole)
    if len(parts) == 1:
        return True
    if parts[0].startswith("0"):
        return False
    if 1 <= len(parts[0]) <= 3 and all(len(part) == 3 for part in parts[1:]):
        return True
    return len(parts[-1]) == 3 and 1 <= len(parts[0]) <= 2 and all(len(p) == 2 for p in parts[1:-1])


def _has_groups(written: str, decimal: str) -> bool:
    group = "," if decimal == "." else "."
    whole = written.rpartition(decimal)[0] if decimal in written else written
    return bool(re.search(f"[{re.escape(group)}{GAPS}]", whole))


DATE_LIKE = (
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/]\d{1,2}[-/](?:\d{4}|\d{2})"
    r"|\d{1,2}\.\d{1,2}\.\d{4}|\d{2}\.\d{2}\.\d{2})"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*(?:Z|UTC|[+-]\d{2}:?\d{2})?"
)
"""A date, perhaps with a time and a zone: ``2024-03-01``, ``03/01/2024``, ``3/1/24``,
``07.07.2024 01:39``, ``07.07.24``, ``2024-07-07T01:39:40Z``. A year has two or four digits,
and dots with a two-digit year need two-digit days and months: ``6.7.7`` and ``1.4.13`` are
versions or section numbers."""
YEARS = (1800, 2200)
"""Dates outside these years are codes that look like dates (``05-13-8744``)."""
DAYS_SINCE = "days since 1970-01-01"
MIN_DATE_SHARE = 0.95
"""Share of a column's distinct filled values that must be dates for it to be read as days."""


def read_dates(texts: pd.Series, said_missing: np.ndarray) -> np.ndarray | None:
    """Each distinct value as days since 1970 (NaN where missing), if at least
    ``MIN_DATE_SHARE`` of the filled ones are dates; else None. Day and month are read in the
    order that reads more of them (``13/07/2024`` is day first), counting first the values
    read in their written formats (:func:`_as_dates`: read one by one, ``13/3/21`` is read
    either way); where both read all, month first, except with dots between day, month and
    year (``01.03.2015``, as written in Europe)."""
    text = pd.Series(texts, dtype=object).astype(str).str.strip()
    filled = ~said_missing
    if not filled.any() or text[filled].str.fullmatch(DATE_LIKE).mean() < MIN_DATE_SHARE:
        return None
    best, best_score = None, None
    dotted = text[filled].str.match(r"\d{1,2}\.").mean() > 0.5  # 01.03.2015: 1 March
    for dayfirst in (dotted, not dotted):
        when, by_format = _as_dates(text.where(filled), dayfirst)
        score = (by_format, int(when.notna().sum()))
        if best_score is None or score > best_score:
            best, best_score = when, score
    best = best.where(best.dt.year.between(*YEARS))
    if best.notna().sum() < MIN_DATE_SHARE * filled.sum():
        return None
    return days_since_1970(best)


def _as_dates(text: pd.Series, dayfirst: bool) -> tuple[pd.Series, int]:
    """Dates, and how many were read in a written format. Where there are two-digit years
    (``3/14/21 13:05``: pandas infers no format), the formats the values are written in read
    them (:func:`two_digit_year_formats`); the rest, and every value where there are none,
    in the format pandas infers from the first of them, or where it infers none one by one
    (dateutil: 200,000 timestamps took 9 s), unless the formats read some but under half
    (then the other order of day and month is the column's)."""
    import warnings

    with warnings.catch_warnings():  # "could not infer format": then each value alone
        warnings.simplefilter("ignore")
        when = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us, UTC]")
        for written in two_digit_year_formats(text, dayfirst):
            rest = when.isna() & text.notna()
            read = pd.to_datetime(text[rest], format=written, errors="coerce", utc=True)
            when = when.where(~rest, read.reindex(when.index))
        by_format = int(when.notna().sum())
        rest = when.isna() & text.notna()
        if rest.any() and (
            by_format == 0
            or _format_inferred(text[rest], dayfirst)
            or (rest.sum() <= 0.5 * text.notna().sum())
        ):
            alone = pd.to_datetime(text[rest], errors="coerce", dayfirst=dayfirst, utc=True)
            when = when.where(~rest, alone.reindex(when.index))
        return when, by_format


def _format_inferred(text: pd.Series, dayfirst: bool) -> bool:
    """Whether pandas infers a format from the first value (then it reads them all at once)."""
    from pandas.tseries.api import guess_datetime_format

    return guess_datetime_format(str(text.iloc[0]), dayfirst=dayfirst) is not None


TWO_DIGIT_YEAR = re.compile(
    r"\d{1,2}(?P<sep>[-/.])\d{1,2}(?P=sep)\d{2}"
    r"(?:(?P<at>[ T])\d{1,2}:\d{2}(?P<seconds>:\d{2}(?P<fraction>\.\d+)?)?)?"
)
FORMAT_SAMPLE = 500
"""Values looked at to name the formats a column's dates are written in."""


def two_digit_year_formats(text: pd.Series, dayfirst: bool) -> list[str]:
    """The strptime formats of dates with a two-digit year among a sample of the filled
    values, commonest first (none where no sampled value has one). Such years are 1969-2068,
    as strptime reads them, whatever the year of the scan (dateutil's window moves with
    today's date: in 2026 it read ``70`` as 2070)."""
    filled = text.dropna().astype(str)
    if len(filled) > FORMAT_SAMPLE:
        filled = filled.sample(n=FORMAT_SAMPLE, random_state=0)
    counts = Counter(
        _written_format(match, dayfirst)
        for match in map(TWO_DIGIT_YEAR.fullmatch, filled)
        if match is not None
    )
    return [written for written, _ in counts.most_common()]


def _written_format(written: re.Match, dayfirst: bool) -> str:
    """The strptime format of one value with a two-digit year (:data:`TWO_DIGIT_YEAR`)."""
    sep = written["sep"]
    day = f"%d{sep}%m{sep}%y" if dayfirst else f"%m{sep}%d{sep}%y"
    if not written["at"]:
        return day
    seconds = (":%S" + (".%f" if written["fraction"] else "")) if written["seconds"] else ""
    return f"{day}{written['at']}%H:%M{seconds}"


def days_since_1970(when: pd.Series) -> np.ndarray:
    """Timestamps (a zone or none: none is UTC) as days since 1970, NaN where missing."""
    if getattr(when.dt, "tz", None) is None:
        when = when.dt.tz_localize("UTC")
    delta = when - pd.Timestamp("1970-01-01", tz="UTC")
    return (delta / pd.Timedelta(days=1)).to_numpy(dtype="float64", na_value=np.nan)


TRUE_WORDS = frozenset({"yes", "y", "true", "t", "on", "1", "1.0"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "off", "0", "0.0"})


MAX_BOOLEAN_SPELLINGS = 30
"""More distinct values than this are no yes/no column, whatever they say (a quick exit)."""


def read_booleans(texts: pd.Series, said_missing: np.ndarray) -> np.ndarray | None:
    """Each distinct value as 1 or 0 (NaN where missing) where every filled one is a way of
    writing yes or no and there are several (``yes``, ``Y``, ``TRUE``, ``True``, ``1``): as
    categories the one answer was a dozen, each learnt apart; None for any other column."""
    if len(texts) > MAX_BOOLEAN_SPELLINGS:
        return None
    written = pd.Series(texts, dtype=object).astype(str).str.strip()
    words = written.str.casefold()
    filled = words[~said_missing]
    if written[~said_missing].nunique() < 3 or not filled.isin(TRUE_WORDS | FALSE_WORDS).all():
        return None
    if set(filled) & {"t", "f"} and set(filled) & {"y", "n"}:
        return None  # T, F and N: N is "none" here, not "no"
    values = words.isin(TRUE_WORDS).to_numpy(dtype="float64")
    values[said_missing] = np.nan
    return values
