"""``report.md``: the report for people, summary first, then each kind of issue, worst first."""

from __future__ import annotations

from collections import defaultdict

from databugs.render.escape import markdown_text as md
from databugs.report_view import ReportView as Report
from databugs.report_view import worst_label_issues

MAX_ROWS_PER_KIND = 200


def render(report: Report) -> str:
    lines = _summary(report) + _gate(report) + _comparison(report)
    lines += _classes(report) + _features(report)
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for record in report.issue_records():
        by_kind[record["kind"]].append(record)
    for kind, description in report.kinds.items():
        lines += _issue_section(kind, description, by_kind.get(kind, []))
    return "\n".join(lines) + "\n"


def _summary(report: Report) -> list[str]:
    summary, source = report.summary, report.input
    lines = [
        f"# databugs report: {md(source['path'])}",
        "",
        f"**Label health {summary['label_health']:.1%}**: {summary['label_issues']} of "
        f"{summary['labelled']} labelled rows look mislabelled.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| rows | {summary['rows']} |",
        f"| labelled / unlabelled | {summary['labelled']} / {summary['unlabelled']} |",
        f"| classes | {summary['classes']} |",
        f"| label column | {md(source['label'])} |",
        f"| model | {md(report.options['model'])}, {report.options['folds']} folds, "
        f"seed {report.options['seed']} (out-of-fold accuracy {summary['model_accuracy']:.1%}) |",
    ]
    lines += [f"| {md(kind)} | {count} |" for kind, count in summary["counts"].items()]
    lines.append("")
    if report.notes:
        lines += ["## Notes", ""] + [f"- {md(note)}" for note in report.notes] + [""]
    return lines


def render_summary(report: Report) -> str:
    """The short version for a CI job's summary page: figures, gate, changes, worst labels."""
    worst = worst_label_issues(report, 10)
    lines = _summary(report) + _gate(report) + _comparison(report)
    lines += _issue_section("label_issue", "the 10 worst labels", worst)
    return "\n".join(lines) + "\n"


def _gate(report: Report) -> list[str]:
    if report.gate is None:
        return []
    verdict = "passed" if report.gate_passed() else "**failed**"
    lines = [f"## Gate: {verdict}", "", "| rule | measured | result |", "|---|---:|---|"]
    for result in report.gate:
        outcome = "pass" if result["passed"] else "**FAIL**"
        lines.append(f"| `{md(result['rule'])}` | {result['measured']:g} | {outcome} |")
    return [*lines, ""]


def _comparison(report: Report) -> list[str]:
    comparison = report.comparison
    if comparison is None:
        return []
    lines = [
        f"## Since {md(comparison['baseline']['path'])}",
        "",
        "| kind | new | fixed | open |",
        "|---|---:|---:|---:|",
    ]
    for kind in comparison["new"]:
        counts = [comparison[part][kind] for part in ("new", "fixed", "open")]
        if any(counts):
            lines.append(f"| {kind} | {counts[0]} | {counts[1]} | {counts[2]} |")
    for name, change in comparison["figures"].items():
        lines.append(f"\n- {md(name)}: {change['old']} -> {change['new']}")
    return [*lines, ""]


def _classes(report: Report) -> list[str]:
    lines = [
        "## Classes",
        "",
        "| class | rows | share | flagged | label health | model recall |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in report.classes:
        lines.append(
            f"| {md(row['label'])} | {row['count']} | {row['share']:.1%} | {row['flagged']} | "
            f"{row['label_health']:.1%} | {row['recall']:.1%} |"
        )
    return [*lines, ""]


def _features(report: Report) -> list[str]:
    lines = ["## Columns used", "", "| column | used as | why |", "|---|---|---|"]
    lines += [
        f"| {md(use['column'])} | {use['used_as']} | {md(use['reason'])} |"
        for use in report.features
    ]
    return [*lines, ""]


def _issue_section(kind: str, description: str, records: list[dict]) -> list[str]:
    lines = [f"## {kind} ({len(records)})", "", md(description), ""]
    if not records:
        return [*lines, "None found.", ""]
    lines += [
        "| rank | row | id | given | suggested | score | detail | content |",
        "|---:|---:|---|---|---|---:|---|---|",
    ]
    row_format = (
        "| {rank} | {row} | {id} | {given} | {suggested} | {score:.3f} | {detail} | {content} |"
    )
    for record in records[:MAX_ROWS_PER_KIND]:
        lines.append(
            row_format.format(
                rank=record["rank"],
                row="" if record["row"] is None else record["row"],
                id=md(record["id"]),
                given=md(record["given_label"]),
                suggested=md(record["suggested_label"]),
                score=record["score"],
                detail=md(record["detail"]),
                content=md(record["content"], limit=120),
            )
        )
    if len(records) > MAX_ROWS_PER_KIND:
        lines.append(f"\n{len(records) - MAX_ROWS_PER_KIND} more in issues.csv.")
    return [*lines, ""]
