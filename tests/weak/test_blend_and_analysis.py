"""Which labels are written (decided on the labelled rows), the class balance of the rows no
rule covers, and the rule analysis that says what to write or label next."""

from __future__ import annotations

import numpy as np

from databugs.weak.analysis import analyse
from databugs.weak.blend import choose_blend, shift_to_uncovered_balance, uncovered_view


def test_the_labels_written_are_whichever_view_the_labelled_rows_prefer() -> None:
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 2, 200)
    sure = np.eye(2)[gold] * 0.8 + 0.1
    wrong = np.eye(2)[1 - gold] * 0.8 + 0.1
    judged = np.ones(200, dtype=bool)
    mostly_wrong_rules = np.where(rng.random((200, 1)) < 0.4, sure, wrong)
    assert choose_blend(mostly_wrong_rules, sure, gold, judged)[0] == "end model"
    assert choose_blend(sure, mostly_wrong_rules, gold, judged)[0] == "rules"
    name, scores = choose_blend(sure, sure, gold, judged)
    assert name == "rules" and scores["end model"] == 1.0  # a tie: the rules
    assert choose_blend(sure, sure, gold, np.zeros(200, dtype=bool))[1]["rules"] is None


def test_rows_no_rule_covers_get_their_own_class_balance() -> None:
    """The end model, trained mostly on covered rows (70% class 1), calls most uncovered rows
    class 1; the labelled uncovered rows say they are 70% class 0."""
    rng = np.random.default_rng(1)
    covered = rng.random(1000) < 0.5
    truth = np.where(covered, rng.random(1000) < 0.7, rng.random(1000) < 0.3).astype(int)
    signal = np.clip(0.45 + 0.3 * truth + rng.normal(0, 0.15, 1000), 0.01, 0.99)  # leans to 1
    model = np.column_stack([1 - signal, signal])
    gold = np.where(rng.random(1000) < 0.1, truth, -1)
    shifted = shift_to_uncovered_balance(model, gold, covered)
    np.testing.assert_array_equal(shifted[covered], model[covered])
    before = (model[~covered].argmax(axis=1) == truth[~covered]).mean()
    after = (shifted[~covered].argmax(axis=1) == truth[~covered]).mean()
    assert after > before + 0.05
    assert abs(shifted[~covered, 1].mean() - truth[~covered].mean()) < 0.1

    view, name, _ = uncovered_view({"model": model}, gold, covered)
    assert name == "model" and np.array_equal(view, shifted)  # it knows something
    noise = np.clip(rng.normal(0.5, 0.2, 1000), 0.01, 0.99)  # knows nothing of the truth
    useless = np.column_stack([noise, 1 - noise])
    view, name, scores = uncovered_view({"useless": useless}, gold, covered)
    assert name == "class balance" and scores["class balance"] > scores["useless"]
    both = uncovered_view({"useless": useless, "model": model}, gold, covered)
    assert both[1] == "model" and np.array_equal(both[0], shifted)
    assert (view[~covered].argmax(axis=1) == 0).all()  # the uncovered rows' commonest class


def test_analysis_names_weak_classes_and_the_rows_worth_labelling() -> None:
    votes = np.array(
        [[0, -1], [0, -1], [0, -1], [0, 1], [-1, -1], [-1, -1], [0, -1], [0, -1], [-1, 1]]
    )
    gold = np.array([0, 0, 1, -1, -1, -1, 2, 2, -1])  # the 0-rule is wrong on half its gold
    final = np.full((9, 3), 1 / 3)
    final[3] = [0.5, 0.4, 0.1]  # conflicting rules, fairly sure
    final[4] = [0.9, 0.05, 0.05]  # no rule, sure
    final[5] = [0.4, 0.3, 0.3]  # no rule, unsure
    texts = [f"text {n}\nline" for n in range(9)]
    found = analyse(votes, gold, final, ["a", "b", "c"], [None] * 9, texts)
    by_class = {entry["class"]: entry for entry in found["classes"]}
    assert by_class["c"]["rules"] == 0 and by_class["c"]["problem"] == "no rule votes it"
    assert by_class["a"]["accuracy"] == 0.4 and "right on 40%" in by_class["a"]["problem"]
    assert by_class["b"]["recall"] == 0.0
    assert {w["class"] for w in found["weak_classes"]} == {"a", "c"}  # b: one labelled row
    picked = found["rows_to_label"]
    assert [r["row"] for r in picked] == [5, 3, 4]  # unlabelled, uncertain first; row 8 agrees
    assert picked[1]["why"] == "rules disagree" and picked[0]["why"] == "no rule fires"
    assert picked[0]["text"] == "text 5 line" and picked[0]["guess"] == "a"
