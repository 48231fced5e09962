"""Summary figures: the numbers a gate rule may name are the summary's numbers."""

from __future__ import annotations

import databugs.api


def test_the_figures_rules_may_name_are_the_summary_numbers(blobs) -> None:
    from databugs.pipeline.summary import figure_names

    summary = databugs.api.scan(blobs, jobs=1).summary
    numbers = {k for k, v in summary.items() if isinstance(v, int | float)}
    assert numbers == set(figure_names(annotated=False))
