"""Write the corrected data and record every decision in the ledger beside it.

The output differs from the scanned file only in the labels of accepted rows. A scan of a
training and a test file (``--test``) is written back file by file: each row's correction goes
to its own file's corrected copy, each decision to the ledger beside its own file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from databugs.corrections.decisions import ReviewedPlan, plan_from_decision_files
from databugs.corrections.plan import FixPlan, plan_fix, plan_from_ledger, scanned_paths
from databugs.corrections.reviewers import agreement_path, reviewer_agreement, write_agreement
from databugs.data.guard import (
    check_outputs,
    check_writable,
    refuse_overwriting,
    remove_stale_temporaries,
    writing,
)
from databugs.data.io import LoadedTable, detect_format, file_sha256, read_table
from databugs.data.ledger import (
    append_decisions,
    ledger_path,
    pending_decisions,
    read_ledger,
    settle_pending,
)
from databugs.data.locks import holding
from databugs.data.tags import scanned_labels
from databugs.data.validate import check_at_least, check_between, label_text
from databugs.data.write import refuse_link, relabelled_bytes, write_bytes_atomically
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


@dataclass(frozen=True, eq=False)
class FileFix:
    """One scanned file's part of a fix: the file as read, the decisions about its rows (``row``
    a row of this file), the labels to write into it and where its corrected copy goes."""

    source: LoadedTable
    decisions: pd.DataFrame
    new_labels: dict[int, str]
    target: Path

    @property
    def data(self) -> Path:
        return self.source.path


def file_fixes(plan: FixPlan, output: str | Path | None, in_place: bool) -> list[FileFix]:
    """The plan split by file (one, or a training and a test file), each with its target."""
    scanned = plan.scanned
    decided, accepted = scanned.by_file(plan.decisions), scanned.by_file(plan.accepted)
    targets = _targets(plan, output, in_place)
    parts = zip(scanned.files, decided, accepted, targets, strict=True)
    return [
        FileFix(table, lines, _labels_by_row(taken), target)
        for table, lines, taken, target in parts
    ]


def _labels_by_row(accepted: pd.DataFrame) -> dict[int, str]:
    return dict(zip(accepted["row"].astype(int), accepted["new_label"], strict=True))


def _targets(plan: FixPlan, output: str | Path | None, in_place: bool) -> list[Path]:
    """Where each file's corrected data goes: a new file in its format (beside it, or
    ``output``: with two files, a folder for both), or (``in_place``) the file itself."""
    if in_place and output is not None:
        raise DatabugsError(
            f"{option('in_place')} and {option('output')} exclude each other",
            code=ErrorCode.BAD_OPTION,
        )
    files = plan.scanned.paths
    if in_place or output is None:
        return files if in_place else [default_output(path) for path in files]
    if len(files) == 1:
        return [_checked_target(Path(output), files[0])]
    folder = Path(output)
    if folder.is_file() or folder.suffix in (".csv", ".tsv", ".parquet", ".jsonl", ".gz"):
        raise DatabugsError(
            f"{folder}: the scan read two files ({files[0].name}, {files[1].name}); "
            f"{option('output')} names the folder their corrected copies go to",
            code=ErrorCode.BAD_OPTION,
            hint=f"give a folder, or leave {option('output')} out to write each beside its file",
        )
    return [_checked_target(folder / default_output(path).name, path) for path in files]


def _checked_target(target: Path, data: Path) -> Path:
    """A target of ``--output``: not the data itself, and in the data's format."""
    if target.resolve() == data.resolve():
        raise DatabugsError(
            f"{target}: is the data itself",
            code=ErrorCode.BAD_OPTION,
            hint=f"use {option('in_place')} for that",
        )
    if detect_format(target) != detect_format(data):
        raise DatabugsError(
            f"{target}: the corrected data keeps the format of {data.name}",
            code=ErrorCode.BAD_OPTION,
            hint=f"give {option('output')} a name ending in {detect_format(data)[1]}",
        )
    return target


def _replaced(parts: list[FileFix], in_place: bool) -> list[FileFix]:
    """The files written: with a correction anywhere, every copy (a pair of corrected files
    that belong together) or, in place, the files that have a correction."""
    if not any(part.new_labels for part in parts):
        return []
    return [part for part in parts if part.new_labels] if in_place else parts


def apply_fix(
    plan: FixPlan, *, output: str | Path | None = None, in_place: bool = False
) -> tuple[Path, ...]:
    """Write the corrected data and append the decisions to the ledger beside each file.

    Holds the locks on every file and ledger throughout; checks every file it will write
    before writing the first, and builds every corrected file before it replaces the first;
    each file is replaced atomically, its decisions reaching its ledger even if the run is
    killed once it is replaced (:func:`pending_decisions`). If writing one fails, every file
    already replaced and every ledger is put back as it was, so a pair is never left half
    corrected. Returns the paths written (none when no correction was accepted).
    """
    parts = file_fixes(plan, output, in_place)
    ledgers = [ledger_path(part.data) for part in parts]
    with holding(*(part.data for part in parts), *ledgers):
        written = _replaced(parts, in_place)
        _check_outputs(plan, parts, written, in_place)
        payloads = [relabelled_bytes(part.source, plan.label, part.new_labels) for part in written]
        before = _contents([*(part.target for part in written), *ledgers])
        try:
            for part, payload in zip(written, payloads, strict=True):
                _replace(plan, part, payload, in_place)
            for part in parts:
                if plan.record and part not in written and not part.decisions.empty:
                    with writing(ledger_path(part.data)):
                        append_decisions(ledger_path(part.data), part.decisions)
        except Exception:
            _put_back(before)  # a file replaced, the next not: the pair goes back as it was
            raise
    return tuple(part.target for part in written)


def _replace(plan: FixPlan, part: FileFix, payload: bytes, in_place: bool) -> None:
    """Replace one file's target with ``payload`` (in place: keeping the first original), its
    decisions pending until it is replaced."""
    if in_place and not original_copy(part.data).exists():  # the first original is kept
        with writing(original_copy(part.data)):
            write_bytes_atomically(original_copy(part.data), part.data.read_bytes())
    ledger = ledger_path(part.data)
    with writing(ledger), _recorded(plan, part, in_place), writing(part.target):
        write_bytes_atomically(part.target, payload, through_link=in_place)  # a linked data file


def _contents(paths: list[Path]) -> dict[Path, bytes | None]:
    """Each file's bytes (None if absent), to put back if a fix of several files fails."""
    return {path: path.read_bytes() if path.is_file() else None for path in paths}


def _put_back(contents: dict[Path, bytes | None]) -> None:
    """Every file as it was before the fix (one absent then is removed), each atomically;
    through a link as it was read through one (a linked data file of ``--in-place``)."""
    for path, raw in contents.items():
        if raw is None:
            path.unlink(missing_ok=True)
        elif not path.is_file() or path.read_bytes() != raw:
            write_bytes_atomically(path, raw, through_link=True)


def _check_outputs(
    plan: FixPlan, parts: list[FileFix], written: list[FileFix], in_place: bool
) -> None:
    """Refuse, before writing anything, a target over a file read or kept (any scanned file,
    a ledger, a kept original) or over another target, an unwritable target or a ledger that
    cannot be read; remove what a killed run left."""
    new_originals = [
        original_copy(part.data)
        for part in written
        if in_place and not original_copy(part.data).exists()
    ]
    if in_place:
        for part in written:
            _refuse_an_original_not_kept(part)
    outputs = [part.target for part in written] + new_originals
    kept = {ledger_path(part.data): "the decisions ledger" for part in parts}
    for number, part in enumerate(parts):
        if not (in_place and part in written):
            kept[part.data] = "the test data" if number else "the data"
        if original_copy(part.data) not in new_originals:
            kept[original_copy(part.data)] = "the original --in-place kept"
    check_outputs(outputs, kept)
    ledgers = [ledger_path(part.data) for part in parts]
    for path in [*(part.target for part in written if not in_place), *new_originals, *ledgers]:
        refuse_link(path)  # --in-place alone writes through a link: the linked data file
    for number, path in enumerate(outputs):
        refuse_overwriting(outputs[number + 1 :], {path: "written by this fix already"})
    for part in parts:
        if plan.record:
            check_writable(ledger_path(part.data))
        read_ledger(ledger_path(part.data))
    remove_stale_temporaries(outputs)


def _refuse_an_original_not_kept(part: FileFix) -> None:
    """``--in-place`` keeps the first original, so it writes none where ``data.orig.csv``
    exists: a file there that is no original of this data (other columns or rows, or not a
    table) would leave the data with no original at all."""
    original = original_copy(part.data)
    if not original.exists():
        return
    try:
        kept = read_table(original).frame
        same = list(kept.columns) == list(part.source.frame.columns)
        same = same and len(kept) == len(part.source.frame)
    except (DatabugsError, OSError):  # not a table, a folder
        same = False
    if not same:
        raise DatabugsError(
            f"{original}: exists and is no original of {part.data.name} (not its columns and "
            "rows); --in-place keeps the first original, so it would keep none",
            code=ErrorCode.BAD_OPTION,
            hint=f"move {original.name} away, or write the corrected copy with --output",
        )


def _recover(data: Path) -> None:
    """What a killed fix left: its pending decisions settled, its temporary files removed."""
    ledger = ledger_path(data)
    with writing(ledger):
        settle_pending(ledger)
    remove_stale_temporaries([data, original_copy(data), ledger])


def _recorded(plan: FixPlan, part: FileFix, in_place: bool) -> AbstractContextManager[None]:
    """Around a file's write: its decisions, pending until its target is replaced."""
    if not plan.record or part.decisions.empty:
        return nullcontext()
    target = part.target
    before = part.source.sha256 if in_place else file_sha256(target) if target.is_file() else None
    return pending_decisions(ledger_path(part.data), part.decisions, target, before)


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
    """What ``databugs fix`` decided, where each scanned file's corrected data goes
    (``outputs``, in the order of the files) and which of them it wrote."""

    plan: FixPlan
    outputs: tuple[Path, ...]
    wrote: tuple[Path, ...] = ()
    reviewed: ReviewedPlan | None = None
    """With decisions files: the reviewers, their decisions and the rows they disagree on."""
    agreement: dict[str, Any] | None = None
    """With two or more reviewers: how far they agree (written to ``agreement_file``)."""
    agreement_file: Path | None = None

    @property
    def written(self) -> Path | None:
        """The corrected data written (with a test file: the training file's), None if none."""
        return self.wrote[0] if self.wrote else None

    @property
    def target(self) -> Path:
        """Where the (first file's) corrected data goes."""
        return self.outputs[0]


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
    nothing. A scan with a test file has each file's rows written back to that file's copy."""
    named = accept_top or accept or reject or min_quality is not None
    named = bool(named or accept_consensus or accept_clusters)
    _check_fix_options(accept_top, min_quality, named, bool(decisions), prefer)
    content = load_report(report)
    if output is not None:
        _refuse_report_files(Path(report), Path(output))
    paths = scanned_paths(content, data)
    if decisions:
        return _fix_from_files(content, decisions, prefer, output, in_place, dry_run, data)
    with _fixing(paths, dry_run):  # the whole fix
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
        outputs = tuple(_targets(plan, output, in_place))
        if dry_run or plan.decisions.empty:
            return FixResult(plan, outputs)
        return FixResult(plan, outputs, apply_fix(plan, output=output, in_place=in_place))


def _check_fix_options(
    accept_top: int, min_quality: float | None, named: bool, decisions: bool, prefer: str | None
) -> None:
    """Options that cannot go together, or out of range, refused before any work."""
    check_at_least("accept_top", accept_top, 0)
    if min_quality is not None:  # a label quality is a chance: 2 would accept every flag
        check_between("min_quality", min_quality, 0, 1)
    if decisions and named:
        raise DatabugsError(
            f"{option('decisions')} takes the decisions from its files, not from options",
            code=ErrorCode.BAD_OPTION,
        )
    if prefer is not None and not decisions:
        raise DatabugsError(
            f"{option('prefer')} chooses between decisions files",
            code=ErrorCode.BAD_OPTION,
            hint=f"give them with {option('decisions')}",
        )


def _refuse_report_files(report: Path, output: Path) -> None:
    """The scan's report folder holds what fix reads (report.json) and what a reviewer keeps
    (issues.csv, report.html, ...): an output over one of them is refused like one over the
    data."""
    folder = report if report.is_dir() else report.parent
    files = {path: "a file of the scan's report" for path in folder.iterdir() if path.is_file()}
    refuse_overwriting([output], files)


@contextmanager
def _fixing(paths: list[Path], dry_run: bool) -> Iterator[None]:
    """Around a whole fix: the locks on every scanned file and its ledger, and what a killed
    run left cleared up (nothing of either for a dry run)."""
    if dry_run:
        yield
        return
    with holding(*paths, *map(ledger_path, paths)):
        for path in paths:
            _recover(path)
        yield


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
    reviewers' agreement written beside the (first file's) corrected data."""
    paths = scanned_paths(content, data)
    with _fixing(paths, dry_run):
        reviewed = plan_from_decision_files(content, files, prefer=prefer, data=data)
        plan = reviewed.plan
        _check_rows_as_scanned(plan, content["input"]["rows"])
        outputs = tuple(_targets(plan, output, in_place))
        agreement = reviewer_agreement(reviewed.lines, reviewed.reviewers)
        where = agreement_path(outputs[0], plan.data) if agreement and not dry_run else None
        read = {Path(file): "a decisions file this fix reads" for file in files}
        refuse_overwriting([*outputs, *([where] if where else [])], read)
        result = FixResult(plan, outputs, (), reviewed, agreement, where)
        if dry_run:
            return result
        if where is not None:
            kept = {path: "the data" for path in paths}
            check_outputs([where], kept | {ledger_path(path): "the ledger" for path in paths})
        written = apply_fix(plan, output=output, in_place=in_place)
        if where is not None:
            write_agreement(where, agreement)
        return FixResult(plan, outputs, written, reviewed, agreement, where)
