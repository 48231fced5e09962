"""What report.html draws beyond the issues: the map of the rows and each flagged row's
nearest labelled rows (``neighbours``), both from the scan's features, both in report.json."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from databugs.data.features import FeatureSet
from databugs.pipeline.embedding import row_vectors
from databugs.pipeline.neighbours import nearest_labelled, neighbour_records
from databugs.pipeline.projection import layout, map_record, map_rows

NEIGHBOUR_PREVIEW = 100
MAP_PREVIEW = 80

Previews = Callable[[Sequence[int], int], dict[int, str]]
"""Rows -> a one-line preview of each, cut to a number of characters."""


def map_and_neighbours(
    features: FeatureSet,
    labelled: np.ndarray,
    rows: pd.DataFrame,
    issue_rows: Sequence[int],
    previews: Previews,
    seed: int,
) -> tuple[dict[str, Any] | None, list[dict[str, Any]] | None]:
    """report.json's ``map`` and ``neighbours``; ``rows`` is the per-row table, ``issue_rows``
    the rows some issue names (kept on the map however many rows there are). Without a usable
    feature (annotators' answers alone) there is no space to draw or search: neither."""
    if not any(use.used_as != "left out" for use in features.columns):
        return None, None
    vectors = row_vectors(features, seed)
    flagged = np.flatnonzero(rows["is_label_issue"].to_numpy())
    given = rows["given_label"].tolist()
    lines = rows["row"].to_numpy()
    found = nearest_labelled(vectors, labelled, flagged)
    near = sorted({n for names in found.values() for n in names})
    neighbours = neighbour_records(found, given, lines, previews(near, NEIGHBOUR_PREVIEW))
    shown = map_rows(len(rows), flagged, seed, named=issue_rows)
    suggested = dict(zip(flagged.tolist(), rows["suggested_label"].iloc[flagged], strict=True))
    points = layout(vectors[shown], seed)
    record = map_record(
        shown, points, given, suggested, lines, previews(shown.tolist(), MAP_PREVIEW)
    )
    return record, neighbours
