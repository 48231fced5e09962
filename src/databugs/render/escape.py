"""Make data text safe to show in HTML and Markdown (spreadsheet cells: ``databugs.text``)."""

from __future__ import annotations

import html
import re

from databugs.text import bidi_shown, one_line

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def html_text(value: object) -> str:
    """Data text for an HTML page: markup escaped, bidirectional controls shown as
    ``\\uXXXX`` (the page's script shows its data the same way).

    >>> html_text("<b>\u202espam</b>")
    '&lt;b&gt;\\\\u202espam&lt;/b&gt;'
    """
    return html.escape(bidi_shown(value))


def markdown_code(value: object) -> str:
    """Text as a Markdown code span, in a table cell: inside one nothing is markup, so only the
    fence (longer than any run of backticks in the text) and ``|`` (a cell border) need care.

    >>> markdown_code("label_issues>2%"), markdown_code("a`b|c")
    ('`label_issues>2%`', '``a`b\\\\|c``')
    """
    text = one_line(value)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text.replace('|', chr(92) + '|')}{pad}{fence}"


def markdown_text(value: object, limit: int | None = None) -> str:
    """Data text as literal Markdown: HTML and Markdown syntax escaped, one line, maybe cut.

    >>> markdown_text("<b>*x*</b> | y")
    '&lt;b&gt;\\\\*x\\\\*&lt;/b&gt; \\\\| y'
    """
    return MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(one_line(value, limit), quote=False))
