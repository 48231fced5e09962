"""The terminal summary: fits one screen; counts, label health and the 10 worst rows."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from databugs.report import Report

WORST_ROWS = 10


def _headline(report: Report) -> str:
    summary = report.summary
    return (
        f"{report.input['path']}: {summary['rows']} rows, {summary['classes']} classes, "
        f"label health {summary['label_health']:.1%} "
        f"({summary['label_issues']} likely wrong labels of {summary['labelled']})"
    )


def _counts_line(report: Report) -> str:
    counts = report.summary["counts"]
    return "issues: " + ", ".join(f"{kind} {count}" for kind, count in counts.items())


def render_rich(report: Report, outputs: dict[str, str]) -> Group:
    """A rich renderable for ``--format rich``."""
    table = Table(title=f"{WORST_ROWS} worst rows", title_justify="left", expand=False)
    for column, style in [
        ("rank", "dim"),
        ("row", ""),
        ("id", ""),
        ("given -> suggested", "bold"),
        ("score", ""),
        ("content", "dim"),
    ]:
        table.add_column(
            column,
            style=style,
            overflow="ellipsis",
            no_wrap=True,
            max_width=50 if column == "content" else None,
        )
    for record in report.issue_records()[:WORST_ROWS]:
        table.add_row(
            str(record["rank"]),
            "" if record["row"] is None else str(record["row"]),
            record["id"] or "",
            Text(f"{record['given_label']} -> {record['suggested_label']}"),
            f"{record['score']:.3f}",
            Text(record["content"] or ""),
        )
    parts = [Text(_headline(report), style="bold"), Text(_counts_line(report))]
    parts += [Text(f"note: {note}", style="yellow") for note in report.notes[:3]]
    parts += [table, Text(f"report: {outputs['report.md']}", style="dim")]
    return Group(*parts)


def render_plain(report: Report, outputs: dict[str, str]) -> str:
    """The same content as plain text lines, for logs and pipes."""
    lines = [_headline(report), _counts_line(report)]
    lines += [f"note: {note}" for note in report.notes[:3]]
    for record in report.issue_records()[:WORST_ROWS]:
        content = " ".join((record["content"] or "").split())[:60]
        lines.append(
            f"  #{record['rank']} row {record['row']}: {record['given_label']} -> "
            f"{record['suggested_label']} ({record['score']:.3f}) {content}"
        )
    lines.append(f"report: {outputs['report.md']}")
    return "\n".join(lines) + "\n"
