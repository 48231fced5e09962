"""Labelling tools' JSON exports read as long annotator data: one line per item and annotator.

Label Studio's JSON export is a list of tasks, each with ``data`` (the item's fields) and
``annotations`` (each with ``completed_by`` and a ``result`` list whose ``choices`` entry holds
the class). Argilla's exported records have ``fields`` and ``responses``: per question a list of
``{"value", "user_id", "status"}`` (Argilla 2), or a list of ``{"user_id", "values", "status"}``
(Argilla 1 feedback datasets). Either becomes the columns ``item_id``, ``annotator``, ``label``
and the item's fields; cancelled, discarded and draft answers are left out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from databugs.errors import DatabugsError, ErrorCode

ITEM, ANNOTATOR, LABEL = "item_id", "annotator", "label"
"""The columns an export becomes (``--id item_id --annotator-col annotator`` by default)."""
LABEL_STUDIO, ARGILLA = "label-studio", "argilla"
EXPORT_FORMATS = (LABEL_STUDIO, ARGILLA)
"""``LoadedTable.format`` of a table read from an export."""
SKIPPED_STATUS = ("discarded", "draft", "pending")


def read_export(path: Path) -> tuple[pd.DataFrame, str]:
    """The long table of a Label Studio or Argilla JSON export, and which one it was."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DatabugsError(
            f"{path}: line {exc.lineno}: not valid JSON", code=ErrorCode.UNREADABLE_FILE
        ) from None
    records = content.get("records", content) if isinstance(content, dict) else content
    if not isinstance(records, list) or not records or not isinstance(records[0], dict):
        raise DatabugsError(
            f"{path}: not a labelling export (a list of tasks or records)",
            code=ErrorCode.UNKNOWN_FORMAT,
            hint="databugs reads Label Studio's JSON export and Argilla's exported records",
        )
    kind = LABEL_STUDIO if "annotations" in records[0] else ARGILLA
    if kind == ARGILLA and "responses" not in records[0]:
        raise DatabugsError(
            f"{path}: record 0 has neither 'annotations' (Label Studio) nor 'responses' (Argilla)",
            code=ErrorCode.UNKNOWN_FORMAT,
        )
    reader = _label_studio_lines if kind == LABEL_STUDIO else _argilla_lines
    lines = [line for index, record in enumerate(records) for line in reader(record, index)]
    if not lines:
        raise DatabugsError(f"{path}: the export holds no answers", code=ErrorCode.EMPTY_FILE)
    return pd.DataFrame(lines).astype("string"), kind


def _label_studio_lines(task: dict[str, Any], index: int) -> list[dict[str, Any]]:
    fields = _fields(task.get("data"))
    lines = []
    for annotation in task.get("annotations") or []:
        if annotation.get("was_cancelled"):
            continue
        choice = next(
            (
                r["value"]["choices"]
                for r in annotation.get("result") or []
                if r.get("type") == "choices" and r.get("value", {}).get("choices")
            ),
            None,
        )
        if choice is None:
            continue
        who = annotation.get("completed_by")
        who = who.get("email", who.get("id")) if isinstance(who, dict) else who
        lines.append(
            {ITEM: task.get("id", index), ANNOTATOR: who, LABEL: ";".join(map(str, choice))}
            | fields
        )
    return lines


def _argilla_lines(record: dict[str, Any], index: int) -> list[dict[str, Any]]:
    fields = _fields(record.get("fields"))
    item = record.get("id", record.get("external_id", index))
    responses = record.get("responses") or {}
    answers: list[tuple[Any, Any, Any]] = []
    if isinstance(responses, dict):  # Argilla 2: question -> [{value, user_id, status}]
        question = next(iter(responses), None)
        for answer in responses.get(question) or []:
            answers.append((answer.get("user_id"), answer.get("value"), answer.get("status")))
    else:  # Argilla 1: [{user_id, values: {question: {value}}, status}]
        for response in responses:
            values = response.get("values") or {}
            first = next(iter(values.values()), {})
            answers.append((response.get("user_id"), first.get("value"), response.get("status")))
    return [
        {ITEM: item, ANNOTATOR: who, LABEL: value} | fields
        for who, value, status in answers
        if value is not None and status not in SKIPPED_STATUS
    ]


def _fields(data: Any) -> dict[str, Any]:
    """The item's fields as columns (nested values as JSON text); none named like ours."""
    if not isinstance(data, dict):
        return {}
    return {
        name: json.dumps(value) if isinstance(value, dict | list) else value
        for name, value in data.items()
        if name not in (ITEM, ANNOTATOR, LABEL)
    }
