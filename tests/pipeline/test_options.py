"""Scan options: configuration files, the command line over them, bad values, model names."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from databugs.pipeline.options import resolve_options
from tests.conftest import EXAMPLES, run


def test_options_come_from_files_and_the_command_line_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.databugs]\nfolds = 3\nseed = 7\nfail_on = "label_issues>5%"\n'
    )
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "databugs.toml").write_text(
        'label = "kind"\ntext = "title,body"\n[datasets."reviews.csv"]\nid = "review_id"\n'
    )
    options, set_in = resolve_options(data_dir / "reviews.csv", {"seed": 1, "label": None})
    assert options["folds"] == 3 and options["seed"] == 1
    pyproject, beside = str(tmp_path / "pyproject.toml"), str(data_dir / "databugs.toml")
    assert set_in == {"folds": pyproject, "fail_on": pyproject} | dict.fromkeys(
        ("label", "text", "id"), beside
    )  # the seed is the command line's
    assert options["label"] == "kind" and options["id"] == "review_id"
    assert options["text"] == ["title", "body"]
    assert options["fail_on"] == "label_issues>5%"
    other, _ = resolve_options(data_dir / "other.csv", {})
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


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("folds = 1\n", "folds = 1 is below 2"),
        ("seed = -1\n", "seed = -1 is outside 0 to 4294967295"),
        ('model = "gpt"\n', "model = 'gpt' is not a known model"),
        ('fail_on = "label_isues>0"\n', "fail_on: 'label_isues>0' names no figure of this scan"),
        ('[datasets."sms.csv"]\nfolds = 1\n', "folds = 1 is below 2"),
    ],
)
def test_a_config_value_refused_names_the_file_and_key(
    tmp_path: Path, toml: str, message: str
) -> None:
    data = tmp_path / "sms.csv"
    shutil.copy(EXAMPLES / "sms_sample.csv", data)
    (tmp_path / "databugs.toml").write_text(toml)
    result = run("scan", data, "--out", tmp_path / "r")
    assert result.exit_code == 2 and "Traceback" not in result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"databugs: error: {tmp_path.resolve() / 'databugs.toml'}: {message}")
    assert "--" not in line and not (tmp_path / "r").exists()


def test_a_refused_value_given_as_a_flag_is_named_as_the_flag(tmp_path: Path) -> None:
    data = tmp_path / "sms.csv"
    shutil.copy(EXAMPLES / "sms_sample.csv", data)
    (tmp_path / "databugs.toml").write_text('folds = 3\nfail_on = "label_issues>0"\n')
    result = run("scan", data, "--out", tmp_path / "r", "--folds", "1")
    assert result.exit_code == 2 and "databugs: error: --folds 1 is below 2" in result.output
    result = run("scan", data, "--out", tmp_path / "r", "--fail-on", "label_isues>0")
    assert "databugs: error: --fail-on: 'label_isues>0' names no figure" in result.output
    assert "databugs.toml" not in result.output


def test_a_mistyped_gate_figure_is_one_short_line_with_the_nearest_name(tmp_path: Path) -> None:
    data = tmp_path / "sms.csv"
    shutil.copy(EXAMPLES / "sms_sample.csv", data)
    result = run("scan", data, "--out", tmp_path / "r", "--fail-on", "label_isues>0")
    (line,) = result.output.strip().splitlines()
    assert "did you mean label_issues or label_issue?" in line
    assert "annotator_disagreement" not in line and len(line) < 250  # was a 590-character list


def _repository(tmp_path: Path, blobs) -> Path:
    """A git repository (a .git folder is enough) with the data in data/d.csv."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "data").mkdir()
    blobs.to_csv(repo / "data" / "d.csv", index=False)
    return repo / "data" / "d.csv"


@pytest.mark.parametrize(
    "toml",
    [
        'out = "../../victim"\n',
        'out = "{victim}"\n',
        '[datasets."d.csv"]\nout = "../../victim"\n',
        'baseline = "../../victim/report.json"\n',
        'gold = "../../victim/report.json"\n',  # its columns would be printed in the log
    ],
)
def test_a_data_side_config_cannot_reach_outside_the_repository(
    tmp_path: Path, blobs, toml: str
) -> None:
    data = _repository(tmp_path, blobs)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "report.json").write_text('{"mine": true}\n')
    config = data.parent / "databugs.toml"
    config.write_text(toml.format(victim=victim))
    result = run("scan", data, "--format", "plain", "--jobs", "1")
    assert result.exit_code == 2, result.output
    assert str(config) in result.output and "outside the data's repository" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert [p.name for p in victim.iterdir()] == ["report.json"]
    assert (victim / "report.json").read_text() == '{"mine": true}\n'
    assert not (data.parent / "databugs-report").exists()


def test_a_data_side_config_names_a_packaged_text_model_only(tmp_path: Path, blobs) -> None:
    """A model folder's files name the code that loads it: not from a file beside the data."""
    data = _repository(tmp_path, blobs)
    (data.parent / "model").mkdir()
    config = data.parent / "databugs.toml"
    config.write_text('text_model = "model"\n')
    result = run("scan", data, "--format", "plain", "--jobs", "1")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert str(config) in result.output and "no packaged model" in result.output
    config.write_text('text_model = "sentence-transformers/all-MiniLM-L6-v2"\n')
    assert resolve_options(data, {})[0]["text_model"] == "sentence-transformers/all-MiniLM-L6-v2"
    (data.parent.parent / "pyproject.toml").write_text('[tool.databugs]\ntext_model = "model"\n')
    config.unlink()
    assert resolve_options(data, {})[0]["text_model"] == "model"  # the root's file is trusted


def test_a_data_side_config_cannot_leave_through_a_symlink(tmp_path: Path, blobs) -> None:
    data = _repository(tmp_path, blobs)
    (tmp_path / "victim").mkdir()
    (data.parent / "reports").symlink_to(tmp_path / "victim")
    (data.parent / "databugs.toml").write_text('out = "reports"\n')
    result = run("scan", data, "--format", "plain", "--jobs", "1")
    assert result.exit_code == 2 and "outside the data's repository" in result.output
    assert not any((tmp_path / "victim").iterdir())


def test_paths_inside_the_repository_and_from_the_root_pyproject_are_kept(
    tmp_path: Path, blobs
) -> None:
    data = _repository(tmp_path, blobs)
    repo = data.parent.parent
    (data.parent / "databugs.toml").write_text('out = "../reports"\nbaseline = "old/report.json"\n')
    options, _ = resolve_options(data, {})
    assert options["out"] == str(data.parent / "../reports")
    assert options["baseline"] == str(data.parent / "old/report.json")
    (data.parent / "databugs.toml").unlink()
    (repo / "pyproject.toml").write_text('[tool.databugs]\nout = "../ci-artifacts"\n')
    assert resolve_options(data, {})[0]["out"] == str(repo / "../ci-artifacts")


def test_without_git_a_data_side_config_stays_in_the_data_folder(tmp_path: Path, blobs) -> None:
    blobs.to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "databugs.toml").write_text('out = "reports/scan"\n')
    assert resolve_options(tmp_path / "d.csv", {})[0]["out"] == str(tmp_path / "reports/scan")
    (tmp_path / "databugs.toml").write_text('out = "../reports"\n')
    result = run("scan", tmp_path / "d.csv", "--format", "plain", "--jobs", "1")
    assert result.exit_code == 2 and "outside the data's repository" in result.output
    assert not (tmp_path.parent / "reports").exists()


def test_a_data_side_scheduler_is_refused_and_never_contacted(
    tmp_path: Path, blobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket
    import threading

    monkeypatch.setattr("databugs.models.engines.CONNECT_TIMEOUT", "2s")
    data = _repository(tmp_path, blobs)
    contacted = []

    def answer(listener: socket.socket) -> None:  # note each connection and hang up at once
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            contacted.append(True)
            connection.close()

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        threading.Thread(target=answer, args=(listener,), daemon=True).start()
        config = data.parent / "databugs.toml"
        address = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
        config.write_text(f'engine = "dask"\nscheduler = "{address}"\n')
        result = run("scan", data, "--format", "plain", "--jobs", "1")
        listener.shutdown(socket.SHUT_RDWR)  # wakes the thread's accept
    assert result.exit_code == 2, result.output
    assert f"{config}: scheduler" in result.output
    assert not contacted


def test_the_scheduler_comes_from_the_root_pyproject_only(tmp_path: Path, blobs) -> None:
    data = _repository(tmp_path, blobs)
    repo = data.parent.parent
    (repo / "pyproject.toml").write_text(
        '[tool.databugs]\nengine = "dask"\nscheduler = "tcp://10.0.0.5:8786"\n'
    )
    assert resolve_options(data, {})[0]["scheduler"] == "tcp://10.0.0.5:8786"
    nested = data.parent / "pyproject.toml"  # nearer the data: found first, and data-side
    nested.write_text('[tool.databugs]\nscheduler = "tcp://203.0.113.9:8786"\n')
    result = run("scan", data, "--format", "plain", "--jobs", "1")
    assert result.exit_code == 2 and f"{nested}: scheduler" in result.output


def test_more_folds_than_the_rows_allow_are_said_not_silently_cut(blobs) -> None:
    """``--folds 1000`` on 500 rows made 420 folds and said nothing; report.json's options
    hold the folds made and a note says so."""
    import databugs

    report = databugs.scan(blobs.head(120), folds=100, model="logistic", jobs=1)
    made = report.options["folds"]
    assert 2 <= made < 100
    assert f"100 folds were asked for; {made} were made" in " ".join(report.notes)
    usual = databugs.scan(blobs.head(120), folds=3, model="logistic", jobs=1)
    assert usual.options["folds"] == 3 and not any("asked for" in n for n in usual.notes)


def test_a_pyproject_without_a_databugs_table_does_not_hide_the_repositorys(
    tmp_path: Path,
) -> None:
    """A package's ``pyproject.toml`` in the data's folder (``[project]`` only) stopped the
    search: the root's ``fail_on`` and id were dropped and the CI gate passed silently."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.databugs]\nfail_on = "label_issues>0"\nid = "message_id"\n'
    )
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(EXAMPLES / "sms_sample.csv", data / "sms_sample.csv")
    (data / "pyproject.toml").write_text('[project]\nname = "data"\n')
    options, set_in = resolve_options(data / "sms_sample.csv", {})
    assert options["fail_on"] == "label_issues>0" and options["id"] == "message_id"
    assert set_in["fail_on"] == str(tmp_path / "pyproject.toml")
