"""Escaping data text for spreadsheets, Markdown, terminals and CI logs."""

from __future__ import annotations

import json

import pytest

from databugs.render.escape import markdown_text
from databugs.text import log_line, one_line, spreadsheet_safe, spreadsheet_value, visible


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
        ("'=x", "''=x"),  # a real label '=x is told from a defused =x
        ("'quoted", "''quoted"),
    ],
)
def test_spreadsheet_safe(value: str, expected: str) -> None:
    assert spreadsheet_safe(value) == expected
    assert spreadsheet_value(expected) == value


def test_markdown_text_cannot_inject_html_or_break_tables() -> None:
    text = markdown_text('<script>alert(1)</script> | "><img onerror=x>\nnext')
    assert "<" not in text and ">" not in text.replace("&gt;", "")
    assert "\\|" in text and "\n" not in text


def test_markdown_text_truncates() -> None:
    assert markdown_text("abcdefghij", limit=5) == "abcd…"


BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("newline", BREAKS)
def test_one_line_folds_every_line_break(newline: str) -> None:
    value = f"spam{newline}::error title=X::pwned"
    assert value.splitlines() != [value]  # Python breaks the line here: so may a log viewer
    assert one_line(value) == "spam ::error title=X::pwned"


def test_one_line_shows_control_characters() -> None:
    assert one_line("red\x1b[31m\x00bell\x07") == "red\\u001b[31m\\u0000bell\\u0007"


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("::error title=X::pwned", "\\u003a:error title=X::pwned"),
        ("  \t::warning::x", "  \t\\u003a:warning::x"),
        ("row 3: ok ##[error]x", "row 3: ok #\\u0023[error]x"),
        ("a\u2028::b\x85c\rd", "a\\u2028::b\\u0085c\\u000dd"),
        ("rows: 3 :: fine", "rows: 3 :: fine"),
        ('{"label": "\u2028##[x]"}', '{"label": "\\u2028#\\u0023[x]"}'),
    ],
)
def test_log_line_leaves_no_command_and_no_break(line: str, shown: str) -> None:
    assert log_line(line) == shown
    assert log_line(shown) == shown
    assert log_line("\x1b[1mbold\x1b[0m", keep_escapes=True) == "\x1b[1mbold\x1b[0m"


def test_log_line_keeps_json_the_same_json() -> None:
    value = {"label": "a\u2028b\x85##[error]c\x7f", "path": "x\n::y"}
    printed = log_line(json.dumps(value, ensure_ascii=False))
    assert json.loads(printed) == value


def test_visible_keeps_a_file_name_exact_on_one_line() -> None:
    assert visible("my  file\n::x.csv") == "my  file\\u000a::x.csv"


@pytest.mark.parametrize(
    "mark", ["\u202e", "\u202d", "\u2066", "\u2067", "\u2069", "\u200f", "\u061c"]
)
def test_bidirectional_controls_cannot_reorder_a_terminal_line(mark: str) -> None:
    label = f"ham{mark}maps"  # with U+202E a terminal would show 'hamspam'
    assert mark not in one_line(label) and mark not in log_line(label, keep_escapes=True)
    assert one_line(label) == f"ham\\u{ord(mark):04x}maps"
    assert one_line("مرحبا spam") == "مرحبا spam"  # right-to-left text itself is kept


def test_the_page_script_shows_the_same_bidirectional_controls_as_the_terminal() -> None:
    """report.html's ``shown`` and :data:`databugs.text.BIDI` are two spellings of one set:
    a control added to one and not the other would read reversed on the page."""
    from importlib import resources

    from databugs.text import BIDI

    script = resources.files("databugs.render").joinpath("page", "table.js").read_text()
    assert f".replace(/[{BIDI}]/g," in script
