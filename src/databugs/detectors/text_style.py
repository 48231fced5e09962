"""How a text is written, beside what it says: a handful of traits (length, capitals, digits,
punctuation, mentions, hashtags, a closing question mark...) whose joint spread sets texts of
another source apart from the rest even when their words are common ones (product reviews among
tweets, tweets among film-review phrases), where the words' own space sees nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from databugs.data.distinct import distinct_rows

UNUSUAL_SHARE = 0.01
"""A trait is told as unusual when fewer than this share of rows lie as far out on its side."""

FALLBACK_TRAITS = 2
FALLBACK_SHARE = 0.1
"""A text far out on its mix of traits, none rare alone, is told by its two furthest out, when
under 10% of texts lie as far out on each."""

Trait = tuple[str, str, Callable[[pd.Series, np.ndarray, np.ndarray], np.ndarray]]

SPACES = (
    "".join(
        map(chr, [*range(0x9, 0xE), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B)])
    )
    + "\u2028\u2029\u202f\u205f\u3000"
)
"""The characters Python's ``\\s`` matches, spelled out: pandas counts a spelled-out class with
pyarrow, but ``\\s`` itself one text at a time in Python (pyarrow's misses ``\\x0b``)."""


def _per_char(pattern: str) -> Callable[[pd.Series, np.ndarray, np.ndarray], np.ndarray]:
    return lambda texts, chars, _words: texts.str.count(pattern).to_numpy(float) / _one_up(chars)


def _per_word(pattern: str) -> Callable[[pd.Series, np.ndarray, np.ndarray], np.ndarray]:
    return lambda texts, _chars, words: texts.str.count(pattern).to_numpy(float) / _one_up(words)


def _one_up(counts: np.ndarray) -> np.ndarray:
    """Counts to divide by: an empty text's zero as one."""
    return np.maximum(counts, 1)


def _ends_with(mark: str) -> Callable[[pd.Series, np.ndarray, np.ndarray], np.ndarray]:
    return lambda texts, _chars, _words: texts.str.endswith(mark).to_numpy(float)


TRAITS: tuple[Trait, ...] = (
    ("characters", "count", lambda texts, chars, _words: chars),
    ("words", "count", lambda _texts, _chars, words: words),
    ("characters per word", "ratio", lambda _texts, chars, words: chars / _one_up(words)),
    ("capital letters", "share", _per_char(r"[A-Z]")),
    ("digits", "share", _per_char(r"\d")),
    ("punctuation marks", "share", _per_char(rf"[^\w{SPACES}]")),
    ("spaces", "share", _per_char(f"[{SPACES}]")),
    ("non-ASCII characters", "share", _per_char(r"[^\x00-\x7f]")),
    ("@mentions per word", "ratio", _per_word("@")),
    ("hashtags per word", "ratio", _per_word("#")),
    ("links per word", "ratio", _per_word("http")),
    ("capitalised words per word", "ratio", _per_word(r"\b[A-Z][a-z]\w*")),
    ("lower-case 'i' per word", "ratio", _per_word(r"\bi\b")),
    ("commas per word", "ratio", _per_word(",")),
    ("apostrophes per word", "ratio", _per_word("'")),
    ("spaces before punctuation per word", "ratio", _per_word(r" [?.!,;:]")),
    ("line breaks per word", "ratio", _per_word("\n")),
    ("ends with '?'", "flag", _ends_with("?")),
    ("ends with a space", "flag", _ends_with(" ")),
    ("ends with '.'", "flag", _ends_with(".")),
    ("starts with a capital", "flag", lambda t, _c, _w: t.str.match(r"[A-Z]").to_numpy(float)),
)


def style_traits(texts: pd.Series) -> np.ndarray:
    """Per text (rows) each trait of ``TRAITS`` (columns), on the text as written (edge spaces
    and line breaks kept: a source's formatting habits are part of its style); a share or a
    ratio of an empty text divides by one, not zero. Each distinct text is
    measured once (repeated texts are common: a resampled set of 100,000 rows has 5,381), the
    ASCII-only ones apart: pandas counts ``\\d``, ``\\w`` and ``\\b`` with pyarrow only where no
    text of the batch has another character."""
    codes, distinct = pd.factorize(texts, use_na_sentinel=False)
    distinct = pd.Series(distinct, dtype=texts.dtype)
    ascii_only = distinct.str.isascii().to_numpy(bool)
    traits = np.zeros((len(distinct), len(TRAITS)))
    for part in (ascii_only, ~ascii_only):
        if part.any():
            traits[part] = _measured(distinct[part].reset_index(drop=True))
    return traits[codes]


def _measured(texts: pd.Series) -> np.ndarray:
    chars = texts.str.len().to_numpy(float)
    words = texts.str.count(f"[^{SPACES}]+").to_numpy(float)  # as str.split()
    return np.column_stack([measure(texts, chars, words) for _, _, measure in TRAITS])


def normal_scores(traits: np.ndarray) -> np.ndarray:
    """Each trait by its mid-rank turned into a standard normal quantile: a skewed count or a
    yes/no trait weighs like any other, and one very long text cannot stretch the scale.
    Ranked over the distinct rows, each counted as often as it occurs: exactly every row's
    mid-rank, at a fraction of the cost where texts repeat (18 copies each when resampled)."""
    from scipy.stats import norm

    codes, firsts = distinct_rows(traits)
    copies = np.bincount(codes).astype(float)
    scores = [
        norm.ppf(_mid_ranks(column, copies) / (len(traits) + 1)) for column in traits[firsts].T
    ]
    return np.column_stack(scores)[codes]


def _mid_ranks(values: np.ndarray, copies: np.ndarray) -> np.ndarray:
    """The mid-rank (ties averaged) of each of ``values`` among rows holding ``copies`` of it."""
    levels, level_of = np.unique(values, return_inverse=True)
    rows = np.bincount(level_of, weights=copies, minlength=len(levels))
    below = np.cumsum(rows) - rows
    return (below + (rows + 1) / 2)[level_of]


def style_distance(traits: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Mahalanobis distance of each text's traits (``style_traits``, as normal scores) from the
    reference rows' (shrunk covariance, Ledoit-Wolf): traits that do not go together here, a
    mention-less tweet that is also long, punctuated and capitalised."""
    from sklearn.covariance import LedoitWolf

    scores = normal_scores(traits)
    if len(reference) <= scores.shape[1]:
        return np.zeros(len(traits))
    return LedoitWolf().fit(scores[reference]).mahalanobis(scores)


def unusual_traits(traits: np.ndarray, rows: np.ndarray, column: str) -> dict[int, list[dict]]:
    """Per row of ``rows``, the traits (``style_traits`` of the column's texts) on which under
    1% of texts lie as far out (on its side), furthest first, told with the row's value, the
    column's median and that share."""
    ordered = np.sort(traits, axis=0)
    median = np.median(traits, axis=0)
    found: dict[int, list[dict]] = {}
    for row in rows:
        value = traits[row]
        tail = np.ones(len(value))
        for i, column_values in enumerate(ordered.T):
            if value[i] > median[i]:
                tail[i] = 1 - np.searchsorted(column_values, value[i], "left") / len(traits)
            elif value[i] < median[i]:
                tail[i] = np.searchsorted(column_values, value[i], "right") / len(traits)
        order = np.argsort(tail, kind="stable")
        listed = [i for i in order if tail[i] < UNUSUAL_SHARE]
        if not listed:  # a mix of traits, none rare alone: its furthest out ones
            listed = [i for i in order[:FALLBACK_TRAITS] if tail[i] < FALLBACK_SHARE]
        found[int(row)] = [
            _told(column, i, float(value[i]), float(median[i]), tail[i]) for i in listed
        ]
    return found


def _told(column: str, trait: int, value: float, typical: float, share: float) -> dict:
    name, unit, _ = TRAITS[trait]
    shown = {
        "share": lambda v: f"{v:.0%}",
        "flag": lambda v: "yes" if v else "no",
        "count": lambda v: f"{v:,.0f}",
        "ratio": lambda v: f"{v:.2f}",
    }[unit]
    return {
        "column": column,
        "trait": "style",
        "style": name,
        "value": round(value, 6),
        "typical": round(typical, 6),
        "text": f"{column} {name}: {shown(value)} (median {shown(typical)}; "
        f"{share:.1%} of texts as far out)",
    }
