"""Label Studio, both ways: ``to_label.json`` (tasks, with the labelling config beside them) and
its JSON export read back, the annotators' labels written into a copy of the data.

A task's ``data`` holds the row's content, its ``--id`` value under the id column's name and
``databugs_row``; the pre-annotation (``predictions``) is the model's guess for a row without a
label, and the current label for a row to label again, so the annotator confirms or changes it.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pandas as pd

from databugs.corrections.apply import original_copy
from databugs.data.guard import refuse_overwriting
from databugs.data.io import detect_format
from databugs.data.keys import row_ids
from databugs.data.ledger import ledger_path
from databugs.data.table import check_columns, load_table
from databugs.data.validate import check_label_column, label_texts
from databugs.data.write import write_relabelled
from databugs.errors import DatabugsError, ErrorCode, option

CHOICES = "label"
"""The name of the ``<Choices>`` the tasks' pre-annotations and the export's labels belong to."""
FIXED = ("row", "id", "reason", "predicted_label", "confidence", "given_label")
"""The ``to_label`` columns that are databugs' own, not the row's content."""


def label_studio_tasks(table: pd.DataFrame, *, id_column: str | None = None) -> str:
    """Label Studio import JSON: one task per row of the ``to_label`` table."""
    text = _text_name(table)
    tasks = [_task(record, id_column, text) for record in table.to_dict(orient="records")]
    return json.dumps(tasks, indent=2, ensure_ascii=False) + "\n"


def _task(record: dict, id_column: str | None, text: str) -> dict:
    data = {k: _json_value(v) for k, v in record.items() if k not in FIXED}
    if id_column is not None:
        data[id_column] = record["id"]
    data |= {"databugs_row": int(record["row"]), "databugs_reason": record["reason"]}
    given = _json_value(record.get("given_label"))
    if given is not None:  # a row to label again: its current label is the pre-annotation
        data["databugs_given_label"] = given
        return {"data": data, "predictions": [_prediction(given, text, "given label", None)]}
    guess = _json_value(record["predicted_label"])
    if guess is None:
        return {"data": data}
    return {"data": data, "predictions": [_prediction(guess, text, "databugs", record)]}


def _prediction(choice: str, text: str, version: str, record: dict | None) -> dict:
    score = {} if record is None else {"score": _json_value(record["confidence"])}
    result = {"from_name": CHOICES, "to_name": text, "type": "choices"}
    return {
        "model_version": version,
        **score,
        "result": [result | {"value": {"choices": [choice]}}],
    }


def _text_name(table: pd.DataFrame) -> str:
    """The object the choices label: the first content column (``text`` for an empty table)."""
    return next((str(c) for c in table.columns if c not in FIXED), "text")


def label_config(table: pd.DataFrame, classes: list[str]) -> str:
    """A labelling config for the tasks: each content column shown, one choice per class."""
    content = [str(c) for c in table.columns if c not in FIXED] or ["text"]
    shown = "".join(
        f"  <Header value={quoteattr(c)}/>\n"
        f"  <Text name={quoteattr(c)} value={quoteattr('$' + c)}/>\n"
        for c in content
    )
    choices = "".join(f"    <Choice value={quoteattr(c)}/>\n" for c in classes)
    return (
        f"<View>\n{shown}  <Choices name={quoteattr(CHOICES)} toName={quoteattr(content[0])} "
        f'choice="single" showInline="true">\n{choices}  </Choices>\n</View>\n'
    )


@dataclass(frozen=True)
class Imported:
    """What ``databugs next --import`` wrote: the labels taken, by row, and the tasks left out."""

    output: Path
    labels: dict[int, str]
    changed: int
    unannotated: int
    disagreed: int


def import_labels(
    data: str | os.PathLike[str],
    export: str | os.PathLike[str],
    *,
    label: str | None = None,
    id: str | None = None,
    output: str | os.PathLike[str] | None = None,
) -> Imported:
    """Write the labels of a Label Studio JSON export into a copy of ``data``.

    Tasks are matched to rows by the ``id`` column's value in their ``data`` (else by
    ``databugs_row``). A task's label is the single choice its annotations agree on; tasks with
    no annotation, or whose annotators disagree, are left out. The copy (``output``, default
    ``<name>.labelled.<ext>`` beside the data) differs from the data only in those labels; the
    data and the export are never overwritten.
    """
    table = load_table(data)
    source = str(table.path)
    column = check_label_column(table.frame, label, source=source)
    id_column = check_columns(table.frame, source=source, label=column, id=id).id
    target = _output(table.path, Path(export), output)
    tasks = _read_export(Path(export))
    rows = _task_rows(tasks, row_ids(table.frame, id_column), id_column, Path(export))
    verdicts = [_agreed_choice(task) for task in tasks]
    labels = {row: v for row, v in zip(rows, verdicts, strict=True) if v not in OPEN}
    given = label_texts(table.frame[column])
    changed = sum(1 for row, new in labels.items() if given[row] not in (None, new))
    write_relabelled(table, target, column, labels)
    counts = Counter(verdicts)
    return Imported(target, labels, changed, counts[UNANNOTATED], counts[DISAGREED])


UNANNOTATED, DISAGREED = object(), object()
OPEN = (UNANNOTATED, DISAGREED)
"""A task's verdict when it gives no label: no annotation, or annotators who disagree."""


def labelled_copy(data: Path) -> Path:
    """``data.csv.gz`` -> ``data.labelled.csv.gz``, beside the data."""
    _, suffix = detect_format(data)
    return data.with_name(f"{data.name[: len(data.name) - len(suffix)]}.labelled{suffix}")


def _output(data: Path, export: Path, output: str | os.PathLike[str] | None) -> Path:
    """Where the labelled copy goes: never onto an input, always in the data's format."""
    target = Path(output) if output is not None else labelled_copy(data)
    refuse_overwriting(
        [target],
        {
            data: "the data",
            export: "the export",
            ledger_path(data): "the decisions ledger",
            original_copy(data): "the original fix --in-place kept",
        },
    )
    if detect_format(target) != detect_format(data):
        raise DatabugsError(
            f"{target}: the labelled data keeps the format of {data.name}",
            code=ErrorCode.BAD_OPTION,
            hint=f"give {option('output')} a name ending in {detect_format(data)[1]}",
        )
    return target


def _read_export(export: Path) -> list[dict]:
    """The tasks of a Label Studio JSON export (a list of tasks, each with ``data``)."""
    try:
        tasks = json.loads(export.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatabugsError(f"{export}: no such file", code=ErrorCode.MISSING_FILE) from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise DatabugsError(
            f"{export}: not JSON ({error})", code=ErrorCode.UNREADABLE_FILE
        ) from None
    if not isinstance(tasks, list) or not all(
        isinstance(t, dict) and isinstance(t.get("data"), dict) for t in tasks
    ):
        raise DatabugsError(
            f"{export}: not a Label Studio JSON export (a list of tasks, each with 'data')",
            code=ErrorCode.UNREADABLE_FILE,
            hint="export the project as JSON (not JSON-MIN or CSV)",
        )
    return tasks


def _task_rows(
    tasks: list[dict], ids: list[str | None], id_column: str | None, export: Path
) -> list[int]:
    """Each task's row in the data: by the id column's value, else by ``databugs_row``."""
    if id_column is not None:
        by_id = {key: row for row, key in enumerate(ids)}
        found = [by_id.get(_key(task["data"].get(id_column))) for task in tasks]
        named = f"{id_column} value"
    else:
        found = [_row(task["data"].get("databugs_row"), len(ids)) for task in tasks]
        named = "databugs_row"
    for number, (task, row) in enumerate(zip(tasks, found, strict=True), start=1):
        if row is None:
            value = task["data"].get(id_column or "databugs_row")
            raise DatabugsError(
                f"{export}: task {number} ({task.get('id', 'no id')}): {named} {value!r} "
                "names no row of the data",
                code=ErrorCode.UNKNOWN_ROW,
                hint="import the export of the tasks `databugs next` wrote for this data",
            )
    return found


def _key(value: object) -> str | None:
    return None if value is None else str(value)


def _row(value: object, rows: int) -> int | None:
    return value if isinstance(value, int) and 0 <= value < rows else None


def _agreed_choice(task: dict) -> object:
    """The label the task's annotations agree on, or why there is none."""
    choices = set()
    for annotation in task.get("annotations") or []:
        if annotation.get("was_cancelled"):
            continue
        for result in annotation.get("result") or []:
            if result.get("type") == "choices" and result.get("from_name") == CHOICES:
                choices.update(map(str, result.get("value", {}).get("choices", [])))
    if not choices:
        return UNANNOTATED
    return choices.pop() if len(choices) == 1 else DISAGREED


def _json_value(value: object) -> object:
    if hasattr(value, "item"):
        value = value.item()
    return None if isinstance(value, float) and value != value else value
