"""Write the corrected data and record every decision in the ledger beside it.

The output differs from the scanned file only in the labels of accepted rows.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from databugs.corrections.decisions import ReviewedPlan, plan_from_decision_files
from databugs.corrections.plan import FixPlan, plan_fix, plan_from_ledger, scanned_path
from databugs.corrections.reviewers import agreement_path, reviewer_agreement, write_agreement
from databugs.data.guard import check_outputs, check_writable, remove_stale_temporaries, writing
from databugs.data.io import detect_format, file_sha256
from databugs.data.ledger import (
    append_decisions,
    ledger_path,
    pending_decisions,
    read_ledger,
    settle_pending,
)
from databugs.data.locks import holding
from databugs.data.tags import scanned_labels
from databugs.data.validate import check_at_least, label_text
from databugs.data.write import write_bytes_atomically, write_relabelled
from databugs.errors import DatabugsError, ErrorCode, option
from databugs.report.schema import load_report


def default_output(data: Path) -> Path:
    """``data.csv.gz`` -> ``data.fixed.csv.gz``, beside the data."""
    return _tagged(data, "fixed")


def original_copy(data: Path) -> Path:
    """Where ``--in-place`` keeps the original: ``data.orig.csv``."""
    return _tagged(data, "orig")


def _tagged(data: Path, tag: str) -> Path:
    """``data.csv.gz`` -> ``data.<tag>.csv.gz``: the tag goes before the format's suffix."""
    _, suffix = detect_format(data)
    stem = data.name[: len(data.name) - len(suffix)]
    return data.with_name(f"{stem}.{tag}{data.name[len(stem) :]}")


def _target(plan: FixPlan, output: str | Path | None, in_place: bool) -> Path:
    """Where the corrected data goes: a new file in the data's format, or (``in_place``) the
    data itself."""
    if in_place and output is not None:
        raise DatabugsError(
            f"{option('in_place')} and {option('output')} exclude each other",
            code=ErrorCode.BAD_OPTION,
        )
    target = plan.data if in_place else Path(output) if output else default_output(plan.data)
    if not in_place and target.resolve() == plan.data.resolve():
        raise DatabugsError(
            f"{target}: is the data itself",
            code=ErrorCode.BAD_OPTION,
            hint=f"use {option('in_place')} for that",
        )
    if detect_format(target) != detect_format(plan.data):
        raise DatabugsError(
            f"{target}: the corrected data keeps the format of {plan.data.name}",
            code=ErrorCode.BAD_OPTION,
            hint=f"give {option('output')} a name ending in {detect_format(plan.data)[1]}",
        )
    return target


def apply_fix(
    plan: FixPlan, *, output: str | Path | None = None, in_place: bool = False
) -> Path | None:
    """Write the corrected data and append the decisions to the ledger.

    Holds the locks on the data and the ledger throughout; checks every file it will write
    before writing the first; the decisions reach the ledger even if the run is killed once the
    data is replaced (:func:`pending_decisions`). Returns the path written, or None when no
    correction was accepted.
    """
    target = _target(plan, output, in_place)
    ledger = ledger_path(plan.data)
    with holding(plan.data, ledger):
        _check_outputs(plan, target, in_place, ledger)
        if plan.accepted.empty:
            if plan.record and not plan.decisions.empty:
                with writing(ledger):
                    append_decisions(ledger, plan.decisions)
            return None
        with writing(ledger), _recorded(plan, ledger, target, in_place):
            _write_corrected(plan, target, in_place)
    return target


def _check_outputs(plan: FixPlan, target: Path, in_place: bool, ledger: Path) -> None:
    """Refuse, before writing anything, a target over a kept file, an unwritable target or a
    ledger that cannot be read; remove what a killed run left."""
    outputs = [target]
    if in_place and not original_copy(plan.data).exists():
        outputs.append(original_copy(plan.data))
    kept = {ledger: "the decisions ledger"}
    if not in_place:
        kept |= {plan.data: "the data", original_copy(plan.data): "the original --in-place kept"}
    check_outputs(outputs, kept)
    if plan.record:
        check_writable(ledger)
    read_ledger(ledger)
    remove_stale_temporaries([target])


def _recover(data: Path) -> None:
    """What a killed fix left: its pending decisions settled, its temporary files removed."""
    ledger = ledger_path(data)
    with writing(ledger):
        settle_pending(ledger)
    remove_stale_temporaries([data, original_copy(data), ledger])


def _recorded(
    plan: FixPlan, ledger: Path, target: Path, in_place: bool
) -> AbstractContextManager[None]:
    """Around the write: the decisions, pending until the target is replaced."""
    if not plan.record:
        return nullcontext()
    before = plan.source.sha256 if in_place else file_sha256(target) if target.is_file() else None
    return pending_decisions(ledger, plan.decisions, target, before)


def _write_corrected(plan: FixPlan, target: Path, in_place: bool) -> None:
    new_labels = dict(
        zip(plan.accepted["row"].astype(int), plan.accepted["new_label"], strict=True)
    )
    if in_place and not original_copy(plan.data).exists():  # the first original is kept
        with writing(original_copy(plan.data)):
            write_bytes_atomically(original_copy(plan.data), plan.data.read_bytes())
    with writing(target):
        write_relabelled(plan.source, target, plan.label, new_labels)


def _check_rows_as_scanned(plan: FixPlan, rows: int) -> None:
    """The file must read as the rows the scan saw, each decided row with the label the scan
    saw: a matching sha256 says the bytes are the same, not that they are read the same way."""
    found = len(plan.source.frame)
    if found != rows:
        raise _changed(plan, f"{found} rows, the scan saw {rows}")
    labels = scanned_labels(plan.source.frame, plan.label, source=str(plan.data))
    decided = zip(plan.decisions["row"].astype(int), plan.decisions["old_label"], strict=True)
    for row, old in decided:
        if labels[row] != label_text(old):
            raise _changed(plan, f"row {row} holds {labels[row]!r}, the scan saw {old!r}")


def _changed(plan: FixPlan, what: str) -> DatabugsError:
    return DatabugsError(
        f"{plan.data}: changed since the scan ({what})",
        code=ErrorCode.DATA_CHANGED,
        hint="scan it again before fixing",
    )


@dataclass(frozen=True)
class FixResult:
    """What ``databugs fix`` decided and where it wrote the corrected data (None: nowhere)."""

    plan: FixPlan
    written: Path | None
    target: Path
    reviewed: ReviewedPlan | None = None
    """With decisions files: the reviewers, their decisions and the rows they disagree on."""
    agreement: dict[str, Any] | None = None
    """With two or more reviewers: how far they agree (written to ``agreement_file``)."""
    agreement_file: Path | None = None


def fix_data(
    report: str | Path = "databugs-report",
    *,
    accept_top: int = 0,
    accept: list[str] | None = None,
    reject: list[str] | None = None,
    min_quality: float | None = None,
    accept_consensus: bool = False,
    accept_clusters: list[str] | None = None,
    output: str | Path | None = None,
    in_place: bool = False,
    dry_run: bool = False,
    data: str | Path | None = None,
    decisions: list[str | Path] | None = None,
    prefer: str | None = None,
) -> FixResult:
    """Apply the named decisions to the scan in ``report``; with none named, the decisions a
    review recorded in the ledger; with ``decisions`` files (from report.html), theirs (``prefer``
    names the reviewer who wins where reviewers disagree). ``dry_run`` decides but writes
    nothing."""
    check_at_least("accept_top", accept_top, 0)
    content = load_report(report)
    path = scanned_path(content, data)
    named = accept_top or accept or reject or min_quality is not None
    named = named or accept_consensus or accept_clusters
    if decisions:
        if named:
            raise DatabugsError(
                f"{option('decisions')} takes the decisions from its files, not from options",
                code=ErrorCode.BAD_OPTION,
            )
        return _fix_from_files(content, decisions, prefer, output, in_place, dry_run, data)
    if prefer is not None:
        raise DatabugsError(
            f"{option('prefer')} chooses between decisions files",
            code=ErrorCode.BAD_OPTION,
            hint=f"give them with {option('decisions')}",
        )
    with nullcontext() if dry_run else holding(path, ledger_path(path)):  # the whole fix
        if not dry_run:
            _recover(path)
        if named:
            plan = plan_fix(
                content,
                accept_top=accept_top,
                accept=accept,
                reject=reject,
                min_quality=min_quality,
                accept_consensus=accept_consensus,
                accept_clusters=accept_clusters,
                data=data,
            )
        else:
            plan = plan_from_ledger(content, data=data)
        _check_rows_as_scanned(plan, content["input"]["rows"])
        target = _target(plan, output, in_place)
        if dry_run or plan.decisions.empty:
            return FixResult(plan, None, target)
        return FixResult(plan, apply_fix(plan, output=output, in_place=in_place), target)


def _fix_from_files(
    content: dict[str, Any],
    files: list[str | Path],
    prefer: str | None,
    output: str | Path | None,
    in_place: bool,
    dry_run: bool,
    data: str | Path | None,
) -> FixResult:
    """``fix --decisions``: every file checked, then recorded and applied under the locks; the
    reviewers' agreement written beside the corrected data."""
    path = scanned_path(content, data)
    with nullcontext() if dry_run else holding(path, ledger_path(path)):
        if not dry_run:
            _recover(path)
        reviewed = plan_from_decision_files(content, files, prefer=prefer, data=data)
        plan = reviewed.plan
        _check_rows_as_scanned(plan, content["input"]["rows"])
        target = _target(plan, output, in_place)
        agreement = reviewer_agreement(reviewed.lines, reviewed.reviewers)
        where = agreement_path(target, plan.data) if agreement and not dry_run else None
        result = FixResult(plan, None, target, reviewed, agreement, where)
        if dry_run:
            return result
        if where is not None:
            check_outputs([where], {plan.data: "the data", ledger_path(plan.data): "the ledger"})
        written = apply_fix(plan, output=output, in_place=in_place)
        if where is not None:
            write_agreement(where, agreement)
        return FixResult(plan, written, target, reviewed, agreement, where)
