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


def test_spreadsheet_table_writes_what_the_csv_module_would_for_every_column_type() -> None:
    import csv
    import io

    import numpy as np
    import pandas as pd

    from databugs.render.tables import spreadsheet_table

    frame = pd.DataFrame(
        {
            "text, quoted": ["a,b", 'say "hi"', "two\nlines", "=cmd()", "-1", None],
            "int": [1, 2, 3, 4, 5, 6],
            "Int64": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
            "float": [0.5, np.nan, 1 / 3, 2.0, -1.0, 7.0],
            "Float64": pd.array([0.5, None, 0.25, 2.0, -1.0, 7.0], dtype="Float64"),
            "boolean": pd.array([True, False, None, True, False, True], dtype="boolean"),
            "category": pd.Categorical(["x", "y", None, "x", "+y", "x"]),
            "mixed": pd.Series([1, True, 1.0, "1", None, "b"], dtype=object),
        }
    )
    rows = list(csv.reader(io.StringIO(spreadsheet_table(frame))))
    assert rows[0] == list(frame.columns)
    assert [row[0] for row in rows[1:]] == ["a,b", 'say "hi"', "two\nlines", "'=cmd()", "-1", ""]
    assert [row[2] for row in rows[1:]] == ["1", "", "3", "4", "5", "6"]  # NA is empty
    assert [row[3] for row in rows[1:]] == [
        "0.500000",
        "",
        "0.333333",
        "2.000000",
        "-1.000000",
        "7.000000",
    ]
    assert [row[4] for row in rows[1:]][:3] == ["0.500000", "", "0.250000"]
    assert [row[5] for row in rows[1:]][:3] == ["true", "false", ""]
    assert [row[6] for row in rows[1:]] == ["x", "y", "", "x", "'+y", "x"]
    assert [row[7] for row in rows[1:]] == ["1", "true", "1.000000", "1", "", "b"]


def test_spreadsheet_table_defuses_column_names_too() -> None:
    import pandas as pd

    from databugs.render.tables import spreadsheet_table

    header = spreadsheet_table(pd.DataFrame({"=HYPERLINK(1)": [1], "-1": [2]})).splitlines()[0]
    assert header == "'=HYPERLINK(1),-1"
