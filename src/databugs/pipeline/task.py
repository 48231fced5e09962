"""The scan's task kind, chosen before anything about classes is checked.

``--task auto`` looks at the label column (``data.task``); data with several annotators is
always classes (their agreement is about classes).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from databugs.annotators.read import Annotations
from databugs.data.task import AUTO, CLASSIFICATION, TaskChoice, check_task_option, choose_task
from databugs.data.validate import check_columns_exist, label_texts
from databugs.errors import DatabugsError, ErrorCode, given, option


def scan_task(
    frame: pd.DataFrame,
    label_column: str | None,
    annotations: Annotations | None,
    options: dict[str, Any],
    source: str,
) -> TaskChoice:
    """The task this scan runs and why (``label_column`` is None with tag columns)."""
    task = check_task_option(options.get("task", AUTO))
    tag_columns = options.get("labels") or []
    check_columns_exist(frame, tag_columns, named_by="labels", source=source)
    if tag_columns and options.get("label"):
        raise DatabugsError(
            f"{option('labels')} names the tag columns and {given('label', options['label'])} "
            "a label column: give one of them",
            code=ErrorCode.BAD_OPTION,
            hint=f"{option('labels')} a,b,c for 0/1 tag columns, {option('label')} for one column",
        )
    if annotations is not None:
        if task not in (AUTO, CLASSIFICATION) or tag_columns:
            raise DatabugsError(
                f"{given('task', task) if not tag_columns else option('labels')}: data with "
                "several annotators is checked as classes",
                code=ErrorCode.BAD_OPTION,
                hint=f"drop {option('task')} / {option('labels')}, or the annotator columns",
            )
        return TaskChoice(CLASSIFICATION, "several annotators label classes", automatic=True)
    labels = [] if label_column is None else label_texts(frame[label_column])
    return choose_task(
        labels,
        task=task,
        label_sep=options.get("label_sep", ";"),
        tag_columns=tag_columns,
        column=label_column,
        source=source,
    )
