"""The decisions ledger: read strictly, appended to (never rewritten), formulas defused."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pandas as pd
import pytest

from databugs.data import locks
from databugs.data.ledger import (
    LEDGER_COLUMNS,
    append_decisions,
    decisions_about,
    ledger_path,
    read_ledger,
)
from databugs.data.locks import lock_path
from databugs.errors import DatabugsError, ErrorCode

HEADER = "time,file,decision,row,id,old_label,new_label\n"
LINES = [
    "2024-05-01T10:00:00+00:00,d.csv,rejected,3,,cat,cat\n",
    "2024-05-01T10:00:01+00:00,d.csv,accepted,7,,dog,bird\n",
]


def _decisions(*rows: tuple[str, int, str, str, str]) -> pd.DataFrame:
    lines = [
        {
            "time": "2024-05-02T09:00:00+00:00",
            "file": "d.csv",
            "decision": decision,
            "row": row,
            "id": key,
            "old_label": old,
            "new_label": new,
        }
        for decision, row, key, old, new in rows
    ]
    return pd.DataFrame(lines, columns=LEDGER_COLUMNS)


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = tmp_path / "databugs-decisions.csv"
    path.write_text(HEADER + "".join(LINES))
    return path


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("2024-05-01T10:00:02+00:00,d.csv,rejected,9,,cat,cat,extra\n", "8 fields"),
        ("2024-05-01T10:00:02+00:00,d.csv,rejected,1.5,,cat,cat\n", "row '1.5'"),
        (
            "2024-05-01T10:00:02+00:00,d.csv,rejected,\u00b3,,cat,cat\n",
            "row '\u00b3'",
        ),  # was a traceback
        ("2024-05-01T10:00:02+00:00,d.csv,rejected,\u0663\u0662,,cat,cat\n", "not a row number"),
        ('2024-05-01T10:00:02+00:00,d.csv,rejected,9,,"cat,cat\n', "quote"),
        ("2024-05-01T10:00:02+00:00,d.csv,maybe,9,,cat,cat\n", "decision 'maybe'"),
    ],
)
def test_a_bad_line_is_an_error_naming_the_file_and_line(
    ledger: Path, line: str, says: str
) -> None:
    ledger.write_text(HEADER + "".join(LINES) + line)
    with pytest.raises(DatabugsError) as raised:
        read_ledger(ledger)
    assert raised.value.code is ErrorCode.BAD_LEDGER
    assert f"{ledger}, line 4" in str(raised.value) and says in str(raised.value)


def test_non_utf8_is_an_error_naming_the_line(ledger: Path) -> None:
    ledger.write_bytes(
        (HEADER + LINES[0]).encode() + "x,d.csv,rejected,2,,caf\xe9,a\n".encode("latin-1")
    )
    with pytest.raises(DatabugsError, match=r"line 3: not UTF-8") as raised:
        read_ledger(ledger)
    assert raised.value.code is ErrorCode.BAD_LEDGER


def test_a_file_that_is_not_a_ledger_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "databugs-decisions.csv"
    path.write_text("weight,height,label\n1,2,cat\n")
    with pytest.raises(DatabugsError, match=r"line 1: .*no column 'decision'"):
        read_ledger(path)


def test_an_empty_ledger_has_no_decisions_and_gets_a_header(tmp_path: Path) -> None:
    path = tmp_path / "databugs-decisions.csv"
    path.write_text("")
    assert read_ledger(path).empty
    append_decisions(path, _decisions(("rejected", 1, "", "cat", "cat")))
    assert path.read_text().splitlines()[0] == HEADER.strip()
    assert read_ledger(path)["row"].tolist() == [1]


def test_appending_keeps_every_earlier_byte(ledger: Path) -> None:
    ledger.write_text(HEADER + "".join(LINES).rstrip("\n"))  # hand-edited: no last newline
    before = ledger.read_bytes()
    append_decisions(ledger, _decisions(("accepted", 9, "", "cat", "dog")))
    after = ledger.read_bytes()
    assert after.startswith(before)
    assert read_ledger(ledger)["row"].tolist() == [3, 7, 9]


def test_a_bad_ledger_is_not_appended_to(ledger: Path) -> None:
    ledger.write_text(HEADER + LINES[0] + "x,d.csv,rejected,9,,cat,cat,extra\n")
    before = ledger.read_bytes()
    with pytest.raises(DatabugsError, match="line 3"):
        append_decisions(ledger, _decisions(("accepted", 9, "", "cat", "dog")))
    assert ledger.read_bytes() == before


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "-1", "+1.5", "@x", "'=x", "-x"]
)
def test_formulas_are_defused_on_disk_and_read_back_exactly(tmp_path: Path, text: str) -> None:
    path = tmp_path / "databugs-decisions.csv"
    append_decisions(path, _decisions(("edited", 0, text, "cat", text)))
    on_disk = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("id", "new_label"):
        cell = on_disk[column].iat[0]
        assert not cell.startswith(("=", "+", "@")) or cell in {"+1.5"}
        assert not (cell.startswith("-") and cell != "-1")
    back = read_ledger(path)
    assert back["id"].iat[0] == text and back["new_label"].iat[0] == text


def test_data_named_like_the_ledger_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabugsError, match="is the name of the decisions ledger") as raised:
        ledger_path(tmp_path / "databugs-decisions.csv")
    assert raised.value.code is ErrorCode.BAD_OPTION


def test_an_older_ledger_without_the_file_column_still_reads_and_appends(tmp_path: Path) -> None:
    path = tmp_path / "databugs-decisions.csv"
    path.write_text("time,decision,row,id,old_label,new_label\nt,rejected,4,,cat,cat\n")
    append_decisions(path, _decisions(("rejected", 5, "", "dog", "dog")))
    data = tmp_path / "d.csv"
    latest = decisions_about(data, [None] * 10)
    assert latest["row"].tolist() == [4, 5]
    assert path.read_text().splitlines()[1] == "t,rejected,4,,cat,cat"


def test_an_append_waits_for_the_lock_then_gives_up(ledger: Path, monkeypatch) -> None:
    monkeypatch.setattr(locks, "LOCK_WAIT_SECONDS", 0.2)
    before = ledger.read_bytes()
    with open(lock_path(ledger), "ab") as held:  # another databugs (a fix) holds the ledger
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(DatabugsError, match="another databugs run is writing it") as raised:
            append_decisions(ledger, _decisions(("rejected", 9, "", "cat", "cat")))
    assert raised.value.code is ErrorCode.FILE_BUSY and ledger.read_bytes() == before
    append_decisions(ledger, _decisions(("rejected", 9, "", "cat", "cat")))
    assert read_ledger(ledger)["row"].tolist() == [3, 7, 9]


def test_a_label_holding_a_carriage_return_keeps_the_ledger_readable(ledger: Path) -> None:
    """A bare carriage return in a cell split the line for every later reader (the csv module
    does not quote it with newline-ended lines): every later scan and fix then refused."""
    append_decisions(ledger, _decisions(("accepted", 4, "", "Q\rq", "O")))
    append_decisions(ledger, _decisions(("rejected", 5, "", "cat", "cat")))
    read = read_ledger(ledger)
    assert read["old_label"].tolist()[-2:] == ["Q\rq", "cat"] and read["row"].tolist()[-2:] == [
        4,
        5,
    ]
