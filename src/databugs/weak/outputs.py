"""What ``databugs label`` writes: weak_labels.csv, rules.md, rules.json, issues.csv, the
terminal table, and (``--write``) the data with its label column filled in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from databugs.data.io import detect_format, is_parquet_dataset
from databugs.data.write import write_relabelled
from databugs.errors import DatabugsError, ErrorCode, option
from databugs.render.escape import markdown_text as md
from databugs.render.tables import csv_text, spreadsheet_table
from databugs.report.schema import ISSUE_CSV_COLUMNS
from databugs.text import one_line

if TYPE_CHECKING:
    from databugs.weak.labelling import WeakLabels

SCHEMA = "databugs.rules/1"


OUTPUT_NAMES = ("weak_labels.csv", "rules.json", "rules.md", "issues.csv")


def output_files(result: WeakLabels) -> dict[str, str]:
    """The files written into ``--out``, by name (:data:`OUTPUT_NAMES`)."""
    issues = ([c[k] for k in ISSUE_CSV_COLUMNS] for c in result.conflicts)
    texts = (
        spreadsheet_table(result.rows),
        rules_json(result),
        rules_markdown(result),
        csv_text(ISSUE_CSV_COLUMNS, issues),
    )
    return dict(zip(OUTPUT_NAMES, texts, strict=True))


def rules_json(result: WeakLabels) -> str:
    content = {
        "schema": SCHEMA,
        "input": {"path": str(result.source.path), "sha256": result.source.sha256},
        "options": result.options,
        "classes": result.classes,
        "summary": result.summary,
        "rules": result.rules,
        "issues": result.conflicts,
    }
    return json.dumps(content, indent=2, ensure_ascii=False, default=str) + "\n"


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def rules_markdown(result: WeakLabels) -> str:
    summary = result.summary
    lines = [
        f"# databugs label: {md(str(result.source.path))}",
        "",
        f"{summary['rows']} rows, {summary['labelled']} labelled. Labels given to the "
        f"{summary['unlabelled']} unlabelled rows: {summary['labelled_by_rules']} from the rules, "
        f"{summary['labelled_by_model']} from the end model, {summary['left_unlabelled']} left "
        f"empty (confidence below {result.options['min_confidence']}).",
        "",
        f"Votes combined by **{summary['combiner']}**. On the "
        f"{summary['checked_on_labelled_rows']} labelled rows some rule covers: label model "
        f"{_share(summary['label_model_accuracy'])} right, majority vote "
        f"{_share(summary['majority_vote_accuracy'])} right.",
        "",
        "## Rules",
        "",
        "| rule | votes | coverage | overlaps | conflicts | labelled rows | correct | incorrect "
        "| accuracy | learned accuracy |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for rule in result.rules:
        lines.append(
            f"| {md(rule['name'])} | {md(', '.join(rule['polarity']))} | "
            f"{rule['coverage']:.1%} | {rule['overlaps']:.0%} | {rule['conflicts']:.0%} | "
            f"{rule['labelled_rows']} | {rule['correct']} | {rule['incorrect']} | "
            f"{_share(rule['accuracy'])} | {rule['learned_accuracy']:.0%} |"
        )
    warnings = [rule["warning"] for rule in result.rules if rule["warning"]]
    if warnings:
        lines += ["", "## Rules to look at", ""] + [f"- {md(w)}" for w in warnings]
    lines += ["", f"## rule_conflict ({len(result.conflicts)})", ""]
    lines.append("Labelled rows that confident rules and the end model both contradict.")
    lines.append("")
    if result.conflicts:
        lines += [
            "| rank | row | id | given | suggested | score | detail |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {c['rank']} | {c['row']} | {md(str(c['id'] or ''))} | {md(c['given_label'])} | "
            f"{md(c['suggested_label'])} | {c['score']:.3f} | {md(c['detail'])} |"
            for c in result.conflicts[:200]
        ]
    return "\n".join(lines) + "\n"


def terminal_lines(result: WeakLabels, outputs: dict[str, str]) -> list[str]:
    """A plain table of the rules and a summary, for the terminal (fits one screen)."""
    summary = result.summary
    header = f"{'rule':<24} {'votes':<10} {'coverage':>8} {'accuracy':>8} {'learned':>8}"
    lines = [header]
    for rule in result.rules[:20]:
        votes = ",".join(one_line(label) for label in rule["polarity"])
        lines.append(
            f"{one_line(rule['name'])[:24]:<24} {votes[:10]:<10} {rule['coverage']:>8.1%} "
            f"{_share(rule['accuracy']):>8} {rule['learned_accuracy']:>8.0%}"
        )
    if len(result.rules) > 20:
        lines.append(f"... {len(result.rules) - 20} more rules in rules.md")
    lines += [f"warning: {one_line(rule['warning'])}" for rule in result.rules if rule["warning"]]
    lines.append(
        f"{summary['unlabelled']} unlabelled rows: {summary['labelled_by_rules']} labelled by "
        f"rules, {summary['labelled_by_model']} by the end model, {summary['left_unlabelled']} "
        f"left empty; combiner: {summary['combiner']}; rule conflicts: {summary['rule_conflicts']}"
    )
    lines.append(f"labels: {outputs['weak_labels.csv']}  rules: {outputs['rules.md']}")
    return lines


def write_labelled_data(result: WeakLabels, path: Path) -> None:
    """The data with its label column filled where a weak label was given, plus
    ``label_source`` (gold / rules / model, empty where nothing was confident). Written from
    the file itself, like ``fix``: every other cell stays as it was."""
    source = result.source
    if source.format == "dataframe" or is_parquet_dataset(source.path):
        raise DatabugsError(
            f"{option('write')} needs the data as a single file", code=ErrorCode.BAD_OPTION
        )
    if path.resolve() == source.path.resolve():
        raise DatabugsError(
            f"{path}: is the input; databugs label never rewrites it",
            code=ErrorCode.BAD_OPTION,
            hint="write to another path",
        )
    if detect_format(path)[1] != detect_format(source.path)[1]:
        raise DatabugsError(
            f"{path}: {option('write')} keeps the data's format ({detect_format(source.path)[1]})",
            code=ErrorCode.BAD_OPTION,
        )
    if "label_source" in source.frame.columns:
        raise DatabugsError(
            f"{source.path}: already has a label_source column",
            code=ErrorCode.BAD_OPTION,
            hint=f"rename it; {option('write')} adds one",
        )
    rows = result.rows
    filled = rows["label_source"].isin(["rules", "model"]).to_numpy()
    new_labels = {int(r): str(rows["weak_label"].iat[r]) for r in filled.nonzero()[0]}
    sources = [None if pd.isna(v) else str(v) for v in rows["label_source"]]
    write_relabelled(source, path, result.label, new_labels, ("label_source", sources))
