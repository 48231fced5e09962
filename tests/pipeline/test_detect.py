"""The detect stage on clean data: no dataset-level detector reports anything."""

from __future__ import annotations

import pytest

import databugs
from tests.conftest import _kinds, make_blobs_table


@pytest.fixture(scope="module")
def clean_report() -> databugs.Report:
    return databugs.scan(make_blobs_table(rows=300, seed=3), jobs=1)


@pytest.mark.parametrize(
    "kind",
    [
        "class_imbalance",
        "rare_class",
        "missing_class",
        "label_spelling",
        "conflicting_duplicates",
        "near_duplicates",
        "confusable_classes",
        "empty_cells",
        "mixed_types",
    ],
)
def test_clean_data_has_no_dataset_findings(clean_report: databugs.Report, kind: str) -> None:
    assert _kinds(clean_report, kind) == []
    assert clean_report.summary["counts"][kind] == 0
