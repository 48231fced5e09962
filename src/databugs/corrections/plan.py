"""Decide which of a scan's corrections to apply: named rows, the worst N, a quality bar,
clusters, the annotators' consensus, or the decisions a review recorded in the ledger.

The data must be byte-for-byte the file that was scanned (its sha256 is checked).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from databugs.data.io import LoadedTable, dataset_files, is_parquet_dataset, read_table
from databugs.data.keys import row_ids
from databugs.data.ledger import LEDGER_COLUMNS, decision_line, decisions_about_scan, ledger_path
from databugs.data.splits import ScannedFiles
from databugs.data.tags import scanned_labels
from databugs.errors import DatabugsError, ErrorCode, given, option
from databugs.report.report import proposed_corrections
from databugs.report.schema import is_two_file_scan
from databugs.text import count


@dataclass(frozen=True)
class FixPlan:
    """The decisions to apply to the scanned data: one line per accepted or rejected row (``row``
    the scanned row, ``file`` the name of the file it is in)."""

    scanned: ScannedFiles
    label: str | list[str]
    """The label column, or (multi-label data) the 0/1 tag columns."""
    decisions: pd.DataFrame
    record: bool = True  # False when the decisions already are in the ledger (from review)
    notes: tuple[str, ...] = ()
    """What a user should know about the decisions: rows with two different suggestions."""
    applied: pd.DataFrame | None = None
    """The lines whose new label is written, when not simply the accepted ones (a decisions
    file: edited ones too, rows reviewers disagree on left out)."""

    @property
    def source(self) -> LoadedTable:
        """The table the scan saw (with a test file: both files joined)."""
        return self.scanned.table

    @property
    def data(self) -> Path:
        return self.source.path

    @property
    def accepted(self) -> pd.DataFrame:
        if self.applied is not None:
            return self.applied
        return self.decisions[self.decisions["decision"] == "accepted"]


def plan_fix(
    report: dict[str, Any],
    *,
    accept_top: int = 0,
    accept: list[str] | None = None,
    reject: list[str] | None = None,
    min_quality: float | None = None,
    accept_consensus: bool = False,
    accept_clusters: list[str] | None = None,
    data: str | Path | None = None,
) -> FixPlan:
    """Decide which flagged rows to accept or reject.

    ``accept`` and ``reject`` name rows by ``id`` when the scan had one, else by ``row``; with
    a test file also by split and file row (``test:12``).
    ``accept_consensus`` accepts the annotators' consensus wherever it differs from the label;
    ``accept_clusters`` every correction in the named clusters of mistakes (``c1``, ...).
    """
    scanned = scanned_files(report, data)
    flagged = corrections(report)
    by_key = {_key(issue, report): issue for issue in flagged} | _split_keys(flagged, report)
    named = {issue["row"]: issue for issue in _lookup(accept or [], by_key, report)}
    rejected = {issue["row"]: issue for issue in _lookup(reject or [], by_key, report)}
    chosen = _bulk_picks(report, flagged, accept_top, min_quality, accept_clusters)
    if accept_consensus:
        chosen |= _consensus_picks(report)
    reviewed = _decided_otherwise(report, scanned)
    kept_back = sorted(set(chosen) & reviewed - set(named))
    chosen = {
        row: issue for row, issue in chosen.items() if row not in rejected and row not in reviewed
    } | named
    both = sorted(set(named) & set(rejected))
    if both:
        raise DatabugsError(
            f"row {both[0]} is both accepted and rejected",
            code=ErrorCode.BAD_OPTION,
            hint=f"name each row in {option('accept')} or {option('reject')}, not both",
        )
    named_by = scanned.name_of
    lines = [decision_line(i, "accepted", named_by(i["row"])) for i in chosen.values()]
    lines += [decision_line(i, "rejected", named_by(i["row"])) for i in rejected.values()]
    decisions = pd.DataFrame(lines, columns=LEDGER_COLUMNS).sort_values("row", kind="stable")
    notes = tuple(_conflict_note(issue) for issue in chosen.values() if issue.get("also_suggested"))
    if kept_back:
        notes += (_reviewed_note(kept_back),)
    return FixPlan(scanned, report["input"]["label"], decisions, notes=notes)


def _bulk_picks(
    report: dict[str, Any],
    flagged: list[dict[str, Any]],
    accept_top: int,
    min_quality: float | None,
    accept_clusters: list[str] | None,
) -> dict[int, dict[str, Any]]:
    """The corrections chosen by number, quality bar or cluster, by row."""
    chosen = {issue["row"]: issue for issue in flagged[: max(accept_top, 0)]}
    if min_quality is not None:
        chosen |= {
            i["row"]: i
            for i in flagged
            if i.get("label_quality") is not None and i["label_quality"] < min_quality
        }
    members = _cluster_members(accept_clusters or [], flagged, report)
    return chosen | {issue["row"]: issue for issue in members}


def _consensus_picks(report: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """The annotators' consensus wherever it differs from the label, by row."""
    if "annotators" not in report:
        raise DatabugsError(
            f"{option('accept_consensus')}: the scan had no annotators",
            code=ErrorCode.BAD_OPTION,
            hint=f"scan with {option('annotators')} or {option('annotator_col')} first",
        )
    return {
        i["row"]: i
        for i in report["issues"]
        if i["kind"] == CONSENSUS_KIND and i["suggested_label"] != i["given_label"]
    }


def _decided_otherwise(report: dict[str, Any], scanned: ScannedFiles) -> set[int]:
    """Rows a review rejected or gave another label, while their label is still the one it
    saw: taking the suggestion anyway in bulk would undo the reviewer's decision."""
    if not any(ledger_path(path).is_file() for path in scanned.paths):  # no decisions yet
        return set()
    labels = _scanned_labels(report, scanned)
    ledger = scanned_decisions(report, scanned)
    ledger = ledger[ledger["decision"].isin(["rejected", "edited"])]
    current = ledger["row"].map(lambda row: labels[int(row)])
    return {int(row) for row in ledger.loc[current == ledger["old_label"], "row"]}


def _reviewed_note(rows: list[int]) -> str:
    shown = ", ".join(map(str, rows[:10])) + (" ..." if len(rows) > 10 else "")
    return (
        f"left {count(len(rows), 'row')} as decided in review (rejected or relabelled): {shown}; "
        f"name a row with {option('accept')} to take its suggestion anyway"
    )


def _conflict_note(issue: dict[str, Any]) -> str:
    others = ", ".join(f"{o['suggested_label']!r} ({o['kind']})" for o in issue["also_suggested"])
    return (
        f"row {issue['row']}: took {issue['suggested_label']!r} ({issue['kind']}); "
        f"also suggested {others}"
    )


def plan_from_ledger(report: dict[str, Any], *, data: str | Path | None = None) -> FixPlan:
    """The corrections accepted or edited in the ledger (by ``databugs review``) that the data
    does not have yet: the latest decision per row, made while the label was what it is now."""
    scanned = scanned_files(report, data)
    labels = _scanned_labels(report, scanned)
    ledger = scanned_decisions(report, scanned)
    wanted = ledger[ledger["decision"].isin(["accepted", "edited"])]
    current = wanted["row"].map(lambda row: labels[int(row)])
    wanted = wanted[(current == wanted["old_label"]) & (wanted["new_label"] != wanted["old_label"])]
    decisions = wanted.assign(decision="accepted")[LEDGER_COLUMNS]
    return FixPlan(scanned, report["input"]["label"], decisions, record=False)


def _scanned_labels(report: dict[str, Any], scanned: ScannedFiles) -> list[str | None]:
    """Each scanned row's label as the scan saw it (a text, also for 0/1 tag columns)."""
    table = scanned.table
    return scanned_labels(table.frame, report["input"]["label"], source=str(table.path))


def scanned_decisions(report: dict[str, Any], scanned: ScannedFiles) -> pd.DataFrame:
    """The last decision about each scanned row, from the ledger beside its file."""
    ids = row_ids(scanned.table.frame, report["input"].get("id"))
    return decisions_about_scan(scanned.paths, scanned.file_index, scanned.file_rows, ids)


CONSENSUS_KIND = "annotator_disagreement"
"""The issue kind whose suggestion is the annotators' consensus label."""


def corrections(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows a scan (report.json's content) proposes to relabel, worst first, each once."""
    return proposed_corrections(report["issues"])


def _cluster_members(
    clusters: list[str], flagged: list[dict[str, Any]], report: dict[str, Any]
) -> list[dict[str, Any]]:
    known = [cluster["id"] for cluster in report.get("clusters", [])]
    for cluster in clusters:
        if cluster not in known:
            raise DatabugsError(
                f"{given('accept_clusters', cluster)}: no such cluster in the report",
                code=ErrorCode.BAD_OPTION,
                hint=f"clusters are: {', '.join(known)}" if known else "the scan found none",
            )
    return [issue for issue in flagged if issue.get("cluster") in clusters]


def scanned_files(report: dict[str, Any], data: str | Path | None = None) -> ScannedFiles:
    """The files a scan was made of (``data`` if the one file moved), each read once and
    refused if it changed since the scan; with a test file, both joined as the scan joined
    them. Every file is checked before any is used."""
    paths = scanned_paths(report, data)
    digests = report["input"].get("split_sha256") or [report["input"]["sha256"]]
    tables = [read_table(path) for path in paths]
    for table, digest in zip(tables, digests, strict=True):
        if table.sha256 != digest:
            raise DatabugsError(
                f"{table.path}: changed since the scan (sha256 differs)",
                code=ErrorCode.DATA_CHANGED,
                hint="scan it again before fixing; nothing was written",
            )
    return ScannedFiles.of(tables)


def scanned_paths(report: dict[str, Any], data: str | Path | None = None) -> list[Path]:
    """Where the scanned files are: the data (``data`` if it moved) and, for a scan with a
    test file, that file; refused if there is no label column to correct or a file is not a
    single file."""
    if not is_two_file_scan(report["input"]):
        return [scanned_path(report, data)]
    files = report["input"]["split_files"]
    if data is not None:
        raise DatabugsError(
            f"{option('data')} {data}: names one file, the scan read two ({files[0]} and "
            f"{files[1]}, given with {option('test')})",
            code=ErrorCode.BAD_OPTION,
            hint="run fix where report.json's paths lead, or scan the moved files again",
        )
    if "split_sha256" not in report["input"]:
        raise DatabugsError(
            f"{files[0]}: report.json does not record each file's sha256 (an older scan)",
            code=ErrorCode.BAD_REPORT,
            hint="scan again before fixing",
        )
    return [scanned_path(report, path) for path in files]


def scanned_path(report: dict[str, Any], data: str | Path | None = None) -> Path:
    """Where one scanned file is (``data`` if it moved), refused if it has no label column
    to correct or is not a single file."""
    path = Path(data) if data is not None else Path(report["input"]["path"])
    if report["options"].get("annotator_col") or report["input"].get("label_source"):
        raise DatabugsError(
            f"{path}: has no label column to correct (the scan used the annotators' consensus)",
            code=ErrorCode.BAD_OPTION,
            hint="corrected_labels.csv holds the consensus label of every row",
        )
    if path.is_dir() and not dataset_files(str(path)):
        raise DatabugsError(
            f"{path}: is a folder (with no Parquet files), not the data file",
            code=ErrorCode.BAD_OPTION,
            hint=f"give the scanned file with {option('data')}",
        )
    if is_parquet_dataset(path):
        raise DatabugsError(
            f"{path}: a Parquet dataset (folder or glob); corrections are written to single "
            "files only",
            code=ErrorCode.BAD_OPTION,
            hint="take the corrections from corrected_labels.csv (one line per row, in order)",
        )
    if not path.exists():
        raise DatabugsError(
            f"{path}: no such file",
            code=ErrorCode.MISSING_FILE,
            hint=f"give the data with {option('data')}",
        )
    return path


def _key(issue: dict[str, Any], report: dict[str, Any]) -> str:
    return str(issue["id"]) if report["input"].get("id") else str(issue["row"])


def _split_keys(flagged: list[dict[str, Any]], report: dict[str, Any]) -> dict[str, dict]:
    """With a test file, a row may also be named by its split and its row in that split's
    file (``test:12``): what someone looking at test.csv sees."""
    if not is_two_file_scan(report["input"]):
        return {}
    return {f"{issue['split']}:{issue['file_row']}": issue for issue in flagged}


def _lookup(
    keys: list[str], by_key: dict[str, dict[str, Any]], report: dict[str, Any]
) -> list[dict[str, Any]]:
    what = "id" if report["input"].get("id") else "row"
    found = []
    for key in keys:
        if key not in by_key:
            raise DatabugsError(
                f"{what} {key} has no suggested correction in the scan",
                code=ErrorCode.UNKNOWN_ROW,
                hint=_row_named_by_position(key, by_key) or "see issues.csv for the flagged rows",
            )
        found.append(by_key[key])
    return found


def _row_named_by_position(key: str, by_key: dict[str, dict[str, Any]]) -> str | None:
    """When a scan with ``--id`` is given a row number, the id to use instead."""
    for issue_id, issue in by_key.items():
        if str(issue["row"]) == key and issue_id != key:
            return f"row {key} is id {issue_id}: name it {issue_id}"
    return None
