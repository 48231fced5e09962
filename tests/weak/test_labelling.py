"""Weak labelling end to end: rules -> rule analysis -> label model -> end model -> weak labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from databugs.models.zoo import make_model
from databugs.weak.labelling import _weak_rows, label_data
from tests.conftest import EXAMPLES, RULES


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
    assert {"gold", "model"} <= sources  # rows no rule covers are labelled by the end model
    assert sources & {"rules", "rules+model"}  # the others by the rules, or with the model


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
    frame, gold, covered = pd.DataFrame({"x": [1, 2]}), np.array([-1, -1]), np.array([True, True])
    rows = _weak_rows(frame, None, gold, even, covered, "rules", 0.5, ["no", "yes"])
    assert rows["weak_label"].isna().tolist() == [True, False] and rows["weak_label"][1] == "yes"
    every = _weak_rows(frame, None, gold, even, covered, "rules", 0.0, ["no", "yes"])
    assert every["weak_label"].notna().all()  # by default every row gets a label


def test_uninformative_rules_and_many_labels_train_the_end_model_on_the_labels_alone(
    tmp_path: Path,
) -> None:
    frame = pd.read_csv(EXAMPLES / "sms_sample.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(EXAMPLES / "sms_sample.truth.csv", dtype=str)
    clean = frame["label"].to_numpy().copy()
    clean[truth["row"].astype(int)] = truth["true_label"].to_numpy()
    kept = np.random.default_rng(3).random(len(frame)) < 0.4
    path = tmp_path / "sms.csv"
    frame.assign(label=np.where(kept, clean, "")).to_csv(path, index=False)
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n  - name: coin_a\n    label: ham\n    contains: [the, a, to]\n"
        "  - name: coin_b\n    label: spam\n    contains: [you, i, and]\n"
    )
    result = label_data(path, rules=rules, id="message_id", jobs=1)
    assert result.summary["end_model_trained_on"] == "labelled rows only"
    hidden = ~kept
    assert (result.rows["weak_label"][hidden] == clean[hidden]).mean() > 0.9
    assert result.summary["output"] == "end model"  # the rules are not trusted where they vote
