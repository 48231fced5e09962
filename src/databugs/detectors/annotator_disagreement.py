"""Rows the annotators split on and whose consensus is weak: a person should look again.

A row is reported when at least two annotators labelled it, they did not all agree, and
CROWDLAB's consensus quality (annotator agreement weighed with the annotators' quality and the
model's out-of-fold probabilities) is below 0.35: the consensus may well be wrong (on
simulated annotators of digits, 48 such rows held 10 of the 15 wrong consensus labels; below
0.5, 245 rows).
"""

from __future__ import annotations

from databugs.annotators import MISSING
from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.registry import register

MAX_QUALITY = 0.35


@register
class AnnotatorDisagreement(Detector):
    name = "annotator_disagreement"
    description = "rows annotators disagree on whose consensus label is uncertain"

    def __init__(self, *, max_quality: float = MAX_QUALITY) -> None:
        self.max_quality = max_quality

    def detect(self, context: Context) -> list[Issue]:
        analysis = context.annotators
        if analysis is None:
            return []
        issues = []
        for position, row in enumerate(context.labelled):
            given = analysis.matrix[position]
            labelled = given[given != MISSING]
            quality = analysis.consensus_quality[position]
            if len(labelled) < 2 or len(set(labelled)) == 1 or not quality < self.max_quality:
                continue
            votes = {
                name: context.classes[label]
                for name, label in zip(analysis.names, given, strict=True)
                if label != MISSING
            }
            consensus = context.classes[analysis.consensus[position]]
            shown = ", ".join(f"{name}: {label!r}" for name, label in votes.items())
            issues.append(
                Issue(
                    kind=self.name,
                    row=int(row),
                    severity=float(1 - quality),
                    given_label=context.labels[row],
                    suggested_label=consensus,
                    message=f"annotators split ({shown}); consensus {consensus!r} with "
                    f"quality {quality:.2f}",
                    details={"annotations": votes, "consensus_quality": round(float(quality), 6)},
                )
            )
        return issues
