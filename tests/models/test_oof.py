"""Out-of-fold probabilities: folds whose training part lacks a class still give sound results."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import databugs
from tests.conftest import EXAMPLES, run


def test_a_class_with_one_row_does_not_break_the_scan(tmp_path) -> None:
    """Folds whose training part lacks the single spam row fit one class; no bogus overlap."""
    import databugs

    lines = ["text,label"] + [f"hello friend number {n} how are you,ham" for n in range(29)]
    path = tmp_path / "rare.csv"
    path.write_text("\n".join([*lines, "win a free prize now call,spam"]) + "\n")
    report = databugs.scan(path, jobs=1)
    assert report.summary["counts"]["rare_class"] == 1
    assert report.summary["counts"]["confusable_classes"] == 0


@pytest.mark.parametrize("classes", [2, 26, 1000])
def test_classes_of_one_row_each_are_refused_in_one_line(tmp_path: Path, classes: int) -> None:
    """Nothing to learn from: exit 2 with one line, no traceback and nothing written."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"width": rng.normal(size=classes), "height": rng.normal(size=classes)})
    frame["label"] = [f"class {n}" for n in range(classes)]
    path = tmp_path / "singletons.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "report"
    result = run("scan", path, "--out", out, "--jobs", "1", "--format", "plain")
    assert result.exit_code == 2, result.output
    assert "every class has one row" in result.output and "--task regression" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert not out.exists() or not any(out.iterdir())


def test_folds_in_threads_print_no_convergence_warning_and_leave_filters_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each fold's thread used to silence warnings itself: catch_warnings is not thread-safe,
    so a fold that finished restored the filters while another still fitted (its
    ConvergenceWarnings printed) or left "ignore every warning" behind for the process."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    from databugs.data.features import build_features
    from databugs.models import oof

    frame = pd.read_csv(EXAMPLES / "sms_sample.csv")
    features = build_features(frame, exclude=["label", "message_id"])
    labels = pd.factorize(frame["label"])[0]
    # a model that never converges, so that every fold has something to say
    monkeypatch.setattr(oof, "make_model", lambda *_: LogisticRegression(max_iter=1))
    before = list(warnings.filters)
    for seed in range(6):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            oof.out_of_fold_probabilities(
                features.matrix, "text", labels, 2, model="logistic", seed=seed, jobs=2
            )
        assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]
        assert warnings.filters == before


def test_a_test_split_does_not_choose_the_model_that_judges_it() -> None:
    """Two candidates: one fits the training rows' labels, the other the test rows' (as if it
    had learnt the test labels being judged); the weights follow the training rows only."""
    from databugs.models.oof import combine

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 600)
    trained = np.arange(600) < 200
    right, vague = np.full((600, 3), 0.1), np.full((600, 3), 1 / 3)
    right[np.arange(600), labels] = 0.8
    fits_train = np.where(trained[:, None], right, vague)
    fits_test = np.where(trained[:, None], vague, right)
    candidates = np.stack([fits_train, fits_test])
    _, everywhere = combine(["a", "b"], candidates, labels)
    _, on_training = combine(["a", "b"], candidates, labels, trained)
    assert everywhere[1]["weight"] > 0.99  # all rows: the test rows' fit wins
    assert on_training[0]["weight"] > 0.99
    assert on_training[0]["accuracy"] == 1.0


def _note(rows: int, seed: int) -> list[str]:
    """A free-text column of filler words, telling nothing about the label."""
    rng = np.random.default_rng(seed)
    words = [
        "lorem",
        "ipsum",
        "dolor",
        "sit",
        "amet",
        "consectetur",
        "adipiscing",
        "elit",
        "sed",
        "do",
        "the",
        "of",
        "a",
        "and",
    ]
    return [" ".join(rng.choice(words, rng.integers(3, 9))) for _ in range(rows)]


def test_a_free_text_note_beside_a_table_leaves_it_its_table_models() -> None:
    """With any text column the scan fitted text models alone, the numbers as a few scaled
    columns among the words: the letters sample with a note of filler words kept 9 right flags
    of 160 wrong labels (AP 0.45) where without the note it finds 102 (AP 0.91)."""
    letters = pd.read_csv(EXAMPLES / "letters_sample.csv")
    truth = pd.read_csv(EXAMPLES / "letters_sample.truth.csv")["row"]
    noted = databugs.scan(letters.assign(note=_note(len(letters), 1)), label="label", jobs=1)
    flagged = set(np.flatnonzero(noted.rows["is_label_issue"].to_numpy()))
    assert len(flagged & set(truth)) >= 90 and len(flagged & set(truth)) >= 0.85 * len(flagged)
    weights = {entry["name"]: entry["weight"] for entry in noted.models}
    beside = sum(w for name, w in weights.items() if name.endswith("beside the text"))
    assert beside > 0.9 and "sgd+nb" in weights  # the text models were candidates too


def test_a_column_beside_a_text_that_tells_nothing_changes_nothing() -> None:
    sms = pd.read_csv(EXAMPLES / "sms_sample.csv").drop(columns="message_id")
    plain = databugs.scan(sms, label="label", jobs=1)
    noise = np.random.default_rng(0).normal(size=len(sms))
    beside = databugs.scan(sms.assign(score=noise), label="label", jobs=1)
    weights = {entry["name"]: entry["weight"] for entry in beside.models}
    assert "random-forest on the columns beside the text" not in weights  # screened out
    assert sum(w for name, w in weights.items() if name.endswith("beside the text")) < 0.01
    truth = set(pd.read_csv(EXAMPLES / "sms_sample.truth.csv")["row"])
    flags = [set(np.flatnonzero(r.rows["is_label_issue"].to_numpy())) for r in (plain, beside)]
    assert len(flags[1] & truth) >= len(flags[0] & truth) >= 30
    assert len(flags[0] ^ flags[1]) <= 4  # the text models see the number too, as before
