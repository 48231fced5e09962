"""The multi-label detectors on a small tagged table, with an uninformed model (each tag as
likely as its share): spelling variants of tags, rare and dominant tags, copies with
different tag sets; and no classification detector reading tags."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from databugs.data.io import LoadedTable
from databugs.data.task import MULTILABEL, REGRESSION, TaskChoice
from databugs.detectors.conflicting_tag_duplicates import ConflictingTagDuplicates
from databugs.detectors.registry import all_detectors
from databugs.detectors.tag_frequency import RareTags, TagImbalance
from databugs.detectors.tag_spelling import TagSpelling
from databugs.models.multilabel import TagOutOfFold
from databugs.pipeline.multilabel import prepare_multilabel
from databugs.pipeline.multilabel_scan import tag_context
from databugs.pipeline.options import DEFAULTS

OPTIONS = {**DEFAULTS, "label": "tags"}


def context_of(frame: pd.DataFrame):
    table = LoadedTable(frame=frame, path=Path("t.csv"), format="dataframe", sha256="0")
    data = prepare_multilabel(table, OPTIONS, TaskChoice(MULTILABEL, "test", automatic=False))
    share = data.tag_sets.matrix.mean(axis=0)
    uninformed = np.tile(np.clip(share, 0.01, 0.99), (len(data.tag_sets.labelled), 1))
    oof = TagOutOfFold(uninformed, np.full(len(share), np.inf), np.full(len(share), -np.inf), "", 5)
    return tag_context(data, oof, seed=0)


@pytest.fixture
def tagged() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    tags = rng.choice(["billing; refund", "billing", "shipping", "refund; shipping"], 120)
    frame = pd.DataFrame({"amount": rng.normal(50, 10, 120).round(5), "tags": tags})
    frame.loc[[5, 9], "tags"] = ["Billing ; refund", "billing; urgent"]
    frame.loc[[20, 21], "amount"] = 999.0
    frame.loc[[20, 21], "tags"] = ["billing", "billing; refund"]
    return frame


def test_a_tag_spelled_another_way_is_merged_and_respelled(tagged):
    context = context_of(tagged)
    assert "Billing" not in context.tags.sets.tags
    issues = TagSpelling().detect(context)
    assert [(i.row, i.given_label, i.suggested_label) for i in issues] == [
        (5, "Billing ; refund", "billing; refund")
    ]


def test_short_tags_in_another_case_are_one_tag():
    """Keeping the case of two-letter names split ``UI``/``ui`` into two tags (98 false tag
    issues on an issue tracker's labels); ``fold_case=False`` keeps them apart."""
    tags = TagSpelling().merge_tags(["UI"] * 30 + ["ui"] * 10 + ["bug"] * 40)
    assert tags == {"ui": "UI"}
    assert TagSpelling(fold_case=False).merge_tags(["UI"] * 30 + ["ui"] * 10) == {}


def test_rare_and_dominant_tags_are_dataset_findings(tagged):
    context = context_of(tagged)
    assert [i.details["tag"] for i in RareTags().detect(context)] == ["urgent"]
    tagged["tags"] = tagged["tags"] + "; paid"
    context = context_of(tagged)
    assert [i.details["tag"] for i in TagImbalance().detect(context)] == ["paid"]


def test_copies_with_different_tag_sets_get_one_set_in_their_own_form(tagged):
    issues = ConflictingTagDuplicates().detect(context_of(tagged))
    assert sorted(i.row for i in issues) == [20, 21]
    changed = [i for i in issues if i.suggested_label != i.given_label]
    assert len(changed) == 1 and changed[0].suggested_label in ("billing", "billing; refund")


def test_every_detector_says_which_tasks_it_reads():
    kinds = {name: detector.tasks for name, detector in all_detectors().items()}
    tag_kinds = {
        "tag_issue",
        "indistinct_tags",
        "tag_spelling",
        "rare_tag",
        "tag_imbalance",
        "conflicting_tag_duplicates",
    }
    # rows, not classes (or groups of rows: a class's, a tag's): every task
    row_kinds = {"outlier", "mixed_types", "split_leakage", "empty_cells", "split_shift"}
    copies = {"indistinct_rows"}  # equal rows with different classes or tag sets
    assert {name for name, tasks in kinds.items() if MULTILABEL in tasks} == (
        tag_kinds | row_kinds | copies
    )
    assert {name for name, tasks in kinds.items() if REGRESSION in tasks} == row_kinds
    assert all("classification" in kinds[name] for name in row_kinds)
