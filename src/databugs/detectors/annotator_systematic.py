"""Annotators who systematically use one class where the others use another.

For each annotator and each consensus class X they labelled at least 5 times, the share of X
rows they labelled Y is compared with the same share over the other annotators. A share of at
least 25% that is also at least three times the others' (plus 10 points) is a habit, not noise:
the guideline for X versus Y needs a sentence, or the annotator a word.
"""

from __future__ import annotations

import numpy as np

from databugs.annotators.consensus import MIN_ROWS_FOR_CONFUSION
from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.registry import register

MIN_SHARE = 0.25


@register
class AnnotatorSystematic(Detector):
    name = "annotator_systematic"
    needs = ("annotators",)
    description = "annotators who use one class where the others use another"

    def __init__(self, *, min_share: float = MIN_SHARE) -> None:
        self.min_share = min_share

    def detect(self, context: Context) -> list[Issue]:
        analysis = context.annotators
        confusions = analysis.confusions.astype(float)
        issues = []
        for index, name in enumerate(analysis.names):
            own = confusions[index]
            others = confusions.sum(axis=0) - own
            own_rows, other_rows = own.sum(axis=1), others.sum(axis=1)
            own_share = _shares(own, own_rows)
            other_share = _shares(others, other_rows)
            habit = (
                (own_share >= self.min_share)
                & (own_share >= 3 * other_share + 0.1)
                & (own_rows[:, None] >= MIN_ROWS_FOR_CONFUSION)
            )
            np.fill_diagonal(habit, False)
            for given, chosen in zip(*np.nonzero(habit), strict=True):
                x, y = context.classes[given], context.classes[chosen]
                share, base = own_share[given, chosen], other_share[given, chosen]
                issues.append(
                    Issue(
                        kind=self.name,
                        row=None,
                        severity=float(share - base),
                        given_label=y,
                        suggested_label=x,
                        group=f"{name}:{x}->{y}",
                        message=f"{name} labels {x!r} as {y!r} in {share:.0%} of the "
                        f"{int(own_rows[given])} {x!r} rows they labelled (others: {base:.0%})",
                        details={
                            "annotator": name,
                            "consensus_label": x,
                            "used_label": y,
                            "share": round(float(share), 6),
                            "others_share": round(float(base), 6),
                        },
                    )
                )
        return issues


def _shares(counts: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Row-normalised counts; zero where a class has no rows."""
    return np.divide(counts, totals[:, None], out=np.zeros_like(counts), where=totals[:, None] > 0)
