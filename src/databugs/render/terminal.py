"""The terminal summary: fits one screen; counts, label health and the 10 worst rows.

Data text (file names, labels, ids, details) is put on one line by ``databugs.text`` and given
to rich as ``Text``, never as markup: ``[bold]`` in a label is printed as written.
"""

from __future__ import annotations

from pathlib import Path

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
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


MAX_KINDS = 5
"""Dataset-level findings shown: one line for each of the first kinds (report.md has all)."""
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


def _findings(report: Report, width: int = FINDING_CHARS) -> list[str]:
    """One line per kind of dataset-level finding, worst kind first: its worst finding (cut to
    ``width``) and how many more there are (a group counts once). Thirteen outliers were six
    lines of "unlike every other row"; they are one now, and other kinds have room."""
    said: dict[str, list[str]] = {}
    seen, listed = set(), label_flag_kinds()  # those are in the table
    for issue in report.issue_records():
        if issue["kind"] in listed or (issue["kind"], issue["group"]) in seen:
            continue
        if issue["group"] is not None:
            seen.add((issue["kind"], issue["group"]))
        said.setdefault(issue["kind"], []).append(one_line(issue["detail"]))
    lines = []
    for kind, details in said.items():
        more = _how_many_more(details)
        lines.append(one_line(f"{kind}: {details[0]}", width - len(more)) + more)
    extra = len(lines) - MAX_KINDS
    return lines[:MAX_KINDS] + ([f"... {extra} more kinds in report.md"] if extra > 0 else [])


def _how_many_more(details: list[str]) -> str:
    """`` (4 times)`` where every finding of a kind says the same (four rows holding one
    sentinel value), else `` (and 12 more)``."""
    if len(details) == 1:
        return ""
    if len(set(details)) == 1:
        return f" ({len(details)} times)"
    return f" (and {len(details) - 1} more)"


def _change(record: dict) -> str:
    """``given -> suggested``; a flag with no sure correction says so instead of an arrow to
    nothing (an empty label would read as a suggestion to clear the cell)."""
    given = shown_label(record["given_label"])
    if record["suggested_label"] is None:
        return f"{given} (no sure correction)"
    return f"{given} -> {shown_label(record['suggested_label'])}"


MIN_WORST_ROWS = 3
TABLE_CHROME = 3
"""Screen rows of the worst-labels table besides its rows: title, header and rule."""


class Summary:
    """The rich summary, sized to the console it is printed on: every line but the table's
    fits the width, and the table of worst labels gets the screen rows left (3 to 10), so an
    80 x 24 terminal shows it all with the prompt below (31 rows before)."""

    def __init__(self, report: Report, outputs: dict[str, str]) -> None:
        self.report = report
        self.outputs = outputs

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width, height = options.size
        top = self._top(width)
        bottom = [Text(line, style="dim") for line in _closing_lines(self.report, self.outputs)]
        used = sum(_screen_rows(text, width) for text in [*top, *bottom])
        rows = min(WORST_ROWS, max(MIN_WORST_ROWS, height - 1 - used - TABLE_CHROME))
        yield from top
        yield self._table(rows)
        yield from bottom

    def _top(self, width: int) -> list[Text]:
        """Headline, models, task, counts (wrapped); findings and notes (one row each, cut)."""
        report = self.report
        parts = [Text(_headline(report), style="bold"), Text(_models_line(report), style="dim")]
        parts += [Text(one_line(line), style="dim") for line in _task_line(report)]
        parts.append(Text(_counts_line(report)))
        parts += [Text(line) for line in _annotator_line(report)]
        cut = {"overflow": "ellipsis", "no_wrap": True}
        parts += [Text(f"  {line}", **cut) for line in _findings(report, width - 2)]
        parts += [Text(f"note: {note}", style="yellow", **cut) for note in _notes(report)]
        return parts + [
            Text(line, style="bold red" if "FAIL" in line else "green")
            for line in _gate_and_changes(report)
        ]

    def _table(self, rows: int) -> Table:
        table = Table(
            title=f"{rows} worst labels",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            show_edge=False,
        )
        for column in ("rank", "row", "id", "given -> suggested", "score", "content"):
            table.add_column(column, no_wrap=True, style="dim" if column == "content" else None)
        for record in self.report.worst_labels(rows, renumber=True):
            table.add_row(
                str(record["rank"]),
                self.report.row_name(record),
                Text(one_line(record["id"] or "", 12)),
                Text(one_line(_change(record), 24)),
                f"{record['score']:.3f}",
                Text(one_line(record["content"] or "", 26)),
            )
        return table


def _screen_rows(text: Text, width: int) -> int:
    """How many screen rows a line takes at ``width`` (one where it is cut, not wrapped)."""
    if text.no_wrap:
        return 1
    return max(1, -(-cell_len(text.plain) // max(width, 1)))


def render_rich(report: Report, outputs: dict[str, str]) -> Summary:
    """A rich renderable for ``--format rich``."""
    return Summary(report, outputs)


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
