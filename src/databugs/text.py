"""Data text on one line: the shape every report, table and terminal line shows it in."""

from __future__ import annotations

import re


def one_line(value: object, limit: int | None = None) -> str:
    """Text on one line (white space folded), cut to ``limit`` characters with an ellipsis.

    >>> one_line("a\\n  b  c", limit=3)
    'a …'
    """
    text = " ".join(str("" if value is None else value).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(text: str) -> bool:
    """Text a spreadsheet would run as a formula: it starts like one and is not a number.

    >>> formula_like("=HYPERLINK(1)"), formula_like("-1"), formula_like("@x")
    (True, False, True)
    """
    return text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text)
