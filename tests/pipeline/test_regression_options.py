"""Regression scans with --model, the model cache and --text-model; the regression headline; the
flag limit fitted to the scores (delivery times with known wrong values injected)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import databugs
from databugs.detectors.regression import flag_limit
from databugs.models.regression import EMBEDDING_REGRESSOR
from tests.conftest import run
from tests.pipeline.test_regression import WRONG, deliveries


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("deliveries") / "deliveries.csv"
    deliveries()[0].to_csv(path, index=False)
    return path


def test_model_names_a_regressor_and_refuses_a_classifier(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "ridge"
    result = run("scan", data, "--label", "minutes", "--id", "order", "--model", "ridge",
                 "--out", out, "-q")  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert [m["name"] for m in report["models"]] == ["ridge"] and report["regression"]["model"]
    refused = run(
        "scan", data, "--label", "minutes", "--model", "logistic", "--out", tmp_path / "x"
    )
    assert refused.exit_code == 2 and len(refused.stderr.strip().splitlines()) <= 2
    assert "--model logistic is a classifier, and a regression scan fits regressors" in (
        refused.stderr
    )
    assert "hist-gradient-boosting, extra-trees, ridge" in refused.stderr
    classes = run("scan", data, "--label", "weather", "--model", "ridge", "--out", tmp_path / "y")
    assert classes.exit_code == 2 and "--model ridge is a regressor" in classes.stderr
    assert "logistic" in classes.stderr and not (tmp_path / "x").exists()
    assert "ridge" in run("scan", "--help").output


def test_a_second_regression_scan_reuses_the_predictions(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "r"
    first = run("scan", data, "--label", "minutes", "--out", out, "-q")
    assert first.exit_code == 0, first.output
    before = (out / "corrected_labels.csv").read_bytes()
    issues = json.loads((out / "report.json").read_text())["issues"]

    def no_fitting(*args, **kwargs):
        raise AssertionError("the regressors were fitted again")

    monkeypatch.setattr("databugs.pipeline.fit.out_of_fold_predictions", no_fitting)
    # another gate: the report is scanned again, the predictions come from the cache
    second = run("scan", data, "--label", "minutes", "--out", out, "-q", "--fail-on", "rows<1")
    assert second.exit_code == 0, second.output
    assert (out / "corrected_labels.csv").read_bytes() == before
    assert json.loads((out / "report.json").read_text())["issues"] == issues


def test_text_model_embeddings_are_one_more_regressor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notes name the weather; a stand-in for the sentence model embeds each word."""
    frame, _ = deliveries()
    notes = frame.weather.map({"dry": "clear sky", "rain": "wet roads", "snow": "heavy snow"})
    frame = frame.drop(columns="weather").assign(note=notes + " order " + frame.order)
    words = sorted({word for text in frame.note for word in text.split()})

    def embed(texts, model, **kwargs) -> np.ndarray:
        vectors = np.array([[word in text.split() for word in words] for text in texts], float)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    monkeypatch.setattr("databugs.pipeline.fit.embed_texts", embed)
    report = databugs.scan(frame, label="minutes", text=["note"], text_model=str(tmp_path))
    assert EMBEDDING_REGRESSOR in [m["name"] for m in report.models]
    assert report.options["text_model"] == str(tmp_path)
    assert not any("--text-model was not used" in note for note in report.notes)


def test_the_headline_says_how_many_values_are_near_their_prediction(
    data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "r"
    result = run("scan", data, "--label", "minutes", "--out", out, "--format", "plain")
    summary = json.loads((out / "report.json").read_text())["summary"]
    flagged, labelled = summary["label_issues"], summary["labelled"]
    assert summary["label_health"] == pytest.approx(1 - flagged / labelled, abs=1e-6)
    share = f"{summary['label_health']:.1%} of values near their prediction"
    miss = f"median miss {summary['median_residual']:.4g}"
    assert f"{share} ({miss}) ({flagged} likely wrong values of {labelled})" in result.output
    assert "label health" not in result.output
    assert share.capitalize() in (out / "report.md").read_text()
    html = (out / "report.html").read_text()
    assert "values near their prediction" in html and "median miss" in html


def test_the_flag_limit_follows_the_data() -> None:
    """Normal errors: the 10 wrong values and at most a few extremes of the right ones; in 47
    rows, the two values 3 sd off and no other, the limit said in the notes; normal errors
    alone, nothing."""
    rng = np.random.default_rng(0)
    normal = np.abs(rng.normal(0, 1, 2000)) / 0.6745
    normal[:10] = rng.uniform(12, 30, 10)
    flagged = set(np.flatnonzero(normal >= flag_limit(normal)))
    assert flagged >= set(range(10)) and len(flagged) <= 13
    frame, clean = deliveries(47)
    frame["minutes"] = clean
    frame.loc[[5, 30], "minutes"] += 3 * clean.std()
    report = databugs.scan(frame, label="minutes", task="regression")
    assert set(report.rows.index[report.rows.is_label_issue]) == {5, 30}
    limit = report.regression["flag_limit"]
    assert limit >= 4 and f"values are flagged from {limit:.1f} times" in report.notes[0]
    assert flag_limit(np.abs(rng.normal(0, 1, 2000)) / 0.6745) == math.inf


def test_skewed_prices_get_a_flag_limit_per_side(shared_dataset) -> None:
    """House prices (2,000 of pmlb 574), 5% given another house's price as in
    benchmarks/regression.py: right prices far above their prediction are many more than a
    tail fitted on both sides expects (one limit: 62 flags, 19 of them wrong values, and
    accepting them raised the error to the true prices from 2166 to 3965)."""
    frame = shared_dataset("reg_pmlb_574_house_16H").sample(2000, random_state=0)
    clean = frame["label"].to_numpy(dtype=float)
    rng = np.random.default_rng(0)
    noisy = clean.copy()
    swapped = rng.choice(2000, 100, replace=False)
    noisy[swapped] = clean[rng.choice(2000, 100)]
    report = databugs.scan(frame.assign(label=noisy), label="label", task="regression")
    flagged = report.rows.is_label_issue.to_numpy()
    fixed = np.where(flagged, pd.to_numeric(report.rows.suggested_label), noisy)
    assert np.abs(fixed - clean).mean() < np.abs(noisy - clean).mean()
    assert 0 < flagged.sum() <= 2 * (flagged & (noisy != clean)).sum()
    limits = report.regression["flag_limits"]
    assert limits["below"] is None and report.regression["flag_limit"] == limits["above"]
    assert report.notes[0].startswith(f"values above their prediction are flagged from "
                                      f"{limits['above']:.1f} times")  # fmt: skip
    assert "none below it" in report.notes[0]


def test_accepting_the_flags_lowers_the_error_on_real_looking_data() -> None:
    frame, clean = deliveries(600, seed=3)
    report = databugs.scan(frame, label="minutes", task="regression")
    rows = report.rows
    flagged = rows.is_label_issue.to_numpy()
    given = frame.minutes.to_numpy()
    fixed = np.where(flagged, pd.to_numeric(rows.suggested_label, errors="coerce"), given)
    assert set(np.flatnonzero(flagged)) >= {row for row in WRONG if row < 600}
    assert np.abs(fixed - clean).mean() < np.abs(given - clean).mean() / 3
