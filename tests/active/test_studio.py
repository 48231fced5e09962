"""Label Studio both ways, as a user runs it: ``databugs next --format label-studio`` writes
tasks (id in ``data``, the current label pre-annotated on rows to label again) and a labelling
config they fit; ``databugs next --import`` reads the project's JSON export back into a copy of
the data. Checked against Label Studio's documented formats, and with label-studio-sdk's
``LabelInterface`` where it is installed."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import make_blobs_table, run

LABELLED = 60


@pytest.fixture
def animals(tmp_path: Path) -> tuple[Path, pd.Series]:
    """300 animals keyed by animal_id, the first 60 labelled (row 3 wrongly); the true labels."""
    frame = make_blobs_table(rows=300, seed=2)
    truth = frame["label"].copy()
    frame.loc[LABELLED:, "label"] = ""
    frame.loc[3, "label"] = "bird" if truth[3] != "bird" else "cat"
    frame.insert(0, "animal_id", [f"a{i:03d}" for i in range(len(frame))])
    path = tmp_path / "animals.csv"
    frame.to_csv(path, index=False)
    return path, truth


@pytest.fixture
def exported(animals: tuple[Path, pd.Series], tmp_path: Path) -> tuple[list[dict], str]:
    """``databugs next --format label-studio`` run: the tasks and the labelling config."""
    path, _ = animals
    out = tmp_path / "r"
    args = ["--budget", "8", "--relabel", "2", "--id", "animal_id", "--format", "label-studio"]
    result = run("next", path, *args, "--out", out)
    assert result.exit_code == 0, result.output
    tasks = json.loads((out / "to_label.json").read_text())
    return tasks, (out / "label_config.xml").read_text()


def test_tasks_carry_the_id_and_relabel_tasks_the_current_label(
    animals: tuple[Path, pd.Series], exported: tuple[list[dict], str]
) -> None:
    path, _ = animals
    frame = pd.read_csv(path, keep_default_na=False)
    tasks, _ = exported
    assert len(tasks) == 10
    for task in tasks:
        row = task["data"]["databugs_row"]
        assert task["data"]["animal_id"] == frame.at[row, "animal_id"]
        (prediction,) = task["predictions"]
        (choice,) = prediction["result"]
        if row < LABELLED:  # a row to label again: its current label is what the annotator sees
            assert choice["value"]["choices"] == [frame.at[row, "label"]]
            assert task["data"]["databugs_given_label"] == frame.at[row, "label"]
        else:
            assert "databugs_given_label" not in task["data"]
    assert sum(task["data"]["databugs_row"] < LABELLED for task in tasks) == 2


def test_tasks_fit_their_labelling_config(exported: tuple[list[dict], str]) -> None:
    """What Label Studio checks on import: every ``$variable`` of the config is in each task's
    data, and each pre-annotation names the config's choices, its object and one of its
    choices."""
    tasks, config = exported
    view = ElementTree.fromstring(config)
    objects = {tag.get("name"): tag.get("value") for tag in view.iter("Text")}
    (choices,) = view.iter("Choices")
    values = {choice.get("value") for choice in choices.iter("Choice")}
    assert values == {"cat", "dog", "bird"} and choices.get("toName") in objects
    for task in tasks:
        assert {value.removeprefix("$") for value in objects.values()} <= set(task["data"])
        for result in task["predictions"][0]["result"]:
            assert (result["from_name"], result["to_name"]) == (
                choices.get("name"),
                choices.get("toName"),
            )
            assert result["type"] == "choices" and set(result["value"]["choices"]) <= values


def test_tasks_validate_with_label_studio_sdk(exported: tuple[list[dict], str]) -> None:
    """``validate_task`` checks the data; the pre-annotations are checked one by one (in SDK
    2.1, ``validate_task`` of a task with predictions calls ``validate_prediction()`` without
    the prediction)."""
    interface = pytest.importorskip("label_studio_sdk.label_interface").LabelInterface
    tasks, config = exported
    labelling = interface(config)
    labelling.validate()
    for task in tasks:
        assert labelling.validate_task({"data": task["data"]})
        assert labelling.validate_prediction(task["predictions"][0])
    wrong = {"result": [tasks[0]["predictions"][0]["result"][0] | {"value": {"choices": ["eel"]}}]}
    assert not labelling.validate_prediction(wrong)


def _export(tasks: list[dict], answers: dict[int, list[str | None]]) -> list[dict]:
    """A Label Studio JSON export of ``tasks``: for task ``i``, one annotation per answer (None:
    a cancelled one), shaped as Label Studio 1.x writes them."""
    exported = []
    for number, task in enumerate(tasks):
        annotations = [
            {
                "id": 100 * number + k,
                "completed_by": k + 1,
                "result": []
                if answer is None
                else [
                    {
                        "value": {"choices": [answer]},
                        "id": f"r{number}x{k}",
                        "from_name": "label",
                        "to_name": task["predictions"][0]["result"][0]["to_name"],
                        "type": "choices",
                        "origin": "prediction-changed",
                    }
                ],
                "was_cancelled": answer is None,
                "ground_truth": False,
                "created_at": "2026-11-30T10:02:11.542Z",
                "updated_at": "2026-11-30T10:02:11.542Z",
                "lead_time": 6.4,
                "prediction": task["predictions"][0],
                "result_count": 0,
                "task": number + 1,
                "project": 4,
                "parent_prediction": number + 1,
                "parent_annotation": None,
            }
            for k, answer in enumerate(answers.get(number, []))
        ]
        exported.append(
            {
                "id": number + 1,
                "annotations": annotations,
                "file_upload": "to_label.json",
                "drafts": [],
                "predictions": [number + 1],
                "data": task["data"],
                "meta": {},
                "created_at": "2026-11-30T09:58:40.120Z",
                "updated_at": "2026-11-30T10:02:11.601Z",
                "inner_id": number + 1,
                "total_annotations": len(annotations),
                "cancelled_annotations": sum(a is None for a in answers.get(number, [])),
                "total_predictions": 1,
                "comment_count": 0,
                "unresolved_comment_count": 0,
                "last_comment_updated_at": None,
                "project": 4,
                "updated_by": 1,
                "comment_authors": [],
            }
        )
    return exported


def test_an_export_comes_home_into_a_copy_of_the_data(
    animals: tuple[Path, pd.Series], exported: tuple[list[dict], str], tmp_path: Path
) -> None:
    path, truth = animals
    tasks, _ = exported
    rows = [task["data"]["databugs_row"] for task in tasks]
    answers = {i: [truth[row]] for i, row in enumerate(rows)}
    answers[0] = []  # not annotated yet
    answers[1] = ["cat", "dog"]  # two annotators disagree
    answers[2] = [None, truth[rows[2]]]  # one skipped it, one labelled it
    export = tmp_path / "project-4-at-2026-11-30.json"
    export.write_text(json.dumps(_export(tasks, answers)))
    before = path.read_bytes()
    result = run("next", path, "--id", "animal_id", "--import", export)
    assert result.exit_code == 0, result.output
    assert "8 labels from" in result.output and "1 without an annotation" in result.output
    assert "1 with annotators disagreeing" in result.output
    assert path.read_bytes() == before
    original = pd.read_csv(path, keep_default_na=False)
    labelled = pd.read_csv(path.with_name("animals.labelled.csv"), keep_default_na=False)
    expected = original.copy()
    for row in rows[2:]:
        expected.at[row, "label"] = truth[row]
    pd.testing.assert_frame_equal(labelled, expected)
    lines = before.decode().splitlines()
    changed = {
        i
        for i, (old, new) in enumerate(zip(lines, labelled_lines(path), strict=True))
        if old != new
    }
    assert changed == {row + 1 for row in rows[2:] if original.at[row, "label"] != truth[row]}


def labelled_lines(path: Path) -> list[str]:
    return path.with_name("animals.labelled.csv").read_text().splitlines()


def test_an_export_without_ids_is_matched_by_databugs_row(
    animals: tuple[Path, pd.Series], exported: tuple[list[dict], str], tmp_path: Path
) -> None:
    path, truth = animals
    tasks, _ = exported
    answers = {i: [truth[task["data"]["databugs_row"]]] for i, task in enumerate(tasks)}
    export = tmp_path / "export.json"
    export.write_text(json.dumps(_export(tasks, answers)))
    out = tmp_path / "labelled.csv"
    result = run("next", path, "--import", export, "--output", out)
    assert result.exit_code == 0, result.output
    labels = pd.read_csv(out, keep_default_na=False)["label"]
    assert all(
        labels[task["data"]["databugs_row"]] == truth[task["data"]["databugs_row"]]
        for task in tasks
    )


@pytest.mark.parametrize("target", ["data", "export", "ledger", "original", "hard link"])
def test_import_never_overwrites_its_inputs(
    animals: tuple[Path, pd.Series], exported: tuple[list[dict], str], tmp_path: Path, target: str
) -> None:
    path, truth = animals
    tasks, _ = exported
    export = tmp_path / "export.json"
    export.write_text(json.dumps(_export(tasks, {0: [truth[tasks[0]["data"]["databugs_row"]]]})))
    ledger, original = path.parent / "databugs-decisions.csv", path.with_suffix(".orig.csv")
    ledger.write_text("time,file,decision,row,id,old_label,new_label\n")
    original.write_bytes(path.read_bytes())
    (path.parent / "hard.csv").hardlink_to(path)
    inputs = {"data": path, "export": export, "ledger": ledger, "original": original}
    outputs = {**inputs, "hard link": path.parent / "hard.csv"}
    before = {name: file.read_bytes() for name, file in inputs.items()}
    result = run("next", path, "--import", export, "--output", outputs[target])
    assert result.exit_code == 2 and "databugs does not write over it" in result.output
    assert {name: file.read_bytes() for name, file in inputs.items()} == before


def test_an_export_of_other_data_is_refused_and_nothing_written(
    animals: tuple[Path, pd.Series], exported: tuple[list[dict], str], tmp_path: Path
) -> None:
    path, _ = animals
    tasks, _ = exported
    tasks[4]["data"]["animal_id"] = "z999"
    export = tmp_path / "export.json"
    export.write_text(json.dumps(_export(tasks, {4: ["cat"]})))
    result = run("next", path, "--id", "animal_id", "--import", export)
    assert result.exit_code == 2
    assert re.search(r"task 5 \(5\): animal_id value 'z999' names no row", result.output)
    assert not path.with_name("animals.labelled.csv").exists()


def test_next_without_budget_or_import_says_what_it_needs(animals: tuple[Path, pd.Series]) -> None:
    path, _ = animals
    result = run("next", path)
    assert result.exit_code == 2 and "--budget is needed" in result.output
