"""Rows whose tag set is likely wrong (multi-label data), with the tags to add and remove.

cleanlab's multi-label confident learning flags the rows and scores them
(``models.multilabel``); the suggestion flips the one tag whose given value the out-of-fold
evidence contradicts most surely, written in the column's own form. A flagged row with no such
tag is reported without a suggestion: the set looks unlikely, but no single tag is surely
wrong. Flags are kept only within the lowest-quality rows where flips planted into the data
are found well above chance (``models.multilabel.flag_cut``); where no such rows exist,
``indistinct_tags`` says so instead.
"""

from __future__ import annotations

import numpy as np

from databugs.data.tags import written_correction
from databugs.data.task import MULTILABEL
from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.registry import register
from databugs.models.multilabel import suggest_change
from databugs.models.scoring import severity


@register
class TagIssues(Detector):
    name = "tag_issue"
    description = "rows whose tag set is likely wrong, with the tags to add or remove"
    flags_labels = True
    tasks = (MULTILABEL,)

    def detect(self, context: Context) -> list[Issue]:
        analysis = context.tags
        sets, issues = analysis.sets, []
        for position in np.flatnonzero(analysis.flagged):
            change = suggest_change(sets.matrix[position], int(position), analysis.oof)
            added = [sets.tags[t] for t in change.add]
            removed = [sets.tags[t] for t in change.remove]
            wanted = [
                t
                for t, on in zip(sets.tags, change.applied(sets.matrix[position]), strict=True)
                if on
            ]
            row = int(sets.labelled[position])
            suggested = (
                written_correction(sets, int(position), wanted) if added or removed else None
            )
            issues.append(
                Issue(
                    kind=self.name,
                    row=row,
                    severity=severity(float(analysis.quality[position])),
                    message=_message(added, removed),
                    given_label=context.labels[row],
                    suggested_label=suggested,
                    details={
                        "add": added,
                        "remove": removed,
                        "probabilities": _shown(
                            sets.tags,
                            analysis.oof.probabilities[position],
                            wanted,
                            sets.matrix[position],
                        ),
                    },
                )
            )
        return issues


def _message(added: list[str], removed: list[str]) -> str:
    if not added and not removed:
        return "this tag set is unlikely for the row, but no single tag is surely wrong"
    parts = [f"add {', '.join(map(repr, added))}" if added else ""]
    parts.append(f"remove {', '.join(map(repr, removed))}" if removed else "")
    return "the model finds a tag wrong here: " + "; ".join(p for p in parts if p)


def _shown(
    tags: list[str], probabilities: np.ndarray, wanted: list[str], given: np.ndarray
) -> dict:
    """P(tag) of the tags given or suggested: the evidence, without every absent tag."""
    return {
        tag: round(float(p), 4)
        for tag, p, on in zip(tags, probabilities, given, strict=True)
        if on or tag in wanted
    }
