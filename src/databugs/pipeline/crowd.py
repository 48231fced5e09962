"""Scans of crowd answers with no feature column: no model, the answers alone.

A table of (item, annotator, label) lines exported from a labelling tool often carries no item
content. Such a scan fits no model: Dawid-Skene (``annotators.truth``) gives each item's
consensus and posterior, which stand in for the model's probabilities, and each annotator's
estimated accuracy. The detectors that need features or a model's view of the rows (label issues,
confusable classes, duplicates) do not run; those that read labels only run as usual.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from databugs.annotators.consensus import add_gold, analyse_answers
from databugs.annotators.gold import gold_indices, gold_labels
from databugs.annotators.read import class_matrix
from databugs.data.exports import ANNOTATOR, EXPORT_FORMATS, ITEM
from databugs.data.io import LoadedTable
from databugs.detectors.base import Context, Issue
from databugs.detectors.label_issues import LabelIssues
from databugs.models.oof import PROBABILITY_FLOOR, OutOfFold
from databugs.models.scoring import label_quality
from databugs.pipeline.prepare import CONSENSUS_COLUMN, LABEL_ONLY, Prepared
from databugs.report.report import Report

NO_MODEL_REASON = (
    "no model was fitted: the data has no usable feature column, so the consensus and the "
    "annotators' quality come from the answers alone (Dawid-Skene)"
)


def export_options(table: LoadedTable, options: dict[str, Any]) -> dict[str, Any]:
    """A labelling tool's export is long annotator data keyed by ``item_id`` unless the options
    say otherwise."""
    if table.format not in EXPORT_FORMATS or options.get("annotators"):
        return options
    return options | {
        "annotator_col": options.get("annotator_col") or ANNOTATOR,
        "id": options.get("id") or ITEM,
    }


def is_label_only(data: Prepared) -> bool:
    """A scan of annotations with nothing to fit a model on."""
    return data.model == LABEL_ONLY


def gold_of(data: Prepared, options: dict[str, Any]) -> np.ndarray | None:
    """Per item, the class index of a gold item (-1 elsewhere); None without gold."""
    if data.annotations is None:
        return None
    labels = gold_labels(data.frame, data.columns.id, options.get("gold"), data.source)
    if labels is None:
        return None
    class_index = {name: index for index, name in enumerate(data.classes)}
    return gold_indices(labels, class_index, str(options.get("gold") or data.source))


def with_gold(context: Context, data: Prepared, gold: np.ndarray | None) -> Context:
    """A fitted scan's context with its gold items marked (CROWDLAB is not anchored by them)."""
    if context.annotators is not None:
        class_index = {name: index for index, name in enumerate(data.classes)}
        every_item = class_matrix(data.annotations, class_index)
        add_gold(context.annotators, every_item, data.labelled, gold)
    return context


def answers_context(
    data: Prepared, *, declared: list[str] | None, seed: int, gold: np.ndarray | None = None
) -> Context:
    """The detectors' context of a label-only scan: the Dawid-Skene posterior is the belief."""
    class_index = {name: index for index, name in enumerate(data.classes)}
    analysis = analyse_answers(
        class_matrix(data.annotations, class_index),
        data.labelled,
        data.annotations.names,
        data.classes,
        gold,
    )
    belief = np.clip(analysis.posterior, PROBABILITY_FLOOR, 1.0)
    belief /= belief.sum(axis=1, keepdims=True)
    return Context(
        frame=data.frame,
        label_column=data.columns.label,
        labels=data.labels,
        classes=data.classes,
        labelled=data.labelled,
        targets=data.targets,
        probabilities=belief,
        label_quality=label_quality(belief, data.targets),
        features=data.features,
        folds=0,
        posterior=belief,
        canonical=data.canonical,
        declared_classes=declared,
        annotators=analysis,
        task=data.task,
        seed=seed,
    )


def no_model(context: Context) -> OutOfFold:
    """What the report records as the scan's models: none."""
    return OutOfFold(probabilities=context.probabilities, model=LABEL_ONLY, folds=0)


GOLD_KIND = LabelIssues.name
"""A label contradicting its gold answer is a misannotation, the surest one."""


def without_gold(issues: list[Issue], context: Context, data: Prepared) -> list[Issue]:
    """Gold answers are right by definition: no finding about a gold row, except that a gold
    row whose label contradicts its gold answer holds a certain error, the first correction
    (its label quality set to 0; findings that suggest its gold answer stay, so that
    ``fix --accept-consensus`` takes it too). Without a label column the labels are the
    consensus, which gold answers anchor: nothing there to contradict."""
    gold = None if context.annotators is None else context.annotators.gold
    if gold is None:
        return issues
    answers = {int(context.labelled[p]): context.classes[g] for p, g in enumerate(gold) if g >= 0}
    if data.columns.label == CONSENSUS_COLUMN:
        return [issue for issue in issues if issue.row not in answers]
    contradicted = np.flatnonzero((gold >= 0) & (gold != context.targets))
    context.label_quality[contradicted] = 0.0
    kept = [
        issue
        for issue in issues
        if issue.row not in answers
        or (
            issue.kind != GOLD_KIND
            and issue.given_label != answers[issue.row] == issue.suggested_label
        )
    ]
    return [
        _gold_correction(context, position, int(gold[position])) for position in contradicted
    ] + kept


def _gold_correction(context: Context, position: int, gold: int) -> Issue:
    row = int(context.labelled[position])
    answer = context.classes[gold]
    return Issue(
        kind=GOLD_KIND,
        row=row,
        severity=1.0,
        message=f"the gold answer is {answer!r}",
        given_label=context.labels[row],
        suggested_label=answer,
        details={"gold": answer},
    )


def annotate_report(report: Report, data: Prepared, context: Context) -> None:
    """Say in the report what found the consensus, the repeats dropped, the model not fitted."""
    annotations, analysis = data.annotations, context.annotators
    if annotations is None or analysis is None:
        return
    report.agreement = {**(report.agreement or {}), "consensus_model": analysis.model}
    notes = []
    if is_label_only(data):
        report.input["label_only"] = NO_MODEL_REASON
        notes.append(NO_MODEL_REASON)
    if annotations.repeats:
        notes.append(
            f"repeated answers: {annotations.repeats} times an annotator answered an item again "
            f"({annotations.changed} with a different answer); each keeps their latest answer"
        )
    single = int((analysis.annotation_counts == 1).sum())
    if single:
        notes.append(f"items with one answer only: {single} (their consensus rests on it)")
    if analysis.gold is not None:
        notes.append(
            f"gold items: {int((analysis.gold >= 0).sum())}; they anchor the consensus "
            "and are never flagged"
        )
    report.agreement["repeated_answers"] = annotations.repeats
    report.agreement["single_answer_items"] = single
    report.notes[:0] = notes
