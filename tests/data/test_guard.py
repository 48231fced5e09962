"""The checks before a command writes: same file however named, writable targets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from databugs.data.guard import check_outputs, remove_stale_temporaries
from databugs.errors import DatabugsError, ErrorCode


def test_an_output_that_is_a_kept_file_under_another_name_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("a,label\n1,x\n")
    (tmp_path / "link").mkdir()
    os.link(data, tmp_path / "link" / "hard.csv")
    for output in (tmp_path / "link" / ".." / "d.csv", tmp_path / "link" / "hard.csv"):
        with pytest.raises(DatabugsError, match="is the data") as raised:
            check_outputs([tmp_path / "fine.csv", output], {data: "the data"})
        assert raised.value.code is ErrorCode.BAD_OPTION


def test_a_read_only_folder_is_refused_before_writing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("databugs.data.guard.os.access", lambda path, mode: False)  # even as root
    with pytest.raises(
        DatabugsError, match=r"new/x\.csv: cannot write \(the folder .* is read-only\)"
    ):
        check_outputs([tmp_path / "new" / "x.csv"], {})


def test_only_databugs_temporaries_of_the_named_files_are_removed(tmp_path: Path) -> None:
    names = [
        ".d[1].csv.databugs-tmp-ab12",
        ".d[1].csv.keep",
        ".e.csv.databugs-tmp-cd34",
        "d[1].csv",
    ]
    for name in names:
        (tmp_path / name).write_text("x")
    remove_stale_temporaries([tmp_path / "d[1].csv"])
    assert sorted(os.listdir(tmp_path)) == sorted(names[1:])
