"""``databugs label``: rules -> votes -> combined votes -> end model -> labels for every row.

1. Every rule votes on every row (see :mod:`databugs.weak.rules`).
2. Each rule is described: coverage, overlaps, conflicts and, on rows that already have a label,
   its accuracy; each class too, and the rows most worth labelling next
   (:mod:`databugs.weak.analysis`).
3. The votes are combined (:mod:`databugs.weak.combine`): majority vote, a label model, or the
   votes weighed by each rule's accuracy on the labelled rows, whichever is right most often
   on the labelled rows the rules cover.
4. An end model (:mod:`databugs.weak.end_model`: the scan's candidate models) is trained on the
   labelled rows plus the rules' labels, so that rows no rule covers get labels too.
5. Where rules voted, the label written is the rules', the end model's or both combined,
   whichever is right more often on the labelled rows (:mod:`databugs.weak.blend`); elsewhere
   the end model's. Every row gets a label and a confidence; ``min_confidence`` leaves empty
   the rows below it.
6. A labelled row whose label both the rules and the end model confidently contradict is a
   likely misannotation (kind ``rule_conflict``), the bridge to ``databugs scan``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from databugs.annotators.read import annotation_texts
from databugs.data.features import FeatureSet
from databugs.data.io import LoadedTable
from databugs.data.keys import row_ids
from databugs.data.table import Columns, open_table
from databugs.data.validate import (
    check_at_least,
    check_between,
    check_label_column,
    check_seed,
)
from databugs.errors import DatabugsError, ErrorCode, option
from databugs.models.zoo import check_model_name
from databugs.weak.analysis import analyse, text_of
from databugs.weak.blend import blend, choose_blend, uncovered_view
from databugs.weak.combine import combine_votes
from databugs.weak.end_model import UNTRAINED, EndModel, fit_end_model
from databugs.weak.label_model import ABSTAIN
from databugs.weak.rules import LabellingRule, load_rules, typed_frame

LOW_ACCURACY = 0.5
MIN_ROWS_FOR_ACCURACY = 5
CONFLICT_CONFIDENCE = 0.5
"""A labelled row is a ``rule_conflict`` when rules and end model both give another class at
least this probability."""


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
    analysis: dict[str, Any] = field(default_factory=dict)
    """Per class coverage and accuracy, weak classes, rows to label (:mod:`.analysis`)."""


def label_data(
    data: pd.DataFrame | str | os.PathLike[str],
    *,
    rules: str | os.PathLike[str],
    label: str | None = None,
    id: str | None = None,
    text: Sequence[str] = (),
    ignore: Sequence[str] = (),
    classes: Sequence[str] | None = None,
    min_confidence: float = 0.0,
    folds: int = 5,
    model: str = "auto",
    seed: int = 0,
    jobs: int | None = None,
) -> WeakLabels:
    """Label the rows of ``data`` from ``rules`` (a YAML or Python file); see the module doc.
    Every row gets a label unless its confidence is below ``min_confidence``."""
    check_between("min_confidence", min_confidence, 0, 1)
    check_seed(seed)
    if jobs is not None:
        check_at_least("jobs", jobs, 1)
    check_model_name(model)
    table, columns, features = open_table(
        data, label=label, id=id, text=text, ignore=ignore, label_rule=_label_column
    )
    frame = table.frame
    loaded, names, votes, gold = _votes(
        frame, Path(rules), columns, features, classes, str(table.path)
    )
    covered = (votes != ABSTAIN).any(axis=1)
    combined = combine_votes(votes, gold, len(names))
    targets = _end_model_targets(gold, combined.posteriors, covered)
    end, trained_on = _best_end_model(
        features, gold, targets, combined.posteriors, model, folds, seed, jobs
    )
    judged = (gold != ABSTAIN) & covered
    chosen, blend_scores = choose_blend(combined.posteriors, end.probabilities, gold, judged)
    uncovered, uncovered_by, uncovered_scores = uncovered_view(
        {"end model": end.probabilities}, gold, covered
    )
    final = np.where(
        covered[:, None], blend(chosen, combined.posteriors, end.probabilities), uncovered
    )
    rows = _weak_rows(frame, columns.id, gold, final, covered, chosen, min_confidence, names)
    ids = row_ids(frame, columns.id)
    conflicts = _conflicts(
        gold, combined.posteriors, end.probabilities, targets, covered, names, ids
    )
    analysis = analyse(votes, gold, final, names, ids, text_of(frame, features.text_columns))
    summary = _summary(gold, rows, len(conflicts)) | combined.scores
    summary |= {"output": chosen, "output_accuracy_on_labelled_rows": blend_scores}
    summary |= {"estimated_accuracy": _estimated_accuracy(final, gold), "end_model": end.models}
    summary |= {"end_model_trained_on": trained_on, "uncovered_rows_labelled_by": uncovered_by}
    summary["uncovered_accuracy_on_labelled_rows"] = uncovered_scores
    rule_table = _analyse_rules(loaded, votes, gold, combined.accuracies, names)
    options = dict(rules=str(rules), label=columns.label, id=columns.id)
    options |= {"min_confidence": min_confidence, "model": model, "folds": folds, "seed": seed}
    return WeakLabels(
        table, columns.label, names, rule_table, rows, conflicts, summary, options, analysis
    )


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
            twin = next((g for g in sorted(known) if _written_alike(g, vote)), None)
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
    strays = sorted({g for g in gold if g is not None} - set(declared)) if declared else []
    if strays:  # a stray label would be a class the model writes on unlabelled rows
        row = next(number for number, label in enumerate(gold) if label == strays[0])
        raise DatabugsError(
            f"{source}: row {row} is labelled {strays[0]!r}, not one of {option('classes')}",
            code=ErrorCode.BAD_LABEL,
            hint=f"correct the label, or add it to {option('classes')}",
        )
    known = {g for g in gold if g is not None} | {v for c in votes for v in c if v is not None}
    names = sorted(set(declared) | known) if declared else sorted(known)
    if len(names) < 2:
        raise DatabugsError(
            f"{source}: labels and rules name only {len(names)} class",
            code=ErrorCode.TOO_FEW_CLASSES,
        )
    return names


def _written_alike(label: str, vote: str) -> bool:
    """One label written two ways: case and outer spaces aside, or one number (``1`` and
    ``1.0``: a column of whole numbers with empty cells is often saved as floats)."""
    if label.strip().casefold() == vote.strip().casefold():
        return True
    try:
        return float(label) == float(vote)
    except ValueError:
        return False


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


def _end_model_targets(gold: np.ndarray, posteriors: np.ndarray, covered: np.ndarray) -> np.ndarray:
    """What the end model learns: the labelled rows' labels, and the rules' likeliest class on
    the other rows they cover (not where two classes tie)."""
    weak = covered & (gold == ABSTAIN) & ~_tied(posteriors)
    return np.where(gold != ABSTAIN, gold, np.where(weak, posteriors.argmax(axis=1), UNTRAINED))


def _end_model(
    features: FeatureSet,
    targets: np.ndarray,
    posteriors: np.ndarray,
    model: str,
    folds: int,
    seed: int,
    jobs: int | None,
) -> EndModel:
    """The end model, or the rules' posteriors where there is one class only to learn."""
    if len(np.unique(targets[targets != UNTRAINED])) < 2:
        return EndModel(posteriors, ())
    return fit_end_model(
        features, targets, posteriors.shape[1], model=model, folds=folds, seed=seed, jobs=jobs
    )


MIN_GOLD_FOR_GOLD_ONLY = 20
"""Labelled rows needed before a model trained on them alone is considered."""
TRAINED_ON = ("labelled rows and the rules' labels", "labelled rows only")


def _best_end_model(
    features: FeatureSet,
    gold: np.ndarray,
    targets: np.ndarray,
    posteriors: np.ndarray,
    model: str,
    folds: int,
    seed: int,
    jobs: int | None,
) -> tuple[EndModel, str]:
    """The end model trained on the labelled rows plus the rules' labels, or on the labelled
    rows alone, whichever is right more often on the labelled rows out of fold: with many
    labelled rows and rules right on 73% of the rows they cover (BBC News, 5% labelled), the
    rules' labels made the end model worse (0.909 vs 0.925).

    The rows no rule covers take the same model: offering them the other one as well (chosen
    on the labelled uncovered rows) made TweetEval emotions worse, 0.617 -> 0.595 at 5% gold."""
    with_rules = _end_model(features, targets, posteriors, model, folds, seed, jobs)
    known = gold != ABSTAIN
    if known.sum() < MIN_GOLD_FOR_GOLD_ONLY or np.bincount(gold[known]).max() < 2:
        return with_rules, TRAINED_ON[0]
    alone = _end_model(features, gold, posteriors, model, folds, seed, jobs)
    right = [
        (m.probabilities[known].argmax(axis=1) == gold[known]).mean() for m in (with_rules, alone)
    ]
    if right[1] > right[0]:
        return alone, TRAINED_ON[1]
    return with_rules, TRAINED_ON[0]


def _weak_rows(
    frame: pd.DataFrame,
    id_column: str | None,
    gold: np.ndarray,
    final: np.ndarray,
    covered: np.ndarray,
    chosen: str,
    min_confidence: float,
    classes: list[str],
) -> pd.DataFrame:
    """``weak_labels.csv``: every row's label, confidence and where the label came from."""
    best, confidence = final.argmax(axis=1), final.max(axis=1).copy()
    by_rules = {"rules": "rules", "end model": "model"}.get(chosen, "rules+model")
    labelled = gold != ABSTAIN
    shown = ~labelled & (confidence >= min_confidence) & ~(_tied(final) & (min_confidence > 0))
    source = np.where(covered, by_rules, "model").astype(object)
    confidence[labelled] = 1.0
    return pd.DataFrame(
        {
            "row": np.arange(len(frame)),
            "id": row_ids(frame, id_column),
            "weak_label": [
                classes[gold[r]] if labelled[r] else classes[best[r]] if shown[r] else None
                for r in range(len(frame))
            ],
            "confidence": np.round(confidence, 6),
            "label_source": np.where(labelled, "gold", np.where(shown, source, None)),
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
    targets: np.ndarray,
    covered: np.ndarray,
    classes: list[str],
    ids: list[str | None],
) -> list[dict[str, Any]]:
    """Labelled rows that confident rules and the (out-of-fold) end model both contradict."""
    found = []
    for row in np.flatnonzero((gold != ABSTAIN) & covered & (targets != UNTRAINED)):
        by_rules, by_model = rules_view[row].argmax(), model_view[row].argmax()
        sure = min(rules_view[row, by_rules], model_view[row, by_model])
        if by_rules == by_model != gold[row] and sure >= CONFLICT_CONFIDENCE:
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


def _summary(gold: np.ndarray, rows: pd.DataFrame, conflicts: int) -> dict[str, Any]:
    """How many rows got a label, and from where."""
    unlabelled = gold == ABSTAIN
    sources = rows["label_source"]
    return {
        "rows": len(rows),
        "labelled": int((~unlabelled).sum()),
        "unlabelled": int(unlabelled.sum()),
        "labelled_by_rules": int(sources.isin(["rules", "rules+model"]).sum()),
        "labelled_by_model": int((sources == "model").sum()),
        "left_unlabelled": int(rows["weak_label"].isna().sum()),
        "coverage_of_unlabelled": round(
            float(rows["weak_label"][unlabelled].notna().mean()) if unlabelled.any() else 1.0, 6
        ),
        "rule_conflicts": conflicts,
    }


def _estimated_accuracy(final: np.ndarray, gold: np.ndarray) -> float | None:
    """How often the written labels are right, on the labelled rows (whose views never saw
    their labels)."""
    known = gold != ABSTAIN
    return _accuracy(final[known].argmax(axis=1), gold[known])


def _accuracy(predicted: np.ndarray, truth: np.ndarray) -> float | None:
    return round(float((predicted == truth).mean()), 6) if len(truth) else None
