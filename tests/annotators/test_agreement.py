"""Agreement between annotators: published worked examples, and which rows count."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import databugs
from databugs.annotators.agreement import (
    MISSING,
    _fleiss_from_counts,
    cohen_kappa,
    krippendorff_alpha,
    pairwise_kappas,
)
from databugs.render import markdown


def test_alpha_matches_krippendorffs_worked_example() -> None:
    """Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal: 0.743."""
    n = 0  # not coded
    coders = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
    ]
    matrix = np.array(coders).T - 1  # classes 0..4, -1 missing
    assert round(krippendorff_alpha(matrix, 5), 3) == 0.743


def test_fleiss_kappa_matches_the_worked_example() -> None:
    """Fleiss (1971) as worked on Wikipedia: 10 items, 14 raters, 5 categories: 0.210."""
    counts = np.array(
        [
            [0, 0, 0, 0, 14],
            [0, 2, 6, 4, 2],
            [0, 0, 3, 5, 6],
            [0, 3, 9, 2, 0],
            [2, 2, 8, 1, 1],
            [7, 7, 0, 0, 0],
            [3, 2, 6, 3, 0],
            [2, 5, 3, 2, 2],
            [6, 5, 2, 1, 0],
            [0, 2, 2, 3, 7],
        ]
    )
    assert round(_fleiss_from_counts(counts), 3) == 0.210


def test_cohen_kappa_matches_the_worked_example() -> None:
    """50 items: both yes 20, yes/no 5, no/yes 10, both no 15: kappa 0.4."""
    first = np.array([1] * 25 + [0] * 25)
    second = np.array([1] * 20 + [0] * 5 + [1] * 10 + [0] * 15)
    assert round(cohen_kappa(first, second), 3) == 0.400


def test_annotations_of_unlabelled_rows_count_for_agreement(annotated_csv: Path) -> None:
    data = pd.read_csv(annotated_csv, dtype=str, keep_default_na=False)
    data.loc[:59, "label"] = ""
    data["ann_d"] = ""
    data.loc[:59, "ann_d"] = data.loc[:59, "ann_a"]  # only labelled rows nobody else labelled
    full = databugs.scan(pd.read_csv(annotated_csv, dtype=str), annotators=["ann_a", "ann_c"])
    report = databugs.scan(data, annotators=["ann_a", "ann_c", "ann_d"], jobs=1)
    assert report.annotators[-1]["name"] == "ann_d" and report.annotators[-1]["quality"] is None
    cohen = report.agreement["cohen_kappa"]["ann_a"]["ann_c"]
    assert cohen == full.agreement["cohen_kappa"]["ann_a"]["ann_c"]  # all 240 rows count
    row = next(line for line in markdown.render(report).splitlines() if "| ann\\_d |" in line)
    assert "n/a" in row  # no quality for an annotator of unlabelled rows only


def test_pairwise_kappas_match_cohen_kappa_pair_by_pair() -> None:
    rng = np.random.default_rng(0)
    matrix = rng.integers(-1, 3, size=(120, 5))
    matrix[:, 3] = np.where(matrix[:, 2] >= 0, matrix[:, 2], MISSING)  # a copy: kappa 1
    matrix[:, 4] = MISSING
    matrix[0, 4] = 1  # one item in common with anyone: no kappa
    kappas = pairwise_kappas(matrix, 3)
    for a in range(5):
        for b in range(5):
            expected = cohen_kappa(matrix[:, a], matrix[:, b])
            assert np.isclose(
                kappas[a, b], np.nan if expected is None else expected, equal_nan=True
            )
    assert kappas[2, 3] == 1.0 and np.isnan(kappas[0, 4])
