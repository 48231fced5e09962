"""Escaping data text for spreadsheets and Markdown."""

from __future__ import annotations

import pytest

from databugs.render.escape import markdown_text, spreadsheet_safe


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+cmd", "'+cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-x", "'-x"),
        ("\tx", "'\tx"),
        ("-1", "-1"),
        ("+1.5e3", "+1.5e3"),
        ("spam", "spam"),
        ("", ""),
    ],
)
def test_spreadsheet_safe(value: str, expected: str) -> None:
    assert spreadsheet_safe(value) == expected


def test_markdown_text_cannot_inject_html_or_break_tables() -> None:
    text = markdown_text('<script>alert(1)</script> | "><img onerror=x>\nnext')
    assert "<" not in text and ">" not in text.replace("&gt;", "")
    assert "\\|" in text and "\n" not in text


def test_markdown_text_truncates() -> None:
    assert markdown_text("abcdefghij", limit=5) == "abcd…"
