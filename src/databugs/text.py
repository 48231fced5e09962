"""Data text on one line: the shape every report, table and terminal line shows it in.

Data may hold anything: line breaks (``\\n`` and ``\\r``, but also ``\\v``, ``\\f``, ``\\x85``,
``\\u2028``...), terminal escape sequences, and text a CI runner acts on (GitHub Actions runs a
line starting with ``::error`` and ``##[error]`` anywhere in a line as commands). Printed data
goes through :func:`one_line` (a value inside a line) and every printed line through
:func:`log_line`, so that a value can neither start a line nor act on the terminal or the log.
"""

from __future__ import annotations

import difflib
import re

BIDI = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
"""Marks and overrides that reorder how a line reads ("Trojan Source"): a right-to-left
override in a label makes a terminal or CI log show other text than the data holds."""
CONTROLS = re.compile(rf"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029{BIDI}]")
BIDI_CONTROLS = re.compile(f"[{BIDI}]")
"""Every line break, control character and bidirectional control but the tab."""
CONTROLS_BUT_ESCAPE = re.compile(rf"[\x00-\x08\x0a-\x1a\x1c-\x1f\x7f-\x9f\u2028\u2029{BIDI}]")
COMMAND_START = re.compile(r"^(\s*):(?=:)")
"""GitHub's runner reads ``::command::`` after leading white space."""
OLD_COMMAND = "##["
"""GitHub's runner reads ``##[command]`` anywhere in a line."""


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def visible(value: object) -> str:
    """Text with its line breaks and control characters shown as ``\\uXXXX`` (the JSON escape),
    for file names and messages that must stay exact and on one line.

    >>> visible("a.csv\\n::x\\x1b[2J")
    'a.csv\\\\u000a::x\\\\u001b[2J'
    """
    return CONTROLS.sub(_escaped, str(value))


def bidi_shown(value: object) -> str:
    """Text with its bidirectional controls shown as ``\\uXXXX`` and nothing else changed: for
    a page, where line breaks are harmless but a right-to-left override still reverses what
    a reader sees (``\\u202emaps`` reads "spam").

    >>> bidi_shown("\u202espam\\n")
    '\\\\u202espam\\n'
    """
    return BIDI_CONTROLS.sub(_escaped, str(value))


def count(number: int, noun: str) -> str:
    """``number`` and ``noun``, plural unless one.

    >>> count(1, "correction"), count(3, "correction")
    ('1 correction', '3 corrections')
    """
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


EDGE_SPACE = "\u2420"
"""How a space at the start or end of a label is shown (␠): folded away, 'Spam ' would look
like 'Spam'."""
INNER_SPACES = re.compile(r" {2,}")
SHOWN_BREAKS = str.maketrans({"\n": "\\n", "\r": "\\r", "\t": "\\t"})
"""How a label shows the white space one_line would fold."""


def shown_label(value: object) -> str:
    """A label on one line, exactly: white space at its edges, runs of spaces, line breaks and
    tabs inside shown, not folded away (``"a\\nb"`` and ``"a b"`` are two classes).

    >>> shown_label("Spam "), shown_label("ham"), shown_label("a\\nb"), shown_label("a  b")
    ('Spam␠', 'ham', 'a\\\\nb', 'a␠␠b')
    """
    text = "" if value is None else str(value)
    core = text.strip()
    lead, trail = len(text) - len(text.lstrip()), len(text) - len(text.rstrip())
    inner = INNER_SPACES.sub(lambda run: EDGE_SPACE * len(run.group()), core)
    inner = visible(inner.translate(SHOWN_BREAKS))
    return EDGE_SPACE * lead + inner + EDGE_SPACE * (trail if core else 0)


def one_line(value: object, limit: int | None = None) -> str:
    """Text on one line (white space folded, control characters shown as ``\\uXXXX``), cut to
    ``limit`` characters with an ellipsis.

    >>> one_line("a\\n  b  c", limit=3)
    'a …'
    """
    text = visible(" ".join(str("" if value is None else value).split()))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def listed(names: object, limit: int = 5) -> str:
    """Names quoted and joined, the first ``limit`` of them, for a message that stays one
    readable line however many there are.

    >>> listed(["a", "b", "c"], limit=2)
    "'a', 'b' and 1 more"
    """
    names = list(names)
    shown = ", ".join(map(repr, names[:limit]))
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


MAX_COLUMNS_LISTED = 20


def columns_hint(wanted: object, columns: object) -> str:
    """A hint for a column name that is not there: the nearest name if one is close (case
    aside), then the first columns, quoted (a name may hold spaces or commas).

    >>> columns_hint("lable", ["text", "Label"])
    "did you mean 'Label'? columns are: 'text', 'Label'"
    """
    names = [str(name) for name in columns]  # type: ignore[attr-defined]
    lowered = {name.lower(): name for name in reversed(names)}
    close = difflib.get_close_matches(str(wanted).strip().lower(), list(lowered), n=1)
    guess = f"did you mean {lowered[close[0]]!r}? " if close else ""
    return f"{guess}columns are: {listed(names, limit=MAX_COLUMNS_LISTED)}"


def log_line(line: str, *, keep_escapes: bool = False) -> str:
    """A line as printed to a terminal or a CI log: breaks and control characters shown as
    ``\\uXXXX`` (escape sequences kept if asked: rich colours a terminal with them), a ``::``
    at its start and any ``##[`` shown with an escaped character, so that no runner reads a
    command in it. Applying it twice changes nothing; JSON stays the same JSON.

    >>> log_line("  ::error::x ##[warning]y")
    '  \\\\u003a:error::x #\\\\u0023[warning]y'
    """
    controls = CONTROLS_BUT_ESCAPE if keep_escapes else CONTROLS
    line = COMMAND_START.sub(r"\1\\u003a", controls.sub(_escaped, line))
    return line.replace(OLD_COMMAND, "#\\u0023[")


NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
"""A plain number as written (``-1``, ``1.10``, ``.5``, ``2e3``): no grouping, unit or sign
other than ``+``/``-``. Defused formulas, label spellings and a CSV column's shape read it."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(text: str) -> bool:
    """Text a spreadsheet would run as a formula: it starts like one and is not a number.

    >>> formula_like("=HYPERLINK(1)"), formula_like("-1"), formula_like("@x")
    (True, False, True)
    """
    return text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text)


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet shows as written and never runs: formula-like text gets a leading
    ``'`` (which spreadsheets hide), real numbers such as ``-1`` are left alone, and text that
    itself starts with ``'`` gets one too, so that a label ``'=x`` and a defused ``=x`` differ.

    >>> spreadsheet_safe("=HYPERLINK(1)"), spreadsheet_safe("-1"), spreadsheet_safe("'=x")
    ("'=HYPERLINK(1)", '-1', "''=x")
    """
    return "'" + value if value.startswith("'") or formula_like(value) else value


def spreadsheet_value(cell: str) -> str:
    """The value :func:`spreadsheet_safe` wrote as ``cell``.

    >>> spreadsheet_value(spreadsheet_safe("'=x")), spreadsheet_value("-1")
    ("'=x", '-1')
    """
    return cell[1:] if cell.startswith("'") else cell
