"""databugs fix when things go wrong: outputs over kept files, a bad or unwritable ledger, a
full disk, another run at the same time, a run killed half-way."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from databugs.data import locks
from databugs.data.ledger import read_ledger
from databugs.data.locks import lock_path
from tests.conftest import make_blobs_table, run, scan

LEDGER = "databugs-decisions.csv"


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A scanned table with 12 labels swapped: (the data, the report folder)."""
    folder = tmp_path_factory.mktemp("scanned")
    frame = make_blobs_table(240, seed=5)
    for row in range(0, 240, 20):
        frame.loc[row, "label"] = "bird" if frame.loc[row, "label"] != "bird" else "cat"
    data = folder / "animals.csv"
    frame.to_csv(data, index=False)
    scan(data, folder / "r")
    return data, folder / "r"


@pytest.fixture
def data(scanned: tuple[Path, Path], tmp_path: Path) -> Path:
    """A copy of the scanned data in a folder of its own (fix takes it with --data)."""
    copy = tmp_path / "animals.csv"
    shutil.copy(scanned[0], copy)
    return copy


def fix(scanned: tuple[Path, Path], data: Path, *args: object):
    return run("fix", "--report", scanned[1], "--data", data, *args)


def _one_line_error(result, *says: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    for text in says:
        assert text in result.output


def test_fix_never_writes_over_the_ledger_or_the_kept_original(scanned, data: Path) -> None:
    assert fix(scanned, data, "--accept-top", "2", "--reject", "20").exit_code == 0
    ledger = data.with_name(LEDGER).read_bytes()
    erased = fix(scanned, data, "--accept-top", "3", "--output", data.with_name(LEDGER))
    _one_line_error(erased, "is the decisions ledger")
    assert data.with_name(LEDGER).read_bytes() == ledger

    original = data.with_name("animals.orig.csv")
    shutil.copy(data, original)
    kept = original.read_bytes()
    over = fix(scanned, data, "--accept-top", "3", "--output", original)
    _one_line_error(over, "is the original --in-place kept")
    assert original.read_bytes() == kept and data.with_name(LEDGER).read_bytes() == ledger


@pytest.mark.parametrize("name", ["corrected_labels.csv", "issues.csv", "report.json"])
@pytest.mark.parametrize("dry_run", [(), ("--dry-run",)])
def test_fix_never_writes_over_a_file_of_the_scans_report(
    scanned, data: Path, name: str, dry_run: tuple[str, ...]
) -> None:
    target = scanned[1] / name
    before = target.read_bytes()
    result = fix(scanned, data, "--accept-top", "2", "--output", target, *dry_run)
    _one_line_error(result, "is a file of the scan's report")
    assert target.read_bytes() == before


def test_data_named_like_the_ledger_is_refused(scanned, tmp_path: Path) -> None:
    named = tmp_path / LEDGER
    shutil.copy(scanned[0], named)
    before = named.read_bytes()
    result = fix(scanned, named, "--accept-top", "3", "--in-place")
    _one_line_error(result, "is the name of the decisions ledger")
    assert named.read_bytes() == before


@pytest.mark.parametrize(
    ("bad_line", "says"),
    [
        ("t,animals.csv,rejected,40,,cat,cat,extra\n", "line 3: 8 fields"),
        ("t,animals.csv,rejected,1.5,,cat,cat\n", "line 3: row '1.5'"),
        ('t,animals.csv,rejected,40,,"cat,cat\n', "line 3: a quote is never closed"),
    ],
)
def test_a_bad_ledger_stops_fix_and_scan_before_anything_is_written(
    scanned, data: Path, bad_line: str, says: str
) -> None:
    ledger = data.with_name(LEDGER)
    ledger.write_text(
        "time,file,decision,row,id,old_label,new_label\nt,animals.csv,rejected,60,,cat,cat\n"
        + bad_line
    )
    before = ledger.read_bytes()
    result = fix(scanned, data, "--accept-top", "3")
    _one_line_error(result, f"{ledger}, line", says)
    assert not data.with_name("animals.fixed.csv").exists() and ledger.read_bytes() == before
    rescan = run("scan", data, "--out", data.parent / "r", "--jobs", "1", "--format", "plain")
    _one_line_error(rescan, says)
    assert not (data.parent / "r").exists()


def test_a_ledger_that_cannot_be_written_stops_fix_before_the_copy(scanned, data: Path) -> None:
    data.with_name(LEDGER).mkdir()  # as unwritable as a read-only folder, even for root
    result = fix(scanned, data, "--accept-top", "3", "--output", data.with_name("out.csv"))
    _one_line_error(result, LEDGER, "cannot write")
    assert not data.with_name("out.csv").exists()


def test_an_output_under_a_file_is_one_line_and_nothing_is_written(scanned, data: Path) -> None:
    (data.parent / "taken").write_text("a file, not a folder")
    result = fix(scanned, data, "--accept-top", "3", "--output", data.parent / "taken" / "x.csv")
    _one_line_error(result, "cannot write")
    assert not data.with_name(LEDGER).exists()


def test_a_full_disk_is_one_line_and_the_data_stays(scanned, data: Path, monkeypatch) -> None:
    def full(_: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    before = data.read_bytes()
    monkeypatch.setattr("databugs.data.write.os.fsync", full)
    result = fix(scanned, data, "--accept-top", "3", "--in-place")
    _one_line_error(result, "cannot write", "No space left on device")
    assert data.read_bytes() == before
    assert not [p for p in data.parent.iterdir() if "databugs-tmp" in p.name]
    monkeypatch.undo()
    assert read_ledger(data.with_name(LEDGER)).empty


def test_a_locked_data_file_makes_fix_wait_then_refuse(scanned, data: Path, monkeypatch) -> None:
    monkeypatch.setattr(locks, "LOCK_WAIT_SECONDS", 0.3)
    before = data.read_bytes()
    with open(lock_path(data), "ab") as held:  # another databugs holds the data
        fcntl.flock(held, fcntl.LOCK_EX)
        result = fix(scanned, data, "--accept-top", "3", "--in-place")
    _one_line_error(result, str(data), "another databugs run is writing it")
    assert data.read_bytes() == before and not data.with_name(LEDGER).exists()
    assert fix(scanned, data, "--accept-top", "3", "--in-place").exit_code == 0


def _databugs(*args: object) -> subprocess.Popen:
    command = [sys.executable, "-m", "databugs.cli", *map(str, args)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_runs_at_the_same_time_never_lose_or_invent_decisions(scanned, data: Path) -> None:
    in_place = ["fix", "--report", scanned[1], "--data", data, "--accept-top", "5", "--in-place"]
    copies = [
        ["fix", "--report", scanned[1], "--data", data, "--accept-top", "4", "--output", out]
        for out in (data.with_name("a.csv"), data.with_name("b.csv"))
    ]
    runs = [_databugs(*in_place), _databugs(*in_place), *(_databugs(*c) for c in copies)]
    codes = [process.wait(timeout=120) for process in runs]
    outputs = [process.stderr.read() for process in runs]
    assert sorted(codes[:2]) == [0, 2], outputs  # the second finds the data changed
    assert codes[2:] in ([0, 0], [2, 2], [0, 2], [2, 0])
    ledger = read_ledger(data.with_name(LEDGER))
    before = pd.read_csv(scanned[0], dtype=str, keep_default_na=False)
    after = pd.read_csv(data, dtype=str, keep_default_na=False)
    changed = (before["label"] != after["label"]).sum()
    assert changed == 5
    assert len(ledger) == 5 + 4 * codes[2:].count(0)


KILLED_FIX = """
import os, signal, sys
import databugs.corrections.apply as apply
from databugs.cli import main

when = sys.argv.pop()
original = apply.write_bytes_atomically


def killed(path, payload, **how):
    if ".orig." in path.name:  # the original kept first, as ever
        return original(path, payload, **how)
    if when == "after":
        original(path, payload, **how)  # the data is replaced, then the run dies
    os.kill(os.getpid(), signal.SIGKILL)


apply.write_bytes_atomically = killed
main()
"""


@pytest.mark.parametrize("when", ["after", "before"])
def test_a_fix_killed_around_the_replace_keeps_data_and_ledger_in_step(
    scanned, data: Path, tmp_path: Path, when: str
) -> None:
    script = tmp_path / "killed.py"
    script.write_text(KILLED_FIX)
    before = data.read_bytes()
    args = ["fix", "--report", scanned[1], "--data", data, "--accept-top", "3", "--in-place"]
    killed = subprocess.run([sys.executable, script, *map(str, args), when], check=False)
    assert killed.returncode == -9
    left = data.parent / f".{data.name}.databugs-tmp-k2x9"  # as a kill mid-write leaves it
    left.write_bytes(b"x" * 2000)
    assert (data.read_bytes() != before) == (when == "after")
    decided = read_ledger(data.with_name(LEDGER))  # what a scan now sees
    assert decided["decision"].tolist() == (["accepted"] * 3 if when == "after" else [])

    again = fix(scanned, data, "--accept-top", "3", "--in-place")
    assert again.exit_code == (2 if when == "after" else 0), again.output  # changed / done
    ledger = pd.read_csv(data.with_name(LEDGER), dtype=str, keep_default_na=False)
    assert ledger["decision"].tolist() == ["accepted"] * 3
    assert not left.exists() and not list(data.parent.glob(".*.databugs-pending.json"))


def test_fix_with_data_a_folder_that_is_not_a_dataset(scanned, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not data")
    result = fix(scanned, tmp_path, "--accept-top", "3")
    _one_line_error(result, f"{tmp_path}: is a folder (with no Parquet files), not the data file")
    assert "Parquet dataset" not in result.output


def _planted_link(at: Path, to: Path) -> bytes:
    """A symbolic link at ``at`` to an empty file ``to`` (an empty ledger reads as one)."""
    to.write_text("")
    at.symlink_to(to)
    return to.read_bytes()


@pytest.mark.parametrize("planted", ["animals.fixed.csv", LEDGER])
def test_fix_writes_no_output_or_ledger_through_a_planted_link(
    scanned, data: Path, planted: str
) -> None:
    """A link committed where fix writes (the fixed copy, the ledger) would aim the write at
    any file, a git hook among them: refused before anything is written."""
    victim = data.parent / "victim.sh"
    before = _planted_link(data.with_name(planted), victim)
    result = fix(scanned, data, "--accept-top", "2")
    _one_line_error(result, planted, "symbolic link")
    assert victim.read_bytes() == before
    shown = sorted(p.name for p in data.parent.iterdir() if not p.name.startswith("."))
    assert shown == sorted(["animals.csv", planted, "victim.sh"])


def test_fix_in_place_keeps_no_original_through_a_dangling_link(scanned, data: Path) -> None:
    elsewhere = data.parent / "elsewhere"
    elsewhere.mkdir()
    data.with_name("animals.orig.csv").symlink_to(elsewhere / "made.csv")
    before = data.read_bytes()
    result = fix(scanned, data, "--accept-top", "2", "--in-place")
    _one_line_error(result, "animals.orig.csv", "symbolic link")
    assert data.read_bytes() == before and not (elsewhere / "made.csv").exists()


def test_a_planted_pending_note_is_refused_not_appended(scanned, data: Path) -> None:
    """A pending note is settled before the ledger is read; one databugs did not write (its
    lines no decisions) must not reach the ledger, nor any file."""
    ledger = data.with_name(LEDGER)
    assert fix(scanned, data, "--accept-top", "1").exit_code == 0
    kept = ledger.read_bytes()
    note = {"target": "/nonexistent/animals.csv", "target_sha256": "0", "ledger_size": 0}
    note["lines"] = "touch /tmp/pwned\n"
    (data.parent / ".animals.csv.databugs-pending.json").write_text(json.dumps(note))
    result = fix(scanned, data, "--accept-top", "2")
    _one_line_error(result, ".animals.csv.databugs-pending.json", "no decisions")
    assert ledger.read_bytes() == kept


def test_in_place_refuses_where_an_orig_file_is_no_original_of_the_data(
    scanned, data: Path
) -> None:
    """``--in-place`` keeps the first original, so with an unrelated ``animals.orig.csv``
    beside the data it kept none (the file left as it was, the data replaced): refused, both
    untouched; a copy of the data there is an original, kept as it is."""
    before, original = data.read_bytes(), data.with_name("animals.orig.csv")
    for unrelated in ("my precious\n", "a,b\n1,2\n"):
        original.write_text(unrelated)
        result = fix(scanned, data, "--accept-top", "2", "--in-place")
        _one_line_error(result, "animals.orig.csv: exists and is no original of animals.csv")
        assert original.read_text() == unrelated and data.read_bytes() == before
    original.unlink()
    original.mkdir()  # a folder there: no original kept either
    _one_line_error(fix(scanned, data, "--accept-top", "2", "--in-place"), "no original of")
    assert data.read_bytes() == before
    original.rmdir()
    shutil.copy(data, original)
    assert fix(scanned, data, "--accept-top", "2", "--in-place").exit_code == 0
    assert original.read_bytes() == before and data.read_bytes() != before


def test_fix_in_place_refuses_a_read_only_file(scanned, data: Path) -> None:
    """A read-only data file says "do not change me": refused in one line, not replaced (also
    as root, who may write any file: CI jobs and containers often run as root)."""
    before = data.read_bytes()
    data.chmod(0o444)
    try:
        result = fix(scanned, data, "--accept-top", "2", "--in-place")
        _one_line_error(result, "read-only")
        assert data.read_bytes() == before
    finally:
        data.chmod(0o644)
