"""Summary figures: the numbers a gate rule may name are the summary's numbers."""

from __future__ import annotations

import databugs.api


def test_the_figures_rules_may_name_are_the_summary_numbers(blobs) -> None:
    from databugs.pipeline.summary import figure_names

    summary = databugs.api.scan(blobs, jobs=1).summary
    numbers = {k for k, v in summary.items() if isinstance(v, int | float)}
    assert numbers == set(figure_names(annotated=False))


def test_multilabel_label_health_does_not_move_with_the_row_score_chosen(monkeypatch) -> None:
    """The row score each scan chooses to rank tag sets by (``models.multilabel.ROW_SCORES``)
    changes the ranking, not the health a gate reads: forcing each choice in turn gives one
    figure overall, per tag and per split, the mean of ``tag_health`` (each row's chance its
    whole tag set is right), with the calibration fitted on the training rows."""
    import numpy as np

    from databugs.models import multilabel
    from tests.conftest import tagged_letters

    frame, _ = tagged_letters(rows=300)
    frame["split"] = np.where(np.arange(300) < 240, "train", "test")
    reports, healths = {}, []
    health = multilabel.tag_health

    def recorded(tags, probabilities, fitted_on=None):
        healths.append((health(tags, probabilities, fitted_on), fitted_on))
        return healths[-1][0]

    monkeypatch.setattr(multilabel, "tag_health", recorded)
    for chosen in multilabel.ROW_SCORES:
        forced = {score: float(score == chosen) for score in multilabel.ROW_SCORES}
        monkeypatch.setattr(multilabel, "planted_aps", lambda planted, aps=forced: aps)
        reports[chosen] = databugs.api.scan(frame, label="tags", split_col="split", jobs=1)
    assert {r.summary["row_score"] for r in reports.values()} == set(multilabel.ROW_SCORES)
    qualities = {tuple(r.rows["label_quality"].round(6)) for r in reports.values()}
    assert len(qualities) == 3  # the ranking did change
    figures = {
        (
            r.summary["label_health"],
            tuple(t["label_health"] for t in r.classes),
            tuple(s["label_health"] for s in r.summary["splits"].values()),
        )
        for r in reports.values()
    }
    assert len(figures) == 1
    rows, fitted_on = healths[-1]  # every row is labelled
    assert np.array_equal(fitted_on, np.arange(300) < 240)
    overall, _, per_split = next(iter(figures))
    assert overall == round(rows.mean(), 6)
    assert per_split == (round(rows[:240].mean(), 6), round(rows[240:].mean(), 6))
