"""The pre-commit hooks of ``.pre-commit-hooks.yaml``, run by the real ``pre-commit try-repo`` in
a temporary dataset repository: staged data files are checked, nothing is left for git to list.

``databugs-system`` (the databugs on PATH) runs offline and always. ``databugs`` (pre-commit
installs the repository and its dependencies from the package index, about 2 minutes) runs when
``DATABUGS_INSTALL_TESTS=1``, as ``.ci/run`` sets it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def _git(repository: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", *args]
    return subprocess.run(
        command, cwd=repository, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def repository(tmp_path: Path, blobs_csv: Path) -> Path:
    """A dataset repository with one committed table (2% swapped labels) and a strict gate."""
    repository = tmp_path / "dataset"
    (repository / "data").mkdir(parents=True)
    shutil.copy(blobs_csv, repository / "data" / "animals.csv")
    (repository / "data" / "databugs.toml").write_text('fail_on = "label_issues>1%"\n')
    (repository / "README.md").write_text("# animals\n")
    _git(repository, "init", "-q")
    _git(repository, "add", ".")
    _git(repository, "commit", "-q", "-m", "data")
    return repository


def _try_repo(repository: Path, hook: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "PRE_COMMIT_HOME": str(repository.parent / "pre-commit-home"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    command = [*PRE_COMMIT, "try-repo", str(ROOT), hook, *args]
    return subprocess.run(
        command, cwd=repository, env=env, capture_output=True, text=True, check=False
    )


def _assert_checked_and_nothing_untracked(
    repository: Path, ran: subprocess.CompletedProcess
) -> None:
    assert ran.returncode == 1, ran.stdout + ran.stderr  # the gate failed: the commit stops
    assert "data/animals.csv: FAIL label_issues>1% (measured " in ran.stdout
    assert (repository / ".databugs" / "data" / "animals.csv" / "report.html").is_file()
    assert _git(repository, "status", "--porcelain") == ""


def test_the_system_hook_checks_every_data_file_and_leaves_nothing_untracked(
    repository: Path,
) -> None:
    _assert_checked_and_nothing_untracked(
        repository, _try_repo(repository, "databugs-system", "--all-files")
    )


def test_the_hook_gets_only_the_staged_data_files(repository: Path) -> None:
    shutil.copy(repository / "data" / "animals.csv", repository / "data" / "more.csv")
    (repository / "data" / "databugs.toml").write_text('fail_on = "label_issues>50%"\n')
    (repository / "README.md").write_text("# animals, more of them\n")
    _git(repository, "add", "data/more.csv", "README.md")  # the config change is not staged
    ran = _try_repo(repository, "databugs-system")
    assert ran.returncode == 1, ran.stdout + ran.stderr  # pre-commit stashes unstaged changes
    assert "data/more.csv: FAIL" in ran.stdout and "data/animals.csv" not in ran.stdout


@pytest.mark.skipif(
    os.environ.get("DATABUGS_INSTALL_TESTS") != "1",
    reason="installs databugs and its dependencies from the index: DATABUGS_INSTALL_TESTS=1",
)
def test_the_python_hook_installs_databugs_and_checks(repository: Path) -> None:
    _assert_checked_and_nothing_untracked(
        repository, _try_repo(repository, "databugs", "--all-files")
    )
