"""``indistinct_tags``: a multi-label scan whose models cannot tell the tags apart.

One-tag flips planted into the given tags (the plantings that choose the row score,
``models.multilabel``) are ranked no better than chance anywhere: then no tag set is flagged
(cleanlab's filter flagged 96-100% of cal500's rows, 174 tags), and this one finding says why.
"""

from __future__ import annotations

import numpy as np

from databugs.data.task import MULTILABEL
from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.registry import register
from databugs.models.multilabel import PLANTED_SHARE


@register
class IndistinctTags(Detector):
    name = "indistinct_tags"
    description = "tag sets the models cannot tell apart: no row can be flagged on their word"
    tasks = (MULTILABEL,)

    def detect(self, context: Context) -> list[Issue]:
        analysis = context.tags
        if analysis.scores.flag_cut > -np.inf:
            return []
        ap = analysis.scores.planted_ap
        return [
            Issue(
                kind=self.name,
                row=None,
                severity=0.5,
                message=f"the models cannot tell these tags apart: one-tag flips planted in "
                f"{PLANTED_SHARE:.0%} of the rows rank at average precision {ap:.2f} (at random "
                f"{PLANTED_SHARE:.2f}), so no tag set is flagged",
                details={"planted_ap": round(float(ap), 6), "planted_share": PLANTED_SHARE},
            )
        ]
