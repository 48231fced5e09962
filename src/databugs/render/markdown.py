"""``report.md``: the report for people, summary first, then each kind of issue, worst first."""

from __future__ import annotations

from collections import defaultdict

from databugs.detectors.registry import all_detectors
from databugs.render.escape import markdown_text as md
from databugs.report import Report

MAX_ROWS_PER_KIND = 200


def render(report: Report) -> str:
    lines = _summary(report) + _classes(report) + _features(report)
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for record in report.issue_records():
        by_kind[record["kind"]].append(record)
    for kind, detector in all_detectors().items():
        lines += _issue_section(kind, detector.description, by_kind.get(kind, []))
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
