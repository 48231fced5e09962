"""What the commands print from hostile data: every line stays one line, literal, and inert in a
CI log (GitHub runs ``::error ...`` lines, and ``##[error]`` anywhere in a line, as commands)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from databugs.cli import app
from tests.conftest import EXAMPLES, run, runner

PAYLOAD = "\n::error title=X::pwned [bold red]x[/]\r\u2028##[error]v1"
MORE_BREAKS = (
    "\u2028::warning::ls\x0b::notice::vt\x0c::error::ff\x85::error::nel ##[error]v1 \x1b[2J"
)
MARKUP = "[bold red]x[/]"
RAW_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x1b]")
OWN_ANNOTATION = re.compile(
    r"::(warning file=[^:,]*,line=\d+,title=databugs \w+|error title=databugs gate)::"
)


def assert_inert(output: str) -> None:
    """No line break but ``\\n``, no escape sequence, no workflow command but databugs' own."""
    assert not RAW_BREAKS.search(output), RAW_BREAKS.findall(output)
    for line in output.split("\n"):
        assert "##[" not in line, line
        if line.lstrip().startswith("::"):
            assert OWN_ANNOTATION.match(line), line


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The SMS sample with the payload in a label, a column name, ids, texts and the file name;
    returns the data and the scan's output folder."""
    folder = tmp_path_factory.mktemp("hostile")
    frame = pd.read_csv(EXAMPLES / "sms_sample.csv", dtype=str, keep_default_na=False)
    frame.loc[frame["label"] == "spam", "label"] = "spam" + PAYLOAD
    some = frame.index[::5]
    frame.loc[some, "text"] = frame.loc[some, "text"] + PAYLOAD + MORE_BREAKS
    frame.loc[some, "message_id"] = frame.loc[some, "message_id"] + PAYLOAD
    frame = frame.rename(columns={"text": "text" + PAYLOAD})
    path = folder / "sms\n::error title=F::file [red]y.csv"
    frame.to_csv(path, index=False)
    out = folder / "report"
    result = run("scan", path, "--id", "message_id", "--out", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    return path, out


def test_plain_summary_shows_data_on_one_line_and_literally(hostile) -> None:
    path, out = hostile
    result = run("scan", path, "--id", "message_id", "--out", out)  # plain: not a terminal
    assert result.exit_code == 0, result.output
    assert_inert(result.output)
    assert MARKUP in result.output and "[red]y.csv" in result.output
    assert result.output.count("\n") == len(result.output.splitlines())
    # the label's line break shown as \n inside its line: not folded into "spam ::error ..."
    # (another label), never a line of its own
    assert "spam\\n::error title=X::pwned" in result.output


def test_rich_summary_prints_markup_literally(hostile) -> None:
    path, out = hostile
    result = run(
        "scan", path, "--id", "message_id", "--out", out, "--format", "rich", env={"COLUMNS": "300"}
    )
    assert result.exit_code == 0, result.output
    assert_inert(result.output)
    assert MARKUP in result.output and "[red]y.csv" in result.output


def test_json_summary_stays_the_same_json(hostile) -> None:
    path, out = hostile
    result = run("scan", path, "--id", "message_id", "--out", out, "--format", "json")
    assert result.exit_code == 0, result.output
    assert_inert(result.output)
    printed = json.loads(result.stdout)
    assert printed["outputs"]["report.md"] == str(out / "report.md")


def test_github_annotations_escape_data_and_properties(hostile, tmp_path: Path) -> None:
    path, out = hostile
    summary = tmp_path / "step-summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    result = run(
        "scan",
        path,
        "--id",
        "message_id",
        "--out",
        out,
        "-q",
        "--fail-on",
        "label_issues>0",
        env=env,
    )
    assert result.exit_code == 1, result.output
    assert_inert(result.output)
    lines = [line for line in result.output.split("\n") if line.startswith("::")]
    assert lines[0].startswith("::error title=databugs gate::label_issues>0 failed")
    warnings = lines[1:]
    assert len(warnings) == 10
    assert all("file=" + str(path.parent).replace(":", "%3A") in w for w in warnings)
    assert all("sms%0A%3A%3Aerror title=F%3A%3Afile [red]y.csv,line=" in w for w in warnings)
    assert any("pwned " + MARKUP in w for w in warnings)
    table = [line for line in summary.read_text().splitlines() if line.startswith("| ")]
    assert all(line.endswith(" |") for line in table)


def test_one_line_errors_name_hostile_files_and_columns(hostile) -> None:
    path, out = hostile
    missing = path.with_name("gone\n::error title=E::pwned.csv")
    for args in (
        ["scan", missing, "--out", out],
        ["scan", path, "--label", "nope\n::error title=E::pwned", "--out", out],
        ["scan", path, "--label", "nope\r##[error]v1", "--out", out, "--format", "json"],
    ):
        result = run(*args)
        assert result.exit_code == 2, result.output
        assert_inert(result.output)
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert result.stderr.startswith("databugs: error: ")
    assert json.loads(result.stdout)["error"]["message"]  # still JSON


def test_review_fix_and_diff_print_data_inertly(hostile, tmp_path: Path) -> None:
    path, out = hostile
    reviewed = runner.invoke(app, ["review", "--report", str(out)], input="a\nr\nq\n")
    assert reviewed.exit_code == 0, reviewed.output
    assert_inert(reviewed.output)
    assert MARKUP in reviewed.output
    dry = run("fix", "--report", out, "--accept-top", "3", "--dry-run", env={"COLUMNS": "300"})
    assert dry.exit_code == 0, dry.output
    assert_inert(dry.output)
    assert MARKUP in dry.output
    fixed = run("fix", "--report", out, "--accept-top", "3", "--output", tmp_path / "fixed.csv")
    assert fixed.exit_code == 0, fixed.output
    assert_inert(fixed.output)
    content = json.loads((out / "report.json").read_text())
    content["issues"] = content["issues"][5:]
    content["input"]["path"] = str(path) + "\n::error title=B::old"
    old = tmp_path / "old.json"
    old.write_text(json.dumps(content))
    diff = run("diff", old, out)
    assert diff.exit_code == 0, diff.output
    assert_inert(diff.output)
    assert "+ label_issue row" in diff.output


def test_label_prints_rule_names_and_labels_inertly(hostile, tmp_path: Path) -> None:
    path, _ = hostile
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[frame.index[20:], "label"] = ""
    unlabelled = tmp_path / "unlabelled.csv"
    frame.to_csv(unlabelled, index=False)
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n"
        '  - name: "prize\\n::error title=R::pwned [bold]y[/]"\n'
        '    label: "spam\\n::error title=X::pwned [bold red]x[/]\\r"\n'
        "    contains: [free, prize, win]\n"
        '  - name: "chatty\\u2028##[error]v1"\n'
        "    label: ham\n"
        "    contains: [lol, ok, sorry, later]\n"
    )
    result = run("label", unlabelled, "--rules", rules, "--out", tmp_path / "labels", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert_inert(result.output)
    assert "prize ::error title=R::p" in result.output  # the table cuts names to 24
    assert "[bold]y[/]" in (tmp_path / "labels" / "rules.md").read_text().replace("\\", "")


def test_the_summary_ends_with_the_page_and_the_next_commands(
    tmp_path: Path, blobs_csv: Path
) -> None:
    out = tmp_path / "r"
    result = run("scan", blobs_csv, "--out", out, "--format", "plain", "--jobs", "1")
    last = result.output.rstrip("\n").split("\n")[-2:]
    assert last == [
        f"report: {out / 'report.html'} (and report.md beside it)",
        f"next: databugs review --report {out}, or databugs fix --report {out} --accept-top N",
    ]


def test_findings_that_say_the_same_are_one_line_with_their_count() -> None:
    """Four rows holding the same impossible value make four target_outlier findings with one
    message: the summary shows it once, "(4 times)", and has room for the others."""
    import numpy as np

    import databugs
    from databugs.render.terminal import render_plain

    rng = np.random.default_rng(0)
    size = rng.uniform(20, 200, 400)
    frame = pd.DataFrame({"size": size, "rooms": rng.integers(1, 6, 400)})
    frame["price"] = (size * 1_000 + rng.normal(0, 5_000, 400)).round()
    frame.loc[[5, 50, 150, 250], "price"] = 9_999_999.0  # a sentinel where the price is unknown
    report = databugs.scan(frame, label="price", task="regression", jobs=1)
    text = render_plain(report, {"report.html": "r/report.html", "report.md": "r/report.md"})
    lines = [line for line in text.splitlines() if "target_outlier: value 9999999" in line]
    assert len(lines) == 1 and lines[0].endswith("(4 times)")


def test_a_long_finding_is_cut_to_one_screen_line_in_the_plain_summary() -> None:
    """An outlier's reasons ran to 420 characters: five rows of a 100-column CI log each."""
    import databugs
    from databugs.render.terminal import FINDING_CHARS, render_plain

    frame = pd.read_csv(EXAMPLES / "sms_sample.csv")
    frame.loc[7, "text"] = "ЖЖЖ 12345 !!! \n" * 400  # a broken record of another script
    report = databugs.scan(frame, label="label", jobs=1)
    text = render_plain(report, {"report.html": "r/report.html", "report.md": "r/report.md"})
    outliers = [line.strip() for line in text.splitlines() if line.strip().startswith("outlier:")]
    full = [r["detail"] for r in report.records if r["kind"] == "outlier"]
    assert outliers and max(map(len, full)) > FINDING_CHARS
    assert all(len(line) <= FINDING_CHARS for line in outliers)


@pytest.mark.parametrize(("width", "height"), [(80, 24), (120, 40)])
def test_the_rich_summary_fits_the_screen_it_is_printed_on(width: int, height: int) -> None:
    """At 80 x 24 the summary took 31 rows: a task line and the headline wrapped, six lines of
    "unlike every other row" for thirteen outliers, and ten table rows whatever the height."""
    import io

    from rich.console import Console

    import databugs
    from databugs.render.terminal import render_rich

    frame = pd.read_csv(EXAMPLES / "sms_sample.csv")
    report = databugs.scan(frame, label="label", jobs=1)
    shown = io.StringIO()
    screen = Console(file=shown, width=width, height=height, force_terminal=True, color_system=None)
    screen.print(render_rich(report, {"report.html": "out/report.html", "report.md": "out/r.md"}))
    lines = shown.getvalue().splitlines()
    assert len(lines) <= height - 1  # the prompt's row is left
    outliers = [line for line in lines if line.strip().startswith("outlier:")]
    assert len(outliers) == 1 and outliers[0].endswith("more)")  # one line per kind
    table = [line for line in lines if re.match(r"\s*\d+\s+\d+\s", line)]
    assert len(table) == (10 if height == 40 else height - 1 - (len(lines) - len(table)))
    assert len(table) >= 3 and lines[-1].startswith("next: databugs review")
