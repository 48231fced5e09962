"""``report.md``: the report for people, summary first, then each kind of issue, worst first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from databugs.detectors.registry import label_flag_kinds
from databugs.gate.rules import measured_text
from databugs.render.agreement_cells import AgreementCells, agreement_cells
from databugs.render.escape import markdown_code
from databugs.render.escape import markdown_text as md
from databugs.report.report import Report
from databugs.text import shown_label

MAX_ROWS_PER_KIND = 200


def render(report: Report) -> str:
    lines = _summary(report) + _gate(report) + _comparison(report)
    lines += _classes(report) + _annotators(report) + _features(report)
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for record in report.issue_records():
        by_kind[record["kind"]].append(record)
    counts = report.summary["counts"]
    for kind, description in report.kinds.items():
        records = by_kind.get(kind, [])
        heading = _counted(kind, counts.get(kind, len(records)), len(records))
        lines += _issue_section(heading, description, records, report.row_name)
    return "\n".join(lines) + "\n"


def _summary(report: Report) -> list[str]:
    summary, source = report.summary, report.input
    lines = [
        f"# databugs report: {md(report.scanned_name())}",
        "",
        f"**{md(report.health_text().capitalize())}**: {summary['label_issues']} of "
        f"{summary['labelled']} labelled rows look "
        + ("wrong." if report.regression is not None else "mislabelled."),
        "",
        "| figure | value |",
        "|---|---|",
        f"| rows | {summary['rows']} |",
        f"| labelled / unlabelled | {summary['labelled']} / {summary['unlabelled']} |",
        f"| classes | {summary['classes']} |",
        f"| label column | {md(source['label'])} |",
        f"| models | {md(report.model_mix())}; {report.options['folds']} folds, "
        f"seed {report.options['seed']}; {md(report.fit_text())} |",
    ]
    lines += [f"| {md(kind)} | {count} |" for kind, count in report.shown_counts().items()]
    lines.append("")
    if report.task_line():
        lines += [md(report.task_line()), ""]
    if report.notes:
        lines += ["## Notes", ""] + [f"- {md(note)}" for note in report.notes] + [""]
    return lines


def render_summary(report: Report) -> str:
    """The short version for a CI job's summary page: figures, gate, changes, worst labels."""
    kinds = ", ".join(sorted(label_flag_kinds()))
    lines = _summary(report) + _gate(report) + _comparison(report)
    worst = report.worst_labels(10, renumber=True)
    lines += _issue_section(
        f"{kinds} ({len(worst)})", "the 10 worst labels", worst, report.row_name
    )
    return "\n".join(lines) + "\n"


def _gate(report: Report) -> list[str]:
    if report.gate is None:
        return []
    verdict = "passed" if report.gate_passed() else "**failed**"
    lines = [f"## Gate: {verdict}", "", "| rule | measured | result |", "|---|---:|---|"]
    for result in report.gate:
        outcome = "pass" if result["passed"] else "**FAIL**"
        lines.append(f"| {markdown_code(result['rule'])} | {measured_text(result)} | {outcome} |")
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
    lines += [f"\n- Warning: {md(warning)}" for warning in comparison.get("warnings", [])]
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


def _annotators(report: Report) -> list[str]:
    """Agreement figures, annotators worst first, Cohen's kappa per pair, disputed classes."""
    if report.annotators is None:
        return []
    agreement = report.agreement
    gold = "gold_answers" in report.annotators[0]  # accuracy on the gold items, when known
    lines = [
        "## Annotators",
        "",
        f"Krippendorff's alpha {agreement['krippendorff_alpha']:.3f}, Fleiss' kappa "
        f"{agreement['fleiss_kappa']:.3f}, pairwise agreement {agreement['percent']:.1%}. "
        f"Worst first; quality is {_quality_source(agreement)}, agreement is with the consensus "
        "label.",
        "",
        "| annotator | rows | agreement | quality | worst confusion |" + gold * " gold accuracy |",
        "|---|---:|---:|---:|---|" + gold * "---:|",
    ]
    for entry in report.annotators:
        worst = entry["worst_confusion"]
        confusion = (
            f"labels {md(worst['label'])} as {md(worst['as'])} in {worst['share']:.0%} of "
            f"{worst['rows']} rows"
            if worst
            else ""
        )
        checked = f" {_share(entry['gold_accuracy'])} of {entry['gold_answers']} |" if gold else ""
        lines.append(
            f"| {md(entry['name'])} | {entry['rows']} | {_share(entry['agreement'])} | "
            f"{_kappa(entry['quality'])} | {confusion} |{checked}"
        )
    lines += _pair_kappas(report.annotators, agreement["cohen_kappa"])
    lines += _class_agreement(agreement.get("class_agreement"))
    if agreement["class_pairs"]:
        lines += ["", "Class pairs annotators split on most (a guideline may need a sentence):", ""]
        lines += ["| classes | items | example rows |", "|---|---:|---|"]
        for pair in agreement["class_pairs"]:
            shown = ", ".join(map(str, pair["examples"]))
            lines.append(
                f"| {md(pair['classes'][0])} / {md(pair['classes'][1])} | "
                f"{pair['items']} | {shown} |"
            )
    return [*lines, ""]


MAX_TABLE_ANNOTATORS = 20
MAX_TABLE_CLASSES = 8
"""report.md's agreement table stays readable: the busiest annotators and classes only."""


def _pair_kappas(annotators: list[dict], kappas: dict) -> list[str]:
    """Cohen's kappa per pair of the busiest annotators (a crowd of 164 is not a table)."""
    busiest = sorted(annotators, key=lambda entry: -entry["rows"])[:MAX_TABLE_ANNOTATORS]
    names = [entry["name"] for entry in annotators if entry in busiest]
    hidden = len(annotators) - len(names)
    title = "Cohen's kappa per pair of annotators" + (
        f" (the {len(names)} busiest; not shown here: {hidden} annotators, every pair is in "
        "report.json, `agreement.cohen_kappa`):"
        if hidden
        else ":"
    )
    lines = ["", title, ""]
    lines += ["| | " + " | ".join(md(n) for n in names) + " |", "|---|" + "---:|" * len(names)]
    for a in names:
        cells = [_kappa(kappas[a].get(b)) if a != b else "" for b in names]
        lines.append(f"| {md(a)} | " + " | ".join(cells) + " |")
    return lines


def _class_agreement(table: dict | None) -> list[str]:
    """Per annotator and consensus class: the share of their answers matching the consensus."""
    if not table:
        return []
    cells = agreement_cells(table, MAX_TABLE_ANNOTATORS, MAX_TABLE_CLASSES)
    if not cells.names or not cells.classes:
        return []
    lines = [
        "",
        "Agreement with the consensus per class: the share of an annotator's answers on items "
        f"of that consensus class that match it (italic: fewer than {cells.min_answers} "
        "answers, too few to judge):",
        "",
        "| annotator | " + " | ".join(md(name) for name in cells.classes) + " |",
        "|---|" + "---:|" * len(cells.classes),
    ]
    for i, name in enumerate(cells.names):
        shown = [_agreement_cell(cells, i, k) for k in range(len(cells.classes))]
        lines.append(f"| {md(name)} | " + " | ".join(shown) + " |")
    hidden = [f"{cells.hidden_annotators} annotators"] * bool(cells.hidden_annotators)
    hidden += [f"{cells.hidden_classes} classes"] * bool(cells.hidden_classes)
    if hidden:
        lines += [
            "",
            f"Not shown here: {' and '.join(hidden)} with fewer answers "
            "(every cell is in report.json, `agreement.class_agreement`).",
        ]
    return lines


def _agreement_cell(cells: AgreementCells, row: int, column: int) -> str:
    """ "93% of 40"; "*2 of 3*" when too few to judge; empty when no answer."""
    answers, agreed = cells.answers[row][column], cells.agreed[row][column]
    share = cells.share(row, column)
    if not answers:
        return ""
    return f"{share:.0%} of {answers}" if share is not None else f"*{agreed} of {answers}*"


def _quality_source(agreement: dict) -> str:
    if str(agreement.get("consensus_model")).startswith("dawid-skene"):
        return "the accuracy Dawid-Skene estimates from the answers alone"
    return "CROWDLAB's (cleanlab)"


def _kappa(value: float | None) -> str:
    """A kappa or a quality score; n/a where it could not be measured."""
    return "n/a" if value is None else f"{value:.3f}"


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _features(report: Report) -> list[str]:
    lines = ["## Columns used", "", "| column | used as | why |", "|---|---|---|"]
    lines += [
        f"| {md(use['column'])} | {md(use['used_as'])} | {md(use['reason'])} |"
        for use in report.features
    ]
    return [*lines, ""]


def _counted(kind: str, findings: int, rows: int) -> str:
    """``split_leakage (9; 18 rows)``: a finding about several rows (a pair, a group) counts once,
    as in the summary, and its rows are told apart."""
    return f"{kind} ({findings})" if findings == rows else f"{kind} ({findings}; {rows} rows)"


def _issue_section(
    heading: str, description: str, records: list[dict], row_name: Callable[[dict], str]
) -> list[str]:
    lines = [f"## {heading}", "", md(description), ""]
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
                row=md(row_name(record)),
                id=md(record["id"]),
                given=md(shown_label(record["given_label"])),
                suggested=md(shown_label(record["suggested_label"])),
                score=record["score"],
                detail=md(record["detail"]),
                content=md(record["content"], limit=120),
            )
        )
    if len(records) > MAX_ROWS_PER_KIND:
        lines.append(f"\n{len(records) - MAX_ROWS_PER_KIND} more in issues.csv.")
    return [*lines, ""]
