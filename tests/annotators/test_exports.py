"""Label Studio and Argilla JSON exports read as long annotator data (their documented shapes)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from databugs.cli import app
from databugs.data.exports import read_export
from tests.annotators.test_truth import simulated_answers
from tests.conftest import runner

CLASSES = ["Bird", "Cat", "Dog"]
USERS = [{"id": n + 1, "email": f"user{n + 1}@example.com"} for n in range(7)]


def label_studio_task(item: int, answers: np.ndarray) -> dict:
    """One task as Label Studio's JSON export writes it (annotations with a choices result)."""
    annotations = [
        {
            "id": item * 10 + user,
            "completed_by": USERS[user] if user % 2 else USERS[user]["id"],  # both forms occur
            "result": [
                {
                    "id": f"r{item}-{user}",
                    "from_name": "animal",
                    "to_name": "image",
                    "type": "choices",
                    "origin": "manual",
                    "value": {"choices": [CLASSES[answer]]},
                }
            ],
            "was_cancelled": False,
            "ground_truth": False,
            "created_at": "2024-05-01T10:00:00.000000Z",
            "updated_at": "2024-05-01T10:00:00.000000Z",
            "lead_time": 3.2,
            "task": item,
        }
        for user, answer in enumerate(answers)
        if answer >= 0
    ]
    annotations.append({"id": -item, "completed_by": 1, "result": [], "was_cancelled": True})
    return {
        "id": item,
        "data": {"image": f"/data/upload/1/{item:04x}-photo.jpg"},
        "annotations": annotations,
        "predictions": [],
        "meta": {},
        "created_at": "2024-05-01T09:00:00.000000Z",
        "project": 1,
    }


def argilla_record(item: int, answers: np.ndarray) -> dict:
    """One record as Argilla 2 exports it (``dataset.records.to_list(flatten=False)``)."""
    return {
        "id": f"rec-{item}",
        "fields": {"text": f"photo {item}"},
        "metadata": {"batch": item % 3},
        "suggestions": {},
        "vectors": {},
        "status": "completed",
        "responses": {
            "animal": [
                {"value": CLASSES[answer], "user_id": f"uuid-{user}", "status": "submitted"}
                for user, answer in enumerate(answers)
                if answer >= 0
            ]
            + [{"value": "Cat", "user_id": "uuid-9", "status": "discarded"}]
        },
    }


def argilla_v1_record(item: int, answers: np.ndarray) -> dict:
    """A FeedbackDataset record (Argilla 1.x): responses are a list with ``values``."""
    return {
        "external_id": f"ext-{item}",
        "fields": {"text": f"photo {item}"},
        "responses": [
            {
                "user_id": f"u{user}",
                "values": {"animal": {"value": CLASSES[a]}},
                "status": "submitted",
            }
            for user, a in enumerate(answers)
            if a >= 0
        ],
        "suggestions": [],
        "metadata": {},
    }


@pytest.mark.parametrize(
    ("record", "kind", "first_item", "first_user"),
    [
        (label_studio_task, "label-studio", "0", "1"),
        (argilla_record, "argilla", "rec-0", "uuid-"),
        (argilla_v1_record, "argilla", "ext-0", "u"),
    ],
)
def test_exports_become_one_line_per_answer(tmp_path, record, kind, first_item, first_user) -> None:
    matrix, _, _ = simulated_answers()
    path = tmp_path / "export.json"
    path.write_text(json.dumps([record(i, row) for i, row in enumerate(matrix[:20])]))
    lines, found = read_export(path)
    assert found == kind
    assert len(lines) == (matrix[:20] >= 0).sum()  # cancelled / discarded answers left out
    assert lines["item_id"].iat[0] == first_item
    assert lines["annotator"].iat[0].startswith(first_user)
    assert set(lines["label"]) <= set(CLASSES)


def test_a_label_studio_export_is_scanned_as_crowd_answers(tmp_path: Path) -> None:
    matrix, truth, _ = simulated_answers()
    path = tmp_path / "project-1-at-2024-05-01.json"
    path.write_text(json.dumps([label_studio_task(i, row) for i, row in enumerate(matrix)]))
    result = runner.invoke(app, ["scan", str(path), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["input"]["format"] == "label-studio"
    assert report["options"]["annotator_col"] == "annotator"
    assert len(report["annotators"]) == 7
    rows = pd.read_csv(tmp_path / "out" / "corrected_labels.csv")
    right = rows["consensus_label"].to_numpy() == np.array(CLASSES)[truth]
    assert right.mean() > 0.9
    before = path.read_bytes()
    fixed = runner.invoke(app, ["fix", "--report", str(tmp_path / "out"), "--accept-consensus"])
    assert fixed.exit_code == 2 and "has no label column to correct" in fixed.output
    assert path.read_bytes() == before


def test_json_that_is_no_export_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"theme": "dark"}))
    result = runner.invoke(app, ["scan", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "not a labelling export" in result.output, result.output
