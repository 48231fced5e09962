"""Data text on one line: the shape every report, table and terminal line shows it in."""

from __future__ import annotations


def count(number: int, noun: str) -> str:
    """``number`` and ``noun``, plural unless one.

    >>> count(1, "correction"), count(3, "correction")
    ('1 correction', '3 corrections')
    """
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def one_line(value: object, limit: int | None = None) -> str:
    """Text on one line (white space folded), cut to ``limit`` characters with an ellipsis.

    >>> one_line("a\\n  b  c", limit=3)
    'a …'
    """
    text = " ".join(str("" if value is None else value).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text
