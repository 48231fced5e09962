"""Out-of-fold tag probabilities, the row scores and the suggestions made from them, on the
letters sample with each letter's shape tags and one tag flipped on 10% of the rows, and on the
emotions set of ../shared with one tag removed from 10% of the rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score

from databugs.data.features import build_features
from databugs.data.tags import joined_tag_sets
from databugs.models.multilabel import (
    ROW_SCORES,
    choose_row_score,
    flagged_changes,
    flip_thresholds,
    plant_flips,
    tag_folds,
    tag_probabilities,
    tag_quality,
)
from tests.conftest import SHARED, tagged_letters


@pytest.fixture(scope="module")
def fitted():
    frame, noisy_rows = tagged_letters()
    clean, _ = tagged_letters(noisy_share=0.0)
    tags = joined_tag_sets(frame["tags"], ";", source="t", column="tags")
    truth = joined_tag_sets(clean["tags"], ";", source="t", column="tags")
    features = build_features(frame, exclude=["tags"])
    oof = tag_probabilities(features.matrix, features.kind, tags.matrix, seed=0)
    return tags.matrix, truth.matrix, noisy_rows, oof


def test_probabilities_are_out_of_fold_and_rank_the_flipped_rows_first(fitted):
    tags, _, noisy_rows, oof = fitted
    assert oof.probabilities.shape == tags.shape and oof.folds == 5
    changed = np.isin(np.arange(len(tags)), noisy_rows)
    ap = average_precision_score(changed, 1 - tag_quality(tags, oof.probabilities))
    assert ap > 0.6  # 10% of rows are noisy: at random 0.1; the moving-average pooling 0.48


def test_accepting_every_suggestion_raises_exact_set_accuracy(fitted):
    tags, truth, _, oof = fitted
    corrected = tags.copy()
    changes = [
        (row, change) for row, change in flagged_changes(tags, oof) if change.add or change.remove
    ]
    for row, change in changes:
        corrected[row] = change.applied(tags[row])
    right = (corrected[[r for r, _ in changes]] == truth[[r for r, _ in changes]]).all(axis=1)
    assert len(changes) >= 5 and right.mean() > 0.7
    assert (corrected == truth).all(axis=1).mean() > (tags == truth).all(axis=1).mean() + 0.005


def test_cuts_are_never_reached_for_a_tag_the_model_cannot_tell():
    rng = np.random.default_rng(0)
    scores = rng.uniform(size=(400, 1))
    add, remove = flip_thresholds(scores, (rng.uniform(size=(400, 1)) < 0.3).astype(int))
    assert add[0] == np.inf and remove[0] == -np.inf


def test_folds_are_seeded_and_keep_a_rare_tag_in_several_folds():
    tags = np.zeros((100, 2), dtype=np.int8)
    tags[:, 0] = 1
    tags[:10, 1] = 1
    folds = tag_folds(tags, 5, seed=3)
    assert [t.tolist() for _, t in folds] == [t.tolist() for _, t in tag_folds(tags, 5, seed=3)]
    assert all(tags[test, 1].sum() == 2 for _, test in folds)


@pytest.fixture(scope="module")
def emotions():
    """The emotions set (593 songs, 6 tags) with one true tag removed from 10% of the rows,
    its out-of-fold probabilities, and the rows changed; skipped when ../shared is absent."""
    path = SHARED / "multilabel_mulan_emotions.parquet"
    if not path.exists():
        pytest.skip(f"{path} is not available")
    frame = pd.read_parquet(path)
    clean = joined_tag_sets(frame["label"], ";", source="e", column="label").matrix
    rng = np.random.default_rng(0)
    rows = rng.choice(np.flatnonzero(clean.any(axis=1)), round(0.1 * len(clean)), replace=False)
    noisy = clean.copy()
    for row in rows:
        noisy[row, rng.choice(np.flatnonzero(clean[row]))] = 0
    features = build_features(frame.drop(columns="label"), exclude=[])
    oof = tag_probabilities(features.matrix, features.kind, noisy, seed=0)
    return noisy, oof.probabilities, np.isin(np.arange(len(noisy)), rows)


def test_the_chosen_row_score_ranks_removed_tags_above_softmin(emotions):
    tags, probabilities, changed = emotions
    chosen = choose_row_score(tags, probabilities, seed=0)
    ap = {
        score: average_precision_score(changed, 1 - tag_quality(tags, probabilities, score))
        for score in ROW_SCORES
    }
    assert chosen == "ratio_soft"
    assert ap[chosen] > 0.13 and ap["softmin"] < 0.11  # at random 0.1


def test_the_row_score_choice_is_seeded_and_plants_half_removes_half_adds(emotions):
    tags, probabilities, _ = emotions
    planted, rows = plant_flips(tags, 0.1, seed=4)
    again, same_rows = plant_flips(tags, 0.1, seed=4)
    assert (planted == again).all() and (rows == same_rows).all()
    assert not (plant_flips(tags, 0.1, seed=5)[1] == rows).all()
    assert rows.sum() == 59 and ((planted != tags).sum(axis=1) == rows).all()
    assert (planted < tags).any(axis=1).sum() == 29 and (planted > tags).any(axis=1).sum() == 30
    choices = {choose_row_score(tags.copy(), probabilities.copy(), seed=3) for _ in range(3)}
    assert choices == {"ratio_soft"}


def test_too_few_rows_to_plant_keep_softmin(emotions):
    tags, probabilities, _ = emotions
    assert choose_row_score(tags[:60], probabilities[:60], seed=0) == "softmin"  # 6 planted
