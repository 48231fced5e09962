"""databugs label as a user runs it: every output, --write, and its one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from databugs.cli import app
from tests.conftest import EXAMPLES, RULES, runner


def test_cli_writes_every_output(mostly_unlabelled, tmp_path: Path) -> None:
    path, _ = mostly_unlabelled
    out, written = tmp_path / "labels", tmp_path / "sms.labelled.csv"
    result = runner.invoke(
        app,
        [
            "label",
            str(path),
            "--rules",
            str(RULES),
            "--id",
            "message_id",
            "--out",
            str(out),
            "--write",
            str(written),
            "--jobs",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "chatty_words" in result.output and "labelled by rules" in result.output
    weak = pd.read_csv(out / "weak_labels.csv", dtype=str, keep_default_na=False)
    assert list(weak.columns) == ["row", "id", "weak_label", "confidence", "label_source"]
    data = pd.read_csv(written, dtype=str, keep_default_na=False)
    original = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(data.columns) == [*original.columns, "label_source"]
    gold = original["label"] != ""
    assert (data["label"][gold] == original["label"][gold]).all()  # known labels untouched
    filled = data["label_source"].isin(["rules", "rules+model", "model"])
    assert filled[~gold].all() and (data["label"] != "").all()  # every row has a label
    assert (data["label"][filled] == weak["weak_label"][filled]).all()
    assert (weak["confidence"].astype(float) > 0).all()
    content = json.loads((out / "rules.json").read_text())
    assert content["schema"] == "databugs.rules/1"
    assert {r["name"] for r in content["rules"]} >= {"prize_words", "chatty_words"}
    assert 0.8 < content["summary"]["estimated_accuracy"] <= 1.0
    analysis = content["analysis"]
    assert [c["class"] for c in analysis["classes"]] == ["ham", "spam"]
    to_label = analysis["rows_to_label"]
    assert len(to_label) == 10 and all(not gold[r["row"]] for r in to_label)
    assert [r["confidence"] for r in to_label] == sorted(r["confidence"] for r in to_label)
    markdown = (out / "rules.md").read_text()
    assert "## Rules" in markdown and "## Classes" in markdown
    assert f"| {to_label[0]['row']} |" in markdown.split("## Rows to label")[1]
    assert "rows to label or write a rule for" in result.output
    assert f"row {to_label[0]['row']}" in result.output


def test_min_confidence_leaves_empty_only_what_is_asked(mostly_unlabelled, tmp_path: Path) -> None:
    path, _ = mostly_unlabelled
    out = tmp_path / "labels"
    arguments = ["label", str(path), "--rules", str(RULES), "--id", "message_id", "--jobs", "1"]
    result = runner.invoke(app, [*arguments, "--out", str(out), "--min-confidence", "0.9"])
    assert result.exit_code == 0, result.output
    weak = pd.read_csv(out / "weak_labels.csv", dtype=str, keep_default_na=False)
    empty = weak["weak_label"] == ""
    confidence = weak["confidence"].astype(float)
    assert empty.any() and (confidence[empty] < 0.9).all() and (confidence[~empty] >= 0.9).all()


def test_write_never_rewrites_the_input(mostly_unlabelled, tmp_path: Path) -> None:
    path, _ = mostly_unlabelled
    before = path.read_bytes()
    result = runner.invoke(
        app,
        [
            "label",
            str(path),
            "--rules",
            str(RULES),
            "--write",
            str(path),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 2 and "is the input" in result.output
    assert path.read_bytes() == before


def test_write_onto_the_runs_own_report_file_is_refused(mostly_unlabelled, tmp_path: Path) -> None:
    """``--write out/weak_labels.csv`` wrote the filled-in data, then the report file of that
    name replaced it: the labelled data the user asked for was gone."""
    path, _ = mostly_unlabelled
    out = tmp_path / "out"
    args = ["label", str(path), "--rules", str(RULES), "--out", str(out)]
    result = runner.invoke(app, [*args, "--write", str(out / "weak_labels.csv")])
    assert result.exit_code == 2 and "is the label run's weak_labels.csv" in result.output
    assert not out.exists()


def test_number_labels_and_write_keep_the_data_as_written(tmp_path: Path) -> None:
    """JSONL with integer labels and gaps: one class per label; --write changes nothing else."""
    rng = np.random.default_rng(3)
    lines = []
    for n in range(120):
        spam = n % 3 == 0
        record = {
            "id": f"m{n:03d}",
            "text": ("win a free prize now" if spam else "see you at lunch later") + f" {n}",
            "score": 0.123456789012345 + n,
            "meta": {"src": "a/b"},
            "label": (1 if spam else 0) if rng.random() < 0.3 else None,
        }
        lines.append(json.dumps(record))
    data = tmp_path / "messages.jsonl"
    data.write_text("\n".join(lines) + "\n")
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n  - name: prize\n    label: 1\n    contains: [prize, win]\n"
        "  - name: lunch\n    label: 0\n    contains: [lunch]\n"
    )
    written = tmp_path / "messages.labelled.jsonl"
    result = runner.invoke(
        app,
        [
            "label",
            str(data),
            "--rules",
            str(rules),
            "--id",
            "id",
            "--text",
            "text",
            "--out",
            str(tmp_path / "out"),
            "--write",
            str(written),
            "--jobs",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    content = json.loads((tmp_path / "out" / "rules.json").read_text())
    assert content["classes"] == ["0", "1"]
    for before, after in zip(lines, written.read_text().splitlines(), strict=True):
        old, new = json.loads(before), json.loads(after)
        assert new["score"] == old["score"] and new["meta"] == old["meta"]
        assert new["label"] in (0, 1)  # numbers stay numbers
        assert old["label"] is None or new["label"] == old["label"]


def test_label_review_findings_are_one_line_errors(tmp_path: Path) -> None:
    sample = str(EXAMPLES / "sms_sample.csv")
    variant = tmp_path / "variant.yaml"
    variant.write_text("rules:\n  - name: shout\n    label: Spam\n    contains: [free]\n")
    wrong_label = runner.invoke(app, ["label", sample, "--rules", str(RULES), "--label", "Label"])
    case = runner.invoke(app, ["label", sample, "--rules", str(variant)])
    other_format = runner.invoke(
        app,
        [
            "label",
            sample,
            "--rules",
            str(RULES),
            "--write",
            str(tmp_path / "x.parquet"),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    for result, message in (
        (wrong_label, "no column 'Label'"),
        (case, "votes 'Spam'; the data writes that label 'spam'"),
        (other_format, "--write keeps the data's format"),
    ):
        assert result.exit_code == 2, result.output
        assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_rule_voting_a_number_the_data_writes_as_a_float_is_refused(tmp_path: Path) -> None:
    """pandas saves a column of whole numbers with empty cells as ``1.0``; a rule voting ``1``
    would otherwise add a class of its own and be "right on 0%" of the rows it covers."""
    rows = 60
    frame = pd.DataFrame(
        {
            "text": [
                ("win a free prize " if n % 2 else "lunch later ") + str(n) for n in range(rows)
            ],
            "label": [float(n % 2) if n % 3 == 0 else None for n in range(rows)],
        }
    )
    data = tmp_path / "data.csv"
    frame.to_csv(data, index=False)
    assert "1.0" in data.read_text()
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: prize\n    label: 1\n    contains: [prize]\n")
    result = runner.invoke(
        app, ["label", str(data), "--rules", str(rules), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2, result.output
    assert "rule 'prize' votes '1'; the data writes that label '1.0'" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_write_fills_a_parquet_number_label_column_with_numbers(tmp_path: Path) -> None:
    rows = 120
    frame = pd.DataFrame(
        {
            "text": [
                ("win a free prize " if n % 3 == 0 else "lunch later ") + str(n)
                for n in range(rows)
            ],
            "label": pd.array(
                [(1 if n % 3 == 0 else 0) if n % 4 == 0 else None for n in range(rows)],
                dtype="Int64",
            ),
        }
    )
    data, written = tmp_path / "data.parquet", tmp_path / "labelled.parquet"
    frame.to_parquet(data)
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n  - name: prize\n    label: 1\n    contains: [prize]\n"
        "  - name: lunch\n    label: 0\n    contains: [lunch]\n"
    )
    result = runner.invoke(
        app,
        [
            "label",
            str(data),
            "--rules",
            str(rules),
            "--text",
            "text",
            "--write",
            str(written),
            "--out",
            str(tmp_path / "out"),
            "--jobs",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    labelled = pd.read_parquet(written)
    assert str(labelled["label"].dtype) == "Int64"
    assert labelled["label"].tolist() == [1 if n % 3 == 0 else 0 for n in range(rows)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "-1"], "--seed -1 is outside 0 to"),  # a traceback from numpy
        (["--jobs", "0"], "--jobs 0 is below 1"),
    ],
)
def test_label_options_out_of_range_are_refused(mostly_unlabelled, tmp_path, args, message):
    path, _ = mostly_unlabelled
    rules = EXAMPLES / "rules" / "sms_spam.yaml"
    out = tmp_path / "out"
    command = ["label", str(path), "--rules", str(rules), *args, "--out", str(out)]
    result = runner.invoke(app, command)
    assert result.exit_code == 2 and message in result.output, result.output
    assert not out.exists()


def test_a_python_rules_file_named_in_capitals_loads(mostly_unlabelled, tmp_path: Path) -> None:
    """``--rules RULES.PY`` ended in an AttributeError traceback (no loader for the suffix)."""
    path, _ = mostly_unlabelled
    rules = tmp_path / "RULES.PY"
    rules.write_text("raise SystemExit('loaded')\n")
    result = runner.invoke(app, ["label", str(path), "--rules", str(rules)])
    assert result.exit_code == 2 and "failed to load (SystemExit: loaded)" in result.output


def test_a_labelled_row_outside_the_declared_classes_is_refused(tmp_path: Path) -> None:
    """One labelled row said ``eggs`` beside ``--classes ham,spam``: 20 unlabelled rows were
    written ``eggs`` (up to 98% sure), a class no rule votes and nobody asked for."""
    frame = pd.read_csv(EXAMPLES / "sms_sample.csv")
    hidden = np.random.default_rng(0).random(len(frame)) < 0.7
    frame.loc[hidden, "label"] = None
    first = int(frame["label"].notna().idxmax())
    frame.loc[first, "label"] = "eggs"
    path = tmp_path / "eggs.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "out"
    command = ["label", str(path), "--rules", str(RULES), "--classes", "ham,spam"]
    result = runner.invoke(app, [*command, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert f"row {first} is labelled 'eggs', not one of --classes" in result.output
    assert not out.exists()
