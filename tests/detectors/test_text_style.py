"""Writing-style traits as normal scores: ranked over distinct texts, exactly as over every row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm, rankdata

from databugs.detectors.text_style import TRAITS, normal_scores, style_traits, unusual_traits

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_normal_scores_of_repeated_texts_are_every_rows_mid_rank_quantiles() -> None:
    texts = pd.read_csv(EXAMPLES / "sms_sample.csv")["text"].astype(str)
    rng = np.random.default_rng(0)
    resampled = texts.iloc[rng.integers(0, len(texts), 3 * len(texts))].reset_index(drop=True)
    traits = style_traits(resampled)
    assert len(np.unique(traits, axis=0)) < len(traits) / 2  # copies, and ties across texts
    every_row = np.column_stack(
        [norm.ppf(rankdata(column) / (len(traits) + 1)) for column in traits.T]
    )
    assert np.array_equal(normal_scores(traits), every_row)


def _trait(name: str) -> int:
    return [trait[0] for trait in TRAITS].index(name)


def test_a_texts_traits_do_not_depend_on_the_other_texts_of_its_column() -> None:
    question = "How much did a McDonald 's hamburger cost in 1963 ?"
    alone = style_traits(pd.Series([question]))
    beside = style_traits(pd.Series([question, "Où est le café ?"]))[:1]
    assert np.array_equal(alone, beside)
    assert alone[0, _trait("capitalised words per word")] == 2 / 11  # How, McDonald


MIXED_SPACES = "ab Ü\t\x0b\x1c\xa0\u3000\n.,?'@#1\u0661"
"""Letters, Python's rarer white space (vertical tab, file separator, no-break, ideographic)."""


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=MIXED_SPACES, max_size=12), min_size=1))
def test_words_and_spaces_are_counted_as_python_splits_and_sees_them(texts: list[str]) -> None:
    traits = style_traits(pd.Series(texts, dtype="str"))
    words = [len(text.split()) for text in texts]
    spaces = [sum(c.isspace() for c in text) / max(len(text), 1) for text in texts]
    assert traits[:, _trait("words")].tolist() == words
    assert np.allclose(traits[:, _trait("spaces")], spaces)


def test_an_empty_text_counts_no_characters_and_no_words() -> None:
    """Told as evidence, an empty text is 0 characters (it was 1, the divisor's floor)."""
    texts = pd.Series([f"Where is gate {n} of terminal {n % 3}?" for n in range(300)] + [""])
    traits = style_traits(texts)
    assert traits[-1, _trait("characters")] == 0 and traits[-1, _trait("words")] == 0
    assert traits[-1, _trait("characters per word")] == 0 and traits[-1, _trait("spaces")] == 0
    told = {t["style"]: t for t in unusual_traits(traits, np.array([300]), "text")[300]}
    assert told["characters"]["value"] == 0
    assert told["characters"]["text"].startswith("text characters: 0 (median 3")
