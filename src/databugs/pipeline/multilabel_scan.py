"""A multi-label scan after its first stage: out-of-fold P(tag) in the scan's folds, the tag
analysis, the detectors that read tags, and the report (``assemble``, tags where classes go)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from databugs.data.splits import held_out_rows
from databugs.data.task import MULTILABEL
from databugs.detectors.base import Context, Detector
from databugs.models.engines import Engine
from databugs.models.multilabel import TagOutOfFold, analyse_tags, tag_probabilities
from databugs.pipeline.assemble import assemble
from databugs.pipeline.detect import find_issues
from databugs.pipeline.multilabel import TaggedData
from databugs.report.report import Report


def scan_multilabel(
    data: TaggedData,
    options: dict[str, Any],
    detectors: Sequence[Detector],
    *,
    engine: Engine | None,
    clock: Any,
) -> Report:
    """The report of a multi-label scan (the caller adds the gate and the comparison)."""
    sets = data.tag_sets
    oof = tag_probabilities(
        data.features.matrix[sets.labelled],
        data.features.kind,
        sets.matrix,
        model=data.model,
        folds=data.folds,
        seed=options["seed"],
        engine=engine,
        held_out=held_out_rows(data.splits, sets.labelled),
        table=data.features.table_rows(sets.labelled),
    )
    clock.lap("models_s")
    context = tag_context(data, oof, seed=options["seed"])
    issues = find_issues(detectors, context, data.settled)
    return assemble(data, context, oof, issues, options)


def tag_context(data: TaggedData, oof: TagOutOfFold, *, seed: int) -> Context:
    """What the multi-label detectors read: the tag analysis, and the cells as written."""
    sets = data.tag_sets
    held_out = held_out_rows(data.splits, sets.labelled)
    analysis = analyse_tags(sets, oof, seed=seed, held_out=held_out)
    return Context(
        frame=data.frame,
        label_column=data.columns.label,
        labels=data.labels,
        classes=sets.tags,
        labelled=sets.labelled,
        targets=np.full(len(sets.labelled), -1),  # no single class per row
        probabilities=oof.probabilities,
        label_quality=analysis.quality,
        features=data.features,
        folds=oof.folds,
        canonical=data.canonical,
        task=MULTILABEL,
        seed=seed,
        tags=analysis,
        splits=data.splits,
    )
