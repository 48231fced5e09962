"""Shared fixtures and helpers: small real-looking tables built in the test, the shipped
examples, the command line in this process, and what tests in several folders use."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score
from typer.testing import CliRunner, Result

import databugs
from databugs.cli import app
from databugs.data.features import build_features
from databugs.detectors import Context

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared" / "datasets"


@pytest.fixture
def shared_dataset():
    """Load a dataset from ../shared/datasets, skipping the test when it is not there."""

    def load(name: str) -> pd.DataFrame:
        path = SHARED / f"{name}.parquet"
        if not path.exists():
            pytest.skip(f"{path} is not available")
        return pd.read_parquet(path)

    return load


def yes_no_table(
    rows: int, wrong: int, *, among: int | None = None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Four normal columns (a, b, c, d) and a yes/no label from two of them with some noise, as
    a first-use pass built its tables; ``wrong`` rows (among the first ``among``) flipped.
    Returns the table and the flipped rows."""
    rng = np.random.default_rng(0)
    signal = rng.normal(size=(rows, 4))
    score = 2.5 * signal[:, 0] - 2.0 * signal[:, 1] + 0.5 * rng.normal(size=rows)
    label = np.where(score > 0, "yes", "no").astype(object)
    flipped = rng.choice(among or rows, wrong, replace=False)
    label[flipped] = np.where(label[flipped] == "yes", "no", "yes")
    return pd.DataFrame(signal, columns=list("abcd")).assign(label=label), flipped


def make_blobs_table(rows: int = 300, seed: int = 0) -> pd.DataFrame:
    """Three well-separated classes of two numeric features plus a categorical one."""
    rng = np.random.default_rng(seed)
    centres = {"cat": (0.0, 0.0), "dog": (6.0, 0.0), "bird": (0.0, 6.0)}
    names = np.array(list(centres))[rng.integers(0, 3, rows)]
    points = np.array([centres[name] for name in names]) + rng.normal(0, 1.0, (rows, 2))
    return pd.DataFrame(
        {
            "weight": points[:, 0].round(3),
            "height": points[:, 1].round(3),
            "colour": rng.choice(["red", "green", "blue"], rows),
            "label": names,
        }
    )


LETTER_TAGS = {
    "vowel": "AEIOU",
    "curved": "BCDGJOPQRSU",
    "symmetric": "AHIMOTUVWXY",
    "straight": "AEFHKLMNTVWXYZ",
}


def tagged_letters(rows: int = 600, noisy_share: float = 0.1, seed: int = 0):
    """Multi-label rows: the letters sample's features, each letter's true shape tags joined
    by ``;`` (``LETTER_TAGS``), with one tag flipped on ``noisy_share`` of the rows that have
    two or more. Returns the frame (a ``tags`` column) and the noisy rows."""
    frame = pd.read_csv(EXAMPLES / "letters_sample.csv").head(rows)
    truth = pd.read_csv(EXAMPLES / "letters_sample.truth.csv").set_index("row")["true_label"]
    letters = frame["label"].copy()
    letters.update(truth[truth.index < rows])
    sets = [[t for t, members in LETTER_TAGS.items() if letter in members] for letter in letters]
    rng = np.random.default_rng(seed)
    eligible = [row for row, tags in enumerate(sets) if len(tags) >= 2]
    noisy = np.sort(rng.choice(eligible, round(noisy_share * rows), replace=False))
    for row in noisy:
        flip = str(rng.choice(list(LETTER_TAGS)))
        sets[row] = [t for t in sets[row] if t != flip] + ([flip] if flip not in sets[row] else [])
    tags = [";".join(t for t in LETTER_TAGS if t in row) for row in sets]
    return frame.drop(columns="label").assign(tags=tags), noisy


def letter_tag_columns(rows: int = 600):
    """:func:`tagged_letters` with each tag as a 0/1 column (``vowel`` written true/false)
    instead of one joined column; returns the frame and the noisy rows."""
    frame, noisy = tagged_letters(rows)
    sets = frame.pop("tags").str.split(";")
    for tag in LETTER_TAGS:
        frame[tag] = [int(tag in row) for row in sets]
    frame["vowel"] = frame["vowel"].map({0: "false", 1: "true"})
    return frame, noisy


@pytest.fixture
def blobs() -> pd.DataFrame:
    return make_blobs_table()


@pytest.fixture
def blobs_csv(tmp_path: Path, blobs: pd.DataFrame) -> Path:
    """The blobs table with 6 labels swapped, as a CSV file; the swapped rows are attributes."""
    noisy = blobs.copy()
    swaps = {5: "dog", 40: "bird", 77: "cat", 120: "dog", 200: "bird", 250: "cat"}
    for row, label in swaps.items():
        if noisy.at[row, "label"] == label:  # make sure each swap is a real change
            label = "cat" if label != "cat" else "dog"
        noisy.at[row, "label"] = label
    path = tmp_path / "animals.csv"
    noisy.to_csv(path, index=False)
    return path


SWAPPED_ROWS = {5, 40, 77, 120, 200, 250}


# --- the command line ------------------------------------------------------------------------

runner = CliRunner()


def run(*args: object, env: dict[str, str] | None = None) -> Result:
    """Run the command line in this process, each argument passed as a string."""
    return runner.invoke(app, [str(arg) for arg in args], env=env)


def scan(data: Path, out: Path, *extra: str) -> Result:
    result = run("scan", data, "--out", out, "--format", "plain", "--jobs", "1", *extra)
    assert result.exit_code == 0, result.output
    return result


def scanned_piped_tags(folder: Path) -> tuple[Path, Path, np.ndarray, Result]:
    """:func:`tagged_letters` written ``vowel | straight`` (the separator ``|``, spaced) to
    ``folder/tags.csv`` and scanned into ``folder/out``; returns the data, the scan's folder,
    the noisy rows and the scan's output."""
    frame, noisy_rows = tagged_letters(rows=600)
    frame["tags"] = frame["tags"].str.replace(";", " | ")
    data = folder / "tags.csv"
    frame.to_csv(data, index=False)
    extra = ("--label", "tags", "--label-sep", "|", "--model", "extra-trees")
    return data, folder / "out", noisy_rows, scan(data, folder / "out", *extra)


def shells_csv(folder: Path) -> Path:
    """300 shells whose whole-number ring counts follow their size, four of them 15 too many."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"length": rng.random(300), "weight": rng.random(300)})
    frame["rings"] = (5 + 10 * frame["length"] + 3 * frame["weight"]).round().astype(int)
    frame.loc[[7, 70, 140, 210], "rings"] += 15
    frame.to_csv(folder / "shells.csv", index=False)
    return folder / "shells.csv"


# --- the shipped examples --------------------------------------------------------------------

RULES = EXAMPLES / "rules" / "sms_spam.yaml"


FAST = ("--folds", "2", "--model", "logistic")
PLANTED = {"train": [3, 40, 150, 222], "test": [7, 55, 120]}
"""Rows (of each file) whose letter is swapped for another: noise in both files."""


def planted_letters() -> pd.DataFrame:
    """700 rows of the letters example, with its own noise and a few more swapped labels."""
    frame = pd.read_csv(EXAMPLES / "letters_sample.csv", dtype=str, keep_default_na=False)
    frame = frame.head(700).copy()
    for offset, rows in ((0, PLANTED["train"]), (450, PLANTED["test"])):
        for row in rows:
            label = frame.at[offset + row, "label"]
            frame.at[offset + row, "label"] = "Z" if label != "Z" else "A"
    return frame


def scanned_two_files(folder: Path) -> tuple[Path, Path, Path]:
    """train.csv (450 rows of :func:`planted_letters`) and test.csv (250, its own line
    endings), scanned together into ``out``."""
    frame = planted_letters()
    train, test = folder / "train.csv", folder / "test.csv"
    frame.iloc[:450].to_csv(train, index=False)
    frame.iloc[450:].to_csv(test, index=False, lineterminator="\r\n")
    scan(train, folder / "out", "--test", str(test), *FAST)
    return train, test, folder / "out"


@pytest.fixture(scope="module")
def mostly_unlabelled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    """The SMS sample with 95% of its labels hidden; returns the file and the true labels."""
    frame = pd.read_csv(EXAMPLES / "sms_sample.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(EXAMPLES / "sms_sample.truth.csv", dtype=str)
    labels = frame["label"].to_numpy().copy()
    labels[truth["row"].astype(int)] = truth["true_label"].to_numpy()  # the clean labels
    rng = np.random.default_rng(0)
    kept = rng.random(len(frame)) < 0.05
    path = tmp_path_factory.mktemp("label") / "sms.csv"
    frame.assign(label=np.where(kept, labels, "")).to_csv(path, index=False)
    return path, labels


@pytest.fixture(scope="module")
def sms_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sms") / "report"
    result = runner.invoke(
        app,
        [
            "scan",
            str(EXAMPLES / "sms_sample.csv"),
            "--id",
            "message_id",
            "--out",
            str(out),
            "--jobs",
            "1",
            "--format",
            "plain",
        ],
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def letters() -> pd.DataFrame:
    """2,000 rows of the UCI letters table with some labels changed: 26 classes, 16 numbers."""
    return pd.read_csv(EXAMPLES / "letters_sample.csv")


@pytest.fixture
def dataset(tmp_path, letters):
    """The same rows as one Parquet file and as a folder of three parts."""
    whole = tmp_path / "letters.parquet"
    letters.to_parquet(whole)
    parts = tmp_path / "parts"
    parts.mkdir()
    for number, rows in enumerate(np.array_split(np.arange(len(letters)), 3)):
        letters.iloc[rows].to_parquet(parts / f"part-{number}.parquet")
    return whole, parts


def _quality_on_example(name: str, **options) -> tuple[float, float, float]:
    """(AP of the ranking, precision of the flags, gain in label accuracy if all accepted)."""
    truth = pd.read_csv(EXAMPLES / f"{name}.truth.csv", dtype=str)
    report = databugs.scan(EXAMPLES / f"{name}.csv", jobs=1, **options)
    rows = report.rows
    is_error = rows["row"].isin(truth["row"].astype(int)).to_numpy()
    ap = average_precision_score(is_error, -rows["label_quality"].to_numpy())
    flagged = rows["is_label_issue"].to_numpy()
    precision = (flagged & is_error).sum() / max(flagged.sum(), 1)
    true_labels = rows["given_label"].to_numpy().copy()
    true_labels[truth["row"].astype(int)] = truth["true_label"].to_numpy()
    before = (rows["given_label"].to_numpy() == true_labels).mean()
    after = (rows["suggested_label"].to_numpy() == true_labels).mean()
    return ap, precision, after - before


# --- detectors -------------------------------------------------------------------------------

CONFIDENT = [0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]


def _clean_block() -> tuple[list[int], list[list[float]]]:
    targets = [0, 1, 2] * 4
    return targets, [list(CONFIDENT[t]) for t in targets]


def _kinds(report: databugs.Report, kind: str) -> list:
    return [issue for issue in report.issues if issue.kind == kind]


def table_context(frame: pd.DataFrame, label: str = "label") -> Context:
    """A detector's context for a table, as a scan would build it, with an uninformed model
    (every class equally likely): for detectors that read the cells, not the probabilities."""
    labels = [None if pd.isna(value) else str(value) for value in frame[label]]
    classes = sorted({text for text in labels if text is not None})
    labelled = np.array([row for row, text in enumerate(labels) if text is not None])
    targets = np.array([classes.index(labels[row]) for row in labelled])
    uniform = np.full((len(labelled), len(classes)), 1 / len(classes))
    return Context(
        frame=frame,
        label_column=label,
        labels=labels,
        classes=classes,
        labelled=labelled,
        targets=targets,
        probabilities=uniform,
        label_quality=uniform[:, 0],
        features=build_features(frame, exclude=[label]),
        folds=5,
        canonical=labels,
    )


def read_like_a_file(path: Path) -> pd.DataFrame:
    """A CSV file as databugs reads it: every cell the text written in it."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# --- annotators ------------------------------------------------------------------------------


def make_annotated_blobs() -> pd.DataFrame:
    """Blobs with a label column and three annotators; ann_c calls every bird a dog, ann_b
    answers 80% of rows."""
    frame = make_blobs_table(240, seed=3)
    rng = np.random.default_rng(1)
    truth = frame["label"].to_numpy()
    frame["ann_a"] = truth
    frame["ann_b"] = np.where(rng.random(len(truth)) < 0.1, "cat", truth)
    frame["ann_c"] = np.where(truth == "bird", "dog", truth)
    frame.loc[rng.random(len(truth)) < 0.2, "ann_b"] = ""
    return frame


@pytest.fixture
def annotated_csv(tmp_path: Path) -> Path:
    """:func:`make_annotated_blobs` as a CSV file."""
    path = tmp_path / "animals.csv"
    make_annotated_blobs().to_csv(path, index=False)
    return path
