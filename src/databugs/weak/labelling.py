"""``databugs label``: rules -> votes -> rule analysis -> label model -> end model -> labels.

1. Every rule votes on every row (see :mod:`databugs.rules`).
2. Each rule is described: coverage, overlaps, conflicts and, on rows that already have a label,
   its accuracy.
3. A label model (:mod:`databugs.label_model`) turns the votes into a label and a confidence per
   row, learning each rule's accuracy from the votes and from the labelled rows. Where rows are
   labelled, it is compared with plain majority vote on them and the better one is used: on
   TREC's six classes with sparse rules, majority vote was right on 100% of the labelled rows
   the rules covered and the label model on 84%; on SMS spam, 75% and 92%.
4. An end model (the scan's default model on the same features) is trained on the labelled rows
   plus the confident weak labels, so that rows no rule covers get labels too; where rules
   voted, its (out-of-fold) probabilities are averaged with the rules'. Ties are not labels.
5. A labelled row whose label both the rules and the end model confidently contradict is a
   likely misannotation (kind ``rule_conflict``), the bridge to ``databugs scan``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from databugs.annotators.read import annotation_texts
from databugs.data.features import FeatureSet
from databugs.data.io import LoadedTable
from databugs.data.keys import row_ids
from databugs.data.table import Columns, open_table
from databugs.data.validate import check_between, check_label_column
from databugs.errors import DatabugsError, ErrorCode, option
from databugs.models.oof import out_of_fold_probabilities
from databugs.models.zoo import make_model, resolve_model_name
from databugs.weak.label_model import ABSTAIN, fit_label_model, vote_shares
from databugs.weak.rules import LabellingRule, load_rules, typed_frame

LOW_ACCURACY = 0.5
MIN_ROWS_FOR_ACCURACY = 5


@dataclass
class WeakLabels:
    """What ``databugs label`` found; ``rows`` is the content of ``weak_labels.csv``."""

    source: LoadedTable
    label: str
    classes: list[str]
    rules: list[dict[str, Any]]
    rows: pd.DataFrame
    conflicts: list[dict[str, Any]]
    summary: dict[str, Any]
    options: dict[str, Any] = field(default_factory=dict)


def label_data(
    data: pd.DataFrame | str | os.PathLike[str],
    *,
    rules: str | os.PathLike[str],
    label: str | None = None,
    id: str | None = None,
    text: Sequence[str] = (),
    ignore: Sequence[str] = (),
    classes: Sequence[str] | None = None,
    min_confidence: float = 0.5,
    folds: int = 5,
    model: str = "auto",
    seed: int = 0,
    jobs: int | None = None,
) -> WeakLabels:
    """Label the rows of ``data`` from ``rules`` (a YAML or Python file); see the module doc."""
    check_between("min_confidence", min_confidence, 0, 1)
    table, columns, features = open_table(
        data, label=label, id=id, text=text, ignore=ignore, label_rule=_label_column
    )
    frame, source = table.frame, str(table.path)
    label, id_column = columns.label, columns.id
    loaded, names, votes, gold = _votes(frame, Path(rules), columns, features, classes, source)
    covered = (votes != ABSTAIN).any(axis=1)
    combiner, unanchored, anchored, accuracies, judged = _combine(votes, gold, len(names))
    rule_table = _analyse_rules(loaded, votes, gold, accuracies, names)
    probabilities, trained = _end_model(
        features,
        gold,
        anchored,
        covered,
        min_confidence,
        len(names),
        model=model,
        folds=folds,
        seed=seed,
        jobs=jobs,
    )
    rows = _weak_rows(
        frame, id_column, gold, anchored, probabilities, covered, min_confidence, names
    )
    conflicts = _conflicts(
        gold,
        unanchored,
        probabilities,
        trained,
        covered,
        min_confidence,
        names,
        row_ids(frame, id_column),
    )
    summary = _summary(frame, gold, rows, len(conflicts)) | {"combiner": combiner, **judged}
    model = resolve_model_name(model, features.kind)
    options = dict(rules=str(rules), label=label, id=id_column, min_confidence=min_confidence)
    options |= {"model": model, "folds": folds, "seed": seed}
    return WeakLabels(table, label, names, rule_table, rows, conflicts, summary, options)


def _votes(
    frame: pd.DataFrame,
    rules: Path,
    columns: Columns,
    features: FeatureSet,
    classes: Sequence[str] | None,
    source: str,
) -> tuple[list[LabellingRule], list[str], np.ndarray, np.ndarray]:
    """The rules, the classes, every rule's vote on every row (rows x rules, class indices,
    -1 abstains) and each row's known class (-1: unlabelled)."""
    typed = typed_frame(frame)
    loaded = load_rules(rules, typed, features.text_columns)
    written = [rule.apply(frame, typed) for rule in loaded]
    label = columns.label
    gold_text = annotation_texts(frame[label]) if label in frame.columns else [None] * len(frame)
    names = _classes(loaded, written, gold_text, classes, source)
    index = {name: position for position, name in enumerate(names)}
    votes = np.array(
        [[ABSTAIN if v is None else index[v] for v in column] for column in written], dtype=int
    ).T.reshape(len(frame), len(loaded))
    gold = np.array([ABSTAIN if g is None else index[g] for g in gold_text], dtype=int)
    return loaded, names, votes, gold


def _combine(
    votes: np.ndarray, gold: np.ndarray, n_classes: int
) -> tuple[str, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    """Label model or majority vote, whichever is right more often on the labelled rows the
    rules cover (the label model when no row is labelled).

    Returns the choice, its posteriors without and with the known labels, each rule's accuracy
    as the label model learned it, and the accuracies the choice was made on."""
    model = fit_label_model(votes, n_classes, np.full(len(gold), ABSTAIN))
    shares = vote_shares(votes, n_classes)
    judged = (gold != ABSTAIN) & (votes != ABSTAIN).any(axis=1)
    scores = {
        "label_model_accuracy": _accuracy(model.posteriors[judged].argmax(axis=1), gold[judged]),
        "majority_vote_accuracy": _accuracy(shares[judged].argmax(axis=1), gold[judged]),
        "checked_on_labelled_rows": int(judged.sum()),
    }
    anchored = fit_label_model(votes, n_classes, gold)
    if judged.any() and scores["majority_vote_accuracy"] >= scores["label_model_accuracy"]:
        known = np.eye(n_classes)[gold[gold != ABSTAIN]]
        with_gold = shares.copy()
        with_gold[gold != ABSTAIN] = known
        return "majority vote", shares, with_gold, anchored.accuracies, scores
    return "label model", model.posteriors, anchored.posteriors, anchored.accuracies, scores


def _label_column(frame: pd.DataFrame, label: str | None, *, source: str) -> str:
    """The label column, or ``label``, the one ``--write`` adds, when the data has none.
    A column named with ``--label`` must exist (a typo would otherwise feed the real labels to
    the model as a feature)."""
    try:
        return check_label_column(frame, label, source=source)
    except DatabugsError as error:
        if label is not None or "several" in error.message or "label" in frame.columns:
            raise
        return "label"


def _classes(
    rules: list[LabellingRule],
    votes: list[list[str | None]],
    gold: list[str | None],
    declared: Sequence[str] | None,
    source: str,
) -> list[str]:
    for rule, column in zip(rules, votes, strict=True):
        given = {v for v in column if v is not None}
        if not given:
            raise DatabugsError(
                f"rule {rule.name!r} matches no row of {source}",
                code=ErrorCode.BAD_LABELLING_RULE,
                hint="fix or remove the rule",
            )
        known = {g for g in gold if g is not None}
        for vote in sorted(given - known):
            twin = next(
                (g for g in sorted(known) if g.strip().casefold() == vote.strip().casefold()), None
            )
            if twin is not None:
                raise DatabugsError(
                    f"rule {rule.name!r} votes {vote!r}; the data writes that label {twin!r}",
                    code=ErrorCode.BAD_LABELLING_RULE,
                )
        outside = sorted(given - set(declared)) if declared else []
        if outside:
            raise DatabugsError(
                f"rule {rule.name!r} votes {outside[0]!r}, not one of {option('classes')}",
                code=ErrorCode.BAD_LABELLING_RULE,
            )
    known = {g for g in gold if g is not None} | {v for c in votes for v in c if v is not None}
    names = sorted(set(declared) | known) if declared else sorted(known)
    if len(names) < 2:
        raise DatabugsError(
            f"{source}: labels and rules name only {len(names)} class",
            code=ErrorCode.TOO_FEW_CLASSES,
        )
    return names


def _analyse_rules(
    rules: list[LabellingRule],
    votes: np.ndarray,
    gold: np.ndarray,
    accuracies: np.ndarray,
    classes: list[str],
) -> list[dict[str, Any]]:
    """Per rule: polarity, coverage, overlaps, conflicts, accuracy on labelled rows."""
    voted = votes != ABSTAIN
    labelled = gold != ABSTAIN
    table = []
    for position, rule in enumerate(rules):
        mine = voted[:, position]
        others = np.delete(voted, position, axis=1)
        other_votes = np.delete(votes, position, axis=1)
        disagree = (others & (other_votes != votes[:, [position]])).any(axis=1)
        on_gold = mine & labelled
        correct = int((votes[on_gold, position] == gold[on_gold]).sum())
        checked = int(on_gold.sum())
        entry = {
            "name": rule.name,
            "polarity": sorted({classes[v] for v in votes[mine, position]}),
            "coverage": round(float(mine.mean()), 6),
            "rows": int(mine.sum()),
            "overlaps": round(float(others[mine].any(axis=1).mean()), 6) if mine.any() else 0.0,
            "conflicts": round(float(disagree[mine].mean()), 6) if mine.any() else 0.0,
            "labelled_rows": checked,
            "correct": correct,
            "incorrect": checked - correct,
            "accuracy": round(correct / checked, 6) if checked else None,
            "learned_accuracy": round(float(accuracies[position]), 6),
        }
        entry["warning"] = _warning(entry)
        table.append(entry)
    return table


def _warning(entry: dict[str, Any]) -> str | None:
    checked = entry["labelled_rows"] >= MIN_ROWS_FOR_ACCURACY
    if checked and entry["accuracy"] < LOW_ACCURACY:
        return (
            f"{entry['name']} is right on {entry['accuracy']:.0%} of the "
            f"{entry['labelled_rows']} labelled rows it covers"
        )
    return None


def _end_model(
    features: FeatureSet,
    gold: np.ndarray,
    posteriors: np.ndarray,
    covered: np.ndarray,
    min_confidence: float,
    n_classes: int,
    *,
    model: str,
    folds: int,
    seed: int,
    jobs: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Class probabilities of every row from a model trained on gold + confident weak labels:
    out-of-fold for the training rows, from a model fitted on all of them for the others."""
    confident = covered & ~_tied(posteriors) & (posteriors.max(axis=1) >= min_confidence)
    trained = (gold != ABSTAIN) | confident
    targets = np.where(gold != ABSTAIN, gold, posteriors.argmax(axis=1))
    probabilities = np.zeros((len(gold), n_classes))
    if len(np.unique(targets[trained])) < 2:
        probabilities[covered] = posteriors[covered]  # no end model: nothing for uncovered rows
        return probabilities, trained
    rows = np.flatnonzero(trained)
    name = resolve_model_name(model, features.kind)
    oof = out_of_fold_probabilities(
        features.matrix[rows],
        features.kind,
        targets[rows],
        n_classes,
        model=name,
        folds=folds,
        seed=seed,
        jobs=jobs,
    )
    probabilities[rows] = oof.probabilities
    rest = np.flatnonzero(~trained)
    if len(rest):
        estimator = make_model(name, features.kind, seed)
        with threadpool_limits(limits=1), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            estimator.fit(features.matrix[rows], targets[rows])
            probabilities[np.ix_(rest, estimator.classes_)] = estimator.predict_proba(
                features.matrix[rest]
            )
    return probabilities, trained


def _weak_rows(
    frame: pd.DataFrame,
    id_column: str | None,
    gold: np.ndarray,
    posteriors: np.ndarray,
    probabilities: np.ndarray,
    covered: np.ndarray,
    min_confidence: float,
    classes: list[str],
) -> pd.DataFrame:
    combined = np.where(covered[:, None], (posteriors + probabilities) / 2, probabilities)
    best, confidence = combined.argmax(axis=1), combined.max(axis=1)
    confidence[_tied(combined) & (min_confidence > 0)] = (
        0.0  # a tie (ham 1 vote, spam 1) is no label
    )
    labels: list[str | None] = []
    sources: list[str | None] = []
    for row in range(len(frame)):
        if gold[row] != ABSTAIN:
            labels.append(classes[gold[row]])
            sources.append("gold")
            confidence[row] = 1.0
        elif confidence[row] >= min_confidence:
            labels.append(classes[best[row]])
            sources.append("rules" if covered[row] else "model")
        else:
            labels.append(None)
            sources.append(None)
    return pd.DataFrame(
        {
            "row": np.arange(len(frame)),
            "id": row_ids(frame, id_column),
            "weak_label": labels,
            "confidence": np.round(confidence, 6),
            "label_source": sources,
        }
    )


def _tied(probabilities: np.ndarray) -> np.ndarray:
    """Rows whose two likeliest classes are equally likely."""
    ordered = np.sort(probabilities, axis=1)
    return np.isclose(ordered[:, -1], ordered[:, -2])


def _conflicts(
    gold: np.ndarray,
    rules_view: np.ndarray,
    model_view: np.ndarray,
    trained: np.ndarray,
    covered: np.ndarray,
    min_confidence: float,
    classes: list[str],
    ids: list[str | None],
) -> list[dict[str, Any]]:
    """Labelled rows that confident rules and the (out-of-fold) end model both contradict."""
    found = []
    for row in np.flatnonzero((gold != ABSTAIN) & covered & trained):
        by_rules, by_model = rules_view[row].argmax(), model_view[row].argmax()
        sure = min(rules_view[row, by_rules], model_view[row, by_model])
        if by_rules == by_model != gold[row] and sure >= min_confidence:
            found.append(
                {
                    "kind": "rule_conflict",
                    "row": int(row),
                    "id": ids[row],
                    "given_label": classes[gold[row]],
                    "suggested_label": classes[by_rules],
                    "score": round(float(sure), 6),
                    "group": None,
                    "detail": f"rules ({rules_view[row, by_rules]:.0%}) and model "
                    f"({model_view[row, by_model]:.0%}) both say {classes[by_rules]!r}",
                }
            )
    found.sort(key=lambda issue: (-issue["score"], issue["row"]))
    return [{"rank": rank, **issue} for rank, issue in enumerate(found, start=1)]


def _summary(
    frame: pd.DataFrame, gold: np.ndarray, rows: pd.DataFrame, conflicts: int
) -> dict[str, Any]:
    """How many rows got a label, and from where."""
    unlabelled = gold == ABSTAIN
    sources = rows["label_source"]
    return {
        "rows": len(frame),
        "labelled": int((~unlabelled).sum()),
        "unlabelled": int(unlabelled.sum()),
        "labelled_by_rules": int((sources == "rules").sum()),
        "labelled_by_model": int((sources == "model").sum()),
        "left_unlabelled": int(rows["weak_label"].isna().sum()),
        "coverage_of_unlabelled": round(
            float(rows["weak_label"][unlabelled].notna().mean()) if unlabelled.any() else 1.0, 6
        ),
        "rule_conflicts": conflicts,
    }


def _accuracy(predicted: np.ndarray, truth: np.ndarray) -> float | None:
    return round(float((predicted == truth).mean()), 6) if len(truth) else None
