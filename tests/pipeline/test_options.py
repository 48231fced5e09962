"""Scan options: configuration files, the command line over them, bad values, model names."""

from __future__ import annotations

from pathlib import Path

import pytest

from databugs.pipeline.options import resolve_options
from tests.conftest import run


def test_options_come_from_files_and_the_command_line_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.databugs]\nfolds = 3\nseed = 7\nfail_on = "label_issues>5%"\n'
    )
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "databugs.toml").write_text(
        'label = "kind"\ntext = "title,body"\n[datasets."reviews.csv"]\nid = "review_id"\n'
    )
    options = resolve_options(data_dir / "reviews.csv", {"seed": 1, "label": None})
    assert options["folds"] == 3 and options["seed"] == 1
    assert options["label"] == "kind" and options["id"] == "review_id"
    assert options["text"] == ["title", "body"]
    assert options["fail_on"] == "label_issues>5%"
    other = resolve_options(data_dir / "other.csv", {})
    assert other["id"] is None  # the dataset section names another file


def test_an_unknown_config_key_exits_2_naming_it(tmp_path: Path, blobs) -> None:
    blobs.to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "databugs.toml").write_text("fold = 3\n")
    result = run("scan", tmp_path / "d.csv", "--out", tmp_path / "r")
    assert result.exit_code == 2
    assert "unknown key 'fold'" in result.output


def test_model_names_in_help_match_the_models() -> None:
    from databugs.models.zoo import MODELS
    from databugs.pipeline.options import MODEL_NAMES

    assert set(MODEL_NAMES) == set(MODELS)


@pytest.mark.parametrize(
    ("toml", "message"),
    [('[datasets]\n"d.csv" = 3\n', "must be a table"), ("fail_on = [1]\n", "wrong type")],
)
def test_bad_config_values(tmp_path: Path, blobs, toml: str, message: str) -> None:
    blobs.to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "databugs.toml").write_text(toml)
    result = run("scan", tmp_path / "d.csv", "--out", tmp_path / "r")
    assert result.exit_code == 2 and message in result.output
