"""Several annotators per row: read their labels, measure agreement, find the best label.

Two input shapes become one: a matrix of annotations, items x annotators (class index, -1 where
that annotator did not label the item). Wide data (``--annotators a,b,c``) is that matrix
already; long data (``--annotator-col``, one line per item and annotator) is pivoted on the
``--id`` column, keeping each item's first line as its row.

Agreement figures are implemented here (nominal Krippendorff's alpha, Fleiss' kappa, Cohen's
kappa): the popular ``krippendorff`` package is GPL. Consensus labels and annotator quality come
from cleanlab's CROWDLAB, which also weighs the model's out-of-fold probabilities.
"""

from __future__ import annotations

import itertools
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from databugs.errors import DatabugsError
from databugs.label_model import vote_counts
from databugs.validate import check_label_column, label_text, label_texts

MISSING = -1
MIN_ROWS_FOR_CONFUSION = 5
"""An annotator's confusion of class X is only named when they labelled X rows this often."""


@dataclass
class Annotations:
    """Annotator labels as written, one row per item of ``frame`` (None: not labelled)."""

    frame: pd.DataFrame
    names: list[str]
    labels: list[list[str | None]]
    rows: np.ndarray
    """Position in the data file of each item (its first line, for long data)."""
    long_format: bool = False

    def merged(self, merges: dict[str, str]) -> Annotations:
        """The same annotations with label spelling variants merged into their class."""
        labels = [[None if t is None else merges.get(t, t) for t in row] for row in self.labels]
        return Annotations(self.frame, self.names, labels, self.rows, self.long_format)

    def classes(self) -> set[str]:
        """Every label some annotator gave."""
        return {text for row in self.labels for text in row if text is not None}

    def majority(self) -> list[str | None]:
        """Each item's most frequent label; ties go to the label most frequent overall."""
        overall = Counter(text for row in self.labels for text in row if text is not None)
        majority: list[str | None] = []
        for row in self.labels:
            votes = Counter(text for text in row if text is not None)
            best = max(votes, key=lambda text: (votes[text], overall[text], text), default=None)
            majority.append(best)
        return majority


def read_annotations(
    frame: pd.DataFrame,
    *,
    annotators: Sequence[str],
    annotator_column: str | None,
    label: str | None,
    id_column: str | None,
    source: str,
    ignore: Sequence[str] = (),
) -> Annotations:
    """The annotations of a wide or long table; bad shapes are a DatabugsError (exit 2)."""
    if annotators and annotator_column:
        raise DatabugsError(
            "--annotators and --annotator-col are two ways to give the same thing",
            code="bad_option",
            hint="use --annotators for one column per annotator, --annotator-col for long data",
        )
    if annotator_column:
        return _pivot_long(frame, annotator_column, label, id_column, source, ignore)
    repeated = sorted({name for name in annotators if list(annotators).count(name) > 1})
    if repeated:
        raise DatabugsError(f"--annotators names {repeated[0]!r} twice", code="bad_option")
    missing = [name for name in annotators if name not in frame.columns]
    if missing:
        raise DatabugsError(
            f"{source}: no column {missing[0]!r} (--annotators)",
            code="bad_column",
            hint=f"columns are: {', '.join(map(str, frame.columns))}",
        )
    labels = [annotation_texts(frame[name]) for name in annotators]
    annotations = Annotations(
        frame=frame,
        names=list(annotators),
        labels=[list(row) for row in zip(*labels, strict=True)],
        rows=np.arange(len(frame)),
    )
    _check_shape(annotations, source)
    return annotations


def annotation_texts(values: pd.Series) -> list[str | None]:
    """Labels as written; a number column with gaps (read as floats) gives ``3``, not ``3.0``,
    so that annotators' labels match the label column's."""
    if pd.api.types.is_float_dtype(values):
        whole = values.dropna()
        if len(whole) and (whole == whole.round()).all():
            values = values.astype("Int64")
    return label_texts(values)


def _pivot_long(
    frame: pd.DataFrame,
    annotator_column: str,
    label: str | None,
    id_column: str | None,
    source: str,
    ignore: Sequence[str] = (),
) -> Annotations:
    """One item per id; the item's other columns must agree across its lines."""
    for option, column in (("--annotator-col", annotator_column), ("--id", id_column)):
        if column is None:
            raise DatabugsError(
                "--annotator-col needs --id: the column that says which item a line is about",
                code="bad_option",
            )
        if column not in frame.columns:
            raise DatabugsError(f"{source}: no column {column!r} ({option})", code="bad_column")
    label = check_label_column(frame, label, source=source)  # each line's annotation
    keys = frame[id_column].map(label_text)
    if keys.isna().any():
        line = int(np.flatnonzero(keys.isna().to_numpy())[0])
        raise DatabugsError(f"{source}: row {line}: empty {id_column!r} (--id)", code="bad_id")
    features = [c for c in frame.columns if c not in (annotator_column, label, id_column)]
    item_codes, item_keys = pd.factorize(keys, sort=False)
    first_lines = pd.Series(np.arange(len(frame))).groupby(item_codes).min().to_numpy()
    checked = [c for c in features if c not in ignore]  # e.g. a time stamp per line
    if checked:
        differs = frame[checked].astype("string").fillna("").groupby(item_codes).nunique() > 1
        if differs.to_numpy().any():
            item, column = np.argwhere(differs.to_numpy())[0]
            raise DatabugsError(
                f"{source}: item {item_keys[item]!r} has different {checked[column]!r} values "
                "on its lines",
                code="bad_row",
                hint="every line of an item must carry the same features",
            )
    who = frame[annotator_column].map(label_text)
    names = sorted({name for name in who if name is not None})
    column_of = {name: index for index, name in enumerate(names)}
    labels: list[list[str | None]] = [[None] * len(names) for _ in range(len(item_keys))]
    texts = annotation_texts(frame[label])
    for line, (item, annotator, text) in enumerate(zip(item_codes, who, texts, strict=True)):
        if annotator is None or text is None:
            continue
        if labels[item][column_of[annotator]] is not None:
            raise DatabugsError(
                f"{source}: row {line}: annotator {annotator!r} labels item "
                f"{item_keys[item]!r} a second time",
                code="bad_row",
                hint="keep one line per item and annotator",
            )
        labels[item][column_of[annotator]] = text
    items = frame.iloc[first_lines][[id_column, *features]].reset_index(drop=True)
    annotations = Annotations(
        frame=items, names=names, labels=labels, rows=first_lines, long_format=True
    )
    _check_shape(annotations, source)
    return annotations


def _check_shape(annotations: Annotations, source: str) -> None:
    if len(annotations.names) < 2:
        raise DatabugsError(
            f"{source}: {len(annotations.names)} annotator(s); agreement needs at least two",
            code="bad_option",
        )
    for index, name in enumerate(annotations.names):
        if all(row[index] is None for row in annotations.labels):
            raise DatabugsError(f"{source}: annotator {name!r} labelled no row", code="bad_label")
    if not any(sum(text is not None for text in row) >= 2 for row in annotations.labels):
        raise DatabugsError(
            f"{source}: no row was labelled by two annotators; agreement cannot be measured",
            code="bad_label",
        )


def check_declared(annotations: Annotations, declared: Sequence[str], source: str) -> None:
    """Every annotator label must be one of the declared ``--classes``."""
    known = set(declared)
    for item, row in enumerate(annotations.labels):
        for name, text in zip(annotations.names, row, strict=True):
            if text is not None and text not in known:
                raise DatabugsError(
                    f"{source}: row {annotations.rows[item]}: annotator {name!r} gave "
                    f"{text!r}, not one of --classes",
                    code="bad_label",
                )


def class_matrix(annotations: Annotations, class_index: dict[str, int]) -> np.ndarray:
    """Items x annotators of class indices, -1 where not labelled."""
    return np.array(
        [[MISSING if t is None else class_index[t] for t in row] for row in annotations.labels],
        dtype=int,
    ).reshape(len(annotations.labels), len(annotations.names))


def krippendorff_alpha(matrix: np.ndarray, n_classes: int) -> float:
    """Nominal Krippendorff's alpha from the coincidence matrix; items with < 2 labels skipped."""
    counts = vote_counts(matrix, n_classes)
    pairable = counts[counts.sum(axis=1) >= 2]
    if not len(pairable):
        return float("nan")
    per_item = pairable.sum(axis=1, keepdims=True) - 1
    coincidences = (pairable[:, :, None] * pairable[:, None, :]).astype(float)
    coincidences[:, np.arange(n_classes), np.arange(n_classes)] -= pairable
    coincidences = (coincidences / per_item[:, :, None]).sum(axis=0)
    totals = coincidences.sum(axis=1)
    n = totals.sum()
    observed = coincidences.sum() - np.trace(coincidences)
    expected = (totals.sum() ** 2 - (totals**2).sum()) / (n - 1)
    return float(1 - observed / expected) if expected else 1.0


def fleiss_kappa(matrix: np.ndarray, n_classes: int) -> float:
    """Fleiss' kappa, generalised to items with different numbers of labels (>= 2 each)."""
    return _fleiss_from_counts(vote_counts(matrix, n_classes))


def _fleiss_from_counts(counts: np.ndarray) -> float:
    raters = counts.sum(axis=1)
    counts, raters = counts[raters >= 2], raters[raters >= 2]
    if not len(counts):
        return float("nan")
    agreement = ((counts * (counts - 1)).sum(axis=1) / (raters * (raters - 1))).mean()
    shares = counts.sum(axis=0) / raters.sum()
    chance = float((shares**2).sum())
    return float((agreement - chance) / (1 - chance)) if chance < 1 else 1.0


def percent_agreement(matrix: np.ndarray, n_classes: int) -> float:
    """Share of agreeing pairs among all pairs of labels given to the same item."""
    counts = vote_counts(matrix, n_classes)
    raters = counts.sum(axis=1)
    pairs = (raters * (raters - 1)).sum()
    return float((counts * (counts - 1)).sum() / pairs) if pairs else float("nan")


def cohen_kappa(first: np.ndarray, second: np.ndarray) -> float | None:
    """Cohen's kappa on the items both annotators labelled (None if fewer than 2)."""
    both = (first != MISSING) & (second != MISSING)
    if both.sum() < 2:
        return None
    a, b = first[both], second[both]
    observed = float(np.mean(a == b))
    classes = np.union1d(a, b)
    chance = float(sum(np.mean(a == c) * np.mean(b == c) for c in classes))
    return (observed - chance) / (1 - chance) if chance < 1 else 1.0


@dataclass
class AnnotatorAnalysis:
    """Everything the report says about annotators, computed once per scan."""

    names: list[str]
    matrix: np.ndarray
    consensus: np.ndarray
    consensus_quality: np.ndarray
    agreement_per_item: np.ndarray
    annotators: list[dict[str, Any]]
    agreement: dict[str, Any]
    confusions: np.ndarray
    """Annotators x classes (consensus) x classes (given): label counts."""
    class_pairs: list[dict[str, Any]] = field(default_factory=list)
    annotation_counts: np.ndarray | None = None
    """Labels given to each item (every item, not only the labelled ones)."""


def analyse(
    every_item: np.ndarray,
    labelled: np.ndarray,
    names: list[str],
    classes: list[str],
    probabilities: np.ndarray,
) -> AnnotatorAnalysis:
    """CROWDLAB consensus and annotator quality, agreement figures, per-annotator confusions.

    Agreement is measured on ``every_item`` (items x annotators); consensus needs the model's
    out-of-fold ``probabilities``, which exist for the ``labelled`` items only, so the
    per-row and per-annotator parts are aligned with those.
    """
    from cleanlab.multiannotator import get_label_quality_multiannotator

    matrix = every_item[labelled]
    annotated = (matrix != MISSING).any(axis=1)  # rows no annotator labelled get no consensus
    present = [i for i in range(len(names)) if (matrix[:, i] != MISSING).any()]
    if not ((matrix[annotated] != MISSING).sum(axis=1) >= 2).any():
        raise DatabugsError(
            "no labelled row was labelled by two annotators: there is no consensus to find",
            code="bad_label",
        )
    labels = pd.DataFrame(
        np.where(matrix[annotated] == MISSING, np.nan, matrix[annotated])[:, present],
        columns=[names[i] for i in present],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cleanlab's notes on annotators with few labels
        result = get_label_quality_multiannotator(
            labels, probabilities[annotated], verbose=False, return_detailed_quality=False
        )
    per_item = result["label_quality"]
    consensus = np.full(len(matrix), MISSING)
    consensus[annotated] = per_item["consensus_label"].to_numpy(dtype=int)
    consensus_quality = np.full(len(matrix), np.nan)
    consensus_quality[annotated] = per_item["consensus_quality_score"].to_numpy(dtype=float)
    agreement_per_item = np.full(len(matrix), np.nan)
    agreement_per_item[annotated] = per_item["annotator_agreement"].to_numpy(dtype=float)
    confusions = np.zeros((len(names), len(classes), len(classes)), dtype=int)
    for annotator, column in enumerate(matrix.T):
        present = column != MISSING
        np.add.at(confusions[annotator], (consensus[present], column[present]), 1)
    stats = result["annotator_stats"]
    table = [
        {
            "name": name,
            "rows": int((every_item[:, index] != MISSING).sum()),
            "agreement": _stat(stats, name, "agreement_with_consensus"),
            "quality": _stat(stats, name, "annotator_quality"),
            "worst_confusion": _worst_confusion(confusions[index], classes),
        }
        for index, name in enumerate(names)
    ]
    # worst first; an annotator who labelled no labelled row has no quality and comes last
    table.sort(key=lambda entry: (entry["quality"] is None, entry["quality"] or 0, entry["name"]))
    return AnnotatorAnalysis(
        names=names,
        matrix=matrix,
        consensus=consensus,
        consensus_quality=consensus_quality,
        agreement_per_item=agreement_per_item,
        annotators=table,
        agreement=_agreement(every_item, names, len(classes)),
        confusions=confusions,
        class_pairs=_disputed_pairs(every_item, classes),
        annotation_counts=(every_item != MISSING).sum(axis=1),
    )


def _stat(stats: pd.DataFrame, name: str, column: str) -> float | None:
    """One of CROWDLAB's per-annotator figures (None for one it could not judge)."""
    return round(float(stats.loc[name, column]), 6) if name in stats.index else None


def _worst_confusion(confusion: np.ndarray, classes: list[str]) -> dict[str, Any] | None:
    """The class this annotator most often labels as another: "labels X as Y in 40% of X"."""
    totals = confusion.sum(axis=1)
    off = confusion.astype(float)
    np.fill_diagonal(off, 0)
    shares = np.divide(off, totals[:, None], out=np.zeros_like(off), where=totals[:, None] > 0)
    shares[totals < MIN_ROWS_FOR_CONFUSION] = 0
    given, chosen = np.unravel_index(np.argmax(shares), shares.shape)
    if shares[given, chosen] == 0:
        return None
    return {
        "label": classes[given],
        "as": classes[chosen],
        "share": round(float(shares[given, chosen]), 6),
        "rows": int(totals[given]),
    }


def _agreement(matrix: np.ndarray, names: list[str], n_classes: int) -> dict[str, Any]:
    cohen = {a: {} for a in names}
    for (i, a), (j, b) in itertools.combinations(enumerate(names), 2):
        kappa = cohen_kappa(matrix[:, i], matrix[:, j])
        value = None if kappa is None else round(kappa, 6)
        cohen[a][b] = cohen[b][a] = value
    return {
        "krippendorff_alpha": round(krippendorff_alpha(matrix, n_classes), 6),
        "fleiss_kappa": round(fleiss_kappa(matrix, n_classes), 6),
        "percent": round(percent_agreement(matrix, n_classes), 6),
        "cohen_kappa": cohen,
    }


def _disputed_pairs(matrix: np.ndarray, classes: list[str], top: int = 5) -> list[dict]:
    """Class pairs annotators split on most: where a guideline needs a sentence."""
    disputes: dict[tuple[int, int], list[int]] = {}
    for item, row in enumerate(matrix):
        given = sorted(set(row[row != MISSING].tolist()))
        for pair in itertools.combinations(given, 2):
            disputes.setdefault(pair, []).append(item)
    ranked = sorted(disputes.items(), key=lambda entry: (-len(entry[1]), entry[0]))[:top]
    return [
        {"classes": [classes[a], classes[b]], "items": len(items), "examples": items[:5]}
        for (a, b), items in ranked
    ]
