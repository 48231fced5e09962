"""Rows where the annotators disagree: with the label in use, or among themselves.

A row is reported when its label differs from the annotators' consensus (the suggestion is the
consensus; ``fix --accept-consensus`` takes them all), or when at least two annotators labelled
it, they did not all agree, and CROWDLAB's consensus quality (annotator agreement weighed with
the annotators' quality and the model's out-of-fold probabilities) is below 0.35: the consensus
may well be wrong. On simulated annotators of digits, the 48 rows below 0.35 held 10 of the 15
wrong consensus labels; below 0.5 there were 245 rows.
"""

from __future__ import annotations

from databugs.annotators.agreement import MISSING
from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.registry import register

MAX_QUALITY = 0.35


@register
class AnnotatorDisagreement(Detector):
    name = "annotator_disagreement"
    needs = ("annotators",)
    description = (
        "rows whose label the annotators' consensus overrules, or that annotators split on "
        "with an uncertain consensus"
    )

    def __init__(self, *, max_quality: float = MAX_QUALITY) -> None:
        self.max_quality = max_quality

    def detect(self, context: Context) -> list[Issue]:
        analysis = context.annotators
        issues = []
        for position, row in enumerate(context.labelled):
            given = analysis.matrix[position]
            labelled = given[given != MISSING]
            quality = analysis.consensus_quality[position]
            if analysis.consensus[position] == MISSING:
                continue
            overruled = analysis.consensus[position] != context.targets[position]
            split = len(labelled) >= 2 and len(set(labelled)) > 1 and quality < self.max_quality
            if not (overruled or split):
                continue
            votes = {
                name: context.classes[label]
                for name, label in zip(analysis.names, given, strict=True)
                if label != MISSING
            }
            consensus = context.classes[analysis.consensus[position]]
            shown = ", ".join(f"{name}: {label!r}" for name, label in votes.items())
            what = (
                f"the annotators' consensus is {consensus!r}" if overruled else "annotators split"
            )
            issues.append(
                Issue(
                    kind=self.name,
                    row=int(row),
                    # a confident consensus against the label is worse than a weak one
                    severity=float(quality if overruled else 1 - quality),
                    given_label=context.labels[row],
                    suggested_label=consensus,
                    message=f"{what} ({shown}); consensus {consensus!r} with quality {quality:.2f}",
                    details={"annotations": votes, "consensus_quality": round(float(quality), 6)},
                )
            )
        return issues
