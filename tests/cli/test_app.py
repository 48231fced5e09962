"""The command line application: worked examples in the help, exit codes of a real process,
usage errors in one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run


def test_help_has_worked_examples() -> None:
    for command in ["scan", "fix"]:
        result = run(command, "--help")
        assert result.exit_code == 0 and "Example" in result.output


def test_real_process_exit_codes(tmp_path: Path, blobs_csv: Path) -> None:
    command = [sys.executable, "-m", "databugs.cli"]
    bad = subprocess.run(
        [*command, "scan", str(tmp_path / "none.csv")], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "no such file" in bad.stderr
    good = subprocess.run(
        [*command, "scan", str(blobs_csv), "--out", str(tmp_path / "r"), "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert good.returncode == 0, good.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["scan", "d.csv", "--folds", "five"], "Invalid value for '--folds'"),
        (["scan", "d.csv", "--fold", "5"], "No such option: --fold"),
        (["scn", "d.csv"], "No such command 'scn'. Did you mean 'scan'?"),
        (["scan"], "Missing argument"),
    ],
)
def test_a_usage_error_is_one_line_and_a_json_error_when_json_is_asked(args, says) -> None:
    """click printed four lines (usage, a help pointer, a blank, the error) and no JSON."""
    result = run(*args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("databugs: error: ") and result.stderr.count("\n") == 1
    assert says in result.stderr and "--help)" in result.stderr
    asked = run(*args, "--format", "json")
    error = json.loads(asked.stdout)["error"]
    assert error["code"] == "bad_usage" and says in error["message"]
    assert error["hint"].startswith("see databugs") and error["hint"].endswith("--help")


def test_no_arguments_shows_the_help() -> None:
    result = run()
    assert result.exit_code == 2 and "Usage: databugs" in result.output
    assert "scan" in result.output and "error" not in result.output
