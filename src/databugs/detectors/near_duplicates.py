"""Nearly identical rows with different labels.

Text: cosine similarity of at least 0.95 between the rows' word vectors (each word present
counts once, see ``similarity.word_vectors``). They are hashed, so rare words count (TF-IDF's
vocabulary would drop them and make "What are the Urals ?" equal to "What are the Poconos ?"),
and words rather than character n-grams cost a quarter of the time. 0.95 lets one word in
twenty differ; at 0.9, short questions such as "What is the largest snake in the world ?" and
"What ocean is the largest in the world ?" were joined.

Pairs are found without an all-pairs loop by random-hyperplane hashing: 16 bands of 12 bits
find a pair at cosine 0.95 with probability 0.995 (0.93 at 0.9). Within a bucket each row is
linked to the bucket's first row and to its neighbour, and every link is checked exactly; rows
with identical text are hashed once.

Rows are compared whole: texts near copies and every other used column equal once numbers are
rounded to 2 significant digits (a table: the rounded columns alone). Groups whose rows are
exact copies of each other are left to ``conflicting_duplicates``; a row whose own label the
model finds likelier than the group's majority is not relabelled, and a group with no row to
relabel is no finding (the model tells its rows apart).
"""

from __future__ import annotations

from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.content import by_chance, conflicting_groups, content_hashes, group_issues
from databugs.detectors.registry import register
from databugs.detectors.similarity import ROUND_DIGITS, near_copy_groups

SEVERITY = 0.7
MIN_COSINE = 0.95


@register
class NearDuplicates(Detector):
    name = "near_duplicates"
    needs = ("model",)
    description = (
        "nearly identical rows (text cosine >= 0.95 and the other columns equal after "
        "rounding) with different labels"
    )

    def __init__(self, *, min_cosine: float = MIN_COSINE) -> None:
        self.min_cosine = min_cosine

    def detect(self, context: Context) -> list[Issue]:
        exact = content_hashes(context)
        groups = near_copy_groups(context, context.labelled, min_cosine=self.min_cosine)
        near = conflicting_groups(context, [g for g in groups if len(set(exact[g])) > 1])
        chance = by_chance(context, near, round_numbers=ROUND_DIGITS)
        return group_issues(
            self.name,
            context,
            [group for group, explained in zip(near, chance, strict=True) if not explained],
            severity=SEVERITY,
            what="near copies",
            clear_by=0.0,
            drop_unchanged=True,
        )
