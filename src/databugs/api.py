"""The Python API: one function per job, each a straight call into its room.

``scan(data, label=...)`` returns a :class:`~databugs.notebook.Report`; ``label``
labels rows from rules; ``next_rows`` picks rows to label next; ``fix`` applies a scan's
corrections. None of them prints or exits; problems raise :class:`DatabugsError`, whose
messages name options as Python parameters (``folds=1``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from databugs.active.tasks import next_rows
from databugs.corrections.apply import fix_data as fix
from databugs.errors import DatabugsError, ErrorCode
from databugs.notebook import Report
from databugs.pipeline.options import recorded_options
from databugs.weak.labelling import label_data as label

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as work advances, e.g. once per fold."""


def scan(
    data: pd.DataFrame | str | os.PathLike[str],
    *,
    label: str | None = None,
    task: str = "auto",
    label_sep: str = ";",
    labels: Sequence[str] | None = None,
    test: pd.DataFrame | str | os.PathLike[str] | None = None,
    split_col: str | None = None,
    id: str | None = None,
    text: Sequence[str] = (),
    ignore: Sequence[str] = (),
    annotators: Sequence[str] = (),
    annotator_col: str | None = None,
    gold: str | os.PathLike[str] | None = None,
    classes: Sequence[str] | str | None = None,
    folds: int = 5,
    model: str = "auto",
    text_model: str | None = None,
    seed: int = 0,
    fail_on: str | None = None,
    baseline: str | os.PathLike[str] | None = None,
    jobs: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    progress: Progress | None = None,
    detectors: Sequence[str] | None = None,
    detector_settings: Mapping[str, Mapping[str, Any]] | None = None,
    cache: str | os.PathLike[str] | None = None,
) -> Report:
    """Find data bugs in a labelled table; ``report.to_dict()`` is the content of report.json.

    ``data`` is a DataFrame or a ``.csv``/``.tsv``/``.parquet``/``.jsonl`` file (then the
    decisions ``databugs fix`` recorded beside it are honoured). ``label`` defaults to the one
    column named label/labels/target/class/y; ``task``: ``auto`` (from that column; the report
    says why), ``classification``, ``regression`` or ``multilabel`` (tags joined by
    ``label_sep``, or the 0/1 columns ``labels``). ``test`` (a table) or ``split_col`` (a column
    naming train/valid/test) give the splits. ``id`` is a unique key per row, carried into
    every output; ``text`` and ``ignore`` name free-text columns and columns to leave out.
    ``annotators`` (wide: a column per annotator) or ``annotator_col`` (long: items keyed by
    ``id``) add agreement figures, an annotator ranking and consensus labels (with no feature
    column, from the answers alone: no model is fitted); ``gold`` is a file of items' true
    labels (``id`` and ``label`` columns; or a ``gold`` column in the data). ``classes`` are the
    classes the data should have. ``folds``, ``model`` (``auto``), ``seed``, ``jobs``: the
    cross-validation. ``text_model`` (a sentence-embedding model folder, or ``all-MiniLM-L6-v2``
    with the ``embeddings`` extra) feeds a second model beside TF-IDF. ``engine``/``scheduler``:
    ``"local"``, or ``"dask"`` on the scheduler at ``scheduler`` (a LocalCluster when None).
    ``fail_on`` holds CI gate rules (``"label_issues>2%"``; result in ``report.gate``),
    ``baseline`` an earlier report.json (``report.comparison``). ``progress(stage, done,
    total)`` is called as work advances. ``detectors`` names the detectors to run (default all),
    ``detector_settings`` their settings (``{"label_issue": {"min_gain": 0.3}}``). ``cache`` is
    a folder that keeps out-of-fold probabilities between scans of unchanged data.
    """
    from databugs.pipeline.scan import scan as run_scan

    classes = _checked(data, classes)
    options = recorded_options(locals())  # the parameters report.json records, by name
    where = {"jobs": jobs, "engine": engine, "scheduler": scheduler, "progress": progress}
    report = run_scan(data, options, **where, detectors=detectors, cache=cache, test=test)
    return Report.of(report)


def _checked(data: object, classes: Sequence[str] | str | None) -> Sequence[str] | None:
    """The declared classes as a list (``"ham,spam"``, the command line's spelling, split), once
    ``data`` is known to be a DataFrame or a file's path: anything else is one clear error."""
    if isinstance(classes, str):
        classes = [name.strip() for name in classes.split(",") if name.strip()]
    if not isinstance(data, pd.DataFrame | str | os.PathLike):
        raise DatabugsError(
            f"data is a {type(data).__name__}: give a DataFrame or a file's path",
            code=ErrorCode.BAD_OPTION,
            hint="a Series or an array: pd.DataFrame(...) with a label column",
        )
    return classes


__all__ = ["fix", "label", "next_rows", "scan"]
