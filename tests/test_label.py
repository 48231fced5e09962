"""databugs label: rules -> rule analysis -> label model -> end model -> weak labels."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from databugs.cli import app
from databugs.weak.label_model import fit_label_model, majority_vote
from databugs.models.zoo import make_model
from databugs.weak.labelling import _weak_rows, label_data
from tests.conftest import EXAMPLES

runner = CliRunner()
RULES = EXAMPLES / "rules" / "sms_spam.yaml"


@pytest.fixture(scope="module")
def mostly_unlabelled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    """The SMS sample with 95% of its labels hidden; returns the file and the true labels."""
    frame = pd.read_csv(EXAMPLES / "sms_sample.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(EXAMPLES / "sms_sample.truth.csv", dtype=str)
    labels = frame["label"].to_numpy().copy()
    labels[truth["row"].astype(int)] = truth["true_label"].to_numpy()  # the clean labels
    rng = np.random.default_rng(0)
    kept = rng.random(len(frame)) < 0.05
    path = tmp_path_factory.mktemp("label") / "sms.csv"
    frame.assign(label=np.where(kept, labels, "")).to_csv(path, index=False)
    return path, labels


def test_weak_labels_beat_majority_vote_and_a_model_on_the_few_labels(mostly_unlabelled) -> None:
    path, truth = mostly_unlabelled
    result = label_data(path, rules=RULES, id="message_id", jobs=1)
    rows = result.rows
    hidden = (rows["label_source"] != "gold").to_numpy()
    accuracy = float((rows["weak_label"][hidden] == truth[hidden]).mean())
    coverage = float(rows["weak_label"][hidden].notna().mean())
    assert coverage > 0.95
    assert accuracy > 0.9
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    from databugs.data.features import build_features

    features = build_features(frame, exclude=["label", "message_id"])
    few = make_model("sgd+nb", "text", 0).fit(features.matrix[~hidden], truth[~hidden])
    assert accuracy > float((few.predict(features.matrix[hidden]) == truth[hidden]).mean()) + 0.03
    sources = set(rows["label_source"].dropna())
    assert {"gold", "rules", "model"} <= sources


def test_label_model_learns_which_rule_to_trust() -> None:
    """Two good rules and one that votes at random: the random one gets a low accuracy."""
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 2, 2000)
    good_a = np.where(
        rng.random(2000) < 0.5, np.where(rng.random(2000) < 0.9, truth, 1 - truth), -1
    )
    good_b = np.where(
        rng.random(2000) < 0.5, np.where(rng.random(2000) < 0.9, truth, 1 - truth), -1
    )
    noise = np.where(rng.random(2000) < 0.5, rng.integers(0, 2, 2000), -1)
    votes = np.column_stack([good_a, good_b, noise])
    gold = np.where(rng.random(2000) < 0.02, truth, -1)
    model = fit_label_model(votes, 2, gold)
    assert model.accuracies[0] > 0.8 and model.accuracies[1] > 0.8
    assert model.accuracies[2] < 0.65
    covered = (votes != -1).any(axis=1)
    chosen = model.posteriors.argmax(axis=1)
    majority = majority_vote(votes, 2)
    assert (chosen[covered] == truth[covered]).mean() > (majority[covered] == truth[covered]).mean()
    good = (votes[:, :2] != -1).any(axis=1)
    assert (chosen[good] == truth[good]).mean() > 0.88


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
    filled = data["label_source"].isin(["rules", "model"])
    assert (data["label"][filled] == weak["weak_label"][filled]).all()
    content = json.loads((out / "rules.json").read_text())
    assert content["schema"] == "databugs.rules/1"
    assert {r["name"] for r in content["rules"]} >= {"prize_words", "chatty_words"}
    assert "## Rules" in (out / "rules.md").read_text()


def test_a_misleading_rule_is_called_out_and_conflicts_are_reported(tmp_path: Path) -> None:
    frame = pd.read_csv(EXAMPLES / "sms_sample.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(EXAMPLES / "sms_sample.truth.csv", dtype=str)
    labels = frame["label"].to_numpy().copy()
    labels[truth["row"].astype(int)] = truth["true_label"].to_numpy()
    wrong = [i for i in range(len(frame)) if "FREE" in frame["text"][i] and labels[i] == "spam"][:3]
    labels[wrong] = "ham"  # misannotations the rules and the model should both contradict
    path = tmp_path / "sms.csv"
    frame.assign(label=labels).to_csv(path, index=False)
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        RULES.read_text() + "  - name: money_words\n    label: spam\n"
        "    contains: [you, me, my, the]\n"
    )
    result = label_data(path, rules=rules, id="message_id", jobs=1)
    money = next(r for r in result.rules if r["name"] == "money_words")
    assert money["warning"] and money["warning"].startswith("money_words is right on")
    result = label_data(path, rules=RULES, id="message_id", jobs=1)
    assert all(c["kind"] == "rule_conflict" for c in result.conflicts)
    top = {c["row"] for c in result.conflicts[:3]}
    assert len(top & set(wrong)) >= 2  # the planted misannotations lead the list
    assert len(result.conflicts) < 20


def test_python_rules_and_where_queries(tmp_path: Path) -> None:
    path = tmp_path / "payments.csv"
    rng = np.random.default_rng(2)
    amount = rng.integers(10, 30000, 400)
    country = rng.choice(["FR", "DE", "XX"], 400)
    label = np.where((amount > 15000) | (country == "XX"), "fraud", "ok")
    known = np.where(rng.random(400) < 0.1, label, "")
    pd.DataFrame({"amount": amount, "country": country, "label": known}).to_csv(path, index=False)
    rules = tmp_path / "rules.py"
    rules.write_text(
        "import databugs\n\n"
        "@databugs.rule(label='fraud')\n"
        "def large_amount(row):\n    return row['amount'] > 15000\n\n"
        "@databugs.rule()\n"
        "def by_country(row):\n    return 'fraud' if row['country'] == 'XX' else None\n\n"
        "@databugs.rule(label='ok')\n"
        "def small(row):\n    return row['amount'] < 5000 and row['country'] != 'XX'\n"
    )
    result = label_data(path, rules=rules, jobs=1)
    assert [r["name"] for r in result.rules] == ["large_amount", "by_country", "small"]
    hidden = (result.rows["label_source"] != "gold").to_numpy()
    assert (result.rows["weak_label"][hidden] == label[hidden]).mean() > 0.9
    yaml_rules = tmp_path / "rules.yaml"
    yaml_rules.write_text(
        "rules:\n  - name: big\n    label: fraud\n    where: 'amount > 15000'\n"
        "  - name: small\n    label: ok\n    where: 'amount < 5000'\n"
    )
    result = label_data(path, rules=yaml_rules, jobs=1)
    big = next(r for r in result.rules if r["name"] == "big")
    assert big["coverage"] == pytest.approx((amount > 15000).mean(), abs=1e-6)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "  - name: never\n    label: spam\n    contains: [xyzzyplugh]\n",
            "rule 'never' matches no row",
        ),
        (
            "  - name: nocol\n    label: spam\n    contains: [free]\n    column: body\n",
            "rule 'nocol': no column 'body'",
        ),
        ("  - name: badre\n    label: spam\n    regex: '(unclosed'\n", "rule 'badre': bad regex"),
        ("  - name: badq\n    label: spam\n    where: 'nosuch > 3'\n", "rule 'badq': bad query"),
        (
            "  - name: other\n    label: eggs\n    contains: [free]\n",
            "rule 'other' votes 'eggs', not one of --classes",
        ),
    ],
)
def test_bad_rules_exit_2_naming_the_rule(tmp_path: Path, rule: str, message: str) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: free\n    label: spam\n    contains: [free]\n" + rule)
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "label",
            str(EXAMPLES / "sms_sample.csv"),
            "--rules",
            str(rules),
            "--out",
            str(out),
            "--classes",
            "ham,spam",
        ],
    )
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()


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


def test_yes_no_labels_ties_and_single_row_classes(tmp_path: Path) -> None:
    rows = ["text,label"] + [f"great product {n},yes" for n in range(3)]
    rows += [f"awful thing {n}," for n in range(20)] + [f"great but awful {n}," for n in range(5)]
    rows += ["meh,no"]  # a class with one row must not break the folds
    path = tmp_path / "reviews.csv"
    path.write_text("\n".join(rows) + "\n")
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n  - name: good\n    label: yes\n    contains: [great]\n"
        "  - name: bad\n    label: no\n    contains: [awful]\n"
    )
    result = label_data(path, rules=rules, text=["text"], jobs=1)
    assert result.classes == ["no", "yes"]  # not True / False
    even = np.array([[0.5, 0.5], [0.3, 0.7]])  # a tie (one vote each way), then a clear row
    rows = _weak_rows(
        pd.DataFrame({"x": [1, 2]}),
        None,
        np.array([-1, -1]),
        even,
        even,
        np.array([True, True]),
        0.5,
        ["no", "yes"],
    )
    assert rows["weak_label"].isna().tolist() == [True, False] and rows["weak_label"][1] == "yes"


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
