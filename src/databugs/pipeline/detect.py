"""The scan's third stage: the detectors' shared context, every detector's issues, one ranking."""

from __future__ import annotations

from collections.abc import Sequence

from databugs.annotators.consensus import analyse
from databugs.annotators.read import class_matrix
from databugs.detectors.base import Context, Detector, Issue, is_correction
from databugs.models.calibration import calibrate
from databugs.models.oof import OutOfFold
from databugs.models.scoring import label_quality
from databugs.pipeline.prepare import Prepared
from databugs.pipeline.rank import rank_issues


def detection_context(
    data: Prepared, oof: OutOfFold, *, declared: list[str] | None, seed: int
) -> Context:
    """What every detector reads, computed once: calibrated probabilities, the posterior of
    each row's class, label quality, annotators. Calibration is fitted on the training rows
    when there is a test split (``calibrate``)."""
    held_out = data.held_out
    trained = None if held_out is None else ~held_out
    calibrated = calibrate(oof.probabilities, data.targets, trained)
    annotators = None
    if data.annotations is not None:
        class_index = {name: index for index, name in enumerate(data.classes)}
        annotators = analyse(
            class_matrix(data.annotations, class_index),
            data.labelled,
            data.annotations.names,
            data.classes,
            calibrated.probabilities,
        )
    return Context(
        frame=data.frame,
        label_column=data.columns.label,
        labels=data.labels,
        classes=data.classes,
        labelled=data.labelled,
        targets=data.targets,
        probabilities=calibrated.probabilities,
        label_quality=label_quality(calibrated.posterior, data.targets),
        features=data.features,
        folds=oof.folds,
        posterior=calibrated.posterior,
        noise=calibrated.noise,
        noise_aware=calibrated.noise_aware,
        canonical=data.canonical,
        declared_classes=declared,
        annotators=annotators,
        task=data.task,
        seed=seed,
        splits=data.splits,
        judged_quality=None if held_out is None else label_quality(calibrated.health, data.targets),
    )


def find_issues(
    detectors: Sequence[Detector], context: Context, settled: frozenset[int]
) -> list[Issue]:
    """Every detector's issues, ranked worst first. A correction a reviewer rejected is not
    proposed again, whichever detector proposes it; a class found to be a misspelling is
    reported as that only (:func:`about_a_misspelling`)."""
    found = [i for i in detected(detectors, context) if not (i.row in settled and is_correction(i))]
    renaming = {detector.name for detector in detectors if detector.renames_classes}
    respelled = respelled_rows(renaming, found, context)
    misspelt = {context.canonical[row] for row in respelled}
    return rank_issues(
        i for i in found if not about_a_misspelling(i, misspelt, respelled, renaming)
    )


def detected(detectors: Sequence[Detector], context: Context) -> list[Issue]:
    """The issues of those ``detectors`` that look at data like ``context``'s (its task, and
    the annotators, splits or model they need: ``Detector.looks_at``), unranked."""
    running = [detector for detector in detectors if detector.looks_at(context)]
    return [issue for detector in running for issue in detector.detect(context)]


def respelled_rows(renaming: set[str], found: Sequence[Issue], context: Context) -> dict[int, str]:
    """The rows a ``renaming`` detector moves out of a class that is a misspelling, with the
    class they are moved to. A spelling the reviewer kept (a rejected correction) is a class
    again."""
    classes = set(context.classes)
    return {
        issue.row: issue.suggested_label
        for issue in found
        if issue.kind in renaming
        and is_correction(issue)
        and context.canonical[issue.row] in classes
        and context.canonical[issue.row] != issue.suggested_label
    }


def about_a_misspelling(
    issue: Issue, misspelt: set[str], respelled: dict[int, str], renaming: set[str]
) -> bool:
    """A finding about a misspelt class as a class (its size, its overlap), or another
    detector's correction of one of its rows to another class than the spelling's: those
    were judged with the slip as a class of a few rows (``positivr`` -> ``negative`` beside
    ``positivr`` -> ``positive``). The spelling is the finding; once it is fixed, the next
    scan judges the rows in their class."""
    if not misspelt.isdisjoint(issue.classes):
        return True
    return (
        is_correction(issue)
        and issue.kind not in renaming
        and issue.row in respelled
        and issue.suggested_label != respelled[issue.row]
    )
