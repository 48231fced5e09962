"""The command line application: worked examples in the help, exit codes of a real process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
