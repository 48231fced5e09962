"""The CSV outputs: written as the csv module would, spreadsheet-safe, column names included."""

from __future__ import annotations


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
