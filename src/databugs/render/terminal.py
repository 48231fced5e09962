"""The terminal summary: fits one screen; counts, label health and the 10 worst rows.

Data text (file names, labels, ids, details) is put on one line by ``databugs.text`` and given
to rich as ``Text``, never as markup: ``[bold]`` in a label is printed as written.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from databugs.detectors.registry import label_flag_kinds
from databugs.gate.rules import measured_text
from databugs.report.report import Report
from databugs.text import one_line, shown_label, visible

WORST_ROWS = 10


def _headline(report: Report) -> str:
    summary = report.summary
    kind = (report.task or {}).get("kind")
    what = {"regression": "a number per row", "multilabel": f"{summary['classes']} tags"}.get(
        kind, f"{summary['classes']} classes"
    )
    return (
        f"{visible(report.scanned_name())}: {summary['rows']} rows{_split_counts(report)}, "
        f"{what}, "
        f"{report.health_text()} "
        f"({summary['label_issues']} {report.wrong_text()} of {summary['labelled']})"
    )


def _split_counts(report: Report) -> str:
    """`` (900 train, 100 test)`` for a scan with splits."""
    counts = report.input.get("splits") or {}
    shown = ", ".join(f"{n} {one_line(name)}" for name, n in counts.items())
    return f" ({shown})" if counts else ""


def _models_line(report: Report) -> str:
    if report.input.get("label_only"):
        return f"models: {one_line(report.input['label_only'])}"
    return f"models: {report.model_mix(accuracy=False)} ({report.fit_text()})"


def _notes(report: Report) -> list[str]:
    """The report's first notes, less the one the models line already says."""
    shown = report.input.get("label_only")
    return [one_line(note) for note in report.notes if note != shown][:3]


def _task_line(report: Report) -> list[str]:
    line = report.task_line()
    return [] if line is None else [line]


def _counts_line(report: Report) -> str:
    counts = report.summary["counts"]
    found = [f"{kind} {count}" for kind, count in counts.items() if count]
    return (
        "issues: "
        + (", ".join(found) if found else "none")
        + ("; no other kind found" if len(found) < len(counts) else "")
    )


MAX_FINDINGS = 6
FINDING_CHARS = 160
"""A finding's line is cut here (an outlier's reasons ran to 420 characters: five screen rows at
100 columns each); report.md has it in full."""


def _gate_and_changes(report: Report) -> list[str]:
    """One line per gate rule and one for what changed since the baseline."""
    lines = []
    if report.comparison is not None:
        new = {k: v for k, v in report.comparison["new"].items() if v}
        fixed = {k: v for k, v in report.comparison["fixed"].items() if v}
        lines.append(
            "since baseline: new "
            + (", ".join(f"{k} {v}" for k, v in new.items()) or "none")
            + "; fixed "
            + (", ".join(f"{k} {v}" for k, v in fixed.items()) or "none")
        )
        lines += [f"baseline warning: {one_line(w)}" for w in report.comparison.get("warnings", [])]
    return lines + [_gate_line(result) for result in report.gate or []]


def failed_gate_lines(report: Report) -> list[str]:
    """The rules that failed, for ``--quiet``: a failed CI job says why, if nothing else."""
    return [_gate_line(result) for result in report.gate or [] if not result["passed"]]


def _gate_line(result: dict) -> str:
    verdict = "pass" if result["passed"] else "FAIL"
    return f"gate {verdict}: {one_line(result['rule'])} (measured {measured_text(result)})"


def _annotator_line(report: Report) -> list[str]:
    """Agreement and the least reliable annotator, when the data has several."""
    if not report.annotators:
        return []
    worst, agreement = report.annotators[0], report.agreement
    return [
        f"annotators: {len(report.annotators)}, Krippendorff's alpha "
        f"{agreement['krippendorff_alpha']:.3f}; least reliable {one_line(worst['name'])} "
        f"(quality {worst['quality'] or 0:.3f}, "
        f"agrees with consensus {worst['agreement'] or 0:.0%})"
    ]


def _findings(report: Report) -> list[str]:
    """One line per dataset-level finding (a group counts once), worst first."""
    lines, seen, listed = [], set(), label_flag_kinds()  # those are in the table
    for issue in report.issue_records():
        if issue["kind"] in listed or (issue["kind"], issue["group"]) in seen:
            continue
        if issue["group"] is not None:
            seen.add((issue["kind"], issue["group"]))
        lines.append(f"{issue['kind']}: {one_line(issue['detail'])}")
    times = Counter(lines)  # four rows holding the same capped value: one line, "(4 times)"
    shown = list(times)[:MAX_FINDINGS]
    extra = len(lines) - sum(times[line] for line in shown)
    counted = [
        one_line(line, FINDING_CHARS) + (f" ({times[line]} times)" if times[line] > 1 else "")
        for line in shown
    ]
    return counted + ([f"... {extra} more in report.md"] if extra > 0 else [])


def _change(record: dict) -> str:
    """``given -> suggested``; a flag with no sure correction says so instead of an arrow to
    nothing (an empty label would read as a suggestion to clear the cell)."""
    given = shown_label(record["given_label"])
    if record["suggested_label"] is None:
        return f"{given} (no sure correction)"
    return f"{given} -> {shown_label(record['suggested_label'])}"


def render_rich(report: Report, outputs: dict[str, str]) -> Group:
    """A rich renderable for ``--format rich``."""
    table = Table(
        title=f"{WORST_ROWS} worst labels",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for column in ("rank", "row", "id", "given -> suggested", "score", "content"):
        table.add_column(column, no_wrap=True, style="dim" if column == "content" else None)
    for record in report.worst_labels(WORST_ROWS, renumber=True):
        table.add_row(
            str(record["rank"]),
            report.row_name(record),
            Text(one_line(record["id"] or "", 12)),
            Text(one_line(_change(record), 24)),
            f"{record['score']:.3f}",
            Text(one_line(record["content"] or "", 26)),
        )
    parts = [Text(_headline(report), style="bold"), Text(_models_line(report), style="dim")]
    parts += [Text(one_line(line), style="dim") for line in _task_line(report)]
    parts.append(Text(_counts_line(report)))
    parts += [Text(line) for line in _annotator_line(report)]
    parts += [Text(f"  {line}", overflow="ellipsis", no_wrap=True) for line in _findings(report)]
    parts += [Text(f"note: {note}", style="yellow") for note in _notes(report)]
    parts += [
        Text(line, style="bold red" if "FAIL" in line else "green")
        for line in _gate_and_changes(report)
    ]
    parts += [table, *(Text(line, style="dim") for line in _closing_lines(report, outputs))]
    return Group(*parts)


def render_plain(report: Report, outputs: dict[str, str]) -> str:
    """The same content as plain text lines, for logs and pipes."""
    lines = [_headline(report), _models_line(report), *map(one_line, _task_line(report))]
    lines.append(_counts_line(report))
    lines += _annotator_line(report)
    lines += [f"  {line}" for line in _findings(report)]
    lines += [f"note: {note}" for note in _notes(report)]
    lines += _gate_and_changes(report)
    for record in report.worst_labels(WORST_ROWS, renumber=True):
        content = one_line(record["content"] or "", 60)
        lines.append(
            f"  #{record['rank']} row {report.row_name(record)}: {_change(record)} "
            f"({record['score']:.3f}) {content}"
        )
    lines += _closing_lines(report, outputs)
    return "\n".join(lines) + "\n"


def _closing_lines(report: Report, outputs: dict[str, str]) -> list[str]:
    """Where the page reviewers look at is, and what to run next when there is something to fix."""
    page = outputs.get("report.html", outputs["report.md"])
    lines = [f"report: {visible(page)} (and report.md beside it)"]
    if report.worst_labels(1):
        folder = visible(Path(page).parent)
        lines.append(
            f"next: databugs review --report {folder}, or "
            f"databugs fix --report {folder} --accept-top N"
        )
    return lines
