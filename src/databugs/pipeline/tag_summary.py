"""A multi-label scan's summary figures, its per-tag table and its notes, with the names and
fields of a classification scan's (so that the gate, report.json and the renderers read them
alike): a tag is reported where a class would be."""

from __future__ import annotations

from typing import Any

import numpy as np

from databugs.detectors.base import Context, Issue
from databugs.detectors.label_issues import LabelIssues
from databugs.detectors.registry import all_detectors
from databugs.detectors.tag_issues import TagIssues
from databugs.pipeline.summary import flagged_labels, issue_counts
from databugs.text import count


def tag_summary(context: Context, issues: list[Issue]) -> dict[str, Any]:
    """``rows``, ``labelled``, ``unlabelled``, ``classes`` (the tags), label health (the mean
    quality of the tag sets, the rows flagged), each multi-label detector's figures,
    ``model_accuracy`` (out-of-fold, per tag at 0.5, the mean over tags) and
    ``min_class_count`` (the rarest tag's rows) and ``row_score``, how the tag sets were scored
    (``models.multilabel.ROW_SCORES``)."""
    sets = context.tags.sets
    flags = [issue for issue in issues if issue.kind == TagIssues.name]
    figures: dict[str, Any] = LabelIssues.figures(context, flags)  # label health, over tag sets
    for detector in all_detectors().values():
        if context.task in detector.tasks:
            figures |= detector.figures(context, [i for i in issues if i.kind == detector.name])
    return {
        "rows": len(context.labels),
        "labelled": len(sets.labelled),
        "unlabelled": len(context.labels) - len(sets.labelled),
        "classes": len(sets.tags),
        **figures,
        "model_accuracy": round(float(np.mean(_predicted(context) == (sets.matrix > 0))), 6),
        "min_class_count": int(sets.counts().min()),
        "row_score": context.tags.row_score,
        "counts": issue_counts(issues),
    }


def tag_table(context: Context, issues: list[Issue]) -> list[dict[str, Any]]:
    """Per tag: rows carrying it, share, the mean health of those rows, the out-of-fold
    model's recall of the tag and the flagged rows among them."""
    sets = context.tags.sets
    flagged = flagged_labels(context, issues)
    predicted = _predicted(context)
    table = []
    for index, name in enumerate(sets.tags):
        members = sets.matrix[:, index] > 0
        count = int(members.sum())
        table.append(
            {
                "label": name,
                "count": count,
                "share": round(count / max(len(members), 1), 6),
                "label_health": round(float(context.label_health_scores[members].mean()), 6)
                if count
                else 1.0,
                "recall": round(float(predicted[members, index].mean()), 6) if count else 0.0,
                "flagged": int(flagged[members].sum()),
            }
        )
    return table


ROW_SCORE_WORDS = {
    "softmin": "their least believed tag",
    "ratio_soft": "their least believed tag, each tag's belief against its usual one",
    "ratio0_soft": "their least believed tag, a missing tag's belief against its usual one",
}
"""How each of ``models.multilabel.ROW_SCORES`` ranks tag sets, in words."""


def tag_notes(context: Context, settled: frozenset[int]) -> list[str]:
    """What the user should know about how a multi-label scan went."""
    words = ROW_SCORE_WORDS[context.tags.row_score]
    notes = [
        f"tag sets are ranked by {words} ({context.tags.row_score}: it found one-tag flips "
        "planted in this data best)"
    ]
    unlabelled = len(context.labels) - len(context.labelled)
    if unlabelled:
        notes.append(f"{count(unlabelled, 'row')} without tags (an empty cell): not scored")
    if settled:
        notes.append(
            f"not flagged again: {count(len(settled), 'row')} rejected in databugs-decisions.csv"
        )
    return notes


def _predicted(context: Context) -> np.ndarray:
    """Out-of-fold tag decisions: a tag is predicted where its probability reaches 0.5."""
    return context.tags.oof.probabilities >= 0.5
