"""The review session: the flagged rows of a scan, one at a time, worst first, and the
decisions a person makes about them, each written to the ledger at once.

The queue leaves out rows already decided (so a new session resumes where the last stopped).
``databugs fix`` with no accept option then applies the accepted and edited labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from databugs.corrections.plan import corrections, scanned_decisions, scanned_files
from databugs.corrections.relabel import Relabelling
from databugs.data.guard import check_writable, writing
from databugs.data.ledger import LEDGER_COLUMNS, append_decisions, decision_line, ledger_path
from databugs.data.splits import ScannedFiles
from databugs.errors import DatabugsError, ErrorCode, option
from databugs.report.evidence import neighbours_by_row
from databugs.report.schema import load_report


def _check_filters(
    report: dict[str, Any], kinds: list[str] | None, classes: list[str] | None
) -> None:
    """Unknown --kind or --class values are errors, not an empty queue; a kind the scan did
    not look for (a tag kind in a class scan) is unknown to it."""
    known_kinds = list(report.get("kinds") or report["summary"]["counts"])
    known_classes = [entry["label"] for entry in report["classes"]]
    for value, known, flag in [
        (kinds, known_kinds, option("kind")),
        (classes, known_classes, option("class")),
    ]:
        unknown = [v for v in value or [] if v not in known]
        if unknown:
            raise DatabugsError(
                f"{flag} {unknown[0]!r} is not in the scan",
                code=ErrorCode.BAD_OPTION,
                hint=f"known: {', '.join(known)}",
            )


@dataclass
class ReviewSession:
    """What is left to review, what was decided in this session, and where it is recorded."""

    scanned: ScannedFiles
    """The scanned files: each decision goes to the ledger beside its row's file."""
    classes: list[str]
    relabelling: Relabelling
    """What an edited label is checked against: a class, a number, or tags (the scan's task)."""
    queue: list[dict[str, Any]]
    total: int
    done: int
    history: list[dict[str, Any]] = field(default_factory=list)
    neighbours: dict[int, dict[str, Any]] = field(default_factory=dict)
    """Each flagged row's nearest labelled rows, from report.json (``report.evidence``)."""
    skipped: set[int] = field(default_factory=set)
    """Rows skipped in this round through the queue (they wait at its end)."""

    @classmethod
    def open(
        cls,
        report_dir: str | Path,
        *,
        kinds: list[str] | None = None,
        classes: list[str] | None = None,
        min_score: float | None = None,
        data: str | Path | None = None,
    ) -> ReviewSession:
        report = load_report(report_dir)
        _check_filters(report, kinds, classes)
        scanned = scanned_files(report, data)
        candidates = [
            issue
            for issue in corrections(report)
            if (not kinds or issue["kind"] in kinds)
            and (
                not classes
                or issue["given_label"] in classes
                or issue["suggested_label"] in classes
            )
            and (min_score is None or issue["score"] >= min_score)
        ]
        for path in scanned.paths:  # say so now, not after the first decision
            check_writable(ledger_path(path))
        decided = set(scanned_decisions(report, scanned)["row"].astype(int))
        queue = [issue for issue in candidates if issue["row"] not in decided]
        return cls(
            scanned=scanned,
            classes=[c["label"] for c in report["classes"]],
            relabelling=Relabelling.of_scan(report, scanned.table.frame, str(scanned.table.path)),
            queue=queue,
            total=len(candidates),
            done=len(candidates) - len(queue),
            neighbours=neighbours_by_row(report.get("neighbours")),
        )

    @property
    def data(self) -> Path:
        """The data (with a test file: the training file)."""
        return self.scanned.table.path

    @property
    def frame(self) -> pd.DataFrame:
        """The rows as the scan saw them (with a test file: both files joined)."""
        return self.scanned.table.frame

    @property
    def current(self) -> dict[str, Any] | None:
        return self.queue[0] if self.queue else None

    def content(self, issue: dict[str, Any]) -> dict[str, str]:
        """The row's columns as written, for showing."""
        record = self.frame.iloc[issue["row"]]
        return {str(column): str(value) for column, value in record.items()}

    def decide(self, decision: str, new_label: str | None = None) -> None:
        """Accept, reject or edit the current row (one ledger line, written now)."""
        issue = self.queue[0]
        if decision == "edited":
            new_label = self.relabelling.checked(new_label or "", issue["row"])
        self._record(issue, decision, new_label)
        self.history.append(self.queue.pop(0))
        self.skipped.discard(issue["row"])
        self.done += 1
        self._new_round_once_only_skipped_rows_are_left()

    @property
    def position(self) -> int:
        """The current row's place among the rows to review: after those decided and those
        skipped this round, so that skipping moves on as deciding does."""
        return self.done + sum(issue["row"] in self.skipped for issue in self.queue) + 1

    def skip(self) -> None:
        """Move the current row to the end of this session's queue."""
        issue = self.queue.pop(0)
        self.queue.append(issue)
        self.skipped.add(issue["row"])
        self._new_round_once_only_skipped_rows_are_left()

    def _new_round_once_only_skipped_rows_are_left(self) -> None:
        """Once every row left has been skipped, a new round starts at the first of them."""
        if all(waiting["row"] in self.skipped for waiting in self.queue):
            self.skipped.clear()

    def undo(self) -> dict[str, Any] | None:
        """Take back the last decision of this session; its row comes back first."""
        if not self.history:
            return None
        issue = self.history.pop()
        self.skipped.clear()  # the undone row comes back first: a new round from it
        self._record(issue, "undone", issue["given_label"])
        self.queue.insert(0, issue)
        self.done -= 1
        return issue

    def cluster(self) -> list[dict[str, Any]]:
        """Queued rows like the current one: the same cluster of mistakes (report.html's ``c3``)
        where the scan made clusters, else the same group, or the same given -> suggested pair."""
        head = self.current
        if head is None:
            return []

        def alike(issue: dict[str, Any]) -> bool:
            if head.get("cluster"):
                return issue.get("cluster") == head["cluster"]
            if head.get("group") and issue.get("group") == head["group"]:
                return True
            return (issue["kind"], issue["given_label"], issue["suggested_label"]) == (
                head["kind"],
                head["given_label"],
                head["suggested_label"],
            )

        return [issue for issue in self.queue if alike(issue)]

    def decide_cluster(self, decision: str) -> int:
        """Accept or reject the current row's whole cluster; returns how many rows."""
        members = self.cluster()
        for issue in members:
            self.queue.remove(issue)
            self.queue.insert(0, issue)
            self.decide(decision)
        return len(members)

    def _record(self, issue: dict[str, Any], decision: str, new_label: str | None) -> None:
        line = decision_line(issue, decision, self.scanned.name_of(issue["row"]), new_label)
        lines = pd.DataFrame([line], columns=LEDGER_COLUMNS)
        for path, mine in zip(self.scanned.paths, self.scanned.by_file(lines), strict=True):
            if len(mine):
                with writing(ledger_path(path)):
                    append_decisions(ledger_path(path), mine)
