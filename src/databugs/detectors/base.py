"""What every detector shares: the issue it reports and the context it reads.

Detectors only read arrays computed once (out-of-fold probabilities, label quality); they never
fit models and never print.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # types only: renderers ask detectors about their kinds without these
    from databugs.annotators.consensus import AnnotatorAnalysis
    from databugs.data.features import FeatureSet
    from databugs.data.splits import Splits
    from databugs.models.multilabel import TagAnalysis


@dataclass(frozen=True)
class Issue:
    """One finding. ``severity`` is in [0, 1], 1 being the worst.

    ``row`` is the 0-based position in the data (None for a dataset-level finding); rows of one
    finding about several rows share a ``group``. ``columns`` are the data columns the finding
    tells of, shown first in its row's content preview; ``classes`` the classes a finding about
    classes as such (their size, their overlap) is about: it is not reported once another
    finding shows such a class is a misspelling (:attr:`Detector.renames_classes`).
    """

    kind: str
    row: int | None
    severity: float
    message: str
    given_label: str | None = None
    suggested_label: str | None = None
    group: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    columns: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()


def is_correction(issue: Issue) -> bool:
    """An issue about one row that proposes a different label for it."""
    return (
        issue.row is not None
        and issue.suggested_label is not None
        and issue.suggested_label != issue.given_label
    )


@dataclass
class Context:
    """Everything detectors may read, computed once by the pipeline.

    ``labels`` holds each row's label exactly as written (None where unlabelled), ``canonical``
    the class it counts as once spelling variants are merged; ``labelled`` the positions of
    labelled rows; ``targets`` their class indices into ``classes``; ``probabilities`` and
    ``label_quality`` are out-of-fold and aligned with ``labelled``: ``probabilities`` are the
    calibrated P(true class | row), ``posterior`` P(true class | row, given label) and
    ``label_quality`` the posterior of the given label; ``noise`` is ``T[true, given]``.
    ``declared_classes`` are the classes the user said the data should have (``--classes``), if
    any; ``annotators`` the analysis of several annotators' labels (aligned with ``labelled``),
    when the data has them; ``folds`` the out-of-fold folds, 0 where no model was fitted
    (crowd answers alone: the belief is their consensus).
    ``task`` is the kind of labels (``classification``: one class per row; ``multilabel``: a
    set of tags per row, then ``tags`` holds them and their out-of-fold analysis, ``labels``
    the cells as written and ``canonical`` each row's tag set in one spelling); ``seed`` the
    scan's seed, for every random choice a detector makes; ``splits`` each row's split (train,
    valid, test) when the data has them. A ``regression`` scan has no classes: ``values`` holds
    the numbers to predict (aligned with ``labelled``) and ``targets`` is -1.
    ``judged_quality`` is each label's health where it differs from ``label_quality`` (with a
    test split: ``Calibrated.health``), else None.
    """

    frame: pd.DataFrame
    label_column: str
    labels: list[str | None]
    classes: list[str]
    labelled: np.ndarray
    targets: np.ndarray
    probabilities: np.ndarray
    label_quality: np.ndarray
    features: FeatureSet
    folds: int
    posterior: np.ndarray | None = None
    noise: np.ndarray | None = None
    noise_aware: bool = True
    canonical: list[str | None] = field(default_factory=list)
    declared_classes: list[str] | None = None
    annotators: AnnotatorAnalysis | None = None
    task: str = "classification"
    seed: int = 0
    splits: Splits | None = None
    tags: TagAnalysis | None = None
    values: np.ndarray | None = None
    judged_quality: np.ndarray | None = None
    shared: dict[Any, Any] = field(default_factory=dict)

    def computed_once(self, key: Any, compute: Callable[[], Any]) -> Any:
        """A derived array several detectors need (e.g. normalised row content), made once."""
        if key not in self.shared:
            self.shared[key] = compute()
        return self.shared[key]

    @property
    def label_health_scores(self) -> np.ndarray:
        """Per labelled row, the chance its label is right, on a scale that does not move
        with how the scan ranks (tag sets: ``TagScores.health``; with a test split,
        ``judged_quality``)."""
        if self.tags is not None:
            return self.tags.scores.health
        return self.label_quality if self.judged_quality is None else self.judged_quality

    def class_counts(self) -> np.ndarray:
        """Rows per class, in the order of ``classes``."""
        return np.bincount(self.targets, minlength=len(self.classes))

    def memberships(self) -> np.ndarray:
        """Boolean per labelled row and class: the row is of that class (classification) or
        carries that tag (multi-label); no columns for a regression. Detectors that compare
        groups of rows (a column empty in one class, class shares per split) read this, so
        one path serves every task. Made once per scan."""

        def compute() -> np.ndarray:
            if self.tags is not None:
                return self.tags.sets.matrix.astype(bool)
            return self.targets[:, None] == np.arange(len(self.classes))[None, :]

        return self.computed_once("memberships", compute)


class Detector(ABC):
    """One kind of data bug. Subclasses set ``name`` (the issue kind) and ``description``.

    A detector's settings are the keyword-only arguments of its ``__init__``, with defaults
    (config: ``[tool.databugs.detectors.<name>]``). ``flags_labels`` marks the detector whose
    issues are the likely misannotations: label health, the reports' "worst labels" and the
    given -> suggested plot are about its flags. ``figure_names`` are the summary figures it
    adds (:meth:`figures`), which gate rules may name. ``renames_classes`` marks a detector
    whose corrections moving a class's rows to another class say the first is a misspelling of
    the second: a typo class's size and overlap are the typo's, so findings about it as a class
    (``Issue.classes``: rare, imbalanced, confusable) are not reported beside it.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    flags_labels: ClassVar[bool] = False
    renames_classes: ClassVar[bool] = False
    figure_names: ClassVar[tuple[str, ...]] = ()
    tasks: ClassVar[tuple[str, ...]] = ("classification",)
    """The tasks (``Context.task``) whose data this detector reads; a scan of another task
    does not run it."""
    needs: ClassVar[tuple[str, ...]] = ()
    """What the data must hold for this detector to look (``"annotators"``: several
    annotators' labels; ``"splits"``: a test split; ``"model"``: rows' content and a model
    fitted on it, which a scan of crowd answers alone has not). A scan runs only the
    detectors that look (:meth:`looks_at`), and its report has sections for those only, where
    "none found" would say it looked."""

    @classmethod
    def looks_at(cls, context: Context) -> bool:
        """Whether this detector reads data like ``context``'s: its task, and what it needs."""
        held = {
            "annotators": context.annotators is not None,
            "splits": context.splits is not None,
            "model": context.folds > 0,
        }
        return context.task in cls.tasks and all(held[need] for need in cls.needs)

    @classmethod
    def settings(cls) -> dict[str, Any]:
        """The settings this detector takes, with their defaults."""
        parameters = inspect.signature(cls.__init__).parameters.values()
        return {p.name: p.default for p in parameters if p.kind is p.KEYWORD_ONLY}

    @classmethod
    def figures(cls, context: Context, issues: list[Issue]) -> dict[str, Any]:
        """Summary figures from this detector's (ranked, final) issues, named ``figure_names``.

        Asked of every detector, also one not run (then with no issues), so that a summary has
        the same figures whichever detectors ran."""
        return {}

    def merge_labels(self, labels: Sequence[str | None]) -> dict[str, str]:
        """Label spellings to merge before training (variant -> canonical); none by default."""
        return {}

    @abstractmethod
    def detect(self, context: Context) -> list[Issue]:
        """Return the issues found, in any order; ranking happens later."""
