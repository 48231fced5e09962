"""The best label per item and each annotator's quality: CROWDLAB (cleanlab) or Dawid-Skene.

CROWDLAB weighs the annotators' agreement with the model's out-of-fold probabilities, so it
needs a fitted scan; without features, Dawid-Skene (``truth``) finds both from the answers
alone. Per-annotator confusions and the class pairs annotators split on come from the labels.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from databugs.annotators.agreement import MISSING, agreement_figures, class_agreement
from databugs.annotators.truth import infer_truth
from databugs.errors import DatabugsError, ErrorCode

MIN_ROWS_FOR_CONFUSION = 5
"""An annotator's confusion of class X is only named when they labelled X rows this often."""
UNWEIGHED = 1e-5
"""CROWDLAB's floor weight (1e-6): an annotator it judges no better than always answering the
most common class. When every annotator is there, its consensus is the model's guess alone and
overrules three agreeing annotators (spam at 15%, annotators right 90% of the time)."""


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
    model: str = "crowdlab"
    """What found the consensus: ``crowdlab`` (answers and the model), ``dawid-skene`` (the
    answers) or ``dawid-skene+model`` (the answers, then the model as one more witness)."""
    gold: np.ndarray | None = None
    """Per labelled row: the known class of a gold item, -1 elsewhere (None: no gold)."""
    posterior: np.ndarray | None = None
    """Per labelled row: Dawid-Skene's P(true class | answers) (None for CROWDLAB)."""


def analyse(
    every_item: np.ndarray,
    labelled: np.ndarray,
    names: list[str],
    classes: list[str],
    probabilities: np.ndarray,
) -> AnnotatorAnalysis:
    """CROWDLAB consensus and annotator quality, agreement figures, per-annotator confusions;
    the answers' own consensus (Dawid-Skene) where CROWDLAB weighs no annotator at all.

    Agreement is measured on ``every_item`` (items x annotators); consensus needs the model's
    out-of-fold ``probabilities``, which exist for the ``labelled`` items only, so the
    per-row and per-annotator parts are aligned with those.
    """
    matrix = every_item[labelled]
    annotated = (matrix != MISSING).any(axis=1)  # rows no annotator labelled get no consensus
    per_item, stats, weights = _crowdlab(matrix, annotated, names, probabilities)
    if (weights <= UNWEIGHED).all():
        return analyse_answers(every_item, labelled, names, classes, model=probabilities)
    consensus = np.full(len(matrix), MISSING)
    consensus[annotated] = per_item["consensus_label"].to_numpy(dtype=int)
    consensus_quality = np.full(len(matrix), np.nan)
    consensus_quality[annotated] = per_item["consensus_quality_score"].to_numpy(dtype=float)
    agreement_per_item = np.full(len(matrix), np.nan)
    agreement_per_item[annotated] = per_item["annotator_agreement"].to_numpy(dtype=float)
    return _analysis(
        every_item,
        labelled,
        names,
        classes,
        Consensus(consensus, consensus_quality, agreement_per_item),
        {name: _stat(stats, name, "annotator_quality") for name in names},
        {name: _stat(stats, name, "agreement_with_consensus") for name in names},
    )


def analyse_answers(
    every_item: np.ndarray,
    labelled: np.ndarray,
    names: list[str],
    classes: list[str],
    gold: np.ndarray | None = None,
    model: np.ndarray | None = None,
) -> AnnotatorAnalysis:
    """The same analysis from the answers: Dawid-Skene consensus (its posterior of the chosen
    class is the consensus quality) and each annotator's estimated accuracy.

    ``gold`` (per item, class index or -1) anchors the model and is checked against each
    annotator's answers. ``model`` (the labelled rows' out-of-fold probabilities) joins the
    answers as one more independent witness: the posterior times its odds against the classes'
    shares."""
    estimate = infer_truth(every_item, len(classes), gold=gold)
    posterior = estimate.posterior.copy()
    if model is not None:
        posterior[labelled] = _with_witness(posterior[labelled], model)
    answered = (every_item != MISSING).any(axis=1)
    chosen = np.where(answered, posterior.argmax(axis=1), MISSING)
    agree = (every_item == chosen[:, None]) & (every_item != MISSING)
    answers = (every_item != MISSING).sum(axis=1)
    per_item = Consensus(
        chosen[labelled],
        np.where(answered, posterior.max(axis=1), np.nan)[labelled],
        np.divide(agree.sum(axis=1), answers, out=np.full(len(answers), np.nan), where=answers > 0)[
            labelled
        ],
    )
    agreement = agree.sum(axis=0) / np.maximum(estimate.answers, 1)
    analysis = _analysis(
        every_item,
        labelled,
        names,
        classes,
        per_item,
        {n: _rounded(estimate.accuracy[i]) for i, n in enumerate(names)},
        {n: _rounded(agreement[i]) if estimate.answers[i] else None for i, n in enumerate(names)},
    )
    analysis.model = "dawid-skene" if model is None else "dawid-skene+model"
    analysis.posterior = posterior[labelled]
    add_gold(analysis, every_item, labelled, gold)
    return analysis


def _with_witness(posterior: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """The answers' posterior and the model's probabilities as independent evidence."""
    belief = posterior * probabilities / np.maximum(probabilities.mean(axis=0), 1e-12)
    return belief / np.maximum(belief.sum(axis=1, keepdims=True), 1e-300)


def add_gold(
    analysis: AnnotatorAnalysis,
    every_item: np.ndarray,
    labelled: np.ndarray,
    gold: np.ndarray | None,
) -> None:
    """Mark the gold rows (never flagged) and give each annotator their accuracy on gold."""
    if gold is None or not (gold != MISSING).any():
        return
    analysis.gold = gold[labelled]
    _add_gold_accuracy(analysis.annotators, every_item, gold, analysis.names)


@dataclass(frozen=True)
class Consensus:
    """Per labelled row: consensus class (-1: none), its quality, the annotators' agreement."""

    label: np.ndarray
    quality: np.ndarray
    agreement: np.ndarray


def _analysis(
    every_item: np.ndarray,
    labelled: np.ndarray,
    names: list[str],
    classes: list[str],
    consensus: Consensus,
    quality: dict[str, float | None],
    agreement: dict[str, float | None],
) -> AnnotatorAnalysis:
    """Per-annotator table (worst first), confusions against the consensus, agreement figures."""
    matrix = every_item[labelled]
    confusions = np.zeros((len(names), len(classes), len(classes)), dtype=int)
    for annotator, column in enumerate(matrix.T):
        present = (column != MISSING) & (consensus.label != MISSING)
        np.add.at(confusions[annotator], (consensus.label[present], column[present]), 1)
    table = [
        {
            "name": name,
            "rows": int((every_item[:, index] != MISSING).sum()),
            "agreement": agreement[name],
            "quality": quality[name],
            "worst_confusion": _worst_confusion(confusions[index], classes),
        }
        for index, name in enumerate(names)
    ]
    # worst first; an annotator who labelled no labelled row has no quality and comes last
    table.sort(key=lambda entry: (entry["quality"] is None, entry["quality"] or 0, entry["name"]))
    return AnnotatorAnalysis(
        names=names,
        matrix=matrix,
        consensus=consensus.label,
        consensus_quality=consensus.quality,
        agreement_per_item=consensus.agreement,
        annotators=table,
        agreement=agreement_figures(every_item, names, len(classes))
        | {"class_agreement": class_agreement(confusions, names, classes)},
        confusions=confusions,
        class_pairs=disputed_pairs(every_item, classes),
        annotation_counts=(every_item != MISSING).sum(axis=1),
    )


def _rounded(value: float) -> float | None:
    return None if value != value else round(float(value), 6)


def _add_gold_accuracy(
    table: list[dict[str, Any]], every_item: np.ndarray, gold: np.ndarray, names: list[str]
) -> None:
    """Each annotator's accuracy on the gold items they answered, beside the estimate."""
    column = {name: index for index, name in enumerate(names)}
    for entry in table:
        answers = every_item[:, column[entry["name"]]]
        checked = (answers != MISSING) & (gold != MISSING)
        entry["gold_answers"] = int(checked.sum())
        entry["gold_accuracy"] = (
            round(float((answers[checked] == gold[checked]).mean()), 6) if checked.any() else None
        )


def _crowdlab(
    matrix: np.ndarray, annotated: np.ndarray, names: list[str], probabilities: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """CROWDLAB's per-item results, per-annotator statistics and annotator weights for the
    annotated rows."""
    from cleanlab.multiannotator import get_label_quality_multiannotator

    present = [i for i in range(len(names)) if (matrix[:, i] != MISSING).any()]
    if not ((matrix[annotated] != MISSING).sum(axis=1) >= 2).any():
        raise DatabugsError(
            "no labelled row was labelled by two annotators: there is no consensus to find",
            code=ErrorCode.BAD_LABEL,
        )
    labels = pd.DataFrame(
        np.where(matrix[annotated] == MISSING, np.nan, matrix[annotated])[:, present],
        columns=[names[i] for i in present],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cleanlab's notes on annotators with few labels
        result = get_label_quality_multiannotator(
            labels,
            probabilities[annotated],
            verbose=False,
            return_detailed_quality=False,
            return_weights=True,
        )
    return result["label_quality"], result["annotator_stats"], result["annotator_weight"]


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


def disputed_pairs(matrix: np.ndarray, classes: list[str], top: int = 5) -> list[dict]:
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
