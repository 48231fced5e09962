"""``databugs review``: accept or reject flagged rows one by one, in the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from databugs.cli.app import app, console, user_errors
from databugs.cli.options import DataOption, ReportOption, split_list

REVIEW_EXAMPLE = """
Keys: a accept the suggestion, r reject it (the given label is right), e type or pick another
label (a known class, +name adds a new one; a number for a numeric target; for tag sets the
tags joined by the separator, names or numbers, +name a new tag), s skip, u undo the last
decision, c the whole cluster (same group or same given -> suggested pair) at once, q quit.
Every decision is written to databugs-decisions.csv at once; the next review resumes where
this one stopped. Then `databugs fix` applies the accepted and edited labels.

Examples:

\b
  databugs review --kind label_issue --min-score 0.8
  printf 'a\\nr\\nq\\n' | databugs review      (one key and Enter per decision)
"""


@app.command(epilog=REVIEW_EXAMPLE)
@user_errors
def review(
    report: ReportOption = Path("databugs-report"),
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="Only this kind of issue (repeatable).")
    ] = None,
    label_class: Annotated[
        list[str] | None, typer.Option("--class", help="Only rows given or suggested this class.")
    ] = None,
    min_score: Annotated[
        float | None, typer.Option("--min-score", help="Only issues scored at least this.")
    ] = None,
    data: DataOption = None,
) -> None:
    """Accept or reject flagged rows one by one, in the terminal."""
    from databugs.review.session import ReviewSession
    from databugs.review.terminal import run_review

    session = ReviewSession.open(
        report,
        kinds=split_list(kind),
        classes=split_list(label_class),
        min_score=min_score,
        data=data,
    )
    run_review(session, console(highlight=False))
