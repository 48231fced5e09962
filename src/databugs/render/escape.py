"""Make data text safe to show: in Markdown, and in CSV files opened by spreadsheets."""

from __future__ import annotations

import html
import re

NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def spreadsheet_safe(value: str) -> str:
    """Stop spreadsheets from running a cell as a formula, leaving real numbers alone.

    >>> spreadsheet_safe("=HYPERLINK(1)"), spreadsheet_safe("-1"), spreadsheet_safe("@x")
    ("'=HYPERLINK(1)", '-1', "'@x")
    """
    if value.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def one_line(value: object, limit: int | None = None) -> str:
    """Text on one line (white space folded), cut to ``limit`` characters with an ellipsis.

    >>> one_line("a\\n  b  c", limit=3)
    'a …'
    """
    text = " ".join(str("" if value is None else value).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def markdown_text(value: object, limit: int | None = None) -> str:
    """Data text as literal Markdown: HTML and Markdown syntax escaped, one line, maybe cut.

    >>> markdown_text("<b>*x*</b> | y")
    '&lt;b&gt;\\\\*x\\\\*&lt;/b&gt; \\\\| y'
    """
    return MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(one_line(value, limit), quote=False))
