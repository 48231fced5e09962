"""``databugs check``: the pre-commit hook's command: each staged data file scanned with its own
configuration, one line per file, reports kept under ``.databugs/`` (ignored by git)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import run


@pytest.fixture
def repository(tmp_path: Path, blobs_csv: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A dataset repository: the same noisy table (2% swapped labels) in two folders, each with
    its own gate in databugs.toml; the working directory is the repository's root."""
    for folder, rule in (("strict", "label_issues>1%"), ("lenient", "label_issues>50%")):
        (tmp_path / folder).mkdir()
        shutil.copy(blobs_csv, tmp_path / folder / "animals.csv")
        (tmp_path / folder / "databugs.toml").write_text(f'fail_on = "{rule}"\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_each_file_is_checked_against_its_own_gate(repository: Path) -> None:
    result = run("check", "strict/animals.csv", "lenient/animals.csv")
    assert result.exit_code == 1, result.output
    strict, lenient = result.output.splitlines()
    assert strict.startswith("strict/animals.csv: FAIL label_issues>1% (measured ")
    assert lenient.startswith("lenient/animals.csv: pass")
    assert ".databugs/strict/animals.csv/report.html" in strict
    for folder in ("strict", "lenient"):
        assert (repository / ".databugs" / folder / "animals.csv" / "report.json").is_file()


def test_reports_stay_out_of_git_and_out_of_the_default_folder(repository: Path) -> None:
    result = run("check", "lenient/animals.csv")
    assert result.exit_code == 0, result.output
    assert (repository / ".databugs" / ".gitignore").read_text() == "*\n"
    assert not (repository / "databugs-report").exists()
    assert not (repository / "lenient" / "databugs-report").exists()


def test_a_config_without_a_gate_passes_and_says_so(repository: Path) -> None:
    (repository / "lenient" / "databugs.toml").write_text('label = "label"\n')
    result = run("check", "lenient/animals.csv")
    assert result.exit_code == 0, result.output
    assert "no gate" in result.output and "fail_on" in result.output


def test_a_bad_file_is_one_error_line_and_the_others_are_still_checked(repository: Path) -> None:
    (repository / "lookup.csv").write_text("code,name\n1,one\n2,two\n")
    result = run("check", "lookup.csv", "lenient/animals.csv")
    assert result.exit_code == 2, result.output
    error, lenient = result.output.splitlines()
    assert error.startswith("lookup.csv: error: ") and "label" in error
    assert lenient.startswith("lenient/animals.csv: pass")
    assert not (repository / ".databugs" / "lookup.csv").exists()


def test_the_command_line_gate_wins_over_the_config(repository: Path) -> None:
    result = run("check", "lenient/animals.csv", "--fail-on", "label_issues>1%")
    assert result.exit_code == 1, result.output
    assert "FAIL label_issues>1%" in result.output


def test_files_outside_the_working_directory_keep_reports_of_their_own(
    repository: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    for folder in ("strict", "lenient"):
        (elsewhere / folder).mkdir()
        for name in ("animals.csv", "databugs.toml"):
            shutil.copy(repository / folder / name, elsewhere / folder / name)
    result = run(
        "check", str(elsewhere / "strict/animals.csv"), str(elsewhere / "lenient/animals.csv")
    )
    assert result.exit_code == 1, result.output
    strict, lenient = result.output.splitlines()
    reports = sorted((repository / ".databugs" / "outside").iterdir())
    assert len(reports) == 2 and all(path.name.startswith("animals.csv-") for path in reports)
    for line, folder in ((strict, "strict"), (lenient, "lenient")):
        report = next(path for path in reports if path.name in line)
        scanned = json.loads((report / "report.json").read_text())["input"]["path"]
        assert Path(scanned).parent.name == folder, (line, scanned)


def test_a_folder_linked_into_the_reports_tree_is_not_written_through(
    repository: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A pull request committing ``.databugs/strict -> <elsewhere>`` aimed every report of
    strict/*.csv at that folder (only a link at a file's own name was refused)."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (repository / ".databugs").mkdir()
    (repository / ".databugs" / "strict").symlink_to(elsewhere, target_is_directory=True)
    result = run("check", "strict/animals.csv", "lenient/animals.csv")
    assert result.exit_code == 2, result.output
    strict, lenient = result.output.splitlines()
    assert strict.startswith("strict/animals.csv: error: .databugs/strict: is a symbolic link")
    assert lenient.startswith("lenient/animals.csv: pass")
    assert list(elsewhere.iterdir()) == []
