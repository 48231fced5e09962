"""Multi-label out-of-fold probabilities: P(tag present | row) for every tag, from models that
never saw the row, and what cleanlab makes of them.

The folds are the scan's (seeded, stratified, here on each row's rarest tag). Forests learn
every tag at once (one fit per fold, a multi-output forest); other models learn one tag at a
time (one-vs-rest). As for classes, each candidate's probabilities count by how well it fits
the given tags out of fold, tag by tag (``oof.combine``). Each tag's cuts for adding or
removing it are chosen out of fold too (:func:`flip_thresholds`), not 0.5.
"""

from __future__ import annotations

import warnings
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.model_selection import KFold, StratifiedKFold

from databugs.data.tags import TagSets
from databugs.errors import DatabugsError, ErrorCode
from databugs.models.calibration import calibrate
from databugs.models.engines import Engine, LocalEngine
from databugs.models.folds import cross_folds, splits_around
from databugs.models.oof import (
    PROBABILITY_FLOOR,
    beside_text,
    candidate_names,
    combine,
    forests_on_every_core,
)
from databugs.models.zoo import Estimator, is_forest, make_model


@dataclass(frozen=True)
class TagOutOfFold:
    """Out-of-fold P(tag) (rows x tags), each tag's cuts for adding and removing it, the
    models."""

    probabilities: np.ndarray
    add_above: np.ndarray
    remove_below: np.ndarray
    model: str
    folds: int
    models: tuple[dict[str, Any], ...] = ()


def tag_probabilities(
    matrix: np.ndarray | sp.csr_matrix,
    kind: str,
    tags: np.ndarray,
    *,
    model: str = "auto",
    folds: int = 5,
    seed: int = 0,
    jobs: int | None = None,
    engine: Engine | None = None,
    held_out: np.ndarray | None = None,
    table: np.ndarray | None = None,
) -> TagOutOfFold:
    """Fit each candidate in each fold on the 0/1 tag matrix ``tags`` (rows x tags) and predict
    the held-out rows; combine the candidates tag by tag; choose each tag's threshold.
    ``held_out`` rows (a test split) are in no fold: models fitted on all the other rows
    predict them (:func:`folds.splits_around`). With ``table`` (a text's neighbouring columns,
    ``FeatureSet.table``) and automatic models, the table candidates fitted on those columns
    are candidates too."""
    tags = np.asarray(tags, dtype=np.int8)
    if tags.shape[1] < 1 or len(tags) < 2:
        raise DatabugsError("no tags to learn from", code=ErrorCode.TOO_FEW_CLASSES)
    views = [(name, matrix, make_model(name, kind, seed)) for name in candidate_names(model, kind)]
    views += beside_text(table, kind, model, seed)
    names = [name for name, _, _ in views]
    splits = splits_around(lambda kept: tag_folds(tags[kept], folds, seed), len(tags), held_out)
    engine = engine or LocalEngine(jobs)
    estimators, engine = forests_on_every_core([e for _, _, e in views], engine, len(splits))
    fitted = [(m, e) for (_, m, _), e in zip(views, estimators, strict=True)]
    candidates = np.zeros((len(views), *tags.shape))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; constant tags in a fold
        runs = engine.run_folds(_fit_predict_tags, (fitted, tags), splits)
        with closing(runs) as results:
            for test, predicted in results:
                candidates[:, test] = predicted
    candidates = np.clip(candidates, PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR)
    probabilities, models = _combine_per_tag(names, candidates, tags)
    add_above, remove_below = flip_thresholds(probabilities, tags)
    return TagOutOfFold(
        probabilities=probabilities,
        add_above=add_above,
        remove_below=remove_below,
        model=" + ".join(names),
        folds=cross_folds(splits, held_out),
        models=models,
    )


def tag_folds(tags: np.ndarray, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Seeded folds stratified on each row's rarest tag (rows with none form one group), so
    that a rare tag has rows to learn from in every fold it can; at most as many folds as the
    largest group has rows, and plain folds where every group is a single row (each row's
    rarest tag is on it alone: nothing to stratify on)."""
    counts = tags.sum(axis=0)
    rarity = np.where(tags > 0, counts[None, :], np.iinfo(np.int64).max)
    group = np.where(tags.any(axis=1), rarity.argmin(axis=1), -1)
    largest = int(np.unique(group, return_counts=True)[1].max())
    if largest < 2:
        plain = KFold(max(2, min(folds, len(tags))), shuffle=True, random_state=seed)
        return list(plain.split(tags))
    splitter = StratifiedKFold(
        n_splits=max(2, min(folds, largest)), shuffle=True, random_state=seed
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class")
        return list(splitter.split(np.zeros(len(tags)), group))


def _fit_predict_tags(
    views: list[tuple[np.ndarray | sp.csr_matrix, Estimator]],
    tags: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The held-out rows' P(tag), one layer per (matrix, estimator) view."""
    predicted = np.zeros((len(views), len(test), tags.shape[1]))
    for layer, (matrix, estimator) in zip(predicted, views, strict=True):
        layer[:] = _predict_tags(estimator, matrix[train], tags[train], matrix[test])
    return test, predicted


def _predict_tags(
    template: Estimator,
    train: np.ndarray | sp.csr_matrix,
    tags: np.ndarray,
    test: np.ndarray | sp.csr_matrix,
) -> np.ndarray:
    """A forest fits every tag at once; another model one tag at a time. A tag constant in the
    training part is predicted as that constant."""
    predicted = np.tile(tags.mean(axis=0), (test.shape[0], 1))
    varying = np.flatnonzero(tags.min(axis=0) != tags.max(axis=0))
    if not len(varying):
        return predicted
    if is_forest(template):
        forest = clone(template).fit(train, tags[:, varying])
        outputs = forest.predict_proba(test)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        for tag, output in zip(varying, outputs, strict=True):
            predicted[:, tag] = output[:, 1]
        return predicted
    for tag in varying:
        predicted[:, tag] = clone(template).fit(train, tags[:, tag]).predict_proba(test)[:, 1]
    return predicted


def _combine_per_tag(
    names: list[str], candidates: np.ndarray, tags: np.ndarray
) -> tuple[np.ndarray, tuple[dict[str, Any], ...]]:
    """Each tag's candidates weighted by their out-of-fold fit to that tag; the summary gives
    each model's mean weight, mean accuracy and mean log loss over the tags that vary (a tag
    on every row fits every model alike)."""
    combined = np.zeros(tags.shape)
    summaries = []
    varying = _varying(tags)
    for tag in range(tags.shape[1]):
        present = candidates[:, :, tag]
        pairs = np.stack([1 - present, present], axis=2)
        probabilities, summary = combine(names, pairs, tags[:, tag].astype(int))
        combined[:, tag] = probabilities[:, 1]
        if varying[tag] or not varying.any():
            summaries.append(summary)
    models = tuple(
        {
            "name": name,
            **{
                key: round(float(np.mean([s[i][key] for s in summaries])), 6)
                for key in ("weight", "accuracy", "log_loss")
            },
        }
        for i, name in enumerate(names)
    )
    return combined, models


CERTAINTY = 0.95
"""How sure the out-of-fold evidence must be before a tag is added or removed: among rows the
model scores like this one, at least this share carry the tag (or lack it). A tag's given value
is itself strong evidence (each tag is wrong on few rows), so a flip needs much more than 0.5;
the smoothing in :func:`flip_thresholds` already asks a stretch of at least 18 rows."""


def flip_thresholds(
    probabilities: np.ndarray, tags: np.ndarray, *, certainty: float = CERTAINTY
) -> tuple[np.ndarray, np.ndarray]:
    """Each tag's cuts, chosen out of fold: add the tag above ``add_above``, remove it below
    ``remove_below``. The share of rows carrying the tag as the probability rises is fitted
    (isotonic, so it only rises), each stretch of equal share counted by the rule of
    succession, ``(carriers + 1) / (rows + 2)``: a stretch of a few rows proves little. The
    cuts are where that share passes ``certainty`` and falls under ``1 - certainty``; a tag
    the model cannot tell gets cuts it never reaches, and a tag whose surest stretches look
    dirtier on one side is flipped only towards that side (:func:`flip_directions`).

    >>> p = np.linspace(0, 1, 201)[:, None]
    >>> add, remove = flip_thresholds(p, (p > 0.5).astype(int))
    >>> float(add[0]), float(remove[0])
    (0.505, 0.5)
    """
    add_above = np.full(tags.shape[1], np.inf)
    remove_below = np.full(tags.shape[1], -np.inf)
    for tag in range(tags.shape[1]):
        scores, share = _succession_shares(probabilities[:, tag], tags[:, tag])
        base = float(tags[:, tag].mean())
        wanted_share, unwanted_share = _required_shares(base, certainty)
        may_add, may_remove = flip_directions(share, base)
        if may_add and (sure := scores[share >= wanted_share]).size:
            add_above[tag] = sure.min()
        if may_remove and (sure := scores[share <= unwanted_share]).size:
            remove_below[tag] = sure.max()
    return add_above, remove_below


SIDES_ALIKE = 1.1
"""Two sides whose contradictions (:func:`flip_directions`) are within this factor of each
other look alike: a perfectly told tag has pure stretches at both ends, a row or two apart
in size (on the 40 cases of :func:`flip_directions` 1.1 lowers 2; 1.0, 1.25 and 1.5 lower 3;
2.0 lowers 4)."""


def flip_directions(share: np.ndarray, base: float) -> tuple[bool, bool]:
    """Whether a tag may be added, and removed, given the smoothed share of carriers along the
    sorted scores (:func:`_succession_shares`) and the tag's share of rows. Wrong values show
    where the model is surest: a tag dropped by mistake as rows lacking it among its likeliest
    rows, a tag added by mistake as rows carrying it among its least likely. The side whose
    surest stretch holds fewer of them, for the tag's own share, is the cleaner one, and its
    contradictions are more the model's errors than the labels': the tag is flipped only
    towards the side that looks dirtier, both ways when the two look alike. On the pool's
    five multi-label sets (one tag removed or added on 10% of rows, noise seeds 0-3: 40
    cases) accepting every suggestion lowered exact-set accuracy on 14 cases without this
    (30% of the changed rows right), on 2 with it (73% right; docs/benchmarks.md).

    >>> flip_directions(np.array([0.001, 0.5, 0.86]), 0.16)  # rows lacking it at the top
    (True, False)
    """
    if not 0 < base < 1:
        return True, True
    at_top = (1 - share.max()) / (1 - base)
    at_bottom = share.min() / base
    return bool(at_top * SIDES_ALIKE >= at_bottom), bool(at_bottom * SIDES_ALIKE >= at_top)


def _required_shares(base: float, certainty: float) -> tuple[float, float]:
    """The share of carriers above which a tag is added, and below which it is removed: at
    least ``certainty`` (``1 - certainty``), and evidence ``certainty / (1 - certainty)``
    times the tag's own odds: a tag on 95% of all rows is no news where 95% carry it.

    >>> [round(x, 3) for x in _required_shares(0.5, 0.95)], _required_shares(0.9, 0.95)[0] > 0.99
    ([0.95, 0.05], True)
    """
    factor = certainty / (1 - certainty)
    odds = max(base, 1e-9) / max(1 - base, 1e-9)
    wanted = max(certainty, factor * odds / (1 + factor * odds))
    unwanted = min(1 - certainty, (odds / factor) / (1 + odds / factor))
    return wanted, unwanted


def _succession_shares(scores: np.ndarray, given: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The scores sorted, and the smoothed share of carriers in each one's isotonic stretch."""
    from sklearn.isotonic import IsotonicRegression

    order = np.argsort(scores, kind="stable")
    scores, given = scores[order], given[order].astype(float)
    fitted = IsotonicRegression(y_min=0, y_max=1).fit_transform(scores, given)
    starts = np.flatnonzero(np.r_[True, np.diff(fitted) != 0])
    sizes = np.diff(np.r_[starts, len(scores)])
    carriers = np.add.reduceat(given, starts)
    return scores, np.repeat((carriers + 1) / (sizes + 2), sizes)


ROW_SCORES = ("softmin", "ratio_soft", "ratio0_soft")
"""How a row's tag set is scored, each the softmin of one number per tag: ``softmin`` the
self-confidence of the tag's given value; ``ratio_soft`` that over the mean self-confidence of
the rows with the same given value of the tag, capped at 1 (a tag the model is unsure of on
every row does not drown the others); ``ratio0_soft`` the ratio for absent tags only. No one
score wins on every data set, so each scan chooses (:func:`choose_row_score`)."""

SOFTMIN_TEMPERATURE = 0.1
"""cleanlab's softmin temperature: the row's least believed tag weighs most."""

PLANTED_SHARE = 0.1
PLANTINGS = 3
MIN_PLANTED = 10
"""A choice among :data:`ROW_SCORES` plants one-tag flips into ``PLANTED_SHARE`` of the rows,
``PLANTINGS`` times; with fewer than ``MIN_PLANTED`` planted rows it would be noise, and the
scan keeps ``softmin``."""


def tag_quality(tags: np.ndarray, probabilities: np.ndarray, score: str = "softmin") -> np.ndarray:
    """Label quality of each row's tag set: one of :data:`ROW_SCORES` over the tags that vary.
    cleanlab's default moving average ranked worse than its softmin (mean AP 0.249 vs 0.272
    on 20 cases of the pool's five multi-label sets, one tag removed or added)."""
    if score not in ROW_SCORES:
        raise ValueError(f"unknown row score {score!r}: one of {', '.join(ROW_SCORES)}")
    varying = _varying(tags)
    if not varying.any():
        return np.ones(len(tags))
    tags, probabilities = tags[:, varying] > 0, probabilities[:, varying]
    confidence = np.where(tags, probabilities, 1 - probabilities)
    if score != "softmin":
        confidence = _group_ratio(confidence, tags, absent_only=score == "ratio0_soft")
    return _softmin(confidence)


def tag_health(
    tags: np.ndarray, probabilities: np.ndarray, fitted_on: np.ndarray | None = None
) -> np.ndarray:
    """Per row, the estimated chance that its whole tag set is right: over the tags that vary,
    the product of the posterior of each given value, every tag calibrated and noise-aware as
    a class scan's labels are (:func:`calibrate`, fitted on the ``fitted_on`` rows). The
    model's own belief (a row's softmin quality) barely moves with the noise: on emotions,
    0.447 with clean tags and 0.435 with one removed from 10% of the rows. With 10% of the
    rows given one wrong tag, this health is 0.89 times the clean tags' on average (16 cases of
    four of the pool's sets, 0.78-0.96; the truth: 0.90), the softmin 0.96 times."""
    health = np.ones(len(tags))
    for tag in np.flatnonzero(_varying(tags)):
        given = (tags[:, tag] > 0).astype(int)
        pairs = np.c_[1 - probabilities[:, tag], probabilities[:, tag]]
        health *= calibrate(pairs, given, fitted_on).health[np.arange(len(given)), given]
    return health


def _group_ratio(confidence: np.ndarray, tags: np.ndarray, *, absent_only: bool) -> np.ndarray:
    """Each self-confidence over the mean of its (tag, given value) group, capped at 1: the
    tags on one scale, without favouring absent tags as cleanlab's ``adjust_pred_probs`` does
    (which loses badly where tags were added). ``absent_only`` keeps present tags' as they
    are."""
    present = (confidence * tags).sum(axis=0) / tags.sum(axis=0)
    absent = (confidence * ~tags).sum(axis=0) / (~tags).sum(axis=0)
    ratio = np.minimum(1.0, confidence / np.where(tags, present, absent))
    return np.where(tags, confidence, ratio) if absent_only else ratio


def _softmin(scores: np.ndarray) -> np.ndarray:
    """Each row's scores averaged with weights ``softmax(-score / temperature)``."""
    weights = np.exp(-(scores - scores.min(axis=1, keepdims=True)) / SOFTMIN_TEMPERATURE)
    return (scores * weights).sum(axis=1) / weights.sum(axis=1)


def choose_row_score(tags: np.ndarray, probabilities: np.ndarray, *, seed: int = 0) -> str:
    """The score of :data:`ROW_SCORES` that ranks planted one-tag flips first
    (:func:`planted_aps`). Over 20 cases of five multi-label sets this choice reached the
    recipe's AP on 17 (softmin alone 14), mean AP 0.287 vs 0.272."""
    return _best_score(planted_aps(plantings(tags, probabilities, seed)))


def _best_score(aps: dict[str, float]) -> str:
    """The row score with the highest planted AP; ties go to the earlier in :data:`ROW_SCORES`."""
    return max(ROW_SCORES, key=aps.__getitem__)


@dataclass(frozen=True)
class Planting:
    """One planting of :func:`plant_flips`: the planted rows, and each of :data:`ROW_SCORES`
    computed on the planted tags."""

    rows: np.ndarray
    quality: dict[str, np.ndarray]


def plantings(tags: np.ndarray, probabilities: np.ndarray, seed: int) -> list[Planting]:
    """``PLANTINGS`` seeded plantings (seeds ``seed``, ``seed + 1``, ...) scored by every row
    score, or none where fewer than ``MIN_PLANTED`` rows would be planted. The probabilities
    are not refitted: a planted flip is a given tag the same model disagrees with, as a real
    error is. Flips go into the tags that vary only: a tag on every row is left out of every
    row score, and a flip of it, found by all of them alike, made the choice a coin toss
    (a constant tag added to the letters' tags: health 80% -> 62%)."""
    varying = _varying(tags)
    if round(PLANTED_SHARE * len(tags)) < MIN_PLANTED or not varying.any():
        return []
    tags, probabilities = tags[:, varying], probabilities[:, varying]
    planted = []
    for planting in range(PLANTINGS):
        changed, rows = plant_flips(tags, PLANTED_SHARE, seed + planting)
        scores = {score: tag_quality(changed, probabilities, score) for score in ROW_SCORES}
        planted.append(Planting(rows=rows, quality=scores))
    return planted


def planted_aps(planted: list[Planting]) -> dict[str, float]:
    """Each row score's mean average precision on the planted rows; with no plantings,
    ``softmin`` first (ties go to the earlier score)."""
    from sklearn.metrics import average_precision_score

    if not planted:
        return {score: float(score == ROW_SCORES[0]) for score in ROW_SCORES}
    return {
        score: float(
            np.mean([average_precision_score(p.rows, 1 - p.quality[score]) for p in planted])
        )
        for score in ROW_SCORES
    }


FLAG_ENRICHMENT = 2.0
"""A flagged set must hold planted flips at least this many times as densely as the data
does: cleanlab's filter alone flagged 40-65% of the rows of four of the five multi-label sets
at precision 0.12-0.26, and 96-100% of cal500's (174 tags). Within the cut, on 20 cases of the
pool's five sets: 15% of the rows flagged, precision 0.29, recall 0.41 (was 55%, 0.21, 0.82),
and none of cal500's."""


def flag_cut(planted: list[Planting], score: str) -> float:
    """The quality at or below which a row can be flagged: that of the largest set of lowest
    ``score`` rows (at least ``MIN_PLANTED``) in which planted flips are at least
    ``FLAG_ENRICHMENT`` times their share (both averaged over the plantings). The data's own
    errors count against the set, so the bound is conservative. ``inf`` with no plantings
    (too few rows to judge); ``-inf`` where no such set exists: the models cannot tell the
    tags apart, and flags would be a random draw of rows."""
    if not planted:
        return np.inf
    rows = len(planted[0].rows)
    precision, cut = np.zeros(rows), np.zeros(rows)
    for planting in planted:
        order = np.argsort(planting.quality[score], kind="stable")
        precision += np.cumsum(planting.rows[order]) / np.arange(1, rows + 1) / len(planted)
        cut += planting.quality[score][order] / len(planted)
    share = np.mean([planting.rows.mean() for planting in planted])
    dense = np.flatnonzero(precision >= FLAG_ENRICHMENT * share)
    dense = dense[dense >= MIN_PLANTED - 1]
    return float(cut[dense.max()]) if dense.size else -np.inf


def plant_flips(tags: np.ndarray, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The tags with one tag flipped on ``share`` of the rows (seeded), half of them a present
    tag removed and half an absent tag added (the kind of a scan's errors is unknown), and
    the mask of the planted rows."""
    rng = np.random.default_rng(seed)
    wanted = max(2, round(share * len(tags)))
    can_remove = np.flatnonzero(tags.any(axis=1))
    removed = rng.choice(can_remove, min(wanted // 2, len(can_remove)), replace=False)
    can_add = np.setdiff1d(np.flatnonzero(~tags.all(axis=1)), removed)
    added = rng.choice(can_add, min(wanted - len(removed), len(can_add)), replace=False)
    planted = tags.copy()
    for row in removed:
        planted[row, rng.choice(np.flatnonzero(tags[row] > 0))] = 0
    for row in added:
        planted[row, rng.choice(np.flatnonzero(tags[row] == 0))] = 1
    rows = np.zeros(len(tags), dtype=bool)
    rows[np.r_[removed, added].astype(int)] = True
    return planted, rows


def tag_issues(tags: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Rows whose tag set cleanlab's confident learning finds likely wrong (a boolean mask)."""
    from cleanlab.multilabel_classification.filter import find_label_issues

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        varying = _varying(tags)
        if not varying.any():
            return np.zeros(len(tags), dtype=bool)
        return find_label_issues(
            _cleanlab_labels(tags[:, varying]), probabilities[:, varying], n_jobs=1
        )


def _varying(tags: np.ndarray) -> np.ndarray:
    """Tags some rows carry and some lack: a tag on every row (or none) is no evidence, and
    cleanlab needs both values of each tag."""
    return tags.min(axis=0) != tags.max(axis=0)


def _cleanlab_labels(tags: np.ndarray) -> list[list[int]]:
    return [np.flatnonzero(row).tolist() for row in tags]


@dataclass(frozen=True)
class TagChange:
    """A suggested change of one row's tag set: tag indices to add and to remove."""

    add: tuple[int, ...]
    remove: tuple[int, ...]

    def applied(self, given: np.ndarray) -> np.ndarray:
        """The row's 0/1 tags once changed."""
        changed = given.copy()
        changed[list(self.add)] = 1
        changed[list(self.remove)] = 0
        return changed


def suggest_change(given: np.ndarray, row: int, oof: TagOutOfFold) -> TagChange:
    """The tag to flip in one row: the given value the model contradicts most surely (a tag
    present below its ``remove_below`` cut, or absent above its ``add_above`` cut), or none.
    A flagged row's tag set is mostly right: flipping one clear contradiction keeps the rest."""
    probabilities = oof.probabilities[row]
    present = given > 0
    against = _contradicted(given, probabilities, oof)
    if not against.any():
        return TagChange(add=(), remove=())
    belief = np.where(present, probabilities, 1 - probabilities)  # in the given value
    tag = int(np.flatnonzero(against)[belief[against].argmin()])
    return TagChange(add=() if present[tag] else (tag,), remove=(tag,) if present[tag] else ())


def _contradicted(given: np.ndarray, probabilities: np.ndarray, oof: TagOutOfFold) -> np.ndarray:
    """Where the given tags (a row, or rows x tags) pass their cuts the wrong way."""
    present = given > 0
    return np.where(present, probabilities <= oof.remove_below, probabilities >= oof.add_above)


def tag_flags(tags: np.ndarray, oof: TagOutOfFold, quality: np.ndarray, cut: float) -> np.ndarray:
    """cleanlab's flags, kept where the row's quality is at most ``cut`` (:func:`flag_cut`) or
    one of its tags is surely wrong (a suggestion is never dropped)."""
    sure = _contradicted(tags, oof.probabilities, oof).any(axis=1)
    return tag_issues(tags, oof.probabilities) & ((quality <= cut) | sure)


def flagged_changes(
    tags: np.ndarray, oof: TagOutOfFold, flagged: np.ndarray
) -> list[tuple[int, TagChange]]:
    """The ``flagged`` rows, each with its suggested change (possibly none: the model finds
    the set unlikely but no tag surely wrong)."""
    return [(int(row), suggest_change(tags[row], int(row), oof)) for row in np.flatnonzero(flagged)]


@dataclass(frozen=True)
class TagScores:
    """A data set's tag sets scored: the chosen row score, each row's quality, the flags,
    the quality cut of the flags and the chosen score's mean AP on planted flips (nan with no
    plantings). ``health`` is each row's :func:`tag_health`, whichever score ranks, so a gate
    on ``label_health`` does not move with the choice (a fix of 3 rows that changed the choice
    had moved it from 87.0% to 91.5%)."""

    row_score: str
    quality: np.ndarray
    health: np.ndarray
    flagged: np.ndarray
    flag_cut: float
    planted_ap: float


def score_tags(
    tags: np.ndarray, oof: TagOutOfFold, *, seed: int, held_out: np.ndarray | None = None
) -> TagScores:
    """Choose the row score and the flags' cut from the same plantings, then score and flag
    the given tags. The health's calibration is fitted on rows not ``held_out`` (a test
    split's labels do not tune their own judge)."""
    planted = plantings(tags, oof.probabilities, seed)
    aps = planted_aps(planted)
    row_score = _best_score(aps)
    quality = tag_quality(tags, oof.probabilities, row_score)
    cut = flag_cut(planted, row_score)
    return TagScores(
        row_score=row_score,
        quality=quality,
        health=tag_health(tags, oof.probabilities, None if held_out is None else ~held_out),
        flagged=tag_flags(tags, oof, quality, cut),
        flag_cut=cut,
        planted_ap=aps[row_score] if planted else float("nan"),
    )


@dataclass(frozen=True)
class TagAnalysis:
    """What the multi-label detectors read: the tag sets, their out-of-fold probabilities and
    cuts, and how they were scored and flagged (:class:`TagScores`, aligned with
    ``sets.labelled``)."""

    sets: TagSets
    oof: TagOutOfFold
    scores: TagScores

    @property
    def quality(self) -> np.ndarray:
        return self.scores.quality

    @property
    def flagged(self) -> np.ndarray:
        return self.scores.flagged

    @property
    def row_score(self) -> str:
        return self.scores.row_score


def analyse_tags(
    sets: TagSets, oof: TagOutOfFold, *, seed: int, held_out: np.ndarray | None = None
) -> TagAnalysis:
    """Quality and flags of every labelled row's tag set, computed once for the detectors."""
    scores = score_tags(sets.matrix, oof, seed=seed, held_out=held_out)
    return TagAnalysis(sets=sets, oof=oof, scores=scores)
